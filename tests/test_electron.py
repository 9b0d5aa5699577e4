"""The Electron shell: builder config of every distinct subtree, its node suite, its smoke launch.

- Every distinct rendered shells/electron (one per distinct app.answers.json) gets its
  electron-builder configuration computed by the shell's own code and validated against
  electron-builder's schema, all in ONE node process, and checked against the answers copier
  recorded (.copier-answers.yml).
- The shell's JavaScript is the same for every answer combination (the answers live in
  app.answers.json, which the "electron_code" hash ignores), so its node suite and the smoke launch
  run once per distinct code, not once per answer file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import renders
from conftest import distinct_runs

ROOT = Path(__file__).resolve().parent.parent
NODE_TOOLS = ROOT / "tests" / "node"
VALIDATOR = NODE_TOOLS / "validate_electron.cjs"
SHELL = Path("shells") / "electron"
MANUAL_FEED_URL = "http://127.0.0.1/update-from-folder/"
STAGED_BACKEND = {"from": "../../.stage/backend", "to": "backend", "filter": ["**/*"]}
PINNED = {
    "electron": "45.4.1",
    "electron-builder": "26.17.0",
    "electron-updater": "6.8.10",
    "playwright-core": "1.65.1",
}
# The only reasons the generated suite may skip a test on a machine without `npm install`.
ALLOWED_SKIPS = re.compile(
    r"Electron binary|electron-updater is not installed|Node >= 22\.12|no display"
)


def _require_node_tools() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (NODE_TOOLS / "node_modules" / "app-builder-lib" / "scheme.json").exists():
        pytest.skip("tests/node is not installed: run npm ci --prefix tests/node")


def _shell_env() -> dict:
    env = {**os.environ, "DESKTOP_DJANGO_PYTHON": sys.executable, "PYTHONDONTWRITEBYTECODE": "1"}
    # Renders have no node_modules; packages of tests/node (e.g. electron-updater, once it is
    # listed there) let more of the generated suite run instead of skipping.
    env["NODE_PATH"] = str(NODE_TOOLS / "node_modules")
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "DJANGO_SETTINGS_MODULE", "NODE_OPTIONS"):
        env.pop(name, None)
    return env


def _expected_publish(answers: dict) -> list[dict]:
    feed = answers["update_feed"]
    if feed == "github":
        owner, repo = answers["github_repository"].split("/")
        return [{"provider": "github", "owner": owner, "repo": repo}]
    if feed == "generic":
        return [{"provider": "generic", "url": answers["update_url"]}]
    return [{"provider": "generic", "url": MANUAL_FEED_URL}]


def test_electron_builder_configs(render_index, tmp_path):
    """Every distinct electron subtree: schema-valid config that says what the answers say."""
    _require_node_tools()
    runs = distinct_runs(render_index, "electron")
    if not runs:
        pytest.skip("no combination generates the Electron shell")
    listing = tmp_path / "shells.json"
    listing.write_text(json.dumps([{"id": r.digest, "dir": str(r.root / SHELL)} for r in runs]))
    result = subprocess.run(
        ["node", str(VALIDATOR), str(listing)],
        cwd=NODE_TOOLS,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    checked = {entry["id"]: entry for entry in json.loads(result.stdout)}
    problems = []
    for run in runs:
        entry, answers = checked[run.digest], renders.answers(run.root)
        where = f"{run.digest} (e.g. {run.combinations[0]})"
        if "crash" in entry:
            problems.append(f"{where}: {entry['crash']}")
            continue
        for env_name, errors in entry["errors"].items():
            problems.extend(f"{where} [{env_name}]: {error}" for error in errors)
        if not entry["configFileMatches"]:
            problems.append(f"{where}: electron-builder.config.cjs differs from builder-config.js")
        data = json.loads((run.root / SHELL / "app.answers.json").read_text(encoding="utf-8"))
        if (data["packageName"], data["appId"]) != (answers["package_name"], answers["app_id"]):
            problems.append(f"{where}: app.answers.json does not match .copier-answers.yml")
        local, ci = entry["configs"]["local"], entry["configs"]["ci"]
        for env_name, config in (("local", local), ("ci", ci)):
            expect = {
                "appId": answers["app_id"],
                "productName": answers["project_name"],
                "publish": _expected_publish(answers),
                "extraResources": [STAGED_BACKEND],
                "directories.output": "dist",
                "extraMetadata.version": answers["version"],
                "mac.targets": ["dmg", "zip"],
                "mac.hardenedRuntime": True,
                "nsis": (False, False, True),
                "linux.targets": ["AppImage"],
            }
            actual = {
                "appId": config["appId"],
                "productName": config["productName"],
                "publish": config["publish"],
                "extraResources": config["extraResources"],
                "directories.output": config["directories"]["output"],
                "extraMetadata.version": config["extraMetadata"]["version"],
                "mac.targets": [t["target"] for t in config["mac"]["target"]],
                "mac.hardenedRuntime": config["mac"]["hardenedRuntime"],
                "nsis": (
                    config["nsis"]["oneClick"],
                    config["nsis"]["perMachine"],
                    config["nsis"]["allowToChangeInstallationDirectory"],
                ),
                "linux.targets": [t["target"] for t in config["linux"]["target"]],
            }
            for key in expect:
                if actual[key] != expect[key]:
                    problems.append(
                        f"{where} [{env_name}] {key}: {actual[key]!r} != {expect[key]!r}"
                    )
        # Signing: only what the answers turn on, and notarization/Azure only with credentials.
        mac_signing = answers["macos_signing"]
        win_method = answers.get("windows_signing_method") if answers["windows_signing"] else None
        signing = {
            name: (
                cfg["mac"]["notarize"],
                "signtoolOptions" in cfg["win"],
                "azureSignOptions" in cfg["win"],
            )
            for name, cfg in (("local", local), ("ci", ci))
        }
        wanted = {
            "local": (False, win_method == "certificate", False),
            "ci": (mac_signing, win_method == "certificate", win_method == "azure_trusted_signing"),
        }
        if signing != wanted:
            problems.append(f"{where}: signing (notarize, signtool, azure) {signing} != {wanted}")
    assert not problems, "\n".join(problems[:40])
    print(f"validated {len(runs)} distinct electron-builder configs x 2 build environments")


def test_electron_package_json(electron_code_tree):
    """Exact pins, the scripts the README documents, and an entry point that exists."""
    shell = electron_code_tree.root / SHELL
    package = json.loads((shell / "package.json").read_text(encoding="utf-8"))
    versions = {**package["dependencies"], **package["devDependencies"]}
    assert {name: versions.get(name) for name in PINNED} == PINNED
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in versions.values()), versions
    assert package["engines"]["node"] == ">=22.12"
    assert (shell / package["main"]).is_file()
    scripts = package["scripts"]
    assert scripts["start"] == "electron ."
    assert scripts["test"] == "node --test"
    assert "electron-builder --config electron-builder.config.cjs" in scripts["dist"]
    dist = scripts["dist"]
    assert dist.index("stage") < dist.index("icons") < dist.index("electron-builder")
    for name in ("icons", "smoke"):
        assert name in scripts


def _tap_counts(output: str) -> dict[str, int]:
    counts = re.finditer(r"^# (tests|pass|fail|skipped|cancelled|todo) (\d+)$", output, re.M)
    return {m[1]: int(m[2]) for m in counts}


@pytest.mark.heavy
def test_electron_node_suite(electron_code_tree, tmp_path):
    """The shell's own `npm test` (node --test): unit tests, real backend, e2e (skips here)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns(".git", "node_modules")
    shutil.copytree(electron_code_tree.root, project, ignore=ignore)
    result = subprocess.run(
        [npm, "--prefix", str(SHELL), "test", "--", "--test-reporter=tap"],
        cwd=project,
        env=_shell_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    counts = _tap_counts(result.stdout)
    failures = [line for line in result.stdout.splitlines() if line.lstrip().startswith("not ok")]
    assert result.returncode == 0 and counts.get("fail") == 0, (
        f"generated Electron suite failed for {len(electron_code_tree.combinations)} combinations "
        f"(e.g. {electron_code_tree.combinations[0]}): {failures}\n{output[-6000:]}"
    )
    skips = re.findall(r"# SKIP (.*)$", result.stdout, re.M)
    unexpected = [reason for reason in skips if not ALLOWED_SKIPS.search(reason)]
    assert not unexpected, f"unexpected skips: {unexpected}"
    assert counts.get("pass", 0) >= 50, counts
    print(f"electron node suite: {counts} skipped because: {sorted(set(skips))}")


@pytest.mark.heavy
def test_electron_smoke(electron_code_tree):
    """`python scripts/smoke.py electron`: one JSON line; skipped (no Electron binary) or passed."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    result = subprocess.run(
        [sys.executable, "scripts/smoke.py", "electron"],
        cwd=electron_code_tree.root,
        env=_shell_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1, result.stdout + result.stderr
    report = json.loads(lines[0])
    assert report["shell"] == "electron"
    assert isinstance(report["seconds"], (int, float))
    if report["status"] == "skipped":
        assert "Electron binary" in report["reason"], report
    else:
        assert report["status"] == "passed", report
    assert result.returncode == 0, report
    print(f"electron smoke: {report}")
