"""The leftover-Jinja check finds copier leftovers and lets other brace syntaxes through."""

from __future__ import annotations

import pytest

from checks import file_problems


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("src/app.py", "NAME = '{{ project_name }}'\n"),
        ("README.md", "Install {{package_name|upper}}\n"),
        ("shells/tauri/src/lib.rs", "{% if update_feed %}\n"),
        ("pyproject.toml", "x = 1\n{%- endif %}\n"),
        ("notes.txt", "{# a Jinja comment #}\n"),
        ("src/app/templates/a.html", "{% if 'electron' in shells %}x{% endif %}\n"),
        (".github/workflows/ci.yml", "on: push\nname: ${{ github.ref }} {{ _copier_conf }}\n"),
    ],
)
def test_leftovers_are_found(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    assert any("leftover Jinja" in p for p in file_problems(tmp_path))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("src/app.py", 'x = f"{{literal}} {value}"\n'),
        ("src/lib.rs", 'fn f() -> String { format!("{{}}", 1) }\n'),
        ("src/app/templates/a.html", "{% extends 'base.html' %}{{ note.title }}\n"),
        (".github/workflows/ci.yml", "on: push\nname: ${{ github.ref }}\n"),
    ],
)
def test_other_brace_syntax_passes(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    assert file_problems(tmp_path) == []
