'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { MANUAL_FEED_PLACEHOLDER, builderConfig, fromProject, stagedVersion } = require('./builder-config');
const { validateAnswers } = require('./answers');

const BASE = validateAnswers({
  productName: 'Field Notes',
  projectSlug: 'field-notes',
  packageName: 'field_notes',
  appId: 'org.example.field-notes',
  version: '1.2.3',
  description: 'Notes in the field.',
  author: { name: 'Acme', email: 'dev@acme.example' },
  updates: { feed: 'manual' },
  macSigning: { enabled: false },
  windowsSigning: { enabled: false },
});
const answers = (changes) => validateAnswers({ ...BASE, ...changes });
const API_KEY_ENV = { APPLE_API_KEY: '/k.p8', APPLE_API_KEY_ID: 'K', APPLE_API_ISSUER: 'I' };
const AZURE = {
  AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://eus.codesigning.azure.net',
  AZURE_TRUSTED_SIGNING_ACCOUNT: 'acct',
  AZURE_TRUSTED_SIGNING_PROFILE: 'prof',
};

test('ids, names, version and the bundled backend', () => {
  const config = builderConfig(BASE);
  assert.equal(config.appId, 'org.example.field-notes');
  assert.equal(config.productName, 'Field Notes');
  assert.equal(config.extraMetadata.version, '1.2.3');
  assert.equal(config.extraMetadata.name, 'field-notes');
  assert.deepEqual(config.extraResources, [{ from: '../../.stage/backend', to: 'backend', filter: ['**/*'] }]);
  assert.equal(config.directories.output, 'dist');
  assert.ok(config.files.includes('app.answers.json'), 'the app reads its answers at run time');
  assert.ok(config.files.includes('!src/**/*.test.js'), 'tests are not shipped');
  assert.equal(config.artifactName, '${name}-${os}-${version}-${arch}.${ext}');
  assert.equal(builderConfig(BASE, { version: '2.0.0' }).extraMetadata.version, '2.0.0');
});

test('installers: dmg+zip hardened on macOS, per-user assisted NSIS, AppImage', () => {
  const config = builderConfig(BASE);
  assert.deepEqual(config.mac.target.map((t) => t.target), ['dmg', 'zip']);
  assert.equal(config.mac.hardenedRuntime, true);
  assert.ok(fs.existsSync(path.join(__dirname, '..', config.mac.entitlements)), 'the entitlements file exists');
  assert.deepEqual(config.win.target.map((t) => t.target), ['nsis']);
  assert.equal(config.nsis.oneClick, false);
  assert.equal(config.nsis.perMachine, false);
  assert.equal(config.nsis.allowToChangeInstallationDirectory, true);
  assert.equal(config.nsis.deleteAppDataOnUninstall, false, 'app data survives uninstall and update');
  assert.deepEqual(config.linux.target.map((t) => t.target), ['AppImage']);
});

test('publish per update feed', () => {
  assert.deepEqual(builderConfig(answers({ updates: { feed: 'github', githubRepository: 'acme/field-notes' } })).publish,
    [{ provider: 'github', owner: 'acme', repo: 'field-notes' }]);
  assert.deepEqual(builderConfig(answers({ updates: { feed: 'generic', url: 'https://dl.example.org/fn/' } })).publish,
    [{ provider: 'generic', url: 'https://dl.example.org/fn/' }]);
  // manual: only so that latest*.yml files are written for "Update from Folder..."
  assert.deepEqual(builderConfig(BASE).publish, [{ provider: 'generic', url: MANUAL_FEED_PLACEHOLDER }]);
});

test('macOS notarization only when answered AND credentials are present', () => {
  assert.equal(builderConfig(BASE, { env: API_KEY_ENV }).mac.notarize, false, 'signing not chosen');
  const apiKey = answers({ macSigning: { enabled: true, notarization: 'api_key' } });
  assert.equal(builderConfig(apiKey, { env: {} }).mac.notarize, false, 'no credentials: unsigned local build');
  assert.equal(builderConfig(apiKey, { env: API_KEY_ENV }).mac.notarize, true);
  const appleId = answers({ macSigning: { enabled: true, notarization: 'apple_id' } });
  assert.equal(builderConfig(appleId, { env: API_KEY_ENV }).mac.notarize, false, 'the other credential style does not count');
  assert.equal(builderConfig(appleId, { env: { APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 'T' } }).mac.notarize, true);
});

test('Windows signing per answer', () => {
  const off = builderConfig(BASE, { env: AZURE }).win;
  assert.equal('signtoolOptions' in off || 'azureSignOptions' in off, false);
  const certificate = builderConfig(answers({ windowsSigning: { enabled: true, method: 'certificate' } })).win;
  assert.deepEqual(certificate.signtoolOptions.signingHashAlgorithms, ['sha256']);
  assert.equal('azureSignOptions' in certificate, false);
  const azureAnswers = answers({ windowsSigning: { enabled: true, method: 'azure_trusted_signing' } });
  assert.equal('azureSignOptions' in builderConfig(azureAnswers, { env: {} }).win, false, 'no Azure settings: unsigned local build');
  assert.deepEqual(builderConfig(azureAnswers, { env: AZURE }).win.azureSignOptions, {
    publisherName: 'Acme',
    endpoint: AZURE.AZURE_TRUSTED_SIGNING_ENDPOINT,
    codeSigningAccountName: 'acct',
    certificateProfileName: 'prof',
  });
});

test("this project's configuration loads like electron-builder loads it", () => {
  const shellDir = path.join(__dirname, '..');
  const config = require(path.join(shellDir, 'electron-builder.config.cjs'));
  assert.deepEqual(config, fromProject(shellDir, process.env));
  assert.equal(typeof config.appId, 'string');
});

test('the installer version follows the staged backend when there is one', () => {
  assert.equal(stagedVersion('/nowhere', () => '{"executable": "b", "version": "3.1.0"}'), '3.1.0');
  assert.equal(stagedVersion('/nowhere', () => {
    throw new Error('ENOENT');
  }), null);
});
