"""The check that installs tests/node before a run: it notices a missing or stale install, and
installing leaves the work tree clean (the committed lock is complete, so `npm ci` takes it).

Cheap, no rendering:
    python -m pytest -o addopts="" -p no:xdist --noconftest tests/test_node_tools.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import node_tools

ROOT = Path(__file__).parent.parent


def _copy_node_dir(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(node_tools.NODE_DIR / name, dest / name)
    return dest


def _write_record(node_dir: Path, packages: dict) -> None:
    """Fake npm's record of an install (node_modules/.package-lock.json)."""
    (node_dir / "node_modules").mkdir(exist_ok=True)
    record = {"name": "template-test-tools", "lockfileVersion": 3, "packages": packages}
    (node_dir / "node_modules" / ".package-lock.json").write_text(json.dumps(record))


def test_check_detects_missing_and_stale_installs(tmp_path):
    node_dir = _copy_node_dir(tmp_path / "node")
    assert not node_tools.is_installed(node_dir)  # no node_modules at all

    lock = json.loads((node_dir / "package-lock.json").read_text())["packages"]
    # As installed here: every package but other platforms' optional binaries.
    installed = {k: v for k, v in lock.items() if k and not v.get("optional")}
    _write_record(node_dir, installed)
    assert node_tools.is_installed(node_dir)

    name = "node_modules/ajv"
    _write_record(node_dir, {**installed, name: {**installed[name], "version": "0.0.1"}})
    assert not node_tools.is_installed(node_dir)  # another version than the lock's
    _write_record(node_dir, {k: v for k, v in installed.items() if k != name})
    assert not node_tools.is_installed(node_dir)  # a package missing


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_install_leaves_the_work_tree_clean(tmp_path):
    """In a repository holding this work tree's tests/node files and .gitignore, as committed."""
    node_dir = _copy_node_dir(tmp_path / "tests" / "node")
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")

    def git(*args: str) -> bytes:
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
        return subprocess.run(command, cwd=tmp_path, check=True, capture_output=True).stdout

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "node tools")

    assert node_tools.ensure_installed(node_dir)  # it was missing, so it installed
    assert node_tools.is_installed(node_dir)
    assert not node_tools.ensure_installed(node_dir)  # a second run is a no-op
    assert git("status", "--porcelain", "tests/node") == b""
