'use strict';
// Is the Electron binary here? `node scripts/check-electron.cjs` exits 0 silently when it is, else
// prints ONE line on stderr (what is missing, how to get it) and exits 1. npm start and npm run
// dist run it first (prestart, predist), and so does `python -m <package>.desktop dev`: Electron's
// own error ("failed to install correctly") does not say that the binary is a download from GitHub.
//
// The electron package fetches its binary the first time it runs, not at npm install; so when it
// is missing, this runs Electron's own installer once (which honours ELECTRON_MIRROR) before giving
// up. e2e/launch.cjs uses electronExecutable() to decide whether the end-to-end test can run.

const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SHELL_DIR = path.resolve(__dirname, '..');
const HOW = 'It is downloaded from GitHub: let this machine reach github.com, or set ELECTRON_MIRROR to a mirror of '
  + "Electron's releases, then run npx install-electron (or npm start again) in shells/electron.";

/**
 * The Electron executable, or {missing: one line}. Reads what the electron package's index.js
 * reads, without require('electron'): that would start a download.
 */
function electronExecutable({ shellDir = SHELL_DIR, env = process.env, platform = process.platform } = {}) {
  const dir = path.join(shellDir, 'node_modules', 'electron');
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    return { missing: `The Electron binary is not installed (no electron package: run npm install in shells/electron first). ${HOW}` };
  }
  const pathFile = path.join(dir, 'path.txt');
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const file = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || (platform === 'win32' ? 'electron.exe' : 'electron'));
    return fs.existsSync(file) ? { file } : { missing: `The Electron binary is missing: ${file} (ELECTRON_OVERRIDE_DIST_PATH points there).` };
  }
  if (!relative) return { missing: `The Electron binary is not installed (it was never downloaded). ${HOW}` };
  const file = path.join(dir, 'dist', relative);
  return fs.existsSync(file) ? { file } : { missing: `The Electron binary is not installed (${file} is missing). ${HOW}` };
}

/** Run the electron package's own installer (a download); its output is dropped. */
function installElectron({ shellDir = SHELL_DIR, env = process.env } = {}) {
  const installer = path.join(shellDir, 'node_modules', 'electron', 'install.js');
  if (!fs.existsSync(installer)) return;
  childProcess.spawnSync(process.execPath, [installer], { cwd: shellDir, env, stdio: 'ignore', windowsHide: true });
}

function main() {
  let electron = electronExecutable();
  if (electron.missing && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    installElectron();
    electron = electronExecutable();
  }
  if (!electron.missing) return 0;
  process.stderr.write(`${electron.missing}\n`);
  return 1;
}

if (require.main === module) process.exitCode = main();

module.exports = { electronExecutable, installElectron };
