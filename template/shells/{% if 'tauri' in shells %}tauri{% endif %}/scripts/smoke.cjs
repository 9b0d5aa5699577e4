#!/usr/bin/env node
// Launch test of the built Tauri app (`npm run smoke`, or `python scripts/smoke.py tauri` from the
// project root), run against the app as it is installed: on Linux the .deb that `npm run build`
// wrote, unpacked with `dpkg-deb -x` (the frozen backend is its resource); elsewhere the release
// binary next to its resources. Each launch gets a throw-away app data folder.
//
// Checks (see CHECKS): the app shows the Django page and quits with the backend stopping cleanly;
// on Linux also: the page in the window through WebDriver (tauri-driver + WebKitWebDriver: the
// bootstrap cookie worked, links off the app origin do not navigate, a screenshot), a second
// launch only focuses the first, SIGTERM quits cleanly, kill -9 of the app leaves no backend or
// worker, a backend that cannot start shows the error window naming its log file, and with no
// DESKTOP_DJANGO_APP_DATA_DIR the database lands in Tauri's app data folder (reported as
// "app_data", which tests/test_tauri.py compares with the Python contract's folder).
//
// Prints ONE JSON line: {"shell": "tauri", "status": "passed" | "failed" | "skipped", ...}.
// On Linux without a display or session bus it re-runs itself under xvfb-run / dbus-run-session.
"use strict";

const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");

const SHELL_DIR = path.resolve(__dirname, "..");
const TAURI_DIR = path.join(SHELL_DIR, "src-tauri");
const CONF = JSON.parse(fs.readFileSync(path.join(TAURI_DIR, "tauri.conf.json"), "utf8"));
const EXE = process.platform === "win32" ? ".exe" : "";
// `tauri build` names the program after mainBinaryName (the project slug).
const BINARY_NAME = (CONF.mainBinaryName || "tauri-shell") + EXE;
// cargo honours CARGO_TARGET_DIR (relative to where it runs: src-tauri).
const TARGET_DIR = path.resolve(TAURI_DIR, process.env.CARGO_TARGET_DIR || "target");
const RELEASE_DIR = path.join(TARGET_DIR, "release");
const LINUX = process.platform === "linux";
const LAUNCH_TIMEOUT_MS = 120_000;
const SCREENSHOT = path.join(TARGET_DIR, "smoke", "window.png");
const FIX_WEBDRIVER =
  "cargo install tauri-driver --version 2.1.0 --locked; sudo apt-get install webkit2gtk-driver";

function report(status, fields) {
  console.log(JSON.stringify({ shell: "tauri", status, ...fields }));
  process.exitCode = status === "failed" ? 1 : 0;
}

function relative(file) {
  return path.relative(path.resolve(SHELL_DIR, "..", ".."), file).split(path.sep).join("/");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function has(command) {
  return !spawnSync(command, ["--help"], { stdio: "ignore" }).error;
}

// -- where the app is --------------------------------------------------------------------------

/** {binary, root, cleanup}: the app to launch and the folder every one of its processes runs from. */
function locateApp() {
  const debDir = path.join(RELEASE_DIR, "bundle", "deb");
  const debs = fs.existsSync(debDir) ? fs.readdirSync(debDir).filter((f) => f.endsWith(".deb")) : [];
  if (LINUX && debs.length) {
    const newest = debs
      .map((name) => path.join(debDir, name))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-smoke-deb-"));
    const unpack = spawnSync("dpkg-deb", ["-x", newest, root], { encoding: "utf8" });
    if (unpack.error || unpack.status !== 0) {
      throw new Error(`dpkg-deb -x ${relative(newest)} failed: ${unpack.stderr || unpack.error}`);
    }
    return {
      binary: path.join(root, "usr", "bin", BINARY_NAME),
      root,
      from: relative(newest),
      cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
    };
  }
  const binary = path.join(RELEASE_DIR, BINARY_NAME);
  if (!fs.existsSync(binary)) return null;
  return { binary, root: RELEASE_DIR, from: relative(binary), cleanup: () => {} };
}

// -- processes ---------------------------------------------------------------------------------

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** Linux: pids of every process whose program lies under `root` (the app, backend, worker). */
function processesUnder(root) {
  if (!LINUX) return [];
  const found = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = fs.readlinkSync(`/proc/${entry}/exe`);
      if (exe.startsWith(root + path.sep)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

async function waitFor(predicate, ms, step = 100) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value || Date.now() >= deadline) return value;
    await sleep(step);
  }
}

/** A running app: its status lines (`events`), stderr tail and exit. */
function launch(app, dataDir, { smoke = false, env = {} } = {}) {
  const child = spawn(app.binary, [], {
    cwd: os.tmpdir(),
    env: {
      ...process.env,
      DESKTOP_DJANGO_APP_DATA_DIR: dataDir,
      ...(smoke ? { DESKTOP_DJANGO_SMOKE: "1" } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run = { child, events: {}, stderr: "", started: Date.now(), exit: null };
  run.exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      run.exit = { code, signal };
      resolve(run.exit);
    }),
  );
  child.stderr.on("data", (chunk) => {
    run.stderr = (run.stderr + chunk).slice(-6000);
  });
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      try {
        const event = JSON.parse(line);
        if (event && event.event) run.events[event.event] = { ...event, at: Date.now() - run.started };
      } catch {
        // not a status line
      }
    }
  });
  return run;
}

function killHard(run) {
  try {
    run.child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

async function exitWithin(run, ms) {
  const timer = sleep(ms).then(() => null);
  return Promise.race([run.exited, timer]);
}

/** Wait for the Django page in the window (or a failure); returns the event name. */
async function pageOrFailure(run, ms = LAUNCH_TIMEOUT_MS) {
  await waitFor(() => run.events["page-loaded"] || run.events["backend-failed"] || run.exit, ms);
  if (run.events["page-loaded"]) return "page-loaded";
  if (run.events["backend-failed"]) return `backend failed: ${run.events["backend-failed"].reason}`;
  if (run.exit) return `the app exited (code ${run.exit.code}, signal ${run.exit.signal})`;
  return `no page within ${ms / 1000} s`;
}

function stopped(run) {
  const event = run.events["backend-stopped"];
  return event ? event.code : undefined;
}

// -- WebDriver (tauri-driver in front of WebKitWebDriver) --------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function tauriDriverPath() {
  const home = path.join(os.homedir(), ".cargo", "bin", "tauri-driver");
  if (has("tauri-driver")) return "tauri-driver";
  return fs.existsSync(home) ? home : null;
}

async function webdriver(base, method, route, body, timeoutMs = 60_000) {
  const response = await fetch(base + route, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(`WebDriver ${method} ${route}: ${JSON.stringify(data.value)}`);
  return data.value;
}

/** Start tauri-driver; returns {base, stop} once it answers, or null with a reason. */
async function startDriver(env) {
  const driver = tauriDriverPath();
  if (!driver) return { reason: `tauri-driver is not installed (${FIX_WEBDRIVER})` };
  if (!has("WebKitWebDriver")) return { reason: `WebKitWebDriver is not installed (${FIX_WEBDRIVER})` };
  const [port, nativePort] = [await freePort(), await freePort()];
  // Its own process group: stopping it also stops WebKitWebDriver and the app it started.
  const child = spawn(driver, ["--port", String(port), "--native-port", String(nativePort)], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const base = `http://127.0.0.1:${port}`;
  const up = await waitFor(async () => {
    try {
      await fetch(`${base}/status`, { signal: AbortSignal.timeout(1000) });
      return true;
    } catch {
      return false;
    }
  }, 15_000);
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  if (!up) {
    stop();
    return { reason: `tauri-driver did not answer: ${stderr.trim().split("\n").pop()}` };
  }
  return { base, stop };
}

// -- the checks ----------------------------------------------------------------------------------

/** Launch, page, quit (the smoke mode quits like the Quit menu does); every OS. */
async function checkLaunchAndQuit(app, dataDir) {
  const run = launch(app, dataDir, { smoke: true });
  const page = await pageOrFailure(run);
  const exit = await exitWithin(run, 30_000);
  if (page !== "page-loaded") {
    killHard(run);
    return { ok: false, detail: page, stderr: run.stderr.slice(-1500) };
  }
  const seconds = run.events["page-loaded"].at / 1000;
  const pid = run.events["backend-ready"] && run.events["backend-ready"].backend_pid;
  const backendGone = pid ? await waitFor(() => !pidAlive(pid), 5_000) : false;
  const left = await waitFor(() => processesUnder(app.root).length === 0, 5_000);
  if (!exit || exit.code !== 0) return { ok: false, detail: `quit: exit ${JSON.stringify(exit)}` };
  if (stopped(run) !== 0) return { ok: false, detail: `backend stopped with ${stopped(run)}` };
  if (!backendGone || !left) return { ok: false, detail: "a backend process outlived the app" };
  return { ok: true, detail: `page in ${seconds} s, quit with exit 0, backend exit 0`, seconds };
}

/** SIGTERM (logout, shutdown) quits like the Quit menu: exit 0, backend exit 0, nothing left. */
async function checkSigterm(app, dataDir) {
  const run = launch(app, dataDir);
  const page = await pageOrFailure(run);
  if (page !== "page-loaded") {
    killHard(run);
    return { ok: false, detail: page, stderr: run.stderr.slice(-1500) };
  }
  run.child.kill("SIGTERM");
  const exit = await exitWithin(run, 30_000);
  const left = await waitFor(() => processesUnder(app.root).length === 0, 5_000);
  if (!exit || exit.code !== 0) return { ok: false, detail: `SIGTERM: exit ${JSON.stringify(exit)}` };
  if (stopped(run) !== 0) return { ok: false, detail: `backend stopped with ${stopped(run)}` };
  if (!left) return { ok: false, detail: `still running: ${processesUnder(app.root)}` };
  return { ok: true, detail: "exit 0, backend exit 0, no process left" };
}

/**
 * The app under WebDriver: the Django page is in the window (title, URL, no splash), a link and a
 * script off the app origin do not navigate it, and a screenshot is saved. Then, with that app
 * still running: a second launch starts no backend and exits, and kill -9 of the app leaves no
 * backend or worker alive 2 s later.
 */
async function checkWindow(app, dataDir) {
  const results = {};
  const env = { ...process.env, DESKTOP_DJANGO_APP_DATA_DIR: dataDir };
  const driver = await startDriver(env);
  if (!driver.base) {
    results.webdriver = { skipped: driver.reason };
    return { ...results, ...(await checkRunningApp(app, dataDir, null)) };
  }
  let session = null;
  try {
    const created = await webdriver(driver.base, "POST", "/session", {
      capabilities: {
        alwaysMatch: { browserName: "wry", "tauri:options": { application: app.binary } },
      },
    });
    session = `/session/${created.sessionId}`;
    const url = () => webdriver(driver.base, "GET", `${session}/url`);
    const onApp = (href) => /^http:\/\/127\.0\.0\.1:\d+\//.test(href) && !href.includes("bootstrap");
    const href = await waitFor(async () => onApp(await url()) && (await url()), LAUNCH_TIMEOUT_MS, 250);
    if (!href) throw new Error(`the window never left the splash (${await url()})`);
    const script = (source, args = []) =>
      webdriver(driver.base, "POST", `${session}/execute/sync`, { script: source, args });
    await waitFor(() => script("return document.readyState === 'complete'"), 10_000);
    const page = await script(
      "return {title: document.title, text: document.body ? document.body.innerText.length : 0," +
        " splash: !!document.querySelector('.spinner'), cookie: document.cookie}",
    );
    if (page.splash || page.text === 0) throw new Error(`not the Django page: ${JSON.stringify(page)}`);
    results.page = { ok: true, detail: `"${page.title}" at ${href.replace(/:\d+\//, ":<port>/")}` };
    // The auth cookie is HttpOnly: the page's scripts must not see it.
    if (page.cookie.includes("desktop")) throw new Error(`a script can read the cookie: ${page.cookie}`);

    const png = await webdriver(driver.base, "GET", `${session}/screenshot`);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    fs.writeFileSync(SCREENSHOT, Buffer.from(png, "base64"));
    results.screenshot = { ok: true, detail: relative(SCREENSHOT) };

    // Off-origin navigation: a clicked link and a script both leave the window where it is.
    await script(
      "const a = document.createElement('a'); a.href = 'https://example.com/'; a.id = 'smoke-off';" +
        " a.textContent = 'off'; document.body.appendChild(a); a.click();",
    );
    await sleep(1500);
    await script("window.location.href = 'https://example.org/';");
    await sleep(1500);
    const after = await url();
    results.navigation = onApp(after)
      ? { ok: true, detail: "a link and a script to https:// stayed on the app origin" }
      : { ok: false, detail: `the window navigated to ${after}` };

  } catch (error) {
    results.page = { ok: false, detail: String(error.message || error) };
  }
  if (results.page && results.page.ok) {
    // Ends with kill -9 of the app: the session is gone with it, so it is not deleted.
    Object.assign(results, await checkRunningApp(app, dataDir, "running under WebDriver"));
  } else if (session) {
    await webdriver(driver.base, "DELETE", session, undefined, 10_000).catch(() => {});
  }
  driver.stop();
  return results;
}

/** Second launch and kill -9 against an app that is already up (started here if `how` is null). */
async function checkRunningApp(app, dataDir, how) {
  const results = {};
  let first = null;
  if (!how) {
    first = launch(app, dataDir);
    const page = await pageOrFailure(first);
    if (page !== "page-loaded") {
      killHard(first);
      return { page: { ok: false, detail: page, stderr: first.stderr.slice(-1500) } };
    }
  }
  const appPids = () => processesUnder(app.root).filter((pid) => realExe(pid) === realExe(app.binary));
  const appPid = first ? first.child.pid : appPids()[0];
  if (!appPid) return { "second-launch": { ok: false, detail: "cannot find the running app" } };
  const before = new Set(processesUnder(app.root));

  const second = launch(app, dataDir);
  const seen = new Set();
  const secondExit = await waitFor(() => {
    for (const pid of processesUnder(app.root)) seen.add(pid);
    return second.exit;
  }, 20_000, 50);
  const newBackends = [...seen].filter((pid) => !before.has(pid) && pid !== second.child.pid);
  if (!secondExit) killHard(second);
  results["second-launch"] =
    secondExit && secondExit.code === 0 && newBackends.length === 0 && !second.events["backend-ready"]
      ? { ok: true, detail: "exited at once, no second backend, the first app kept running" }
      : {
          ok: false,
          detail: `exit ${JSON.stringify(secondExit)}, new processes ${newBackends}`,
          stderr: second.stderr.slice(-1500),
        };
  if (!pidAlive(appPid)) results["second-launch"] = { ok: false, detail: "the first app died" };

  process.kill(appPid, "SIGKILL");
  await sleep(2000);
  const survivors = processesUnder(app.root);
  results["kill-9"] = survivors.length
    ? { ok: false, detail: `alive 2 s after kill -9 of the app: ${survivors}` }
    : { ok: true, detail: "no backend or worker alive 2 s later" };
  if (first) await exitWithin(first, 5_000);
  return results;
}

function realExe(pidOrPath) {
  try {
    return typeof pidOrPath === "number"
      ? fs.readlinkSync(`/proc/${pidOrPath}/exe`)
      : fs.realpathSync(pidOrPath);
  } catch {
    return null;
  }
}

/** A backend that cannot start (a corrupt database) ends in the error window naming its log. */
async function checkFailureWindow(app, dataDir) {
  fs.writeFileSync(path.join(dataDir, "app.sqlite3"), "this is not a database\n".repeat(64));
  const run = launch(app, dataDir);
  await waitFor(() => run.events["backend-failed"] || run.events["page-loaded"] || run.exit, 60_000);
  const failed = run.events["backend-failed"];
  if (!failed) {
    killHard(run);
    return { ok: false, detail: `no backend-failed event (${JSON.stringify(run.exit)})` };
  }
  const logFile = failed.log_file || "";
  const named = logFile && run.stderr.includes(logFile);
  let windowTitle = null;
  if (has("xdotool")) {
    const search = await waitFor(() => {
      const found = spawnSync("xdotool", ["search", "--name", "could not start"], { encoding: "utf8" });
      return found.status === 0 && found.stdout.trim().split("\n")[0];
    }, 15_000, 250);
    if (search) {
      const name = spawnSync("xdotool", ["getwindowname", search], { encoding: "utf8" });
      windowTitle = name.stdout.trim();
    }
  }
  run.child.kill("SIGTERM");
  if (!(await exitWithin(run, 15_000))) killHard(run);
  const left = await waitFor(() => processesUnder(app.root).length === 0, 5_000);
  if (!named) return { ok: false, detail: `the message does not name the log file ${logFile}` };
  if (has("xdotool") && !windowTitle) return { ok: false, detail: "no error window appeared" };
  if (!left) return { ok: false, detail: "a backend process outlived the failed start" };
  const shown = windowTitle ? `window "${windowTitle}"` : "message (xdotool not installed to see the window)";
  return { ok: true, detail: `${shown} naming ${path.basename(logFile)}: ${failed.reason}` };
}

/**
 * No preset folder: the shell picks the app data folder (Tauri's app_local_data_dir). Launched
 * with HOME and XDG_DATA_HOME under `root`, XDG_DATA_HOME absolute and then relative (the XDG spec
 * says to ignore it then); each case reports where app.sqlite3 appeared.
 */
async function checkAppData(app, root) {
  const cases = [];
  for (const [name, xdg] of [["absolute", path.join(root, "xdg-data")], ["relative", "relative/xdg-data"]]) {
    const home = path.join(root, name, "home");
    fs.mkdirSync(home, { recursive: true });
    const env = { DESKTOP_DJANGO_APP_DATA_DIR: undefined, HOME: home, XDG_DATA_HOME: xdg };
    const run = launch(app, undefined, { smoke: true, env });
    const page = await pageOrFailure(run);
    if (!(await exitWithin(run, 30_000))) killHard(run);
    if (page !== "page-loaded") return { ok: false, detail: `${name}: ${page}`, stderr: run.stderr.slice(-1500) };
    const found = fs
      .readdirSync(root, { recursive: true })
      .filter((file) => path.basename(file) === "app.sqlite3" && !cases.some((c) => c.file === file));
    if (found.length !== 1) return { ok: false, detail: `${name}: app.sqlite3 found at ${JSON.stringify(found)}` };
    const databaseDir = path.dirname(path.join(root, found[0]));
    if (path.basename(databaseDir) !== CONF.identifier) {
      return { ok: false, detail: `${name}: app.sqlite3 in ${databaseDir}, not a folder named ${CONF.identifier}` };
    }
    cases.push({ file: found[0], home, xdg_data_home: xdg, database_dir: databaseDir });
  }
  const where = cases.map((c) => `${c.file} (XDG_DATA_HOME ${c.xdg_data_home})`).join(", ");
  return { ok: true, detail: `app.sqlite3 at ${where}`, cases: cases.map(({ file, ...c }) => c) };
}

// -- main --------------------------------------------------------------------------------------

/** On Linux, provide a display (xvfb-run) and a session bus (single instance uses D-Bus). */
function rerunWrapped() {
  if (!LINUX || process.env.TAURI_SMOKE_WRAPPED) return null;
  const wrappers = [];
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    if (!has("xvfb-run")) return { skipped: "no display, and xvfb-run is not installed (apt-get install xvfb xauth)" };
    wrappers.push("xvfb-run", "-a", "-s", "-screen 0 1280x1024x24");
  }
  if (!process.env.DBUS_SESSION_BUS_ADDRESS && has("dbus-run-session")) {
    wrappers.push("dbus-run-session", "--");
  }
  if (!wrappers.length) return null;
  const run = spawnSync(wrappers[0], [...wrappers.slice(1), process.execPath, __filename], {
    stdio: "inherit",
    env: { ...process.env, TAURI_SMOKE_WRAPPED: "1" },
  });
  return { status: run.status === null ? 1 : run.status };
}

async function main() {
  const wrapped = rerunWrapped();
  if (wrapped && wrapped.skipped) return report("skipped", { reason: wrapped.skipped });
  if (wrapped) {
    process.exitCode = wrapped.status;
    return;
  }
  const app = locateApp();
  if (!app) {
    const where = relative(LINUX ? path.join(RELEASE_DIR, "bundle", "deb") : path.join(RELEASE_DIR, BINARY_NAME));
    return report("skipped", {
      reason: `no built app at ${where}: build it first with \`npm run build\` in shells/tauri`,
    });
  }
  const started = Date.now();
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-smoke-data-"));
  const dataDir = (name) => fs.mkdirSync(path.join(dataRoot, name), { recursive: true, mode: 0o700 });
  const checks = {};
  try {
    checks.launch = await checkLaunchAndQuit(app, dataDir("launch"));
    if (LINUX && checks.launch.ok) {
      Object.assign(checks, await checkWindow(app, dataDir("window")));
      checks.sigterm = await checkSigterm(app, dataDir("sigterm"));
      checks["failure-window"] = await checkFailureWindow(app, dataDir("failure"));
      checks["app-data"] = await checkAppData(app, dataDir("app-data"));
    }
  } finally {
    for (const pid of processesUnder(app.root)) process.kill(pid, "SIGKILL");
    fs.rmSync(dataRoot, { recursive: true, force: true });
    app.cleanup();
  }
  const failed = Object.entries(checks).filter(([, check]) => check.ok === false);
  const summary = Object.fromEntries(
    Object.entries(checks).map(([name, c]) => [name, c.skipped ? `skipped: ${c.skipped}` : c.detail]),
  );
  const fields = {
    app: app.from,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    page_seconds: checks.launch.seconds,
    checks: summary,
    ...(checks["app-data"] && checks["app-data"].cases ? { app_data: checks["app-data"].cases } : {}),
  };
  if (failed.length) {
    const [name, check] = failed[0];
    return report("failed", { reason: `${name}: ${check.detail}`, ...fields, stderr: check.stderr });
  }
  return report("passed", fields);
}

module.exports = { locateApp, launch, pageOrFailure, exitWithin, killHard, processesUnder, waitFor };

if (require.main === module) {
  main().catch((error) => report("failed", { reason: String(error && error.stack ? error.stack : error) }));
}
