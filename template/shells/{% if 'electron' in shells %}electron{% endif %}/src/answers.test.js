'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');

const { AnswersError, loadAnswers, validateAnswers } = require('./answers');

const BASE = {
  productName: 'Field Notes',
  projectSlug: 'field-notes',
  packageName: 'field_notes',
  appId: 'org.example.field-notes',
  version: '1.2.3',
  updates: { feed: 'manual', githubRepository: null, url: null },
  macSigning: { enabled: false, notarization: null },
  windowsSigning: { enabled: false, method: null },
};

test("this project's app.answers.json is valid", () => {
  const answers = loadAnswers();
  assert.ok(answers.productName && answers.appId && answers.packageName);
  assert.ok(['github', 'generic', 'manual'].includes(answers.updates.feed));
});

test('accepts every feed and signing choice', () => {
  validateAnswers(BASE);
  assert.equal(validateAnswers(BASE).sourceDir, 'src', 'a new project imports from src/');
  assert.equal(validateAnswers({ ...BASE, sourceDir: '.' }).sourceDir, '.');
  validateAnswers({ ...BASE, updates: { feed: 'github', githubRepository: 'acme/field-notes' } });
  validateAnswers({ ...BASE, updates: { feed: 'generic', url: 'https://downloads.example.org/fn/' } });
  validateAnswers({ ...BASE, macSigning: { enabled: true, notarization: 'apple_id' } });
  validateAnswers({ ...BASE, windowsSigning: { enabled: true, method: 'azure_trusted_signing' } });
  const off = validateAnswers({ ...BASE, windowsSigning: { enabled: false, method: 'certificate' } });
  assert.equal(off.windowsSigning.method, null, 'a method without signing means nothing');
});

test('names the field that is wrong', () => {
  const cases = [
    [{ ...BASE, appId: '' }, /appId/],
    [{ ...BASE, packageName: 'field-notes' }, /packageName/],
    [{ ...BASE, sourceDir: '../elsewhere' }, /sourceDir/],
    [{ ...BASE, sourceDir: '/abs' }, /sourceDir/],
    [{ ...BASE, updates: { feed: 'ftp' } }, /updates\.feed/],
    [{ ...BASE, updates: { feed: 'github', githubRepository: 'no-slash' } }, /githubRepository/],
    [{ ...BASE, updates: { feed: 'generic', url: 'http://insecure.example.org/' } }, /updates\.url/],
    [{ ...BASE, macSigning: { enabled: true, notarization: 'magic' } }, /notarization/],
    [{ ...BASE, windowsSigning: { enabled: true, method: 'usb-token' } }, /windowsSigning/],
    [null, /JSON object/],
  ];
  for (const [data, message] of cases) {
    assert.throws(() => validateAnswers(data), (error) => error instanceof AnswersError && message.test(error.message));
  }
});

test('unreadable or broken files give a clear error', () => {
  assert.throws(() => loadAnswers('/nonexistent/app.answers.json'), /cannot read/);
  assert.throws(() => loadAnswers('x.json', () => '{broken'), /not valid JSON/);
});
