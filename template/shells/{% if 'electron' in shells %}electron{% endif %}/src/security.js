'use strict';
// Window and session hardening. The app window shows http://127.0.0.1:<port> only:
// - no new windows (window.open / target=_blank): safe http(s)/mailto links open in the OS instead;
// - no navigation or redirect off the origin: safe links open in the OS, anything else is dropped;
// - no <webview>, no permission ever granted (camera, notifications, geolocation, ...).

const { navigationDecision } = require('./origin');

/** webPreferences of every window we create. */
function secureWebPreferences(extra = {}) {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    ...extra,
  };
}

/**
 * Guard one webContents. `getPort()` returns the app port (null until the backend is ready, so
 * the splash screen cannot navigate anywhere). `openExternal(url)` is shell.openExternal.
 */
function guardWebContents(contents, { getPort, openExternal, log = () => {} }) {
  const handle = (event, url, kind) => {
    const decision = navigationDecision(url, getPort());
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'external') {
      log(`${kind} to ${url}: opened in the default browser`);
      Promise.resolve(openExternal(url)).catch(() => {});
    } else {
      log(`${kind} to ${url}: blocked`);
    }
  };
  // Electron passes (event, url) and, since v25, also event.url.
  contents.on('will-navigate', (event, url) => handle(event, (event && event.url) || url, 'navigation'));
  contents.on('will-redirect', (event, url) => handle(event, (event && event.url) || url, 'redirect'));
  // Frames inside a page (Django's CSP already refuses other origins in frames): never off-origin.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame) return; // handled by will-navigate
    if (navigationDecision(event.url, getPort()) !== 'allow') {
      event.preventDefault();
      log(`frame navigation to ${event.url}: blocked`);
    }
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = navigationDecision(url, getPort());
    if (decision === 'external') {
      log(`new window for ${url}: opened in the default browser`);
      Promise.resolve(openExternal(url)).catch(() => {});
    } else if (decision === 'allow') {
      Promise.resolve(contents.loadURL(url)).catch(() => {}); // one window: app links open in it
    } else {
      log(`new window for ${url}: blocked`);
    }
    return { action: 'deny' };
  });
}

/** Deny every permission request and check (media, notifications, geolocation, USB, HID, ...). */
function denyAllPermissions(session) {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  if (typeof session.setDevicePermissionHandler === 'function') session.setDevicePermissionHandler(() => false);
  if (typeof session.on === 'function') {
    session.on('select-hid-device', (event, _details, callback) => {
      event.preventDefault();
      callback();
    });
    session.on('select-serial-port', (event, _ports, _contents, callback) => {
      event.preventDefault();
      callback('');
    });
    session.on('select-usb-device', (event, _details, callback) => {
      event.preventDefault();
      callback();
    });
  }
}

module.exports = { denyAllPermissions, guardWebContents, secureWebPreferences };
