"""actionlint and zizmor over GitHub workflow files: one way to run each, for every test.

- actionlint: the native binary, v1.7.12 from the Go module proxy (.ci/run installs it in
  ~/go/bin), all files in one process, without its optional shellcheck/pyflakes checks.
- zizmor: offline, medium severity and up.
Both return one readable line per finding; an empty list means clean.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ACTIONLINT_INSTALL = "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"


def _actionlint_binary() -> str | None:
    return shutil.which("actionlint") or shutil.which("actionlint", path=Path.home() / "go" / "bin")


def require_tools() -> None:
    """Skip (with the fix) when a linter is missing; .ci/run installs both."""
    if _actionlint_binary() is None:
        pytest.skip(f"actionlint is not installed: {ACTIONLINT_INSTALL}")
    if shutil.which("zizmor") is None:
        pytest.skip("zizmor is not installed: python -m pip install --group test")


def actionlint(files: list[Path]) -> list[str]:
    """Findings for workflow files."""
    # actionlint prints paths relative to its working directory: from "/", that is the absolute
    # path minus its leading "/". shellcheck and pyflakes are off: they run only where installed
    # (GitHub's runners have shellcheck), and the same files must give the same findings anywhere.
    run = subprocess.run(
        [_actionlint_binary(), "-format", "{{json .}}", "-shellcheck=", "-pyflakes="]
        + [os.path.abspath(f) for f in files],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=600,
    )
    # actionlint exits 1 when it reports findings; 2 and 3 are bad options and fatal errors.
    assert run.returncode in (0, 1), run.stderr[-4000:]
    return [
        f"actionlint /{p['filepath']}:{p['line']}:{p['column']} [{p['kind']}] {p['message']}"
        for p in json.loads(run.stdout or "[]")
    ]


def zizmor(paths: list[Path]) -> list[str]:
    """Findings for workflow files or folders of them."""
    run = subprocess.run(
        ["zizmor", "--offline", "--min-severity", "medium", "--format", "json", "--no-progress"]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # zizmor exits 11-14 when it reports findings (by highest severity); other codes are errors.
    assert run.returncode in (0, 11, 12, 13, 14), run.stderr[-2000:]
    findings = []
    for item in json.loads(run.stdout or "[]"):
        location = item["locations"][0]
        path = next(iter(location["symbolic"]["key"].values()), {}).get("verbatim_path")
        row = location["concrete"]["location"]["start_point"]["row"] + 1
        severity = item["determinations"]["severity"]
        findings.append(f"zizmor {path}:{row} {item['ident']} ({severity}): {item['desc']}")
    return findings
