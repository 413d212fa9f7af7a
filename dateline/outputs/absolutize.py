"""Rewrite the links of an HTML fragment to absolute URLs, for feeds.

Article bodies link to images and pages with root-relative (or, in mirror mode,
page-relative) URLs. Feed readers show the body away from the site, and many ignore
`xml:base`, so feeds carry the body with every link made absolute. Only the URL
attributes of start tags change; everything else is copied through as written.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from urllib.parse import urljoin

from ..htmlrewrite import TagRewriter

_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite", "action", "data"})


@lru_cache(maxsize=512)
def absolute_links(html: str, base: str) -> str:
    """`html` with href/src/srcset/… resolved against the absolute URL `base`.

    Remembered: a story is in its language's, section's, topics' and authors' feeds, and
    feeds are written newest stories first, so the same body comes back several times
    in a row (parsing it is most of what a feed costs)."""
    rewriter = _Rewriter(base)
    rewriter.feed(html)
    rewriter.close()
    return "".join(rewriter.out)


def _resolve(value: str, base: str) -> str:
    value = value.strip()
    if not value or value.startswith(("#", "mailto:", "tel:", "data:", "javascript:")):
        return value
    return urljoin(base, value)


def _resolve_srcset(value: str, base: str) -> str:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            parts[0] = _resolve(parts[0], base)
            candidates.append(" ".join(parts))
    return ", ".join(candidates)


class _Rewriter(TagRewriter):
    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def rewrite_tag(self, tag: str, attrs: list[tuple[str, str | None]],
                    closing: bool) -> None:
        raw = self.get_starttag_text() or ""
        if not any(name in _URL_ATTRIBUTES or name == "srcset" for name, _ in attrs):
            self.out.append(raw)
            return
        parts = [tag]
        for name, value in attrs:
            if value is None:
                parts.append(name)
                continue
            if name in _URL_ATTRIBUTES:
                value = _resolve(value, self.base)
            elif name == "srcset":
                value = _resolve_srcset(value, self.base)
            parts.append(f'{name}="{escape(value, quote=True)}"')
        self.out.append("<" + " ".join(parts) + (" />" if closing else ">"))
