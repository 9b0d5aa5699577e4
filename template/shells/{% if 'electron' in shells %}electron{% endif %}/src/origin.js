'use strict';
// The app's only origin is http://127.0.0.1:<port> (the port comes from the ready line). Every
// navigation, redirect, new window and injected header is checked against it here.

const APP_HOST = '127.0.0.1';
const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

function parse(url) {
  if (typeof url !== 'string' || url.length > 32 * 1024) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function validPort(port) {
  return Number.isInteger(port) && port > 0 && port < 65536;
}

/** "http://127.0.0.1:<port>" */
function appOrigin(port) {
  if (!validPort(port)) throw new TypeError(`invalid port: ${port}`);
  return `http://${APP_HOST}:${port}`;
}

/** True only for http://127.0.0.1:<port>/… exactly (no other scheme, host, port or credentials). */
function isAppUrl(url, port) {
  if (!validPort(port)) return false;
  const parsed = parse(url);
  return Boolean(parsed)
    && parsed.protocol === 'http:'
    && parsed.hostname === APP_HOST
    && parsed.port === String(port)
    && parsed.username === ''
    && parsed.password === '';
}

/** Links we hand to the OS: http(s) without credentials, and mailto. Nothing else (file:, custom schemes...). */
function isSafeExternalUrl(url) {
  const parsed = parse(url);
  if (!parsed || !EXTERNAL_PROTOCOLS.has(parsed.protocol)) return false;
  if (parsed.protocol === 'mailto:') return true;
  return parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
}

/**
 * What to do when the app window wants to go to `url`:
 * 'allow' (same origin), 'external' (open in the OS browser / mail app) or 'deny'.
 */
function navigationDecision(url, port) {
  if (isAppUrl(url, port)) return 'allow';
  if (isSafeExternalUrl(url)) return 'external';
  return 'deny';
}

module.exports = { APP_HOST, appOrigin, isAppUrl, isSafeExternalUrl, navigationDecision };
