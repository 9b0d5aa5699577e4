'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');

const { menuTemplate } = require('./menu');

const actions = {
  about: () => 'about',
  openAppDataFolder: () => 'data',
  showLogFile: () => 'log',
  checkForUpdates: () => 'check',
  updateFromFolder: () => 'folder',
};

function find(template, label) {
  for (const item of template) {
    if (item.label === label) return item;
    const inner = item.submenu && find(item.submenu, label);
    if (inner) return inner;
  }
  return null;
}

test('Help offers Check for Updates… and Update from Folder…', () => {
  for (const platform of ['darwin', 'win32', 'linux']) {
    const template = menuTemplate({ platform, productName: 'Field Notes', isPackaged: true, actions });
    const help = template.find((item) => item.role === 'help');
    assert.equal(find(help.submenu, 'Check for Updates…').click(), 'check', platform);
    assert.equal(find(help.submenu, 'Update from Folder…').click(), 'folder', platform);
    assert.equal(find(template, 'Open App Data Folder').click(), 'data');
    assert.equal(find(template, 'About Field Notes').click(), 'about');
  }
});

test('developer tools only in development', () => {
  const roles = (isPackaged) => JSON.stringify(menuTemplate({ platform: 'linux', productName: 'X', isPackaged, actions }));
  assert.equal(roles(true).includes('toggleDevTools'), false);
  assert.equal(roles(false).includes('toggleDevTools'), true);
});

test('the macOS app menu comes first', () => {
  const template = menuTemplate({ platform: 'darwin', productName: 'Field Notes', isPackaged: true, actions });
  assert.equal(template[0].label, 'Field Notes');
  assert.equal(menuTemplate({ platform: 'win32', productName: 'Field Notes', isPackaged: true, actions })[0].label, 'File');
});
