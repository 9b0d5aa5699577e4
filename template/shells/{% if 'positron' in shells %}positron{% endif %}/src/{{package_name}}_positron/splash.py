"""The page the window shows while Django starts (a fraction of a second on a warm start)."""

from __future__ import annotations

import html

# smoke.py tells the splash from the Django page in a screenshot by this colour, and in the
# document by this meta tag.
BACKGROUND = "#f0f9ff"
MARKER = "positron-splash"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="__MARKER__" content="1">
<title>Starting</title>
<style>
  html, body { height: 100%; margin: 0; }
  body {
    display: flex; align-items: center; justify-content: center;
    background: __BACKGROUND__; color: #0c4a6e;
    font: 16px system-ui, -apple-system, "Segoe UI", sans-serif;
  }
  p { opacity: 0.8; }
</style>
</head>
<body><p>Starting __NAME__&hellip;</p></body>
</html>
"""


def splash_html(name: str) -> str:
    page = _PAGE.replace("__BACKGROUND__", BACKGROUND).replace("__MARKER__", MARKER)
    return page.replace("__NAME__", html.escape(name))
