'use strict';
// "Update from Folder…" with the REAL electron-updater (installed by npm install): its generic
// provider reads latest-linux.yml from our loopback folder server, downloads the installer (file
// name with spaces) and checks its SHA-512; a tampered installer is refused. Electron's own network
// stack is replaced by Node's http, and Electron's app by a stand-in, so no Electron is needed.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { after, test } = require('node:test');

const { serveFolder } = require('./folder-server');
const { removeDir, tempDir } = require('../testsupport/helpers');

function load(name) {
  try {
    return require(name);
  } catch {
    return null;
  }
}
const updaterModule = load('electron-updater');
const runtime = load('builder-util-runtime');
const skip = !updaterModule || !runtime ? 'electron-updater is not installed (npm install in shells/electron)' : false;

const dirs = [];
after(() => dirs.forEach(removeDir));

function nodeHttpExecutor() {
  class NodeHttpExecutor extends runtime.HttpExecutor {
    createRequest(options, callback) {
      return http.request(options, callback);
    }

    addRedirectHandlers() {}

    download(url, destination, options) {
      return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
        const requestOptions = { headers: options.headers || undefined };
        runtime.configureRequestUrl(url, requestOptions);
        runtime.configureRequestOptions(requestOptions);
        this.doDownload(requestOptions, {
          destination,
          options,
          onCancel,
          callback: (error) => (error == null ? resolve(destination) : reject(error)),
          responseHandler: null,
        }, 0);
      });
    }
  }
  return new NodeHttpExecutor();
}

async function folderUpdate({ tamper = false } = {}) {
  const root = tempDir();
  dirs.push(root);
  const folder = path.join(root, 'USB stick');
  fs.mkdirSync(folder);
  const installer = crypto.randomBytes(100_000);
  const name = 'Field Notes-linux-2.0.0-x86_64.AppImage';
  const sha512 = crypto.createHash('sha512').update(installer).digest('base64');
  fs.writeFileSync(path.join(folder, name), tamper ? crypto.randomBytes(100_000) : installer);
  fs.writeFileSync(path.join(folder, 'latest-linux.yml'), [
    'version: 2.0.0',
    'files:',
    `  - url: ${name}`,
    `    sha512: ${sha512}`,
    `    size: ${installer.length}`,
    `path: ${name}`,
    `sha512: ${sha512}`,
    "releaseDate: '2025-01-01T00:00:00.000Z'",
    '',
  ].join('\n'));
  // What electron-builder writes into a packaged app (every feed has one, see builder-config.js).
  fs.writeFileSync(path.join(root, 'app-update.yml'), 'provider: generic\nurl: http://127.0.0.1/update-from-folder/\nupdaterCacheDirName: field-notes-updater\n');
  const current = path.join(root, 'current.AppImage');
  fs.writeFileSync(current, 'old');

  const app = {
    version: '1.0.0',
    name: 'field-notes',
    isPackaged: true,
    appUpdateConfigPath: path.join(root, 'app-update.yml'),
    userDataPath: root,
    baseCachePath: path.join(root, 'cache'),
    whenReady: async () => {},
    relaunch() {},
    quit() {},
    onQuit() {},
  };
  const previous = process.env.APPIMAGE;
  process.env.APPIMAGE = current;
  const served = [];
  const server = await serveFolder(folder, { onRequest: ({ url, status }) => served.push([url.split('?')[0], status]) });
  try {
    const updater = new updaterModule.AppImageUpdater(null, app);
    updater.httpExecutor = nodeHttpExecutor();
    updater.logger = null;
    updater.autoDownload = false;
    updater.disableDifferentialDownload = true;
    updater.setFeedURL({ provider: 'generic', url: server.url });
    const result = await updater.checkForUpdates();
    const files = await updater.downloadUpdate();
    return { result, files, installer, served };
  } finally {
    await server.close();
    if (previous === undefined) delete process.env.APPIMAGE;
    else process.env.APPIMAGE = previous;
  }
}

test('electron-updater updates from a folder served on loopback', { skip, timeout: 30_000 }, async () => {
  const { result, files, installer, served } = await folderUpdate();
  assert.equal(result.isUpdateAvailable, true);
  assert.equal(result.updateInfo.version, '2.0.0');
  assert.deepEqual(fs.readFileSync(files[0]), installer, 'the downloaded installer is the one in the folder');
  assert.deepEqual(served.map(([url]) => url), ['/latest-linux.yml', '/Field%20Notes-linux-2.0.0-x86_64.AppImage']);
});

test('electron-updater refuses an installer whose SHA-512 does not match latest*.yml', { skip, timeout: 30_000 }, async () => {
  await assert.rejects(folderUpdate({ tamper: true }), /sha512 checksum mismatch/);
});
