"""Launch benchmark of the Positron shell: ``python shells/positron/scripts/bench.py [--runs N]``.

Each run is a fresh process (``smoke.py``), timed from the moment it is launched until the window
has loaded the Django home page (``median_s``; ``median_painted_s``: until the page has drawn two
frames). All runs share one app data folder, so the first run is a first launch (it creates and
migrates the database) and the others are ordinary launches; the medians are over the ordinary
ones. Prints one JSON line, with the load average (the figures need an otherwise idle machine).
On Linux without a display it runs itself under ``xvfb-run``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import smoke  # noqa: E402


def one_launch(data_dir: Path, screenshot: Path) -> dict:
    env = {
        **os.environ,
        "POSITRON_SMOKE_DATA_DIR": str(data_dir),
        "POSITRON_SMOKE_SCREENSHOT": str(screenshot),
        "POSITRON_SMOKE_LAUNCHED_AT": repr(time.time()),
    }
    run = subprocess.run(
        [sys.executable, str(HERE / "smoke.py")],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {"status": "failed", "reason": "no JSON line"}
    result["exit_code"] = run.returncode
    return result


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages (None on Windows)."""
    if not hasattr(os, "getloadavg"):
        return None
    return [round(value, 2) for value in os.getloadavg()]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="ordinary launches (default 5)")
    options = parser.parse_args(argv)
    if smoke.needs_display():
        code = smoke.rerun_under_xvfb(Path(__file__).resolve(), argv)
        if code is not None:
            return code
        return smoke.emit("skipped", reason="no display and no xvfb-run (apt install xvfb)")
    with tempfile.TemporaryDirectory(prefix="positron-bench-", ignore_cleanup_errors=True) as tmp:
        data_dir, screenshot = Path(tmp) / "app-data", Path(tmp) / "screen.png"
        first = one_launch(data_dir, screenshot)
        if first["status"] != "passed":
            print(json.dumps({"shell": "positron", "benchmark": "launch", **first}), flush=True)
            return 0 if first["status"] == "skipped" else 1
        runs = [one_launch(data_dir, screenshot) for _ in range(max(1, options.runs))]
    failed = [r for r in runs if r["status"] != "passed"]
    passed = [r for r in runs if r["status"] == "passed"]
    page = [r["seconds_to_page"] for r in passed]
    painted = [r["seconds_to_painted"] for r in passed]
    summary = {
        "shell": "positron",
        "benchmark": "launch to Django page in the window",
        "status": "failed" if failed else "passed",
        "runs": len(runs),
        "median_s": round(statistics.median(page), 3) if page else None,
        "min_s": min(page, default=None),
        "max_s": max(page, default=None),
        "runs_s": page,
        "median_painted_s": round(statistics.median(painted), 3) if painted else None,
        "first_launch_s": first["seconds_to_page"],
        "backend_startup_ms": [r.get("backend_startup_ms") for r in passed],
        "load_average": load_average(),
        "cpus": os.cpu_count(),
    }
    if failed:
        summary["failures"] = [r.get("reason") for r in failed]
    print(json.dumps(summary), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
