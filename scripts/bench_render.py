"""Benchmark: render one project with defaults, and render every answer combination.

Usage: python scripts/bench_render.py [--runs N] [--workers N]
Prints a table, each figure beside its goal (on 2 cores: defaults <= 1.5 s; every combination
<= 120 s), with the distinct file renders behind the matrix and the load average around it
(other work on the machine slows both figures).
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


def time_all_combinations(workers: int) -> tuple[dict, float]:
    """What the test suite waits for: the matrix computed, every combination rendered, hashed
    and laid out (tests/renders.py), in a private folder."""
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        os.environ["TEMPLATE_RENDERS_DIR"] = tmp
        renders.RENDERS = Path(tmp)
        started = time.perf_counter()
        index = renders.build_index(workers=workers, log=lambda _: None)
        seconds = time.perf_counter() - started
        # The index's own entries are small; the renders go with the folder.
        index = {**index, "combinations": [{"error": e["error"]} for e in index["combinations"]]}
        shutil.rmtree(tmp, ignore_errors=True)
    return index, seconds


def _load() -> str:
    return "/".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()

    load_before = _load()
    cli = time_cli_defaults(args.runs)
    index, seconds = time_all_combinations(args.workers)
    load_after = _load()
    count = len(index["combinations"])
    failed = sum(1 for e in index["combinations"] if e["error"])
    renders_, files = index.get("file_renders", 0), index.get("files", 0)
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
        (
            "distinct file renders (each process's)",
            f"{renders_}",
            f"of {files} files in all combinations ({renders_ / max(files, 1):.1%})",
            "-",
        ),
        (
            "load average 1/5/15 min",
            load_after,
            f"before: {load_before}, {os.cpu_count()} cores (other work slows every figure)",
            "-",
        ),
    ]
    width, figure = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>{figure}}  {'goal':>8}  detail")
    for name, result, detail, goal in rows:
        print(f"{name:<{width}}  {result:>{figure}}  {goal:>8}  {detail}")


if __name__ == "__main__":
    main()
