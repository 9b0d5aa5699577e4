'use strict';
// The supervisor against the REAL backend (from source): ready line, token header on the exact
// origin only, clean stop via stdin, exit code 2 on bad configuration, no orphan after kill -9.
const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const { after, describe, test } = require('node:test');

const { TOKEN_HEADER, tokenHeaderListener } = require('./headers');
const { BackendError, BackendSupervisor, defaultLogFile, killTree, newToken, stopGraceMs } = require('./supervisor');
const { childPids, devBackend, enqueuePing, fakeChild, get, isAlive, readyLine, removeDir, tempDir, waitFor } = require('../testsupport/helpers');

const dirs = [];
after(() => dirs.forEach(removeDir));
function appData() {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

/** Headers the injector produces for a request to `url`. */
function injected(listener, url, requestHeaders = { Accept: 'application/json' }) {
  let result;
  listener({ url, requestHeaders }, (response) => {
    result = response.requestHeaders;
  });
  return result;
}

describe('with the real backend', () => {
  test('ready line, token only on the exact origin, clean stop through stdin', async () => {
    const supervisor = new BackendSupervisor();
    const token = newToken();
    const dir = appData();
    const info = await supervisor.start({ ...devBackend(), appDataDir: dir, token });
    try {
      assert.equal(info.event, 'ready');
      assert.equal(info.url, `http://127.0.0.1:${info.port}/`);
      assert.equal(info.pid, supervisor.pid, 'the ready line comes from the process we started');
      assert.equal(info.app_data_dir, dir);
      assert.equal(supervisor.logFile, info.log_file);
      assert.ok(!JSON.stringify(info).includes(token), 'the ready line never contains the token');

      const health = `${info.url}health/`;
      assert.equal((await get(health)).status, 403, 'no header: refused');
      assert.equal((await get(health, { [TOKEN_HEADER]: 'f'.repeat(64) })).status, 403, 'wrong token: refused');
      const ok = await get(health, { [TOKEN_HEADER]: token });
      assert.equal(ok.status, 200);
      assert.deepEqual(JSON.parse(ok.body), { status: 'ok' });

      // The injector adds the header for exactly this origin, and the backend accepts it...
      const listener = tokenHeaderListener({ port: info.port, token });
      const own = injected(listener, health);
      assert.equal(own[TOKEN_HEADER], token);
      assert.equal((await get(health, own)).status, 200);
      assert.equal((await get(`${info.url}`, injected(listener, info.url))).status, 200, 'the home page loads');
      // ...and never for another port, host or scheme (sent to our backend anyway: refused).
      const others = [
        `http://127.0.0.1:${info.port === 65535 ? 65534 : info.port + 1}/health/`,
        `http://localhost:${info.port}/health/`,
        `https://127.0.0.1:${info.port}/health/`,
        `http://127.0.0.2:${info.port}/health/`,
        `http://user:pw@127.0.0.1:${info.port}/health/`,
        `http://127.0.0.1:${info.port}.evil.example/health/`,
      ];
      for (const url of others) {
        const headers = injected(listener, url, { [TOKEN_HEADER.toLowerCase()]: token });
        assert.equal(Object.keys(headers).some((name) => name.toLowerCase() === TOKEN_HEADER.toLowerCase()), false, url);
        assert.equal((await get(health, headers)).status, 403, `headers made for ${url}`);
      }
    } finally {
      const workers = childPids(info.pid);
      const started = Date.now();
      const result = await supervisor.stop({ graceMs: 10_000 });
      assert.deepEqual(result, { code: 0, signal: null, forced: false }, 'stdin EOF: the backend exits 0 by itself');
      assert.ok(Date.now() - started < 10_000);
      assert.equal(isAlive(info.pid), false);
      assert.equal(await waitFor(() => workers.every((pid) => !isAlive(pid)), { timeoutMs: 3000 }), true, 'the worker is gone too');
      assert.ok(fs.existsSync(info.log_file), 'the backend wrote its log file');
    }
  });

  test('no orphan when the supervising process is killed with SIGKILL', { skip: process.platform === 'win32' && 'uses SIGKILL' }, async () => {
    const data = appData();
    enqueuePing(data); // a task waiting at start: the backend runs its worker child for it
    const holder = childProcess.spawn(process.execPath, [path.join(__dirname, '..', 'testsupport', 'hold-backend.cjs'), data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    holder.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const line = await new Promise((resolve, reject) => {
      let out = '';
      holder.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      holder.once('exit', (code) => reject(new Error(`holder exited ${code}: ${stderr}`)));
    });
    const { backend } = JSON.parse(line);
    const workers = await waitFor(() => childPids(backend).length > 0 && childPids(backend), { timeoutMs: 5000 });
    assert.ok(workers && workers.length >= 1, 'the backend runs its tasks worker child');
    assert.equal(isAlive(backend), true);

    holder.kill('SIGKILL');
    const gone = await waitFor(() => !isAlive(backend) && workers.every((pid) => !isAlive(pid)), { timeoutMs: 4000 });
    if (!gone) {
      for (const pid of [backend, ...workers]) {
        try {
          process.kill(pid, 'SIGKILL'); // do not leave them behind when the test fails
        } catch {
          // gone
        }
      }
    }
    assert.equal(gone, true, `backend ${backend} or worker ${workers} survived the shell's SIGKILL`);
  });

  test('bad configuration: exit code 2, the message and the log file path', async () => {
    const blocker = path.join(appData(), 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const dir = path.join(blocker, 'data'); // cannot be created: its parent is a file
    const supervisor = new BackendSupervisor();
    await assert.rejects(supervisor.start({ ...devBackend(), appDataDir: dir, token: newToken() }), (error) => {
      assert.ok(error instanceof BackendError);
      assert.equal(error.reason, 'configuration');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /configuration \(exit code 2\)/);
      assert.match(error.stderr, /app data directory/i);
      assert.equal(error.logFile, defaultLogFile(dir));
      return true;
    });
    assert.deepEqual(await supervisor.stop(), { code: 2, signal: null, forced: false });
  });
});

describe('without the backend', () => {
  test('a missing program is reported, not thrown', async () => {
    const supervisor = new BackendSupervisor();
    const missing = path.join(appData(), 'no-such-python');
    await assert.rejects(
      supervisor.start({ command: missing, args: [], appDataDir: appData(), token: newToken() }),
      (error) => error.reason === 'spawn' && /ENOENT/.test(error.message) && /DESKTOP_DJANGO_PYTHON/.test(error.message),
    );
  });

  test('spawn throwing synchronously (bad options) is reported too', async () => {
    const supervisor = new BackendSupervisor({ spawn: () => {
      throw new TypeError('The "options.cwd" property must be of type string');
    } });
    await assert.rejects(
      supervisor.start({ command: 'python', appDataDir: appData(), token: newToken() }),
      (error) => error instanceof BackendError && error.reason === 'spawn' && /options\.cwd/.test(error.message),
    );
  });

  test('a child that ignores stdin EOF is killed after the grace period', async () => {
    const supervisor = new BackendSupervisor();
    const program = 'process.stdin.resume(); process.stdin.on("end", () => {}); console.log(JSON.stringify({event: "ready", port: 9, pid: process.pid, url: "http://127.0.0.1:9/", log_file: "x", app_data_dir: "y"})); setInterval(() => {}, 1000);';
    const info = await supervisor.start({ command: process.execPath, args: ['-e', program], appDataDir: appData(), token: newToken() });
    assert.equal(info.port, 9);
    const started = Date.now();
    const result = await supervisor.stop({ graceMs: 400 });
    assert.equal(result.forced, true);
    assert.ok(Date.now() - started >= 400, 'waited for the grace period first');
    assert.equal(isAlive(info.pid), false);
  });

  test('no ready line in time: killed and reported', async () => {
    const supervisor = new BackendSupervisor({ readyTimeoutMs: 300 });
    await assert.rejects(
      supervisor.start({ command: process.execPath, args: ['-e', 'console.log("hello"); setInterval(() => {}, 1000)'], appDataDir: appData(), token: newToken() }),
      (error) => error.reason === 'timeout',
    );
    assert.equal(await supervisor.waitForExit(3000), true);
  });

  test('the backend gets the token, the app data dir and no DJANGO_SETTINGS_MODULE', async () => {
    let seen;
    const spawn = (command, args, options) => {
      seen = options;
      const child = new EventEmitter();
      child.pid = 4242;
      child.stdout = new EventEmitter();
      child.stderr = new EventEmitter();
      child.stdin = Object.assign(new EventEmitter(), { end() {} });
      setImmediate(() => child.stdout.emit('data', Buffer.from('{"event":"ready","port":5000,"pid":4242,"url":"http://127.0.0.1:5000/","log_file":"l","app_data_dir":"d"}\n')));
      return child;
    };
    const token = newToken();
    await new BackendSupervisor({ spawn, platform: 'linux' }).start({
      command: 'python',
      appDataDir: '/data',
      token,
      baseEnv: { DJANGO_SETTINGS_MODULE: 'x.settings.test', KEEP: '1' },
      env: { PYTHONPATH: '/src' },
    });
    assert.equal(seen.env.DESKTOP_DJANGO_AUTH_TOKEN, token);
    assert.equal(seen.env.DESKTOP_DJANGO_APP_DATA_DIR, '/data');
    assert.equal(seen.env.PYTHONPATH, '/src');
    assert.equal(seen.env.KEEP, '1');
    assert.equal('DJANGO_SETTINGS_MODULE' in seen.env, false);
    assert.equal(seen.detached, true, 'own process group on POSIX');
    assert.deepEqual(seen.stdio, ['pipe', 'pipe', 'pipe']);
  });

  test('development reloader: a second ready line is a reload, the process exit still ends it', async () => {
    const child = fakeChild();
    const ready = readyLine;
    const supervisor = new BackendSupervisor({ spawn: () => child, platform: 'linux' });
    const events = [];
    for (const name of ['output', 'reloaded', 'exit']) supervisor.on(name, (value) => events.push([name, value]));
    setImmediate(() => child.stdout.emit('data', ready(4243)));
    const info = await supervisor.start({ command: 'python', appDataDir: '/data', token: newToken() });
    assert.equal(info.pid, 4243);

    child.stdout.emit('data', Buffer.from('backend: models.py changed, restarting\n'));
    child.stdout.emit('data', ready(4244));
    assert.deepEqual(events.map(([name]) => name), ['output', 'reloaded']);
    assert.equal(events[1][1].pid, 4244);
    assert.equal(events[1][1].port, 5000);
    assert.equal(supervisor.info.pid, 4243, 'the first ready line stays the origin');
    assert.equal(supervisor.running, true);

    child.emit('exit', 1, null);
    assert.equal(events[2][0], 'exit');
    assert.equal(events[2][1].code, 1);
    assert.equal(events[2][1].expected, false, 'an exit after a reload is reported as before');
    assert.equal(supervisor.running, false);
  });

  test('tokens are 32 random bytes as hex, fresh each time', () => {
    const a = newToken();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, newToken());
  });

  test('grace period: the backend grace plus 5 s', () => {
    assert.equal(stopGraceMs({}), 15_000);
    assert.equal(stopGraceMs({ DESKTOP_DJANGO_STOP_GRACE: '2.5' }), 7_500);
    assert.equal(stopGraceMs({ DESKTOP_DJANGO_STOP_GRACE: 'nonsense' }), 15_000);
  });

  test('killTree: taskkill /t /f on Windows, the process group elsewhere', () => {
    const calls = [];
    killTree(77, { platform: 'win32', spawn: (cmd, args) => {
      calls.push([cmd, ...args]);
      return new EventEmitter();
    } });
    assert.deepEqual(calls, [['taskkill', '/pid', '77', '/t', '/f']]);
    const kills = [];
    killTree(77, { platform: 'linux', kill: (pid, signal) => kills.push([pid, signal]) });
    assert.deepEqual(kills, [[-77, 'SIGKILL']]);
  });
});
