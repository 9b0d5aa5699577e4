'use strict';
// Updates with electron-updater, per the project's update_feed answer (app.answers.json):
//   github  -> GitHub Releases of updates.githubRepository
//   generic -> an https server at updates.url holding the installers and latest*.yml
//   manual  -> no online feed; Help > Update from Folder... only
// "Update from Folder..." (air-gapped): the user picks a folder holding the installer and its
// latest*.yml; we serve it on a loopback port and point electron-updater's generic provider at it.
// electron-updater checks the installer's sha512 from latest*.yml either way.
// The backend is stopped before quitAndInstall; the app data folder is never touched.

const fs = require('node:fs');
const path = require('node:path');

const folderServer = require('./folder-server');

/** electron-updater feed options for the answers, or null for the manual feed. */
function feedOptions(answers) {
  const updates = answers.updates || {};
  if (updates.feed === 'github') {
    const [owner, repo] = String(updates.githubRepository).split('/');
    return { provider: 'github', owner, repo };
  }
  if (updates.feed === 'generic') return { provider: 'generic', url: updates.url };
  return null;
}

class UpdateController {
  constructor({
    app,
    dialog,
    answers,
    getUpdater, // () => electron-updater's autoUpdater (required lazily)
    getWindow = () => null,
    stopBackend = async () => {},
    serveFolder = folderServer.serveFolder,
    exists = fs.existsSync,
    platform = process.platform,
    arch = process.arch,
    log = () => {},
  }) {
    Object.assign(this, { app, dialog, answers, getUpdater, getWindow, stopBackend, serveFolder, exists, platform, arch, log });
    this.busy = false;
  }

  async message(options) {
    const window = this.getWindow();
    const box = { title: this.answers.productName, buttons: ['OK'], defaultId: 0, cancelId: options.buttons ? options.buttons.length - 1 : 0, noLink: true, ...options };
    const result = window ? await this.dialog.showMessageBox(window, box) : await this.dialog.showMessageBox(box);
    return result.response;
  }

  updater() {
    const updater = this.getUpdater();
    updater.autoDownload = false;
    updater.autoInstallOnAppQuit = true;
    return updater;
  }

  async guard(run) {
    if (this.busy) {
      await this.message({ type: 'info', message: 'An update is already being checked or downloaded.' });
      return 'busy';
    }
    this.busy = true;
    try {
      return await run();
    } catch (error) {
      this.log(`update failed: ${error && error.stack ? error.stack : error}`);
      await this.message({ type: 'error', message: 'The update did not work.', detail: String(error && error.message ? error.message : error) });
      return 'error';
    } finally {
      this.busy = false;
    }
  }

  async developmentNotice() {
    await this.message({
      type: 'info',
      message: 'Updates are unavailable in development.',
      detail: 'This app runs from source (npm start). Build an installer with "npm run dist" to try updates.',
    });
    return 'development';
  }

  /** Help > Check for Updates... */
  checkForUpdates() {
    return this.guard(async () => {
      if (!this.app.isPackaged) return this.developmentNotice();
      const feed = feedOptions(this.answers);
      if (!feed) {
        await this.message({
          type: 'info',
          message: 'This app has no online update feed.',
          detail: 'To update, install a newer version, or choose Help > Update from Folder... and pick a folder that holds the new installer and its latest*.yml file.',
        });
        return 'no-feed';
      }
      const updater = this.updater();
      updater.disableDifferentialDownload = false;
      updater.setFeedURL(feed);
      return this.offer(updater, await updater.checkForUpdates());
    });
  }

  /** Help > Update from Folder... (`folder` skips the folder dialog, for tests and scripts). */
  updateFromFolder(folder) {
    return this.guard(async () => {
      if (!this.app.isPackaged) return this.developmentNotice();
      if (!folder) {
        const window = this.getWindow();
        const options = { title: 'Choose the folder with the update', properties: ['openDirectory'] };
        const picked = window ? await this.dialog.showOpenDialog(window, options) : await this.dialog.showOpenDialog(options);
        if (picked.canceled || !picked.filePaths || !picked.filePaths.length) return 'canceled';
        folder = picked.filePaths[0];
      }
      const info = folderServer.channelFile(this.platform, this.arch);
      if (!this.exists(path.join(folder, info))) {
        await this.message({
          type: 'error',
          message: `The folder has no ${info}.`,
          detail: `${folder}\n\nCopy the installer for this computer and its ${info} from the release into one folder, then try again.`,
        });
        return 'missing-info';
      }
      const server = await this.serveFolder(folder, { onRequest: ({ method, url, status }) => this.log(`update folder: ${method} ${url} ${status}`) });
      const updater = this.updater();
      try {
        updater.setFeedURL({ provider: 'generic', url: server.url });
        updater.disableDifferentialDownload = true; // plain full downloads from the folder
        return await this.offer(updater, await updater.checkForUpdates());
      } finally {
        updater.disableDifferentialDownload = false;
        await server.close();
      }
    });
  }

  /** Ask to download an available update, then to restart and install it. */
  async offer(updater, result) {
    const current = this.app.getVersion();
    if (!result || !result.isUpdateAvailable) {
      await this.message({ type: 'info', message: `You have the latest version (${current}).` });
      return 'up-to-date';
    }
    const version = result.updateInfo && result.updateInfo.version;
    const download = await this.message({
      type: 'question',
      message: `Version ${version} is available (you have ${current}).`,
      detail: 'Download it now? You can keep working while it downloads.',
      buttons: ['Download', 'Later'],
    });
    if (download !== 0) return 'declined';
    await updater.downloadUpdate();
    const install = await this.message({
      type: 'question',
      message: `Version ${version} is ready to install.`,
      detail: 'The app closes, installs the update and starts again. Your data is kept. If you choose Later, it installs when you quit.',
      buttons: ['Restart and Install', 'Later'],
    });
    if (install !== 0) return 'downloaded';
    await this.stopBackend();
    updater.quitAndInstall(true, true); // Windows: install without the wizard, then start the app again
    return 'installing';
  }
}

module.exports = { UpdateController, feedOptions };
