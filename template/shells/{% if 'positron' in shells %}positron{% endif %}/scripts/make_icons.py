"""The brand icon as the icons Briefcase packages: ``python shells/positron/scripts/make_icons.py``.

Reads ``assets/brand/icon.svg`` (the project's one brand source; square artwork) and writes, into
``shells/positron/icons/`` (a build output, not committed):

* ``app-16.png`` … ``app-512.png``: Linux (each size rendered from the vector, sharp when small);
* ``app.ico``: Windows (16–256 px);
* ``app.icns``: macOS (16–1024 px).

Rasterizer: ``resvg-py`` (PyPI wheels, no system library), else ``cairosvg`` (needs libcairo),
else the ``rsvg-convert`` program (apt install librsvg2-bin). Pillow writes .ico and .icns.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
from pathlib import Path

SHELL = Path(__file__).resolve().parent.parent  # shells/positron
BRAND_SVG = SHELL.parent.parent / "assets" / "brand" / "icon.svg"
OUT_DIR = SHELL / "icons"
PNG_SIZES = (16, 32, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZE = 1024
RENDERERS = ("resvg", "cairosvg", "rsvg-convert")


def _resvg(svg: Path, size: int) -> bytes:
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_path=str(svg), width=size, height=size))


def _cairosvg(svg: Path, size: int) -> bytes:
    import cairosvg

    return cairosvg.svg2png(url=str(svg), output_width=size, output_height=size)


def _rsvg_convert(svg: Path, size: int) -> bytes:
    program = shutil.which("rsvg-convert")
    if program is None:
        raise FileNotFoundError("rsvg-convert")
    command = [program, "--width", str(size), "--height", str(size), str(svg)]
    return subprocess.run(command, check=True, capture_output=True).stdout


_RENDER = {"resvg": _resvg, "cairosvg": _cairosvg, "rsvg-convert": _rsvg_convert}


def pick_renderer(svg: Path, preferred: str | None = None):
    """The first rasterizer that renders ``svg`` here (or ``preferred``); exits if none."""
    for name in [preferred] if preferred else RENDERERS:
        render = _RENDER[name]
        try:
            render(svg, 16)
        except (ImportError, OSError, ValueError, subprocess.CalledProcessError):
            continue
        return name, render
    raise SystemExit(
        "No SVG rasterizer works here: pip install resvg-py (or cairosvg, which needs "
        "libcairo), or apt install librsvg2-bin for rsvg-convert."
    )


def make_icons(svg: Path = BRAND_SVG, out: Path = OUT_DIR, renderer: str | None = None) -> dict:
    from PIL import Image

    if not svg.is_file():
        raise SystemExit(f"The brand icon {svg} does not exist.")
    name, render = pick_renderer(svg, renderer)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = out / f"app-{size}.png"
        path.write_bytes(render(svg, size))
        written.append(path)
    with Image.open(io.BytesIO(render(svg, ICNS_SIZE))) as big:
        big = big.convert("RGBA")
        big.save(out / "app.ico", sizes=[(s, s) for s in ICO_SIZES])
        big.save(out / "app.icns")
    written += [out / "app.ico", out / "app.icns"]
    return {"renderer": name, "files": [str(p) for p in written]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=BRAND_SVG, help="square SVG source")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    parser.add_argument("--renderer", choices=RENDERERS, help="force one rasterizer")
    options = parser.parse_args(argv)
    result = make_icons(options.svg, options.out, options.renderer)
    print(f"{len(result['files'])} icons in {options.out} (rendered with {result['renderer']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
