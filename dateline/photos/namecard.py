"""Images drawn with Pillow rather than taken from a photo: the share card with the
outlet's name (what a page without a photo of its own shows when shared, unless
`[site] image` is set) and a favicon.ico made from a PNG logo.

The card uses the font Pillow ships (`ImageFont.load_default`), never a system font:
the same name gives the same bytes on every machine. That font covers Latin script;
an outlet whose name is in another script sets `[site] image` instead.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

CARD_SIZE = (1200, 630)
CARD_VERSION = 1
"""Bump when the drawing below changes: the card's published name carries it."""
_PAPER, _INK, _ACCENT = "#f4f1ea", "#1a1a1a", "#b3121b"  # the theme's style.css colours
_MARGIN = 96
ICO_SIZES = ((16, 16), (32, 32), (48, 48))


def card_digest(title: str) -> str:
    """What names the card of `title`: it changes with the title and the drawing."""
    text = repr((CARD_VERSION, title, CARD_SIZE))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def render_name_card(title: str) -> bytes:
    """A 1200×630 PNG: the outlet's name on the theme's newsprint, with its red dot."""
    from PIL import Image, ImageDraw

    width, height = CARD_SIZE
    image = Image.new("RGB", CARD_SIZE, _PAPER)
    draw = ImageDraw.Draw(image)
    font, lines = _fit(draw, " ".join(title.split()) or "News", width - 2 * _MARGIN)
    draw.multiline_text((width // 2, height // 2), "\n".join(lines), font=font, fill=_INK,
                        anchor="mm", align="center", spacing=font.size // 4)
    dot = 36
    draw.ellipse((_MARGIN - dot // 2, _MARGIN - dot // 2, _MARGIN + dot // 2,
                  _MARGIN + dot // 2), fill=_ACCENT)
    draw.rectangle((0, height - 24, width, height), fill=_ACCENT)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _fit(draw, text: str, room: int):
    """The largest font (from 112 px down) at which `text` fits `room` in three lines."""
    from PIL import ImageFont

    for size in range(112, 23, -8):
        font = ImageFont.load_default(size=size)
        lines = _wrap(draw, text, font, room)
        if len(lines) <= 3 and all(draw.textlength(line, font=font) <= room for line in lines):
            return font, lines
    return font, lines[:3]


def _wrap(draw, text: str, font, room: int) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= room:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def ico_from_png(path: Path) -> bytes:
    """A favicon.ico (16, 32 and 48 px) of a PNG logo, centred on a transparent square."""
    from PIL import Image

    with Image.open(path) as logo:
        logo = logo.convert("RGBA")
    side = max(logo.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(logo, ((side - logo.width) // 2, (side - logo.height) // 2))
    buffer = io.BytesIO()
    square.save(buffer, "ICO", sizes=list(ICO_SIZES))
    return buffer.getvalue()
