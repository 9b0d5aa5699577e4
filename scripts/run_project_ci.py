"""Run a rendered project's own CI steps (.github/workflows/ci.yml) outside GitHub.

    python scripts/run_project_ci.py PROJECT [--os Linux|macOS|Windows] [--job NAME ...] [--list]

The template's matrix workflow renders a project and calls this on the runner, so it runs exactly
the generated project's CI steps instead of a copy of them. Only what the generated workflow
contract allows is understood, and anything else is an error naming the job and step, so the
generated workflow cannot drift away from what this runner executes:

- `defaults: run: shell: bash`; every `run:` step is bash, run in `working-directory` (relative to
  the project) with workflow, job and step `env:` whose values are plain strings.
- A job's OSes come from a literal `runs-on` or `runs-on: ${{ matrix.os }}` with
  `strategy.matrix.os` (ubuntu-* is Linux, macos-* macOS, windows-* Windows). Jobs run in file
  order, after the jobs they `need`.
- `uses:` steps (checkout, setup-python, setup-node, rust-cache) are skipped: the caller has
  already done what they do.
- A step's `if:` is absent or `runner.os == '<OS>'` / `runner.os != '<OS>'`.
- No `${{ }}` inside `run:` scripts or env values.

Like GitHub: `$GITHUB_ENV` / `$GITHUB_PATH` carry to later steps of a job, and step and job
`timeout-minutes` apply (the step's process tree is killed). Stops at the first failing step with
its exit code; prints a summary with durations.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

WORKFLOW = Path(".github") / "workflows" / "ci.yml"
# A wrapped project's (names that cannot clash with the project's own workflows).
WRAPPED_WORKFLOW = Path(".github") / "workflows" / "desktop-ci.yml"
OSES = ("Linux", "macOS", "Windows")
RUNNER_PREFIXES = {"ubuntu-": "Linux", "macos-": "macOS", "windows-": "Windows"}
MATRIX_RUNS_ON = "${{ matrix.os }}"
# What the template's matrix workflow sets up before calling this runner.
PROVIDED_ACTIONS = {
    "actions/checkout",
    "actions/setup-python",
    "actions/setup-node",
    "Swatinem/rust-cache",
}
IF_FORM = re.compile(r"runner\.os (==|!=) '(Linux|macOS|Windows)'")
WORKFLOW_KEYS = {"name", "run-name", "on", True, "permissions", "concurrency", "env", "defaults"}
JOB_KEYS = {
    "name",
    "runs-on",
    "strategy",
    "needs",
    "env",
    "defaults",
    "steps",
    "timeout-minutes",
    "permissions",
}
STEP_KEYS = {
    "name",
    "id",
    "run",
    "uses",
    "with",
    "env",
    "if",
    "working-directory",
    "shell",
    "timeout-minutes",
}


class WorkflowError(Exception):
    """The workflow uses something this runner does not execute."""


@dataclass
class Step:
    label: str  # "job / step name", for messages
    action: str  # "run", "provided" (a uses: step) or "skip" (its if: is false on this OS)
    script: str = ""
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = "."
    timeout: float | None = None
    note: str = ""


@dataclass
class Job:
    id: str
    steps: list[Step]
    timeout: float | None = None  # seconds, from the job's timeout-minutes


def host_os() -> str:
    return {"Darwin": "macOS"}.get(platform.system(), platform.system())


def plain_env(mapping, where: str) -> dict[str, str]:
    """An env: block as strings, refusing expressions (their values only exist on GitHub)."""
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise WorkflowError(f"{where}: env must be a mapping")
    env = {}
    for name, value in mapping.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        value = str(value)
        if "${{" in value:
            raise WorkflowError(f"{where}: env {name} is an expression ({value}); use plain values")
        env[str(name)] = value
    return env


def require_bash(defaults, where: str) -> None:
    if defaults is None:
        return
    if (
        not isinstance(defaults, dict)
        or set(defaults) != {"run"}
        or defaults["run"] != {"shell": "bash"}
    ):
        raise WorkflowError(f"{where}: defaults must be exactly `run: shell: bash`")


def job_oses(job_id: str, job: dict) -> list[str]:
    runs_on = job.get("runs-on")
    strategy = job.get("strategy") or {}
    unknown = set(strategy) - {"matrix", "fail-fast", "max-parallel"}
    if unknown:
        raise WorkflowError(f"job {job_id}: strategy keys not understood: {sorted(unknown)}")
    matrix = strategy.get("matrix")
    if runs_on == MATRIX_RUNS_ON:
        if not isinstance(matrix, dict) or set(matrix) != {"os"} or not matrix["os"]:
            raise WorkflowError(f"job {job_id}: runs-on {runs_on} needs a matrix of only `os`")
        runners = matrix["os"]
    elif isinstance(runs_on, str) and matrix is None:
        runners = [runs_on]
    else:
        raise WorkflowError(f"job {job_id}: runs-on {runs_on!r} not understood")
    oses = []
    for runner in runners:
        name = next((o for p, o in RUNNER_PREFIXES.items() if str(runner).startswith(p)), None)
        if name is None:
            raise WorkflowError(f"job {job_id}: runner {runner!r} is not ubuntu/macos/windows-*")
        oses.append(name)
    return oses


def evaluate_if(expr, os_name: str, where: str) -> bool:
    if expr is None:
        return True
    match = IF_FORM.fullmatch(str(expr).strip())
    if not match:
        raise WorkflowError(f"{where}: if: {expr!r} is not `runner.os == '<OS>'` or `!=`")
    operator, value = match.groups()
    return (os_name == value) == (operator == "==")


def _step(job_id: str, index: int, raw, os_name: str, env: dict[str, str]) -> Step:
    if not isinstance(raw, dict):
        raise WorkflowError(f"job {job_id} step {index}: not a mapping")
    action = str(raw.get("uses", "")).split("@")[0]
    name = raw.get("name") or action or str(raw.get("run", "")).strip().split("\n")[0]
    label = f"{job_id} / {name}"
    where = f"job {job_id} step {index} ({name})"
    unknown = set(raw) - STEP_KEYS
    if unknown:
        raise WorkflowError(f"{where}: keys not understood: {sorted(unknown)}")
    if ("run" in raw) == ("uses" in raw):
        raise WorkflowError(f"{where}: needs exactly one of run: or uses:")
    if raw.get("shell", "bash") != "bash":
        raise WorkflowError(f"{where}: shell {raw['shell']!r} is not bash")
    runs_here = evaluate_if(raw.get("if"), os_name, where)
    if "uses" in raw:
        if action not in PROVIDED_ACTIONS:
            raise WorkflowError(f"{where}: uses {action}, which the caller does not provide")
        if not runs_here:
            return Step(label, "skip", note=f"if: {raw['if']}")
        inputs = ", ".join(f"{k}: {json.dumps(v)}" for k, v in (raw.get("with") or {}).items())
        note = f"uses {action}{f' ({inputs})' if inputs else ''}: provided by the caller"
        return Step(label, "provided", note=note)
    script = str(raw["run"])
    cwd = str(raw.get("working-directory", "."))
    for text in (script, cwd):
        if "${{" in text:
            raise WorkflowError(f"{where}: ${{{{ }}}} inside run/working-directory; use env:")
    step_env = {**env, **plain_env(raw.get("env"), where)}
    timeout = raw.get("timeout-minutes")
    return Step(
        label,
        "run" if runs_here else "skip",
        script=script,
        env=step_env,
        cwd=cwd,
        timeout=float(timeout) * 60 if timeout else None,
        note="" if runs_here else f"if: {raw['if']}",
    )


def _ordered(jobs: dict, wanted: list[str]) -> list[str]:
    """Wanted jobs in file order, each after the wanted jobs it needs."""
    done: list[str] = []

    def visit(job_id: str, path: tuple[str, ...]) -> None:
        if job_id in done:
            return
        if job_id in path:
            raise WorkflowError(f"job {job_id}: needs form a cycle: {' -> '.join(path)}")
        needs = jobs[job_id].get("needs") or []
        for need in [needs] if isinstance(needs, str) else needs:
            if need not in jobs:
                raise WorkflowError(f"job {job_id}: needs unknown job {need}")
            if need in wanted:
                visit(need, (*path, job_id))
        done.append(job_id)

    for job_id in wanted:
        visit(job_id, ())
    return done


def plan(workflow: dict, os_name: str, only: list[str] | None = None) -> list[Job]:
    """The jobs and steps to run on os_name. Checks every job, not only those selected."""
    if not isinstance(workflow, dict) or not isinstance(workflow.get("jobs"), dict):
        raise WorkflowError("the workflow has no jobs")
    unknown = set(workflow) - WORKFLOW_KEYS - {"jobs"}
    if unknown:
        raise WorkflowError(f"workflow keys not understood: {sorted(map(str, unknown))}")
    if workflow.get("defaults") is None:
        raise WorkflowError("the workflow needs `defaults: run: shell: bash`")
    require_bash(workflow["defaults"], "workflow")
    base_env = plain_env(workflow.get("env"), "workflow")
    jobs = workflow["jobs"]
    selected, planned = [], {}
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            raise WorkflowError(f"job {job_id}: not a mapping")
        unknown = set(job) - JOB_KEYS
        if unknown:
            raise WorkflowError(f"job {job_id}: keys not understood: {sorted(unknown)}")
        require_bash(job.get("defaults"), f"job {job_id}")
        env = {**base_env, **plain_env(job.get("env"), f"job {job_id}")}
        steps = [_step(job_id, i, s, os_name, env) for i, s in enumerate(job.get("steps") or [], 1)]
        if not steps:
            raise WorkflowError(f"job {job_id}: has no steps")
        minutes = job.get("timeout-minutes")
        planned[job_id] = Job(job_id, steps, float(minutes) * 60 if minutes else None)
        if os_name in job_oses(job_id, job):
            selected.append(job_id)
    for job_id in only or []:
        if job_id not in jobs:
            raise WorkflowError(f"no job {job_id} in the workflow (jobs: {', '.join(jobs)})")
        if job_id not in selected:
            raise WorkflowError(f"job {job_id} does not run on {os_name}")
    wanted = [j for j in selected if only is None or j in only]
    return [planned[j] for j in _ordered(jobs, wanted)]


def _read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines and NAME<<DELIMITER blocks, as GitHub reads $GITHUB_ENV."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


def _kill_tree(process: subprocess.Popen) -> None:
    if os.name == "posix":
        os.killpg(process.pid, signal.SIGKILL)
    else:
        subprocess.run(["taskkill", "/T", "/F", "/PID", str(process.pid)], capture_output=True)
    process.wait()


def _run(command: list[str], cwd: Path, env: dict, timeout: float | None) -> int:
    """Runs a step; on timeout (or Ctrl-C) kills its whole process tree, not only bash."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=os.name == "posix")
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(process)
        print(f"timed out after {timeout:.0f} s (timeout-minutes)", flush=True)
        return 124
    except KeyboardInterrupt:
        _kill_tree(process)
        raise


def run_job(job: Job, project: Path, os_name: str, bash: str, results: list) -> int:
    """Runs a job's steps; returns the first failing exit code, or 0."""
    exported: dict[str, str] = {}  # $GITHUB_ENV from earlier steps of this job
    paths: list[str] = []  # $GITHUB_PATH from earlier steps of this job
    deadline = time.monotonic() + job.timeout if job.timeout else None
    with tempfile.TemporaryDirectory(prefix="project-ci-") as tmp:
        files = {n: Path(tmp, n.lower()) for n in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT")}
        for number, step in enumerate(job.steps, 1):
            header = f"[{job.id} {number}/{len(job.steps)}] {step.label}"
            if step.action != "run":
                print(f"--- {header}: skipped ({step.note})", flush=True)
                results.append(("skipped", None, step.label, step.note))
                continue
            print(f"--- {header}", flush=True)
            for path in files.values():
                path.write_text("", encoding="utf-8")
            script = Path(tmp, "step.sh")
            script.write_text(step.script, encoding="utf-8", newline="\n")
            env = {**os.environ, **exported, "CI": "true", "RUNNER_OS": os_name, **step.env}
            env.update({name: str(path) for name, path in files.items()})
            if paths:
                env["PATH"] = os.pathsep.join([*reversed(paths), env.get("PATH", "")])
            cwd = project / step.cwd
            if not cwd.is_dir():
                results.append(("FAILED", None, step.label, f"no directory {step.cwd}"))
                print(f"FAILED: {step.label}: working-directory {step.cwd} does not exist")
                return 1
            # The step's timeout-minutes, or what is left of the job's, as on GitHub.
            timeouts = [t for t in (step.timeout, deadline and deadline - time.monotonic()) if t]
            timeout = max(min(timeouts), 1.0) if timeouts else None
            started = time.perf_counter()
            # How GitHub runs `shell: bash`.
            command = [bash, "--noprofile", "--norc", "-eo", "pipefail", script.as_posix()]
            code = _run(command, cwd, env, timeout)
            seconds = time.perf_counter() - started
            if code != 0:
                results.append(("FAILED", seconds, step.label, f"exit {code}"))
                print(f"FAILED: {step.label} exited with {code} after {seconds:.1f} s", flush=True)
                return code
            results.append(("ok", seconds, step.label, ""))
            exported.update(_read_env_file(files["GITHUB_ENV"]))
            paths += [p for p in files["GITHUB_PATH"].read_text().splitlines() if p.strip()]
    return 0


def print_plan(jobs: list[Job], os_name: str) -> None:
    print(f"plan on {os_name}: {', '.join(j.id for j in jobs) or 'no jobs'}")
    for job in jobs:
        print(f"job {job.id}")
        for step in job.steps:
            where = f" (in {step.cwd})" if step.cwd != "." else ""
            detail = f": {step.note}" if step.note else where
            print(f"  {step.action:8} {step.label}{detail}")


def print_summary(results: list, os_name: str) -> None:
    counts = {s: sum(1 for r in results if r[0] == s) for s in ("ok", "skipped", "FAILED")}
    total = sum(r[1] or 0 for r in results)
    print(
        f"\nsummary on {os_name}: {counts['ok']} ran, {counts['skipped']} skipped, "
        f"{counts['FAILED']} failed, {total:.1f} s"
    )
    for status, seconds, label, note in results:
        duration = f"{seconds:7.1f}s" if seconds is not None else "       -"
        print(f"  {status:7} {duration}  {label}{f'  ({note})' if note else ''}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="a rendered project")
    parser.add_argument("--os", choices=OSES, default=os.environ.get("RUNNER_OS") or host_os())
    parser.add_argument("--job", action="append", help="only this job (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the plan, run nothing")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    workflow_file = project / WORKFLOW
    if not workflow_file.is_file() and (project / WRAPPED_WORKFLOW).is_file():
        workflow_file = project / WRAPPED_WORKFLOW
    if not workflow_file.is_file():
        print(f"error: {workflow_file} does not exist", file=sys.stderr)
        return 2
    try:
        jobs = plan(yaml.safe_load(workflow_file.read_text(encoding="utf-8")), args.os, args.job)
    except WorkflowError as error:
        print(f"error: {workflow_file}: {error}", file=sys.stderr)
        return 2
    print_plan(jobs, args.os)
    if args.list:
        return 0
    if not jobs:
        print(f"error: no job of {workflow_file} runs on {args.os}", file=sys.stderr)
        return 2
    bash = shutil.which("bash")  # a full path: on Windows, CreateProcess would try System32 first
    if bash is None:
        print("error: bash is not on PATH", file=sys.stderr)
        return 2
    results: list = []
    for job in jobs:
        print(f"\n=== job {job.id} on {args.os}", flush=True)
        code = run_job(job, project, args.os, bash, results)
        if code:
            print_summary(results, args.os)
            return code
    print_summary(results, args.os)
    return 0


if __name__ == "__main__":
    sys.exit(main())
