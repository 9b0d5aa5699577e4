"""Launch smoke test of one desktop shell: ``python scripts/smoke.py electron|tauri|positron``.

Each shell provides its own smoke program (see SMOKE below). It launches the app, waits for the
Django page, quits, and prints one JSON line: {"shell": ..., "status": "passed"|"failed"|"skipped",
...}. A shell that cannot run on this machine (e.g. no Electron binary) prints "skipped" with the
reason. This dispatcher passes that line through and exits non-zero unless it says passed/skipped.

``--require`` (CI): a launch that was skipped counts as failed (exit 1, the reason says why it was
skipped), so a pipeline cannot pass without the app having really started.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE = {
    "electron": ["node", "shells/electron/scripts/smoke.cjs"],
    "tauri": ["node", "shells/tauri/scripts/smoke.cjs"],
    "positron": [sys.executable, "shells/positron/scripts/smoke.py"],
}


def _report(result: dict, require: bool) -> int:
    """Print the one result line; exit code 0 for passed (and skipped unless required)."""
    if result.get("status") == "skipped" and require:
        why = result.get("reason") or "no reason given"
        result = {**result, "status": "failed", "reason": f"skipped, but --require is set: {why}"}
    print(json.dumps(result), flush=True)
    return 0 if result.get("status") in {"passed", "skipped"} else 1


def main(argv: list[str]) -> int:
    require = "--require" in argv
    args = [arg for arg in argv if arg != "--require"]
    if len(args) != 1 or args[0] not in SMOKE:
        print("usage: python scripts/smoke.py " + "|".join(SMOKE) + " [--require]", file=sys.stderr)
        return 2
    shell = args[0]

    def result(status: str, **fields) -> int:
        return _report({"shell": shell, "status": status, **fields}, require)

    if not (ROOT / "shells" / shell).is_dir():
        return result("failed", reason=f"shells/{shell} was not generated for this project")
    command = SMOKE[shell]
    try:
        run = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=600)
    except FileNotFoundError:
        return result("skipped", reason=f"{command[0]} is not installed")
    except subprocess.TimeoutExpired:
        return result("failed", reason="the smoke program did not finish in 600 s")
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    try:
        outcome = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return result("failed", reason="no JSON result line", exit_code=run.returncode)
    if run.returncode != 0 and outcome.get("status") != "failed":
        print(json.dumps(outcome), flush=True)
        return result("failed", reason="smoke program exited non-zero", exit_code=run.returncode)
    return _report(outcome, require)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
