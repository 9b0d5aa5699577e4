'use strict';
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const { test } = require('node:test');

const { denyAllPermissions, guardWebContents, secureWebPreferences } = require('./security');

function fakeContents() {
  const contents = new EventEmitter();
  contents.loaded = [];
  contents.setWindowOpenHandler = (handler) => {
    contents.openHandler = handler;
  };
  contents.loadURL = async (url) => contents.loaded.push(url);
  return contents;
}

function navigate(contents, name, url) {
  const event = { url, defaultPrevented: false, preventDefault() {
    this.defaultPrevented = true;
  } };
  contents.emit(name, event, url);
  return event.defaultPrevented;
}

test('every window is isolated and sandboxed', () => {
  const prefs = secureWebPreferences({ preload: '/p.js' });
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.preload, '/p.js');
});

test('navigation and redirects stay on the app origin; safe links go to the OS browser', () => {
  const contents = fakeContents();
  const opened = [];
  let port = 8123;
  guardWebContents(contents, { getPort: () => port, openExternal: async (url) => opened.push(url) });
  for (const kind of ['will-navigate', 'will-redirect']) {
    assert.equal(navigate(contents, kind, 'http://127.0.0.1:8123/notes/'), false, `${kind}: own origin allowed`);
    assert.equal(navigate(contents, kind, 'https://example.org/'), true, `${kind}: external blocked in the window`);
    assert.equal(navigate(contents, kind, 'file:///etc/passwd'), true);
    assert.equal(navigate(contents, kind, 'http://127.0.0.1:9999/'), true, 'another local port is blocked');
  }
  assert.deepEqual(opened, ['https://example.org/', 'http://127.0.0.1:9999/', 'https://example.org/', 'http://127.0.0.1:9999/']);
  port = null; // before the backend is ready (splash): nothing is allowed
  assert.equal(navigate(contents, 'will-navigate', 'http://127.0.0.1:8123/'), true);
});

test('window.open is always denied: external links open in the OS, app links in the same window', () => {
  const contents = fakeContents();
  const opened = [];
  guardWebContents(contents, { getPort: () => 8123, openExternal: async (url) => opened.push(url) });
  assert.deepEqual(contents.openHandler({ url: 'https://example.org/help' }), { action: 'deny' });
  assert.deepEqual(contents.openHandler({ url: 'mailto:a@example.org' }), { action: 'deny' });
  assert.deepEqual(contents.openHandler({ url: 'javascript:alert(1)' }), { action: 'deny' });
  assert.deepEqual(contents.openHandler({ url: 'http://127.0.0.1:8123/notes/' }), { action: 'deny' });
  assert.deepEqual(opened, ['https://example.org/help', 'mailto:a@example.org']);
  assert.deepEqual(contents.loaded, ['http://127.0.0.1:8123/notes/']);
});

test('frames cannot leave the origin either (and are not opened externally)', () => {
  const contents = fakeContents();
  const opened = [];
  guardWebContents(contents, { getPort: () => 8123, openExternal: async (url) => opened.push(url) });
  const frame = (url, isMainFrame = false) => {
    const event = { url, isMainFrame, prevented: false, preventDefault() {
      this.prevented = true;
    } };
    contents.emit('will-frame-navigate', event);
    return event.prevented;
  };
  assert.equal(frame('https://example.org/'), true);
  assert.equal(frame('http://127.0.0.1:8123/embed/'), false);
  assert.equal(frame('https://example.org/', true), false, 'main frame: left to will-navigate');
  assert.deepEqual(opened, []);
});

test('<webview> cannot be attached', () => {
  const contents = fakeContents();
  guardWebContents(contents, { getPort: () => 8123, openExternal: async () => {} });
  assert.equal(navigate(contents, 'will-attach-webview', ''), true);
});

test('every permission is denied', () => {
  const session = new EventEmitter();
  session.setPermissionRequestHandler = (handler) => {
    session.request = handler;
  };
  session.setPermissionCheckHandler = (handler) => {
    session.check = handler;
  };
  session.setDevicePermissionHandler = (handler) => {
    session.device = handler;
  };
  denyAllPermissions(session);
  for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
    let granted;
    session.request(null, permission, (value) => {
      granted = value;
    });
    assert.equal(granted, false, permission);
    assert.equal(session.check(null, permission, 'http://127.0.0.1:8123'), false);
  }
  assert.equal(session.device({ deviceType: 'usb' }), false);
  let chosen = 'unset';
  const event = { preventDefault() {} };
  session.emit('select-usb-device', event, {}, (value) => {
    chosen = value;
  });
  assert.equal(chosen, undefined, 'no USB device is ever chosen');
});
