"""Render every combination once, hash each render's subtrees, and keep an index on disk.

The index is keyed by a hash of the template itself, so a re-run with an unchanged template reuses
the renders, and pytest-xdist workers all read the renders the controller made.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import copier
import yaml

import fastcopier
from matrix import ROOT, Combination, combinations

# Outside any git checkout: copier runs git for every file it writes inside one.
RENDERS = Path(
    os.environ.get("TEMPLATE_RENDERS_DIR") or Path(tempfile.gettempdir()) / "desktop-django-renders"
)
# What copier reads from this repository (`migrations/` runs during `copier update`).
_TEMPLATE_PARTS = ("copier.yml", "extensions", "migrations", "template")
# What renders it here: a change to these makes new renders too.
_RENDERER = ("tests/renders.py", "tests/fastcopier.py")
# The generated project's Python suite depends on these; they form the "backend" subtree.
ANSWER_DATA_SUFFIX = ".answers.json"
# Lines that only carry an answer whose every value the generated suite exercises in each run
# (its in-process tests switch DESKTOP_USER with override_settings). The "<kind>_code" hash leaves
# the value out, as it leaves out *.answers.json; tests/test_backend.py runs the other value's
# render once more, end to end.
ANSWER_LINES = {
    "settings.py": re.compile(rb'^DESKTOP_USER = "[a-z]+"$', re.MULTILINE),
    "about.py": re.compile(rb'^DESKTOP_USER = "[a-z]+"$', re.MULTILINE),
}
_BACKEND_TOP = {"src", "tests", "packaging", "scripts", "manage.py", "pyproject.toml"}
# A wrapped project's desktop files (its own project is not in a render): the layer's package
# folder is named after the project's, so any path through a "desktop" folder counts.
_WRAPPED_BACKEND_TOP = _BACKEND_TOP | {"desktop-tests"}
# Renders of `existing_project` answers hash into kinds of their own ("wrapped_<kind>"): the
# heavy runs of the plain kinds need the project a new render has; tests/test_wrap.py runs a
# wrapped one inside real projects. "python" and "workflows" stay shared (lint, structure).
SHARED_KINDS = {"python", "workflows"}


def subtree_of(relpath: str) -> str:
    """The subtree of a rendered file: backend, electron/tauri/positron, workflows or project."""
    parts = relpath.split("/")
    if parts[0] == "shells" and len(parts) > 2:
        return parts[1]
    if parts[0] == ".github":
        return "workflows"
    if parts[0] in _WRAPPED_BACKEND_TOP or parts[0].startswith("requirements-desktop"):
        return "backend"
    if parts[0] != "docs" and "desktop" in parts[1:-1]:
        return "backend"
    return "project"


def is_wrapped(project: Path) -> bool:
    return bool(answers(project).get("existing_project"))


def answers(project: Path) -> dict:
    """The answers copier recorded in a rendered project."""
    text = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            yield path.relative_to(root).as_posix(), path


def template_hash() -> str:
    digest = hashlib.sha256(copier.__version__.encode() if hasattr(copier, "__version__") else b"")
    for part in _TEMPLATE_PARTS:
        base = ROOT / part
        entries = _files(base) if base.is_dir() else [(part, base)]
        for rel, path in entries:
            if "__pycache__" in rel:
                continue
            digest.update(f"{part}/{rel}\0".encode())
            digest.update(path.read_bytes())
    for name in _RENDERER:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def code_record(rel: str, record: bytes) -> bytes:
    """``record`` with the answer values of :data:`ANSWER_LINES` blanked out."""
    pattern = ANSWER_LINES.get(rel.rsplit("/", 1)[-1])
    if pattern is None or rel.startswith(("shells/", "docs/")):
        return record
    return pattern.sub(lambda m: m.group(0).split(b"=")[0] + b"= <answer>", record)


def subtree_hashes(project: Path) -> dict[str, str]:
    """A hash per subtree, plus two derived ones.

    - "python": every .py file (what ruff checks).
    - "<kind>_code": the subtree without its answer-data files (`*.answers.json`) and answer
      lines (:data:`ANSWER_LINES`). A shell keeps what the answers decide (feed, signing, ids) in
      such files and its code static, so its heavy tests run once per distinct code while every
      distinct data file is still schema-checked.
    """
    digests: dict[str, hashlib._Hash] = {}
    wrapped = is_wrapped(project)
    for rel, path in _files(project):
        record = rel.encode() + b"\0" + path.read_bytes() + b"\0"
        kind = subtree_of(rel)
        if wrapped and kind not in SHARED_KINDS:
            kind = f"wrapped_{kind}"
        digests.setdefault(kind, hashlib.sha256()).update(record)
        if kind not in {"project", "workflows", "wrapped_project"} and not rel.endswith(
            ANSWER_DATA_SUFFIX
        ):
            digests.setdefault(f"{kind}_code", hashlib.sha256()).update(code_record(rel, record))
        if rel.endswith(".py"):
            digests.setdefault("python", hashlib.sha256()).update(record)
    return {kind: digest.hexdigest()[:12] for kind, digest in sorted(digests.items())}


def render(template: Path, combo_data: dict, dst: Path) -> None:
    copier.run_copy(
        str(template),
        str(dst),
        data=combo_data,
        defaults=True,
        unsafe=True,
        skip_tasks=True,
        quiet=True,
    )


def _render_one(args: tuple[str, int, dict]) -> dict:
    template, index, data = args
    fastcopier.install()
    dst = Path(template).parent / "r" / f"{index:04d}"
    entry = {"index": index, "data": data, "dir": str(dst), "error": None, "hashes": {}}
    try:
        render(Path(template), data, dst)
        entry["hashes"] = subtree_hashes(dst)
    except Exception as exc:  # reported by that combination's test, not here
        entry["error"] = f"{type(exc).__name__}: {exc}"
    return entry


def stage_template(base: Path) -> Path:
    """A plain copy of the template (no .git), so copier renders it in place instead of cloning."""
    src = base / "template-src"
    for part in _TEMPLATE_PARTS:
        origin = ROOT / part
        if origin.is_dir():
            shutil.copytree(origin, src / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, src / part)
    return src


def discard_old_renders() -> None:
    """Renders of older template versions go (not the shared cargo target: cargo itself knows
    what changed). Deleting ~600,000 files takes minutes, so they are moved aside at once and
    deleted by a process of their own while this run renders."""
    if not RENDERS.exists():
        return
    trash = RENDERS / f"trash-{os.getpid()}-{time.time_ns()}"
    for old in RENDERS.iterdir():
        if old.is_dir() and re.fullmatch(r"[0-9a-f]{16}|trash-[0-9-]+", old.name):
            trash.mkdir(exist_ok=True)
            old.rename(trash / old.name)
    if trash.exists():
        subprocess.Popen(
            ["rm", "-rf", str(trash)]
            if shutil.which("rm")
            else [
                sys.executable,
                "-c",
                f"import shutil; shutil.rmtree({str(trash)!r}, ignore_errors=True)",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def build_index(
    combos: list[Combination] | None = None, workers: int | None = None, log=print
) -> dict:
    """Render every combination (or reuse renders of the same template) and return the index."""
    key = template_hash()
    base = RENDERS / key
    index_file = base / "index.json"
    if index_file.exists():
        return json.loads(index_file.read_text())
    discard_old_renders()
    combos = combinations() if combos is None else combos
    template = stage_template(base)
    started = time.perf_counter()
    jobs = [(str(template), i, c.data) for i, c in enumerate(combos)]
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        entries = list(pool.map(_render_one, jobs, chunksize=16))
    seconds = time.perf_counter() - started
    for entry, combo in zip(entries, combos, strict=True):
        entry["id"] = combo.id
    index = {"template_hash": key, "render_seconds": round(seconds, 1), "combinations": entries}
    index_file.write_text(json.dumps(index, indent=1))
    log(f"rendered {len(entries)} combinations in {seconds:.1f} s into {base}")
    return index


def distinct_subtrees(index: dict, kind: str) -> dict[str, list[dict]]:
    """hash -> the combinations whose render has exactly that subtree."""
    groups: dict[str, list[dict]] = {}
    for entry in index["combinations"]:
        digest = entry["hashes"].get(kind)
        if digest:
            groups.setdefault(digest, []).append(entry)
    return groups


def distinct_files(index: dict, kind: str, pattern: str) -> dict[str, tuple[Path, list[dict]]]:
    """sha256 of a file -> (one rendered copy, every combination whose render has it), for the
    files matching `pattern` (a glob from the project root) in the `kind` subtrees."""
    found: dict[str, tuple[Path, list[dict]]] = {}
    for entries in distinct_subtrees(index, kind).values():
        for path in sorted(Path(entries[0]["dir"]).glob(pattern)):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found.setdefault(digest, (path, []))[1].extend(entries)
    return found
