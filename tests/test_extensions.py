"""Derived names and conversions in extensions/context.py."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from context import file_safe_name, py_str, semver, slugify, to_package_name


@pytest.mark.parametrize(
    ("pep440", "expected"),
    [
        ("0.1.0", "0.1.0"),
        ("1.2.0rc1", "1.2.0-rc1"),
        ("1.2.0.dev3", "1.2.0-dev3"),
        ("1.2.0a2", "1.2.0-a2"),
        ("1.2.0-beta.1", "1.2.0-beta.1"),
        ("1.2.0.post1", "1.2.0+post1"),
        ("1.2.0.4", "1.2.0+4"),
    ],
)
def test_semver(pep440, expected):
    assert semver(pep440) == expected


def test_file_safe_name():
    assert file_safe_name('Notes: "A/B" <Pro>?') == "Notes AB Pro"
    assert file_safe_name("Café  Notes") == "Café Notes"


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("Café Notes", "cafe-notes", "cafe_notes"),
        ("Ünïcödé  Ñame!", "unicode-name", "unicode_name"),
        ("2048", "app-2048", "app_2048"),
        ("JSON", "json", "json_app"),
        ("Import", "import", "import_app"),
    ],
)
def test_derived_names(name, slug, package):
    assert slugify(name) == slug
    assert to_package_name(slugify(name)) == package


PY_STR_CASES = [
    'Say "Hi"',
    "It's",
    """Both "double" and it's""",
    "Back\\slash \\n not a newline",
    "Tab\there",
    "Café <b> & ünïcode 🚀",
]


def test_py_str_round_trips_and_ruff_format_keeps_it(tmp_path):
    source = "".join(f"V{i} = {py_str(text)}\n" for i, text in enumerate(PY_STR_CASES))
    module = ast.parse(source)
    values = [node.value.value for node in module.body]
    assert values == PY_STR_CASES
    target = tmp_path / "literals.py"
    target.write_text(source, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", "--no-cache", str(target)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
