#!/usr/bin/env node
// Launch smoke test of the built Tauri app (`npm run smoke`, or `python scripts/smoke.py tauri`
// from the project root). It starts src-tauri/target/release/<mainBinaryName> (built by
// `npm run build`) with a throw-away data dir, waits until the window has loaded the Django
// page, lets the app quit, and checks that the backend stopped with it.
//
// Prints ONE JSON line: {"shell": "tauri", "status": "passed" | "failed" | "skipped", "reason": ...}.
// Without a built app it skips and says why (e.g. compiling needs crates.io).
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");

const SHELL_DIR = path.resolve(__dirname, "..");
const CONF = JSON.parse(fs.readFileSync(path.join(SHELL_DIR, "src-tauri", "tauri.conf.json"), "utf8"));
// `tauri build` names the program after mainBinaryName (the project slug).
const BINARY_NAME = (CONF.mainBinaryName || "tauri-shell") + (process.platform === "win32" ? ".exe" : "");
const BINARY = path.join(SHELL_DIR, "src-tauri", "target", "release", BINARY_NAME);
const TIMEOUT_MS = 180_000;

function report(status, fields) {
  console.log(JSON.stringify({ shell: "tauri", status, ...fields }));
  process.exitCode = status === "failed" ? 1 : 0;
}

function relative(file) {
  return path.relative(path.resolve(SHELL_DIR, "..", ".."), file).split(path.sep).join("/");
}

/**
 * Can this machine compile the shell? Resolves the crate graph against crates.io's index with
 * `cargo generate-lockfile` in a temporary copy of Cargo.toml (downloads no crate, writes nothing
 * in the project). Returns {ok, detail}.
 */
function probeCratesIo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-shell-probe-"));
  try {
    fs.copyFileSync(path.join(SHELL_DIR, "src-tauri", "Cargo.toml"), path.join(dir, "Cargo.toml"));
    fs.mkdirSync(path.join(dir, "src"));
    fs.writeFileSync(path.join(dir, "src", "lib.rs"), "");
    fs.writeFileSync(path.join(dir, "src", "main.rs"), "fn main() {}\n");
    const run = spawnSync("cargo", ["generate-lockfile"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 90_000,
      env: { ...process.env, CARGO_NET_RETRY: "0", CARGO_HTTP_TIMEOUT: "15" },
    });
    if (run.error && run.error.code === "ENOENT") return { ok: false, detail: "cargo (Rust) is not installed" };
    if (run.error) return { ok: false, detail: `cargo did not finish: ${run.error.message}` };
    if (run.status === 0) return { ok: true, detail: "crates.io is reachable" };
    const lines = (run.stderr || "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    return { ok: false, detail: `cargo: ${lines[lines.length - 1] || `exit ${run.status}`}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

async function waitGone(pid, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !pidAlive(pid);
}

function launchCommand() {
  const headless = process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  if (!headless) return [BINARY, []];
  const xvfb = spawnSync("xvfb-run", ["--help"], { stdio: "ignore" });
  if (xvfb.error) return null;
  return ["xvfb-run", ["-a", BINARY]];
}

async function main() {
  if (!fs.existsSync(BINARY)) {
    const probe = probeCratesIo();
    const missing = `no built app at ${relative(BINARY)}`;
    if (probe.ok) {
      report("skipped", { reason: `${missing}: build it first with \`npm run build\` in shells/tauri` });
    } else {
      report("skipped", {
        reason:
          `${missing}: compiling the Tauri shell needs crates.io (tauri and its crates), ` +
          `which this machine cannot reach (${probe.detail})`,
      });
    }
    return;
  }
  const command = launchCommand();
  if (!command) {
    report("skipped", { reason: "no display, and xvfb-run is not installed to provide one" });
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-smoke-data-"));
  const events = {};
  const started = Date.now();
  const child = spawn(command[0], command[1], {
    cwd: SHELL_DIR,
    env: { ...process.env, DESKTOP_DJANGO_SMOKE: "1", DESKTOP_DJANGO_APP_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
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
        if (event && event.event) events[event.event] = event;
      } catch {
        // not a status line
      }
    }
  });
  const timer = setTimeout(() => {
    try {
      if (process.platform === "win32") child.kill();
      else process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, TIMEOUT_MS);
  const exitCode = await new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  clearTimeout(timer);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const backendPid = events["backend-ready"] && events["backend-ready"].backend_pid;
  const backendGone = backendPid ? await waitGone(backendPid, 20_000) : true;
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (exitCode === 0 && events["page-loaded"] && backendGone) {
    report("passed", { seconds, url: events["page-loaded"].url.replace(/\/\/[^/]+/, "//127.0.0.1:<port>") });
  } else {
    const reason = events["backend-failed"]
      ? `backend failed: ${events["backend-failed"].reason}`
      : !events["page-loaded"]
        ? `the app page never loaded (exit code ${exitCode})`
        : !backendGone
          ? `the backend (pid ${backendPid}) outlived the app`
          : `the app exited with code ${exitCode}`;
    report("failed", { reason, seconds, stderr: stderr.slice(-1500) });
  }
}

main().catch((error) => report("failed", { reason: String(error && error.stack ? error.stack : error) }));
