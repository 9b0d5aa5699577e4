"""The node tools of tests/node (schemas, validators, the Tauri CLI), installed from the lock.

The test run calls ensure_installed() before rendering, so a fresh clone needs no extra step.
`npm ci` installs exactly the lock and never rewrites it, so the work tree stays clean.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).parent / "node"
INSTALL = "npm ci --prefix tests/node"  # the one command every hint names


def is_installed(node_dir: Path = NODE_DIR) -> bool:
    """Whether node_modules holds the lock's versions, per npm's own record of the install.

    The lock also lists other platforms' optional binaries, which are never installed here."""
    try:
        lock = json.loads((node_dir / "package-lock.json").read_text())["packages"]
        record = node_dir / "node_modules" / ".package-lock.json"
        installed = json.loads(record.read_text())["packages"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return False
    wanted = {
        name: entry.get("version")
        for name, entry in lock.items()
        if name and (name in installed or not entry.get("optional"))
    }
    return wanted == {name: entry.get("version") for name, entry in installed.items()}


def ensure_installed(node_dir: Path = NODE_DIR) -> bool:
    """Run `npm ci` unless node_modules matches the lock; True if it installed.

    Raises RuntimeError with a one-line message naming the command to run by hand."""
    if is_installed(node_dir):
        return False
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm not found: install Node.js with npm, then run: {INSTALL}")
    command = [npm, "ci", "--prefix", str(node_dir), "--no-audit", "--no-fund", "--loglevel=error"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not is_installed(node_dir):
        reason = (result.stderr.strip().splitlines() or ["node_modules still differs"])[0]
        raise RuntimeError(f"`{INSTALL}` failed ({reason}); run it to see why")
    return True
