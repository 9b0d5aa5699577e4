'use strict';
// What the project's answers decide for this shell (app id, names, version, update feed, signing)
// lives in app.answers.json beside package.json; copier writes it, the code here only reads it.

const fs = require('node:fs');
const path = require('node:path');

const ANSWERS_FILE = path.join(__dirname, '..', 'app.answers.json');
const FEEDS = new Set(['github', 'generic', 'manual']);
const NOTARIZATION = new Set(['api_key', 'apple_id']);
const WINDOWS_METHODS = new Set(['certificate', 'azure_trusted_signing']);

class AnswersError extends Error {}

function fail(file, message) {
  throw new AnswersError(`${file}: ${message} (re-run copier update, or fix the file by hand)`);
}

/** Check the parsed answers and return them; throws AnswersError naming the bad field. */
function validateAnswers(data, file = 'app.answers.json') {
  if (data === null || typeof data !== 'object') fail(file, 'not a JSON object');
  for (const key of ['productName', 'projectSlug', 'packageName', 'appId', 'version']) {
    if (typeof data[key] !== 'string' || !data[key].trim()) fail(file, `"${key}" must be a non-empty string`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(data.packageName)) fail(file, '"packageName" is not a Python package name');
  // Inside the project: a relative folder without "..", "." for the root.
  const sourceDir = data.sourceDir === undefined ? 'src' : data.sourceDir;
  if (typeof sourceDir !== 'string' || !/^(\.|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)$/.test(sourceDir)
    || sourceDir.split('/').includes('..')) {
    fail(file, '"sourceDir" must be a folder inside the project, such as "src" or "."');
  }
  const updates = data.updates || {};
  if (!FEEDS.has(updates.feed)) fail(file, '"updates.feed" must be github, generic or manual');
  if (updates.feed === 'github' && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(updates.githubRepository || '')) {
    fail(file, '"updates.githubRepository" must be owner/name for the github feed');
  }
  if (updates.feed === 'generic' && !/^https:\/\/\S+$/.test(updates.url || '')) {
    fail(file, '"updates.url" must be an https URL for the generic feed');
  }
  const mac = data.macSigning || {};
  if (mac.enabled && !NOTARIZATION.has(mac.notarization)) fail(file, '"macSigning.notarization" must be api_key or apple_id');
  const win = data.windowsSigning || {};
  if (win.enabled && !WINDOWS_METHODS.has(win.method)) {
    fail(file, '"windowsSigning.method" must be certificate or azure_trusted_signing');
  }
  return {
    ...data,
    sourceDir,
    author: data.author || {},
    updates,
    macSigning: { enabled: Boolean(mac.enabled), notarization: mac.enabled ? mac.notarization : null },
    windowsSigning: { enabled: Boolean(win.enabled), method: win.enabled ? win.method : null },
  };
}

function loadAnswers(file = ANSWERS_FILE, readFile = fs.readFileSync) {
  let text;
  try {
    text = readFile(file, 'utf8');
  } catch (error) {
    throw new AnswersError(`cannot read ${file}: ${error.message}`);
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail(file, `not valid JSON: ${error.message}`);
  }
  return validateAnswers(data, file);
}

module.exports = { ANSWERS_FILE, AnswersError, loadAnswers, validateAnswers };
