'use strict';
// The real Electron app, driven by Playwright: launch, Django page, a note (if the example app
// exists), navigation guard, quit with no backend left. Skips (with the reason) where Electron
// cannot run: no Electron binary (scripts/check-electron.cjs says why), Node < 22.12, or
// no display (use xvfb-run on Linux).
const assert = require('node:assert/strict');
const { test } = require('node:test');

const { runEndToEnd, skipReason } = require('./launch.cjs');

const reason = skipReason();

test('electron app: window on the Django page, note, external link, clean quit', { skip: reason || false, timeout: 240_000 }, async () => {
  const checks = await runEndToEnd();
  assert.ok(checks.page, 'the Django page has a title');
  assert.equal(checks.backendStopped, true);
});
