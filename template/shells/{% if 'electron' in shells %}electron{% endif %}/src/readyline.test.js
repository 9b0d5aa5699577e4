'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');

const { LineSplitter, MAX_LINE, TailBuffer, parseReadyLine, startUrl } = require('./readyline');

const READY = { event: 'ready', port: 50123, pid: 42, url: 'http://127.0.0.1:50123/', log_file: '/l/backend.log', app_data_dir: '/d' };

test('parses a ready line like the backend prints it', () => {
  assert.deepEqual(parseReadyLine(JSON.stringify(READY)), READY);
  assert.deepEqual(parseReadyLine(Buffer.from(JSON.stringify({ ...READY, version: '1.0.0' }))).version, '1.0.0');
});

test('rejects anything that is not a complete ready line', () => {
  const bad = [
    '', 'ready', '[]', 'null', '42', '{"event":"ready"}',
    JSON.stringify({ ...READY, event: 'started' }),
    JSON.stringify({ ...READY, port: 0 }),
    JSON.stringify({ ...READY, port: 65536 }),
    JSON.stringify({ ...READY, port: '50123' }),
    JSON.stringify({ ...READY, port: 1.5 }),
    JSON.stringify({ ...READY, port: true }),
    JSON.stringify({ ...READY, url: 'http://localhost:50123/' }), // only 127.0.0.1
    JSON.stringify({ ...READY, url: 'http://127.0.0.1:50124/' }),
  ];
  for (const field of ['pid', 'url', 'log_file', 'app_data_dir']) {
    const copy = { ...READY };
    delete copy[field];
    bad.push(JSON.stringify(copy));
  }
  for (const line of bad) assert.equal(parseReadyLine(line), null, line);
  assert.equal(parseReadyLine(undefined), null);
});

test('splits chunks into lines across chunk borders, CRLF included', () => {
  const lines = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  splitter.push(Buffer.from('first\r\nsec'));
  splitter.push(Buffer.from('ond\n'));
  const euro = Buffer.from('€\n');
  splitter.push(euro.subarray(0, 1)); // a multi-byte character split between chunks
  splitter.push(euro.subarray(1));
  splitter.push('tail');
  splitter.end();
  assert.deepEqual(lines, ['first', 'second', '€', 'tail']);
});

test('over-long lines are cut instead of growing memory', () => {
  const lines = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  splitter.push('x'.repeat(MAX_LINE + 10));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].length, MAX_LINE);
});

test('the stderr tail keeps the last lines', () => {
  const tail = new TailBuffer(2);
  tail.push('one\ntwo\nthree\nfour');
  assert.equal(tail.text(), 'three\nfour');
});

test('opens the start page the ready line names, if it is a path on the app origin', () => {
  assert.equal(startUrl(READY), 'http://127.0.0.1:50123/');
  assert.equal(startUrl({ ...READY, start_url: '/catalog/?q=1' }), 'http://127.0.0.1:50123/catalog/?q=1');
  for (const bad of ['//evil.example/', 'https://evil.example/', '/a\\b', '/a b', '', 7]) {
    assert.equal(startUrl({ ...READY, start_url: bad }), 'http://127.0.0.1:50123/', String(bad));
  }
});
