'use strict';
// `npm run stage` (part of `npm run dist`): build the frozen backend into <project>/.stage/backend
// with `python scripts/stage_backend.py`, using the same Python the shell uses in development
// ($DESKTOP_DJANGO_PYTHON, else the project's .venv, else python3/python on PATH).
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { PROJECT_ROOT, findPython } = require('../src/locate');

const script = path.join(PROJECT_ROOT, 'scripts', 'stage_backend.py');
if (!fs.existsSync(script)) {
  console.error(`stage: ${script} is missing; it builds the backend that the installer bundles.`);
  process.exit(1);
}
const { python, source } = findPython();
console.log(`stage: ${python} (from ${source}) scripts/stage_backend.py`);
const run = childProcess.spawnSync(python, [script, ...process.argv.slice(2)], { cwd: PROJECT_ROOT, stdio: 'inherit' });
if (run.error) {
  console.error(`stage: cannot run ${python}: ${run.error.message}. Set DESKTOP_DJANGO_PYTHON or create the project's .venv.`);
  process.exit(1);
}
process.exit(run.status === null ? 1 : run.status);
