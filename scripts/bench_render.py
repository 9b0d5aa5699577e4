"""Benchmark: render one project with defaults, and render every answer combination.

Usage: python scripts/bench_render.py [--runs N] [--workers N]
Prints a table. Goals on 2 cores: defaults <= 1.5 s; every combination <= 120 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import renders  # noqa: E402
from matrix import combinations  # noqa: E402


def time_cli_defaults(runs: int) -> list[float]:
    """What a user waits for: `copier copy --defaults` of this checkout, process start included."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "copier",
                    "copy",
                    "--trust",
                    "--defaults",
                    "--quiet",
                    "--skip-tasks",
                    "--vcs-ref",
                    "HEAD",
                    str(ROOT),
                    str(Path(tmp) / "app"),
                ],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
    return times


def time_all_combinations(workers: int) -> tuple[int, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TEMPLATE_RENDERS_DIR"] = tmp
        renders.RENDERS = Path(tmp)
        combos = combinations()
        started = time.perf_counter()
        index = renders.build_index(combos, workers=workers, log=lambda _: None)
        seconds = time.perf_counter() - started
        failed = sum(1 for e in index["combinations"] if e["error"])
        shutil.rmtree(tmp, ignore_errors=True)
    return len(combos), seconds, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()

    cli = time_cli_defaults(args.runs)
    count, seconds, failed = time_all_combinations(args.workers)
    rows = [
        (
            "render defaults (copier CLI, median)",
            f"{statistics.median(cli):.2f} s",
            f"{args.runs} runs, min {min(cli):.2f} s",
            "<= 1.5 s",
        ),
        (
            "render every combination",
            f"{seconds:.1f} s",
            f"{count} combinations, {args.workers} workers, {failed} failed",
            "<= 120 s",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>9}  {'goal':>8}  detail")
    for name, result, detail, goal in rows:
        print(f"{name:<{width}}  {result:>9}  {goal:>8}  {detail}")


if __name__ == "__main__":
    main()
