"""Plugs the render matrix into pytest.

- The controller (or a plain run) installs tests/node from its lock if needed (node_tools.py).
- The controller renders every combination once, before xdist workers start; without xdist,
  the first test that needs the renders renders them.
- Test functions with a `combination` argument run once per combination.
- Test functions with a `<kind>_tree` argument (backend_tree, electron_tree, ...) run once per
  distinct hash of that subtree, with a representative render and the combinations it covers.
- The end of the run prints how many combinations, distinct subtrees and heavy runs there were.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import node_tools  # noqa: E402
import renders  # noqa: E402

SUBTREE_KINDS = ("backend", "electron", "tauri", "positron", "workflows")
# Also parametrizable: "python" (all .py files) and "<kind>_code" (a subtree minus *.answers.json).
TREE_KINDS = (*SUBTREE_KINDS, "python", *(f"{k}_code" for k in SUBTREE_KINDS))


@dataclass(frozen=True)
class SubtreeRun:
    kind: str
    digest: str
    root: Path  # a render holding this exact subtree
    combinations: tuple[str, ...]  # ids of every combination with this subtree


def _index(config) -> dict:
    if not hasattr(config, "_render_index"):
        worker_input = getattr(config, "workerinput", {})
        if "render_index" in worker_input:
            # Workers read the controller's renders, even if the template changed since.
            config._render_index = json.loads(Path(worker_input["render_index"]).read_text())
        else:
            config._render_index = renders.build_index(log=lambda m: print(f"\n{m}"))
    return config._render_index


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    index = _index(node.config)
    node.workerinput["render_index"] = str(renders.RENDERS / index["template_hash"] / "index.json")


def pytest_configure(config):
    config.addinivalue_line("markers", "heavy: runs a generated subtree's own tests (slow)")
    config.addinivalue_line(
        "markers", "subtree_run: one run per distinct subtree (set by conftest)"
    )
    if hasattr(config, "workerinput"):
        return
    try:
        if node_tools.ensure_installed():
            print(f"\ninstalled the node tools: {node_tools.INSTALL}")
    except RuntimeError as error:
        pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)
    if config.pluginmanager.has_plugin("xdist"):
        _index(config)  # render before xdist workers start, so they only read


def pytest_generate_tests(metafunc):
    if "combination" in metafunc.fixturenames:
        entries = _index(metafunc.config)["combinations"]
        metafunc.parametrize("combination", entries, ids=[e["id"] for e in entries])
    for kind in TREE_KINDS:
        arg = f"{kind}_tree"
        if arg in metafunc.fixturenames:
            runs = distinct_runs(_index(metafunc.config), kind)
            params = [
                pytest.param(r, id=f"{kind}-{r.digest}", marks=pytest.mark.subtree_run)
                for r in runs
            ]
            metafunc.parametrize(arg, params)


def pytest_collection_modifyitems(config, items):
    """Longest first: the Tauri compiles, then the other heavy runs, then the many quick checks,
    which then fill both cores around them (with `--dist worksteal`, no worker waits idle).

    worksteal hands each of the two workers one contiguous half of this list and then moves
    work from the tail of the longer queue, so the list is dealt like cards (every other test
    into the second half): each worker starts with one of the two Tauri builds and half of the
    other heavy runs, instead of one worker getting both Tauri builds back to back."""

    def rank(item) -> int:
        if item.get_closest_marker("heavy") is None:
            return 2
        return 0 if item.path.name == "test_tauri.py" else 1

    items.sort(key=rank)
    items[:] = items[0::2] + items[1::2]


@pytest.fixture(scope="session")
def render_index(request) -> dict:
    """The whole index, for checks that batch every distinct subtree into one tool run."""
    return _index(request.config)


def distinct_runs(index: dict, kind: str) -> list[SubtreeRun]:
    return [
        SubtreeRun(kind, digest, Path(entries[0]["dir"]), tuple(e["id"] for e in entries))
        for digest, entries in renders.distinct_subtrees(index, kind).items()
    ]


_heavy_outcomes: dict[str, int] = {}


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.skipped):
        if "subtree_run" in report.keywords:
            _heavy_outcomes[report.outcome] = _heavy_outcomes.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput") or not hasattr(config, "_render_index"):
        return
    index = config._render_index
    entries = index["combinations"]
    lines = [f"combinations rendered: {len(entries)} (render time {index['render_seconds']} s)"]
    coverage = {}
    for kind in TREE_KINDS:
        groups = renders.distinct_subtrees(index, kind)
        if groups:
            lines.append(
                f"distinct {kind} subtrees: {len(groups)} "
                f"(covering {sum(len(g) for g in groups.values())} combinations)"
            )
            coverage[kind] = {d: [e["id"] for e in g] for d, g in groups.items()}
    ran = ", ".join(f"{n} {o}" for o, n in sorted(_heavy_outcomes.items())) or "none selected"
    lines.append(f"heavy subtree runs: {ran}")
    report = renders.RENDERS / "coverage.json"
    report.write_text(json.dumps(coverage, indent=1))
    lines.append(f"which combinations each heavy run covered: {report}")
    terminalreporter.write_sep("=", "render matrix")
    for line in lines:
        terminalreporter.write_line(line)
