"""Render answer combinations from distinct file renders instead of one copier run each.

Copier itself still computes each combination's answers and Jinja context (its Worker, questions,
validators, extensions). Each template path and file is then rendered once per distinct value of
the context names its Jinja source reads, into a content-addressed store, and a combination's
project is assembled from that store. The steps follow copier's `Worker._render_template`
(copier 9.x): templated names, a name rendered empty skips the path, the `.jinja` suffix, the
`_exclude` patterns, the source file's mode. tests/test_filerender.py compares the result with
plain copier renders, file list, bytes and modes, on a sample of combinations.
"""

from __future__ import annotations

import errno
import os
import re
from hashlib import sha256
from itertools import chain
from pathlib import Path, PurePosixPath

import copier._main as copier_main
from copier._jinja_ext import get_yield_context
from copier.errors import ForbiddenPathError, UserMessageError, YieldTagInFileError
from jinja2 import meta, nodes
from jinja2.exceptions import TemplateError

_LINEBREAK = re.compile(r"\r\n|\r|\n")  # how copier splits rendered `_exclude` entries
_MISSING = ("missing",)


class _Unkeyable(Exception):
    """A context value this module cannot compare: the source is keyed per combination."""


def _freeze(value):
    """A hashable, type-exact stand-in for an answer value (dict order included)."""
    if value is None or isinstance(value, bool | int | float | str):
        return (type(value).__name__, value)
    if isinstance(value, PurePosixPath | Path):
        return ("path", str(value))
    if isinstance(value, dict) and type(value) is dict:
        return ("dict", tuple((_freeze(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple) and type(value) in (list, tuple):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    raise _Unkeyable(type(value).__name__)


def _names(ast: nodes.Template) -> tuple | None:
    """The context names a parsed source reads, or None if it may read anything (includes,
    imports, or `_copier_conf` used other than by a constant attribute)."""
    if any(True for _ in ast.find_all((nodes.Extends, nodes.Include, nodes.Import))):
        return None
    if any(True for _ in ast.find_all(nodes.FromImport)):
        return None
    names = meta.find_undeclared_variables(ast)
    keys: list = sorted(n for n in names if n != "_copier_conf")
    if "_copier_conf" in names:
        uses = [n for n in ast.find_all(nodes.Name) if n.name == "_copier_conf"]
        attrs = [
            g.attr
            for g in ast.find_all(nodes.Getattr)
            if isinstance(g.node, nodes.Name) and g.node.name == "_copier_conf"
        ]
        if len(attrs) != len(uses):
            return None
        keys += [("_copier_conf", a) for a in sorted(set(attrs))]
    return tuple(keys)


class Renderer:
    """Renders combinations of one staged template; caches live as long as the object."""

    def __init__(self, template: Path, store: Path):
        self.template = template
        self.store = store
        store.mkdir(parents=True, exist_ok=True)
        first = self._worker({}, template.parent / "unused")
        self.env = first.jinja_env
        tpl = first.template
        self.suffix = tpl.templates_suffix
        self.local = Path(tpl.local_abspath)
        self.exclusions = tuple(first.all_exclusions)
        self.subdirectory = tpl.subdirectory
        self.git_modes = tpl.git_index_modes
        self.path_matcher = first._path_matcher
        if tpl.preserve_symlinks:
            raise NotImplementedError("_preserve_symlinks: render with copier instead")
        self._sources: dict[str, tuple] = {}  # Jinja source -> (compiled, names)
        self._files: dict[str, tuple] = {}  # template file name -> (compiled, names)
        self._strings: dict[tuple, str] = {}
        self._scans: dict[Path, list] = {}
        self._exists: dict[Path, bool] = {}
        self._matchers: dict[tuple, tuple] = {}
        self._dst: dict[tuple, tuple] = {}
        self._blobs: dict[tuple, tuple[str, int]] = {}  # (source, values) -> (sha256, mode)
        self.content: dict[str, bytes] = {}  # sha256 -> bytes
        self.stored: dict[tuple[str, int], Path] = {}
        self.renders = 0  # distinct file renders (and copies of non-template files)
        self.files = 0  # files in every combination rendered

    def _worker(self, data: dict, dst: Path) -> copier_main.Worker:
        worker = copier_main.Worker(
            src_path=str(self.template),
            dst_path=dst,
            data=data,
            defaults=True,
            unsafe=True,
            skip_tasks=True,
            quiet=True,
        )
        if hasattr(self, "env"):
            # One environment for all: building one imports the template's extensions again.
            worker.__dict__["jinja_env"] = self.env
        return worker

    def context(self, data: dict, dst: Path) -> tuple[dict, str]:
        """Copier's render context for `data` rendered into `dst`, and its answers file path."""
        token = copier_main._operation.set("copy")
        try:
            with self._worker(data, dst) as worker:
                with copier_main.Phase.use(copier_main.Phase.PROMPT):
                    worker._ask()
                with copier_main.Phase.use(copier_main.Phase.RENDER):
                    return worker._render_context(), str(worker.answers_relpath)
        finally:
            copier_main._operation.reset(token)

    # --- strings and files, each rendered once per distinct value of the names it reads

    def _key(self, names: tuple | None, context: dict):
        if names is None:
            return ("combination", str(context["_copier_conf"]["dst_path"]))
        try:
            values = []
            for name in names:
                if isinstance(name, tuple):
                    values.append(_freeze(context["_copier_conf"][name[1]]))
                else:
                    values.append(_freeze(context[name]) if name in context else _MISSING)
            return tuple(values)
        except _Unkeyable:
            return ("combination", str(context["_copier_conf"]["dst_path"]))

    def render_string(self, source: str, context: dict) -> str:
        if source not in self._sources:
            compiled = self.env.from_string(source)
            self._sources[source] = (compiled, _names(self.env.parse(source)))
        compiled, names = self._sources[source]
        key = (source, self._key(names, context))
        if key not in self._strings:
            self._strings[key] = compiled.render(**context)
        return self._strings[key]

    def _blob(self, src_relpath: str, context: dict) -> tuple[str, int]:
        """(sha256, mode) of one file as copier's `_render_file` writes it."""
        is_template = src_relpath.endswith(self.suffix)
        if is_template:
            if src_relpath not in self._files:
                source = self.env.loader.get_source(self.env, src_relpath)[0]
                compiled = self.env.get_template(src_relpath)
                self._files[src_relpath] = (compiled, _names(self.env.parse(source)))
            compiled, names = self._files[src_relpath]
            key = (src_relpath, self._key(names, context))
        else:
            key = (src_relpath,)
        if key not in self._blobs:
            src = self.local / src_relpath
            if is_template:
                data = compiled.render(**context).encode()
                if get_yield_context(self.env).yield_name:
                    raise YieldTagInFileError(
                        f"File {src_relpath} contains a yield tag, but it is not allowed."
                    )
            else:
                data = src.read_bytes()
            mode = src.stat().st_mode
            git_mode = self.git_modes.get(PurePosixPath(src_relpath))
            if git_mode is not None:
                mode = (mode & ~0o111) | (git_mode & 0o111)
            digest = sha256(data).hexdigest()
            self.content[digest] = data
            self._blobs[key] = (digest, mode)
            self.renders += 1
        return self._blobs[key]

    # --- one combination

    def _scan(self, copy_root: Path) -> list[tuple[PurePosixPath, str, bool]]:
        """(path under copy_root, path under the template root, is a folder), in copier's order."""
        if copy_root not in self._scans:
            found = []

            def walk(folder: str) -> None:
                for entry in os.scandir(folder):
                    if entry.is_symlink():
                        raise NotImplementedError(f"symlink {entry.path}: render with copier")
                    path = Path(entry.path)
                    found.append(
                        (
                            PurePosixPath(path.relative_to(copy_root).as_posix()),
                            path.relative_to(self.local).as_posix(),
                            entry.is_dir(),
                        )
                    )
                    if entry.is_dir():
                        walk(entry.path)

            walk(str(copy_root))
            self._scans[copy_root] = found
        return self._scans[copy_root]

    def _exists_here(self, path: Path) -> bool:
        if path not in self._exists:
            self._exists[path] = path.exists()
        return self._exists[path]

    def _dst_path(self, relpath: PurePosixPath, context: dict, answers_relpath: str, root: Path):
        """Copier's `_render_path` without yield tags: the destination, or None to skip."""
        is_template = relpath.name.endswith(self.suffix)
        if self.suffix and self._exists_here(root / f"{relpath}{self.suffix}"):
            return None
        if self.suffix and is_template:
            relpath = relpath.with_suffix("")
        rendered = []
        for index, part in enumerate(relpath.parts):
            try:
                text = self.render_string(part, context) if "{" in part else part
            except TemplateError as error:
                source = PurePosixPath(*relpath.parts[: index + 1])
                raise UserMessageError(
                    f"Error rendering template path {source}: {error}"
                ) from error
            if not text:
                return None
            if text == answers_relpath:
                return answers_relpath
            rendered.append(text)
        path = PurePosixPath(*rendered)
        if is_template or not self._exists_here(self.local / f"{path}{self.suffix}"):
            normal = os.path.normpath(path)
            if normal.startswith("/") or normal.split("/")[0] == "..":
                raise ForbiddenPathError(path=Path(path))
            return path.as_posix()
        return None

    def _excluded(self, context: dict):
        """Copier's `match_exclude` for this context, memoized per distinct pattern list."""
        rendered = {**context, "_copier_operation": "copy"}
        lines = tuple(
            chain.from_iterable(
                _LINEBREAK.split(self.render_string(pattern, rendered))
                for pattern in self.exclusions
            )
        )
        if lines not in self._matchers:
            self._matchers[lines] = (self.path_matcher(lines), {})
        matcher, seen = self._matchers[lines]

        def excluded(path: str) -> bool:
            if path not in seen:
                seen[path] = matcher(Path(path))
            return seen[path]

        return excluded

    def project(self, data: dict, dst: Path) -> tuple[dict[str, tuple[str, int]], list[str]]:
        """The files ({path: (sha256, mode)}) and folders copier would write for `data`."""
        context, answers_relpath = self.context(data, dst)
        subdir = self.render_string(self.subdirectory, context) or ""
        copy_root = (self.local / subdir).resolve()
        if not copy_root.is_relative_to(self.local):
            raise ForbiddenPathError(path=Path(subdir))
        excluded = self._excluded(context)
        files: dict[str, tuple[str, int]] = {}
        folders: list[str] = []
        for relpath, src_relpath, is_dir in self._scan(copy_root):
            names = self._path_names(relpath)
            key = (relpath, self._key(names, context), answers_relpath)
            if key not in self._dst:
                self._dst[key] = (self._dst_path(relpath, context, answers_relpath, copy_root),)
            (dst_relpath,) = self._dst[key]
            if dst_relpath is None or excluded(dst_relpath):
                continue
            if is_dir:
                folders.append(dst_relpath)
            else:
                files[dst_relpath] = self._blob(src_relpath, context)
        self.files += len(files)
        return files, folders

    def _path_names(self, relpath: PurePosixPath) -> tuple | None:
        key = ("path", relpath)
        if key not in self._sources:
            names: set | None = set()
            for part in relpath.parts:
                if "{" not in part:
                    continue
                part_names = _names(self.env.parse(part))
                if part_names is None:
                    names = None
                    break
                names |= set(part_names)
            self._sources[key] = (None, None if names is None else tuple(sorted(names, key=str)))
        return self._sources[key][1]

    # --- on disk

    def _stored(self, blob: tuple[str, int], fresh: bool = False) -> Path:
        """The store's copy of a blob (a new one when `fresh`: a file has at most ~65,000
        hard links on ext4)."""
        if fresh or blob not in self.stored:
            digest, mode = blob
            path = self.store / f"{digest}.{mode & 0o7777:o}"
            number = 0
            while fresh and path.exists():
                number += 1
                path = self.store / f"{digest}.{mode & 0o7777:o}.{number}"
            if not path.exists():
                temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                temporary.write_bytes(self.content[digest])
                temporary.chmod(mode & 0o7777)
                os.replace(temporary, path)
            self.stored[blob] = path
        return self.stored[blob]

    def write(self, dst: Path, files: dict, folders: list[str], copy: bool) -> None:
        """Lay out one project: hard links into the store, or real copies when `copy`."""
        needed = {""} | set(folders) | {os.path.dirname(rel) for rel in files}
        for rel in list(needed):
            while rel:
                rel = os.path.dirname(rel)
                needed.add(rel)
        dst.parent.mkdir(parents=True, exist_ok=True)
        for folder in sorted(needed, key=lambda rel: rel.split("/")):
            os.mkdir(dst / folder)
        for rel, blob in files.items():
            target = dst / rel
            if copy:
                target.write_bytes(self.content[blob[0]])
                target.chmod(blob[1] & 0o7777)
                continue
            try:
                os.link(self._stored(blob), target)
            except OSError as error:
                if error.errno != errno.EMLINK:
                    raise
                os.link(self._stored(blob, fresh=True), target)
