'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');

const { LocateError, backendCommand, findPython, onPath, packagedExecutable } = require('./locate');

const ROOT = path.join(path.sep, 'work', 'app');
const has = (...files) => (file) => files.includes(file);

test('development python: $DESKTOP_DJANGO_PYTHON, then .venv, then PATH', () => {
  assert.deepEqual(findPython({ env: { DESKTOP_DJANGO_PYTHON: '/opt/py/bin/python' }, projectRoot: ROOT, platform: 'linux' }),
    { python: '/opt/py/bin/python', source: 'DESKTOP_DJANGO_PYTHON' });
  const venv = path.posix.join(ROOT, '.venv', 'bin', 'python');
  assert.deepEqual(findPython({ env: { PATH: '/usr/bin' }, projectRoot: ROOT, platform: 'linux', exists: has(venv, '/usr/bin/python3') }),
    { python: venv, source: '.venv' });
  assert.deepEqual(findPython({ env: { PATH: '/usr/local/bin:/usr/bin' }, projectRoot: ROOT, platform: 'linux', exists: has('/usr/bin/python3') }),
    { python: '/usr/bin/python3', source: 'PATH' });
  assert.deepEqual(findPython({ env: { PATH: '/usr/bin' }, projectRoot: ROOT, platform: 'linux', exists: has('/usr/bin/python') }),
    { python: '/usr/bin/python', source: 'PATH' });
  assert.equal(findPython({ env: {}, projectRoot: ROOT, platform: 'linux', exists: () => false }).python, 'python3');
});

test('Windows: .venv\\Scripts\\python.exe and PATHEXT', () => {
  const root = 'C:\\work\\app';
  const venv = 'C:\\work\\app\\.venv\\Scripts\\python.exe';
  assert.equal(findPython({ env: {}, projectRoot: root, platform: 'win32', exists: has(venv) }).python, venv);
  assert.equal(onPath('python', { env: { PATH: 'C:\\Python312;C:\\Windows', PATHEXT: '.COM;.EXE' }, platform: 'win32', exists: has('C:\\Python312\\python.exe') }),
    'C:\\Python312\\python.exe');
});

test('development command: python -m <package>.desktop from the project root, src on PYTHONPATH', () => {
  const command = backendCommand({
    isPackaged: false, packageName: 'field_notes', projectRoot: ROOT, platform: 'linux',
    env: { DESKTOP_DJANGO_PYTHON: '/py', PYTHONPATH: '/extra' },
  });
  assert.equal(command.mode, 'development');
  assert.equal(command.command, '/py');
  assert.deepEqual(command.args, ['-m', 'field_notes.desktop']);
  assert.equal(command.cwd, ROOT);
  assert.equal(command.env.PYTHONPATH, `${path.posix.join(ROOT, 'src')}:/extra`);
  assert.equal('DJANGO_SETTINGS_MODULE' in command.env, false);
});

test('development command of a wrapped project: its own source folder on PYTHONPATH', () => {
  const flat = backendCommand({
    isPackaged: false, packageName: 'mysite', sourceDir: '.', projectRoot: ROOT, platform: 'linux',
    env: { DESKTOP_DJANGO_PYTHON: '/py' },
  });
  assert.equal(flat.env.PYTHONPATH, ROOT);
  assert.deepEqual(flat.args, ['-m', 'mysite.desktop']);
  const nested = backendCommand({
    isPackaged: false, packageName: 'config', sourceDir: 'backend/src', projectRoot: 'C:\\app', platform: 'win32',
    env: { DESKTOP_DJANGO_PYTHON: 'C:\\py.exe' },
  });
  assert.equal(nested.env.PYTHONPATH, 'C:\\app\\backend\\src');
});

test('packaged command: the executable named in resources/backend/manifest.json', () => {
  const resources = path.join(ROOT, 'resources');
  const backendDir = path.join(resources, 'backend');
  const exe = path.join(backendDir, 'field-notes-backend', 'field-notes-backend');
  const readFile = () => JSON.stringify({ executable: 'field-notes-backend/field-notes-backend', version: '1.2.3' });
  const command = backendCommand({ isPackaged: true, resourcesPath: resources, packageName: 'x', readFile, exists: has(exe) });
  assert.deepEqual(command, { mode: 'packaged', command: exe, args: [], cwd: backendDir, env: {}, version: '1.2.3', description: exe });
});

test('packaged: missing, damaged or escaping manifests are refused with a clear message', () => {
  const dir = path.join(ROOT, 'resources', 'backend');
  const missing = () => {
    throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  };
  assert.throws(() => packagedExecutable(dir, { readFile: missing }), (e) => e instanceof LocateError && /Reinstall/.test(e.message));
  assert.throws(() => packagedExecutable(dir, { readFile: () => '{' }), LocateError);
  for (const executable of ['../../bin/sh', '/bin/sh', '', 42]) {
    assert.throws(() => packagedExecutable(dir, { readFile: () => JSON.stringify({ executable }), exists: () => true }), LocateError, String(executable));
  }
  assert.throws(() => packagedExecutable(dir, { readFile: () => JSON.stringify({ executable: 'backend' }), exists: () => false }), /missing/);
});
