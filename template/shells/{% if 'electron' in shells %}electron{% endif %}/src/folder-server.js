'use strict';
// "Update from Folder…": serve one folder (an installer and its latest*.yml, e.g. from a USB stick)
// on http://127.0.0.1:<random port>/ so electron-updater's generic provider can read it.
// Only regular files directly inside that folder are served: no sub-folders, no "..", no
// symlinks, no hidden files; GET and HEAD only; Host must be the loopback address we listen on
// (no DNS rebinding). A file is opened once, without following a link (O_NOFOLLOW), checked on
// that descriptor (fstat) and served from it: no check-then-open race with a swapped-in link.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const CONTENT_TYPES = {
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.json': 'application/json',
  '.blockmap': 'application/octet-stream',
};

/** The file name a request path refers to, or null if it is not a plain name in the folder. */
function requestedName(rawUrl) {
  if (typeof rawUrl !== 'string' || !rawUrl.startsWith('/')) return null;
  const pathname = rawUrl.split(/[?#]/, 1)[0];
  let name;
  try {
    name = decodeURIComponent(pathname.slice(1));
  } catch {
    return null;
  }
  if (!name || name.length > 255) return null;
  if (/[/\\\0:]/.test(name) || /[\x00-\x1f]/.test(name)) return null;
  if (name.startsWith('.')) return null; // ".", "..", hidden files
  return name;
}

/** Where the update info for this platform lives: latest.yml, latest-mac.yml, latest-linux[-arch].yml. */
function channelFile(platform = process.platform, arch = process.arch) {
  if (platform === 'darwin') return 'latest-mac.yml';
  if (platform === 'linux') return arch === 'x64' ? 'latest-linux.yml' : `latest-linux-${arch}.yml`;
  return 'latest.yml';
}

// O_NOFOLLOW: POSIX. Windows has no such flag; there a link is refused by lstat first (creating
// one there needs administrator rights or developer mode).
const NO_FOLLOW = fs.constants.O_NOFOLLOW || 0;

/** Open `name` inside `realDir` as a regular file that is not a link: {fd, size}, or null. */
async function openFile(realDir, name) {
  const file = path.join(realDir, name);
  let handle;
  try {
    if (!NO_FOLLOW && (await fs.promises.lstat(file)).isSymbolicLink()) return null;
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | NO_FOLLOW);
    const stat = await handle.stat();
    if (stat.isFile()) return { handle, size: stat.size };
  } catch {
    // missing, a link (ELOOP), not readable
  }
  if (handle) await handle.close();
  return null;
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * Serve `dir` on 127.0.0.1 and a random port. Resolves with {url, port, close()}.
 * `onRequest({method, url, status})` is called for every request (logging, tests).
 */
async function serveFolder(dir, { onRequest = () => {} } = {}) {
  const realDir = await fs.promises.realpath(dir);
  if (!(await fs.promises.stat(realDir)).isDirectory()) throw new Error(`${dir} is not a folder`);
  let port = 0;

  const server = http.createServer(async (req, res) => {
    const finish = (status, text) => {
      onRequest({ method: req.method, url: req.url, status });
      send(res, status, text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return finish(405, 'Method not allowed\n');
    if (req.headers.host !== `127.0.0.1:${port}`) return finish(403, 'Forbidden\n');
    const name = requestedName(req.url);
    const found = name && (await openFile(realDir, name));
    if (!found) return finish(404, 'Not found\n');
    onRequest({ method: req.method, url: req.url, status: 200 });
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(name).toLowerCase()] || 'application/octet-stream',
      'Content-Length': found.size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') {
      await found.handle.close();
      return res.end();
    }
    const stream = found.handle.createReadStream(); // closes the descriptor when done
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
    }),
  };
}

module.exports = { channelFile, requestedName, serveFolder };
