"""SHA-256 checksum manifests for release artifacts (air-gapped installs verify with these).

    python scripts/checksums.py write dist/            # writes dist/SHA256SUMS
    python scripts/checksums.py verify dist/           # checks every file named in it

The manifest uses the `sha256sum` format ("<hex>  <name>"), so `sha256sum -c SHA256SUMS`
(Linux), `shasum -a 256 -c SHA256SUMS` (macOS) or `Get-FileHash` (Windows) check it too.
Exit codes: 0 all good, 1 a file is missing or does not match, 2 the manifest or arguments are bad.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path

MANIFEST = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
_CHUNK = 1024 * 1024


class ManifestError(Exception):
    """The manifest itself is unreadable or malformed."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def artifacts(folder: Path, manifest_name: str = MANIFEST) -> list[Path]:
    """Files to list: everything in the folder tree except the manifest and hidden files."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.name != manifest_name
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def write(folder: Path, manifest_name: str = MANIFEST) -> Path:
    files = artifacts(folder, manifest_name)
    if not files:
        raise ManifestError(f"{folder} holds no files to list: build the artifacts first.")
    lines = [f"{sha256_of(p)}  {p.relative_to(folder).as_posix()}\n" for p in files]
    target = folder / manifest_name
    # Write beside the target and rename, so a failed run never leaves half a manifest.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{manifest_name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.writelines(lines)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_manifest(manifest: Path) -> list[tuple[str, str]]:
    try:
        text = manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(
            f"{manifest} does not exist: copy it from the release together with the installers."
        ) from None
    except UnicodeDecodeError:
        raise ManifestError(f"{manifest} is not a text checksum manifest.") from None
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        name = match.group(2) if match else ""
        if not match or name.startswith("/") or ".." in Path(name).parts or "\\" in name:
            raise ManifestError(
                f"{manifest}:{number} is not a valid checksum line ({line[:80]!r}); expected "
                "'<64 hex digits>  <relative file name>'. Get a fresh copy of the manifest."
            )
        entries.append((match.group(1).lower(), name))
    if not entries:
        raise ManifestError(f"{manifest} lists no files.")
    return entries


def verify(folder: Path, manifest_name: str = MANIFEST) -> list[str]:
    """Problems found, one line per bad file ("MISSING name" / "MISMATCH name")."""
    problems = []
    for expected, name in read_manifest(folder / manifest_name):
        path = folder / name
        if not path.is_file():
            problems.append(f"MISSING  {name}")
        elif sha256_of(path) != expected:
            problems.append(f"MISMATCH {name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or verify a SHA-256 checksum manifest.")
    parser.add_argument("action", choices=["write", "verify"])
    parser.add_argument("folder", type=Path, help="folder holding the release artifacts")
    parser.add_argument("--manifest", default=MANIFEST, help=f"manifest name (default {MANIFEST})")
    options = parser.parse_args(argv)
    if not options.folder.is_dir():
        print(f"checksums: {options.folder} is not a folder.", file=sys.stderr)
        return 2
    try:
        if options.action == "write":
            target = write(options.folder, options.manifest)
            print(f"wrote {target} ({len(read_manifest(target))} files)")
            return 0
        problems = verify(options.folder, options.manifest)
    except ManifestError as exc:
        print(f"checksums: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"checksums: {len(problems)} file(s) failed: do not install; copy them again.",
            file=sys.stderr,
        )
        return 1
    print(f"all files match {options.folder / options.manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
