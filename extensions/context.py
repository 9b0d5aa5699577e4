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


def _message(first: str, detail: str = "") -> str:
    """Copier's prompt shows the first line at the terminal's width: the problem and the fix in
    at most 100 characters (no echo of the answer, which may be long); details after."""
    return f"{first}\n{detail}" if detail else first


def project_name_error(value: str) -> str:
    if not str(value).strip():
        return "The project name is empty: type the name people will see, e.g. 'Field Notes'."
    if not ascii_words(value):
        return _message(
            "The project name has no letters or digits that fit a file name: add some.",
            "E.g. 'Notes 2' instead of '✓✓'.",
        )
    return ""


def slug_error(value: str) -> str:
    if not _SLUG.match(str(value)):
        return _message(
            "Not a valid slug: use lower-case letters, digits and hyphens, starting with a letter.",
            f"Got {str(value)!r}; e.g. 'field-notes' (ASCII only).",
        )
    if str(value).endswith("-") or "--" in str(value):
        return _message(
            "The slug has a trailing or doubled hyphen: use single hyphens between words.",
            f"Got {str(value)!r}.",
        )
    return ""


def package_name_error(value: str) -> str:
    name = str(value)
    if not name.isidentifier() or not name.isascii():
        return _message(
            "Not a Python identifier: use lower-case letters, digits and underscores, "
            "e.g. 'notes'.",
            f"Got {name!r}; ASCII only, starting with a letter (e.g. 'field_notes').",
        )
    if name != name.lower():
        return _message(
            "The package name has capitals: Python package names are lower case.",
            f"Got {name!r}; e.g. {name.lower()!r}.",
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return _message(
            "The package name is a Python keyword: pick another name.",
            f"Got {name!r}; e.g. '{name}_app'.",
        )
    if _shadows(name):
        return _message(
            "The package name would shadow a module Python or Django needs: pick another name.",
            f"Got {name!r}, the name of a module the generated project imports; e.g. '{name}_app'.",
        )
    return ""


def app_id_error(value: str) -> str:
    parts = str(value).split(".")
    if len(parts) < 3 or not all(_APP_ID_PART.match(p) for p in parts):
        return _message(
            "Not a reverse-DNS app id: use three or more dot-separated parts, "
            "e.g. 'com.example.notes'.",
            f"Got {str(value)!r}; each part: ASCII letters, digits and hyphens, starting with a "
            "letter.",
        )
    if parts[-1].lower() == "app":
        # Tauri and macOS treat a trailing ".app" as the bundle extension.
        return _message(
            "The app id ends with '.app', which macOS takes for a bundle: rename the last part.",
            f"Got {str(value)!r}.",
        )
    return ""


def email_error(value: str) -> str:
    if not _EMAIL.match(str(value)):
        return _message(
            "Not an e-mail address: use the form name@example.org.", f"Got {str(value)!r}."
        )
    return ""


def version_error(value: str) -> str:
    text = str(value)
    if not _PEP440.match(text) or text.lower().startswith("v"):
        return _message(
            "Not a PEP 440 version: use numbers like 0.1.0, 1.2.0rc1 or 2.0.0.dev1 "
            "(no leading 'v').",
            f"Got {text!r}.",
        )
    if not _SEMVER_CORE.match(text):
        return _message(
            "The version needs three numeric parts (major.minor.patch): write e.g. '1.0.0'.",
            f"Got {text!r}; installers and update feeds need all three.",
        )
    return ""


def github_repository_error(value: str) -> str:
    if not _GITHUB_REPO.match(str(value)) or str(value).split("/")[1] in {".", ".."}:
        return _message(
            "Not a GitHub repository: write it as owner/name, e.g. 'acme/field-notes'.",
            f"Got {str(value)!r}; without https://github.com/.",
        )
    return ""


def update_url_error(value: str) -> str:
    text = str(value)
    match = re.match(r"^https://([A-Za-z0-9.-]+)(?::[0-9]{1,5})?(/[^\s?#]*)?$", text)
    if not match:
        return _message(
            "Not an https URL with no query or fragment: e.g. https://downloads.example.org/app/.",
            f"Got {text!r}; updates must come over https.",
        )
    if "." not in match.group(1) or match.group(1).startswith(".") or match.group(1).endswith("."):
        return _message(
            "The update URL has no valid host name: use the full name of your download server.",
            f"Got {text!r}.",
        )
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
