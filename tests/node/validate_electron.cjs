'use strict';
// Validates the electron-builder configuration of many rendered Electron shells in one process.
//
//   node tests/node/validate_electron.cjs <list.json>
//
// <list.json> is [{"id": ..., "dir": "<render>/shells/electron"}, ...]. For each shell, the config is
// computed by the shell's own src/builder-config.js for two build environments ("local": no
// credentials; "ci": every signing/notarization variable set), checked against electron-builder's
// JSON schema (app-builder-lib/scheme.json) with ajv and the options electron-builder uses, and by
// electron-builder's own validateConfiguration(). Also checks that electron-builder.config.cjs
// (what `electron-builder --config` loads) yields the same object. Prints one JSON array.

const fs = require('node:fs');
const path = require('node:path');

const Ajv = require('ajv');
const { validateConfiguration } = require('app-builder-lib/out/util/config/config');

const schema = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: false });
const validate = ajv.compile(schema);

const CI_ENV = {
  CSC_LINK: 'cert.p12',
  CSC_KEY_PASSWORD: 'x',
  WIN_CSC_LINK: 'win.pfx',
  WIN_CSC_KEY_PASSWORD: 'x',
  APPLE_API_KEY: '/tmp/AuthKey.p8',
  APPLE_API_KEY_ID: 'KEYID',
  APPLE_API_ISSUER: 'issuer',
  APPLE_ID: 'dev@example.org',
  APPLE_APP_SPECIFIC_PASSWORD: 'x',
  APPLE_TEAM_ID: 'TEAMID',
  AZURE_TENANT_ID: 't',
  AZURE_CLIENT_ID: 'c',
  AZURE_CLIENT_SECRET: 's',
  AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://eus.codesigning.azure.net',
  AZURE_TRUSTED_SIGNING_ACCOUNT: 'account',
  AZURE_TRUSTED_SIGNING_PROFILE: 'profile',
};
const ENVS = { local: {}, ci: CI_ENV };

async function check(dir) {
  const { fromProject } = require(path.join(dir, 'src', 'builder-config.js'));
  const result = { configs: {}, errors: {} };
  for (const [name, env] of Object.entries(ENVS)) {
    const config = fromProject(dir, env);
    result.configs[name] = JSON.parse(JSON.stringify(config));
    const copy = JSON.parse(JSON.stringify(config)); // ajv with coerceTypes may change the data
    const errors = validate(copy) ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    try {
      await validateConfiguration(JSON.parse(JSON.stringify(config)), { isEnabled: false, add() {} });
    } catch (error) {
      errors.push(`electron-builder: ${error.message.split('\n').slice(0, 6).join(' | ')}`);
    }
    result.errors[name] = errors;
  }
  const loaded = require(path.join(dir, 'electron-builder.config.cjs'));
  result.configFileMatches = JSON.stringify(loaded) === JSON.stringify(fromProject(dir, process.env));
  return result;
}

async function main() {
  const shells = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  for (const name of Object.keys(CI_ENV)) delete process.env[name]; // the .cjs reads process.env
  const out = [];
  for (const shell of shells) {
    try {
      out.push({ id: shell.id, dir: shell.dir, ...(await check(shell.dir)) });
    } catch (error) {
      out.push({ id: shell.id, dir: shell.dir, crash: String(error && error.stack ? error.stack : error) });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
