"""Heavy: the generated project's own Python suite, once per distinct backend subtree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest


@pytest.mark.heavy
def test_generated_backend_suite(backend_tree, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(backend_tree.root, project)
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
    assert result.returncode == 0, (
        f"generated suite failed for {len(backend_tree.combinations)} combinations "
        f"(e.g. {backend_tree.combinations[0]}):\n{tail}"
    )
    print(tail.strip().splitlines()[-1])
