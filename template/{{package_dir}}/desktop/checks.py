"""System checks: templates that the app's Content-Security-Policy would silently break.

The CSP (``csp.py``) allows only the app's own files: no CDN scripts, styles or fonts, no inline
``<script>`` or ``style=``. Without this check such a page just looks unstyled or dead in the
window. Only the project's own templates are read (``TEMPLATES[*]['DIRS']`` and the template
folders of apps under ``BASE_DIR``), not those of installed libraries.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.checks import Tags, Warning, register

from . import csp

REMOTE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:url\()?["']?(?:https?:)?//""",
    re.IGNORECASE,
)
# <script> without src=, except data blocks such as json_script makes (type="application/json").
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']?[^\"'>]*json)[^>]*>", re.IGNORECASE
)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
SUFFIXES = (".html", ".htm", ".txt", ".xml")


def _allows_inline(directive: str) -> bool:
    for part in csp.policy().split(";"):
        words = part.split()
        if words and words[0] == directive:
            return "'unsafe-inline'" in words
    return False


def template_dirs() -> list[Path]:
    """The project's template folders (not those of installed libraries or this layer)."""
    base = getattr(settings, "BASE_DIR", None)
    folders = []
    for engine in settings.TEMPLATES:
        folders.extend(Path(folder) for folder in engine.get("DIRS", ()))
    if base is not None:
        base = Path(base).resolve()
        for config in apps.get_app_configs():
            path = Path(config.path).resolve()
            if config.label != "desktop_layer" and (path == base or base in path.parents):
                folders.append(path / "templates")
    return [folder for folder in dict.fromkeys(folders) if folder.is_dir()]


def problems_in(text: str) -> list[str]:
    found = []
    if REMOTE.search(text):
        found.append("loads a script, style, font or image from another site")
    inline_script = INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text)
    if inline_script and not _allows_inline("script-src"):
        found.append("has an inline <script> or on…= handler")
    if INLINE_STYLE.search(text) and not _allows_inline("style-src"):
        found.append("has an inline <style> or style= attribute")
    return found


@register(Tags.templates)
def check_templates_against_csp(app_configs=None, **kwargs):
    warnings = []
    for folder in template_dirs():
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for problem in problems_in(text):
                warnings.append(
                    Warning(
                        f"Template {path.relative_to(folder).as_posix()} {problem}; the app's "
                        "Content-Security-Policy blocks it, so the page would look broken.",
                        hint="Serve the file from your app's static/ folder and link it with the "
                        "static template tag (move inline code and styles there too), or widen "
                        "DESKTOP_CSP in settings.py if you really need it.",
                        obj=str(path),
                        id="desktop.W001",
                    )
                )
    return warnings
