"""Heavy: the generated project's own Python suite, once per distinct backend code.

"Code" leaves out the `DESKTOP_USER` answer line of settings.py (tests/renders.py): the suite's
in-process tests exercise both values in every run, and the representative of each code is the
`local` render. One more run takes an `accounts` render, so that its process, browser and frozen
tests (the first account created in the app, the login) run end to end in that mode too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _run_suite(root: Path, tmp_path: Path, covering: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(root, project)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    tail = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, f"generated suite failed for {covering}:\n{tail}"
    print(tail.strip().splitlines()[-1])


@pytest.mark.heavy
def test_generated_backend_suite(backend_code_tree, tmp_path):
    covered = backend_code_tree.combinations
    _run_suite(backend_code_tree.root, tmp_path, f"{len(covered)} combinations (e.g. {covered[0]})")


@pytest.mark.heavy
def test_generated_backend_suite_with_accounts(render_index, tmp_path):
    entry = next(e for e in render_index["combinations"] if e["data"]["desktop_user"] == "accounts")
    settings = next(Path(entry["dir"], "src").glob("*/settings.py")).read_text(encoding="utf-8")
    assert 'DESKTOP_USER = "accounts"' in settings
    _run_suite(Path(entry["dir"]), tmp_path, entry["id"])


def test_each_backend_code_is_represented_by_its_local_render(render_index):
    """The representative (first) render of every backend code is the `local` one."""
    groups = {}
    for entry in render_index["combinations"]:
        if "backend_code" in entry["hashes"]:  # wrapped renders: tests/test_wrap.py
            groups.setdefault(entry["hashes"]["backend_code"], []).append(entry)
    for entries in groups.values():
        assert entries[0]["data"]["desktop_user"] == "local"
        assert {e["data"]["desktop_user"] for e in entries} == {"local", "accounts"}
