"""Rewrite the links of an HTML fragment to absolute URLs, for feeds.

Article bodies link to images and pages with root-relative (or, in mirror mode,
page-relative) URLs. Feed readers show the body away from the site, and many ignore
`xml:base`, so feeds carry the body with every link made absolute. Only the URL
attributes of start tags change; everything else is copied through as written.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin

_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite", "action", "data"})


def absolute_links(html: str, base: str) -> str:
    """`html` with href/src/srcset/… resolved against the absolute URL `base`."""
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


class _Rewriter(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=False)
        self.base = base
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], closing: bool) -> None:
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

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs, closing=False)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs, closing=True)

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")
