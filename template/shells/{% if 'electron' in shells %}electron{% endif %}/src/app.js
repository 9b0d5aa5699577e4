'use strict';
// The Electron main process: single instance, splash, backend, one window on the app origin,
// token header for that origin only, menus, updates, clean stop on quit.
//
// `electron` is passed in (index.js passes require('electron')), so app.test.js can drive this
// whole file with a stand-in Electron and a real backend.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { loadAnswers } = require('./answers');
const { PREVIOUS_ENV, appDataDir } = require('./appdata');
const { installTokenHeader } = require('./headers');
const { backendCommand } = require('./locate');
const { menuTemplate } = require('./menu');
const { isAppUrl } = require('./origin');
const { startUrl } = require('./readyline');
const { denyAllPermissions, guardWebContents, secureWebPreferences } = require('./security');
const { BackendSupervisor, defaultLogFile, newToken, stopGraceMs } = require('./supervisor');
const { UpdateController } = require('./updates');

// Tests and the smoke launch use a throw-away folder instead of the app data folder (the backend's
// data and, in it, Electron's profile).
const USER_DATA_ENV = 'DESKTOP_DJANGO_ELECTRON_USER_DATA';
// Chromium's profile (Electron's userData: cookies, cache) is a sub-folder of the app data folder.
const PROFILE_DIR = 'electron';

function createApp({
  electron,
  env = process.env,
  platform = process.platform,
  home = os.homedir(),
  resourcesPath = process.resourcesPath,
  spawn,
  getUpdater = () => require('electron-updater').autoUpdater,
  answers = loadAnswers(),
  log = (message) => console.log(`[shell] ${message}`),
  stderr = process.stderr, // where the backend's stderr is echoed in development (null: nowhere)
}) {
  const { app, BrowserWindow, Menu, dialog, ipcMain, session, shell } = electron;
  const state = {
    answers,
    port: null,
    info: null,
    window: null,
    splash: null,
    supervisor: null,
    backendStopped: false,
    quitRequested: false,
    failed: null,
  };

  // One data folder for development and the installed app, by the contract's rule (as the backend
  // would pick it), so every shell of this app finds the same data.
  app.setName(answers.productName);
  const dataDir = env[USER_DATA_ENV] || appDataDir(answers.appId, { platform, env, home });
  // Releases before that rule kept the data in <appData>/<product name>: the backend moves it
  // into dataDir once (desktop/appdata.py, adopt_previous).
  const previousDataDir = env[USER_DATA_ENV] ? null : path.join(app.getPath('appData'), answers.productName);
  app.setPath('userData', path.join(dataDir, PROFILE_DIR));
  const logFile = () => (state.supervisor && state.supervisor.logFile) || defaultLogFile(dataDir);

  if (!app.requestSingleInstanceLock()) {
    // Another instance runs: it gets 'second-instance' and focuses its window.
    app.quit();
    return { state, started: Promise.resolve(false) };
  }

  const focus = () => {
    const window = state.window || state.splash;
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const stopBackend = async () => {
    if (!state.supervisor || state.backendStopped) return null;
    const result = await state.supervisor.stop({ graceMs: stopGraceMs(env) });
    state.backendStopped = true;
    log(`backend stopped (exit code ${result.code}${result.forced ? ', forced after the grace period' : ''})`);
    return result;
  };

  const closeSplash = () => {
    if (state.splash && !state.splash.isDestroyed()) state.splash.close();
    state.splash = null;
  };

  const showLogFile = () => {
    const file = logFile();
    if (fs.existsSync(file)) shell.showItemInFolder(file);
    else shell.openPath(path.dirname(file));
  };

  const failure = async (message, detail) => {
    state.failed = { message, detail, logFile: logFile() };
    log(`${message} ${detail}`);
    closeSplash();
    const response = (await dialog.showMessageBox({
      type: 'error',
      title: answers.productName,
      message,
      detail: `${detail}\n\nLog file: ${logFile()}`,
      buttons: ['Quit', 'Show Log File'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    })).response;
    if (response === 1) showLogFile();
    app.quit();
    return false;
  };

  const updates = new UpdateController({
    app,
    dialog,
    answers,
    getUpdater,
    getWindow: () => state.window,
    stopBackend,
    platform,
    log,
  });

  const about = () => dialog.showMessageBox(state.window || undefined, {
    type: 'info',
    title: answers.productName,
    message: `${answers.productName} ${state.info && state.info.version ? state.info.version : app.getVersion()}`,
    detail: `${answers.description || ''}\n\nData folder: ${dataDir}\nLog file: ${logFile()}`.trim(),
    buttons: ['OK'],
  });

  app.on('second-instance', focus);
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, { getPort: () => state.port, openExternal: (url) => shell.openExternal(url), log });
  });
  // One window: closing it quits on every OS (the backend must not keep running unseen).
  // While an error dialog is up, failure() quits after the user has read it.
  app.on('window-all-closed', () => {
    if (!state.failed) app.quit();
  });
  app.on('before-quit', (event) => {
    if (!state.supervisor || state.backendStopped || !state.supervisor.running) return;
    event.preventDefault();
    if (state.quitRequested) return;
    state.quitRequested = true;
    stopBackend().finally(() => app.quit());
  });

  const fromApp = (event) => Boolean(event && event.senderFrame && isAppUrl(event.senderFrame.url, state.port));
  const registerIpc = () => {
    ipcMain.handle('desktop:open-app-data-folder', async (event) => {
      if (!fromApp(event)) throw new Error('not allowed');
      return shell.openPath(dataDir);
    });
    ipcMain.handle('desktop:show-log-file', async (event) => {
      if (!fromApp(event)) throw new Error('not allowed');
      showLogFile();
      return true;
    });
  };

  const showSplash = () => {
    const splash = new BrowserWindow({
      width: 420,
      height: 240,
      frame: false,
      resizable: false,
      movable: true,
      center: true,
      show: true,
      title: answers.productName,
      backgroundColor: '#0c4a6e',
      webPreferences: secureWebPreferences(),
    });
    state.splash = splash;
    splash.on('closed', () => {
      if (state.splash === splash) state.splash = null;
    });
    splash.loadFile(path.join(__dirname, 'splash.html'))
      .then(() => splash.webContents.executeJavaScript(
        `document.getElementById('name').textContent = ${JSON.stringify(answers.productName)};`,
      ))
      .catch(() => {});
  };

  const start = async () => {
    denyAllPermissions(session.defaultSession);
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({
      platform,
      productName: answers.productName,
      isPackaged: app.isPackaged,
      actions: {
        about,
        openAppDataFolder: () => shell.openPath(dataDir),
        showLogFile,
        checkForUpdates: () => updates.checkForUpdates(),
        updateFromFolder: () => updates.updateFromFolder(),
      },
    })));
    registerIpc();
    showSplash();

    let command;
    try {
      command = backendCommand({ isPackaged: app.isPackaged, resourcesPath, packageName: answers.packageName, sourceDir: answers.sourceDir, env, platform });
    } catch (error) {
      return failure(`${answers.productName} could not find its backend.`, error.message);
    }
    log(`starting the backend: ${command.description}`);
    const supervisor = new BackendSupervisor({ spawn, platform });
    state.supervisor = supervisor;
    supervisor.on('stderr', (chunk) => {
      if (stderr && !app.isPackaged) stderr.write(chunk);
    });
    supervisor.on('output', (line) => log(`backend: ${line}`));
    supervisor.on('reloaded', (info) => {
      // Development reloader: same port and token, so the window stays; View > Reload shows the new code.
      log(`backend reloaded (pid ${info.pid})`);
    });
    supervisor.on('exit', ({ code, signal, expected, stderr }) => {
      if (expected || !state.info || state.quitRequested) return;
      state.backendStopped = true;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const tail = stderr ? `\n\nLast messages:\n${stderr.split('\n').slice(-8).join('\n')}` : '';
      failure(`${answers.productName} stopped working: its backend ${how}.`, `Your data is safe; start the app again.${tail}`);
    });

    // A fresh token per launch. It stays in this process's memory and in the header sent to
    // exactly the app origin; the backend gets it in its environment.
    const token = newToken();
    let info;
    try {
      const previous = previousDataDir ? { [PREVIOUS_ENV]: previousDataDir } : {};
      info = await supervisor.start({ command: command.command, args: command.args, cwd: command.cwd, env: { ...command.env, ...previous }, baseEnv: env, appDataDir: dataDir, token });
    } catch (error) {
      if (state.quitRequested) return false; // closed while starting: no error to report
      const tail = error.stderr ? `\n\nLast messages:\n${error.stderr.split('\n').slice(-8).join('\n')}` : '';
      return failure(`${answers.productName} could not start.`, `${error.message}${tail}`);
    }
    if (state.quitRequested) return false; // closed while starting: the quit stops the backend
    state.info = info;
    state.port = info.port;
    log(`backend ready on ${info.url} (pid ${info.pid})`);
    installTokenHeader(session.defaultSession, { port: info.port, token });
    const window = new BrowserWindow({
      width: 1200,
      height: 800,
      minWidth: 480,
      minHeight: 360,
      show: false,
      title: answers.productName,
      webPreferences: secureWebPreferences({ preload: path.join(__dirname, 'preload.js') }),
    });
    state.window = window;
    window.once('ready-to-show', () => {
      window.show();
      closeSplash();
    });
    window.on('closed', () => {
      if (state.window === window) state.window = null;
    });
    const firstPage = startUrl(info);
    try {
      await window.loadURL(firstPage);
    } catch (error) {
      log(`loading ${firstPage} failed: ${error.message}`);
      if (!window.isDestroyed()) window.show();
      closeSplash();
    }
    return true;
  };

  const started = app.whenReady().then(start).catch((error) => failure(`${answers.productName} could not start.`, String(error && error.stack ? error.stack : error)));
  // For the end-to-end test (main process only; pages cannot see this).
  globalThis.desktopDjangoShell = state;
  return { state, started, stopBackend, updates };
}

module.exports = { PROFILE_DIR, USER_DATA_ENV, createApp };
