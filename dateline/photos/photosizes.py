"""`sizes` attributes from a layout's widths, so browsers fetch the smallest sharp
rendition of a photo.

A layout is a list of tiers, widest viewport first: `(min_width_em, vw, rem)` says that
from that viewport width up (0 for the last tier: any width) the photo is shown
`vw`% of the viewport plus `rem` wide. Only `calc()` is written, never `min()` or
`clamp()`: browsers take those in `sizes`, but HTML validators do not yet.

A photo whose height the theme caps at the viewport's (`max-block-size: 100svh`) is
narrower than its tier on a short screen: given the photo's width and height, each tier
is preceded by the media condition under which the cap is the narrower, with the
capped width (its aspect ratio × 100vh).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from markupsafe import Markup, escape

Tier = Sequence[float]


def photo_sizes(tiers: Sequence[Tier], width: int | None = None,
                height: int | None = None) -> str:
    """The `sizes` attribute for `tiers`, capped at the viewport's height when the
    photo's `width` and `height` are given."""
    # A pure function of its values, asked for the same few layouts on thousands of
    # cards and pages: made once per layout and photo shape.
    return _sizes(tuple(map(tuple, tiers)), width, height)


@functools.lru_cache(maxsize=4096)
def _sizes(tiers: tuple[Tier, ...], width: int | None, height: int | None) -> str:
    ratio = width / height if width and height else None
    entries = []
    for min_em, vw, rem in tiers:
        condition = f"(min-width: {_number(min_em)}em)" if min_em else ""
        if ratio is not None:
            capped = " and ".join(filter(None, (condition, _cap_condition(vw, rem, ratio))))
            entries.append(f"{capped} {_number(100 * ratio)}vh")
        entries.append(" ".join(filter(None, (condition, _length(vw, rem)))))
    return ", ".join(entries)


def _cap_condition(vw: float, rem: float, ratio: float) -> str:
    """When `ratio` × 100vh is narrower than the tier's width."""
    if not vw:
        return f"(max-height: {_number(rem / ratio)}em)"
    # vw% of the width against ratio × the height: an aspect-ratio condition (the tier's
    # rem, a gutter of a few percent, is left out: the cap then applies a little early,
    # which asks for at most that much more than is shown).
    return f"(min-aspect-ratio: {round(100_000 * ratio / vw)}/1000)"


def _length(vw: float, rem: float) -> str:
    if not vw:
        return f"{_number(rem)}rem"
    if not rem:
        return f"{_number(vw)}vw"
    sign = "+" if rem > 0 else "-"
    return f"calc({_number(vw)}vw {sign} {_number(abs(rem))}rem)"


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def srcset(renditions, link) -> Markup:
    """A `srcset` attribute's value: each rendition's link (`link`, the page's) and its
    width. What partials/picture.html's `srcset` macro prints, made in Python: photos
    are on thousands of cards and pages, and a macro call costs more than the photo."""
    return Markup(", ".join(f"{escape(link(r.url))} {escape(r.width)}w" for r in renditions))
