"""`copier update` of generated projects: user edits survive, shells come and go, conflicts show.

Each test builds its own git repository of this template from the working tree (with
`renders.stage_template`), commits and tags an "old" and a "new" version in it, and runs the real
`copier copy` / `copier update` (Python API) and git. Nothing depends on tags in the clone the
tests run from. The tests are independent, so xdist spreads them over workers.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import copier
import pytest
import yaml

import renders

POSITRON = "template/shells/{% if 'positron' in shells %}positron{% endif %}"
PACKAGE = "my_desktop_app"  # the default answers' package
MARKERS = (b"<<<<<<< ", b">>>>>>> ")


@pytest.fixture(autouse=True)
def git_identity(monkeypatch, tmp_path):
    """Commits (ours and copier's) need an identity; the user's git config must not matter."""
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Update Test")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "update-test@example.org")
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(cwd: Path, *args: str) -> str:
    run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return run.stdout


def template_repo(base: Path, versions: list[tuple[str, Callable[[Path], None] | None]]) -> Path:
    """A git repository of this template: per (tag, change), the working tree plus that change,
    committed and tagged, in order."""
    src = base / "template-src"
    src.mkdir(parents=True)
    git(src, "init", "-q")
    for tag, change in versions:
        for child in src.iterdir():
            if child.is_dir() and child.name != ".git":
                shutil.rmtree(child)
            elif child.is_file():
                child.unlink()
        renders.stage_template(base)
        if change:
            change(src)
        git(src, "add", "-A", "--force")  # the template's own .gitignore must not drop files
        git(src, "commit", "-q", "--allow-empty", "-m", f"template {tag}")
        git(src, "tag", tag)
    return src


def generate(template: Path, dst: Path, ref: str, **data) -> Path:
    copier.run_copy(
        str(template), str(dst), vcs_ref=ref, data=data, defaults=True, unsafe=True, quiet=True
    )
    return dst


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def update(project: Path, ref: str, **data) -> None:
    copier.run_update(
        str(project),
        vcs_ref=ref,
        data=data,
        defaults=True,
        unsafe=True,
        overwrite=True,
        quiet=True,
        conflict="inline",
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file but .git; the answers file without `_commit` (it names the template commit)."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".git/"):
            files[rel] = path.read_bytes()
    answers = yaml.safe_load(files.pop(".copier-answers.yml"))
    answers.pop("_commit")
    files[".copier-answers.yml"] = yaml.safe_dump(answers).encode()
    return files


def problems(project: Path) -> list[str]:
    """.rej files, files with conflict markers, and unmerged paths."""
    found = [p.relative_to(project).as_posix() for p in project.rglob("*.rej")]
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(project).parts:
            if any(line.startswith(MARKERS) for line in path.read_bytes().splitlines()):
                found.append(f"markers in {path.relative_to(project).as_posix()}")
    status = git(project, "status", "--porcelain").splitlines()
    return found + [line for line in status if line[:2] in {"UU", "AA", "DU", "UD"}]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pre_commit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )


# -- user edits survive an update that does not touch them --------------------------------------


def older_template(src: Path) -> None:
    """The "old" release: a line that the new one changes, a file it adds, a file it deletes, and
    a different brand icon (the project's own icon must win: `_skip_if_exists`)."""
    replace(src / "template/scripts/checksums.py", '"""', '"""Old release: ')
    replace(src / "template/assets/brand/icon.svg.jinja", 'fill="#0c4a6e"', 'fill="#000000"')
    (src / "template/docs/{{doc_prefix}}updating.md.jinja").unlink()
    (src / "template/docs/retired.md").write_text("A page the new release deletes.\n")


def user_edits(project: Path) -> None:
    """What a project does after generating: a new file, a changed line, a new Django model, its
    own brand artwork."""
    (project / "docs/decisions.md").write_text("# Decisions\n\nWe keep SQLite.\n")
    (project / "assets/brand/icon.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle r="4"/></svg>\n'
    )
    replace(project / "README.md", "A Django app that runs as a desktop program.", "Our own app.")
    notes = project / "src" / PACKAGE / "notes"
    with (notes / "models.py").open("a", encoding="utf-8") as models:
        models.write("\n\nclass Label(models.Model):\n    name = models.CharField(max_length=40)\n")
    (notes / "migrations/0003_label.py").write_text(
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("notes", "0002_seed")]\n'
        "    operations = [\n"
        "        migrations.CreateModel(\n"
        '            name="Label",\n'
        '            fields=[("id", models.BigAutoField(primary_key=True)),'
        ' ("name", models.CharField(max_length=40))],\n'
        "        ),\n"
        "    ]\n"
    )


def test_update_keeps_user_edits_and_brings_the_new_release(tmp_path):
    template = template_repo(tmp_path, [("0.2.0", older_template), ("0.2.1", None)])
    project = generate(template, tmp_path / "app", "0.2.0")
    assert (project / "docs/retired.md").is_file()
    commit_all(project, "generated")
    user_edits(project)
    commit_all(project, "our changes")

    update(project, "0.2.1")

    assert problems(project) == []
    expected = generate(template, tmp_path / "fresh", "0.2.1")
    user_edits(expected)
    assert tree(project) == tree(expected)
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "0.2.1"


# -- the 0.2.0 migration: Positron helper scripts moved into scripts/ ----------------------------


def positron_scripts_at_old_paths(src: Path) -> None:
    """Release 0.1.0's layout: the scripts in shells/positron/ itself."""
    shell = src / POSITRON
    for script in ("smoke.py.jinja", "bench.py", "make_icons.py"):
        moved = shell / script
        (shell / "scripts" / script).rename(moved)
        text = moved.read_text(encoding="utf-8")
        moved.write_text(text.replace("shells/positron/scripts/", "shells/positron/"))
    shutil.rmtree(shell / "scripts")  # what else is there came later
    copier_yml = src / "copier.yml"  # ... and so did the task that runs one of them
    text = copier_yml.read_text(encoding="utf-8")
    task = text.index("  # Briefcase's `requires` copy")
    end = text.index("    when: \"{{ 'positron' in shells }}\"\n", task) + len(
        "    when: \"{{ 'positron' in shells }}\"\n"
    )
    copier_yml.write_text(text[:task] + text[end:], encoding="utf-8")
    replace(
        src / "template/scripts/smoke.py",
        "shells/positron/scripts/smoke.py",
        "shells/positron/smoke.py",
    )
    (src / "migrations" / "move_positron_scripts.py").unlink()


def edit_positron_scripts(shell: Path) -> None:
    # A line the template does not change, and one it does (the docstring names the path).
    replace(shell / "bench.py", "\ndef load_average", "\n# Our tweak.\ndef load_average")
    rest = (shell / "make_icons.py").read_text(encoding="utf-8").split("\n", 1)[1]
    (shell / "make_icons.py").write_text('"""Our own icon maker."""\n' + rest)


RELEASE_0_2_0 = "c40c7ab"  # this repository's commit of the 0.2.0 release


def release_0_2_0(src: Path) -> None:
    """The template exactly as released in 0.2.0, from this repository's history."""
    for part in renders._TEMPLATE_PARTS:
        target = src / part
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", RELEASE_0_2_0, *renders._TEMPLATE_PARTS],
        cwd=renders.ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(src, filter="data")


def test_update_from_0_2_0_leaves_the_projects_own_files(tmp_path):
    """The files 0.2.0 generated that are now the project's own (package __init__, URLconf,
    views, templates, static, the example apps and their tests) survive the update unchanged,
    although the releases between them name their folders differently."""
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{RELEASE_0_2_0}^{{commit}}"], cwd=renders.ROOT
    )
    if known.returncode != 0:
        pytest.skip(f"this clone has no history back to release 0.2.0 ({RELEASE_0_2_0})")
    template = template_repo(tmp_path, [("0.2.0", release_0_2_0), ("0.3.0", None)])
    project = generate(template, tmp_path / "app", "0.2.0")
    commit_all(project, "generated by 0.2.0")
    package = project / "src" / PACKAGE
    own = [package / name for name in ("__init__.py", "urls.py", "views.py", "wsgi.py")]
    for folder in ("notes", "taskdemo", "templates", "static"):
        own += sorted(p for p in (package / folder).rglob("*") if p.is_file())
    own += [project / "tests/test_notes.py", project / "tests/test_tasks.py"]
    before = {p.relative_to(project).as_posix(): p.read_bytes() for p in own}
    assert len(before) > 25 and f"src/{PACKAGE}/notes/models.py" in before
    update(project, "0.3.0")
    after = {rel: (project / rel).read_bytes() for rel in before if (project / rel).is_file()}
    assert after == before, sorted(set(before) - set(after))


def test_migration_carries_edits_to_moved_positron_scripts(tmp_path):
    template = template_repo(tmp_path, [("0.1.0", positron_scripts_at_old_paths), ("0.2.0", None)])
    project = generate(template, tmp_path / "app", "0.1.0", shells=["positron"])
    assert (project / "shells/positron/bench.py").is_file()
    commit_all(project, "generated")
    edit_positron_scripts(project / "shells/positron")
    commit_all(project, "our changes")

    update(project, "0.2.0")

    shell = project / "shells/positron"
    for script in ("smoke.py", "bench.py", "make_icons.py"):
        assert not (shell / script).exists(), f"stranded old file {script}"
    assert list(project.rglob("*.rej")) == []
    fresh = generate(template, tmp_path / "fresh", "0.2.0", shells=["positron"])
    got, expected = tree(project), tree(fresh)
    # bench.py: our line, in the new file, merged cleanly with the template's changes.
    bench = "shells/positron/scripts/bench.py"
    assert got.pop(bench) == expected.pop(bench).replace(
        b"\ndef load_average", b"\n# Our tweak.\ndef load_average"
    )
    # make_icons.py: we and the template changed the same line: copier-style markers there only.
    icons = "shells/positron/scripts/make_icons.py"
    template_line, rest = expected.pop(icons).decode().split("\n", 1)
    assert got.pop(icons).decode() == (
        '<<<<<<< before updating\n"""Our own icon maker."""\n'
        f"=======\n{template_line}\n>>>>>>> after updating\n{rest}"
    )
    assert got == expected  # smoke.py (not edited) and everything else: exactly the new release


# -- adding and removing a shell -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [(["electron"], ["electron", "positron"]), (["electron", "positron"], ["electron"])],
    ids=["add-positron", "drop-positron"],
)
def test_changing_shells_adds_or_removes_a_shell(tmp_path, before, after):
    template = template_repo(tmp_path, [("0.2.0", None)])
    project = generate(template, tmp_path / "app", "0.2.0", shells=before)
    commit_all(project, "generated")

    update(project, "0.2.0", shells=after)

    assert problems(project) == []
    assert (project / "shells/positron").exists() == ("positron" in after)
    pyproject = (project / "pyproject.toml").read_text()
    assert ("\npositron = [" in pyproject) == ("positron" in after)
    expected = generate(template, tmp_path / "fresh", "0.2.0", shells=after)
    assert tree(project) == tree(expected)


# -- conflicts: inline markers that the project's own pre-commit hook catches --------------------

CONFLICTED = "scripts/checksums.py"


def test_conflicting_edit_leaves_markers_that_pre_commit_catches(tmp_path):
    def older(src: Path) -> None:
        replace(src / "template" / CONFLICTED, '"""', '"""Old release: ')

    template = template_repo(tmp_path, [("0.2.0", older), ("0.2.1", None)])
    project = generate(template, tmp_path / "app", "0.2.0")
    commit_all(project, "generated")
    replace(project / CONFLICTED, '"""Old release: ', '"""Our edit: ')
    commit_all(project, "our change on the line the template changes next")

    update(project, "0.2.1")

    text = (project / CONFLICTED).read_text()
    assert "<<<<<<< before updating\n" in text and ">>>>>>> after updating\n" in text
    assert '"""Our edit: ' in text and "=======\n" in text
    assert f"UU {CONFLICTED}" in git(project, "status", "--porcelain").splitlines()
    assert list(project.rglob("*.rej")) == []
    # Staged as if resolved (or committed and pushed): the project's hook must still refuse it.
    git(project, "add", "-A")
    run = pre_commit(project, "check-merge-conflict", "--all-files")
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert f"{CONFLICTED}:" in output and "Merge conflict string" in output, output


def test_fresh_render_passes_its_pre_commit_hooks(tmp_path, render_index):
    """The render with every shell, a feed and signing: `pre-commit run --all-files` passes."""
    entry = max(
        render_index["combinations"],
        key=lambda e: (
            len(e["data"]["shells"]),
            e["data"].get("update_feed") == "github",
            bool(e["data"].get("macos_signing")),
            bool(e["data"].get("windows_signing")),
        ),
    )
    project = tmp_path / "app"
    shutil.copytree(entry["dir"], project)
    git(project, "init", "-q")
    git(project, "add", "-A")
    run = pre_commit(project, "--all-files", "--show-diff-on-failure")
    assert run.returncode == 0, f"{entry['id']}:\n{run.stdout}{run.stderr}"
    assert "check-merge-conflict" in (project / ".pre-commit-config.yaml").read_text()
