"""The memoized renderer used by the matrix gives byte-identical output to plain copier."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from renders import RENDERS


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_memoized_render_matches_plain_copier(tmp_path, render_index):
    template = RENDERS / render_index["template_hash"] / "template-src"
    data = (
        '{"shells": ["electron", "tauri", "positron"], "update_feed": "github", '
        '"macos_signing": true, "windows_signing": true}'
    )
    code = (
        "import json, sys; sys.path.insert(0, 'tests'); import renders; "
        + "{patch}renders.render(__import__('pathlib').Path(sys.argv[1]), json.loads(sys.argv[2]), "
        + "sys.argv[3])"
    )
    for name, patch in (("plain", ""), ("memoized", "import fastcopier; fastcopier.install(); ")):
        # Two renders in the memoized process, so the second one runs on warm caches.
        for target in ("warmup", name) if patch else (name,):
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    code.format(patch=patch),
                    str(template),
                    data,
                    str(tmp_path / target),
                ],
                check=True,
                cwd=Path(__file__).parent.parent,
            )
    plain, memoized = _tree(tmp_path / "plain"), _tree(tmp_path / "memoized")
    assert plain and plain == memoized
