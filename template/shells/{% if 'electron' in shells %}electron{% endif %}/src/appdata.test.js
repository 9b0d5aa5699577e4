'use strict';
// The app data rule of the contract (desktop/appdata.py). The project's pytest suite also compares
// this file with the Python itself (tests/test_electron_app_data.py).
const assert = require('node:assert/strict');
const { test } = require('node:test');

const { appDataDir, defaultAppDataDir } = require('./appdata');

const ID = 'com.example.app';

test('Windows: %LOCALAPPDATA%\\<app id>, else <home>\\AppData\\Local', () => {
  const home = 'C:\\Users\\ann';
  assert.equal(defaultAppDataDir(ID, { platform: 'win32', env: { LOCALAPPDATA: 'D:\\Local' }, home }), 'D:\\Local\\com.example.app');
  assert.equal(defaultAppDataDir(ID, { platform: 'win32', env: {}, home }), 'C:\\Users\\ann\\AppData\\Local\\com.example.app');
});

test('macOS: ~/Library/Application Support/<app id>', () => {
  assert.equal(defaultAppDataDir(ID, { platform: 'darwin', env: { XDG_DATA_HOME: '/x' }, home: '/Users/ann' }), '/Users/ann/Library/Application Support/com.example.app');
});

test('elsewhere: $XDG_DATA_HOME/<app id> when absolute, else ~/.local/share/<app id>', () => {
  const home = '/home/ann';
  assert.equal(defaultAppDataDir(ID, { platform: 'linux', env: { XDG_DATA_HOME: '/data' }, home }), '/data/com.example.app');
  assert.equal(defaultAppDataDir(ID, { platform: 'linux', env: { XDG_DATA_HOME: 'data' }, home }), '/home/ann/.local/share/com.example.app');
  assert.equal(defaultAppDataDir(ID, { platform: 'freebsd', env: {}, home }), '/home/ann/.local/share/com.example.app');
});

test('DESKTOP_DJANGO_APP_DATA_DIR overrides when not blank, with ~ expanded and made absolute', () => {
  const options = (value) => ({ platform: 'linux', env: { DESKTOP_DJANGO_APP_DATA_DIR: value }, home: '/home/ann', cwd: '/work' });
  assert.equal(appDataDir(ID, options(' /srv/data ')), '/srv/data');
  assert.equal(appDataDir(ID, options('~/data')), '/home/ann/data');
  assert.equal(appDataDir(ID, options('~')), '/home/ann');
  assert.equal(appDataDir(ID, options('data')), '/work/data');
  assert.equal(appDataDir(ID, options('  ')), '/home/ann/.local/share/com.example.app');
  assert.equal(appDataDir(ID, { platform: 'win32', env: { DESKTOP_DJANGO_APP_DATA_DIR: '~\\data' }, home: 'C:\\Users\\ann' }), 'C:\\Users\\ann\\data');
});
