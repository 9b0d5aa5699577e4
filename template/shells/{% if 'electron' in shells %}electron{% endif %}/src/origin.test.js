'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');

const { appOrigin, isAppUrl, isSafeExternalUrl, navigationDecision } = require('./origin');

test('the app origin is http://127.0.0.1:<port>', () => {
  assert.equal(appOrigin(8123), 'http://127.0.0.1:8123');
  assert.throws(() => appOrigin(0));
  assert.throws(() => appOrigin('8123'));
});

test('only the exact origin is the app', () => {
  for (const url of ['http://127.0.0.1:8123/', 'http://127.0.0.1:8123/notes/?q=1#x', 'http://127.0.0.1:8123']) {
    assert.equal(isAppUrl(url, 8123), true, url);
  }
  for (const url of [
    'http://127.0.0.1:8124/', 'http://127.0.0.1/', 'http://localhost:8123/', 'https://127.0.0.1:8123/',
    'http://127.0.0.2:8123/', 'http://[::1]:8123/', 'http://user:pw@127.0.0.1:8123/', 'http://127.0.0.1:8123.evil.example/',
    'ws://127.0.0.1:8123/', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '', null,
  ]) {
    assert.equal(isAppUrl(url, 8123), false, String(url));
  }
  assert.equal(isAppUrl('http://127.0.0.1:8123/', null), false, 'no port yet (splash): nothing is the app');
});

test('safe external links: http(s) and mailto only', () => {
  for (const url of ['https://example.org/docs', 'http://example.org', 'mailto:someone@example.org']) {
    assert.equal(isSafeExternalUrl(url), true, url);
  }
  for (const url of [
    'file:///C:/Windows/System32/calc.exe', 'smb://server/share', 'javascript:alert(1)', 'data:text/html,hi',
    'ms-settings:', 'vscode://file/x', 'https://user:pw@example.org/', 'ftp://example.org/', 'https://', 'nonsense',
  ]) {
    assert.equal(isSafeExternalUrl(url), false, url);
  }
});

test('navigation decisions', () => {
  assert.equal(navigationDecision('http://127.0.0.1:8123/notes/', 8123), 'allow');
  assert.equal(navigationDecision('https://www.djangoproject.com/', 8123), 'external');
  assert.equal(navigationDecision('http://127.0.0.1:9999/', 8123), 'external', 'another local port is not the app');
  assert.equal(navigationDecision('file:///etc/passwd', 8123), 'deny');
  assert.equal(navigationDecision('chrome://gpu', 8123), 'deny');
});
