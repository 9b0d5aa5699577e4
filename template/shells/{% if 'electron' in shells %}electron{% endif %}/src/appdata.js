'use strict';
// The app data folder, by the contract's one rule for every shell (desktop/appdata.py in the
// project: default_app_data_dir and app_data_dir), so Electron hands the backend the folder the
// backend would pick by itself. Pure: platform, env and home are passed in. The project's
// tests/test_electron_app_data.py checks this file against the Python for a table of cases.

const os = require('node:os');
const path = require('node:path');

const APP_DATA_ENV = 'DESKTOP_DJANGO_APP_DATA_DIR';
// An earlier release's folder, whose data the backend adopts once (appdata.py: adopt_previous).
const PREVIOUS_ENV = 'DESKTOP_DJANGO_PREVIOUS_APP_DATA_DIR';

/** The per-user data folder of `appId` on `platform`. */
function defaultAppDataDir(appId, { platform = process.platform, env = process.env, home = os.homedir() } = {}) {
  if (platform.startsWith('win')) {
    return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), appId);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', appId);
  const xdg = env.XDG_DATA_HOME || '';
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, appId);
}

/** DESKTOP_DJANGO_APP_DATA_DIR when set and not blank (~ expanded, made absolute), else the default. */
function appDataDir(appId, { platform = process.platform, env = process.env, home = os.homedir(), cwd = process.cwd() } = {}) {
  const configured = (env[APP_DATA_ENV] || '').trim();
  if (!configured) return defaultAppDataDir(appId, { platform, env, home });
  const windows = platform.startsWith('win');
  const expanded = (windows ? /^~([\\/]|$)/ : /^~(\/|$)/).test(configured) ? home + configured.slice(1) : configured;
  return (windows ? path.win32 : path.posix).resolve(cwd, expanded);
}

module.exports = { APP_DATA_ENV, PREVIOUS_ENV, appDataDir, defaultAppDataDir };
