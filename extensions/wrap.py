"""Jinja filters for wrapping an existing Django project (``existing_project``).

The validators look at the destination folder only when it holds something besides ``.git``:
``copier update`` answers the same questions again while rendering into empty temporary folders,
where there is no project to look at. Each returns "" when the answer is fine, otherwise a first
line (at most 100 characters) saying what to do, then details.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from jinja2.ext import Extension

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_SETTINGS_IN_MANAGE = re.compile(
    r"""setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z0-9_.]+)["']"""
)
# What the template adds to a wrapped project outside the desktop package: none may exist yet,
# so `copier copy` only ever adds files (scripts/ and packaging/ are checked file by file).
WRAP_PATHS = (
    ".copier-answers.yml",
    "requirements-desktop.txt",
    "requirements-desktop-dev.txt",
    "requirements-desktop-positron.txt",
    "desktop-tests",
    "shells",
    "docs/desktop.md",
    "docs/desktop-architecture.md",
    "docs/desktop-release.md",
    "docs/desktop-updating.md",
    ".github/workflows/desktop-ci.yml",
    ".github/workflows/desktop-packages.yml",
    ".github/workflows/desktop-template-update.yml",
)
_CHECKED_FILE_BY_FILE = ("scripts", "packaging")


def _project_root(conf) -> Path | None:
    """The destination, when it already holds a project (anything besides ``.git``)."""
    try:
        root = Path(str(conf["dst_path"]))
    except (KeyError, TypeError):
        return None
    if not root.is_dir() or not any(entry.name != ".git" for entry in root.iterdir()):
        return None
    return root


def normpath(value: str) -> str:
    """A relative folder in POSIX form without "./" or doubled slashes ("." stays ".")."""
    return posixpath.normpath(str(value).strip().replace("\\", "/") or ".")


def project_dir_error(value: str, conf) -> str:
    text = str(value).strip()
    path = normpath(text)
    if not text or text.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", text):
        return f"Use a folder relative to the repository root, not {text!r} (e.g. '.' or 'src')."
    if path == ".." or path.startswith("../"):
        return f"{text!r} leaves the repository: use a folder inside it (e.g. '.' or 'src')."
    root = _project_root(conf)
    if root is not None and not (root / path / "manage.py").is_file():
        return (
            f"No manage.py in {path!r}: answer the folder that holds the project's manage.py.\n"
            "'.' is the repository root; a src layout usually has it in 'src'."
        )
    return ""


def guess_settings_module(project_dir: str, conf) -> str:
    """The settings module manage.py names (``DJANGO_SETTINGS_MODULE``), or ""."""
    root = _project_root(conf)
    manage = root / normpath(project_dir) / "manage.py" if root else None
    if manage is None or not manage.is_file():
        return ""
    found = _SETTINGS_IN_MANAGE.search(manage.read_text(encoding="utf-8", errors="replace"))
    return found.group(1) if found else ""


def _module_file(base: Path, dotted: str) -> Path | None:
    path = base.joinpath(*dotted.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _already_wrapped(root: Path) -> bool:
    answers = root / ".copier-answers.yml"
    if not answers.is_file():
        return False
    text = answers.read_text(encoding="utf-8")
    return re.search(r"^existing_project: true$", text, re.MULTILINE) is not None


def _template_files(conf, folder: str) -> list[str]:
    base = Path(str(conf["src_path"])) / "template" / folder
    return sorted(
        f"{folder}/{p.relative_to(base).as_posix().removesuffix('.jinja')}"
        for p in base.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def settings_module_error(value: str, project_dir: str, conf) -> str:
    text = str(value).strip()
    if not _DOTTED.match(text):
        return (
            f"Write the settings module as a dotted path, e.g. 'mysite.settings', not {text!r}.\n"
            "It is what DJANGO_SETTINGS_MODULE holds in manage.py."
        )
    root = _project_root(conf)
    if root is None:
        return ""
    base = root / normpath(project_dir)
    if _module_file(base, text) is None:
        where = normpath(f"{normpath(project_dir)}/{text.replace('.', '/')}")
        return (
            f"No settings module {text!r} here: neither {where}.py nor {where}/__init__.py.\n"
            "Answer what DJANGO_SETTINGS_MODULE holds in manage.py."
        )
    if _already_wrapped(root):  # `copier update`: these paths are the template's own
        return ""
    package = text.split(".")[0]
    taken = [normpath(f"{normpath(project_dir)}/{package}/desktop")]
    taken += [*WRAP_PATHS, *(f for d in _CHECKED_FILE_BY_FILE for f in _template_files(conf, d))]
    clashes = [path for path in taken if (root / path).exists()]
    if clashes:
        return (
            "Move or rename these paths first; the desktop layer adds them and changes no file.\n"
            f"Already there: {', '.join(clashes)}."
        )
    return ""


_FILTERS = {
    "normpath": normpath,
    "project_dir_error": project_dir_error,
    "guess_settings_module": guess_settings_module,
    "settings_module_error": settings_module_error,
}


class WrapFilters(Extension):
    """Registers the filters above for copier.yml and the template files."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(_FILTERS)
