"""The template's own Python (tests, scripts, extensions, migrations) passes ruff."""

from __future__ import annotations

import subprocess
import sys

from matrix import ROOT

LINTED = ("tests", "scripts", "extensions", "migrations")


def test_template_code_passes_ruff():
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--no-cache", *LINTED],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
