'use strict';
// Adds X-Desktop-Django-Token to requests for the app origin only. Electron's URL filter narrows
// which requests reach the listener; the listener checks the exact origin again in code, and
// strips the header from every other request so it can never leak.

const { isAppUrl } = require('./origin');

const TOKEN_HEADER = 'X-Desktop-Django-Token';

/** URL patterns for session.webRequest: the exact origin first, a port-less fallback second. */
function requestFilters(port) {
  return [{ urls: [`http://127.0.0.1:${port}/*`] }, { urls: ['http://127.0.0.1/*'] }];
}

/** A listener for session.webRequest.onBeforeSendHeaders(filter, listener). */
function tokenHeaderListener({ port, token }) {
  if (!token || typeof token !== 'string') throw new TypeError('token is required');
  const lower = TOKEN_HEADER.toLowerCase();
  return function injectToken(details, callback) {
    const requestHeaders = {};
    for (const [name, value] of Object.entries(details.requestHeaders || {})) {
      if (name.toLowerCase() !== lower) requestHeaders[name] = value;
    }
    if (isAppUrl(details.url, port)) requestHeaders[TOKEN_HEADER] = token;
    callback({ requestHeaders });
  };
}

/**
 * Register the listener on an Electron session. Older Electron versions rejected ports in
 * URL patterns; then the port-less pattern is used (the listener still checks the port).
 */
function installTokenHeader(session, { port, token }) {
  const listener = tokenHeaderListener({ port, token });
  const [exact, fallback] = requestFilters(port);
  try {
    session.webRequest.onBeforeSendHeaders(exact, listener);
    return exact;
  } catch {
    session.webRequest.onBeforeSendHeaders(fallback, listener);
    return fallback;
  }
}

module.exports = { TOKEN_HEADER, installTokenHeader, requestFilters, tokenHeaderListener };
