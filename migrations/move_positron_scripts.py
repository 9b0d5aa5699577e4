"""Template 0.2.0: the Positron helper scripts moved into ``shells/positron/scripts/``.

Run by ``copier update`` (``_migrations`` in copier.yml) after it has written the new template
version, from the project root, with copier's own Python: ``move_positron_scripts.py <answers>``.

By then copier has written the scripts at their new paths and deleted the old ones. It cannot
carry a project's own edits across the move: it diffs files path by path, so an edited
``shells/positron/bench.py`` is simply deleted. (A ``git mv`` before the update does not help:
copier then merges the moved file against an empty base, and every line that differs becomes a
conflict, even in files the project never edited.) So this script does a real three-way merge of
each moved file that the project had edited:

    base    the old path as the old template version rendered it (rendered again here, from the
            answers and template commit the project recorded)
    ours    the project's file at the old path as committed (``copier update`` needs a clean tree)
    theirs  what the new template version just wrote at the new path

``git merge-file`` writes the result to the new path: the project's edits and the template's
changes both land there, with copier's inline conflict markers only where both changed the same
lines (the project's pre-commit ``check-merge-conflict`` hook finds any left behind). It never
fails the update: when it cannot merge, it says where the edits are (``git show HEAD:<old path>``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

MOVES = {
    "shells/positron/smoke.py": "shells/positron/scripts/smoke.py",
    "shells/positron/bench.py": "shells/positron/scripts/bench.py",
    "shells/positron/make_icons.py": "shells/positron/scripts/make_icons.py",
}
# The labels copier gives its own inline conflicts, so one search finds both kinds.
LABELS = ("before updating", "last update", "after updating")


def git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], capture_output=True, check=False)


def committed(path: str) -> bytes | None:
    """The file at ``path`` (relative to the project root) in HEAD, or None."""
    run = git("show", f"HEAD:./{path}")
    return run.stdout if run.returncode == 0 else None


def render_old_version(answers: dict, target: Path) -> None:
    """Render the template version the project was on, with the answers it had (as copier does)."""
    import copier  # this script runs on copier's own Python

    copier.run_copy(
        answers["_src_path"],
        str(target),
        data={k: v for k, v in answers.items() if not k.startswith("_")},
        vcs_ref=answers["_commit"],
        defaults=True,
        unsafe=True,  # the template the project already trusted, at the version it came from
        skip_tasks=True,
        quiet=True,
    )


def merge(ours: bytes, base: Path, theirs: Path, scratch: Path) -> int:
    """Three-way merge into ``theirs``; the number of conflicts, or -1 if git could not merge."""
    mine = scratch / "ours"
    mine.write_bytes(ours)
    labels = [arg for label in LABELS for arg in ("-L", label)]
    run = git("merge-file", "-p", *labels, str(mine), str(base), str(theirs))
    if run.returncode < 0 or run.returncode > 127:
        return -1
    theirs.write_bytes(run.stdout)
    return run.returncode


def main(argv: list[str]) -> int:
    answers_file = argv[0] if argv else ".copier-answers.yml"
    before = {old: text for old in MOVES if (text := committed(old)) is not None}
    if not before:
        return 0  # no Positron shell, or already on the new layout
    print("Template 0.2.0 moved the Positron helper scripts into shells/positron/scripts/.")
    import yaml  # copier depends on PyYAML

    answers = yaml.safe_load(committed(answers_file) or b"{}") or {}
    with tempfile.TemporaryDirectory(prefix="move-positron-scripts-") as tmp:
        old_render = Path(tmp) / "old"
        try:
            render_old_version(answers, old_render)
        except Exception as exc:  # never leave the update half done: say what to do instead
            print(f"  Could not render the previous template version ({exc}).")
            for old, new in MOVES.items():
                if old in before:
                    print(f"  If you had edited {old}, apply your edits to {new}")
                    print(f"  (your version: git show HEAD:./{old}).")
            return 0
        for old, new in MOVES.items():
            base, theirs = old_render / old, Path(new)
            if old not in before or not base.is_file():
                continue  # not generated at the old path: the project's own file, left alone
            if before[old] == base.read_bytes():
                print(f"  {old} -> {new}: unchanged in this project, nothing to carry over")
                continue
            if not theirs.is_file():
                print(f"  {old}: this update removes it; your version: git show HEAD:./{old}")
                continue
            if committed(new) is not None:
                print(f"  {old}: {new} already existed, left as copier merged it; yours: HEAD")
                continue
            conflicts = merge(before[old], base, theirs, Path(tmp))
            if conflicts < 0:
                print(f"  {old}: git could not merge; apply your edits (git show HEAD:./{old})")
                continue
            leftover = Path(f"{old}.rej")  # copier's --conflict=rej leaves the same edits here
            leftover.unlink(missing_ok=True)
            if conflicts:
                print(f"  {old} -> {new}: your edits merged, {conflicts} conflict(s) to resolve")
            else:
                print(f"  {old} -> {new}: your edits merged")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
