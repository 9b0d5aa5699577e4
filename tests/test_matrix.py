"""Cheap checks on every rendered combination, and ruff once per distinct set of Python files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import renders
from checks import file_problems, path_problems


def test_combination_renders_clean(combination):
    assert combination["error"] is None, combination["error"]
    project = Path(combination["dir"])
    problems = path_problems(project) + file_problems(project)
    assert not problems, "\n".join(problems)


def test_answers_file_records_the_combination(combination):
    answers = renders.answers(Path(combination["dir"]))
    for name, value in combination["data"].items():
        assert answers[name] == value, name


# A wrapped render has no pyproject.toml (the project's own has its own ruff settings): the
# template's files pass the settings a new project gets.
WRAPPED_RUFF = [
    "--line-length=100",
    "--config=target-version='py311'",
    "--config=lint.select=['E', 'F', 'W', 'I', 'UP', 'B']",
]


def test_python_passes_ruff(python_tree):
    root = python_tree.root
    options = []
    if not (root / "pyproject.toml").is_file():
        package = renders.answers(root)["django_settings_module"].split(".")[0]
        options = [*WRAPPED_RUFF, f"--config=lint.isort.known-first-party=['{package}']"]
    for args in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        format_only = [o for o in options if "lint." not in o]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                *args,
                *(format_only if args[0] == "format" else options),
                ".",
            ],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (
            f"ruff {args[0]} failed in {root} (covers {len(python_tree.combinations)} "
            f"combinations, e.g. {python_tree.combinations[0]}):\n{result.stdout}{result.stderr}"
        )
