"""The issuer's seal (发证机关印章) printed over 发证机关 and 发证日期 on the electronic certificate.

A province configures its real electronic seal as an image file (CERT_SEAL_IMAGE: a PNG with a
transparent background, as the seal authority issues it). Without one, the project draws its own
demo seal: a red round seal with a star, ISSUING_AUTHORITY around the upper arc, 电子证照专用章
across the middle and 演示样章 on the lower arc, so that nobody takes a demo certificate for a real one.
"""
import functools
import math
import os

from flask import current_app
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from app.documents.fonts import cjk_font
from app.storage import sniff

SIZE = 600  # pixels across; printed 40 mm wide, about 380 dpi
RED = (205, 22, 30)
INK_ALPHA = 205  # the text under the seal shows through its strokes a little, as under real ink
DEMO_MARK = "演示样章"
PURPOSE = "电子证照专用章"
CONDENSED = 0.8  # width of a character against its height


def seal_image():
    """(bytes, mime type) of the seal to print: the configured file, else the demo seal."""
    configured = current_app.config.get("CERT_SEAL_IMAGE")
    if configured:
        return _configured(configured)
    return demo_seal(current_app.config["ISSUING_AUTHORITY"], cjk_font().path), "image/png"


def _configured(path):
    # A certificate must not go out with a stand-in for the seal the province set: fail loudly.
    try:
        with open(path, "rb") as image:
            data = image.read()
    except OSError as e:
        raise RuntimeError(f"CERT_SEAL_IMAGE {path} cannot be read: {e}") from e
    mime, _ = sniff(data[:16])
    if mime not in ("image/png", "image/jpeg"):
        raise RuntimeError(f"CERT_SEAL_IMAGE {path} is not a PNG or JPEG image")
    return data, mime


@functools.lru_cache(maxsize=8)
def demo_seal(authority, font_path):
    """The demo seal of `authority` as PNG bytes (transparent outside the ink)."""
    import io

    # Drawn opaque on a mask, then coloured: overlapping strokes do not darken each other.
    mask = Image.new("L", (SIZE, SIZE), 0)
    draw = ImageDraw.Draw(mask)
    c = SIZE / 2
    ring = SIZE * 0.04
    draw.ellipse((ring / 2, ring / 2, SIZE - ring / 2, SIZE - ring / 2), outline=255, width=round(ring))
    _star(draw, c, c - SIZE * 0.01, SIZE * 0.165)
    font = _font(font_path, SIZE * 0.12)
    _arc_text(mask, authority, font, c, radius=SIZE * 0.36, span=min(225.0, 22.0 * len(authority)))
    _arc_text(mask, DEMO_MARK, _font(font_path, SIZE * 0.06), c, radius=SIZE * 0.39, span=36.0, lower=True)
    _centred(mask, PURPOSE, _font(font_path, SIZE * 0.075), c, c + SIZE * 0.215)
    image = Image.new("RGBA", (SIZE, SIZE), RED + (0,))
    image.putalpha(mask.point(lambda v: v * INK_ALPHA // 255))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _font(path, size):
    if path and os.path.isfile(path):
        return ImageFont.truetype(path, round(size))
    return ImageFont.load_default(size=round(size))


def _star(draw, cx, cy, radius):
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = math.radians(-90 + 36 * i)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=255)


def _glyphs(text, font):
    """Each character drawn alone and condensed (narrower than high), as seal engravers cut them."""
    size = round(font.size * 1.4)
    for char in text:
        glyph = Image.new("L", (size, size), 0)
        ImageDraw.Draw(glyph).text((size / 2, size / 2), char, font=font, fill=255, anchor="mm")
        glyph = glyph.filter(ImageFilter.MaxFilter(3))  # heavier strokes than the screen font's
        narrow = glyph.resize((round(size * CONDENSED), size), Image.LANCZOS)
        square = Image.new("L", (size, size), 0)
        square.paste(narrow, ((size - narrow.width) // 2, 0))
        yield square


def _centred(mask, text, font, cx, cy):
    glyphs = list(_glyphs(text, font))
    advance = font.size * CONDENSED
    for i, glyph in enumerate(glyphs):
        x = cx + (i - (len(glyphs) - 1) / 2) * advance
        mask.paste(255, (round(x - glyph.width / 2), round(cy - glyph.height / 2)), glyph)


def _arc_text(mask, text, font, centre, radius, span, lower=False):
    """Each character upright towards the rim, spread evenly over `span` degrees of the upper arc
    (read left to right), or of the lower arc (read left to right, bottoms towards the rim)."""
    count = len(text)
    step = span / (count - 1) if count > 1 else 0.0
    for i, glyph in enumerate(_glyphs(text, font)):
        offset = -span / 2 + step * i if count > 1 else 0.0  # degrees from 12 (or 6) o'clock, + to the right
        angle = math.radians(offset)
        if lower:
            x, y = centre + radius * math.sin(angle), centre + radius * math.cos(angle)
            rotation = offset
        else:
            x, y = centre + radius * math.sin(angle), centre - radius * math.cos(angle)
            rotation = -offset
        glyph = glyph.rotate(rotation, resample=Image.BICUBIC)
        mask.paste(255, (round(x - glyph.width / 2), round(y - glyph.height / 2)), glyph)
