"""Markdown bodies to HTML, one article at a time, with one Markdown instance per process.

The body is trusted newsroom text (raw HTML is allowed), but it is never a template.
"""

from __future__ import annotations

from pathlib import Path

from markdown import Markdown

from .assemble import media_url, resolve_content_file
from .errors import Problems, SourceRef
from .figures import FiguresExtension
from .model import Article
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


def render_body(article: Article, content_dir: Path, linker: Linker,
                problems: Problems) -> tuple[str, list[tuple[Path, str]]]:
    """Render one body; returns the HTML and the (source, url) of images it uses."""
    md = _instance()
    md.reset()
    used: list[tuple[Path, str]] = []

    def resolve(src: str) -> str:
        if "://" in src or src.startswith(("//", "data:", "#")) or not src:
            return src
        where = SourceRef(article.source.path, _line_of(article, src))
        path = resolve_content_file(src, article.source_path.parent, content_dir, where,
                                    problems)
        if path is None:
            return src
        url = media_url(path, content_dir)
        used.append((path, url))
        return linker.href(url, article.url)

    md.dateline_figures.resolve = resolve
    html = md.convert(article.body)
    return html, used


def _line_of(article: Article, src: str) -> int:
    for offset, line in enumerate(article.body.split("\n")):
        if src in line:
            return article.body_line + offset
    return article.body_line
