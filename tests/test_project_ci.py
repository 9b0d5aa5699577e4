"""The template's own CI: scripts/run_project_ci.py and .github/workflows/*.yml.

- Every distinct generated ci.yml is understood by the runner on every OS (so the generated
  workflow stays within what the template matrix can execute) and has the contract's jobs.
- The runner's `if:`, env, needs and failure handling, on small workflows in tmp_path.
- One real run: the `lint` job of a default render, in a throwaway venv.
- The template's workflows pass actionlint and zizmor.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml

import renders
import workflow_lint
from matrix import ROOT, default_combination

sys.path.insert(0, str(ROOT / "scripts"))
import run_project_ci as runner  # noqa: E402

SCRIPT = ROOT / "scripts" / "run_project_ci.py"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
MATRIX_WORKFLOW = ROOT / ".github" / "workflows" / "template-matrix.yml"
SHELLS_ON_EVERY_OS = {"electron", "tauri"}  # positron's job is Linux only


def _workflow(tmp_path: Path, text: str) -> Path:
    project = tmp_path / "project"
    target = project / runner.WORKFLOW
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    return project


def _cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


# --- every generated ci.yml ------------------------------------------------------------------


def _distinct_ci_files(render_index: dict) -> dict[str, tuple[Path, list[dict]]]:
    """sha256 of ci.yml (desktop-ci.yml when wrapped) -> (one render's file, the combinations
    that generate it)."""
    found = renders.distinct_files(render_index, "workflows", runner.WORKFLOW.as_posix())
    found.update(
        renders.distinct_files(render_index, "workflows", runner.WRAPPED_WORKFLOW.as_posix())
    )
    covered = {e["id"] for _, entries in found.values() for e in entries}
    missing = [e["id"] for e in render_index["combinations"] if e["id"] not in covered]
    assert not missing, f"{len(missing)} renders lack {runner.WORKFLOW}, e.g. {missing[:3]}"
    return found


def _expected_jobs(shells: list[str], os_name: str, wrapped: bool = False) -> set[str]:
    if os_name == "Linux":
        return {*(() if wrapped else ("lint",)), "tests", *shells}
    return {"tests", *(set(shells) & SHELLS_ON_EVERY_OS)}


def test_every_generated_ci_is_understood_on_every_os(render_index):
    """The runner plans every job and step of every distinct ci.yml; the jobs are the contract's."""
    problems, runners_used = [], set()
    for path, entries in _distinct_ci_files(render_index).values():
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        shells_seen = {tuple(e["data"]["shells"]) for e in entries}
        wrapped = path.name == runner.WRAPPED_WORKFLOW.name
        for os_name in runner.OSES:
            try:
                jobs = runner.plan(workflow, os_name)
            except runner.WorkflowError as error:
                problems.append(f"{entries[0]['id']} on {os_name}: {error}")
                continue
            for shells in shells_seen:
                expected = _expected_jobs(list(shells), os_name, wrapped)
                if {j.id for j in jobs} != expected:
                    got = sorted(j.id for j in jobs)
                    problems.append(f"{entries[0]['id']} on {os_name}: jobs {got}, not {expected}")
            for job in jobs:
                if not any(step.action == "run" for step in job.steps):
                    problems.append(f"{entries[0]['id']} on {os_name}: job {job.id} runs nothing")
        for job in workflow["jobs"].values():
            if job.get("runs-on") == runner.MATRIX_RUNS_ON:
                runners_used.update(job["strategy"]["matrix"]["os"])
            else:
                runners_used.add(job["runs-on"])
    assert not problems, "\n".join(problems[:20])
    # The template matrix runs the generated jobs on the runners they name.
    matrix = yaml.safe_load(MATRIX_WORKFLOW.read_text())["jobs"]["project-ci"]["strategy"]["matrix"]
    assert set(matrix["os"]) == runners_used


def _uses_inputs(workflow: dict, prefix: str = "") -> set[tuple[str, str, str]]:
    """(action, input, value) of every uses: step, with `prefix` on rust-cache workspaces."""
    found = set()
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            action = step.get("uses", "").split("@")[0]
            for name, value in (step.get("with") or {}).items():
                if name == "workspaces":
                    value = prefix + value
                found.add((action, name, str(value)))
    return found


def test_matrix_provides_what_the_generated_uses_steps_set_up(render_index):
    """The runner skips uses: steps, so the matrix job must set up the same versions."""
    generated = set()
    for path, _ in _distinct_ci_files(render_index).values():
        generated |= _uses_inputs(yaml.safe_load(path.read_text(encoding="utf-8")), "app/")
    provided = _uses_inputs(yaml.safe_load(MATRIX_WORKFLOW.read_text()))
    for action in ("actions/setup-python", "actions/setup-node", "Swatinem/rust-cache"):
        assert {g for g in generated if g[0] == action} <= provided, action


def test_list_cli_on_a_render(render_index):
    """--list through the command line: the plan of an all-shells render, nothing run."""
    entry = max(render_index["combinations"], key=lambda e: len(e["data"]["shells"]))
    result = _cli(entry["dir"], "--os", "Windows", "--list")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("plan on Windows: ")
    assert "job lint" not in result.stdout and "job positron" not in result.stdout
    assert "job electron" in result.stdout and "job tauri" in result.stdout


def test_matrix_covers_each_shell_and_all_together():
    matrix = yaml.safe_load(MATRIX_WORKFLOW.read_text())["jobs"]["project-ci"]["strategy"]["matrix"]
    choices = {tuple(json.loads(s)) for s in matrix["shells"]}
    assert choices == {("electron",), ("tauri",), ("positron",), ("electron", "tauri", "positron")}


def test_matrix_installs_copier_as_the_test_group_pins_it():
    """The matrix workflow's copier specifiers are the ones the template's tests use."""
    group = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["test"]
    wanted = {re.split(r"[<>=!~; ]", s)[0]: s for s in group}
    text = MATRIX_WORKFLOW.read_text()
    installed = re.findall(r'"((?:copier|copier-template-extensions|pyyaml)[<>=!~][^"]*)"', text)
    assert sorted(installed) == sorted(
        wanted[name] for name in ("copier", "copier-template-extensions", "pyyaml")
    )


# --- the runner on small workflows -----------------------------------------------------------

HEADER = """\
    on: push
    defaults:
      run:
        shell: bash
"""


@pytest.mark.parametrize(
    ("expr", "os_name", "runs"),
    [
        ("runner.os == 'Linux'", "Linux", True),
        ("runner.os == 'Linux'", "Windows", False),
        ("runner.os != 'Windows'", "macOS", True),
        ("runner.os != 'Windows'", "Windows", False),
        (None, "macOS", True),
    ],
)
def test_if_forms(expr, os_name, runs):
    assert runner.evaluate_if(expr, os_name, "here") is runs


@pytest.mark.parametrize(
    "expr",
    [
        "always()",
        "${{ runner.os == 'Linux' }}",
        "runner.os == 'linux'",
        "runner.os == 'Linux' && success()",
        "matrix.os == 'ubuntu-24.04'",
    ],
)
def test_other_if_forms_are_errors(expr):
    with pytest.raises(runner.WorkflowError, match="job j step 2"):
        runner.evaluate_if(expr, "Linux", "job j step 2")


@pytest.mark.parametrize("os_name", runner.OSES)
def test_runs_steps_with_env_ifs_and_directories(tmp_path, os_name):
    project = _workflow(
        tmp_path,
        HEADER
        + """\
    env:
      A: workflow
      C: workflow
    jobs:
      check:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-24.04, macos-14, windows-2022]
        env:
          B: job
          C: job
          FLAG: true
        steps:
          - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
          - name: Environment
            env:
              C: step
            run: |
              echo "$A $B $C $FLAG $RUNNER_OS $CI" > ../env.txt
              echo "EXPORTED=from an earlier step" >> "$GITHUB_ENV"
              mkdir -p tools && printf '#!/bin/sh\\necho tool ran\\n' > tools/tool
              chmod +x tools/tool && echo "$PWD/tools" >> "$GITHUB_PATH"
          - name: Later step
            run: echo "$EXPORTED, $(tool)" > ../later.txt
          - name: Only on Linux
            if: runner.os == 'Linux'
            run: touch ../linux
          - name: Not on Windows
            if: runner.os != 'Windows'
            run: touch ../not-windows
          - name: In a folder
            working-directory: sub/dir
            run: pwd > ../../../cwd.txt
    """,
    )
    (project / "sub" / "dir").mkdir(parents=True)
    result = _cli(project, "--os", os_name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "env.txt").read_text().split() == [
        "workflow",
        "job",
        "step",
        "true",
        os_name,
        "true",
    ]
    assert (tmp_path / "later.txt").read_text().strip() == "from an earlier step, tool ran"
    assert (tmp_path / "linux").exists() is (os_name == "Linux")
    assert (tmp_path / "not-windows").exists() is (os_name != "Windows")
    assert Path((tmp_path / "cwd.txt").read_text().strip()) == (project / "sub" / "dir").resolve()
    assert "uses actions/checkout: provided by the caller" in result.stdout
    ran = 3 + (os_name == "Linux") + (os_name != "Windows")
    assert f"summary on {os_name}: {ran} ran, {6 - ran} skipped, 0 failed" in result.stdout


def test_stops_at_the_first_failing_step(tmp_path):
    project = _workflow(
        tmp_path,
        HEADER
        + """\
    jobs:
      build:
        runs-on: ubuntu-24.04
        steps:
          - name: Compile
            run: exit 3
          - name: Package
            run: touch ../packaged
      later:
        runs-on: ubuntu-24.04
        steps:
          - run: touch ../later
    """,
    )
    result = _cli(project, "--os", "Linux")
    assert result.returncode == 3
    assert "FAILED: build / Compile exited with 3" in result.stdout
    assert not (tmp_path / "packaged").exists() and not (tmp_path / "later").exists()
    assert re.search(r"FAILED +\d+\.\ds  build / Compile  \(exit 3\)", result.stdout)


def test_job_timeout_stops_a_step(tmp_path):
    project = _workflow(
        tmp_path,
        HEADER
        + """\
    jobs:
      slow:
        runs-on: ubuntu-24.04
        timeout-minutes: 0.02
        steps:
          - name: Sleep
            run: sleep 30
    """,
    )
    result = _cli(project, "--os", "Linux")
    assert result.returncode == 124
    assert "timed out after 1 s" in result.stdout and "FAILED: slow / Sleep" in result.stdout


def test_jobs_follow_needs_and_os(tmp_path):
    project = _workflow(
        tmp_path,
        HEADER
        + """\
    jobs:
      package:
        needs: [build, lint]
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-24.04, macos-14]
        steps:
          - run: echo package >> ../order
      lint:
        runs-on: ubuntu-24.04
        steps:
          - run: echo lint >> ../order
      build:
        runs-on: macos-14
        steps:
          - run: echo build >> ../order
    """,
    )
    assert _cli(project, "--os", "macOS").returncode == 0
    assert (tmp_path / "order").read_text().split() == ["build", "package"]
    (tmp_path / "order").unlink()
    assert _cli(project, "--os", "Linux", "--job", "package", "--job", "lint").returncode == 0
    assert (tmp_path / "order").read_text().split() == ["lint", "package"]
    result = _cli(project, "--os", "Windows", "--job", "package")
    assert result.returncode == 2 and "job package does not run on Windows" in result.stderr


def test_list_runs_nothing(tmp_path):
    project = _workflow(
        tmp_path,
        HEADER
        + """\
    jobs:
      one:
        runs-on: windows-2022
        steps:
          - name: Touch
            if: runner.os == 'Windows'
            run: touch ../touched
    """,
    )
    result = _cli(project, "--os", "Windows", "--list")
    assert result.returncode == 0
    assert "run      one / Touch" in result.stdout
    assert not (tmp_path / "touched").exists()


JOB = """\
    jobs:
      build:
        runs-on: ubuntu-24.04
        steps:
          - name: Prepare
            run: echo ok
"""
MATRIX_RUNS_ON = """\
runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-24.04]
            python: ['3.12']"""
# A second step of job `build` that the runner must refuse, and the message naming it.
BAD_STEPS = {
    "expression-in-run": (
        "- name: Echo\n  run: echo ${{ github.ref }}",
        "job build step 2 (Echo): ${{ }} inside run",
    ),
    "expression-in-env": (
        "- name: Key\n  env:\n    K: ${{ secrets.K }}\n  run: echo $K",
        "job build step 2 (Key): env K is an expression",
    ),
    "other-if": (
        "- name: Up\n  if: failure()\n  run: echo",
        "job build step 2 (Up): if: 'failure()'",
    ),
    "step-shell": (
        "- name: Pw\n  shell: pwsh\n  run: dir",
        "step 2 (Pw): shell 'pwsh' is not bash",
    ),
    "other-action": (
        "- uses: actions/upload-artifact@v4",
        "uses actions/upload-artifact, which the caller does not provide",
    ),
    "step-key": (
        "- run: 'false'\n  continue-on-error: true",
        "keys not understood: ['continue-on-error']",
    ),
}
# Whole workflows the runner must refuse.
BAD_WORKFLOWS = {
    "no-defaults": ("on: push\n" + textwrap.dedent(JOB), "needs `defaults: run: shell: bash`"),
    "pwsh-default": (
        HEADER.replace("bash", "pwsh") + JOB,
        "defaults must be exactly `run: shell: bash`",
    ),
    "self-hosted": (
        HEADER + JOB.replace("runs-on: ubuntu-24.04", "runs-on: self-hosted"),
        "'self-hosted' is not",
    ),
    "job-if": (
        HEADER + JOB.replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n        if: false"),
        "job build: keys not understood: ['if']",
    ),
    "matrix-dimension": (
        HEADER + JOB.replace("runs-on: ubuntu-24.04", MATRIX_RUNS_ON),
        "a matrix of only `os`",
    ),
    "unknown-need": (
        HEADER + JOB.replace("runs-on:", "needs: lint\n        runs-on:"),
        "needs unknown job lint",
    ),
}
REFUSED = {
    **{
        name: (HEADER + JOB + textwrap.indent(step, " " * 10) + "\n", message)
        for name, (step, message) in BAD_STEPS.items()
    },
    **BAD_WORKFLOWS,
}


@pytest.mark.parametrize(("text", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_refuses_what_it_cannot_run(tmp_path, text, message):
    project = _workflow(tmp_path, text)
    result = _cli(project, "--os", "Linux")
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Prepare" not in result.stdout  # refused before running anything


# --- one real job of a real render -----------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="the lint job runs on ubuntu only")
def test_lint_job_of_a_default_render(render_index, tmp_path):
    """The generated lint job, run for real: editable install, ruff, pre-commit."""
    default_id = default_combination().id
    default = next(e for e in render_index["combinations"] if e["id"] == default_id)
    app = tmp_path / "app"
    caches = shutil.ignore_patterns(".ruff_cache", "__pycache__", ".pytest_cache", "*.egg-info")
    shutil.copytree(default["dir"], app, ignore=caches)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Rendered"]):
        subprocess.run([*git, *args], cwd=app, check=True)
    venv = tmp_path / "venv"  # the editable install goes here, not into the test environment
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHON"))}
    env.update(
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit"),
    )
    result = _cli(app, "--os", "Linux", "--job", "lint", env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert re.search(r"summary on Linux: \d+ ran, \d+ skipped, 0 failed", result.stdout)
    # What the job's steps leave behind: the editable install, ruff's cache, pre-commit's hooks.
    assert list(venv.glob("lib/python*/site-packages/__editable__*my_desktop_app*"))
    assert (app / ".ruff_cache").is_dir()
    assert (tmp_path / "pre-commit" / "db.db").is_file()


# --- the template's workflows pass the linters -----------------------------------------------


def _lint(files: list[Path]) -> list[str]:
    workflow_lint.require_tools()
    return workflow_lint.actionlint(files) + workflow_lint.zizmor(files)


def test_template_workflows_pass_actionlint_and_zizmor():
    assert WORKFLOWS, "no workflows in .github/workflows"
    assert _lint(WORKFLOWS) == []


def test_the_linters_catch_a_bad_workflow(tmp_path):
    """The same check on a workflow with an injection and an undefined expression fails."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        textwrap.dedent(
            """\
            on: pull_request
            permissions:
              contents: read
            jobs:
              a:
                runs-on: ubuntu-24.04
                steps:
                  - run: echo "${{ github.event.pull_request.title }}"
                  - run: echo "$X"
                    env:
                      X: ${{ nope.x }}
            """
        )
    )
    findings = _lint([bad])
    # Each finding names the file and line it is about.
    assert any(f.startswith(f"actionlint {bad}:11:") and '"nope"' in f for f in findings), findings
    assert any("template-injection" in f for f in findings), findings
