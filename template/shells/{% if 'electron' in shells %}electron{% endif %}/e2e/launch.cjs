'use strict';
// End-to-end launch of the real Electron app with Playwright (playwright-core's _electron):
// start, wait for the Django page, create a note if the example app exists, check that leaving the
// origin is blocked, quit, and check that no backend process is left.
// Used by e2e/electron.test.js (npm test) and scripts/smoke.cjs (python scripts/smoke.py electron).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { electronExecutable } = require('../scripts/check-electron.cjs');
const { isAlive, waitFor } = require('../testsupport/helpers');

const SHELL_DIR = path.resolve(__dirname, '..');
const MIN_NODE = [22, 12];

function resolveFrom(request) {
  try {
    return require.resolve(request, { paths: [SHELL_DIR] });
  } catch {
    return null;
  }
}

/** Why the end-to-end test cannot run here, or null if it can. */
function skipReason({ env = process.env, nodeVersion = process.versions.node } = {}) {
  const electron = electronExecutable({ env });
  if (electron.missing) return electron.missing;
  const [major, minor] = nodeVersion.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    return `Electron 45 needs Node >= ${MIN_NODE.join('.')} for its tooling; this is Node ${nodeVersion}`;
  }
  if (!resolveFrom('playwright-core')) return 'playwright-core is not installed (npm install in shells/electron)';
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return 'no display: run under xvfb-run (e.g. xvfb-run -a npm test)';
  }
  return null;
}

/** Launch, exercise and quit the app. Resolves with what was checked; throws on failure. */
async function runEndToEnd({ timeoutMs = 120_000, log = () => {} } = {}) {
  const electron = electronExecutable();
  if (electron.missing) throw new Error(electron.missing);
  const { _electron } = require(resolveFrom('playwright-core'));
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'electron-e2e-'));
  const checks = {};
  let app;
  let backendPid = null;
  try {
    app = await _electron.launch({
      executablePath: electron.file,
      args: [SHELL_DIR],
      cwd: SHELL_DIR,
      env: { ...process.env, DESKTOP_DJANGO_ELECTRON_USER_DATA: userData, ELECTRON_ENABLE_LOGGING: '1' },
      timeout: timeoutMs,
    });
    // Links the app hands to the OS are recorded instead of opening a browser.
    await app.evaluate(({ shell }) => {
      globalThis.openedExternally = [];
      shell.openExternal = async (url) => {
        globalThis.openedExternally.push(url);
      };
    });
    const deadline = Date.now() + timeoutMs;
    let page = null;
    while (!page && Date.now() < deadline) {
      page = app.windows().find((candidate) => candidate.url().startsWith('http://127.0.0.1:')) || null;
      if (!page) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!page) throw new Error(`no window on the app origin within ${timeoutMs / 1000} s`);
    await page.waitForLoadState('domcontentloaded');
    const state = await app.evaluate(() => {
      const shell = globalThis.desktopDjangoShell;
      return { port: shell.port, pid: shell.info && shell.info.pid, failed: shell.failed };
    });
    if (state.failed) throw new Error(`the app reported: ${state.failed.message} ${state.failed.detail}`);
    backendPid = state.pid;
    const origin = `http://127.0.0.1:${state.port}`;
    const body = await page.textContent('body');
    if (!body || /Forbidden/.test(body)) throw new Error(`the Django page did not load: ${String(body).slice(0, 200)}`);
    checks.page = await page.title();
    log(`page: ${checks.page}`);

    // The example app, if this project has it: create a note through the real form (CSRF on).
    const notes = await page.evaluate(async () => (await fetch('/notes/')).status);
    if (notes === 200) {
      const title = `E2E note ${Date.now()}`;
      await page.goto(`${origin}/notes/new/`);
      await page.fill('[name="title"]', title);
      const bodyField = await page.$('[name="body"]');
      if (bodyField) await bodyField.fill('Written by the end-to-end test.');
      await Promise.all([page.waitForURL(`${origin}/notes/`), page.click('button[type="submit"]')]);
      if (!(await page.textContent('#notes')).includes(title)) throw new Error('the new note is not in the list');
      checks.note = title;
      log(`note created: ${title}`);
    }

    // Leaving the origin is blocked in the window and handed to the OS browser.
    await page.evaluate(() => {
      window.location.href = 'https://example.org/';
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (!page.url().startsWith(origin)) throw new Error(`the window left the app origin: ${page.url()}`);
    checks.external = await app.evaluate(() => globalThis.openedExternally);
    if (!checks.external.includes('https://example.org/')) throw new Error('the external link was not handed to the OS');

    await app.close();
    app = null;
    if (backendPid && !(await waitFor(() => !isAlive(backendPid), { timeoutMs: 20_000, intervalMs: 100 }))) {
      throw new Error(`the backend (pid ${backendPid}) is still running after quit`);
    }
    checks.backendStopped = true;
    return checks;
  } finally {
    if (app) await app.close().catch(() => {});
    if (backendPid && isAlive(backendPid)) {
      try {
        process.kill(backendPid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    fs.rmSync(userData, { recursive: true, force: true });
  }
}

module.exports = { SHELL_DIR, electronExecutable, runEndToEnd, skipReason };
