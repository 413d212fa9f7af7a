"""The placeholders a body's links to other articles are rendered as (`crosslinks`), and
`fill`, which puts each one's href in whenever the body is shown (`Article.body_html`)."""

from __future__ import annotations

import re
from html import escape

MARK = "\ufffe"
"""Delimits placeholders: no source can contain it (`read` refuses noncharacters)."""

_PLACEHOLDER = re.compile(f' href="{MARK}(\\d+){MARK}"')


def placeholder(index: int) -> str:
    return f"{MARK}{index}{MARK}"


def fill(html: str, hrefs: tuple[str, ...]) -> str:
    """The body with each placeholder's href put in; where the href is empty (the
    article is held back), the `<a>` keeps its text and loses its href."""
    if MARK not in html:
        return html

    def one(found: re.Match) -> str:
        index = int(found.group(1))
        href = hrefs[index] if index < len(hrefs) else ""
        return f' href="{escape(href, quote=True)}"' if href else ""

    return _PLACEHOLDER.sub(one, html)
