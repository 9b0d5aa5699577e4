"""Briefcase's `requires` come from the project's one dependency list (scripts/sync_requires.py)."""

import shutil
import sys
import tomllib
from pathlib import Path

SHELL = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SHELL / "scripts"))
import sync_requires  # noqa: E402


def test_briefcase_requires_are_the_projects_dependencies():
    text = (sync_requires.ROOT / sync_requires.BRIEFCASE).read_text(encoding="utf-8")
    assert sync_requires.briefcase_requires(text) == sync_requires.project_requirements()
    assert sync_requires.main(["--check"]) == 0


def test_a_new_dependency_is_caught_then_copied(tmp_path, capsys):
    root = tmp_path / "project"
    for name in (*sync_requires.SOURCES, str(sync_requires.BRIEFCASE)):
        if (sync_requires.ROOT / name).exists():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(sync_requires.ROOT / name, root / name)
    source = root / sync_requires.SOURCES[-1]
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".toml":  # [project] dependencies: add one at the top of the list
        text = text.replace("dependencies = [\n", 'dependencies = [\n    "requests>=2.32",\n', 1)
    else:
        text += "requests>=2.32\n"
    source.write_text(text, encoding="utf-8")
    before = (root / sync_requires.BRIEFCASE).read_text(encoding="utf-8")

    assert sync_requires.main(["--check"], root) == 1
    assert "run python shells/positron/scripts/sync_requires.py" in capsys.readouterr().err
    assert sync_requires.main([], root) == 0
    after = (root / sync_requires.BRIEFCASE).read_text(encoding="utf-8")
    assert "requests>=2.32" in sync_requires.briefcase_requires(after)
    assert sync_requires.main(["--check"], root) == 0
    # Only the list changed: the rest of Briefcase's configuration is as it was.
    old, new = tomllib.loads(before), tomllib.loads(after)
    app = sync_requires.APP
    old["tool"]["briefcase"]["app"][app].pop("requires")
    new["tool"]["briefcase"]["app"][app].pop("requires")
    assert old == new
