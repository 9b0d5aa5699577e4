'use strict';
// Where the backend is and how to start it.
//
// Development (not packaged): `<python> -m <package>.desktop` with cwd = the project root and
// the project's source folder (answers: sourceDir, "src" in a new project) on PYTHONPATH. Python: $DESKTOP_DJANGO_PYTHON, else the project's .venv, else
// python3/python on PATH.
// Packaged: `<resources>/backend/manifest.json` = {"executable": "<relative path>", "version": ...},
// written by scripts/stage_backend.py into .stage/backend and bundled by electron-builder.

const fs = require('node:fs');
const path = require('node:path');

const PYTHON_ENV = 'DESKTOP_DJANGO_PYTHON';
const SHELL_DIR = path.resolve(__dirname, '..');
const PROJECT_ROOT = path.resolve(SHELL_DIR, '..', '..');

class LocateError extends Error {}

function isFile(file, stat = fs.statSync) {
  try {
    return stat(file).isFile();
  } catch {
    return false;
  }
}

/** `name` found on PATH (with PATHEXT on Windows), or null. */
function onPath(name, { env = process.env, platform = process.platform, exists = isFile } = {}) {
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const dirs = (env.PATH || env.Path || '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT || '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = pathApi.join(dir, name + ext.toLowerCase());
      if (exists(candidate)) return candidate;
    }
  }
  return null;
}

/** The Python that runs the backend in development, and where that choice came from. */
function findPython({ env = process.env, platform = process.platform, projectRoot = PROJECT_ROOT, exists = isFile } = {}) {
  if (env[PYTHON_ENV]) return { python: env[PYTHON_ENV], source: PYTHON_ENV };
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const venv = platform === 'win32'
    ? pathApi.join(projectRoot, '.venv', 'Scripts', 'python.exe')
    : pathApi.join(projectRoot, '.venv', 'bin', 'python');
  if (exists(venv)) return { python: venv, source: '.venv' };
  const names = platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
  for (const name of names) {
    const found = onPath(name, { env, platform, exists });
    if (found) return { python: found, source: 'PATH' };
  }
  return { python: names[0], source: 'default' };
}

/** Reads and checks a bundled backend's manifest; returns the absolute executable path. */
function packagedExecutable(backendDir, { readFile = fs.readFileSync, exists = isFile } = {}) {
  const manifestFile = path.join(backendDir, 'manifest.json');
  let manifest;
  try {
    manifest = JSON.parse(readFile(manifestFile, 'utf8'));
  } catch (error) {
    throw new LocateError(`The bundled backend is missing or damaged (${manifestFile}: ${error.message}). Reinstall the app.`);
  }
  const relative = manifest && manifest.executable;
  if (typeof relative !== 'string' || !relative || path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
    throw new LocateError(`${manifestFile}: "executable" must be a path inside ${backendDir}.`);
  }
  const executable = path.join(backendDir, relative);
  if (!exists(executable)) {
    throw new LocateError(`The bundled backend ${executable} is missing. Reinstall the app.`);
  }
  return { executable, version: manifest.version || null };
}

/**
 * How to start the backend: {command, args, cwd, env (additions), mode, description}.
 * `resourcesPath` is Electron's process.resourcesPath (packaged only).
 */
function backendCommand({
  isPackaged,
  resourcesPath,
  packageName,
  sourceDir = 'src',
  projectRoot = PROJECT_ROOT,
  env = process.env,
  platform = process.platform,
  exists = isFile,
  readFile = fs.readFileSync,
}) {
  if (isPackaged) {
    const backendDir = path.join(resourcesPath, 'backend');
    const { executable, version } = packagedExecutable(backendDir, { readFile, exists });
    return {
      mode: 'packaged',
      command: executable,
      args: [],
      cwd: backendDir,
      env: {},
      version,
      description: executable,
    };
  }
  if (!packageName) throw new LocateError('packageName is required to start the backend from source');
  const { python, source } = findPython({ env, platform, projectRoot, exists });
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const src = pathApi.join(projectRoot, sourceDir);
  const separator = platform === 'win32' ? ';' : ':';
  return {
    mode: 'development',
    command: python,
    args: ['-m', `${packageName}.desktop`],
    cwd: projectRoot,
    env: {
      PYTHONPATH: env.PYTHONPATH ? `${src}${separator}${env.PYTHONPATH}` : src,
      PYTHONUNBUFFERED: '1',
    },
    version: null,
    description: `${python} -m ${packageName}.desktop (python from ${source})`,
  };
}

module.exports = {
  LocateError,
  PROJECT_ROOT,
  PYTHON_ENV,
  SHELL_DIR,
  backendCommand,
  findPython,
  onPath,
  packagedExecutable,
};
