"""The packaging scripts' own logic, without building (the build itself: test_frozen.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "stage_backend.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stage_backend():
    return _load("stage_backend", SCRIPT)


@pytest.fixture(scope="module")
def freeze():
    return _load("freeze", ROOT / "packaging" / "freeze.py")


def test_spec_is_python():
    compile((ROOT / "packaging" / "backend.spec").read_text(encoding="utf-8"), "spec", "exec")


def test_missing_pyinstaller_is_explained():
    code = textwrap.dedent(
        f"""
        import runpy, sys
        sys.modules["PyInstaller"] = None  # import PyInstaller now fails
        sys.argv = ["stage_backend.py"]
        runpy.run_path({str(SCRIPT)!r}, run_name="__main__")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert "PyInstaller is not installed" in result.stderr
    assert "pip install" in result.stderr


def test_swap_replaces_the_stage(stage_backend, tmp_path):
    stage = tmp_path / "backend"
    stage.mkdir()
    (stage / "old.txt").write_text("old")
    new = tmp_path / "new"
    new.mkdir()
    (new / "new.txt").write_text("new")
    stage_backend.swap_into_place(new, stage)
    assert [p.name for p in stage.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backend"]  # nothing left over


def test_failed_swap_keeps_the_old_stage(stage_backend, tmp_path):
    stage = tmp_path / "backend"
    stage.mkdir()
    (stage / "old.txt").write_text("old")
    with pytest.raises(OSError):
        stage_backend.swap_into_place(tmp_path / "missing", stage)
    assert [p.name for p in stage.iterdir()] == ["old.txt"]


def test_up_to_date_needs_the_same_hash_and_the_executable(stage_backend, tmp_path):
    (tmp_path / "manifest.json").write_text('{"executable": "app", "source_hash": "abc"}')
    assert not stage_backend.is_up_to_date(tmp_path, "abc")  # no executable
    (tmp_path / "app").write_text("")
    assert stage_backend.is_up_to_date(tmp_path, "abc")
    assert not stage_backend.is_up_to_date(tmp_path, "def")


def test_source_hash_follows_the_sources(stage_backend):
    first = stage_backend.source_hash()
    assert first == stage_backend.source_hash()
    files = {p.relative_to(ROOT).as_posix() for p in stage_backend._hashed_files()}
    declared = "requirements-desktop.txt"  # a wrapped project's; a new one's is pyproject.toml
    declared = declared if (ROOT / declared).is_file() else "pyproject.toml"
    assert declared in files and "packaging/backend.spec" in files
    assert any(name.endswith("desktop/settings/contract.py") for name in files)


def test_modules_in_finds_folders_without_init(freeze, tmp_path):
    app = tmp_path / "app"
    (app / "management" / "commands").mkdir(parents=True)
    (app / "migrations").mkdir()
    (app / "tests").mkdir()
    for name in (
        "__init__.py",
        "models.py",
        "management/commands/work.py",
        "migrations/__init__.py",
        "migrations/0001_initial.py",
        "tests/test_models.py",
    ):
        (app / name).write_text("")
    assert sorted(freeze.modules_in(app, "app")) == [
        "app",
        "app.management.commands.work",
        "app.migrations",
        "app.migrations.0001_initial",
        "app.models",
    ]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("django/conf/locale/en/LC_MESSAGES/django.mo", True),
        ("django/conf/locale/de/LC_MESSAGES/django.mo", False),
        ("django/conf/locale/en/LC_MESSAGES/django.po", False),
        ("pkg/templates/page.html", True),
        ("pkg/tests/data.json", False),
        ("pkg/__pycache__/x.cpython-311.pyc", False),
        ("somelib/py.typed", False),
        ("django_tasks-0.12.0.dist-info/METADATA", True),
    ],
)
def test_data_pruning(freeze, dest, kept):
    assert freeze.keep_data(dest, {"en", "en_US"}) is kept


def test_a_module_missing_from_the_build_is_named_with_the_fix(stage_backend):
    output = "Traceback …\nModuleNotFoundError: No module named 'catalog.views'\n"
    hint = stage_backend.missing_module_hint(output)
    assert "'catalog.views'" in hint and "move the package 'catalog' into " in hint
    assert "INSTALLED_APPS" in hint and "pyproject.toml" in hint
    assert stage_backend.missing_module_hint("SystemCheckError: something else") == ""
