"""The matrix's renderer (tests/filerender.py) writes what plain copier writes: files, bytes,
modes, folders; and the index holds the subtree hashes of plain copier's renders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import filerender
import renders
from conftest import TREE_KINDS, distinct_runs
from renders import RENDERS

# Plain, unpatched copier in a process of its own, one render per (folder, data).
_PLAIN = """
import json, sys
from pathlib import Path
sys.path.insert(0, "tests")
import renders
for folder, data in json.loads(sys.argv[2]):
    renders.render(Path(sys.argv[1]), data, folder)
"""


def _tree(root: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every path under root: a file's bytes and mode bits, None for a folder."""
    return {
        p.relative_to(root).as_posix(): None if p.is_dir() else (p.read_bytes(), p.stat().st_mode)
        for p in root.rglob("*")
    }


def _sample(entries: list[dict], defaults: dict) -> list[dict]:
    """Defaults, every shell with both signings, wrapped projects, and a spread of the rest."""

    def first(match) -> list[dict]:
        return [next(e for e in entries if match(e["data"]))]

    picks = first(lambda d: all(defaults.get(k) == v for k, v in d.items()))
    picks += first(
        lambda d: len(d["shells"]) == 3 and d.get("macos_signing") and d.get("windows_signing")
    )
    picks += first(lambda d: d.get("existing_project"))
    picks += first(lambda d: d.get("existing_project") and d["shells"][0] == "positron")
    picks += [entries[i * len(entries) // 6] for i in range(1, 6)]
    return list({e["index"]: e for e in picks}.values())


def test_renders_match_plain_copier(tmp_path, render_index):
    template = RENDERS / render_index["template_hash"] / "template-src"
    entries = render_index["combinations"]
    subprocess.run(
        [sys.executable, "-c", _PLAIN, str(template), json.dumps([[str(tmp_path / "d"), {}]])],
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    sample = _sample(entries, renders.answers(tmp_path / "d"))
    assert len(sample) >= 6
    # The same folder name as the matrix's (copier's `_folder_name`), in another parent.
    jobs = [[str(tmp_path / "plain" / Path(e["dir"]).name), e["data"]] for e in sample]
    subprocess.run(
        [sys.executable, "-c", _PLAIN, str(template), json.dumps(jobs)],
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    renderer = filerender.Renderer(template, tmp_path / "store")
    for number, (entry, (folder, data)) in enumerate(zip(sample, jobs, strict=True)):
        assert entry["error"] is None, entry["error"]
        fast = tmp_path / "fast" / Path(folder).name
        files, folders = renderer.project(data, fast)
        renderer.write(fast, files, folders, copy=number % 2 == 0)  # both ways of laying out
        plain = _tree(Path(folder))
        assert len(plain) > 50
        assert sorted(_tree(fast)) == sorted(plain), entry["id"]
        differ = [rel for rel, found in _tree(fast).items() if found != plain[rel]]
        assert not differ, f"{entry['id']}: {differ}"
        assert renders.subtree_hashes(Path(folder)) == entry["hashes"], entry["id"]
        # The matrix's own copy (heavy tests may have added files to it since).
        matrix = _tree(Path(entry["dir"]))
        assert not [rel for rel in plain if matrix.get(rel) != plain[rel]], entry["id"]


def test_heavy_runs_get_real_copies(render_index):
    """Heavy tests run (and write) in the first render of each distinct subtree: none of its
    files may be a hard link to the store that other combinations share."""
    store = RENDERS / render_index["template_hash"] / "store"
    inodes = {(s.st_dev, s.st_ino) for s in (p.stat() for p in store.iterdir())}

    def linked(root: Path) -> list[Path]:
        found = (p for p in root.rglob("*") if p.is_file())
        return [p for p in found if (p.stat().st_dev, p.stat().st_ino) in inodes]

    roots = {run.root for kind in TREE_KINDS for run in distinct_runs(render_index, kind)}
    shared = [p for root in roots for p in linked(root)]
    assert not shared, shared[:5]
    # The others do share (so the check above can see a link).
    other = next(
        Path(e["dir"]) for e in render_index["combinations"] if Path(e["dir"]) not in roots
    )
    assert linked(other)
