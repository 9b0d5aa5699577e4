"""Derived names and conversions in extensions/context.py."""

from __future__ import annotations

import pytest

from context import file_safe_name, semver, slugify, to_package_name


@pytest.mark.parametrize(
    ("pep440", "expected"),
    [
        ("0.1.0", "0.1.0"),
        ("1.2.0rc1", "1.2.0-rc1"),
        ("1.2.0.dev3", "1.2.0-dev3"),
        ("1.2.0a2", "1.2.0-a2"),
        ("1.2.0-beta.1", "1.2.0-beta.1"),
        ("1.2.0.post1", "1.2.0+post1"),
        ("1.2.0.4", "1.2.0+4"),
    ],
)
def test_semver(pep440, expected):
    assert semver(pep440) == expected


def test_file_safe_name():
    assert file_safe_name('Notes: "A/B" <Pro>?') == "Notes AB Pro"
    assert file_safe_name("Café  Notes") == "Café Notes"


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("Café Notes", "cafe-notes", "cafe_notes"),
        ("Ünïcödé  Ñame!", "unicode-name", "unicode_name"),
        ("2048", "app-2048", "app_2048"),
        ("JSON", "json", "json_app"),
        ("Import", "import", "import_app"),
    ],
)
def test_derived_names(name, slug, package):
    assert slugify(name) == slug
    assert to_package_name(slugify(name)) == package
