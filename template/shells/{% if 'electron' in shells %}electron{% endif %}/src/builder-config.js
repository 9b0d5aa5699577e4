'use strict';
// electron-builder configuration as a function of the answers (app.answers.json) and the build
// environment. electron-builder.config.cjs calls fromProject(); tests call builderConfig().
//
// Signing secrets are never in files: electron-builder reads them from the environment.
//   macOS signing:    CSC_LINK, CSC_KEY_PASSWORD (Developer ID Application certificate)
//   notarization:     APPLE_API_KEY, APPLE_API_KEY_ID, APPLE_API_ISSUER   (answer: api_key)
//                     APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID (answer: apple_id)
//   Windows (.pfx):   WIN_CSC_LINK, WIN_CSC_KEY_PASSWORD (or CSC_LINK, CSC_KEY_PASSWORD)
//   Azure Trusted Signing: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (read by the
//                     signing tool) and, read here, AZURE_TRUSTED_SIGNING_ENDPOINT,
//                     AZURE_TRUSTED_SIGNING_ACCOUNT, AZURE_TRUSTED_SIGNING_PROFILE
//                     (+ optional AZURE_TRUSTED_SIGNING_PUBLISHER_NAME, default: the author name)
// Notarization and Azure signing are switched on only when the answers ask for them AND their
// variables are set, so a local build without credentials still works (unsigned).

const fs = require('node:fs');
const path = require('node:path');

const { loadAnswers } = require('./answers');

const NOTARIZE_ENV = {
  api_key: ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  apple_id: ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
};
const AZURE_ENV = {
  endpoint: 'AZURE_TRUSTED_SIGNING_ENDPOINT',
  codeSigningAccountName: 'AZURE_TRUSTED_SIGNING_ACCOUNT',
  certificateProfileName: 'AZURE_TRUSTED_SIGNING_PROFILE',
};
const AZURE_PUBLISHER_ENV = 'AZURE_TRUSTED_SIGNING_PUBLISHER_NAME';
// The manual feed has no server, but electron-builder writes latest*.yml (needed by
// "Update from Folder...") only when some publish provider is configured. The app never reads
// this URL: it always sets its feed explicitly (src/updates.js).
const MANUAL_FEED_PLACEHOLDER = 'http://127.0.0.1/update-from-folder/';
const ENTITLEMENTS = 'resources/entitlements.mac.plist';
const ICON = 'build/icon.png';

function hasAll(env, names) {
  return names.every((name) => typeof env[name] === 'string' && env[name].trim() !== '');
}

function publishConfig(answers) {
  const updates = answers.updates;
  if (updates.feed === 'github') {
    const [owner, repo] = updates.githubRepository.split('/');
    return [{ provider: 'github', owner, repo }];
  }
  if (updates.feed === 'generic') return [{ provider: 'generic', url: updates.url }];
  return [{ provider: 'generic', url: MANUAL_FEED_PLACEHOLDER }];
}

function macConfig(answers, env) {
  const signing = answers.macSigning;
  const notarizeVars = signing.enabled ? NOTARIZE_ENV[signing.notarization] : null;
  return {
    category: 'public.app-category.productivity',
    icon: ICON,
    target: [{ target: 'dmg' }, { target: 'zip' }], // zip: electron-updater needs it on macOS
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: ENTITLEMENTS,
    entitlementsInherit: ENTITLEMENTS,
    notarize: Boolean(notarizeVars && hasAll(env, notarizeVars)),
  };
}

function windowsConfig(answers, env) {
  const win = { icon: ICON, target: [{ target: 'nsis' }] };
  const signing = answers.windowsSigning;
  if (signing.enabled && signing.method === 'certificate') {
    // The certificate itself comes from WIN_CSC_LINK / CSC_LINK (+ password) in the environment.
    win.signtoolOptions = { signingHashAlgorithms: ['sha256'], rfc3161TimeStampServer: 'http://timestamp.digicert.com' };
  }
  if (signing.enabled && signing.method === 'azure_trusted_signing' && hasAll(env, Object.values(AZURE_ENV))) {
    win.azureSignOptions = {
      publisherName: env[AZURE_PUBLISHER_ENV] || (answers.author && answers.author.name) || answers.productName,
      endpoint: env[AZURE_ENV.endpoint],
      codeSigningAccountName: env[AZURE_ENV.codeSigningAccountName],
      certificateProfileName: env[AZURE_ENV.certificateProfileName],
    };
  }
  return win;
}

/** The electron-builder configuration object. `version`: the app version (default: the answers'). */
function builderConfig(answers, { env = {}, version = answers.version } = {}) {
  const author = answers.author || {};
  return {
    appId: answers.appId,
    productName: answers.productName,
    copyright: `Copyright © ${author.name || answers.productName}`,
    // The slug has no spaces, so artifact names are the same on GitHub, a web server and a USB stick.
    artifactName: '${name}-${os}-${version}-${arch}.${ext}',
    directories: { output: 'dist', buildResources: 'build' },
    files: ['package.json', 'app.answers.json', 'src/**/*', '!src/**/*.test.js'],
    extraResources: [{ from: '../../.stage/backend', to: 'backend', filter: ['**/*'] }],
    extraMetadata: {
      name: answers.projectSlug,
      productName: answers.productName,
      version,
      description: answers.description || answers.productName,
      author: author.email ? { name: author.name, email: author.email } : author.name || answers.productName,
    },
    asar: true,
    npmRebuild: false,
    // Hardening of the packaged app: no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect, and code
    // only from app.asar. (Playwright drives the development app, which has no fuses.)
    electronFuses: {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      resetAdHocDarwinSignature: true,
    },
    mac: macConfig(answers, env),
    dmg: { writeUpdateInfo: false },
    win: windowsConfig(answers, env),
    nsis: {
      oneClick: false,
      perMachine: false,
      allowToChangeInstallationDirectory: true,
      deleteAppDataOnUninstall: false,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
    },
    linux: {
      icon: ICON,
      target: [{ target: 'AppImage' }],
      category: 'Utility',
      executableName: answers.projectSlug,
      synopsis: answers.description || answers.productName,
    },
    publish: publishConfig(answers),
  };
}

/** The version of the staged backend (.stage/backend/manifest.json), if it was staged. */
function stagedVersion(projectRoot, readFile = fs.readFileSync) {
  try {
    const manifest = JSON.parse(readFile(path.join(projectRoot, '.stage', 'backend', 'manifest.json'), 'utf8'));
    return typeof manifest.version === 'string' && manifest.version ? manifest.version : null;
  } catch {
    return null;
  }
}

/** The configuration for the shell in `shellDir`, from its app.answers.json and `env`. */
function fromProject(shellDir, env = process.env) {
  const answers = loadAnswers(path.join(shellDir, 'app.answers.json'));
  const version = stagedVersion(path.resolve(shellDir, '..', '..')) || answers.version;
  return builderConfig(answers, { env, version });
}

module.exports = { AZURE_ENV, MANUAL_FEED_PLACEHOLDER, NOTARIZE_ENV, builderConfig, fromProject, stagedVersion };
