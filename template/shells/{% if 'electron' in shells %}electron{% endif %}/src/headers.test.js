'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');

const { TOKEN_HEADER, installTokenHeader, requestFilters, tokenHeaderListener } = require('./headers');

const TOKEN = 'a'.repeat(64);
function run(listener, url, requestHeaders = {}) {
  let out;
  listener({ url, requestHeaders }, (result) => {
    out = result;
  });
  return out.requestHeaders;
}

test('adds the token for the exact origin only', () => {
  const listener = tokenHeaderListener({ port: 8123, token: TOKEN });
  assert.equal(run(listener, 'http://127.0.0.1:8123/notes/', { Accept: '*/*' })[TOKEN_HEADER], TOKEN);
  assert.equal(run(listener, 'http://127.0.0.1:8123/', { Accept: '*/*' }).Accept, '*/*', 'other headers are kept');
  for (const url of ['http://127.0.0.1:8124/', 'http://localhost:8123/', 'https://127.0.0.1:8123/', 'https://example.org/']) {
    assert.equal(TOKEN_HEADER in run(listener, url), false, url);
  }
});

test('a token header set by a page never leaves for another origin, in any letter case', () => {
  const listener = tokenHeaderListener({ port: 8123, token: TOKEN });
  const headers = run(listener, 'https://example.org/', { 'x-desktop-django-token': 'leak', 'X-DESKTOP-DJANGO-TOKEN': 'leak' });
  assert.deepEqual(headers, {});
  const own = run(listener, 'http://127.0.0.1:8123/', { 'x-desktop-django-token': 'forged' });
  assert.deepEqual(own, { [TOKEN_HEADER]: TOKEN }, 'the real token replaces a forged one');
});

test('a token is required', () => {
  assert.throws(() => tokenHeaderListener({ port: 8123, token: '' }));
});

test('registers with the exact-origin URL filter, falling back to the port-less one', () => {
  assert.deepEqual(requestFilters(8123)[0], { urls: ['http://127.0.0.1:8123/*'] });
  const calls = [];
  const session = { webRequest: { onBeforeSendHeaders: (filter, listener) => calls.push([filter, listener]) } };
  assert.deepEqual(installTokenHeader(session, { port: 8123, token: TOKEN }), { urls: ['http://127.0.0.1:8123/*'] });
  assert.equal(typeof calls[0][1], 'function');

  const strict = { webRequest: { onBeforeSendHeaders: (filter) => {
    if (filter.urls[0].includes(':8123')) throw new Error('Invalid URL pattern: invalid port');
    calls.push([filter]);
  } } };
  assert.deepEqual(installTokenHeader(strict, { port: 8123, token: TOKEN }), { urls: ['http://127.0.0.1/*'] });
});
