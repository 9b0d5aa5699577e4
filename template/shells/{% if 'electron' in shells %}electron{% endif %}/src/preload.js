'use strict';
// Runs sandboxed, with context isolation, before the app's pages. It exposes only these calls
// as window.desktop; the main process answers them only for pages of the app origin.
const { contextBridge, ipcRenderer } = require('electron');

contextBridge.exposeInMainWorld('desktop', {
  openAppDataFolder: () => ipcRenderer.invoke('desktop:open-app-data-folder'),
  showLogFile: () => ipcRenderer.invoke('desktop:show-log-file'),
});
