"""The URLs written in article bodies: only safe schemes, root-relative links that honour
base_url and mirror mode, and links to other articles' Markdown files.

A wire story pasted into the newsroom's editor must not carry script: every URL of the
body (Markdown links and images, and the raw HTML among them) is read the way a browser
reads it (character references decoded, tabs and newlines dropped, leading controls
stripped) and must be relative or use http, https, mailto or tel.

An author writes `/en/politics/vote/` meaning the site's own page: it is rewritten to
honour base_url's path (`/newsroom/en/politics/vote/`) and, in mirror mode, made
relative to the page. A link to an article's Markdown file (`../politics/vote.md`, or
`/en/politics/vote.md` from the content folder) becomes that article's URL; only the
assembled site knows it (a slug may come from front matter, a section from the
original), so the body holds a numbered placeholder that `crosslinks` fills in.
"""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..crosslinks import Link
from ..errors import Problems, SourceRef
from ..htmlrewrite import TagRewriter
from ..placeholders import placeholder
from ..urls import Linker

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "poster", "action", "formaction",
                            "cite", "data", "background", "xlink:href", "ping"})
"""Attributes whose value a browser loads, follows or submits to."""

# After the inline patterns (20) made links and images, before the photos (15).
_PRIORITY = 17
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_STRIPPED = "".join(chr(code) for code in range(0x21))  # C0 controls and space
_DROPPED = re.compile("[\t\n\r]")


def scheme_of(value: str) -> str | None:
    """The scheme a browser would see in an attribute value as written, lower-cased;
    None for a relative URL. (`&#106;avascript:`, ` java\tscript:` are `javascript`.)"""
    text = _DROPPED.sub("", html.unescape(value).strip(_STRIPPED))
    found = _SCHEME.match(text)
    return found.group(1).lower() if found else None


def unsafe_scheme(value: str) -> str | None:
    """The scheme of `value` when it is not one a body may use."""
    scheme = scheme_of(value)
    return scheme if scheme is not None and scheme not in SAFE_SCHEMES else None


@dataclass
class BodyContext:
    """What the processor needs to know about the body being rendered."""

    path: Path
    ref: str
    body: str
    body_line: int
    content_dir: Path
    linker: Linker
    page_url: str
    problems: Problems
    links: list[Link] = field(default_factory=list)
    """Links to other articles' Markdown files, in placeholder order."""

    def line_of(self, written: str) -> int:
        for offset, line in enumerate(self.body.split("\n")):
            if written in line:
                return self.body_line + offset
        return self.body_line


class BodyUrls(Treeprocessor):
    def __init__(self, md: Markdown):
        super().__init__(md)
        self.context: BodyContext | None = None

    def run(self, root: etree.Element) -> None:
        context = self.context
        if context is None:
            return
        for element in root.iter():
            for name, value in list(element.attrib.items()):
                if name.lower() not in URL_ATTRIBUTES:
                    continue
                if _reported_unsafe(value, name, element.tag, context):
                    del element.attrib[name]  # nothing else looks at it
                    continue
                if element.tag == "a" and name == "href":
                    element.set("href", _rewrite(value, context))
        blocks = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(blocks):
            if isinstance(block, str) and "=" in block:
                blocks[index] = _raw_html(block, context)


def _reported_unsafe(value: str, name: str, tag: str, context: BodyContext) -> bool:
    """Whether the value (each candidate of a `srcset`) uses a scheme a body may not
    use; if so, it is reported at its line."""
    values = [c.strip().split(" ")[0] for c in value.split(",")] if name == "srcset" \
        else [value]
    for one in values:
        if (scheme := unsafe_scheme(one)) is not None:
            written = html.unescape(one).strip()
            context.problems.error(
                SourceRef(context.ref, context.line_of(one if one in context.body
                                                       else written)),
                f"<{tag} {name}=\"{written[:60]}\">: '{scheme}:' URLs are not allowed in "
                "articles (only http, https, mailto, tel and relative ones); remove the "
                "link or use the page's https:// address")
            return True
    return False


def _rewrite(value: str, context: BodyContext) -> str:
    """The href to publish for an author's link (a placeholder for one to an article)."""
    text = html.unescape(value).strip()
    if not text or text.startswith(("#", "//")) or scheme_of(text) is not None:
        return value
    parts = urlsplit(text)
    path = unquote(parts.path)
    if path.lower().endswith(".md"):
        return _article_link(value, path, parts.fragment, context)
    if not path.startswith("/"):
        return value  # relative to the page: right in every mode
    href = context.linker.href(path.lstrip("/"), context.page_url)
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return href + query + fragment


def _article_link(value: str, path: str, fragment: str, context: BodyContext) -> str:
    content = str(context.content_dir)
    base = content if path.startswith("/") else os.path.dirname(context.path)
    target = os.path.normpath(os.path.join(base, path.lstrip("/")))
    line = context.line_of(value)
    if not target.startswith(content + os.sep):
        context.problems.error(SourceRef(context.ref, line), f"link '{value}' leads outside "
                               "the content folder; link to an article's Markdown file "
                               "under content/")
        return value
    context.links.append((target, fragment, line, value))
    return placeholder(len(context.links) - 1)


def _raw_html(block: str, context: BodyContext) -> str:
    """A block of the author's own HTML, checked and with its links rewritten like
    Markdown's; only a start tag whose URL changed is written anew."""
    rewriter = _RawRewriter(context)
    try:
        rewriter.feed(block)
        rewriter.close()
    except AssertionError:  # html.parser gives up on some malformed markup: keep it
        return block
    return "".join(rewriter.out)


class _RawRewriter(TagRewriter):
    def __init__(self, context: BodyContext) -> None:
        super().__init__()
        self.context = context

    def rewrite_tag(self, tag: str, attrs: list[tuple[str, str | None]],
                    closing: bool) -> None:
        raw = self.get_starttag_text() or ""
        kept, changed = [], False
        for name, value in attrs:
            if value is not None and name in URL_ATTRIBUTES:
                # html.parser decoded the character references, and `unsafe_scheme`
                # decodes too: escaped again (`&amp;#106;` is no `j` to a browser).
                if _reported_unsafe(html.escape(value, quote=False), name, tag,
                                    self.context):
                    changed = True
                    continue
                if tag == "a" and name == "href":
                    new = _rewrite(html.escape(value, quote=False), self.context)
                    if new != html.escape(value, quote=False):
                        value, changed = html.unescape(new), True
            kept.append((name, value))
        if not changed:
            self.out.append(raw)
            return
        parts = [tag] + [name if value is None else f'{name}="{html.escape(value)}"'
                         for name, value in kept]
        self.out.append("<" + " ".join(parts) + (" />" if closing else ">"))


class BodyUrlsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API)
        processor = BodyUrls(md)
        md.treeprocessors.register(processor, "dateline_urls", _PRIORITY)
        md.dateline_urls = processor  # the caller sets the body's context
        md.registerExtension(self)

    def reset(self) -> None:
        pass

