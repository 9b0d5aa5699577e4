"""Wrapping an existing Django project (`existing_project`): the real `copier copy` into real
projects laid out as people lay them out (tests/fixtures/existing: a flat layout with dotenv and
WhiteNoise, and a src layout), then `copier update`.

Heavy, per layout: only new paths appear; the project's own `manage.py test` passes with its own
settings; its pages, admin and static files are served through the token from source and from
the frozen build; the layer's own suite passes inside it (flat: browser and frozen tests too);
Positron's window shows its start page; `copier update` changes none of its files.
Quick: invalid wrap answers are refused with one clear line and nothing is written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest
from test_positron import _missing_for_window
from test_update import commit_all, git, git_identity, problems, replace, template_repo, update

__all__ = ["git_identity"]  # the autouse fixture, imported so it applies here too

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {
    "flat": {
        "data": {"django_settings_module": "mysite.settings"},  # project dir: the default "."
        "shells": ["electron", "tauri", "positron"],
        "manage_dir": ".",
        "check": {
            "package": "mysite",
            "source": ".",
            "home_text": "<h1>Bookshelf</h1>",
            "stylesheets": ["/static/site.css", "/static/shelf/shelf.css"],
            "post": ["/new/", {"title": "Dune", "author": "Herbert"}, "Dune"],
        },
    },
    "src": {
        "data": {"django_project_dir": "src", "django_settings_module": "config.settings"},
        "shells": ["positron"],
        "manage_dir": "src",
        "check": {
            "package": "config",
            "source": "src",
            "home_text": "<h1>Library</h1>",
            "stylesheets": ["/static/library.css", "/static/library/catalogue.css"],
            "post": None,
        },
    },
}


def _run(cwd: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def existing_project(tmp_path: Path, layout: str) -> Path:
    """The fixture as a git repository with everything committed, as a real project is."""
    project = tmp_path / layout
    shutil.copytree(FIXTURES / "existing" / layout, project)
    git(project, "init", "-q")
    commit_all(project, "their project")
    return project


def tracked(project: Path) -> dict[str, bytes]:
    """Every file git tracked before the wrap, with its bytes now."""
    names = git(project, "ls-files", "-z").split("\0")
    return {name: (project / name).read_bytes() for name in names if name}


def wrap(template: Path, project: Path, ref: str, **data) -> None:
    copier.run_copy(
        str(template),
        str(project),
        vcs_ref=ref,
        data={"existing_project": True, **data},
        defaults=True,
        unsafe=True,
        quiet=True,
    )


def newer_template(src: Path) -> None:
    """The next release changes a file of the desktop layer and a script."""
    layer = src / "template/{{package_dir}}/desktop"
    replace(layer / "csp.py", '"""Security headers', '"""Newer release. Security headers')
    replace(src / "template/scripts/checksums.py", '"""', '"""Newer release: ')


def check(project: Path, case: dict, *flags: str) -> dict:
    run = _run(project, str(FIXTURES / "check_wrapped.py"), json.dumps(case["check"]), *flags)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and lines, run.stdout[-3000:] + run.stderr[-3000:]
    return json.loads(lines[-1])


def positron_window(project: Path) -> dict | None:
    """The Positron smoke in the wrapped project (None when this machine cannot show a window)."""
    missing = _missing_for_window()
    if missing:
        print(f"Positron window not checked: {missing}")
        return None
    run = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "scripts/smoke.py", "positron", "--require"],
        cwd=project,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))},
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and lines, run.stdout[-3000:] + run.stderr[-3000:]
    return json.loads(lines[-1])


@pytest.mark.heavy
@pytest.mark.parametrize("layout", sorted(CASES))
def test_wrap_an_existing_project(tmp_path, layout):
    case = CASES[layout]
    template = template_repo(tmp_path, [("1.0.0", None), ("1.1.0", newer_template)])
    project = existing_project(tmp_path, layout)
    theirs = tracked(project)

    wrap(template, project, "1.0.0", shells=case["shells"], **case["data"])

    # Only new paths: every file they had is byte-identical, git sees additions only.
    assert tracked(project) == theirs
    status = git(project, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert status and all(line.startswith("?? ") for line in status), status
    added = {line[3:] for line in status}
    package_dir = (Path(case["manage_dir"]) / case["check"]["package"]).as_posix()
    assert f"{package_dir}/desktop/__main__.py" in added
    assert {"requirements-desktop.txt", "docs/desktop.md", "desktop-tests/pytest.ini"} <= added
    assert ".github/workflows/desktop-ci.yml" in added and "README.md" not in added
    commit_all(project, "wrap")

    # Their own tests, with their own settings, as before.
    manage = project / case["manage_dir"]
    own = _run(manage, "manage.py", "test", "-v", "1")
    assert own.returncode == 0 and "OK" in own.stderr, own.stdout + own.stderr

    # Their pages through the token, from source.
    source = check(project, case)

    # The layer's own suite inside their project (the flat one: browser and frozen tests too,
    # which stage the frozen backend); the src layout stages it directly.
    if layout == "flat":
        suite = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "desktop-tests")
        tail = (suite.stdout + suite.stderr)[-6000:]
        assert suite.returncode == 0, tail
        print(tail.strip().splitlines()[-1])
    else:
        stage = _run(project, "scripts/stage_backend.py")
        assert stage.returncode == 0, stage.stdout[-3000:] + stage.stderr[-3000:]
    frozen = check(project, case, "--frozen")
    print(f"from source: {source}\nfrozen: {frozen}")
    assert {**source, "frozen": True} == frozen

    window = positron_window(project)
    if window is not None:
        assert window["status"] == "passed", window
        assert window["url"] == window["origin"], window  # the start page, "/"
        assert window["heading"] == case["check"]["home_text"][4:-5], window

    # `copier update` to the next release: none of their files changes, the layer does.
    shutil.rmtree(project / ".stage")
    shutil.rmtree(project / "build")
    update(project, "1.1.0")
    assert problems(project) == []
    assert {name: (project / name).read_bytes() for name in theirs} == theirs
    changed = {line[3:] for line in git(project, "status", "--porcelain").splitlines()}
    assert changed == {
        f"{package_dir}/desktop/csp.py",
        "scripts/checksums.py",
        ".copier-answers.yml",
    }


# --- answers that cannot wrap this project: one clear line, nothing written ------------------


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("template")
    return template_repo(base, [("1.0.0", None)])


@pytest.mark.parametrize(
    ("data", "prepare", "message"),
    [
        ({"django_settings_module": "mysite.setings"}, None, "No settings module 'mysite.setings'"),
        ({"django_settings_module": "mysite"}, None, "Write the settings module as a dotted path"),
        (
            {"django_project_dir": "src", "django_settings_module": "x.settings"},
            None,
            "No manage.py",
        ),
        ({"django_project_dir": "../elsewhere"}, None, "leaves the repository"),
        (
            {"django_settings_module": "mysite.settings"},
            lambda p: (p / "scripts").mkdir() or (p / "scripts" / "smoke.py").write_text("x"),
            "Already there: scripts/smoke.py",
        ),
        (
            {"django_settings_module": "mysite.settings"},
            lambda p: (p / "mysite" / "desktop").mkdir(),
            "Already there: mysite/desktop",
        ),
    ],
)
def test_invalid_wrap_answers_are_refused(tmp_path, plain_template, data, prepare, message):
    project = existing_project(tmp_path, "flat")
    if prepare:
        prepare(project)
    before = {p.relative_to(project).as_posix() for p in project.rglob("*")}
    with pytest.raises(ValueError) as error:
        wrap(plain_template, project, "1.0.0", **data)
    first_line = str(error.value).split("\n")[0]
    assert message in str(error.value), str(error.value)
    assert len(first_line) <= 160, first_line  # copier's prefix plus at most 100 of ours
    after = {p.relative_to(project).as_posix() for p in project.rglob("*")}
    assert after == before  # nothing written
