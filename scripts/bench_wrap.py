"""Benchmark: wrap an existing Django project and time each step to a running desktop backend.

Usage: python scripts/bench_wrap.py [flat|src]
Copies tests/fixtures/existing/<layout> into a fresh git repository, then times, in order:
`copier copy` of this checkout (the CLI, as a user runs it), the backend from source up to its
ready line (fresh app data, so all migrations), `scripts/stage_backend.py` (the frozen build,
cold: a fresh project has no PyInstaller cache) and the frozen backend up to its ready line.
Prints a table; the requirements must already be installed in this Python.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = {
    "flat": {"data": ["django_settings_module=mysite.settings"], "package": "mysite", "src": "."},
    "src": {
        "data": ["django_project_dir=src", "django_settings_module=config.settings"],
        "package": "config",
        "src": "src",
    },
}


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}


def _run(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=_env(), check=True, capture_output=True)
    return time.perf_counter() - started


def _until_ready(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds from spawn to the ready line; then stops the backend (stdin EOF)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline()
    seconds = time.perf_counter() - started
    proc.stdin.close()
    proc.wait(30)
    if json.loads(line).get("event") != "ready":
        raise SystemExit(f"no ready line: {line!r}")
    return seconds


def main() -> int:
    layout = sys.argv[1] if len(sys.argv) > 1 else "flat"
    case = LAYOUTS[layout]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / layout
        shutil.copytree(ROOT / "tests" / "fixtures" / "existing" / layout, project)
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
        _run(["git", "init", "-q"], project)
        _run(["git", "add", "-A"], project)
        _run([*git, "commit", "-q", "-m", "theirs"], project)
        data = [f"--data={d}" for d in ["existing_project=true", *case["data"]]]
        copy = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--quiet"]
        rows.append(
            ("copier copy", _run([*copy, "--vcs-ref=HEAD", *data, str(ROOT), "."], project))
        )
        env = {
            **_env(),
            "DESKTOP_DJANGO_AUTH_TOKEN": secrets.token_hex(32),
            "PYTHONPATH": str(project / case["src"]),
        }
        with tempfile.TemporaryDirectory() as app_data:
            env["DESKTOP_DJANGO_APP_DATA_DIR"] = app_data
            module = [sys.executable, "-m", f"{case['package']}.desktop"]
            rows.append(
                ("from source: spawn -> ready (fresh app data)", _until_ready(module, project, env))
            )
        rows.append(
            (
                "frozen build (stage_backend.py, cold)",
                _run([sys.executable, "scripts/stage_backend.py"], project),
            )
        )
        manifest = json.loads((project / ".stage/backend/manifest.json").read_text())
        with tempfile.TemporaryDirectory() as app_data:
            env["DESKTOP_DJANGO_APP_DATA_DIR"] = app_data
            program = [str(project / ".stage/backend" / manifest["executable"])]
            rows.append(
                ("frozen: spawn -> ready (fresh app data)", _until_ready(program, project, env))
            )
    width = max(len(name) for name, _ in rows)
    print(f"wrap of tests/fixtures/existing/{layout}")
    for name, seconds in rows:
        print(f"  {name:<{width}}  {seconds:7.2f} s")
    total = sum(seconds for name, seconds in rows if not name.startswith("frozen"))
    print(f"  {'copier copy -> running from source':<{width}}  {total:7.2f} s")
    frozen = sum(seconds for _, seconds in rows) - rows[1][1]  # not the run from source
    print(f"  {'copier copy -> frozen build running':<{width}}  {frozen:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
