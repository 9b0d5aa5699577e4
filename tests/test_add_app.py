"""Heavy: a realistic Django app added to a generated project the documented way (README, "Add
your Django app"), proven from source, in the frozen build and across `copier update`.

The app (tests/fixtures/catalog) is what a Django developer brings: a model in the admin, a
`login_required` view with a form POST, a permission-gated view, its own static CSS, a migration
and its own `TestCase` tests, none of which knows about the desktop layer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_update import (
    commit_all,
    generate,
    git,
    git_identity,
    problems,
    replace,
    template_repo,
    update,
)

__all__ = ["git_identity"]  # the autouse fixture, imported so it applies here too

FIXTURES = Path(__file__).parent / "fixtures"
PACKAGE = "my_desktop_app"


def _run(project: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def add_the_app(project: Path) -> None:
    """The README's three edits: copy the package to src/, INSTALLED_APPS, urls.py."""
    shutil.copytree(FIXTURES / "catalog", project / "src" / "catalog")
    settings = project / "src" / PACKAGE / "settings.py"
    replace(settings, f'    "{PACKAGE}",\n', f'    "{PACKAGE}",\n    "catalog",\n')
    replace(
        project / "src" / PACKAGE / "urls.py",
        '    path("admin/", admin.site.urls),\n',
        '    path("admin/", admin.site.urls),\n    path("catalog/", include("catalog.urls")),\n',
    )


def newer_template(src: Path) -> None:
    """The next release changes a file of the desktop layer and a script."""
    layer = src / "template/{{package_dir}}/desktop"
    replace(layer / "csp.py", '"""Security headers', '"""Newer release. Security headers')
    replace(src / "template/scripts/checksums.py", '"""', '"""Newer release: ')


def _yours(project: Path) -> dict[str, bytes]:
    paths = [project / "src" / PACKAGE / "settings.py", project / "src" / PACKAGE / "urls.py"]
    paths += sorted(p for p in (project / "src" / "catalog").rglob("*") if p.is_file())
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in paths}


def _check(project: Path, *flags: str) -> dict:
    run = _run(project, str(FIXTURES / "check_app.py"), PACKAGE, *flags)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and lines, run.stdout[-3000:] + run.stderr[-3000:]
    return json.loads(lines[-1])


@pytest.mark.heavy
def test_add_your_django_app_in_three_edits(tmp_path):
    template = template_repo(tmp_path, [("1.0.0", None), ("1.1.0", newer_template)])
    project = generate(template, tmp_path / "app", "1.0.0")
    commit_all(project, "generated")
    add_the_app(project)
    commit_all(project, "add the catalog app")

    # Its own TestCase tests pass unchanged under the project's test settings: pytest and
    # manage.py both find them.
    tests = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "src/catalog")
    assert tests.returncode == 0 and "4 passed" in tests.stdout, tests.stdout + tests.stderr
    manage = _run(project, "manage.py", "test", "catalog", "-v", "1")
    assert manage.returncode == 0 and "OK" in manage.stderr, manage.stdout + manage.stderr
    check = _run(project, "manage.py", "check", "--fail-level", "WARNING")
    assert check.returncode == 0, check.stdout + check.stderr

    # From source, then from the frozen build: as the local user, through the token check.
    source = _check(project)
    stage = _run(project, "scripts/stage_backend.py")
    assert stage.returncode == 0, stage.stdout[-3000:] + stage.stderr[-3000:]
    frozen = _check(project, "--frozen")
    print(f"from source: {source}\nfrozen: {frozen}")
    assert {**source, "frozen": True} == frozen
    assert source["list"] == [200, "local"] and source["without_token"] == [403]

    # `copier update` to the next release leaves the project's own files byte-identical.
    shutil.rmtree(project / ".stage")
    before = _yours(project)
    update(project, "1.1.0")
    assert problems(project) == []
    assert _yours(project) == before
    assert "Newer release" in (project / "src" / PACKAGE / "desktop" / "csp.py").read_text()
    changed = {line[3:] for line in git(project, "status", "--porcelain").splitlines()}
    assert changed == {
        f"src/{PACKAGE}/desktop/csp.py",
        "scripts/checksums.py",
        ".copier-answers.yml",
    }
