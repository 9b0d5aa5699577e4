"""Cheap checks every rendered project must pass. Each returns a list of problems (empty = fine).

Verdicts on a file depend only on its path and bytes, so they are memoized by content hash: the
same file rendered in 500 combinations is parsed once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from pathlib import Path, PurePosixPath

import yaml

from matrix import load_questions

_QUESTION_NAMES = "|".join(sorted(load_questions(), key=len, reverse=True))
# Copier Jinja left in any file: an expression or statement naming one of our questions (or the
# copier-only `_copier_` names).
_COPIER_REF = re.compile(
    r"\{[{%#]-?\s*(?:(?:if|elif|for|set|raw|endraw)\b[^}]*?)?\b(?:"
    + _QUESTION_NAMES
    + r"|_copier_\w+)\b"
)
# Jinja statements and comments: no file format we generate uses them, except Django templates
# and workflows. ({{ alone is legitimate in Rust format strings and Python f-strings.)
# libyaml's parser when PyYAML has it: the same safe loader, ~10x faster on every render's YAML.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_JINJA_TAG = re.compile(r"\{%-?\s*[a-z]+\b|\{#")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)
_WINDOWS_BAD_CHARS = set('<>:"|?*\\') | {chr(i) for i in range(32)}
_TEXT_SUFFIXES = {
    ".py",
    ".toml",
    ".json",
    ".yml",
    ".yaml",
    ".md",
    ".txt",
    ".cfg",
    ".ini",
    ".html",
    ".css",
    ".js",
    ".cjs",
    ".mjs",
    ".ts",
    ".rs",
    ".svg",
    ".sh",
    ".ps1",
    ".spec",
    ".xml",
    ".plist",
    "",
}


def _is_django_template(rel: PurePosixPath) -> bool:
    return "templates" in rel.parts and rel.suffix in {".html", ".txt", ".xml"}


def _allows_braces(rel: PurePosixPath) -> bool:
    """Files whose own syntax uses {{ }} / {% %}: Django templates and GitHub workflow YAML."""
    return _is_django_template(rel) or (
        rel.parts[0] == ".github" and rel.suffix in {".yml", ".yaml"}
    )


@functools.cache
def _file_problems(rel_text: str, digest: str, path_text: str) -> tuple[str, ...]:
    rel, path = PurePosixPath(rel_text), Path(path_text)
    problems = []
    if rel.suffix not in _TEXT_SUFFIXES and rel.suffix != ".jinja":
        return ()
    text = path.read_text(encoding="utf-8")
    leftover = _COPIER_REF.search(text)
    if not leftover and not _allows_braces(rel):
        leftover = _JINJA_TAG.search(text)
    if leftover:
        line = text.count("\n", 0, leftover.start()) + 1
        problems.append(f"{rel}:{line}: leftover Jinja {leftover.group(0)!r}")
    try:
        if rel.suffix == ".toml":
            tomllib.loads(text)
        elif rel.suffix == ".json":
            json.loads(text)
        elif rel.suffix in {".yml", ".yaml"}:
            yaml.load(text, Loader=_YAML_LOADER)
    except Exception as exc:
        problems.append(f"{rel}: does not parse: {exc}")
    return tuple(problems)


def file_problems(project: Path) -> list[str]:
    problems = []
    for path in sorted(project.rglob("*")):
        if path.is_file():
            rel = path.relative_to(project).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            problems.extend(_file_problems(rel, digest, str(path)))
    return problems


def path_problems(project: Path) -> list[str]:
    """Names that cannot exist on Windows or that collide case-insensitively."""
    problems, seen = [], {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        name = path.name
        if name.endswith(".jinja") or "{" in name or "}" in name:
            problems.append(f"{rel.as_posix()}: unrendered template name")
        if set(name) & _WINDOWS_BAD_CHARS:
            problems.append(f"{rel.as_posix()}: character not allowed on Windows")
        if name.endswith((".", " ")) or _WINDOWS_RESERVED.match(name):
            problems.append(f"{rel.as_posix()}: name reserved or invalid on Windows")
        key = rel.as_posix().lower()
        if key in seen:
            problems.append(
                f"{rel.as_posix()}: collides with {seen[key]} on case-insensitive disks"
            )
        seen[key] = rel.as_posix()
        # Windows MAX_PATH minus a typical checkout prefix such as C:\Users\name\src\app\ (~40).
        if len(str(rel)) > 200:
            problems.append(f"{rel.as_posix()}: path too long for Windows checkouts")
    return problems
