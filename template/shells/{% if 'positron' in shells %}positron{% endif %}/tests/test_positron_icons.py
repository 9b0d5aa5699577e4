"""scripts/make_icons.py renders the brand SVG into the icon files Briefcase packages."""

import sys
from pathlib import Path

import pytest

SHELL = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SHELL / "scripts"))
import make_icons  # noqa: E402


def test_icons_for_every_platform(tmp_path):
    Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed: pip install pillow")
    try:
        result = make_icons.make_icons(out=tmp_path)
    except SystemExit as exc:  # no rasterizer on this machine
        pytest.skip(str(exc))
    assert make_icons.BRAND_SVG.is_file()
    for size in make_icons.PNG_SIZES:
        with Image.open(tmp_path / f"app-{size}.png") as png:
            assert png.size == (size, size)
            assert len(png.convert("RGBA").getcolors(maxcolors=1 << 20) or []) > 1
    with Image.open(tmp_path / "app.ico") as ico:
        assert {(256, 256), (16, 16)} <= set(ico.info["sizes"])
    with Image.open(tmp_path / "app.icns") as icns:
        assert icns.size == (make_icons.ICNS_SIZE, make_icons.ICNS_SIZE)
    assert len(result["files"]) == len(make_icons.PNG_SIZES) + 2


def test_no_rasterizer_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(make_icons, "_RENDER", {name: _fails for name in make_icons.RENDERERS})
    with pytest.raises(SystemExit, match="No SVG rasterizer"):
        make_icons.pick_renderer(make_icons.BRAND_SVG)


def _fails(svg, size):
    raise ImportError("not installed")
