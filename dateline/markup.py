"""Markdown bodies to HTML, one article at a time, with one Markdown instance per process.

The body is trusted newsroom text (raw HTML is allowed), but it is never a template.
"""

from __future__ import annotations

from pathlib import Path

from markdown import Markdown

from .assemble import media_url, resolve_content_file
from .errors import Problems, SourceRef
from .figures import FiguresExtension
from .read import Document
from .urls import Linker

EXTENSIONS = ("extra", "sane_lists")
"""Python-Markdown extensions every body is rendered with (part of the cache key)."""

_markdown: Markdown | None = None


def _instance() -> Markdown:
    global _markdown  # one per process: building a Markdown object costs more than a body
    if _markdown is None:
        _markdown = Markdown(extensions=[*EXTENSIONS, FiguresExtension()],
                             output_format="html")
    return _markdown


def render_markdown(doc: Document, content_dir: Path, linker: Linker,
                    problems: Problems) -> tuple[str, list[tuple[Path, str]]]:
    """Render one document's body; returns the HTML and the (source, url) of its images.

    Links are made from the article's own page, whose URL always has the shape
    `<lang>/<section>/<slug>/`: the depth, all that relative links depend on, is known
    before front matter is interpreted, so bodies can be rendered (and cached) per file.
    """
    md = _instance()
    md.reset()
    used: list[tuple[Path, str]] = []
    page_url = f"{doc.parts[0]}/_/_/"

    def resolve(src: str) -> str:
        if "://" in src or src.startswith(("//", "data:", "#")) or not src:
            return src
        where = SourceRef(doc.ref, _line_of(doc, src))
        path = resolve_content_file(src, doc.path.parent, content_dir, where, problems)
        if path is None:
            return src
        url = media_url(path, content_dir)
        used.append((path, url))
        return linker.href(url, page_url)

    md.dateline_figures.resolve = resolve
    return md.convert(doc.body), used


def _line_of(doc: Document, src: str) -> int:
    for offset, line in enumerate(doc.body.split("\n")):
        if src in line:
            return doc.body_line + offset
    return doc.body_line
