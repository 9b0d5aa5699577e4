"""Build one desktop shell's installers on this OS, signed when CI provides the credentials.

    python scripts/build_installers.py electron|tauri|positron [--out release]

.github/workflows/desktop-packages.yml runs it on macOS, Windows and Linux (after
``python scripts/stage_backend.py`` for Electron and Tauri). It reads the signing secrets under
the names the release doc in docs/ lists, drops the empty ones (a fork, or a repository without
them, builds unsigned instead of failing), hands each tool its own variable names, runs the
shell's build and copies the installers and update files into ``<out>/<shell>-<os>/`` (one
artifact set).

Secret names (one set for every shell):
  macOS:    CSC_LINK (base64 .p12), CSC_KEY_PASSWORD; notarization by API key: APPLE_API_KEY
            (the .p8 text), APPLE_API_KEY_ID, APPLE_API_ISSUER; or by Apple ID: APPLE_ID,
            APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID
  Windows:  WIN_CSC_LINK (base64 .pfx), WIN_CSC_KEY_PASSWORD; or Azure Trusted Signing:
            AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET + AZURE_TRUSTED_SIGNING_ENDPOINT,
            AZURE_TRUSTED_SIGNING_ACCOUNT, AZURE_TRUSTED_SIGNING_PROFILE (repository variables)
  Tauri updates: TAURI_SIGNING_PRIVATE_KEY, TAURI_SIGNING_PRIVATE_KEY_PASSWORD, TAURI_UPDATER_PUBKEY

No value is ever printed; the notes say only what is signed and what is not.
Exit codes: 0 built, 1 the build failed or produced nothing, 2 bad arguments or version mismatch.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHELLS = ("electron", "tauri", "positron")
OS_LABELS = {"darwin": "macos", "win32": "windows", "linux": "linux"}

MAC_CERT = ("CSC_LINK", "CSC_KEY_PASSWORD")
NOTARIZE_API_KEY = ("APPLE_API_KEY", "APPLE_API_KEY_ID", "APPLE_API_ISSUER")
NOTARIZE_APPLE_ID = ("APPLE_ID", "APPLE_APP_SPECIFIC_PASSWORD", "APPLE_TEAM_ID")
WIN_CERT = ("WIN_CSC_LINK", "WIN_CSC_KEY_PASSWORD")
AZURE_SECRETS = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
AZURE_SETTINGS = (
    "AZURE_TRUSTED_SIGNING_ENDPOINT",
    "AZURE_TRUSTED_SIGNING_ACCOUNT",
    "AZURE_TRUSTED_SIGNING_PROFILE",
)
AZURE_PUBLISHER = "AZURE_TRUSTED_SIGNING_PUBLISHER_NAME"
TAURI_UPDATER = ("TAURI_SIGNING_PRIVATE_KEY", "TAURI_SIGNING_PRIVATE_KEY_PASSWORD")
TAURI_PUBKEY = "TAURI_UPDATER_PUBKEY"
# Every name this script reads, plus the names the tools read, which the build must only see
# when this script sets them (e.g. an APPLE_CERTIFICATE left in the runner's environment).
INPUTS = (
    *MAC_CERT,
    *NOTARIZE_API_KEY,
    *NOTARIZE_APPLE_ID,
    *WIN_CERT,
    *AZURE_SECRETS,
    *AZURE_SETTINGS,
    AZURE_PUBLISHER,
    *TAURI_UPDATER,
    TAURI_PUBKEY,
)
TOOL_NAMES = (
    *INPUTS,
    "APPLE_CERTIFICATE",
    "APPLE_CERTIFICATE_PASSWORD",
    "APPLE_SIGNING_IDENTITY",
    "APPLE_PASSWORD",
    "APPLE_API_KEY_PATH",
)
TIMESTAMP_URL = "http://timestamp.digicert.com"
AZURE_TIMESTAMP_URL = "http://timestamp.acs.microsoft.com"
ELECTRON_FILES = re.compile(r"(\.(dmg|zip|exe|AppImage|blockmap)|^latest.*\.yml)$")
TAURI_FILES = re.compile(r"\.(exe|msi|dmg|app\.tar\.gz|AppImage|deb|rpm)(\.sig)?$")
POSITRON_FILES = re.compile(r"\.(dmg|pkg|zip|msi|deb|rpm|AppImage|flatpak)$")


class BuildError(Exception):
    """A problem to report in one line (no traceback)."""


@dataclass(frozen=True)
class Signing:
    """Which credentials are present (from the non-empty inputs)."""

    mac_certificate: bool = False
    notarization: str | None = None  # "api_key" | "apple_id"
    windows: str | None = None  # "certificate" | "azure"
    updater_key: bool = False
    updater_pubkey: bool = False


@dataclass
class Plan:
    env: dict[str, str]
    commands: list[list[str]]
    notes: list[str] = field(default_factory=list)


def present(env: dict[str, str]) -> dict[str, str]:
    """The inputs that are set and not blank: an empty secret counts as not set."""
    return {name: env[name] for name in INPUTS if env.get(name, "").strip()}


def signing_of(inputs: dict[str, str], pubkey_file: Path | None = None) -> Signing:
    def has(names) -> bool:
        return all(name in inputs for name in names)

    notarization = None
    if has(NOTARIZE_API_KEY):
        notarization = "api_key"
    elif has(NOTARIZE_APPLE_ID):
        notarization = "apple_id"
    windows = None
    if has(WIN_CERT):
        windows = "certificate"
    elif has(AZURE_SECRETS) and has(AZURE_SETTINGS):
        windows = "azure"
    pubkey = TAURI_PUBKEY in inputs or bool(
        pubkey_file and pubkey_file.is_file() and pubkey_file.read_text().strip()
    )
    return Signing(
        mac_certificate=has(MAC_CERT),
        notarization=notarization,
        windows=windows,
        updater_key="TAURI_SIGNING_PRIVATE_KEY" in inputs,
        updater_pubkey=pubkey,
    )


def mac_env(shell: str, inputs: dict[str, str], signing: Signing, key_file: str) -> dict:
    """macOS signing and notarization variables under the names each tool reads."""
    if not signing.mac_certificate:
        # Unsigned on purpose: electron-builder must not pick some identity from a keychain.
        return {"CSC_IDENTITY_AUTO_DISCOVERY": "false"} if shell == "electron" else {}
    env = {}
    if shell == "electron":
        env.update({name: inputs[name] for name in MAC_CERT})
        if signing.notarization == "api_key":
            env.update(
                APPLE_API_KEY=key_file,
                APPLE_API_KEY_ID=inputs["APPLE_API_KEY_ID"],
                APPLE_API_ISSUER=inputs["APPLE_API_ISSUER"],
            )
        elif signing.notarization == "apple_id":
            env.update({name: inputs[name] for name in NOTARIZE_APPLE_ID})
    elif shell == "tauri":
        env.update(
            APPLE_CERTIFICATE=inputs["CSC_LINK"],
            APPLE_CERTIFICATE_PASSWORD=inputs["CSC_KEY_PASSWORD"],
        )
        if signing.notarization == "api_key":
            env.update(
                APPLE_API_KEY=inputs["APPLE_API_KEY_ID"],
                APPLE_API_ISSUER=inputs["APPLE_API_ISSUER"],
                APPLE_API_KEY_PATH=key_file,
            )
        elif signing.notarization == "apple_id":
            env.update(
                APPLE_ID=inputs["APPLE_ID"],
                APPLE_PASSWORD=inputs["APPLE_APP_SPECIFIC_PASSWORD"],
                APPLE_TEAM_ID=inputs["APPLE_TEAM_ID"],
            )
    # Positron: Briefcase takes the identity and a stored notarization profile (see main).
    return env


def windows_env(shell: str, inputs: dict[str, str], signing: Signing) -> dict:
    if signing.windows == "azure":
        names = (*AZURE_SECRETS, *AZURE_SETTINGS, AZURE_PUBLISHER)
        return {name: inputs[name] for name in names if name in inputs}
    if signing.windows == "certificate" and shell == "electron":
        return {name: inputs[name] for name in WIN_CERT}
    return {}  # Tauri and Briefcase sign with the imported certificate's thumbprint


def tauri_has_updater(shell_dir: Path) -> bool:
    conf = json.loads((shell_dir / "src-tauri" / "tauri.conf.json").read_text(encoding="utf-8"))
    return bool((conf.get("plugins") or {}).get("updater"))


def plan(
    shell: str,
    system: str,
    base_env: dict[str, str],
    *,
    shell_dir: Path,
    key_file: str = "",
    identity: str | None = None,
    thumbprint: str | None = None,
    sign_script: str = "",
) -> Plan:
    """The environment and commands that build `shell` on `system` ("darwin"/"win32"/"linux")."""
    inputs = present(base_env)
    signing = signing_of(inputs, shell_dir / "updater-public.key")
    env = {k: v for k, v in base_env.items() if k not in TOOL_NAMES}
    notes = []
    if system == "darwin":
        env.update(mac_env(shell, inputs, signing, key_file))
        if signing.mac_certificate:
            how = {"api_key": "an API key", "apple_id": "an Apple ID"}.get(signing.notarization)
            notes.append(
                f"macOS: signed, notarized with {how}"
                if how
                else "macOS: signed, NOT notarized (no notarization credentials)"
            )
        else:
            notes.append("macOS: NOT signed (CSC_LINK / CSC_KEY_PASSWORD are not set)")
    elif system == "win32":
        env.update(windows_env(shell, inputs, signing))
        if signing.windows is None:
            notes.append("Windows: NOT signed (no certificate or Azure credentials are set)")
        elif shell == "positron" and signing.windows == "azure":
            notes.append("Windows: the MSI is signed with Azure Trusted Signing (not the app .exe)")
        else:
            notes.append(f"Windows: signed ({signing.windows})")
    commands: list[list[str]]
    if shell == "electron":
        commands = [
            ["node", "scripts/icons.cjs"],
            ["node", electron_builder_cli(shell_dir)]
            + ["--config", "electron-builder.config.cjs", "--publish", "never"],
        ]
    elif shell == "tauri":
        build = ["node", "scripts/tauri.cjs", "build"]
        if tauri_has_updater(shell_dir):
            if signing.updater_key and signing.updater_pubkey:
                env.update({k: inputs[k] for k in (*TAURI_UPDATER, TAURI_PUBKEY) if k in inputs})
                notes.append("Tauri updater: bundles signed for in-app updates")
            else:
                build.append("--no-updater")
                notes.append(
                    "Tauri updater: NOT built (needs TAURI_SIGNING_PRIVATE_KEY and the public key "
                    "in TAURI_UPDATER_PUBKEY or shells/tauri/updater-public.key); this build "
                    "cannot update itself"
                )
        if system == "linux":
            # AppImage is not in tauri.conf.json's targets: its tool (linuxdeploy) comes from
            # GitHub at build time, so local builds make .deb and .rpm and releases add it here.
            build += ["--bundles", "deb,rpm,appimage"]
        windows = (
            tauri_windows_config(signing, thumbprint, sign_script) if system == "win32" else {}
        )
        if windows:
            build += ["--config", json.dumps({"bundle": {"windows": windows}})]
        commands = [build]
    else:
        commands = [
            [sys.executable, "scripts/make_icons.py"],
            [sys.executable, "-m", "briefcase", "package", *briefcase_target(system), "--no-input"]
            + briefcase_signing(system, signing, identity, thumbprint),
        ]
    return Plan(env=env, commands=commands, notes=notes)


def tauri_windows_config(signing: Signing, thumbprint: str | None, sign_script: str) -> dict:
    if signing.windows == "certificate" and thumbprint:
        return {
            "certificateThumbprint": thumbprint,
            "digestAlgorithm": "sha256",
            "timestampUrl": TIMESTAMP_URL,
        }
    if signing.windows == "azure":
        # Tauri replaces %1 with each file to sign.
        return {"signCommand": {"cmd": sys.executable, "args": [sign_script, "sign-azure", "%1"]}}
    return {}


def briefcase_target(system: str) -> list[str]:
    return {"darwin": ["macOS", "app"], "win32": ["windows", "app"]}.get(
        system, ["linux", "system"]
    )


def briefcase_signing(
    system: str, signing: Signing, identity: str | None, thumbprint: str | None
) -> list[str]:
    if system == "darwin":
        if not identity:
            return ["--adhoc-sign"]
        return ["--identity", identity] + ([] if signing.notarization else ["--no-notarize"])
    if system == "win32":
        if thumbprint:
            return ["--identity", thumbprint, "--timestamp-url", TIMESTAMP_URL]
        return ["--adhoc-sign"]
    return []


def electron_builder_cli(shell_dir: Path) -> str:
    """electron-builder's CLI script (run with node: no .cmd shim, no shell quoting on Windows)."""
    package = shell_dir / "node_modules" / "electron-builder" / "package.json"
    try:
        bin_field = json.loads(package.read_text(encoding="utf-8"))["bin"]
    except (OSError, KeyError, ValueError):
        return "node_modules/electron-builder/cli.js"  # run fails with node's own clear message
    script = bin_field if isinstance(bin_field, str) else bin_field["electron-builder"]
    return (Path("node_modules") / "electron-builder" / script).as_posix()


# --- version -------------------------------------------------------------------------------------


def _project_table(root: Path) -> dict | None:
    """``[project]`` of pyproject.toml; None in a wrapped project (its packaging is its own)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    return tomllib.loads(path.read_text(encoding="utf-8")).get("project")


def _freeze(root: Path):
    sys.path.insert(0, str(root / "packaging"))
    import freeze

    return freeze


def project_version(root: Path = ROOT) -> str:
    table = _project_table(root)
    if table is not None:
        return table["version"]
    # The desktop layer's about.py: the version a wrapped project's installers carry.
    freeze = _freeze(root)
    about = freeze.SRC / freeze.PACKAGE / "desktop" / "about.py"
    found = re.search(r'^VERSION = "([^"]+)"$', about.read_text(encoding="utf-8"), re.MULTILINE)
    if found is None:
        raise SystemExit(f'no VERSION = "..." line in {about}')
    return found.group(1)


def project_slug(root: Path = ROOT) -> str:
    table = _project_table(root)
    if table is not None:
        return table["name"]
    return _freeze(root).NAME.removesuffix("-backend")


def tag_problem(env: dict[str, str], version: str) -> str | None:
    """A tag build must be for `v<project version>`, or the release would be mislabelled."""
    if env.get("GITHUB_REF_TYPE") != "tag":
        return None
    tag = env.get("GITHUB_REF_NAME", "")
    if tag == f"v{version}":
        return None
    return (
        f"the tag {tag} does not match the project version {version} (pyproject.toml or "
        "the desktop layer's about.py): tag "
        f"v{version}, or bump the version first (the release doc in docs/, 'Cut a release')"
    )


# --- collecting the artifacts --------------------------------------------------------------------


def safe_name(name: str, product: str, prefix: str) -> str:
    """Artifact names without spaces or non-ASCII (GitHub rewrites those in asset names)."""
    if product and name.startswith(product):
        name = prefix + name[len(product) :]
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", name)


def machine_arch() -> str:
    machine = platform.machine().lower()
    return {"arm64": "aarch64", "amd64": "x86_64", "x64": "x86_64"}.get(machine, machine)


def artifacts(shell: str, shell_dir: Path) -> list[Path]:
    if shell == "electron":
        folder, pattern, deep = shell_dir / "dist", ELECTRON_FILES, False
    elif shell == "tauri":
        # cargo honours CARGO_TARGET_DIR, relative to where it runs (src-tauri).
        target = shell_dir / "src-tauri" / os.environ.get("CARGO_TARGET_DIR", "target")
        folder, pattern, deep = target / "release" / "bundle", TAURI_FILES, True
    else:
        folder, pattern, deep = shell_dir / "dist", POSITRON_FILES, False
    if not folder.is_dir():
        return []
    found = folder.rglob("*") if deep else folder.iterdir()
    return sorted(
        p
        for p in found
        if p.is_file()
        and pattern.search(p.name)
        # Files inside a macOS .app bundle are not artifacts (the .app.tar.gz is).
        and not any(part.endswith(".app") for part in p.relative_to(folder).parent.parts)
    )


def product_name(shell: str, shell_dir: Path) -> str:
    if shell == "tauri":
        conf = json.loads((shell_dir / "src-tauri" / "tauri.conf.json").read_text("utf-8"))
        return conf["productName"]
    if shell == "positron":
        apps = tomllib.loads((shell_dir / "pyproject.toml").read_text("utf-8"))["tool"]["briefcase"]
        return next(iter(apps["app"].values()))["formal_name"]
    return ""  # electron-builder already names artifacts after the slug


def collect(shell: str, shell_dir: Path, target: Path, slug: str, arch: str) -> list[Path]:
    """Copy the installers and update files into `target`, with safe names."""
    files = artifacts(shell, shell_dir)
    if not files:
        raise BuildError(f"the {shell} build produced no installer under {shell_dir}")
    target.mkdir(parents=True, exist_ok=True)
    product = product_name(shell, shell_dir)
    copied = []
    for path in files:
        name = path.name
        if shell != "electron":
            name = safe_name(name, product, f"{slug}-{shell}")
        if name.endswith((".app.tar.gz", ".app.tar.gz.sig")) and f"_{arch}" not in name:
            # Tauri names the macOS update bundle without its architecture.
            name = name.replace(".app.tar.gz", f"_{arch}.app.tar.gz")
        destination = target / name
        if destination.exists():
            raise BuildError(f"two artifacts would both be named {name}")
        shutil.copy2(path, destination)
        copied.append(destination)
    return copied


# --- platform set-up (runs only on CI runners with credentials) ----------------------------------


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, **kwargs):
    # Only the program and its first arguments: later ones may be credentials.
    shown = " ".join(Path(command[0]).name if i == 0 else a for i, a in enumerate(command[:3]))
    print(f"build_installers: {shown}", flush=True)
    return subprocess.run(command, cwd=cwd, env=env, check=True, **kwargs)


def write_secret_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    path.chmod(0o600)
    return path


IDENTITY_LINE = re.compile(r'^\s*\d+\)\s+([0-9A-F]{40})\s+"(.+)"\s*$')


def parse_identities(output: str) -> list[tuple[str, str]]:
    """(hash, name) pairs from `security find-identity -v -p codesigning`."""
    return [m.groups() for m in map(IDENTITY_LINE.match, output.splitlines()) if m]


def import_mac_certificate(inputs: dict[str, str], tmp: Path) -> tuple[str, str]:
    """Put the Developer ID certificate into a fresh keychain; return (identity hash, name)."""
    keychain = str(tmp / "build.keychain-db")
    password = base64.b64encode(os.urandom(24)).decode()
    p12 = write_secret_file(tmp, "certificate.p12", base64.b64decode(inputs["CSC_LINK"]))
    security = ["security"]
    run([*security, "create-keychain", "-p", password, keychain], tmp)
    run([*security, "set-keychain-settings", "-lut", "21600", keychain], tmp)
    run([*security, "unlock-keychain", "-p", password, keychain], tmp)
    run(
        [*security, "import", str(p12), "-k", keychain, "-P", inputs["CSC_KEY_PASSWORD"]]
        + ["-T", "/usr/bin/codesign", "-T", "/usr/bin/security"],
        tmp,
    )
    run(
        [*security, "set-key-partition-list", "-S", "apple-tool:,apple:,codesign:", "-s"]
        + ["-k", password, keychain],
        tmp,
        stdout=subprocess.DEVNULL,
    )
    run([*security, "list-keychains", "-d", "user", "-s", keychain, "login.keychain"], tmp)
    run([*security, "default-keychain", "-s", keychain], tmp)
    listing = run(
        [*security, "find-identity", "-v", "-p", "codesigning", keychain],
        tmp,
        capture_output=True,
        text=True,
    ).stdout
    for digest, name in parse_identities(listing):
        if name.startswith("Developer ID Application"):
            return digest, name
    raise BuildError("the certificate in CSC_LINK holds no 'Developer ID Application' identity")


def store_notary_profile(inputs: dict, signing: Signing, identity_name: str, key: str) -> None:
    """Briefcase notarizes with the notarytool profile `briefcase-macOS-<team id>`."""
    team = re.search(r"\(([0-9A-Z]+)\)\s*$", identity_name)
    if not team:
        raise BuildError("cannot read the team id from the signing identity's name")
    command = ["xcrun", "notarytool", "store-credentials", f"briefcase-macOS-{team.group(1)}"]
    if signing.notarization == "api_key":
        command += ["--key", key, "--key-id", inputs["APPLE_API_KEY_ID"]]
        command += ["--issuer", inputs["APPLE_API_ISSUER"]]
    else:
        command += ["--apple-id", inputs["APPLE_ID"], "--team-id", inputs["APPLE_TEAM_ID"]]
        command += ["--password", inputs["APPLE_APP_SPECIFIC_PASSWORD"]]
    run(command, ROOT, stdout=subprocess.DEVNULL)


THUMBPRINT = re.compile(r"^\s*([0-9A-Fa-f]{40})\s*$", re.MULTILINE)


def parse_thumbprint(output: str) -> str | None:
    found = THUMBPRINT.findall(output)
    return found[-1].upper() if found else None


def import_windows_certificate(inputs: dict[str, str], tmp: Path) -> str:
    """Import the .pfx into the user's certificate store; return its SHA-1 thumbprint."""
    pfx = write_secret_file(tmp, "certificate.pfx", base64.b64decode(inputs["WIN_CSC_LINK"]))
    script = (
        "$password = ConvertTo-SecureString -String $env:WIN_CSC_KEY_PASSWORD -Force -AsPlainText; "
        "Import-PfxCertificate -FilePath $env:PFX_FILE -CertStoreLocation Cert:\\CurrentUser\\My "
        "-Password $password | Where-Object { $_.HasPrivateKey } | "
        "Select-Object -First 1 -ExpandProperty Thumbprint"
    )
    env = {
        **os.environ,
        "PFX_FILE": str(pfx),
        "WIN_CSC_KEY_PASSWORD": inputs["WIN_CSC_KEY_PASSWORD"],
    }
    output = run(
        ["powershell", "-NoProfile", "-NonInteractive", "-Command", script],
        tmp,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    thumbprint = parse_thumbprint(output)
    if not thumbprint:
        raise BuildError("importing WIN_CSC_LINK gave no certificate with a private key")
    return thumbprint


def install_trusted_signing() -> None:
    # The same PowerShell module electron-builder uses for Azure Trusted Signing.
    script = (
        "Install-Module -Name TrustedSigning -MinimumVersion 0.5.0 -Force "
        "-Repository PSGallery -Scope CurrentUser"
    )
    run(["powershell", "-NoProfile", "-NonInteractive", "-Command", script], ROOT)


def ps_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def azure_sign_command(env: dict[str, str], file: str) -> list[str]:
    """Invoke-TrustedSigning for one file (credentials come from AZURE_* in the environment)."""
    params = {
        "Endpoint": env["AZURE_TRUSTED_SIGNING_ENDPOINT"],
        "CodeSigningAccountName": env["AZURE_TRUSTED_SIGNING_ACCOUNT"],
        "CertificateProfileName": env["AZURE_TRUSTED_SIGNING_PROFILE"],
        "Files": file,
        "FileDigest": "SHA256",
        "TimestampRfc3161": AZURE_TIMESTAMP_URL,
        "TimestampDigest": "SHA256",
    }
    script = "Invoke-TrustedSigning " + " ".join(f"-{k} {ps_quote(v)}" for k, v in params.items())
    return ["powershell", "-NoProfile", "-NonInteractive", "-Command", script]


# --- main ----------------------------------------------------------------------------------------


def build(shell: str, out: Path) -> int:
    system = sys.platform if sys.platform in OS_LABELS else "linux"
    shell_dir = ROOT / "shells" / shell
    if not shell_dir.is_dir():
        raise BuildError(f"shells/{shell} was not generated for this project")
    problem = tag_problem(dict(os.environ), project_version())
    if problem:
        print(f"build_installers: {problem}", file=sys.stderr)
        return 2
    inputs = present(dict(os.environ))
    signing = signing_of(inputs, shell_dir / "updater-public.key")
    with tempfile.TemporaryDirectory(prefix="build-installers-") as tmp_name:
        tmp = Path(tmp_name)
        key_file = ""
        if system == "darwin" and signing.notarization == "api_key":
            key_file = str(write_secret_file(tmp, "AuthKey.p8", inputs["APPLE_API_KEY"].encode()))
        identity = thumbprint = None
        if system == "darwin" and signing.mac_certificate and shell == "positron":
            identity, identity_name = import_mac_certificate(inputs, tmp)
            if signing.notarization:
                store_notary_profile(inputs, signing, identity_name, key_file)
        if system == "win32" and shell != "electron":
            if signing.windows == "certificate":
                thumbprint = import_windows_certificate(inputs, tmp)
            elif signing.windows == "azure":
                install_trusted_signing()
        steps = plan(
            shell,
            system,
            dict(os.environ),
            shell_dir=shell_dir,
            key_file=key_file,
            identity=identity,
            thumbprint=thumbprint,
            sign_script=str(Path(__file__).resolve()),
        )
        for note in steps.notes:
            print(f"build_installers: {note}", flush=True)
        for command in steps.commands:
            run(command, shell_dir, env=steps.env)
    if system == "win32" and shell == "positron" and signing.windows == "azure":
        for msi in artifacts(shell, shell_dir):
            run(azure_sign_command(dict(os.environ), str(msi)), shell_dir)
    target = out / f"{shell}-{OS_LABELS[system]}"
    copied = collect(shell, shell_dir, target, project_slug(), machine_arch())
    for path in copied:
        print(f"build_installers: {path.relative_to(out).as_posix()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for shell in SHELLS:
        one = sub.add_parser(shell, help=f"build the {shell} installers for this OS")
        one.add_argument("--out", type=Path, default=ROOT / "release", help="artifact root")
    sign = sub.add_parser("sign-azure", help="sign one file with Azure Trusted Signing (Tauri)")
    sign.add_argument("file")
    options = parser.parse_args(argv)
    try:
        if options.command == "sign-azure":
            run(azure_sign_command(dict(os.environ), options.file), ROOT)
            return 0
        return build(options.command, options.out.resolve())
    except BuildError as exc:
        print(f"build_installers: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"build_installers: {exc.cmd[0]} failed (exit {exc.returncode})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
