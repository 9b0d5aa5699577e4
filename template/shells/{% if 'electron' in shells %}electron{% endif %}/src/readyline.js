'use strict';
// The backend prints exactly one JSON "ready" line on stdout once it accepts requests, e.g.
//   {"event":"ready","port":50123,"pid":4242,"url":"http://127.0.0.1:50123/","log_file":...}
// (see src/<package>/desktop/readyline.py). Anything else on stdout is passed on as output.

const REQUIRED_FIELDS = ['event', 'port', 'pid', 'url', 'log_file', 'app_data_dir'];
const MAX_LINE = 64 * 1024;

/** The ready info if `line` is a valid ready line, else null (same rules as the Python side). */
function parseReadyLine(line) {
  if (Buffer.isBuffer(line)) line = line.toString('utf8');
  if (typeof line !== 'string') return null;
  let info;
  try {
    info = JSON.parse(line);
  } catch {
    return null;
  }
  if (info === null || typeof info !== 'object' || Array.isArray(info) || info.event !== 'ready') return null;
  if (REQUIRED_FIELDS.some((field) => !(field in info))) return null;
  const port = info.port;
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) return null;
  // The shell only ever talks to 127.0.0.1 on that port, whatever else the line says.
  if (info.url !== `http://127.0.0.1:${port}/`) return null;
  return info;
}

/**
 * The first page to open: `info.url` plus the ready line's `start_url` (DESKTOP_START_URL in the
 * project's settings) when that is a path on the app's origin, else the root.
 */
function startUrl(info) {
  const start = typeof info.start_url === 'string' ? info.start_url : '/';
  const local = /^\/(?!\/)[\x21-\x7e]*$/.test(start) && !start.includes('\\');
  return info.url.replace(/\/$/, '') + (local ? start : '/');
}

/**
 * Splits a byte stream into lines. `onLine(text)` gets each complete line without its line end.
 * Over-long lines are cut at MAX_LINE characters so a misbehaving child cannot grow memory.
 */
class LineSplitter {
  constructor(onLine) {
    this.onLine = onLine;
    this.buffer = '';
    this.decoder = new TextDecoder('utf-8');
  }

  push(chunk) {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let index;
    while ((index = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, index).replace(/\r$/, '');
      this.buffer = this.buffer.slice(index + 1);
      this.onLine(line);
    }
    if (this.buffer.length > MAX_LINE) {
      const line = this.buffer.slice(0, MAX_LINE);
      this.buffer = '';
      this.onLine(line);
    }
  }

  end() {
    this.buffer += this.decoder.decode();
    if (this.buffer) {
      const line = this.buffer.replace(/\r$/, '');
      this.buffer = '';
      this.onLine(line);
    }
  }
}

/** Keeps the last `size` lines of a stream (the backend's stderr, for error dialogs). */
class TailBuffer {
  constructor(size = 40) {
    this.size = size;
    this.lines = [];
    this.splitter = new LineSplitter((line) => {
      this.lines.push(line);
      if (this.lines.length > this.size) this.lines.shift();
    });
  }

  push(chunk) {
    this.splitter.push(chunk);
  }

  text() {
    this.splitter.end();
    return this.lines.join('\n');
  }
}

module.exports = { MAX_LINE, REQUIRED_FIELDS, LineSplitter, TailBuffer, parseReadyLine, startUrl };
