'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { after, before, test } = require('node:test');

const { channelFile, requestedName, serveFolder } = require('./folder-server');
const { removeDir, tempDir } = require('../testsupport/helpers');

let root;
let folder;
let server;
before(async () => {
  root = tempDir();
  folder = path.join(root, 'update');
  fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'latest-linux.yml'), 'version: 2.0.0\n');
  fs.writeFileSync(path.join(folder, 'My App 2.0.0.AppImage'), Buffer.alloc(3000, 7));
  fs.writeFileSync(path.join(folder, '.hidden'), 'no');
  fs.writeFileSync(path.join(folder, 'sub', 'inner.txt'), 'no');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
  if (process.platform !== 'win32') fs.symlinkSync(path.join(root, 'secret.txt'), path.join(folder, 'link.txt'));
  server = await serveFolder(folder);
});
after(async () => {
  if (server) await server.close();
  removeDir(root);
});

/** A raw request: the path is sent exactly as given (no client-side normalization). */
function request(rawPath, { method = 'GET', host } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method, agent: false,
      headers: host ? { Host: host } : {} }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('listens on 127.0.0.1 and a random port', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(server.port > 0);
});

test('serves the files of the folder, names with spaces included', async () => {
  const yml = await request('/latest-linux.yml');
  assert.equal(yml.status, 200);
  assert.equal(yml.body.toString(), 'version: 2.0.0\n');
  assert.match(yml.headers['content-type'], /yaml/);
  const app = await request('/My%20App%202.0.0.AppImage');
  assert.equal(app.status, 200);
  assert.equal(app.body.length, 3000);
  const head = await request('/latest-linux.yml?noCache=1', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '15');
  assert.equal(head.body.length, 0);
});

test('nothing outside the folder, nothing hidden, no sub-folders', async () => {
  const refused = [
    '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%5csecret.txt', '/..\\secret.txt',
    '/sub/inner.txt', '/sub%2Finner.txt', '/sub', '/.hidden', '/', '/%00latest-linux.yml', '/%zz',
    '/link.txt', // a symlink that leads out of the folder
    '/missing.yml',
  ];
  for (const raw of refused) {
    const response = await request(raw);
    assert.equal(response.status, 404, raw);
    assert.ok(!response.body.toString().includes('secret'), raw);
  }
});

test('a link swapped in for a served file is never followed (no check-then-open race)', { skip: process.platform === 'win32' && 'symlinks need rights on Windows' }, async () => {
  const name = 'latest-race.yml';
  // Another process swaps the name between a regular file and a link to a file outside the folder.
  const swapper = require('node:child_process').spawn(process.execPath, ['-e', `
    const fs = require('node:fs'); const path = require('node:path');
    const [folder, secret, name] = process.argv.slice(1);
    const target = path.join(folder, name);
    const end = Date.now() + 1500;
    for (let i = 0; Date.now() < end; i += 1) {
      const tmp = path.join(folder, '.swap' + (i % 2));
      try { fs.rmSync(tmp, { force: true }); } catch {}
      if (i % 2) fs.symlinkSync(secret, tmp); else fs.writeFileSync(tmp, 'version: 2.0.0\\n');
      fs.renameSync(tmp, target);
    }`, folder, path.join(root, 'secret.txt'), name], { stdio: 'ignore' });
  const exited = new Promise((resolve) => swapper.on('exit', resolve));
  const bodies = new Set();
  let done = false;
  exited.then(() => { done = true; });
  while (!done) {
    const { status, body } = await request(`/${name}`);
    if (status === 200) bodies.add(body.toString());
  }
  await exited;
  assert.ok(bodies.has('version: 2.0.0\n'), 'the regular file was served at times');
  assert.equal(bodies.has('secret'), false, 'the file outside the folder was served');
});

test('only GET and HEAD, only our Host', async () => {
  assert.equal((await request('/latest-linux.yml', { method: 'POST' })).status, 405);
  assert.equal((await request('/latest-linux.yml', { method: 'PUT' })).status, 405);
  assert.equal((await request('/latest-linux.yml', { host: 'evil.example' })).status, 403, 'DNS rebinding');
  assert.equal((await request('/latest-linux.yml', { host: `localhost:${server.port}` })).status, 403);
});

test('request names', () => {
  assert.equal(requestedName('/a%20b.yml?x=1'), 'a b.yml');
  for (const raw of ['', 'a', '/', '/.', '/..', '/a/b', '/a%2fb', '/a%5cb', '/C:%5cx', '/%0a']) assert.equal(requestedName(raw), null, raw);
});

test('update info file per platform', () => {
  assert.equal(channelFile('win32', 'x64'), 'latest.yml');
  assert.equal(channelFile('darwin', 'arm64'), 'latest-mac.yml');
  assert.equal(channelFile('linux', 'x64'), 'latest-linux.yml');
  assert.equal(channelFile('linux', 'arm64'), 'latest-linux-arm64.yml');
});

test('refuses to serve something that is not a folder', async () => {
  await assert.rejects(serveFolder(path.join(folder, 'latest-linux.yml')), /not a folder/);
});
