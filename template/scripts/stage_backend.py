"""Freeze the backend with PyInstaller into ``.stage/backend/``, the folder every shell bundles.

    python scripts/stage_backend.py [--if-changed] [--verbose]

``.stage/backend/`` then holds the executable (a onedir build: the program plus ``_internal/``),
the collected static files and ``manifest.json``::

    {"executable": "<name>[.exe]", "version": "0.1.0", "package": ..., "built_at": ...,
     "python": ..., "platform": ..., "size_bytes": ..., "source_hash": ..., ...}

Shells start ``<stage>/<executable>`` exactly like ``python -m <package>.backend``.

The build happens in a temporary folder next to the stage, is smoke-tested (``manage check``),
gets the database its own ``migrate`` makes (a first start copies it instead of migrating) and
only then is swapped into place, so a failed build never leaves a half-written stage.
PyInstaller's work folder (``build/pyinstaller/``) is kept between builds as a cache.
``--if-changed`` skips the build when the stage was built from the same sources, settings,
packaging files and installed packages (``source_hash`` in the manifest).

Exit codes: 0 built (or up to date), 1 the build failed, 2 PyInstaller is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import freeze  # noqa: E402

STAGE = ROOT / ".stage" / "backend"
WORK = ROOT / "build" / "pyinstaller"
ZLIB_LEVEL = "9"
SPEC = ROOT / "packaging" / "backend.spec"
LOCK = ROOT / "build" / "stage_backend.lock"
MANIFEST = "manifest.json"
# What the build depends on (besides the installed packages and this Python).
HASHED = [
    freeze.SRC.relative_to(ROOT).as_posix(),
    "packaging",
    "scripts/stage_backend.py",
    "pyproject.toml",
    "requirements.txt",
    "requirements-desktop.txt",
]
# Never inputs of the build, and large: skipped when the source folder is the repository root.
UNHASHED_DIRS = {"node_modules", "target", "build", "dist", "shells", "venv", "__pycache__"}
# PyInstaller log lines worth showing as progress, and how to say them.
MILESTONES = {
    "Initializing module dependency graph": "reading the project's settings and imports",
    "Processing module hooks": "running PyInstaller's hooks",
    "Looking for dynamic libraries": "collecting binary libraries",
    "Building PYZ": "compressing Python modules",
    "Building EXE": "linking the executable",
    "Building COLLECT": "assembling the folder",
}

_started = time.monotonic()


def say(message: str) -> None:
    print(f"stage_backend [{time.monotonic() - _started:5.1f}s] {message}", flush=True)


class BuildError(RuntimeError):
    pass


def pyinstaller_version() -> str | None:
    try:
        import PyInstaller
    except ImportError:
        return None
    return PyInstaller.__version__


def executable_name() -> str:
    return freeze.NAME + (".exe" if sys.platform.startswith("win") else "")


def _hashed_files() -> list[Path]:
    files = []
    for entry in HASHED:
        path = ROOT / entry
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in UNHASHED_DIRS and d[0] != ".")
                files += [Path(folder, n) for n in sorted(names) if not n.endswith(".pyc")]
    return sorted(set(files))


def source_hash() -> str:
    """A hash of everything the build depends on: sources, packaging, Python and packages."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\0{sysconfig.get_platform()}\0".encode())
    for dist in sorted(
        f"{dist.metadata['Name']}=={dist.version}".lower()
        for dist in importlib.metadata.distributions()
    ):
        digest.update(dist.encode() + b"\0")
    for file in _hashed_files():
        digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def read_manifest(stage: Path = STAGE) -> dict | None:
    try:
        return json.loads((stage / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_up_to_date(stage: Path, digest: str) -> bool:
    manifest = read_manifest(stage)
    if not manifest or manifest.get("source_hash") != digest:
        return False
    return (stage / str(manifest.get("executable", ""))).is_file()


def folder_size(folder: Path) -> tuple[int, int]:
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def ignored_folder(folder: Path) -> None:
    """Create an output folder git ignores by itself (a wrapped project's .gitignore is its
    own); a folder that already exists is left as it is."""
    if not folder.exists():
        folder.mkdir(parents=True)
        (folder / ".gitignore").write_text("# Build output (scripts/stage_backend.py)\n*\n")


class BuildLock:
    """One build at a time per project (parallel test workers, two terminals)."""

    def __init__(self, path: Path):
        self.path = path
        self._handle = None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "a+b")  # noqa: SIM115 - held until __exit__
        waited = False
        while True:
            try:
                if sys.platform.startswith("win"):
                    import msvcrt

                    self._handle.seek(0)
                    msvcrt.locking(self._handle.fileno(), msvcrt.LK_NBLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError:
                if not waited:
                    say("another build of this project is running: waiting for it")
                    waited = True
                time.sleep(0.5)

    def __exit__(self, *exc) -> None:
        if self._handle is not None:
            self._handle.close()


def forget_pyz_of_other_level(level: str) -> None:
    """PyInstaller reuses its module archive when the module list is unchanged, whatever the
    compression level it was written with: drop it when the level changed."""
    marker = WORK / "zlib-level"
    if marker.is_file() and marker.read_text() == level:
        return
    for old in (WORK / "backend").glob("PYZ-*"):
        old.unlink()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(level)


def run_pyinstaller(dist: Path, log_file: Path, verbose: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--distpath",
        str(dist),
        "--workpath",
        str(WORK),
        "--log-level",
        "INFO",
    ]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ in src/ from the analysis
    # PyInstaller's cache of stripped binaries, per project: builds of two projects at once
    # (parallel test runs) would otherwise race on ~/.cache/pyinstaller.
    env.setdefault("PYINSTALLER_CONFIG_DIR", str(ROOT / "build" / "pyinstaller-cache"))
    # Python modules compressed: 27 MB instead of 35 MB on disk (default answers), for about 15%
    # more CPU to the first page (measured; the start gets that back from __main__'s GC pause).
    level = env.setdefault("PYINSTALLER_ZLIB_COMPRESSION_LEVEL", ZLIB_LEVEL)
    forget_pyz_of_other_level(level)
    tail: list[str] = []
    shown: set[str] = set()
    with open(log_file, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            tail = [*tail[-59:], line.rstrip()]
            if verbose:
                print(line, end="", flush=True)
                continue
            message = line.split(": ", 1)[-1]
            for prefix, label in MILESTONES.items():
                if message.startswith(prefix) and label not in shown:
                    shown.add(label)
                    say(f"  {label}")
        code = proc.wait()
    if code != 0:
        raise BuildError(
            f"PyInstaller failed (exit {code}). Last lines of {log_file}:\n" + "\n".join(tail)
        )


def _frozen_env(app_data: Path) -> dict[str, str]:
    """A shell's environment for the new build: no settings module, its own app data."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DESKTOP_DJANGO_APP_DATA_DIR=str(app_data),
        DESKTOP_DJANGO_AUTH_TOKEN=secrets.token_hex(32),
    )
    return env


def smoke_check(executable: Path) -> None:
    """Run ``<exe> manage check`` from the new build: settings, URLs and apps load frozen."""
    app_data = Path(tempfile.mkdtemp(prefix="stage-check-"))
    env = _frozen_env(app_data)
    try:
        result = subprocess.run(
            [str(executable), "manage", "check"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"the frozen backend did not run: {exc}") from exc
    finally:
        shutil.rmtree(app_data, ignore_errors=True)
    if result.returncode != 0:
        output = result.stderr or result.stdout
        raise BuildError(
            f"the frozen backend failed `manage check` (exit {result.returncode}):\n"
            + output[-4000:]
            + missing_module_hint(output)
        )


def add_seed_database(executable: Path, folder: Path) -> None:
    """The database a first start copies instead of migrating (desktop/migrate.py): the new
    build's own ``migrate`` on new app data, copied into the build as one file. If that
    ``migrate`` fails (a data migration that needs the network, say), the build goes on
    without it and first starts migrate as before."""
    appdata = _layer_module("appdata")
    app_data = Path(tempfile.mkdtemp(prefix="stage-seed-"))
    try:
        result = subprocess.run(
            [str(executable), "migrate"],
            env=_frozen_env(app_data),
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:  # only a speed-up: first starts then migrate themselves
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            say(f"no database for first starts: `migrate` failed in the build ({last[0]})")
            return
        contents = folder / "_internal" if (folder / "_internal").is_dir() else folder
        source = sqlite3.connect(app_data / appdata.DATABASE_FILE)
        target = sqlite3.connect(contents / appdata.SEED_DATABASE_FILE)
        try:
            source.backup(target)  # one file, whatever is still in the WAL
        finally:
            target.close()
            source.close()
    finally:
        shutil.rmtree(app_data, ignore_errors=True)


def _layer_module(name: str):
    """A module of the desktop layer (for its file names), imported from the source folder."""
    if str(freeze.SRC) not in sys.path:
        sys.path.insert(0, str(freeze.SRC))
    return importlib.import_module(f"{freeze.PACKAGE}.desktop.{name}")


def missing_module_hint(output: str) -> str:
    """For a module the build left out: which one, and how to get it in (one paragraph)."""
    found = re.findall(r"No module named '([^']+)'", output)
    if not found:
        return ""
    name = found[-1]
    top = name.split(".")[0]
    where = freeze.SRC.relative_to(ROOT).as_posix()
    if freeze.WHOLE_SOURCE_DIR:
        code = f"{where}/ (every top-level package there is built in) and list its app in "
    else:
        place = "the repository root" if where == "." else f"{where}/"
        code = f"{place} (next to your settings package) and list it or its app in "
    return (
        f"\n\nThe frozen build has no module {name!r}. If it is your code, move the package "
        f"{top!r} into {code}INSTALLED_APPS; if it is a library, add it to your requirements "
        "(pyproject.toml dependencies or requirements.txt) and install it, then build again."
    )


def write_manifest(folder: Path, digest: str) -> dict:
    about = _layer_module("about")
    facts_file = WORK / "backend" / freeze.FACTS_FILE
    facts = json.loads(facts_file.read_text(encoding="utf-8")) if facts_file.exists() else {}
    contents = "_internal" if (folder / "_internal").is_dir() else "."
    size, count = folder_size(folder)
    manifest = {
        "executable": executable_name(),
        "version": about.VERSION,
        "package": freeze.PACKAGE,
        "name": freeze.NAME,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": sysconfig.get_platform(),
        "pyinstaller": pyinstaller_version(),
        "django": importlib.metadata.version("django"),
        "settings": facts.get("settings"),
        "languages": facts.get("languages", []),
        "static_dir": f"{contents}/{freeze.FROZEN_STATIC}".removeprefix("./"),
        "size_bytes": size,
        "files": count,
        "source_hash": digest,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def swap_into_place(new: Path, stage: Path) -> None:
    """Replace ``stage`` by ``new`` (same file system): two renames, the old copy then removed."""
    old = stage.with_name(f".{stage.name}.old-{os.getpid()}")
    if stage.exists():
        try:
            stage.rename(old)
        except OSError as exc:
            raise BuildError(
                f"cannot replace {stage}: {exc.strerror or exc}. Is the backend still running "
                "from it (a shell in development, a test)? Stop it and try again."
            ) from exc
    try:
        new.rename(stage)
    except OSError:
        if old.exists():
            old.rename(stage)  # put the previous stage back
        raise
    shutil.rmtree(old, ignore_errors=True)


def build(stage: Path, verbose: bool) -> dict:
    digest = source_hash()
    stage.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{stage.name}.build-", dir=stage.parent))
    try:
        say(f"freezing with PyInstaller {pyinstaller_version()} (log: build/pyinstaller.log)")
        run_pyinstaller(tmp, ROOT / "build" / "pyinstaller.log", verbose)
        folder = tmp / freeze.NAME
        executable = folder / executable_name()
        if not executable.is_file():
            raise BuildError(f"PyInstaller produced no {executable}")
        say("checking the frozen backend (manage check)")
        smoke_check(executable)
        say("migrating a database for first starts to copy")
        add_seed_database(executable, folder)
        manifest = write_manifest(folder, digest)
        say(f"replacing {stage.relative_to(ROOT)}")
        swap_into_place(folder, stage)
        return manifest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for leftover in stage.parent.glob(f".{stage.name}.old-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--if-changed",
        action="store_true",
        help="do nothing if the stage was built from the same sources and packages",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="show PyInstaller's log")
    options = parser.parse_args(argv)

    version = pyinstaller_version()
    if version is None:
        print(
            "stage_backend: PyInstaller is not installed in this Python "
            f"({sys.executable}).\nInstall the development dependencies "
            "(python -m pip install -e '.[dev]') or just PyInstaller "
            "(python -m pip install pyinstaller), then run this again.",
            file=sys.stderr,
        )
        return 2
    for folder in (ROOT / "build", ROOT / ".stage"):
        ignored_folder(folder)
    with BuildLock(LOCK):
        if options.if_changed:
            digest = source_hash()
            if is_up_to_date(STAGE, digest):
                say(f"{STAGE.relative_to(ROOT)} is up to date (source hash {digest})")
                return 0
        try:
            manifest = build(STAGE, options.verbose)
        except (BuildError, OSError) as exc:
            print(f"stage_backend: build failed, {STAGE} left as it was.\n{exc}", file=sys.stderr)
            return 1
    say(
        f"done: {STAGE.relative_to(ROOT)}/{manifest['executable']} "
        f"({manifest['size_bytes'] / 1e6:.1f} MB, {manifest['files']} files, "
        f"version {manifest['version']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
