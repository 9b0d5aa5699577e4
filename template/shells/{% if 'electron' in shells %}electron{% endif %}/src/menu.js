'use strict';
// The application menu. `actions` are the click handlers app.js provides.

function menuTemplate({ platform = process.platform, productName, isPackaged, actions }) {
  const isMac = platform === 'darwin';
  const template = [];
  if (isMac) {
    template.push({
      label: productName,
      submenu: [
        { label: `About ${productName}`, click: actions.about },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push({
    label: 'File',
    submenu: [
      { label: 'Open App Data Folder', click: actions.openAppDataFolder },
      { label: 'Show Log File', click: actions.showLogFile },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({ role: 'editMenu' });
  template.push({
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(isPackaged ? [] : [{ role: 'forceReload' }, { role: 'toggleDevTools' }]),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  template.push({ role: 'windowMenu' });
  template.push({
    role: 'help',
    submenu: [
      { label: 'Check for Updates…', click: actions.checkForUpdates },
      { label: 'Update from Folder…', click: actions.updateFromFolder },
      ...(isMac ? [] : [{ type: 'separator' }, { label: `About ${productName}`, click: actions.about }]),
    ],
  });
  return template;
}

module.exports = { menuTemplate };
