"""Render every combination once, hash each render's subtrees, and keep an index on disk.

The index is keyed by a hash of the template itself, so a re-run with an unchanged template reuses
the renders, and pytest-xdist workers all read the renders the controller made.

Renders come from tests/filerender.py: copier computes each combination's answers, and each file
is rendered once per distinct value of the answers it reads. Hashes come from those bytes in
memory. The first render of each distinct subtree is a real copy (heavy tests run and write in
it); the other renders hard-link the store's files, so tests must copy a render before changing
any of its files (as tests/test_update.py and tests/test_backend.py do).
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
import filerender
from matrix import ROOT, Combination, combinations

# Outside any git checkout: copier runs git for every file it writes inside one.
RENDERS = Path(
    os.environ.get("TEMPLATE_RENDERS_DIR") or Path(tempfile.gettempdir()) / "desktop-django-renders"
)
# What copier reads from this repository (`migrations/` runs during `copier update`).
_TEMPLATE_PARTS = ("copier.yml", "extensions", "migrations", "template")
# What renders it here: a change to these makes new renders too.
_RENDERER = ("tests/renders.py", "tests/fastcopier.py", "tests/filerender.py")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Combinations per task of the process pool (consecutive ones: see `build_index`).
_CHUNK = 64
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
    return yaml.load(text, Loader=_YAML_LOADER)


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


def record_digests(rel: str, wrapped: bool) -> tuple[tuple[str, bool], ...]:
    """The digests a file's record goes into, each with whether it goes in as a code record."""
    kind = subtree_of(rel)
    if wrapped and kind not in SHARED_KINDS:
        kind = f"wrapped_{kind}"
    names = [(kind, False)]
    if kind not in {"project", "workflows", "wrapped_project"} and not rel.endswith(
        ANSWER_DATA_SUFFIX
    ):
        names.append((f"{kind}_code", True))
    if rel.endswith(".py"):
        names.append(("python", False))
    return tuple(names)


def subtree_hashes(project: Path) -> dict[str, str]:
    """A hash per subtree, plus two derived ones.

    - "python": every .py file (what ruff checks).
    - "<kind>_code": the subtree without its answer-data files (`*.answers.json`) and answer
      lines (:data:`ANSWER_LINES`). A shell keeps what the answers decide (feed, signing, ids) in
      such files and its code static, so its heavy tests run once per distinct code while every
      distinct data file is still schema-checked.
    """
    files = [(rel, path.read_bytes()) for rel, path in _files(project)]
    return hashes_of(files, lambda data: data, is_wrapped(project))


def hashes_of(files, read, wrapped: bool, memo: dict | None = None) -> dict[str, str]:
    """:func:`subtree_hashes` of files given as (path, blob) in `_files` order; `read(blob)` gives
    the bytes. With `memo`, a subtree already hashed (same paths, same blobs) is not read again."""
    groups: dict[str, list] = {}
    for rel, blob in files:
        for name, code in record_digests(rel, wrapped):
            groups.setdefault(name, []).append((rel, blob, code))
    hashes = {}
    for name, records in sorted(groups.items()):
        key = (name, tuple(records))
        found = None if memo is None else memo.get(key)
        if found is None:
            digest = hashlib.sha256()
            for rel, blob, code in records:
                record = rel.encode() + b"\0" + read(blob) + b"\0"
                digest.update(code_record(rel, record) if code else record)
            found = digest.hexdigest()[:12]
            if memo is not None:
                memo[key] = found
        hashes[name] = found
    return hashes


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


# One renderer per process: its caches serve every combination that process renders.
_renderer: filerender.Renderer | None = None
_hash_memo: dict = {}
_first_seen: set = set()
_wrapped: dict = {}
_ANSWERS_KINDS = {"project", "wrapped_project"}


def _sort_key(rel: str) -> list[str]:
    return rel.split("/")  # how `_files` orders paths (Path order compares parts)


def _render_chunk(args: tuple[str, list[tuple[int, dict]]]) -> tuple[list[dict], int, int, int]:
    """Render a run of consecutive combinations: their entries, then this process's distinct
    file renders and files so far, and its id."""
    global _renderer
    template, jobs = args
    fastcopier.install()
    base = Path(template).parent
    if _renderer is None or _renderer.template != Path(template):
        _renderer = filerender.Renderer(Path(template), base / "store")
        _hash_memo.clear(), _first_seen.clear(), _wrapped.clear()
    entries, content = [], _renderer.content
    for index, data in jobs:
        dst = base / "r" / f"{index:04d}"
        entry = {"index": index, "data": data, "dir": str(dst), "error": None, "hashes": {}}
        try:
            files, folders = _renderer.project(data, dst)
            ordered = sorted(
                ((rel, b) for rel, b in files.items() if ".git" not in rel.split("/")),
                key=lambda item: _sort_key(item[0]),
            )
            answers_blob = files.get(".copier-answers.yml")  # what `answers()` reads
            if answers_blob is None:
                raise FileNotFoundError(f"{dst / '.copier-answers.yml'} was not rendered")
            if answers_blob not in _wrapped:
                loaded = yaml.load(content[answers_blob[0]].decode(), Loader=_YAML_LOADER)
                _wrapped[answers_blob] = bool(loaded.get("existing_project"))
            wrapped = _wrapped[answers_blob]
            hashes = hashes_of(ordered, lambda blob: content[blob[0]], wrapped, _hash_memo)
            # The first render of a subtree is the one the heavy tests run in (and may write
            # into): a real copy. The others share the store's files through hard links. The
            # project subtrees hold the answers file, new in every combination.
            runs = {(k, d) for k, d in hashes.items() if k not in _ANSWERS_KINDS}
            first = not _first_seen.issuperset(runs)
            _first_seen.update(runs)
            _renderer.write(dst, files, folders, copy=first)
            entry["hashes"] = hashes
        except Exception as exc:  # reported by that combination's test, not here
            entry["error"] = f"{type(exc).__name__}: {exc}"
        entries.append(entry)
    return entries, _renderer.renders, _renderer.files, os.getpid()


def _combinations() -> list[Combination]:
    # In a pool process: fastcopier's compile cache makes the matrix's Jinja ~20x faster, and
    # the test process keeps an unpatched Jinja.
    fastcopier.install()
    return combinations()


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
    template = stage_template(base)
    started = time.perf_counter()
    entries, renders, files = [], {}, {}
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        combos = pool.submit(_combinations).result() if combos is None else combos
        jobs = [(i, c.data) for i, c in enumerate(combos)]
        # Consecutive combinations share most answers, so each process's caches keep hitting.
        # Chunks go out in order, so a subtree's first render overall is also the first its
        # process sees.
        chunks = [(str(template), jobs[i : i + _CHUNK]) for i in range(0, len(jobs), _CHUNK)]
        for chunk_entries, pid_renders, pid_files, pid in pool.map(_render_chunk, chunks):
            entries.extend(chunk_entries)
            renders[pid] = max(renders.get(pid, 0), pid_renders)
            files[pid] = max(files.get(pid, 0), pid_files)
    seconds = time.perf_counter() - started
    for entry, combo in zip(entries, combos, strict=True):
        entry["id"] = combo.id
    index = {
        "template_hash": key,
        "render_seconds": round(seconds, 1),
        "file_renders": sum(renders.values()),
        "files": sum(files.values()),
        "combinations": entries,
    }
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
