"""Draw the Teams app icons: a white shield with a tick, on deep teal (colour) or alone (outline).

    python -m scripts.make_icons            # writes appPackage/color.png and appPackage/outline.png

Teams wants a 192x192 full-colour icon and a 32x32 outline icon that is white on a transparent
background. Both are drawn from one shape, four times larger than needed and then scaled down, so
the edges are smooth. The outline icon's pixels are all pure white; only their alpha varies, which
is what Teams requires. Pillow is a development tool only (requirements-dev.txt); the PNGs are
committed, so packaging and running the bot never need it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGE = REPO_ROOT / "appPackage"

TEAL = (11, 92, 99)  # #0B5C63, the manifest's accentColor
WHITE = (255, 255, 255)
SUPERSAMPLE = 4

Point = tuple[float, float]


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 24) -> list[Point]:
    """Points along a cubic Bézier curve, excluding its start."""
    points: list[Point] = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
        y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
        points.append((x, y))
    return points


def shield_outline() -> list[Point]:
    """The shield in a unit box (0..1 both ways): a gently peaked top, straight sides, a point."""
    left: list[Point] = [(0.0, 0.16)]
    left += _cubic((0.0, 0.16), (0.2, 0.14), (0.38, 0.08), (0.5, 0.0))
    right = [(1 - x, y) for x, y in reversed(left[:-1])]
    top = left + right  # from the left shoulder, over the peak, to the right shoulder
    side_and_point = [(1.0, 0.5)]
    side_and_point += _cubic((1.0, 0.5), (1.0, 0.76), (0.78, 0.91), (0.5, 1.0))
    back_up = [(1 - x, y) for x, y in reversed(side_and_point[:-1])]
    return top + side_and_point + back_up


TICK: tuple[Point, ...] = ((0.27, 0.52), (0.44, 0.69), (0.75, 0.35))
TICK_WIDTH = 0.10


def shield_mask(size: int, box: tuple[float, float, float, float]) -> Image.Image:
    """An 8-bit mask of `size` square: the shield filled (255) with the tick cut out (0).

    `box` is (left, top, width, height) of the shield, as fractions of `size`.
    """
    big = size * SUPERSAMPLE
    left, top, width, height = (v * big for v in box)

    def place(point: Point) -> Point:
        return (left + point[0] * width, top + point[1] * height)

    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    draw.polygon([place(p) for p in shield_outline()], fill=255)
    stroke = TICK_WIDTH * width
    tick = [place(p) for p in TICK]
    draw.line(tick, fill=0, width=round(stroke), joint="curve")
    for x, y in (tick[0], tick[-1]):
        r = stroke / 2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return mask.reduce(SUPERSAMPLE)


def color_icon() -> Image.Image:
    """192x192, full colour: the white shield on a deep teal square; the tick shows the teal."""
    mask = shield_mask(192, (0.23, 0.19, 0.54, 0.62))
    image = Image.new("RGB", (192, 192), TEAL)
    image.paste(Image.new("RGB", (192, 192), WHITE), (0, 0), mask)
    return image


def outline_icon() -> Image.Image:
    """32x32, transparent: every pixel is white, the shape is carried by alpha alone."""
    mask = shield_mask(32, (0.14, 0.06, 0.72, 0.88))
    image = Image.new("RGBA", (32, 32), (*WHITE, 0))
    image.putalpha(mask)
    return image


def write_icons(out_dir: Path) -> list[Path]:
    """Write color.png and outline.png into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, image in (("color.png", color_icon()), ("outline.png", outline_icon())):
        path = out_dir / name
        image.save(path, format="PNG", optimize=True)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=APP_PACKAGE,
        help="where to write the icons (default: appPackage/)",
    )
    args = parser.parse_args(argv)
    for path in write_icons(args.out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
