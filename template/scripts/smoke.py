"""Launch smoke test of one desktop shell: ``python scripts/smoke.py electron|tauri|positron``.

Each shell provides its own smoke program (see SMOKE below). It launches the app, waits for the
Django page, quits, and prints one JSON line: {"shell": ..., "status": "passed"|"failed"|"skipped",
...}. A shell that cannot run on this machine (e.g. no Electron binary) prints "skipped" with the
reason. This dispatcher passes that line through and exits non-zero unless it says passed/skipped.
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


def _result(shell: str, status: str, **fields) -> int:
    print(json.dumps({"shell": shell, "status": status, **fields}), flush=True)
    return 0 if status in {"passed", "skipped"} else 1


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in SMOKE:
        print("usage: python scripts/smoke.py " + "|".join(SMOKE), file=sys.stderr)
        return 2
    shell = argv[0]
    if not (ROOT / "shells" / shell).is_dir():
        return _result(shell, "failed", reason=f"shells/{shell} was not generated for this project")
    command = SMOKE[shell]
    try:
        run = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=600)
    except FileNotFoundError:
        return _result(shell, "skipped", reason=f"{command[0]} is not installed")
    except subprocess.TimeoutExpired:
        return _result(shell, "failed", reason="the smoke program did not finish in 600 s")
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return _result(shell, "failed", reason="no JSON result line", exit_code=run.returncode)
    print(json.dumps(result), flush=True)
    if run.returncode != 0 and result.get("status") != "failed":
        return _result(
            shell, "failed", reason="smoke program exited non-zero", exit_code=run.returncode
        )
    return 0 if result.get("status") in {"passed", "skipped"} else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
