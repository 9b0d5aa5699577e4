"""Jinja filters for copier.yml: derived defaults and validators.

Each validator filter returns "" when the value is fine, otherwise one sentence saying what is
wrong and how to fix it (copier shows a non-empty validator result as the error).
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata

from jinja2.ext import Extension

# Modules a generated project imports or installs: a package named like one would shadow it.
_DEPENDENCY_MODULES = frozenset(
    {
        "django",
        "django_tasks",
        "django_tasks_db",
        "waitress",
        "asgiref",
        "sqlparse",
        "pytest",
        "pytest_django",
        "playwright",
        "PyInstaller",
        "pyinstaller",
        "toga",
        "toga_gtk",
        "toga_cocoa",
        "toga_winforms",
        "toga_dummy",
        "briefcase",
        "ruff",
        "gi",
        "travertino",
        "setuptools",
        "pip",
        "pkg_resources",
        "packaging",
        "copier",
        "tomli",
        "yaml",
        "_pytest",
        "manage",
        "tests",
        "src",
        "scripts",
        "shells",
        "assets",
        "docs",
        "config",
    }
)
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
_APP_ID_PART = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
# PEP 440 public version (the grammar from packaging's VERSION_PATTERN, without local versions:
# installers and update feeds compare public versions only).
_PEP440 = re.compile(
    r"^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?"
    r"(?:[-_.]?dev[-_.]?[0-9]*)?$",
    re.IGNORECASE,
)
# Three numeric parts: electron-builder, Tauri and MSI all need a SemVer-compatible core.
_SEMVER_CORE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+")


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of a free-text name ("Café Notes" -> ["cafe", "notes"])."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded.lower())


def slugify(text: str) -> str:
    words = ascii_words(text)
    slug = "-".join(words)
    # A slug must start with a letter; keep digits by prefixing rather than dropping them.
    return slug if slug[:1].isalpha() else ("app-" + slug).rstrip("-")


def to_package_name(slug: str) -> str:
    name = str(slug).replace("-", "_")
    return name if not (keyword.iskeyword(name) or _shadows(name)) else name + "_app"


def semver(version: str) -> str:
    """PEP 440 (validated, three numeric parts) as SemVer, which Tauri and electron-builder need.

    A pre-release (1.2.0rc1, 1.2.0.dev3) becomes 1.2.0-rc1 / 1.2.0-dev3; anything else after the
    numbers (a post release, a fourth number) becomes build metadata: 1.2.0.post1 -> 1.2.0+post1.
    """
    match = re.match(r"^([0-9]+\.[0-9]+\.[0-9]+)(.*)$", str(version))
    if not match:
        return str(version)
    core, rest = match.groups()
    tail = rest.lower().lstrip("-_.").replace("_", ".").replace("-", ".")
    if not tail:
        return core
    if re.match(r"^(a|b|c|rc|alpha|beta|pre|preview|dev)", tail):
        return f"{core}-{tail}"
    return f"{core}+{tail}"


def file_safe_name(text: str) -> str:
    """A display name without the characters Windows forbids in file names (installers use it)."""
    kept = "".join(ch for ch in str(text) if ch not in '/\\:*?"<>|' and ord(ch) >= 32)
    return " ".join(kept.split())


def py_str(value) -> str:
    """A Python string literal that `ruff format` leaves as it is (its quote preference)."""
    text = str(value).replace("\\", "\\\\")
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    # ruff keeps double quotes unless single quotes need fewer escapes.
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + text.replace(quote, "\\" + quote) + quote


def to_app_id(slug: str) -> str:
    return "com.example." + str(slug)


def _shadows(name: str) -> bool:
    return name in sys.stdlib_module_names or name in _DEPENDENCY_MODULES


def project_name_error(value: str) -> str:
    if not str(value).strip():
        return "The project name is empty: type the name people will see, e.g. 'Field Notes'."
    if not ascii_words(value):
        return (
            "The project name has no letters or digits that fit a file name: add some "
            "(e.g. 'Notes 2' instead of '✓✓')."
        )
    return ""


def slug_error(value: str) -> str:
    if not _SLUG.match(str(value)):
        return (
            f"'{value}' is not a valid slug: use lower-case ASCII letters, digits and hyphens, "
            "starting with a letter (e.g. 'field-notes')."
        )
    if str(value).endswith("-") or "--" in str(value):
        return f"'{value}' has a trailing or doubled hyphen: use single hyphens between words."
    return ""


def package_name_error(value: str) -> str:
    name = str(value)
    if not name.isidentifier() or not name.isascii():
        return (
            f"'{name}' is not a Python identifier: use lower-case ASCII letters, digits and "
            "underscores, starting with a letter (e.g. 'field_notes')."
        )
    if name != name.lower():
        return (
            f"'{name}' has capitals: Python package names are lower case (e.g. '{name.lower()}')."
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"'{name}' is a Python keyword: pick another name, e.g. '{name}_app'."
    if _shadows(name):
        return (
            f"'{name}' would shadow the module of the same name that Python, Django or the "
            f"generated project needs: pick another name, e.g. '{name}_app'."
        )
    return ""


def app_id_error(value: str) -> str:
    parts = str(value).split(".")
    if len(parts) < 3 or not all(_APP_ID_PART.match(p) for p in parts):
        return (
            f"'{value}' is not a reverse-DNS app id: use three or more dot-separated parts of "
            "ASCII letters, digits and hyphens, each starting with a letter "
            "(e.g. 'com.example.notes')."
        )
    if parts[-1].lower() == "app":
        # Tauri and macOS treat a trailing ".app" as the bundle extension.
        return (
            f"'{value}' ends with '.app', which macOS confuses with the bundle extension: "
            "rename the last part."
        )
    return ""


def email_error(value: str) -> str:
    if not _EMAIL.match(str(value)):
        return f"'{value}' is not an e-mail address: use the form name@example.org."
    return ""


def version_error(value: str) -> str:
    text = str(value)
    if not _PEP440.match(text) or text.lower().startswith("v"):
        return (
            f"'{value}' is not a PEP 440 version: use numbers like 0.1.0, 1.2.0rc1 or 2.0.0.dev1 "
            "(no leading 'v')."
        )
    if not _SEMVER_CORE.match(text):
        return (
            f"'{value}' needs three numeric parts (major.minor.patch) for installers and "
            "update feeds: write e.g. '1.0.0' instead of '1.0'."
        )
    return ""


def github_repository_error(value: str) -> str:
    if not _GITHUB_REPO.match(str(value)) or str(value).split("/")[1] in {".", ".."}:
        return (
            f"'{value}' is not a GitHub repository: write it as owner/name "
            "(e.g. 'acme/field-notes'), without https://github.com/."
        )
    return ""


def update_url_error(value: str) -> str:
    text = str(value)
    match = re.match(r"^https://([A-Za-z0-9.-]+)(?::[0-9]{1,5})?(/[^\s?#]*)?$", text)
    if not match:
        return (
            f"'{value}' is not an https URL: updates must come over https "
            "(e.g. https://downloads.example.org/field-notes/), with no query or fragment."
        )
    if "." not in match.group(1) or match.group(1).startswith(".") or match.group(1).endswith("."):
        return f"'{value}' has no valid host name: use the full name of your download server."
    return ""


def shells_error(value) -> str:
    # Copier itself refuses values outside `choices`; an empty selection is ours to refuse.
    if not value:
        return "Choose at least one desktop shell: electron, tauri or positron (space to select)."
    return ""


# The Python dependencies of a generated project, in one place: pyproject.toml of a new project
# and requirements-desktop*.txt of a wrapped one render these lists.
REQUIREMENTS = {
    # 5.1 is the first Django with SQLite's transaction_mode; a new project starts on the LTS.
    "django_new": "Django>=5.2,<6.1",
    "django_wrapped": "Django>=5.1,<6.1",
    "runtime": ["waitress>=3.0", "whitenoise>=6.6"],
    # Pre-1.0 releases change APIs: `copier update` raises these bounds once a release is tested.
    "tasks": ["django-tasks>=0.12,<0.13", "django-tasks-db>=0.13,<0.14"],
    "dev": [
        "pytest>=8",
        "pytest-django>=4.9",
        "ruff>=0.6",
        "playwright>=1.45",
        "pyinstaller>=6.10",
    ],
    # The Positron shell: Toga for this OS, toga-dummy for its unit tests, Briefcase to package
    # it, resvg-py + Pillow for its icons. The Linux pins suit Debian 12 (girepository-1.0).
    "positron": [
        "toga-core>=0.5.4,<0.6",
        "toga-gtk==0.5.4; sys_platform == 'linux'",
        "pygobject<3.51; sys_platform == 'linux'",
        "toga-cocoa>=0.5.4,<0.6; sys_platform == 'darwin'",
        "toga-winforms>=0.5.4,<0.6; sys_platform == 'win32'",
        "toga-dummy==0.5.4; sys_platform == 'linux'",
        "toga-dummy>=0.5.4,<0.6; sys_platform != 'linux'",
        "briefcase>=0.4",
        "resvg-py>=0.5",
        "pillow>=10",
    ],
}

_FILTERS = {
    "slugify": slugify,
    "to_package_name": to_package_name,
    "to_app_id": to_app_id,
    "semver": semver,
    "file_safe_name": file_safe_name,
    "py_str": py_str,
    "project_name_error": project_name_error,
    "slug_error": slug_error,
    "package_name_error": package_name_error,
    "app_id_error": app_id_error,
    "email_error": email_error,
    "version_error": version_error,
    "github_repository_error": github_repository_error,
    "update_url_error": update_url_error,
    "shells_error": shells_error,
}


class DesktopDjangoFilters(Extension):
    """Registers the filters above for copier.yml and the template files."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(_FILTERS)
        environment.globals["requirements"] = REQUIREMENTS
