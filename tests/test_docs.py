"""The docs list every question, and the README gives the commands .ci/run runs."""

from __future__ import annotations

from matrix import ROOT, load_questions


def test_readme_and_reference_list_every_question():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "questions.md").read_text(encoding="utf-8")
    for name in load_questions():
        assert f"`{name}`" in readme, f"README question table misses {name}"
        assert f"`{name}`" in reference, f"docs/questions.md misses {name}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert command == "python -m pytest"
    assert f"\n{command}\n" in readme
