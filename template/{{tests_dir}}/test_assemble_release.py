"""scripts/assemble_release.py: Tauri's latest.json, per-set manifests, the draft release."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "assemble_release.py"
_spec = importlib.util.spec_from_file_location("assemble_release", SCRIPT)
ar = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = ar  # dataclasses look the module up
_spec.loader.exec_module(ar)

GITHUB_ENDPOINT = "https://github.com/acme/notes/releases/latest/download/latest.json"
NOW = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


def tauri_conf(tmp_path: Path, endpoint: str = GITHUB_ENDPOINT) -> Path:
    conf = {
        "productName": "Field Notes",
        "version": "1.2.3",
        "plugins": {"updater": {"endpoints": [endpoint]}},
    }
    path = tmp_path / "tauri.conf.json"
    path.write_text(json.dumps(conf))
    return path


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """Artifact sets as the build jobs upload them, Tauri built with the updater key."""
    files = {
        "electron-linux/app-linux-1.2.3-x86_64.AppImage": "electron appimage",
        "electron-linux/latest-linux.yml": "version: 1.2.3\n",
        "tauri-linux/fn-tauri_1.2.3_amd64.AppImage": "appimage",
        "tauri-linux/fn-tauri_1.2.3_amd64.AppImage.sig": "SIG-LINUX\n",
        "tauri-linux/fn-tauri_1.2.3_amd64.deb": "deb",
        "tauri-macos/fn-tauri_aarch64.app.tar.gz": "tgz",
        "tauri-macos/fn-tauri_aarch64.app.tar.gz.sig": "SIG-MAC",
        "tauri-macos/fn-tauri_1.2.3_aarch64.dmg": "dmg",
        "tauri-windows/fn-tauri_1.2.3_x64-setup.exe": "exe",
        "tauri-windows/fn-tauri_1.2.3_x64-setup.exe.sig": "SIG-WIN",
    }
    root = tmp_path / "release"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_latest_json_for_the_github_feed(release, tmp_path):
    target = ar.tauri_latest_json(release, tauri_conf(tmp_path), now=NOW)
    data = json.loads(target.read_text())
    assert target == release / "tauri-update" / "latest.json"
    assert (data["version"], data["pub_date"]) == ("1.2.3", "2025-01-31T12:00:00Z")
    base = "https://github.com/acme/notes/releases/download/v1.2.3/"
    assert data["platforms"] == {
        "darwin-aarch64": {"signature": "SIG-MAC", "url": base + "fn-tauri_aarch64.app.tar.gz"},
        "linux-x86_64": {"signature": "SIG-LINUX", "url": base + "fn-tauri_1.2.3_amd64.AppImage"},
        "windows-x86_64": {"signature": "SIG-WIN", "url": base + "fn-tauri_1.2.3_x64-setup.exe"},
    }


def test_latest_json_for_a_generic_feed(release, tmp_path):
    conf = tauri_conf(tmp_path, "https://dl.example.org/notes/latest.json")
    data = json.loads(ar.tauri_latest_json(release, conf, now=NOW).read_text())
    url = data["platforms"]["windows-x86_64"]["url"]
    assert url == "https://dl.example.org/notes/fn-tauri_1.2.3_x64-setup.exe"


def test_no_latest_json_when_a_platform_is_unsigned(release, tmp_path, capsys):
    (release / "tauri-windows" / "fn-tauri_1.2.3_x64-setup.exe.sig").unlink()
    assert ar.tauri_latest_json(release, tauri_conf(tmp_path), now=NOW) is None
    assert not (release / "tauri-update").exists()
    assert "fn-tauri_1.2.3_x64-setup.exe has no .sig" in capsys.readouterr().out


def test_manifest_per_set_and_a_tampered_file_is_named(release):
    written = ar.write_manifests(release)
    assert [p.name for p in written] == [
        "SHA256SUMS-electron-linux.txt",
        "SHA256SUMS-tauri-linux.txt",
        "SHA256SUMS-tauri-macos.txt",
        "SHA256SUMS-tauri-windows.txt",
    ]
    listed = (release / "tauri-linux" / "SHA256SUMS-tauri-linux.txt").read_text().splitlines()
    assert [line.split("  ")[1] for line in listed] == [
        "fn-tauri_1.2.3_amd64.AppImage",
        "fn-tauri_1.2.3_amd64.AppImage.sig",
        "fn-tauri_1.2.3_amd64.deb",
    ]
    assert ar.verify_manifests(release) == []
    (release / "tauri-linux" / "fn-tauri_1.2.3_amd64.deb").write_text("altered")
    assert ar.verify_manifests(release) == ["tauri-linux: MISMATCH fn-tauri_1.2.3_amd64.deb"]


def test_manifests_from_the_command_line(release):
    script = [sys.executable, str(SCRIPT)]
    result = subprocess.run([*script, "manifests", str(release)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    checksums = SCRIPT.parent / "checksums.py"
    verify = [sys.executable, str(checksums), "verify", str(release / "electron-linux")]
    manifest = ["--manifest", "SHA256SUMS-electron-linux.txt"]
    assert subprocess.run([*verify, *manifest], capture_output=True).returncode == 0


class FakeGh:
    """Records `gh` calls; `published` says whether the release already exists and is public."""

    def __init__(self, existing: bool | None):
        self.existing, self.calls = existing, []

    def __call__(self, *args, check=True):
        self.calls.append(args)
        if args[:2] == ("release", "view"):
            if self.existing is None:
                return subprocess.CompletedProcess(args, 1, "", "release not found")
            return subprocess.CompletedProcess(args, 0, json.dumps({"isDraft": self.existing}), "")
        return subprocess.CompletedProcess(args, 0, "", "")


def test_publish_creates_the_draft_and_uploads_every_file(release, monkeypatch):
    ar.write_manifests(release)
    fake = FakeGh(existing=None)
    monkeypatch.setattr(ar, "gh", fake)
    tag = ar.publish(release, {"GITHUB_SHA": "abc123"})
    assert tag == f"v{ar.build_installers.project_version()}"
    create = fake.calls[1]
    assert create[:4] == ("release", "create", tag, "--draft")
    assert create[-2:] == ("--target", "abc123")
    upload = fake.calls[2]
    assert upload[:4] == ("release", "upload", tag, "--clobber")
    uploaded = sorted(Path(p).name for p in upload[4:])
    assert "SHA256SUMS-tauri-macos.txt" in uploaded and "latest-linux.yml" in uploaded
    assert len(uploaded) == len(set(uploaded)) == 14


def test_publish_reuses_a_draft_and_never_touches_a_published_release(release, monkeypatch):
    ar.write_manifests(release)
    draft = FakeGh(existing=True)
    monkeypatch.setattr(ar, "gh", draft)
    ar.publish(release, {})
    assert [c[1] for c in draft.calls] == ["view", "upload"]
    published = FakeGh(existing=False)
    monkeypatch.setattr(ar, "gh", published)
    ar.publish(release, {})
    assert [c[1] for c in published.calls] == ["view"], "nothing is uploaded to it"


def test_publish_refuses_altered_files_and_a_wrong_tag(release, monkeypatch):
    ar.write_manifests(release)
    fake = FakeGh(existing=None)
    monkeypatch.setattr(ar, "gh", fake)
    (release / "electron-linux" / "latest-linux.yml").write_text("version: 6.6.6\n")
    with pytest.raises(ar.ReleaseError, match="MISMATCH latest-linux.yml"):
        ar.publish(release, {})
    assert fake.calls == [], "nothing is uploaded"
    ar.write_manifests(release)
    with pytest.raises(ar.ReleaseError, match="does not match the project version"):
        ar.publish(release, {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v0.0.0-wrong"})
