"""The Tauri shell: config schema and answers, Tauri CLI, Rust contract, scripts, build and smoke.

Every check runs once per distinct content of what it checks (the distinct tauri subtrees, or
narrower: the distinct contract.rs, the distinct Rust crate), batched into as few tool runs as
possible. The heavy part compiles the real crate against crates.io with the shipped Cargo.lock
(build, clippy, tests, fmt), bundles a .deb with the frozen backend and launches it under Xvfb.
Every cargo run shares one CARGO_TARGET_DIR, so each crate is compiled once per profile.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from jinja2 import Environment, StrictUndefined

import renders
from conftest import distinct_runs
from context import DesktopDjangoFilters
from matrix import ROOT

SHELL = Path("shells") / "tauri"
NODE_DIR = ROOT / "tests" / "node"
TAURI_CLI = NODE_DIR / "node_modules" / "@tauri-apps" / "cli" / "tauri.js"
TEMPLATE_SHELL = ROOT / "template" / "shells" / "{% if 'tauri' in shells %}tauri{% endif %}"
STAGE_MAPPING = {"../../../.stage/backend/": "backend/"}
# One target folder for every cargo run of the suite (and kept between runs on one machine).
CARGO_TARGET = renders.RENDERS / "cargo" / "target"
# What the compiled crate depends on: one compile per distinct content of these.
CRATE_FILES = (
    "src-tauri/Cargo.toml",
    "src-tauri/Cargo.lock",
    "src-tauri/build.rs",
    "src-tauri/src/*.rs",
    "src-tauri/capabilities/*",
)


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cargo_bin = Path.home() / ".cargo" / "bin" / name
    return str(cargo_bin) if cargo_bin.exists() else None


def _require(name: str) -> str:
    path = _tool(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def _shells(index: dict) -> list[tuple[Path, tuple[str, ...]]]:
    """(rendered shells/tauri, combinations) for every distinct tauri subtree."""
    runs = distinct_runs(index, "tauri")
    assert runs, "no combination generated shells/tauri"
    return [(run.root / SHELL, run.combinations) for run in runs]


def _distinct(index: dict, *patterns: str) -> list[tuple[Path, list[str]]]:
    """One shell per distinct content of the files matching `patterns` (globs in shells/tauri)."""
    groups: dict[str, tuple[Path, list[str]]] = {}
    for shell, combinations in _shells(index):
        digest = hashlib.sha256()
        for path in sorted(p for pattern in patterns for p in shell.glob(pattern)):
            digest.update(path.relative_to(shell).as_posix().encode() + b"\0" + path.read_bytes())
        groups.setdefault(digest.hexdigest(), (shell, []))[1].extend(combinations)
    return list(groups.values())


def _validate(shells: list[Path]) -> dict:
    """Schema errors of each shell's tauri.conf.json and capabilities, from one node run."""
    result = subprocess.run(
        ["node", str(NODE_DIR / "validate_tauri.cjs"), *map(str, shells)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _entries_by_id(index: dict) -> dict[str, dict]:
    return {entry["id"]: entry for entry in index["combinations"]}


# -- tauri.conf.json -------------------------------------------------------------------------


def test_config_matches_tauri_schema_and_answers(render_index):
    shells = _shells(render_index)
    schema_errors = _validate([shell for shell, _ in shells])
    by_id = _entries_by_id(render_index)
    for shell, combinations in shells:
        where = f"{shell} (covers {len(combinations)} combinations, e.g. {combinations[0]})"
        assert schema_errors[str(shell)] == {
            "config": [],
            "capabilities": {"splash.json": []},
        }, where
        answers = yaml.safe_load((shell.parents[1] / ".copier-answers.yml").read_text())
        conf = json.loads((shell / "src-tauri" / "tauri.conf.json").read_text())
        cargo = tomllib.loads((shell / "src-tauri" / "Cargo.toml").read_text())
        assert conf["identifier"] == answers["app_id"], where
        assert conf["mainBinaryName"] == answers["project_slug"], where
        assert conf["productName"] == answers["project_name"], where
        assert conf["version"] == answers["version"], where
        windows = conf["bundle"]["windows"]
        assert windows["nsis"]["installMode"] == "currentUser", where
        assert conf["bundle"]["resources"] == STAGE_MAPPING, where
        # The mapping is relative to src-tauri: it must land on <project>/.stage/backend.
        stage = (shell / "src-tauri" / next(iter(STAGE_MAPPING))).resolve()
        assert stage == (shell.parents[1] / ".stage" / "backend").resolve(), where
        assert conf["app"]["security"]["capabilities"] == ["splash"], where
        assert conf["app"]["security"]["csp"].startswith("default-src 'self'"), where
        capability = json.loads((shell / "src-tauri" / "capabilities" / "splash.json").read_text())
        assert capability["permissions"] == [] and "remote" not in capability, where
        # Every combination in the group must agree with what the shared subtree says.
        for combination in combinations:
            data = by_id[combination]["data"]
            feed = data["update_feed"]
            webview = windows["webviewInstallMode"]["type"]
            assert webview == data["tauri_webview_install"], combination
            updater = conf.get("plugins", {}).get("updater")
            # Always declared (one Cargo.lock fits every project), compiled only with a feed.
            assert cargo["dependencies"]["tauri-plugin-updater"]["optional"] is True
            if feed == "manual":
                assert updater is None, combination
                assert "createUpdaterArtifacts" not in conf["bundle"], combination
                assert cargo["features"]["default"] == [], combination
                continue
            assert conf["bundle"]["createUpdaterArtifacts"] is True, combination
            assert cargo["features"]["default"] == ["updater"], combination
            assert "pubkey" not in updater, f"{combination}: a public key must never be invented"
            if feed == "github":
                repo = answers["github_repository"]
                expected = f"https://github.com/{repo}/releases/latest/download/latest.json"
            else:
                expected = answers["update_url"].rstrip("/") + "/latest.json"
            assert updater["endpoints"] == [expected], combination


def _render_conf(**answers) -> dict:
    template = (TEMPLATE_SHELL / "src-tauri" / "tauri.conf.json.jinja").read_text()
    base = {
        "project_name": "Notes",
        "project_slug": "notes",
        "app_id": "org.example.notes",
        "version": "1.0.0",
        "author_name": "A",
        "description": "D",
        "update_feed": "manual",
        "tauri_webview_install": "downloadBootstrapper",
    }
    env = Environment(
        undefined=StrictUndefined, keep_trailing_newline=True, extensions=[DesktopDjangoFilters]
    )
    return json.loads(env.from_string(template).render(**{**base, **answers}))


@pytest.mark.parametrize(
    ("version", "semver"),
    [
        ("0.1.0", "0.1.0"),
        ("1.2.0rc1", "1.2.0-rc1"),
        ("1.2.0-rc.1", "1.2.0-rc.1"),
        ("1.2.0a2", "1.2.0-a2"),
        ("2.0.0.dev3", "2.0.0-dev3"),
        ("1.2.0b1.dev2", "1.2.0-b1.dev2"),
        ("1.0.0.post1", "1.0.0+post1"),
        ("1.0.0-1", "1.0.0+1"),
        ("1.2.3.4", "1.2.3+4"),
    ],
)
def test_pep440_versions_become_semver(version, semver):
    assert _render_conf(version=version)["version"] == semver


def test_product_name_drops_characters_windows_forbids(tmp_path):
    conf = _render_conf(project_name='Notes: "A/B" <C>|D?*\\ ')
    assert conf["productName"] == "Notes AB CD"
    shell = tmp_path / "tauri"
    (shell / "src-tauri").mkdir(parents=True)
    (shell / "src-tauri" / "tauri.conf.json").write_text(json.dumps(conf))
    assert _validate([shell])[str(shell)]["config"] == []


def test_generic_feed_endpoint_joins_the_base_url():
    for base in ("https://dl.example.org/notes", "https://dl.example.org/notes/"):
        conf = _render_conf(update_feed="generic", update_url=base)
        assert conf["plugins"]["updater"]["endpoints"] == [
            "https://dl.example.org/notes/latest.json"
        ]


# -- Tauri CLI -------------------------------------------------------------------------------


def test_tauri_info_reads_each_distinct_config(render_index, tmp_path):
    """`tauri info` loads and validates the config; once per distinct Cargo.toml (it is slow)."""
    assert TAURI_CLI.exists(), "tests/node is not installed: run npm ci --prefix tests/node"
    shells = _distinct(render_index, "src-tauri/Cargo.toml")

    def info(item: tuple[int, tuple[Path, list[str]]]) -> tuple[Path, subprocess.CompletedProcess]:
        number, (shell, _) = item
        copy = tmp_path / str(number) / "shells" / "tauri"
        shutil.copytree(shell, copy)
        env = {**os.environ, "NO_COLOR": "1", "CI": "true"}
        run = subprocess.run(
            ["node", str(TAURI_CLI), "info"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return copy, run

    with ThreadPoolExecutor(max_workers=len(shells)) as pool:
        results = list(pool.map(info, enumerate(shells)))
    for (copy, run), (_, combinations) in zip(results, shells, strict=True):
        output = run.stdout + run.stderr
        where = f"tauri info in {copy} (e.g. {combinations[0]}):\n{output[-3000:]}"
        assert run.returncode == 0, where
        assert "Error" not in output, where
        assert "frontendDist: ../splash" in output, where
        assert "CSP: default-src 'self'" in output, where
        assert "tauri-plugin-single-instance" in output, where
        # Declared (optional) by every project, so that one Cargo.lock fits them all.
        assert "tauri-plugin-updater" in output, where


def test_tauri_cli_makes_icons_from_the_brand_svg(render_index, tmp_path):
    shell, _ = _shells(render_index)[0]
    project = tmp_path / "project"
    shutil.copytree(shell, project / SHELL)
    shutil.copytree(shell.parents[1] / "assets", project / "assets")
    (project / SHELL / "node_modules").symlink_to(NODE_DIR / "node_modules")
    run = subprocess.run(
        ["node", "scripts/tauri.cjs", "icons"],
        cwd=project / SHELL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    icons = project / SHELL / "src-tauri" / "icons"
    conf = json.loads((project / SHELL / "src-tauri" / "tauri.conf.json").read_text())
    for icon in conf["bundle"]["icon"]:
        assert (icons.parent / icon).stat().st_size > 0, icon
    assert not (icons / "android").exists() and not (icons / "ios").exists()
    ignored = (project / SHELL / "src-tauri" / ".gitignore").read_text().split()
    assert "/icons/" in ignored, "generated icons must not be committed"


# -- Rust ------------------------------------------------------------------------------------


def test_contract_compiles_and_passes_its_tests_with_plain_rustc(render_index, tmp_path):
    """contract.rs is std-only: compile and run its tests for real, once per distinct file."""
    rustc = _require("rustc")
    for number, (shell, combinations) in enumerate(
        _distinct(render_index, "src-tauri/src/contract.rs")
    ):
        binary = tmp_path / f"contract_tests_{number}"
        source = shell / "src-tauri" / "src" / "contract.rs"
        build = subprocess.run(
            [rustc, "--edition", "2021", "--test", "-D", "warnings", str(source)]
            + ["-o", str(binary)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert build.returncode == 0, build.stderr
        run = subprocess.run([str(binary)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "test result: ok" in run.stdout, run.stdout
        summary = run.stdout.strip().splitlines()[-1]
        print(f"contract.rs ({len(combinations)} combinations): {summary}")
        clippy = _tool("clippy-driver")
        if clippy:
            lint = subprocess.run(
                [
                    clippy,
                    "--edition",
                    "2021",
                    "--test",
                    "-D",
                    "warnings",
                    str(source),
                    "-o",
                    str(tmp_path / f"clippy_{number}"),
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert lint.returncode == 0, lint.stderr


def test_rust_sources_are_rustfmt_clean(render_index):
    rustfmt = _require("rustfmt")
    for shell, combinations in _distinct(render_index, "src-tauri/**/*.rs"):
        sources = sorted(str(p) for p in (shell / "src-tauri").rglob("*.rs"))
        run = subprocess.run(
            [rustfmt, "--check", "--edition", "2021", *sources],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, f"e.g. {combinations[0]}:\n{run.stdout}{run.stderr}"


# A std-only program that drives the real backend of a rendered project through contract.rs,
# the way lib.rs does: start it, read the ready line, open the bootstrap URL, stop it.
CONTRACT_DRIVER = r"""//! Drives a rendered project's backend through contract.rs.
#[allow(dead_code)]
#[path = "CONTRACT_RS"]
mod contract;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn get(port: u16, path: &str, cookie: Option<&str>) -> String {
    let mut stream = TcpStream::connect((contract::HOST, port)).expect("connect");
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let host = format!("Host: {}:{port}", contract::HOST);
    let request = format!("GET {path} HTTP/1.1\r\n{host}\r\nConnection: close\r\n{cookie}\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("receive");
    response
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (root, module, data) = (Path::new(&args[1]), &args[2], Path::new(&args[3]));
    let env_python = std::env::var(contract::PYTHON_ENV).ok();
    let python = contract::pick_python(root, env_python.as_deref(), cfg!(windows), |p| p.is_file());
    let pythonpath = std::env::var("PYTHONPATH").ok();
    let command = contract::dev_backend_command(
        root,
        python,
        module,
        "src",
        cfg!(windows),
        pythonpath.as_deref(),
    );
    let token = contract::hex(&[0x5a; contract::TOKEN_BYTES]);
    let mut child = Command::new(&command.program)
        .args(&command.args)
        .current_dir(&command.cwd)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .envs(contract::backend_env(data, &token))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the backend");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let info = loop {
        let line = lines.next().expect("stdout closed before the ready line").unwrap();
        if let Some(info) = contract::parse_ready_line(&line) {
            break info;
        }
    };
    let log_file = info.log_file.clone().expect("the ready line names the log file");
    assert!(Path::new(&log_file).starts_with(data), "{log_file}");
    println!("ready on port {}", info.port);

    let next = "/?q=1&x=%2F#top";
    let url = contract::bootstrap_url(info.port, &token, next);
    assert_eq!(contract::classify_navigation(&url, Some(info.port)), contract::Navigation::Allow);
    let path = &url[contract::app_origin(info.port).len()..];
    let response = get(info.port, path, None);
    assert!(response.starts_with("HTTP/1.1 302"), "{response}");
    assert_eq!(header(&response, "location"), Some(next), "{response}");
    let cookie = header(&response, "set-cookie").expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap();

    let page = get(info.port, "/", Some(pair));
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(get(info.port, "/", None).starts_with("HTTP/1.1 403"));
    let wrong = contract::bootstrap_url(info.port, &contract::hex(&[1; 32]), "/");
    let wrong_path = &wrong[contract::app_origin(info.port).len()..];
    assert!(get(info.port, wrong_path, None).starts_with("HTTP/1.1 403"));
    println!("bootstrap, cookie and 403s as the contract says");

    drop(child.stdin.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < contract::STOP_GRACE, "still running after the grace");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    println!("stopped on stdin EOF in {} ms", started.elapsed().as_millis());
}
"""


def test_contract_speaks_to_the_real_backend(render_index, tmp_path):
    """contract.rs against the generated Django backend: ready line, bootstrap cookie, stop."""
    rustc = _require("rustc")
    shell, combinations = _shells(render_index)[0]
    project = tmp_path / "project"
    shutil.copytree(shell.parents[1], project, ignore=shutil.ignore_patterns("__pycache__"))
    project_rs = (project / SHELL / "src-tauri" / "src" / "project.rs").read_text()
    module = project_rs.split('BACKEND_MODULE: &str = "', 1)[1].split('"', 1)[0]
    contract = project / SHELL / "src-tauri" / "src" / "contract.rs"
    source = tmp_path / "driver.rs"
    source.write_text(CONTRACT_DRIVER.replace("CONTRACT_RS", contract.as_posix()))
    binary = tmp_path / "driver"
    build = subprocess.run(
        [rustc, "--edition", "2021", "-D", "warnings", str(source), "-o", str(binary)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    env = {
        **os.environ,
        "DESKTOP_DJANGO_PYTHON": sys.executable,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [str(binary), str(project), module, str(tmp_path / "app-data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, f"e.g. {combinations[0]}:\n{run.stdout}\n{run.stderr[-4000:]}"
    assert "stopped on stdin EOF" in run.stdout, run.stdout
    print(run.stdout)


# -- the shell's scripts ---------------------------------------------------------------------


def test_shell_script_tests_pass(render_index):
    for shell, combinations in _distinct(render_index, "scripts/*"):
        run = subprocess.run(
            ["node", "--test", "scripts/tauri.test.cjs"],
            cwd=shell,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, f"e.g. {combinations[0]}:\n{run.stdout}{run.stderr}"
        for script in ("scripts/tauri.cjs", "scripts/smoke.cjs"):
            check = subprocess.run(["node", "--check", script], cwd=shell, capture_output=True)
            assert check.returncode == 0, check.stderr


# -- the real crate, bundle and window -----------------------------------------------------------


def _cargo_env() -> dict[str, str]:
    """The environment for cargo runs, or a skip naming what is missing (.ci/run installs it)."""
    cargo = Path(_require("cargo"))
    if sys.platform.startswith("linux"):
        pkg = subprocess.run(["pkg-config", "--exists", "webkit2gtk-4.1"], capture_output=True)
        if pkg.returncode != 0:
            pytest.skip("Tauri on Linux needs libwebkit2gtk-4.1-dev (webkit2gtk-4.1)")
    CARGO_TARGET.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "PATH": os.pathsep.join([str(cargo.parent), os.environ["PATH"]]),
        "CARGO_TARGET_DIR": str(CARGO_TARGET),
        "CARGO_TERM_COLOR": "never",
    }


def _project_copy(shell: Path, destination: Path) -> Path:
    """A copy of the render holding `shell`, with the test tools' node_modules."""
    project = destination / "project"
    shutil.copytree(shell.parents[1], project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / SHELL / "node_modules").symlink_to(NODE_DIR / "node_modules")
    return project


def test_every_render_ships_the_same_cargo_lock(render_index):
    """One Cargo.lock fits every answer: the updater crate is declared (optional) everywhere."""
    locks = renders.distinct_files(render_index, "tauri", "shells/tauri/src-tauri/Cargo.lock")
    assert len(locks) == 1, [str(path) for path, _ in locks.values()]
    ((lock, _),) = locks.values()
    packages = {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["package"]}
    for crate in ("tauri", "tauri-build", "tauri-plugin-updater", "signal-hook", "serde_json"):
        assert crate in packages, crate
    shells = _distinct(render_index, "src-tauri/Cargo.toml")
    assert len(shells) == 2, "expected the updater feature on and off"


@pytest.mark.heavy
def test_crate_builds_lints_and_tests(render_index, tmp_path):
    """Per distinct crate (updater feature on and off): `npm test` (script tests + cargo test
    --locked) with clippy -D warnings on the crate's own code in the same compile, and
    `cargo fmt --check`.

    `npm run lint` runs `cargo clippy --all-targets`, which checks every dependency once more in
    check mode (minutes here); the same lints run on the crate's targets when clippy-driver is
    the workspace wrapper of `cargo test`, exactly as `cargo clippy` sets it, while the 500
    dependencies are compiled only once.
    """
    env = _cargo_env()
    clippy = Path(_require("clippy-driver"))
    lint_env = {
        **env,
        "RUSTC_WORKSPACE_WRAPPER": str(clippy),
        "CLIPPY_ARGS": "__CLIPPY_HACKERY__".join(["-D", "warnings", ""]),
    }
    for number, (shell, combinations) in enumerate(_distinct(render_index, *CRATE_FILES)):
        project = _project_copy(shell, tmp_path / str(number))
        where = f"{len(combinations)} combinations, e.g. {combinations[0]}"
        fmt = subprocess.run(
            ["cargo", "fmt", "--check", "--manifest-path", "src-tauri/Cargo.toml"],
            cwd=project / SHELL,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert fmt.returncode == 0, f"{where}:\n{fmt.stdout}{fmt.stderr}"
        test = subprocess.run(
            ["node", "scripts/tauri.cjs", "test", "--all-targets"],
            cwd=project / SHELL,
            env=lint_env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        output = test.stdout[-6000:] + test.stderr[-6000:]
        assert test.returncode == 0, f"{where}:\n{output}"
        assert "warning:" not in test.stderr, f"{where}:\n{output}"
        results = [line for line in test.stdout.splitlines() if line.startswith("test result:")]
        assert results and all(" 0 failed" in line for line in results), output
        passed = sum(int(line.split(" passed")[0].rsplit(" ", 1)[1]) for line in results)
        assert passed >= 15, f"only {passed} Rust tests ran:\n{output}"
        print(f"crate {number} ({where}): {passed} Rust tests passed, clippy and fmt clean")


def _screenshot_is_a_page(png: Path) -> str | None:
    """None if the screenshot shows a rendered page (not blank, not one flat colour)."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        colours = len(set(rgb.resize((160, 120)).get_flattened_data()))
        spread = max(ImageStat.Stat(rgb).stddev)
    if colours < 8 or spread < 5:
        return f"{png} looks blank ({colours} colours, stddev {spread:.1f})"
    return None


@pytest.mark.heavy
def test_deb_bundle_carries_the_backend_and_launches(render_index, tmp_path):
    """`npm run build` (release) makes a .deb that carries the frozen backend; the project's own
    launch smoke (`scripts/smoke.py tauri --require`) runs it unpacked, under Xvfb and WebDriver.
    """
    if not sys.platform.startswith("linux"):
        pytest.skip("the .deb and the WebDriver launch test run on Linux")
    env = _cargo_env()
    shell, combinations = _shells(render_index)[0]
    project = _project_copy(shell, tmp_path)
    stage = subprocess.run(
        [sys.executable, "scripts/stage_backend.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert stage.returncode == 0, stage.stdout[-3000:] + stage.stderr[-3000:]
    build = subprocess.run(
        ["node", "scripts/tauri.cjs", "build", "--no-updater", "--bundles", "deb"],
        cwd=project / SHELL,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    conf = json.loads((project / SHELL / "src-tauri" / "tauri.conf.json").read_text())
    debs = sorted((CARGO_TARGET / "release" / "bundle" / "deb").glob("*.deb"))
    deb = max(debs, key=lambda p: p.stat().st_mtime)
    assert conf["version"] in deb.name, deb
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    manifest = json.loads((project / ".stage" / "backend" / "manifest.json").read_text())
    listing = listing.replace(" ./usr/", " usr/")  # dpkg-deb writes either form
    resources = f"usr/lib/{conf['productName']}/backend/"
    for name in ("manifest.json", manifest["executable"]):
        assert resources + name in listing, f"{name} is not in {deb.name}:\n{listing[:3000]}"
    assert f"usr/bin/{conf['mainBinaryName']}" in listing
    depends = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True
    ).stdout
    assert "libwebkit2gtk-4.1-0" in depends, depends

    smoke = subprocess.run(
        [sys.executable, "scripts/smoke.py", "tauri", "--require"],
        cwd=project,
        env={k: v for k, v in env.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in smoke.stdout.splitlines() if line.startswith("{")]
    assert lines, smoke.stdout + smoke.stderr
    result = json.loads(lines[-1])
    assert result["status"] == "passed", json.dumps(result, indent=1)
    checks = result["checks"]
    expected = {"launch", "page", "navigation", "screenshot", "second-launch", "kill-9"}
    expected |= {"sigterm", "failure-window", "app-data"}
    assert expected <= set(checks), checks
    skipped = {name: detail for name, detail in checks.items() if detail.startswith("skipped")}
    assert not skipped, skipped
    assert "could not start" in checks["failure-window"], checks["failure-window"]
    problem = _screenshot_is_a_page(CARGO_TARGET / "smoke" / "window.png")
    assert problem is None, problem
    _assert_app_data_rule_matches_python(project, result["app_data"])
    print(f"{deb.name}: {deb.stat().st_size / 1e6:.1f} MB; smoke: {json.dumps(result)}")


def _assert_app_data_rule_matches_python(project: Path, cases: list[dict]) -> None:
    """One app data rule: where the launched app (no DESKTOP_DJANGO_APP_DATA_DIR, so Tauri's
    app_local_data_dir) put its database is what the Python contract's default_app_data_dir gives
    for the same HOME and XDG_DATA_HOME (absolute, then relative and so ignored). This proves the
    Linux rule only: the Windows and macOS folders rest on Tauri's documented app_local_data_dir
    (%LOCALAPPDATA%\\<id>, ~/Library/Application Support/<id>) matching the Python rule.
    """
    project_rs = (project / SHELL / "src-tauri" / "src" / "project.rs").read_text()
    module = project_rs.split('BACKEND_MODULE: &str = "', 1)[1].split('"', 1)[0]
    source_dir = project_rs.split('SOURCE_DIR: &str = "', 1)[1].split('"', 1)[0]
    path = project / source_dir / Path(*module.split(".")) / "appdata.py"
    spec = importlib.util.spec_from_file_location("appdata_under_test", path)
    appdata = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(appdata)
    app_id = yaml.safe_load((project / ".copier-answers.yml").read_text())["app_id"]
    assert [bool(Path(case["xdg_data_home"]).is_absolute()) for case in cases] == [True, False]
    for case in cases:
        environ = {"XDG_DATA_HOME": case["xdg_data_home"]}
        home = Path(case["home"])
        rule = appdata.default_app_data_dir
        expected = rule(app_id, platform="linux", environ=environ, home=home)
        assert Path(case["database_dir"]) == expected, case


def test_smoke_script_skips_without_a_built_app(render_index, tmp_path):
    shell, _ = _shells(render_index)[0]
    project = shell.parents[1]
    env = {**os.environ, "CARGO_TARGET_DIR": str(tmp_path / "no-build")}
    run = subprocess.run(
        [sys.executable, "scripts/smoke.py", "tauri"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and len(lines) == 1, run.stdout + run.stderr
    result = json.loads(lines[0])
    assert result["shell"] == "tauri" and result["status"] == "skipped", result
    assert "no built app at" in result["reason"] and "npm run build" in result["reason"], result
    assert "crates.io" not in result["reason"], result
    required = subprocess.run(
        [sys.executable, "scripts/smoke.py", "tauri", "--require"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert required.returncode == 1 and '"failed"' in required.stdout, required.stdout


def test_missing_toolchain_or_stage_is_one_line(render_index, tmp_path):
    """No cargo on PATH, or no frozen backend: one line with the fix, before anything compiles."""
    shell, _ = _shells(render_index)[0]
    project = _project_copy(shell, tmp_path)
    (project / SHELL / "src-tauri" / "icons").mkdir()
    (project / SHELL / "src-tauri" / "icons" / "icon.png").write_bytes(b"")
    node = Path(shutil.which("node")).parent
    no_cargo = {**os.environ, "PATH": str(node), "CARGO_HOME": str(tmp_path / "none")}
    for command in (["test"], ["lint"], ["build", "--no-updater"]):
        run = subprocess.run(
            ["node", "scripts/tauri.cjs", *command],
            cwd=project / SHELL,
            env=no_cargo,
            capture_output=True,
            text=True,
            timeout=120,
        )
        errors = [line for line in run.stderr.splitlines() if line.strip()]
        assert run.returncode == 1, run.stdout + run.stderr
        if command[0] == "build":  # the missing stage is found first
            assert "python scripts/stage_backend.py" in run.stderr, run.stderr
        else:
            assert errors == [
                "cargo (Rust) is not installed: install it from https://rustup.rs, "
                "then open a new terminal"
            ], run.stderr
