'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { after, test } = require('node:test');

const { UpdateController, feedOptions } = require('./updates');
const { removeDir, tempDir } = require('../testsupport/helpers');

const dirs = [];
after(() => dirs.forEach(removeDir));

const ANSWERS = {
  productName: 'Field Notes',
  updates: { feed: 'github', githubRepository: 'acme/field-notes', url: null },
};

function fakeDialog(responses = []) {
  const dialog = { shown: [], opened: [] };
  dialog.showMessageBox = async (...args) => {
    const options = args[args.length - 1];
    dialog.shown.push(options);
    return { response: responses.length ? responses.shift() : 0 };
  };
  dialog.showOpenDialog = async (...args) => {
    dialog.opened.push(args[args.length - 1]);
    return dialog.pick || { canceled: true, filePaths: [] };
  };
  return dialog;
}

function fakeUpdater(result) {
  const calls = [];
  const updater = {
    calls,
    setFeedURL: (options) => calls.push(['setFeedURL', options]),
    checkForUpdates: async () => {
      calls.push(['checkForUpdates']);
      if (result instanceof Error) throw result;
      return result;
    },
    downloadUpdate: async () => calls.push(['downloadUpdate']),
    quitAndInstall: (...args) => calls.push(['quitAndInstall', ...args]),
  };
  return updater;
}

function controller({ isPackaged = true, answers = ANSWERS, updater, dialog, ...rest }) {
  const events = [];
  const control = new UpdateController({
    app: { isPackaged, getVersion: () => '1.0.0' },
    dialog,
    answers,
    getUpdater: () => updater,
    stopBackend: async () => {
      events.push('backend stopped');
      updater.calls.push(['stopBackend']);
    },
    platform: 'linux',
    arch: 'x64',
    ...rest,
  });
  return { control, events };
}

test('feed per answer: github owner/repo, generic url, none for manual', () => {
  assert.deepEqual(feedOptions(ANSWERS), { provider: 'github', owner: 'acme', repo: 'field-notes' });
  assert.deepEqual(feedOptions({ updates: { feed: 'generic', url: 'https://dl.example.org/fn/' } }), { provider: 'generic', url: 'https://dl.example.org/fn/' });
  assert.equal(feedOptions({ updates: { feed: 'manual' } }), null);
});

test('in development, updates are unavailable (both menu items)', async () => {
  const dialog = fakeDialog();
  const updater = fakeUpdater(null);
  const { control } = controller({ isPackaged: false, updater, dialog });
  assert.equal(await control.checkForUpdates(), 'development');
  assert.equal(await control.updateFromFolder(), 'development');
  assert.match(dialog.shown[0].message, /unavailable in development/);
  assert.deepEqual(updater.calls, []);
});

test('manual feed: no online check, points to Update from Folder', async () => {
  const dialog = fakeDialog();
  const updater = fakeUpdater(null);
  const { control } = controller({ answers: { productName: 'X', updates: { feed: 'manual' } }, updater, dialog });
  assert.equal(await control.checkForUpdates(), 'no-feed');
  assert.match(dialog.shown[0].detail, /Update from Folder/);
  assert.deepEqual(updater.calls, []);
});

test('update available: download, then stop the backend, then quitAndInstall', async () => {
  const dialog = fakeDialog([0, 0]);
  const updater = fakeUpdater({ isUpdateAvailable: true, updateInfo: { version: '2.0.0' } });
  const { control } = controller({ updater, dialog });
  assert.equal(await control.checkForUpdates(), 'installing');
  assert.deepEqual(updater.calls.map((call) => call[0]), ['setFeedURL', 'checkForUpdates', 'downloadUpdate', 'stopBackend', 'quitAndInstall']);
  assert.deepEqual(updater.calls[0][1], { provider: 'github', owner: 'acme', repo: 'field-notes' });
  assert.deepEqual(updater.calls.at(-1), ['quitAndInstall', true, true], 'silent install, then start again');
  assert.equal(updater.autoDownload, false, 'nothing downloads without asking');
  assert.match(dialog.shown[0].message, /2\.0\.0 is available/);
  assert.deepEqual(dialog.shown[1].buttons, ['Restart and Install', 'Later']);
});

test('later, up to date, and errors', async () => {
  let dialog = fakeDialog([1]);
  let updater = fakeUpdater({ isUpdateAvailable: true, updateInfo: { version: '2.0.0' } });
  assert.equal(await controller({ updater, dialog }).control.checkForUpdates(), 'declined');
  assert.equal(updater.calls.some((call) => call[0] === 'downloadUpdate'), false);

  dialog = fakeDialog([0, 1]);
  updater = fakeUpdater({ isUpdateAvailable: true, updateInfo: { version: '2.0.0' } });
  assert.equal(await controller({ updater, dialog }).control.checkForUpdates(), 'downloaded');
  assert.equal(updater.calls.some((call) => call[0] === 'stopBackend'), false, 'the backend keeps running');

  dialog = fakeDialog();
  updater = fakeUpdater({ isUpdateAvailable: false, updateInfo: { version: '1.0.0' } });
  assert.equal(await controller({ updater, dialog }).control.checkForUpdates(), 'up-to-date');
  assert.match(dialog.shown[0].message, /latest version \(1\.0\.0\)/);

  dialog = fakeDialog();
  updater = fakeUpdater(new Error('net::ERR_INTERNET_DISCONNECTED'));
  assert.equal(await controller({ updater, dialog }).control.checkForUpdates(), 'error');
  assert.match(dialog.shown[0].detail, /ERR_INTERNET_DISCONNECTED/);
});

function fetchText(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('update from folder: serves the folder to a generic feed, checksum verifiable, server closed after', async () => {
  const folder = tempDir();
  dirs.push(folder);
  const installer = crypto.randomBytes(5000);
  const name = 'field-notes-linux-2.0.0-x86_64.AppImage';
  fs.writeFileSync(path.join(folder, name), installer);
  const sha512 = crypto.createHash('sha512').update(installer).digest('base64');
  fs.writeFileSync(path.join(folder, 'latest-linux.yml'), `version: 2.0.0\nfiles:\n  - url: ${name}\n    sha512: ${sha512}\n    size: 5000\npath: ${name}\nsha512: ${sha512}\n`);

  // A stand-in for electron-updater's generic provider: reads latest-linux.yml from the feed URL,
  // downloads the file it names and checks its sha512.
  let feed;
  let verified = false;
  const updater = fakeUpdater(null);
  updater.setFeedURL = (options) => {
    feed = options;
    updater.calls.push(['setFeedURL', options]);
  };
  updater.checkForUpdates = async () => {
    const info = await fetchText(new URL('latest-linux.yml', feed.url));
    assert.equal(info.status, 200);
    const version = /^version: (.+)$/m.exec(info.body.toString())[1];
    return { isUpdateAvailable: version !== '1.0.0', updateInfo: { version, path: /^path: (.+)$/m.exec(info.body.toString())[1] } };
  };
  updater.downloadUpdate = async () => {
    const file = await fetchText(new URL(name, feed.url));
    verified = crypto.createHash('sha512').update(file.body).digest('base64') === sha512;
    updater.calls.push(['downloadUpdate']);
  };
  const dialog = fakeDialog([0, 0]);
  dialog.pick = { canceled: false, filePaths: [folder] };
  const { control } = controller({ updater, dialog });
  assert.equal(await control.updateFromFolder(), 'installing');
  assert.equal(feed.provider, 'generic');
  assert.match(feed.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(verified, true, 'the installer arrived intact');
  assert.equal(updater.disableDifferentialDownload, false, 'reset after the folder update');
  assert.deepEqual(updater.calls.slice(-2).map((call) => call[0]), ['stopBackend', 'quitAndInstall']);
  await assert.rejects(fetchText(new URL('latest-linux.yml', feed.url)), /ECONNREFUSED/, 'the folder server is closed');
});

test('update from folder: a folder without latest*.yml, and a canceled dialog', async () => {
  const folder = tempDir();
  dirs.push(folder);
  let dialog = fakeDialog();
  let updater = fakeUpdater(null);
  assert.equal(await controller({ updater, dialog }).control.updateFromFolder(folder), 'missing-info');
  assert.match(dialog.shown[0].message, /latest-linux\.yml/);
  assert.deepEqual(updater.calls, []);

  dialog = fakeDialog();
  updater = fakeUpdater(null);
  assert.equal(await controller({ updater, dialog }).control.updateFromFolder(), 'canceled');
  assert.deepEqual(dialog.opened[0].properties, ['openDirectory']);
});

test('one update at a time', async () => {
  let release;
  const updater = fakeUpdater(null);
  updater.checkForUpdates = () => new Promise((resolve) => {
    release = () => resolve(null);
  });
  const dialog = fakeDialog();
  const { control } = controller({ updater, dialog });
  const first = control.checkForUpdates();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await control.checkForUpdates(), 'busy');
  release();
  assert.equal(await first, 'up-to-date');
});
