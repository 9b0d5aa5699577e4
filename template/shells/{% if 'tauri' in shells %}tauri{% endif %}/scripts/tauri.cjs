#!/usr/bin/env node
// The npm scripts of the Tauri shell: `npm run icons | dev | build | test | lint | check [-- options]`.
//
// - icons: generate src-tauri/icons from the project's brand source assets/brand/icon.svg.
// - dev:   `tauri dev` running the backend from source (python -m <package>.desktop).
// - build: `tauri build` bundling the frozen backend from .stage/backend.
// - test:  this script's tests, then `cargo test` (contract.rs's tests among them).
// - lint:  `cargo fmt --check` and `cargo clippy --all-targets -- -D warnings`.
// - check: exit 0 silently if `npm run dev` can start here, else ONE line on stderr naming what is
//          missing and how to install it, exit 1 (`python -m <package>.desktop dev --shell tauri`
//          runs it first).
//
// Every cargo step uses the committed Cargo.lock as it is (`--locked`): the crate versions the
// template was tested with. Before compiling, the toolchain is checked, so a missing cargo or
// WebKitGTK costs one line that says how to install it, not a page of compiler output.
//
// What differs between dev and build, and the updater's public key, is passed to Tauri with
// `--config <json>` (merged into src-tauri/tauri.conf.json), so the committed config never
// holds a key that does not exist yet. `build -- --no-updater` builds without the updater.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const SHELL_DIR = path.resolve(__dirname, "..");
const PROJECT_DIR = path.resolve(SHELL_DIR, "..", "..");
const CONF_FILE = path.join(SHELL_DIR, "src-tauri", "tauri.conf.json");
const ICON_SOURCE = path.join(PROJECT_DIR, "assets", "brand", "icon.svg");
const ICON_DIR = path.join(SHELL_DIR, "src-tauri", "icons");
const PUBKEY_FILE = path.join(SHELL_DIR, "updater-public.key");
const PUBKEY_ENV = "TAURI_UPDATER_PUBKEY";
const STAGE_MANIFEST = path.join(PROJECT_DIR, ".stage", "backend", "manifest.json");

const KEY_HELP = [
  "Create the update signing key pair once (keep the private key secret, e.g. in CI secrets):",
  "  cd shells/tauri && npx tauri signer generate -w ~/.tauri/updater.key",
  "then commit the public key (it is not a secret) as shells/tauri/updater-public.key,",
  `or set ${PUBKEY_ENV} to it. See shells/tauri/README.md, "Updates".`,
].join("\n");

/** The updater's public key: $TAURI_UPDATER_PUBKEY, else updater-public.key, else null. */
function readPubkey(env = process.env, file = PUBKEY_FILE) {
  const fromEnv = (env[PUBKEY_ENV] || "").trim();
  if (fromEnv) return fromEnv;
  try {
    return fs.readFileSync(file, "utf8").trim() || null;
  } catch {
    return null;
  }
}

/**
 * What to merge into tauri.conf.json for `command` ("dev" | "build").
 * Returns {patch, errors, notes}: errors stop the command, notes are printed.
 */
function configPatch({ command, conf, pubkey, noUpdater = false, signingKey = false, stageExists = true }) {
  const patch = {};
  const errors = [];
  const notes = [];
  const hasUpdater = Boolean(conf.plugins && conf.plugins.updater);
  if (command === "dev") {
    // Development runs the backend from source: the frozen stage is not needed.
    patch.bundle = { resources: null };
  } else if (!stageExists) {
    errors.push(
      "The frozen backend is missing (.stage/backend/manifest.json). From the project root run:\n" +
        "  python scripts/stage_backend.py",
    );
  }
  if (hasUpdater) {
    if (noUpdater || (command === "dev" && !pubkey)) {
      patch.plugins = { updater: null };
      if (command === "build") patch.bundle = { ...patch.bundle, createUpdaterArtifacts: false };
      notes.push(
        noUpdater
          ? "Building without the updater (--no-updater)."
          : "No updater public key yet: running without in-app updates.",
      );
    } else if (!pubkey) {
      errors.push(`This project has an update feed, but no updater public key.\n${KEY_HELP}`);
    } else {
      patch.plugins = { updater: { pubkey } };
      if (command === "build" && !signingKey) {
        errors.push(
          "Update artifacts must be signed: set TAURI_SIGNING_PRIVATE_KEY (the private key or its " +
            "path) and TAURI_SIGNING_PRIVATE_KEY_PASSWORD, or build without the updater: " +
            "npm run build -- --no-updater",
        );
      }
    }
  }
  return { patch, errors, notes };
}

const LINUX_PACKAGES =
  "sudo apt-get install libwebkit2gtk-4.1-dev build-essential pkg-config libxdo-dev libssl-dev librsvg2-dev";

/** What is missing to compile the shell here, as one line with the fix; null if nothing. */
function missingToolchain({ run = spawnSync, platform = process.platform } = {}) {
  const cargo = run("cargo", ["--version"], { encoding: "utf8" });
  if (cargo.error || cargo.status !== 0) {
    return "cargo (Rust) is not installed: install it from https://rustup.rs, then open a new terminal";
  }
  if (platform === "linux") {
    const pkg = run("pkg-config", ["--exists", "webkit2gtk-4.1"], { encoding: "utf8" });
    if (pkg.error) return `pkg-config is not installed: ${LINUX_PACKAGES}`;
    if (pkg.status !== 0) return `WebKitGTK 4.1 development files are missing: ${LINUX_PACKAGES}`;
  }
  return null;
}

/** The toolchain, then the Tauri CLI (node_modules/@tauri-apps/cli): what `npm run dev` needs. */
function missingForDev({ run, platform, resolve = require.resolve } = {}) {
  const missing = missingToolchain({ run, platform });
  if (missing) return missing;
  try {
    resolve("@tauri-apps/cli/package.json", { paths: [SHELL_DIR] });
  } catch {
    return "the Tauri CLI is not installed (node_modules/@tauri-apps/cli): cd shells/tauri && npm install";
  }
  return null;
}

function preflight(find = missingToolchain) {
  const missing = find();
  if (missing) console.error(missing);
  return missing ? 1 : 0;
}

function cargo(args, env = process.env) {
  const manifest = path.join(SHELL_DIR, "src-tauri", "Cargo.toml");
  const [command, ...rest] = args;
  const run = spawnSync("cargo", [command, "--manifest-path", manifest, ...rest], {
    stdio: "inherit",
    env,
  });
  if (run.error) throw run.error;
  return run.status === null ? 1 : run.status;
}

function tauri(args) {
  const cli = require.resolve("@tauri-apps/cli/tauri.js", { paths: [SHELL_DIR] });
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: SHELL_DIR, stdio: "inherit" });
  if (run.error) throw run.error;
  return run.status === null ? 1 : run.status;
}

function icons() {
  const status = tauri(["icon", ICON_SOURCE, "--output", ICON_DIR]);
  // Desktop only: drop the mobile icon sets `tauri icon` also writes.
  for (const mobile of ["android", "ios"]) {
    fs.rmSync(path.join(ICON_DIR, mobile), { recursive: true, force: true });
  }
  return status;
}

function ensureIcons() {
  return fs.existsSync(path.join(ICON_DIR, "icon.png")) ? 0 : icons();
}

// tauri-build copies the bundle resources; tests and lints do not need the frozen backend.
const NO_STAGE_ENV = { ...process.env, TAURI_CONFIG: JSON.stringify({ bundle: { resources: null } }) };

function test(passThrough) {
  const script = spawnSync(process.execPath, ["--test", path.join(__dirname, "tauri.test.cjs")], {
    stdio: "inherit",
  });
  if (script.status !== 0) return script.status === null ? 1 : script.status;
  const status = preflight() || ensureIcons();
  if (status !== 0) return status;
  return cargo(["test", "--locked", ...passThrough], NO_STAGE_ENV);
}

function lint(passThrough) {
  const status = preflight() || ensureIcons() || cargo(["fmt", "--check"]);
  if (status !== 0) return status;
  return cargo(["clippy", "--locked", "--all-targets", ...passThrough, "--", "-D", "warnings"], NO_STAGE_ENV);
}

function main(argv) {
  const [command, ...rest] = argv;
  if (command === "icons") return icons();
  if (command === "test") return test(rest);
  if (command === "lint") return lint(rest);
  if (command === "check") return preflight(missingForDev);
  if (command !== "dev" && command !== "build") {
    console.error("usage: node scripts/tauri.cjs icons | dev | build | test | lint | check [-- options]");
    return 2;
  }
  const noUpdater = rest.includes("--no-updater");
  const passThrough = rest.filter((arg) => arg !== "--no-updater");
  const { patch, errors, notes } = configPatch({
    command,
    conf: JSON.parse(fs.readFileSync(CONF_FILE, "utf8")),
    pubkey: readPubkey(),
    noUpdater,
    signingKey: Boolean(process.env.TAURI_SIGNING_PRIVATE_KEY),
    stageExists: fs.existsSync(STAGE_MANIFEST),
  });
  for (const note of notes) console.log(note);
  if (errors.length) {
    for (const error of errors) console.error(`\n${error}`);
    return 1;
  }
  const status = preflight(missingForDev) || ensureIcons();
  if (status !== 0) return status;
  // The splash is served by Tauri's own asset protocol, not by the CLI's dev server.
  const devServer = command === "dev" ? ["--no-dev-server"] : [];
  // `tauri build` runs cargo with --locked too: the tested crate versions, or a clear error.
  const locked = command === "build" && !passThrough.includes("--") ? ["--", "--locked"] : [];
  return tauri([command, ...devServer, "--config", JSON.stringify(patch), ...passThrough, ...locked]);
}

module.exports = { configPatch, readPubkey, missingToolchain, missingForDev, KEY_HELP };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
