// Tests of the config patches scripts/tauri.cjs hands to `tauri dev` / `tauri build`.
// Run with `node --test scripts/tauri.test.cjs` (part of `npm test`).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { configPatch, readPubkey, missingToolchain, missingForDev } = require("./tauri.cjs");

const withFeed = { plugins: { updater: { endpoints: ["https://example.org/latest.json"] } } };
const manual = {};

test("dev runs from source: no stage resources, updater key injected when present", () => {
  const { patch, errors } = configPatch({ command: "dev", conf: withFeed, pubkey: "PUB" });
  assert.deepEqual(errors, []);
  assert.deepEqual(patch, { bundle: { resources: null }, plugins: { updater: { pubkey: "PUB" } } });
});

test("dev without a key runs without the updater instead of failing", () => {
  const { patch, errors, notes } = configPatch({ command: "dev", conf: withFeed, pubkey: null });
  assert.deepEqual(errors, []);
  assert.deepEqual(patch.plugins, { updater: null });
  assert.match(notes[0], /without in-app updates/);
});

test("build with a feed needs the public key and says how to make one", () => {
  const { errors } = configPatch({ command: "build", conf: withFeed, pubkey: null, signingKey: true });
  assert.equal(errors.length, 1);
  assert.match(errors[0], /no updater public key/);
  assert.match(errors[0], /tauri signer generate/);
  assert.match(errors[0], /updater-public\.key/);
});

test("build with a feed signs the update artifacts", () => {
  const unsigned = configPatch({ command: "build", conf: withFeed, pubkey: "PUB" });
  assert.match(unsigned.errors.join("\n"), /TAURI_SIGNING_PRIVATE_KEY/);
  const signed = configPatch({ command: "build", conf: withFeed, pubkey: "PUB", signingKey: true });
  assert.deepEqual(signed.errors, []);
  assert.deepEqual(signed.patch, { plugins: { updater: { pubkey: "PUB" } } });
});

test("build --no-updater drops the updater and its artifacts", () => {
  const { patch, errors } = configPatch({ command: "build", conf: withFeed, pubkey: null, noUpdater: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(patch, { plugins: { updater: null }, bundle: { createUpdaterArtifacts: false } });
});

test("manual projects have no updater to configure", () => {
  assert.deepEqual(configPatch({ command: "build", conf: manual, pubkey: null }), {
    patch: {},
    errors: [],
    notes: [],
  });
});

test("build needs the staged backend", () => {
  const { errors } = configPatch({ command: "build", conf: manual, pubkey: null, stageExists: false });
  assert.match(errors[0], /python scripts\/stage_backend\.py/);
});

test("the public key comes from the environment first, then the file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tauri-key-"));
  const file = path.join(dir, "updater-public.key");
  assert.equal(readPubkey({}, file), null);
  fs.writeFileSync(file, "FROM-FILE\n");
  assert.equal(readPubkey({}, file), "FROM-FILE");
  assert.equal(readPubkey({ TAURI_UPDATER_PUBKEY: " FROM-ENV " }, file), "FROM-ENV");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a missing toolchain is one line naming the fix", () => {
  const missing = { error: Object.assign(new Error("spawn ENOENT"), { code: "ENOENT" }) };
  const ok = { status: 0 };
  const answers = (byCommand) => (command) => byCommand[command];
  const noCargo = missingToolchain({ run: answers({ cargo: missing }), platform: "linux" });
  assert.match(noCargo, /^cargo \(Rust\) is not installed: .*rustup\.rs/);
  const noWebKit = missingToolchain({
    run: answers({ cargo: ok, "pkg-config": { status: 1 } }),
    platform: "linux",
  });
  assert.match(noWebKit, /^WebKitGTK 4\.1 development files are missing: sudo apt-get install libwebkit2gtk-4\.1-dev/);
  assert.doesNotMatch(noWebKit, /\n/);
  assert.equal(missingToolchain({ run: answers({ cargo: ok }), platform: "darwin" }), null);
  assert.equal(missingToolchain({ run: answers({ cargo: ok, "pkg-config": ok }), platform: "linux" }), null);
});

test("check: the toolchain first, then the Tauri CLI, each as one line with its install command", () => {
  const ok = { status: 0 };
  const allThere = () => ({ status: 0 });
  const noCli = () => {
    throw Object.assign(new Error("Cannot find module"), { code: "MODULE_NOT_FOUND" });
  };
  const found = () => "/x/node_modules/@tauri-apps/cli/package.json";
  assert.equal(missingForDev({ run: allThere, platform: "linux", resolve: found }), null);
  const cli = missingForDev({ run: allThere, platform: "linux", resolve: noCli });
  assert.equal(
    cli,
    "the Tauri CLI is not installed (node_modules/@tauri-apps/cli): cd shells/tauri && npm install",
  );
  const noCargo = missingForDev({
    run: (command) => (command === "cargo" ? { status: 127 } : ok),
    platform: "linux",
    resolve: noCli,
  });
  assert.match(noCargo, /^cargo \(Rust\) is not installed/);
});

test("check exits 0 silently, or 1 with one line on stderr", () => {
  const { spawnSync } = require("node:child_process");
  const script = path.join(__dirname, "tauri.cjs");
  const run = spawnSync(process.execPath, [script, "check"], { encoding: "utf8" });
  const expected = missingForDev();
  assert.equal(run.stdout, "");
  if (expected) {
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `${expected}\n`);
  } else {
    assert.deepEqual([run.status, run.stderr], [0, ""]);
  }
});
