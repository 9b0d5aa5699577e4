// Tests of the config patches scripts/tauri.cjs hands to `tauri dev` / `tauri build`.
// Run with `node --test scripts/tauri.test.cjs` (part of `npm test`).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { configPatch, readPubkey } = require("./tauri.cjs");

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
