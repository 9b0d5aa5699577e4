"""scripts/checksums.py: write and verify release manifests, name every bad file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "checksums.py"


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def release(tmp_path: Path) -> Path:
    folder = tmp_path / "release"
    (folder / "mac").mkdir(parents=True)
    (folder / "App-linux-0.1.0-x86_64.AppImage").write_bytes(b"\x7fELF" + bytes(range(256)) * 64)
    (folder / "latest-linux.yml").write_text("version: 0.1.0\n")
    (folder / "mac" / "App-mac-0.1.0-arm64.zip").write_bytes(b"PK" + b"z" * 5000)
    return folder


def test_write_then_verify_passes(release):
    assert run("write", release).returncode == 0
    lines = (release / "SHA256SUMS").read_text().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        "App-linux-0.1.0-x86_64.AppImage",
        "latest-linux.yml",
        "mac/App-mac-0.1.0-arm64.zip",
    ]
    result = run("verify", release)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tampered_file_is_named(release):
    run("write", release)
    artifact = release / "App-linux-0.1.0-x86_64.AppImage"
    data = bytearray(artifact.read_bytes())
    data[100] ^= 0x01  # one flipped bit
    artifact.write_bytes(bytes(data))
    result = run("verify", release)
    assert result.returncode == 1
    assert "MISMATCH App-linux-0.1.0-x86_64.AppImage" in result.stdout
    assert "latest-linux.yml" not in result.stdout


def test_missing_file_is_named(release):
    run("write", release)
    (release / "mac" / "App-mac-0.1.0-arm64.zip").unlink()
    result = run("verify", release)
    assert result.returncode == 1
    assert "MISSING  mac/App-mac-0.1.0-arm64.zip" in result.stdout


@pytest.mark.parametrize(
    "manifest",
    ["not a checksum line\n", "abc123  file.bin\n", f"{'0' * 64}  ../../etc/passwd\n", ""],
)
def test_corrupt_manifest_is_refused_clearly(release, manifest):
    (release / "SHA256SUMS").write_text(manifest)
    result = run("verify", release)
    assert result.returncode == 2
    assert "checksums:" in result.stderr and "SHA256SUMS" in result.stderr


def test_missing_manifest_says_what_to_copy(release):
    result = run("verify", release)
    assert result.returncode == 2
    assert "copy it from the release" in result.stderr


def test_write_refuses_an_empty_folder(tmp_path):
    result = run("write", tmp_path)
    assert result.returncode == 2
    assert not (tmp_path / "SHA256SUMS").exists()


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum (coreutils) not found")
def test_manifest_is_understood_by_sha256sum(release):
    run("write", release)
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"],
        cwd=release,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
