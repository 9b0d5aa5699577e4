"""Questions: derived defaults, validators (refused with a fix-it message, nothing left), when."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import checks
from matrix import ROOT, load_questions
from renders import stage_template

# (question, bad value, words the message must contain). At least two bad inputs per validator.
BAD_ANSWERS = [
    ("project_name", "", "name is empty"),
    ("project_name", "✓✓✓", "no letters or digits"),
    ("project_slug", "Field Notes", "Not a valid slug"),
    ("project_slug", "9lives", "starting with a letter"),
    ("project_slug", "notes-", "trailing or doubled hyphen"),
    ("package_name", "json", "would shadow"),
    ("package_name", "django", "would shadow"),
    ("package_name", "class", "is a Python keyword"),
    ("package_name", "field-notes", "Not a Python identifier"),
    ("package_name", "FieldNotes", "has capitals"),
    ("app_id", "notes", "Not a reverse-DNS app id"),
    ("app_id", "com.example.my_app", "Not a reverse-DNS app id"),
    ("app_id", "com.example.app", "ends with '.app'"),
    ("author_name", "   ", "author name is empty"),
    ("author_name", "", "author name is empty"),
    ("author_email", "nobody", "Not an e-mail address"),
    ("author_email", "a@b", "Not an e-mail address"),
    ("description", "", "one non-empty line"),
    ("description", "two\nlines", "one non-empty line"),
    ("version", "1.0", "three numeric parts"),
    ("version", "v1.0.0", "Not a PEP 440 version"),
    ("version", "banana", "Not a PEP 440 version"),
    ("shells", [], "at least one desktop shell"),
    ("shells", ["electron", "qt"], "'qt' is not in ['electron', 'tauri', 'positron']"),
    ("github_repository", "https://github.com/acme/notes", "owner/name"),
    ("github_repository", "acme", "owner/name"),
    ("update_url", "http://downloads.example.org/", "Not an https URL"),
    ("update_url", "https://localhost/", "no valid host name"),
    ("update_url", "https://downloads.example.org/?x=1", "no query or fragment"),
    # Wrapping: the answers' form here; a real project's folder is checked in test_wrap.py.
    ("django_project_dir", "/srv/app", "relative to the repository root"),
    ("django_project_dir", "../elsewhere", "leaves the repository"),
    ("django_settings_module", "mysite", "as a dotted path"),
    ("django_settings_module", "my-site.settings", "as a dotted path"),
]
# Answers that make a conditional question apply.
ENABLERS = {
    "github_repository": {"update_feed": "github"},
    "update_url": {"update_feed": "generic"},
    "django_project_dir": {"existing_project": True, "django_settings_module": "mysite.settings"},
    "django_settings_module": {"existing_project": True},
}


@pytest.fixture(scope="session")
def staged_template(tmp_path_factory) -> Path:
    """The template as a plain folder (no git), as copier sees a local checkout."""
    return stage_template(tmp_path_factory.mktemp("template"))


def test_every_validator_has_two_bad_inputs():
    counts = {}
    for name, _, _ in BAD_ANSWERS:
        counts[name] = counts.get(name, 0) + 1
    validated = {n for n, spec in load_questions().items() if spec.get("validator")}
    assert validated == set(counts), "a validator has no bad-input test (or a test names none)"
    assert min(counts.values()) >= 2


@pytest.mark.parametrize(
    ("name", "value", "message"), BAD_ANSWERS, ids=[f"{n}={v!r}" for n, v, _ in BAD_ANSWERS]
)
def test_bad_answer_is_refused_and_nothing_is_written(copie, staged_template, name, value, message):
    result = copie.copy(
        extra_answers={**ENABLERS.get(name, {}), name: value}, template_dir=staged_template
    )
    assert result.exit_code != 0
    assert f"'{name}'" in str(result.exception)
    assert message in str(result.exception)
    # Copier's prompt cuts a long line at the terminal's edge: problem and fix come first, short.
    first_line = str(result.exception).split(f"question '{name}': ", 1)[-1].splitlines()[0]
    assert len(first_line) <= 100, first_line
    written = [p for p in copie.test_dir.rglob("*") if p.is_file()]
    assert written == [], f"files left after a refused answer: {written}"


def test_non_ascii_name_gives_clean_ascii_names(copie, staged_template):
    result = copie.copy(extra_answers={"project_name": "Café Notes"}, template_dir=staged_template)
    assert result.exit_code == 0, result.exception
    assert result.answers["project_slug"] == "cafe-notes"
    assert result.answers["package_name"] == "cafe_notes"
    assert result.answers["app_id"] == "com.example.cafe-notes"
    assert "Café Notes" in (result.project_dir / "README.md").read_text(encoding="utf-8")


def test_quotes_and_markup_in_free_text_answers_give_a_clean_project(copie, staged_template):
    """Names and descriptions land in Python, JSON, TOML, YAML and Markdown: all must stay valid."""
    answers = {
        "project_name": 'Say "Hi" <Notes> & Co\'s',
        "description": 'The "best" notes: <b>bold</b> & it\'s {{ not jinja }} \\o/',
        "author_name": 'Ann "Annie" O\'Neil',
        "shells": ["electron", "tauri", "positron"],
    }
    result = copie.copy(extra_answers=answers, template_dir=staged_template)
    assert result.exit_code == 0, result.exception
    project = result.project_dir
    assert checks.file_problems(project) == []
    assert checks.path_problems(project) == []
    for args in (["check"], ["format", "--check", "--diff"]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr
    layer = project / "src" / result.answers["package_name"] / "desktop"
    about = (layer / "about.py").read_text("utf-8")
    values = {
        node.targets[0].id: node.value.value
        for node in ast.parse(about).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert values["PROJECT_NAME"] == answers["project_name"]
    assert values["DESCRIPTION"] == answers["description"]


@pytest.mark.parametrize(("project_name", "package"), [("JSON", "json_app"), ("2048", "app_2048")])
def test_derived_package_name_avoids_shadowing_and_digits(
    copie, staged_template, project_name, package
):
    result = copie.copy(extra_answers={"project_name": project_name}, template_dir=staged_template)
    assert result.exit_code == 0, result.exception
    assert result.answers["package_name"] == package


@pytest.mark.parametrize(
    ("answers", "asked", "hidden"),
    [
        ({"update_feed": "manual"}, [], ["github_repository", "update_url"]),
        ({"update_feed": "github"}, ["github_repository"], ["update_url"]),
        ({"update_feed": "generic"}, ["update_url"], ["github_repository"]),
        ({"shells": ["electron"]}, [], ["tauri_webview_install"]),
        ({"shells": ["tauri"]}, ["tauri_webview_install"], []),
        (
            {"macos_signing": False, "windows_signing": False},
            [],
            ["macos_notarization", "windows_signing_method"],
        ),
        (
            {"macos_signing": True, "windows_signing": True},
            ["macos_notarization", "windows_signing_method"],
            [],
        ),
    ],
)
def test_questions_that_do_not_apply_are_not_recorded(
    copie, staged_template, answers, asked, hidden
):
    result = copie.copy(extra_answers=answers, template_dir=staged_template)
    assert result.exit_code == 0, result.exception
    recorded = yaml.safe_load((result.project_dir / ".copier-answers.yml").read_text())
    for name in asked:
        assert name in recorded
    for name in hidden:
        assert name not in recorded


def test_every_question_has_help():
    missing = [n for n, spec in load_questions().items() if not str(spec.get("help", "")).strip()]
    assert not missing


def test_cli_copy_with_defaults_from_git_checkout(tmp_path):
    """The README's generate command, through the real CLI, tasks included."""
    dst = tmp_path / "app"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--trust",
            "--defaults",
            "--vcs-ref",
            "HEAD",
            str(ROOT),
            str(dst),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "python -m pytest" in result.stderr + result.stdout  # _message_after_copy
    assert (dst / ".git").is_dir(), "the git-init task did not run"
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(ROOT)
    assert answers["shells"] == ["electron"]


def test_skip_tasks_still_gives_a_valid_project(copie, staged_template):
    # pytest-copie runs tasks; the matrix renders all use skip_tasks=True, so check the contrast.
    result = copie.copy(template_dir=staged_template)
    assert result.exit_code == 0, result.exception
    assert (result.project_dir / ".copier-answers.yml").is_file()
