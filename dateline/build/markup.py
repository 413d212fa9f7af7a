"""Markdown bodies to HTML, one article at a time, with one Markdown instance per process.

The body is trusted newsroom text (raw HTML is allowed), but it is never a template.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from markdown import Markdown

from ..bodies import MARKDOWN_EXTENSIONS
from ..crosslinks import Link
from ..errors import Problems, SourceRef
from ..photos.photos import PhotoError, Picture
from ..read import Document
from ..urls import Linker
from .bodyurls import BodyContext, BodyUrlsExtension
from .contentfiles import media_url, resolve_content_file
from .figures import FiguresExtension, picture_element

if TYPE_CHECKING:
    from .renditions import PhotoLibrary

EXTENSIONS = MARKDOWN_EXTENSIONS

_markdown: Markdown | None = None


def _instance() -> Markdown:
    global _markdown  # one per process: building a Markdown object costs more than a body
    if _markdown is None:
        _markdown = Markdown(extensions=[*_extensions(EXTENSIONS), BodyUrlsExtension(),
                                         FiguresExtension()], output_format="html")
    return _markdown


def _extensions(names: tuple[str, ...]) -> list:
    """Instances of Python-Markdown's own extensions, in the order `extra` registers its
    members. Given names, Markdown first looks each one up among every installed
    package's entry points, which costs more than rendering a dozen bodies."""
    from importlib import import_module

    from markdown.extensions import extra

    instances = []
    with _pygments_hidden():
        for name in names:
            for member in (extra.extensions if name == "extra" else (name,)):
                module = import_module(f"markdown.extensions.{member}")
                instances.append(module.makeExtension())
    return instances


@contextlib.contextmanager
def _pygments_hidden():
    """`fenced_code` imports `codehilite`, which imports Pygments when it is installed
    (~20 ms at every start, with importlib.metadata behind it). Nothing is highlighted
    unless the codehilite extension is enabled, and Dateline never enables it: that one
    import is made to find no Pygments, which changes no output."""
    if "markdown.extensions.codehilite" in sys.modules or "pygments" in sys.modules:
        yield
        return
    sys.modules["pygments"] = None  # type: ignore[assignment]  # import finds nothing
    try:
        yield
    finally:
        if sys.modules.get("pygments", "") is None:
            del sys.modules["pygments"]


BODY_SIZES = ((45.66, 0, 42), (25, 92, 0), (0, 100, -2))
"""Widths of photos in article bodies (`photosizes` tiers): the default theme's text
column, 42rem at most, else the screen less its gutters (`clamp(1rem, 4vw, 2rem)`)."""


def render_markdown(doc: Document, content_dir: Path, linker: Linker, problems: Problems,
                    photos: PhotoLibrary | None = None) -> tuple[str, list[BodyImage]]:
    """Render one document's body; returns the HTML and the images it uses."""
    html, used, _links = render_body(doc, content_dir, linker, problems, photos)
    return html, used


def render_body(doc: Document, content_dir: Path, linker: Linker, problems: Problems,
                photos: PhotoLibrary | None = None
                ) -> tuple[str, list[BodyImage], tuple[Link, ...]]:
    """Render one document's body; returns the HTML, the images it uses and its links
    to other articles (placeholders in the HTML, see `crosslinks`).

    Links are made from the article's own page, whose URL always has the shape
    `<lang>/<section>/<slug>/`: the depth, all that relative links depend on, is known
    before front matter is interpreted, so bodies can be rendered (and cached) per file.
    """
    md = _instance()
    md.reset()
    used: list[BodyImage] = []
    page_url = f"{doc.parts[0]}/_/_/"
    context = BodyContext(Path(doc.path), doc.ref, doc.body, doc.body_line, content_dir, linker,
                          page_url, problems)

    def href(target: str) -> str:
        return linker.href(target, page_url)

    def resolve(img):
        src = img.get("src", "")
        _check_alt(img, doc, src, problems)
        if "://" in src or src.startswith(("//", "data:", "#")) or not src:
            return img
        where = SourceRef(doc.ref, _line_of(doc, src))
        # The reference is a URL: `my%20photo.jpg` names the file `my photo.jpg`.
        path = resolve_content_file(unquote(src.split("#")[0].split("?")[0]),
                                    context.path.parent, content_dir, where, problems)
        if path is None:
            return img
        url = media_url(path, content_dir)
        if photos is None:
            used.append(BodyImage(path, url, None, where))
            img.set("src", href(url))
            return img
        try:
            picture = photos.picture(path, url)
        except PhotoError as exc:
            problems.error(where, f"image '{src}' {exc}")
            return img
        used.append(BodyImage(path, url, picture, where))
        return picture_element(img, picture, BODY_SIZES, href)

    md.dateline_figures.resolve = resolve
    md.dateline_urls.context = context
    try:
        return md.convert(doc.body), used, tuple(context.links)
    finally:
        md.dateline_urls.context = None


DECORATIVE_ALT = '""'
"""`![""](ornament.png)`: the author says the image is decorative (published with an
empty alt), as `alt: ""` does for a lead photo; `![](photo.jpg)` is a warning."""


def _check_alt(img, doc: Document, src: str, problems: Problems) -> None:
    alt = img.get("alt", "")
    if alt.strip() == DECORATIVE_ALT:
        img.set("alt", "")
    elif not alt.strip():
        problems.warn(SourceRef(doc.ref, _line_of(doc, src)),
                      f"image '{src}' has no alt text: describe it for readers who cannot "
                      f"see it (![what it shows]({src})), or write ![\"\"]({src}) if it "
                      "is decorative")


@dataclass(frozen=True, slots=True)
class BodyImage:
    source: Path
    url: str
    picture: Picture | None
    where: SourceRef


def _line_of(doc: Document, src: str) -> int:
    for offset, line in enumerate(doc.body.split("\n")):
        if src in line:
            return doc.body_line + offset
    return doc.body_line
