"""Finish a release from the artifact sets that scripts/build_installers.py made.

    python scripts/assemble_release.py tauri-latest-json release/   # Tauri's update manifest
    python scripts/assemble_release.py manifests release/           # SHA256SUMS-<set>.txt per set
    python scripts/assemble_release.py publish release/             # upload to a draft release

`release/` holds one folder per artifact set (`electron-macos/`, `tauri-windows/`, ...), as the
workflow's build jobs uploaded them. Every file name is unique across sets, so a GitHub release
can hold them all side by side.

- tauri-latest-json: writes `tauri-update/latest.json` (version, date, and per platform the
  update bundle's URL and the text of its .sig), the file the app's updater endpoint serves.
  URLs point at the GitHub release `v<version>` (github feed) or the feed's base URL (generic
  feed), both read from shells/tauri/src-tauri/tauri.conf.json. If a platform has no signature
  (built without the updater key) it writes nothing and says why: an unsigned feed is worse
  than none.
- manifests: `checksums.py write` for each set, named `SHA256SUMS-<set>.txt` so the names stay
  distinct in a release. Verify a downloaded set with
  `python scripts/checksums.py verify <folder> --manifest SHA256SUMS-<set>.txt`.
- publish: verifies every manifest, then creates the draft release `v<version>` with `gh` (or
  reuses the draft of that tag) and uploads every file. A published (non-draft) release is never
  touched (nothing is uploaded). Needs GH_TOKEN and GH_REPO (the workflow sets them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_installers  # noqa: E402  (the project's version and the tag rule)
import checksums  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TAURI_CONF = ROOT / "shells" / "tauri" / "src-tauri" / "tauri.conf.json"
UPDATE_SET = "tauri-update"
GITHUB_LATEST = re.compile(
    r"^https://github\.com/([^/]+/[^/]+)/releases/latest/download/latest\.json$"
)
ARCH = re.compile(r"[_.-](x86_64|amd64|x64|aarch64|arm64)[_.-]")
ARCH_NAMES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}
# The file in each Tauri set that the updater downloads, by OS of the set.
UPDATE_BUNDLES = {"linux": ".AppImage", "macos": ".app.tar.gz", "windows": "-setup.exe"}
UPDATE_OS = {"linux": "linux", "macos": "darwin", "windows": "windows"}


class ReleaseError(Exception):
    """A problem to report in one line."""


def artifact_sets(release: Path) -> list[Path]:
    sets = sorted(p for p in release.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not sets:
        raise ReleaseError(f"{release} holds no artifact sets: did the build jobs upload any?")
    return sets


def manifest_name(artifact_set: Path) -> str:
    return f"SHA256SUMS-{artifact_set.name}.txt"


def write_manifests(release: Path) -> list[Path]:
    return [checksums.write(s, manifest_name(s)) for s in artifact_sets(release)]


def verify_manifests(release: Path) -> list[str]:
    problems = []
    for artifact_set in artifact_sets(release):
        try:
            found = checksums.verify(artifact_set, manifest_name(artifact_set))
        except checksums.ManifestError as exc:
            found = [str(exc)]
        problems += [f"{artifact_set.name}: {problem}" for problem in found]
    return problems


def download_base(endpoint: str, version: str) -> str:
    """Where the update bundles of `version` are downloaded from, for the feed's endpoint."""
    github = GITHUB_LATEST.match(endpoint)
    if github:
        return f"https://github.com/{github.group(1)}/releases/download/v{version}/"
    return endpoint.rsplit("/", 1)[0] + "/"


def update_platforms(release: Path, base: str) -> tuple[dict, list[str]]:
    """latest.json's platforms from the Tauri sets, and what is missing."""
    platforms, missing = {}, []
    for artifact_set in artifact_sets(release):
        shell, _, os_label = artifact_set.name.partition("-")
        if shell != "tauri" or os_label not in UPDATE_BUNDLES:
            continue
        bundles = [p for p in artifact_set.iterdir() if p.name.endswith(UPDATE_BUNDLES[os_label])]
        if not bundles:
            missing.append(f"{artifact_set.name}: no {UPDATE_BUNDLES[os_label]} update bundle")
        for bundle in bundles:
            signature = bundle.with_name(bundle.name + ".sig")
            if not signature.is_file():
                missing.append(f"{artifact_set.name}: {bundle.name} has no .sig")
                continue
            arch = ARCH.search(bundle.name)
            if not arch:
                missing.append(f"{artifact_set.name}: no architecture in {bundle.name}")
                continue
            key = f"{UPDATE_OS[os_label]}-{ARCH_NAMES.get(arch.group(1), arch.group(1))}"
            platforms[key] = {
                "signature": signature.read_text(encoding="utf-8").strip(),
                "url": base + bundle.name,
            }
    return platforms, missing


def tauri_latest_json(release: Path, conf_file: Path = TAURI_CONF, now=None) -> Path | None:
    conf = json.loads(conf_file.read_text(encoding="utf-8"))
    endpoints = ((conf.get("plugins") or {}).get("updater") or {}).get("endpoints") or []
    if not endpoints:
        raise ReleaseError(f"{conf_file} has no updater endpoint: this project has no update feed")
    version = conf["version"]
    platforms, missing = update_platforms(release, download_base(endpoints[0], version))
    if missing or not platforms:
        reasons = "; ".join(missing) or "no Tauri artifact sets"
        print(
            f"::warning::no latest.json written, so installed apps see no update ({reasons}). "
            "Set TAURI_SIGNING_PRIVATE_KEY and the updater public key (release doc in docs/).",
            flush=True,
        )
        return None
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = {
        "version": version,
        "notes": f"{conf['productName']} {version}",
        "pub_date": when,
        "platforms": dict(sorted(platforms.items())),
    }
    target = release / UPDATE_SET / "latest.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target} ({', '.join(manifest['platforms'])})")
    return target


def release_tag(env: dict[str, str], version: str) -> str:
    problem = build_installers.tag_problem(env, version)
    if problem:
        raise ReleaseError(problem)
    return f"v{version}"


def release_files(release: Path) -> list[Path]:
    files, seen = [], {}
    for artifact_set in artifact_sets(release):
        for path in sorted(p for p in artifact_set.iterdir() if p.is_file()):
            if path.name in seen:
                raise ReleaseError(
                    f"{path.name} is in both {seen[path.name]} and {artifact_set.name}"
                )
            seen[path.name] = artifact_set.name
            files.append(path)
    return files


def gh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["gh", *args], capture_output=True, text=True, check=check)


def publish(release: Path, env: dict[str, str]) -> str:
    problems = verify_manifests(release)
    if problems:
        raise ReleaseError("checksums do not match, nothing uploaded: " + "; ".join(problems))
    tag = release_tag(env, build_installers.project_version())
    files = release_files(release)
    view = gh("release", "view", tag, "--json", "isDraft", check=False)
    if view.returncode == 0:
        if not json.loads(view.stdout).get("isDraft"):
            # E.g. the tag push that publishing a hand-made draft creates: nothing to do.
            print(f"::notice::release {tag} is already published; nothing uploaded", flush=True)
            return tag
        print(f"updating the draft release {tag}")
    else:
        notes = (
            "Installers of every desktop shell, with SHA-256 manifests (SHA256SUMS-<set>.txt). "
            "Air-gapped installs: see the release doc in docs/."
        )
        command = ["release", "create", tag, "--draft", "--title", tag, "--notes", notes]
        if env.get("GITHUB_SHA"):
            command += ["--target", env["GITHUB_SHA"]]
        gh(*command)
        print(f"created the draft release {tag}")
    gh("release", "upload", tag, "--clobber", *map(str, files))
    print(f"uploaded {len(files)} files to the draft release {tag}: review it, then publish it")
    return tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["tauri-latest-json", "manifests", "publish"])
    parser.add_argument("release", type=Path, help="folder with one sub-folder per artifact set")
    options = parser.parse_args(argv)
    if not options.release.is_dir():
        print(f"assemble_release: {options.release} is not a folder", file=sys.stderr)
        return 2
    try:
        if options.action == "tauri-latest-json":
            tauri_latest_json(options.release)
        elif options.action == "manifests":
            for manifest in write_manifests(options.release):
                print(f"wrote {manifest}")
        else:
            publish(options.release, dict(os.environ))
    except (ReleaseError, checksums.ManifestError) as exc:
        print(f"assemble_release: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip().splitlines()[-1:] or [f"exit {exc.returncode}"]
        print(f"assemble_release: gh {exc.cmd[1]} failed: {detail[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
