'use strict';
// The whole main process (app.js) with a stand-in Electron and the REAL backend: splash, backend
// start, one secure window on the app origin, token header, IPC checks, menus, clean quit, and the
// error dialogs naming the log file. (The real Electron runs in e2e/electron.test.js.)
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const { after, test } = require('node:test');

const { PROFILE_DIR, USER_DATA_ENV, createApp } = require('./app');
const { PREVIOUS_ENV, appDataDir } = require('./appdata');
const { TOKEN_HEADER } = require('./headers');
const { answers, backendEnv, fakeChild, get, isAlive, readyLine, removeDir, tempDir, waitFor } = require('../testsupport/helpers');

const dirs = [];
const states = [];
after(async () => {
  // A failed test must not leave a backend behind.
  await Promise.all(states.map((state) => state.supervisor && state.supervisor.stop({ graceMs: 3000 })));
  dirs.forEach(removeDir);
});

function start(options) {
  const result = createApp({ log: () => {}, stderr: null, ...options });
  states.push(result.state);
  return result;
}
function dir() {
  const made = tempDir();
  dirs.push(made);
  return made;
}

function fakeElectron({ isPackaged = false, lock = true, dialogResponses = [] } = {}) {
  const record = { windows: [], dialogs: [], opened: [], openedPaths: [], shownItems: [], filters: [], listener: null, menu: null, ipc: {}, events: [] };
  const app = new EventEmitter();
  Object.assign(app, {
    isPackaged,
    paths: { appData: dir() },
    quitCalls: 0,
    quitted: false,
    setName(name) {
      this.name = name;
    },
    getPath(name) {
      return this.paths[name];
    },
    setPath(name, value) {
      this.paths[name] = value;
    },
    getVersion: () => '0.0.0',
    requestSingleInstanceLock: () => lock,
    whenReady: () => Promise.resolve(),
    quit() {
      this.quitCalls += 1;
      const event = { defaultPrevented: false, preventDefault() {
        this.defaultPrevented = true;
      } };
      this.emit('before-quit', event);
      if (!event.defaultPrevented && !this.quitted) {
        this.quitted = true;
        record.events.push('quit');
      }
    },
  });
  const contents = () => {
    const webContents = new EventEmitter();
    webContents.setWindowOpenHandler = (handler) => {
      webContents.openHandler = handler;
    };
    webContents.executeJavaScript = async () => undefined;
    webContents.loadURL = async () => undefined;
    return webContents;
  };
  class BrowserWindow extends EventEmitter {
    constructor(options) {
      super();
      this.options = options;
      this.visible = options.show !== false;
      this.destroyed = false;
      this.webContents = contents();
      record.windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }

    async loadFile(file) {
      this.file = file;
    }

    async loadURL(url) {
      this.url = url;
      this.emit('ready-to-show');
    }

    show() {
      this.visible = true;
    }

    focus() {
      this.focused = true;
    }

    close() {
      if (this.destroyed) return;
      this.destroyed = true;
      this.emit('closed');
      if (record.windows.every((window) => window.destroyed)) app.emit('window-all-closed');
    }

    isDestroyed() {
      return this.destroyed;
    }

    isMinimized() {
      return false;
    }

    restore() {}
  }
  const session = new EventEmitter();
  Object.assign(session, {
    webRequest: { onBeforeSendHeaders: (filter, listener) => {
      record.filters.push(filter);
      record.listener = listener;
    } },
    setPermissionRequestHandler: (handler) => {
      record.permissionRequest = handler;
    },
    setPermissionCheckHandler: (handler) => {
      record.permissionCheck = handler;
    },
  });
  const electron = {
    app,
    BrowserWindow,
    Menu: { buildFromTemplate: (template) => ({ template }), setApplicationMenu: (menu) => {
      record.menu = menu;
    } },
    dialog: {
      showMessageBox: async (...args) => {
        record.dialogs.push(args[args.length - 1]);
        record.events.push('dialog');
        await new Promise((resolve) => setTimeout(resolve, 20)); // the user reads it
        return { response: dialogResponses.length ? dialogResponses.shift() : 0 };
      },
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    },
    ipcMain: { handle: (channel, handler) => {
      record.ipc[channel] = handler;
    } },
    session: { defaultSession: session },
    shell: {
      openExternal: async (url) => record.opened.push(url),
      openPath: async (file) => {
        record.openedPaths.push(file);
        return '';
      },
      showItemInFolder: (file) => record.shownItems.push(file),
    },
  };
  return { electron, record };
}

function menuItem(template, label) {
  for (const item of template) {
    if (item.label === label) return item;
    const inner = item.submenu && menuItem(item.submenu, label);
    if (inner) return inner;
  }
  return null;
}

test('development start: splash, backend, one secure window, token header, clean quit', async () => {
  const userData = dir();
  const { electron, record } = fakeElectron();
  const { state, started } = start({ electron, env: backendEnv({ [USER_DATA_ENV]: userData }) });
  assert.equal(await started, true);
  const { app } = electron;

  // One data folder: the backend's app data folder, with Electron's profile inside it.
  assert.equal(app.name, answers.productName);
  assert.equal(app.getPath('userData'), path.join(userData, PROFILE_DIR));
  assert.equal(state.info.app_data_dir, userData);

  const [splash, main, ...others] = record.windows;
  assert.equal(others.length, 0, 'exactly one app window');
  assert.ok(splash.file.endsWith('splash.html') && fs.existsSync(splash.file));
  assert.equal(splash.destroyed, true, 'the splash closes when the app shows');
  for (const window of [splash, main]) {
    const prefs = window.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
  }
  assert.ok(fs.existsSync(main.options.webPreferences.preload), 'the preload file exists');
  assert.equal(main.url, `http://127.0.0.1:${state.port}/`);
  assert.equal(main.visible, true);

  // The header goes to the app origin only, and the backend accepts it.
  assert.deepEqual(record.filters, [{ urls: [`http://127.0.0.1:${state.port}/*`] }]);
  let headers;
  record.listener({ url: main.url, requestHeaders: {} }, (result) => {
    headers = result.requestHeaders;
  });
  assert.equal((await get(main.url, headers)).status, 200);
  assert.equal((await get(main.url)).status, 403);
  record.listener({ url: 'https://example.org/', requestHeaders: {} }, (result) => {
    headers = result.requestHeaders;
  });
  assert.equal(TOKEN_HEADER in headers, false);

  // Permissions are denied; navigation off the origin goes to the OS browser.
  let granted;
  record.permissionRequest(null, 'media', (value) => {
    granted = value;
  });
  assert.equal(granted, false);
  const event = { preventDefault() {
    this.prevented = true;
  } };
  main.webContents.emit('will-navigate', event, 'https://www.djangoproject.com/');
  assert.equal(event.prevented, true);
  assert.deepEqual(record.opened, ['https://www.djangoproject.com/']);

  // The preload's calls are answered for app pages only.
  const openData = record.ipc['desktop:open-app-data-folder'];
  await openData({ senderFrame: { url: `${main.url}notes/` } });
  assert.deepEqual(record.openedPaths, [userData]);
  await assert.rejects(openData({ senderFrame: { url: 'https://evil.example/' } }), /not allowed/);
  await assert.rejects(openData({}), /not allowed/);

  // Help > Check for Updates... in development.
  await menuItem(record.menu.template, 'Check for Updates…').click();
  assert.match(record.dialogs.at(-1).message, /unavailable in development/);

  // A second launch focuses this window.
  app.emit('second-instance');
  assert.equal(main.focused, true);

  // Quit: the backend is stopped first (stdin EOF, exit 0), then the app quits.
  const pid = state.info.pid;
  app.quit();
  assert.equal(app.quitted, false, 'quitting waits for the backend');
  assert.equal(await waitFor(() => app.quitted, { timeoutMs: 15_000 }), true);
  assert.equal(state.supervisor.exit.code, 0);
  assert.equal(isAlive(pid), false);
});

test('packaged without a bundled backend: a dialog naming the log file, then quit', async () => {
  const userData = dir();
  const { electron, record } = fakeElectron({ isPackaged: true });
  const { state, started } = start({ electron, env: { [USER_DATA_ENV]: userData }, resourcesPath: dir() });
  assert.equal(await started, false);
  const dialog = record.dialogs[0];
  assert.equal(dialog.type, 'error');
  assert.match(dialog.message, /could not find its backend/);
  assert.ok(dialog.detail.includes(`Log file: ${path.join(userData, 'logs', 'backend.log')}`), dialog.detail);
  assert.deepEqual(record.events, ['dialog', 'quit'], 'the app quits after the dialog, not before');
  assert.ok(state.failed);
});

test('the backend refuses its configuration: the dialog says so and can show the log', async () => {
  const blocker = path.join(dir(), 'file');
  fs.writeFileSync(blocker, 'x');
  const userData = path.join(blocker, 'data'); // cannot be created
  const { electron, record } = fakeElectron({ dialogResponses: [1] });
  const { started } = start({ electron, env: backendEnv({ [USER_DATA_ENV]: userData }) });
  assert.equal(await started, false);
  const dialog = record.dialogs[0];
  assert.match(dialog.message, /could not start/);
  assert.match(dialog.detail, /exit code 2/);
  assert.match(dialog.detail, /app data directory/i, 'the backend message is shown');
  assert.ok(dialog.detail.includes(path.join(userData, 'logs', 'backend.log')));
  assert.deepEqual(dialog.buttons, ['Quit', 'Show Log File']);
  assert.equal(record.shownItems.length + record.openedPaths.length, 1, '"Show Log File" opens the log or its folder');
  assert.deepEqual(record.events, ['dialog', 'quit'], 'the app quits after the dialog, not before');
});

test('a damaged database: the dialog shows the backend\'s one line naming the file, no traceback', async () => {
  const userData = dir();
  const database = path.join(userData, 'app.sqlite3');
  fs.writeFileSync(database, Buffer.alloc(4096, 7)); // not a SQLite file
  const { electron, record } = fakeElectron({ dialogResponses: [0] });
  const { started } = start({ electron, env: backendEnv({ [USER_DATA_ENV]: userData }) });
  assert.equal(await started, false);
  const dialog = record.dialogs[0];
  assert.match(dialog.message, /could not start/);
  assert.match(dialog.detail, /exit code 2/);
  const lines = dialog.detail.split('\n').filter((line) => line.startsWith('backend: '));
  assert.equal(lines.length, 1, dialog.detail);
  assert.ok(lines[0].includes(`${database} is not a database file`), dialog.detail);
  assert.match(lines[0], /restore a backup/);
  assert.doesNotMatch(dialog.detail, /Traceback/);
});

test('the backend dies while the app runs: a dialog naming the log file, then quit', { skip: process.platform === 'win32' && 'uses SIGKILL' }, async () => {
  const userData = dir();
  const { electron, record } = fakeElectron();
  const { state, started } = start({ electron, env: backendEnv({ [USER_DATA_ENV]: userData }) });
  assert.equal(await started, true);
  process.kill(state.info.pid, 'SIGKILL');
  assert.equal(await waitFor(() => record.dialogs.length > 0, { timeoutMs: 5000 }), true);
  assert.match(record.dialogs[0].message, /stopped working/);
  assert.ok(record.dialogs[0].detail.includes(state.info.log_file));
  assert.equal(await waitFor(() => electron.app.quitted, { timeoutMs: 5000 }), true);
  assert.deepEqual(record.events, ['dialog', 'quit']);
});

test('closing the splash while the backend starts: quiet quit, backend stopped', async () => {
  const { electron, record } = fakeElectron();
  const { state, started } = start({ electron, env: backendEnv({ [USER_DATA_ENV]: dir() }) });
  await waitFor(() => state.supervisor && state.supervisor.pid, { timeoutMs: 5000 });
  record.windows[0].close(); // the splash is the only window: the app quits
  assert.equal(await started, false);
  assert.equal(await waitFor(() => electron.app.quitted, { timeoutMs: 15_000 }), true);
  assert.deepEqual(record.dialogs, [], 'no error dialog');
  assert.equal(record.windows.length, 1, 'no app window was opened');
  assert.equal(state.supervisor.running, false);
});

test("the app data folder is the contract's, with Electron's profile inside it", async () => {
  const base = dir();
  const env = { XDG_DATA_HOME: base, LOCALAPPDATA: base };
  const { electron } = fakeElectron({ lock: false }); // quits before starting a backend
  start({ electron, env, home: base });
  const expected = appDataDir(answers.appId, { env, home: base });
  assert.ok(expected.startsWith(base) && expected.endsWith(answers.appId), expected);
  assert.equal(electron.app.getPath('userData'), path.join(expected, PROFILE_DIR));
});

test("an earlier release's data folder (<appData>/<product name>) goes to the backend to adopt", async () => {
  const base = dir();
  const env = { XDG_DATA_HOME: base, LOCALAPPDATA: base };
  const { electron } = fakeElectron();
  const seen = [];
  const spawn = (command, args, options) => {
    seen.push(options.env);
    throw new Error('not started in this test');
  };
  const { started } = start({ electron, env, home: base, spawn });
  await started;
  assert.equal(seen.length, 1);
  assert.equal(seen[0][PREVIOUS_ENV], path.join(electron.app.getPath('appData'), answers.productName));
  assert.equal(seen[0].DESKTOP_DJANGO_APP_DATA_DIR, appDataDir(answers.appId, { env, home: base }));
});

test('development reloader: a second ready line keeps the window; the backend exit still ends it', async () => {
  const child = fakeChild();
  const ready = readyLine;
  const logs = [];
  const { electron, record } = fakeElectron();
  const spawn = () => {
    setImmediate(() => child.stdout.emit('data', ready(4243)));
    return child;
  };
  const { state, started } = start({ electron, spawn, log: (line) => logs.push(line), env: backendEnv({ [USER_DATA_ENV]: dir() }) });
  assert.equal(await started, true);
  const main = record.windows[1];

  child.stdout.emit('data', ready(4244));
  assert.ok(logs.includes('backend reloaded (pid 4244)'), logs.join('\n'));
  assert.equal(main.destroyed, false);
  assert.equal(state.port, 5000);
  assert.deepEqual(record.filters, [{ urls: ['http://127.0.0.1:5000/*'] }], 'the token header stays on the same origin');
  assert.deepEqual(record.dialogs, []);
  assert.match(JSON.stringify(record.menu.template), /"role":"reload"/, 'View > Reload is there for the new code');

  child.emit('exit', 1, null);
  assert.equal(await waitFor(() => record.dialogs.length > 0), true);
  assert.match(record.dialogs[0].message, /stopped working/);
  assert.equal(await waitFor(() => electron.app.quitted, { timeoutMs: 5000 }), true);
});

test('a second instance hands over to the first and quits', async () => {
  const { electron, record } = fakeElectron({ lock: false });
  const { started } = start({ electron, env: { [USER_DATA_ENV]: dir() } });
  assert.equal(await started, false);
  assert.equal(record.windows.length, 0);
  assert.equal(electron.app.quitted, true);
});
