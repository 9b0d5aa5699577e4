'use strict';
// Starts the Django backend, reads its ready line, and stops it again.
//
// Contract (the architecture doc in docs/): the backend gets DESKTOP_DJANGO_APP_DATA_DIR and a fresh
// DESKTOP_DJANGO_AUTH_TOKEN, prints one JSON ready line on stdout, logs to stderr and to
// <app data>/logs/. It stops on stdin EOF (which also happens if this process dies, even by
// kill -9), finishes a running task within its grace period and exits 0; exit code 2 means bad
// configuration. We force-kill the tree only after our grace period.

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const { EventEmitter } = require('node:events');
const path = require('node:path');

const { APP_DATA_ENV } = require('./appdata');
const { LineSplitter, TailBuffer, parseReadyLine } = require('./readyline');

const TOKEN_ENV = 'DESKTOP_DJANGO_AUTH_TOKEN';
const GRACE_ENV = 'DESKTOP_DJANGO_STOP_GRACE';
const DEFAULT_READY_TIMEOUT_MS = 90_000; // a first start (migrations, antivirus scans) can be slow
const KILL_WAIT_MS = 5_000;

/** A fresh session token: 32 random bytes as hex. */
function newToken(randomBytes = crypto.randomBytes) {
  return randomBytes(32).toString('hex');
}

/** How long to wait after closing stdin: the backend's own grace (default 10 s) plus 5 s. */
function stopGraceMs(env = process.env) {
  const seconds = Number.parseFloat(env[GRACE_ENV]);
  const backendGrace = Number.isFinite(seconds) && seconds >= 0 && seconds <= 3600 ? seconds : 10;
  return Math.round(backendGrace * 1000) + 5_000;
}

/** The backend's log file when there is no ready line to read it from (desktop/logs.py). */
function defaultLogFile(appDataDir) {
  return path.join(appDataDir, 'logs', 'backend.log');
}

/** Kill a process and its children: taskkill /t on Windows, the process group elsewhere. */
function killTree(pid, { platform = process.platform, spawn = childProcess.spawn, kill = process.kill } = {}) {
  if (!pid) return;
  if (platform === 'win32') {
    const killer = spawn('taskkill', ['/pid', String(pid), '/t', '/f'], { stdio: 'ignore', windowsHide: true });
    killer.on('error', () => {});
    return;
  }
  try {
    kill(-pid, 'SIGKILL'); // the backend leads its own process group (spawned detached)
  } catch {
    try {
      kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

class BackendError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'BackendError';
    Object.assign(this, details);
  }
}

function describeExit(code, signal) {
  if (signal) return `was killed by ${signal}`;
  if (code === 2) return 'refused its configuration (exit code 2)';
  return `exited with code ${code}`;
}

class BackendSupervisor extends EventEmitter {
  /**
   * Events: 'output' (a stdout line that is not a ready line), 'stderr' (a chunk),
   * 'reloaded' (the info of a later ready line: the development reloader restarted the backend),
   * 'exit' ({code, signal, expected, stderr, logFile}) once the process is gone.
   */
  constructor({
    spawn = childProcess.spawn,
    platform = process.platform,
    kill = process.kill,
    readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS,
  } = {}) {
    super();
    this.spawn = spawn;
    this.platform = platform;
    this.kill = kill;
    this.readyTimeoutMs = readyTimeoutMs;
    this.child = null;
    this.info = null;
    this.exit = null;
    this.stopping = false;
    this.appDataDir = null;
    this.stderr = new TailBuffer(40);
    this._exited = null;
  }

  get pid() {
    return this.child ? this.child.pid : null;
  }

  get running() {
    return Boolean(this.child) && this.exit === null;
  }

  /** The backend's log file: from the ready line, else where the backend writes it. */
  get logFile() {
    if (this.info && this.info.log_file) return this.info.log_file;
    return this.appDataDir ? defaultLogFile(this.appDataDir) : null;
  }

  /**
   * Start the backend; resolves with the ready info, rejects with a BackendError.
   * `command`/`args`/`cwd`/`env` come from locate.backendCommand(); `baseEnv` is inherited.
   */
  start({ command, args = [], cwd, env = {}, baseEnv = process.env, appDataDir, token }) {
    if (this.child) throw new Error('the backend was already started');
    if (!appDataDir) throw new Error('appDataDir is required');
    if (!token || token.length < 32) throw new Error('a token of at least 32 characters is required');
    this.appDataDir = appDataDir;
    const childEnv = { ...baseEnv, ...env, [APP_DATA_ENV]: appDataDir, [TOKEN_ENV]: token };
    // The backend picks its own settings (development from source, packaged when frozen).
    delete childEnv.DJANGO_SETTINGS_MODULE;

    return new Promise((resolve, reject) => {
      let settled = false;
      let timer = null;
      const settle = (error, info) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(info);
      };
      const details = () => ({ stderr: this.stderr.text(), logFile: this.logFile, command });

      let child;
      try {
        child = this.spawn(command, args, {
          cwd,
          env: childEnv,
          stdio: ['pipe', 'pipe', 'pipe'],
          windowsHide: true,
          detached: this.platform !== 'win32', // own process group, so a forced stop gets the worker too
        });
      } catch (error) {
        settle(new BackendError(`Could not start the backend (${command}): ${error.message}`, { reason: 'spawn', ...details() }));
        return;
      }
      this.child = child;
      this._exited = new Promise((done) => child.once('exit', () => done()));

      const stdout = new LineSplitter((line) => {
        const info = parseReadyLine(line);
        if (info && !this.info) {
          this.info = info;
          settle(null, info);
        } else if (info) {
          // Development (DESKTOP_DJANGO_DEV=1): the backend's reloader restarted it after an edit,
          // on the same port. The window stays; the process we spawned is still the one we stop.
          this.emit('reloaded', info);
        } else {
          this.emit('output', line);
        }
      });
      child.stdout.on('data', (chunk) => stdout.push(chunk));
      child.stdout.on('end', () => stdout.end());
      child.stderr.on('data', (chunk) => {
        this.stderr.push(chunk);
        this.emit('stderr', chunk);
      });
      child.stdin.on('error', () => {}); // EPIPE if the backend is already gone

      child.once('error', (error) => {
        const hint = error.code === 'ENOENT' ? ' (not found: set DESKTOP_DJANGO_PYTHON or create the project .venv)' : '';
        if (this.exit === null && child.pid === undefined) this.exit = { code: null, signal: null };
        settle(new BackendError(`Could not start the backend (${command}): ${error.message}${hint}`, { reason: 'spawn', ...details() }));
      });
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        const expected = this.stopping;
        settle(new BackendError(`The backend ${describeExit(code, signal)} before it was ready.`, {
          reason: code === 2 ? 'configuration' : 'exit',
          exitCode: code,
          signal,
          ...details(),
        }));
        this.emit('exit', { code, signal, expected, ...details() });
      });

      timer = setTimeout(() => {
        killTree(child.pid, { platform: this.platform, spawn: this.spawn, kill: this.kill });
        settle(new BackendError(`The backend did not report ready within ${Math.round(this.readyTimeoutMs / 1000)} s.`, {
          reason: 'timeout',
          ...details(),
        }));
      }, this.readyTimeoutMs);
    });
  }

  /** Resolves true if the process exited within `ms`. */
  async waitForExit(ms) {
    if (!this.child || this.exit !== null) return true;
    let timer;
    const timeout = new Promise((done) => {
      timer = setTimeout(() => done(false), ms);
    });
    const exited = await Promise.race([this._exited.then(() => true), timeout]);
    clearTimeout(timer);
    return exited;
  }

  /**
   * Stop: close stdin (the backend finishes and exits 0), wait `graceMs`, then kill the tree.
   * Resolves with {code, signal, forced}. Safe to call more than once.
   */
  async stop({ graceMs = stopGraceMs() } = {}) {
    if (!this.child) return { code: null, signal: null, forced: false };
    if (this._stopping) return this._stopping;
    this.stopping = true;
    this._stopping = (async () => {
      let forced = false;
      if (this.exit === null) {
        try {
          this.child.stdin.end();
        } catch {
          // the pipe is already closed
        }
        if (!(await this.waitForExit(graceMs))) {
          forced = true;
          killTree(this.child.pid, { platform: this.platform, spawn: this.spawn, kill: this.kill });
          await this.waitForExit(KILL_WAIT_MS);
        }
      }
      return { ...(this.exit || { code: null, signal: null }), forced };
    })();
    return this._stopping;
  }
}

module.exports = {
  APP_DATA_ENV,
  BackendError,
  BackendSupervisor,
  GRACE_ENV,
  TOKEN_ENV,
  defaultLogFile,
  describeExit,
  killTree,
  newToken,
  stopGraceMs,
};
