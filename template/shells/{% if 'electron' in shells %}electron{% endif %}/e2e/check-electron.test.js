'use strict';
// scripts/check-electron.cjs, run as `node scripts/check-electron.cjs` (npm start, npm run dist and
// `python -m <package>.desktop dev` do) in a throw-away shell folder with and without the binary.
const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { after, test } = require('node:test');

const { electronExecutable } = require('../scripts/check-electron.cjs');
const { removeDir, tempDir } = require('../testsupport/helpers');

const SCRIPT = path.join(__dirname, '..', 'scripts', 'check-electron.cjs');
const BINARY = process.platform === 'win32' ? 'electron.exe' : 'electron';
const dirs = [];
after(() => dirs.forEach(removeDir));

/** A shell folder holding the check; `electron`: 'none', 'package' (no binary) or 'binary'. */
function shellFolder(electron, installer = null) {
  const shell = tempDir();
  dirs.push(shell);
  fs.mkdirSync(path.join(shell, 'scripts'));
  fs.copyFileSync(SCRIPT, path.join(shell, 'scripts', 'check-electron.cjs'));
  const dir = path.join(shell, 'node_modules', 'electron');
  if (electron === 'none') return shell;
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name": "electron"}');
  if (installer) fs.writeFileSync(path.join(dir, 'install.js'), installer);
  if (electron === 'binary') {
    fs.writeFileSync(path.join(dir, 'path.txt'), BINARY);
    fs.writeFileSync(path.join(dir, 'dist', BINARY), '');
  }
  return shell;
}

function check(shell, env = {}) {
  const result = childProcess.spawnSync(process.execPath, [path.join('scripts', 'check-electron.cjs')], {
    cwd: shell,
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertOneLine(stderr) {
  assert.equal(stderr.split('\n').length, 2, `exactly one line: ${JSON.stringify(stderr)}`);
  assert.match(stderr, /^The Electron binary is not installed/);
  assert.match(stderr, /downloaded from GitHub/);
  assert.match(stderr, /ELECTRON_MIRROR/);
  assert.match(stderr, /npx install-electron/);
}

test('binary installed: exit 0, nothing printed', () => {
  assert.deepEqual(check(shellFolder('binary')), { code: 0, stdout: '', stderr: '' });
});

test('no electron package: one line saying to run npm install, exit 1', () => {
  const result = check(shellFolder('none'));
  assert.equal(result.code, 1);
  assertOneLine(result.stderr);
  assert.match(result.stderr, /run npm install in shells\/electron/);
});

test("binary never downloaded: Electron's installer is tried once, then one line, exit 1", () => {
  const shell = shellFolder('package', "require('fs').writeFileSync(require('path').join(__dirname, 'tried'), ''); console.error('ETIMEDOUT github.com'); process.exit(1);");
  const result = check(shell);
  assert.equal(result.code, 1);
  assertOneLine(result.stderr);
  assert.doesNotMatch(result.stderr, /ETIMEDOUT/, "the installer's own output is not shown");
  assert.ok(fs.existsSync(path.join(shell, 'node_modules', 'electron', 'tried')));
});

test("the installer's download succeeds: exit 0, nothing printed", () => {
  const installer = `const fs = require('fs'); const path = require('path');
    fs.writeFileSync(path.join(__dirname, 'path.txt'), ${JSON.stringify(BINARY)});
    fs.writeFileSync(path.join(__dirname, 'dist', ${JSON.stringify(BINARY)}), '');`;
  assert.deepEqual(check(shellFolder('package', installer)), { code: 0, stdout: '', stderr: '' });
});

test('path.txt names a file that is gone: one line naming it', () => {
  const shell = shellFolder('binary');
  const file = path.join(shell, 'node_modules', 'electron', 'dist', BINARY);
  fs.rmSync(file);
  const result = check(shell);
  assert.equal(result.code, 1);
  assertOneLine(result.stderr);
  assert.ok(result.stderr.includes(file));
});

test('ELECTRON_OVERRIDE_DIST_PATH is where the binary must be', () => {
  const shell = shellFolder('package');
  const dist = tempDir();
  dirs.push(dist);
  const missing = electronExecutable({ shellDir: shell, env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, platform: 'linux' });
  assert.match(missing.missing, /^The Electron binary is missing: .*ELECTRON_OVERRIDE_DIST_PATH/);
  fs.writeFileSync(path.join(dist, 'electron'), '');
  assert.deepEqual(electronExecutable({ shellDir: shell, env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, platform: 'linux' }), {
    file: path.join(dist, 'electron'),
  });
});
