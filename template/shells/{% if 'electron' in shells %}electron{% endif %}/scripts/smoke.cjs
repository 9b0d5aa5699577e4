'use strict';
// Launch smoke test of the Electron shell (run by `python scripts/smoke.py electron` and
// `npm run smoke`). Prints ONE JSON line:
//   {"shell": "electron", "status": "passed" | "failed" | "skipped", "reason": ..., "seconds": ...}
// "skipped" means Electron cannot run on this machine (the reason says why). Exit code 0 unless failed.
const { runEndToEnd, skipReason } = require('../e2e/launch.cjs');

async function main() {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const result = (status, fields) => {
    process.stdout.write(`${JSON.stringify({ shell: 'electron', status, ...fields, seconds: seconds() })}\n`);
    return status === 'failed' ? 1 : 0;
  };
  const reason = skipReason();
  if (reason) return result('skipped', { reason });
  try {
    const checks = await runEndToEnd({ log: (message) => process.stderr.write(`smoke: ${message}\n`) });
    return result('passed', { reason: null, checks });
  } catch (error) {
    return result('failed', { reason: String(error && error.message ? error.message : error) });
  }
}

main().then((code) => {
  process.exitCode = code;
});
