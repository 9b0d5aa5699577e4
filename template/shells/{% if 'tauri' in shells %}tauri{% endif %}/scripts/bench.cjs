#!/usr/bin/env node
// Figures of the built Tauri app (`npm run bench [-- --compile]`): bundle size with and without
// the frozen backend, launch -> Django page painted (median of 5, warm app data), and the idle
// memory (PSS) of the Tauri process tree (app + WebKit web and network processes) and of the
// backend tree (backend + worker). `--compile` also times a cold release compile (fresh target
// folder) and a warm one (after touching lib.rs): that takes minutes.
//
// Linux, after `npm run build`; under `xvfb-run -a` when there is no display. Prints one JSON line.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { locateApp, launch, pageOrFailure, exitWithin, killHard, waitFor } = require("./smoke.cjs");

const SHELL_DIR = path.resolve(__dirname, "..");
const RUNS = 5;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Proportional set size of one process (shared pages split between their users), in bytes. */
function pss(pid) {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)[1]) * 1024;
  } catch {
    return 0;
  }
}

/** pid -> parent pid, for every process. */
function parents() {
  const map = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  return map;
}

function tree(root, parentOf) {
  const found = [root];
  for (let i = 0; i < found.length; i += 1) {
    for (const [pid, parent] of parentOf) if (parent === found[i]) found.push(pid);
  }
  return found;
}

function sizes(app) {
  const debDir = app.root; // the unpacked .deb
  const deb = app.from.endsWith(".deb") ? path.resolve(SHELL_DIR, "..", "..", app.from) : null;
  const du = (dir) => {
    let total = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) total += du(full);
      else if (entry.isFile()) total += fs.statSync(full).size;
    }
    return total;
  };
  const backendDir = fs
    .readdirSync(path.join(debDir, "usr", "lib"))
    .map((name) => path.join(debDir, "usr", "lib", name, "backend"))
    .find((dir) => fs.existsSync(dir));
  const result = { deb_mb: deb ? mib(fs.statSync(deb).size) : null, installed_mb: mib(du(debDir)) };
  if (deb && backendDir) {
    // The same package without the backend folder, packed the way the bundler packs it.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-bench-deb-"));
    spawnSync("dpkg-deb", ["-R", deb, copy]);
    fs.rmSync(path.join(copy, path.relative(debDir, backendDir)), { recursive: true, force: true });
    const out = `${copy}.deb`;
    const pack = spawnSync("dpkg-deb", ["-Zgzip", "--root-owner-group", "-b", copy, out]);
    if (pack.status === 0) result.deb_without_backend_mb = mib(fs.statSync(out).size);
    result.backend_installed_mb = mib(du(backendDir));
    fs.rmSync(copy, { recursive: true, force: true });
    fs.rmSync(out, { force: true });
  }
  return result;
}

function timeCommand(command, args, options) {
  const started = Date.now();
  const run = spawnSync(command, args, { stdio: "inherit", ...options });
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
  return Math.round((Date.now() - started) / 100) / 10;
}

function compileTimes() {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-bench-target-"));
  const options = {
    cwd: path.join(SHELL_DIR, "src-tauri"),
    env: { ...process.env, CARGO_TARGET_DIR: target, TAURI_CONFIG: '{"bundle":{"resources":null}}' },
  };
  const args = ["build", "--release", "--locked"];
  const cold = timeCommand("cargo", args, options);
  fs.utimesSync(path.join(SHELL_DIR, "src-tauri", "src", "lib.rs"), new Date(), new Date());
  const warm = timeCommand("cargo", args, options);
  fs.rmSync(target, { recursive: true, force: true });
  return { cold_release_compile_s: cold, warm_release_compile_s: warm };
}

async function main() {
  if (process.platform !== "linux") throw new Error("the benchmark reads /proc: run it on Linux");
  const app = locateApp();
  if (!app) throw new Error("no built app: run `npm run build` first");
  const figures = { app: app.from, ...sizes(app) };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-bench-data-"));
  try {
    const first = launch(app, dataDir, { smoke: true });
    if ((await pageOrFailure(first)) !== "page-loaded") throw new Error(first.stderr.slice(-2000));
    figures.first_launch_page_s = first.events["page-loaded"].at / 1000;
    await exitWithin(first, 30_000);
    const times = [];
    for (let i = 0; i < RUNS; i += 1) {
      const run = launch(app, dataDir, { smoke: true });
      if ((await pageOrFailure(run)) !== "page-loaded") throw new Error(run.stderr.slice(-2000));
      times.push(run.events["page-loaded"].at / 1000);
      await exitWithin(run, 30_000);
    }
    figures.launch_to_page_s = { median: median(times), runs: times };

    const idle = launch(app, dataDir);
    if ((await pageOrFailure(idle)) !== "page-loaded") throw new Error(idle.stderr.slice(-2000));
    await waitFor(() => false, 5_000);
    const parentOf = parents();
    const all = tree(idle.child.pid, parentOf);
    const backendPid = idle.events["backend-ready"].backend_pid;
    const backend = tree(backendPid, parentOf);
    const shell = all.filter((pid) => !backend.includes(pid));
    figures.idle_pss_mib = {
      tauri_tree: mib(shell.reduce((sum, pid) => sum + pss(pid), 0)),
      tauri_processes: shell.length,
      backend_tree: mib(backend.reduce((sum, pid) => sum + pss(pid), 0)),
      backend_processes: backend.length,
    };
    idle.child.kill("SIGTERM");
    if (!(await exitWithin(idle, 30_000))) killHard(idle);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    app.cleanup();
  }
  if (process.argv.includes("--compile")) Object.assign(figures, compileTimes());
  console.log(JSON.stringify(figures));
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exitCode = 1;
});
