"""scripts/build_installers.py: which signing variables each tool gets, and what is collected.

The real builds and signatures run in .github/workflows/desktop-packages.yml on each OS; these
tests pin down the part that decides what those builds see.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_installers.py"
_spec = importlib.util.spec_from_file_location("build_installers", SCRIPT)
bi = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bi  # dataclasses look the module up
_spec.loader.exec_module(bi)

MAC = {"CSC_LINK": "cDEy", "CSC_KEY_PASSWORD": "pw"}
API_KEY = {"APPLE_API_KEY": "p8 text", "APPLE_API_KEY_ID": "KEY1", "APPLE_API_ISSUER": "I"}
APPLE_ID = {"APPLE_ID": "a@b.c", "APPLE_APP_SPECIFIC_PASSWORD": "asp", "APPLE_TEAM_ID": "TEAM1"}
WIN = {"WIN_CSC_LINK": "cGZ4", "WIN_CSC_KEY_PASSWORD": "wpw"}
AZURE = {
    "AZURE_TENANT_ID": "t",
    "AZURE_CLIENT_ID": "c",
    "AZURE_CLIENT_SECRET": "s",
    "AZURE_TRUSTED_SIGNING_ENDPOINT": "https://eus.codesigning.azure.net",
    "AZURE_TRUSTED_SIGNING_ACCOUNT": "acct",
    "AZURE_TRUSTED_SIGNING_PROFILE": "prof",
}
UPDATER = {"TAURI_SIGNING_PRIVATE_KEY": "key", "TAURI_SIGNING_PRIVATE_KEY_PASSWORD": "kpw"}


@pytest.fixture
def tauri_dir(tmp_path: Path) -> Path:
    """A Tauri shell folder whose config has an update feed."""
    conf = {
        "productName": "Field Notes",
        "version": "1.2.3",
        "plugins": {"updater": {"endpoints": ["https://example.org/latest.json"]}},
    }
    (tmp_path / "src-tauri").mkdir()
    (tmp_path / "src-tauri" / "tauri.conf.json").write_text(json.dumps(conf))
    return tmp_path


def plan(shell, system, env, shell_dir, **kwargs):
    return bi.plan(shell, system, env, shell_dir=shell_dir, key_file="/tmp/AuthKey.p8", **kwargs)


def test_empty_and_blank_secrets_count_as_not_set():
    inputs = bi.present({"CSC_LINK": "", "CSC_KEY_PASSWORD": "  \n", "APPLE_ID": "a@b.c", "X": "1"})
    assert inputs == {"APPLE_ID": "a@b.c"}
    assert bi.signing_of(bi.present({**MAC, "CSC_KEY_PASSWORD": ""})).mac_certificate is False


def test_electron_macos_gets_the_key_file_path_not_the_key(tmp_path):
    steps = plan("electron", "darwin", {"PATH": "/bin", **MAC, **API_KEY}, tmp_path)
    assert steps.env["APPLE_API_KEY"] == "/tmp/AuthKey.p8"
    assert steps.env["CSC_LINK"] == "cDEy" and steps.env["APPLE_API_KEY_ID"] == "KEY1"
    assert steps.env["PATH"] == "/bin", "the rest of the environment passes through"
    assert "signed, notarized with an API key" in steps.notes[0]


def test_notarization_needs_the_certificate(tmp_path):
    steps = plan("electron", "darwin", {**API_KEY}, tmp_path)
    assert not {"APPLE_API_KEY", "APPLE_API_KEY_ID", "CSC_LINK"} & set(steps.env)
    assert steps.env["CSC_IDENTITY_AUTO_DISCOVERY"] == "false", "unsigned on purpose"
    assert "NOT signed" in steps.notes[0]


def test_windows_never_sees_the_apple_certificate(tmp_path):
    steps = plan("electron", "win32", {**MAC, **API_KEY, **WIN}, tmp_path)
    assert steps.env["WIN_CSC_LINK"] == "cGZ4"
    assert not {"CSC_LINK", "CSC_KEY_PASSWORD", "APPLE_API_KEY"} & set(steps.env)
    azure = plan("electron", "win32", {**AZURE}, tmp_path)
    assert {k: azure.env[k] for k in AZURE} == AZURE
    assert "signed (azure)" in azure.notes[0]


def test_linux_builds_see_no_signing_variables(tmp_path):
    leftovers = {"APPLE_CERTIFICATE": "stale", "APPLE_PASSWORD": "stale"}
    steps = plan("electron", "linux", {**MAC, **API_KEY, **WIN, **AZURE, **leftovers}, tmp_path)
    assert not set(bi.TOOL_NAMES) & set(steps.env)


def test_tauri_macos_names(tauri_dir):
    api = plan("tauri", "darwin", {**MAC, **API_KEY}, tauri_dir)
    assert api.env["APPLE_CERTIFICATE"] == "cDEy"
    assert api.env["APPLE_CERTIFICATE_PASSWORD"] == "pw"
    assert api.env["APPLE_API_KEY"] == "KEY1", "Tauri's APPLE_API_KEY is the key id"
    assert api.env["APPLE_API_KEY_PATH"] == "/tmp/AuthKey.p8"
    assert "CSC_LINK" not in api.env
    apple = plan("tauri", "darwin", {**MAC, **APPLE_ID}, tauri_dir)
    assert (apple.env["APPLE_ID"], apple.env["APPLE_PASSWORD"]) == ("a@b.c", "asp")
    assert apple.env["APPLE_TEAM_ID"] == "TEAM1"
    unsigned = plan("tauri", "darwin", {"CSC_LINK": "", "CSC_KEY_PASSWORD": ""}, tauri_dir)
    assert "APPLE_CERTIFICATE" not in unsigned.env, "an empty value would make Tauri fail"


LINUX_BUNDLES = ["--bundles", "deb,rpm,appimage"]


def test_tauri_updater_only_with_key_and_public_key(tauri_dir):
    without = plan("tauri", "linux", {}, tauri_dir)
    no_updater = ["node", "scripts/tauri.cjs", "build", "--no-updater"]
    assert without.commands == [[*no_updater, *LINUX_BUNDLES]]
    assert "cannot update itself" in without.notes[-1]
    no_pubkey = plan("tauri", "linux", {**UPDATER}, tauri_dir)
    assert "--no-updater" in no_pubkey.commands[0]
    signed = plan("tauri", "linux", {**UPDATER, "TAURI_UPDATER_PUBKEY": "pub"}, tauri_dir)
    assert signed.commands == [["node", "scripts/tauri.cjs", "build", *LINUX_BUNDLES]]
    assert signed.env["TAURI_SIGNING_PRIVATE_KEY"] == "key"
    (tauri_dir / "updater-public.key").write_text("pub\n")
    assert "--no-updater" not in plan("tauri", "linux", {**UPDATER}, tauri_dir).commands[0]


def test_tauri_without_a_feed_ignores_the_updater(tauri_dir):
    conf = tauri_dir / "src-tauri" / "tauri.conf.json"
    conf.write_text(json.dumps({"productName": "Field Notes", "version": "1.2.3"}))
    steps = plan("tauri", "linux", {**UPDATER}, tauri_dir)
    assert steps.commands == [["node", "scripts/tauri.cjs", "build", *LINUX_BUNDLES]]
    assert "TAURI_SIGNING_PRIVATE_KEY" not in steps.env
    # Only Linux release builds add the AppImage (its tool is downloaded from GitHub).
    assert "--bundles" not in plan("tauri", "darwin", {}, tauri_dir).commands[0]


def test_tauri_windows_signing_config(tauri_dir):
    cert = plan("tauri", "win32", {**WIN}, tauri_dir, thumbprint="AB" * 20)
    config = json.loads(cert.commands[0][cert.commands[0].index("--config") + 1])
    assert config["bundle"]["windows"]["certificateThumbprint"] == "AB" * 20
    assert config["bundle"]["windows"]["digestAlgorithm"] == "sha256"
    azure = plan("tauri", "win32", {**AZURE}, tauri_dir, sign_script="/p/build_installers.py")
    command = json.loads(azure.commands[0][-1])["bundle"]["windows"]["signCommand"]
    assert command["args"] == ["/p/build_installers.py", "sign-azure", "%1"]
    assert "--config" not in plan("tauri", "win32", {}, tauri_dir).commands[0]


def test_briefcase_signing_arguments(tmp_path):
    package = plan("positron", "darwin", {**MAC, **API_KEY}, tmp_path, identity="F" * 40)
    assert package.commands[0][1:] == ["scripts/make_icons.py"]
    assert package.commands[1][-2:] == ["--identity", "F" * 40]
    assert "package" in package.commands[1] and "--no-input" in package.commands[1]
    signed_only = plan("positron", "darwin", {**MAC}, tmp_path, identity="F" * 40)
    assert signed_only.commands[1][-1] == "--no-notarize"
    assert plan("positron", "darwin", {}, tmp_path).commands[1][-1] == "--adhoc-sign"
    windows = plan("positron", "win32", {**WIN}, tmp_path, thumbprint="AB" * 20)
    assert windows.commands[1][-4:-2] == ["--identity", "AB" * 20]
    linux = plan("positron", "linux", {}, tmp_path).commands[1]
    assert linux[3:6] == ["package", "linux", "system"]


def test_tag_must_match_the_version():
    assert bi.tag_problem({"GITHUB_REF_TYPE": "branch", "GITHUB_REF_NAME": "main"}, "1.0.0") is None
    assert bi.tag_problem({"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v1.0.0"}, "1.0.0") is None
    problem = bi.tag_problem({"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v1.0.1"}, "1.0.0")
    assert "v1.0.1" in problem and "1.0.0" in problem


def test_wrong_tag_stops_before_building(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(SCRIPT.parent, project / "scripts")
    root = SCRIPT.parent.parent
    # Where the version is: pyproject.toml's [project], else (a wrapped project) the desktop
    # layer's about.py, found through packaging/freeze.py.
    if (root / "pyproject.toml").is_file():
        shutil.copy2(root / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(root / "packaging", project / "packaging")
    package = os.environ["DJANGO_SETTINGS_MODULE"].split(".")[0]
    about = Path(importlib.import_module(f"{package}.desktop.about").__file__).resolve()
    (project / about.relative_to(root)).parent.mkdir(parents=True)
    shutil.copy2(about, project / about.relative_to(root))
    (project / "shells" / "positron").mkdir(parents=True)
    env = {**os.environ, "GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v999.0.0"}
    result = subprocess.run(
        [sys.executable, str(project / "scripts" / "build_installers.py"), "positron"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "v999.0.0 does not match the project version" in result.stderr


def test_artifact_names_are_safe_and_distinct(tmp_path, tauri_dir):
    bundle = tauri_dir / "src-tauri" / "target" / "release" / "bundle"
    files = {
        "nsis/Field Notes_1.2.3_x64-setup.exe": b"exe",
        "nsis/Field Notes_1.2.3_x64-setup.exe.sig": b"sig",
        "macos/Field Notes.app.tar.gz": b"tgz",
        "macos/Field Notes.app.tar.gz.sig": b"sig",
        "macos/Field Notes.app/Contents/MacOS/field-notes": b"binary",
        "dmg/Field Notes_1.2.3_aarch64.dmg": b"dmg",
        "dmg/bundle_dmg.sh": b"script",
    }
    for name, data in files.items():
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(data)
    copied = bi.collect("tauri", tauri_dir, tmp_path / "out", "field-notes", "aarch64")
    assert sorted(p.name for p in copied) == [
        "field-notes-tauri_1.2.3_aarch64.dmg",
        "field-notes-tauri_1.2.3_x64-setup.exe",
        "field-notes-tauri_1.2.3_x64-setup.exe.sig",
        "field-notes-tauri_aarch64.app.tar.gz",
        "field-notes-tauri_aarch64.app.tar.gz.sig",
    ]
    assert bi.safe_name("Färd Notes 1.dmg", "", "x") == "F-rd-Notes-1.dmg"


def test_electron_collects_installers_and_update_files_only(tmp_path):
    dist = tmp_path / "dist"
    (dist / "win-unpacked").mkdir(parents=True)
    (dist / "win-unpacked" / "app.exe").write_bytes(b"x")
    for name in ("app-win-1.0.0-x64.exe", "app-win-1.0.0-x64.exe.blockmap", "latest.yml"):
        (dist / name).write_bytes(b"x")
    (dist / "builder-debug.yml").write_text("x")
    copied = bi.collect("electron", tmp_path, tmp_path / "out", "app", "x86_64")
    names = [p.name for p in copied]
    assert names == ["app-win-1.0.0-x64.exe", "app-win-1.0.0-x64.exe.blockmap", "latest.yml"]


def test_no_installer_is_an_error(tmp_path):
    with pytest.raises(bi.BuildError, match="produced no installer"):
        bi.collect("electron", tmp_path, tmp_path / "out", "app", "x86_64")


def test_tool_output_parsing():
    listing = (
        '  1) 0123456789ABCDEF0123456789ABCDEF01234567 "Developer ID Application: Acme (TEAM1)"\n'
        "     1 valid identities found\n"
    )
    assert bi.parse_identities(listing) == [
        ("0123456789ABCDEF0123456789ABCDEF01234567", "Developer ID Application: Acme (TEAM1)")
    ]
    assert bi.parse_thumbprint("noise\r\nab" + "cd" * 19 + "\r\n") == "AB" + "CD" * 19
    assert bi.parse_thumbprint("nothing here") is None


def test_azure_sign_command_quotes_values():
    env = {**AZURE, "AZURE_TRUSTED_SIGNING_PROFILE": "it's"}
    command = bi.azure_sign_command(env, r"C:\out\App Setup.exe")
    script = command[-1]
    assert script.startswith("Invoke-TrustedSigning ")
    assert "-CertificateProfileName 'it''s'" in script
    assert r"-Files 'C:\out\App Setup.exe'" in script
    assert "-FileDigest 'SHA256'" in script
