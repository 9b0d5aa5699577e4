"""scripts/smoke.py: passes the shell's result line through; --require fails a skipped launch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "smoke.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose Positron smoke program prints what $FAKE_SMOKE says."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(SCRIPT, tmp_path / "scripts" / "smoke.py")
    smoke = tmp_path / "shells" / "positron" / "scripts" / "smoke.py"
    smoke.parent.mkdir(parents=True)
    smoke.write_text(
        "import os, sys\n"
        "print('log noise')\n"
        "print(os.environ['FAKE_SMOKE'])\n"
        "sys.exit(int(os.environ.get('FAKE_EXIT', '0')))\n"
    )
    return tmp_path


def run(project: Path, line: dict, *args: str, exit_code: int = 0):
    env = {**os.environ, "FAKE_SMOKE": json.dumps(line), "FAKE_EXIT": str(exit_code)}
    result = subprocess.run(
        [sys.executable, str(project / "scripts" / "smoke.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    return result.returncode, lines


SKIPPED = {"shell": "positron", "status": "skipped", "reason": "no display"}


def test_skipped_passes_without_require(project):
    assert run(project, SKIPPED, "positron") == (0, [SKIPPED])


def test_require_turns_skipped_into_a_failure_that_says_why(project):
    code, lines = run(project, SKIPPED, "positron", "--require")
    assert code == 1
    assert lines[-1]["status"] == "failed"
    assert lines[-1]["reason"] == "skipped, but --require is set: no display"


def test_require_keeps_a_pass(project):
    passed = {"shell": "positron", "status": "passed", "seconds_to_page": 1.0}
    assert run(project, passed, "--require", "positron") == (0, [passed])


def test_failed_and_crashed_smokes_fail(project):
    failed = {"shell": "positron", "status": "failed", "reason": "page never loaded"}
    assert run(project, failed, "positron")[0] == 1
    code, lines = run(project, SKIPPED, "positron", exit_code=3)
    assert code == 1 and lines[-1]["reason"] == "smoke program exited non-zero"


def test_a_shell_that_was_not_generated_fails(project):
    code, lines = run(project, SKIPPED, "tauri", "--require")
    assert code == 1 and "was not generated" in lines[-1]["reason"]


def test_usage_errors(project):
    assert run(project, SKIPPED)[0] == 2
    assert run(project, SKIPPED, "qt")[0] == 2
