'use strict';
// Helpers for this shell's tests (not shipped in the app).
//
// Tests that start the real backend from source need a Python with the project's dependencies:
// $DESKTOP_DJANGO_PYTHON, else the project's .venv, else python3/python on PATH. The project does
// not have to be installed: <project>/src goes on PYTHONPATH.

const childProcess = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const { loadAnswers } = require('../src/answers');
const { PROJECT_ROOT, SHELL_DIR, backendCommand } = require('../src/locate');

const answers = loadAnswers();

/** Environment for a backend under test: src on PYTHONPATH, a short stop grace. */
function backendEnv(extra = {}) {
  const src = path.join(PROJECT_ROOT, 'src');
  const env = { ...process.env, DESKTOP_DJANGO_STOP_GRACE: '3', ...extra };
  env.PYTHONPATH = env.PYTHONPATH ? `${src}${path.delimiter}${env.PYTHONPATH}` : src;
  env.PYTHONDONTWRITEBYTECODE = '1';
  delete env.DJANGO_SETTINGS_MODULE;
  return env;
}

/** The development backend command (as the shell would run it) with the test environment. */
function devBackend(extraEnv = {}) {
  const env = backendEnv(extraEnv);
  const command = backendCommand({ isPackaged: false, packageName: answers.packageName, env });
  return { ...command, baseEnv: env };
}

/**
 * Queue the desktop layer's `ping` task in `appDataDir` (migrating a new database first), from
 * another process: the backend started next on that folder finds it waiting and runs its tasks
 * worker, which it starts only when there is work.
 */
function enqueuePing(appDataDir) {
  const backend = devBackend();
  const pkg = answers.packageName;
  const code =
    `from ${pkg}.desktop.migrate import migrate_if_needed; migrate_if_needed(); ` +
    `from ${pkg}.desktop.tasks import ping; ping.enqueue()`;
  const result = childProcess.spawnSync(backend.command, [...backend.args, 'manage', 'shell', '-c', code], {
    cwd: backend.cwd,
    env: { ...backend.baseEnv, ...backend.env, DESKTOP_DJANGO_APP_DATA_DIR: appDataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`could not queue the ping task: ${result.stderr || result.error}`);
}

function tempDir(prefix = 'electron-shell-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function removeDir(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {
    // best effort (Windows may still hold a file for a moment)
  }
}

/** Is `pid` a live process? Zombies (exited, not yet reaped) count as gone. */
function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  return true;
}

/** Direct children of `pid` (Linux: /proc; macOS and others: pgrep -P). */
function childPids(pid) {
  if (process.platform === 'linux') {
    const found = [];
    let tasks = [];
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
    for (const task of tasks) {
      try {
        const text = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
        if (text) found.push(...text.split(/\s+/).map(Number));
      } catch {
        // task ended
      }
    }
    return found;
  }
  if (process.platform === 'win32') return [];
  const result = childProcess.spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return (result.stdout || '').split(/\s+/).filter(Boolean).map(Number);
}

async function waitFor(check, { timeoutMs = 5000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** GET `url` with `headers`; resolves {status, body}. */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error(`timeout: ${url}`)));
  });
}

/** A stand-in backend child process, and a ready line it can print (port 5000, `pid`). */
function fakeChild(pid = 4242) {
  const { EventEmitter } = require('node:events');
  const child = new EventEmitter();
  child.pid = pid;
  child.stdout = new EventEmitter();
  child.stderr = new EventEmitter();
  child.stdin = Object.assign(new EventEmitter(), { end() {} });
  return child;
}

function readyLine(pid) {
  const info = { event: 'ready', port: 5000, pid, url: 'http://127.0.0.1:5000/', log_file: 'l', app_data_dir: 'd' };
  return Buffer.from(`${JSON.stringify(info)}\n`);
}

module.exports = {
  PROJECT_ROOT,
  SHELL_DIR,
  answers,
  backendEnv,
  childPids,
  devBackend,
  enqueuePing,
  fakeChild,
  get,
  isAlive,
  readyLine,
  removeDir,
  tempDir,
  waitFor,
};
