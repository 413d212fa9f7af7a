"""A Python-Markdown extension for newsroom photos in article bodies.

* Every `<img>` has its `src` passed through a resolver (set per article), which maps
  `![alt](photo.jpg)` to the published copy and reports missing files.
* A paragraph that holds only an image with a title, `![alt](src "Caption")`, becomes
  `<figure><img alt><figcaption>Caption</figcaption></figure>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..photos.photosizes import photo_sizes

# Runs after the inline processor (priority 20) has turned `![..](..)` into elements.
_PRIORITY = 15

Resolver = Callable[[etree.Element], etree.Element]
"""Given an `<img>`, return the element to publish: the same one with its `src`
rewritten, or a `<picture>` holding it."""


def _keep(img: etree.Element) -> etree.Element:
    return img


class FigureProcessor(Treeprocessor):
    def __init__(self, md: Markdown):
        super().__init__(md)
        self.resolve: Resolver = _keep

    def run(self, root: etree.Element) -> None:
        # Figures first: the title that makes an image a figure becomes its caption.
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if _is_lone_titled_image(child):
                    parent[index] = _figure_for(child[0])
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag != "img":
                    continue
                child.set("loading", "lazy")
                child.set("decoding", "async")
                published = self.resolve(child)
                if published is not child:
                    published.tail, child.tail = child.tail, None
                    parent[index] = published

    def reset(self) -> None:
        self.resolve = _keep


def _is_lone_titled_image(element: etree.Element) -> bool:
    return (element.tag == "p" and len(element) == 1 and element[0].tag == "img"
            and bool(element[0].get("title")) and not (element.text or "").strip()
            and not (element[0].tail or "").strip())


def _figure_for(img: etree.Element) -> etree.Element:
    figure = etree.Element("figure", {"class": "body-figure"})
    caption = img.attrib.pop("title")
    img.tail = None
    figure.append(img)
    figcaption = etree.SubElement(figure, "figcaption")
    figcaption.text = caption
    return figure


class FiguresExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API)
        processor = FigureProcessor(md)
        md.treeprocessors.register(processor, "dateline_figures", _PRIORITY)
        md.dateline_figures = processor  # lets the caller set the per-article resolver
        md.registerExtension(self)

    def reset(self) -> None:
        pass


def picture_element(img: etree.Element, picture, layout: tuple[tuple[float, float, float], ...],
                    href: Callable[[str], str]) -> etree.Element:
    """`<picture>` with a WebP `<source>` and the `<img>` as the JPEG/PNG fallback,
    with width and height so the page does not jump while the photo loads; `layout`:
    the tiers of `photosizes.photo_sizes`."""
    sizes = photo_sizes(layout, picture.width, picture.height)
    img.set("src", href(picture.src.url))
    if len(picture.fallback) > 1:
        img.set("srcset", _srcset(picture.fallback, href))
        img.set("sizes", sizes)
    if picture.width and picture.height:
        img.set("width", str(picture.width))
        img.set("height", str(picture.height))
    if not picture.modern:
        return img
    element = etree.Element("picture")
    etree.SubElement(element, "source", {"type": "image/webp",
                                         "srcset": _srcset(picture.modern, href),
                                         "sizes": sizes})
    element.append(img)
    return element


def _srcset(renditions, href: Callable[[str], str]) -> str:
    return ", ".join(f"{href(r.url)} {r.width}w" for r in renditions)


_FIRST_LAZY_IMG = re.compile(r'(<img\b[^>]*?) loading="lazy"')


def eager_first_image(html: str) -> str:
    """A body's HTML with its first image fetched at once and first: the theme applies
    it to an article without a lead photo, whose first body photo is then its largest
    paint. (Bodies are rendered, with every image lazy, before it is known whether a
    lead photo comes first: a translation may inherit one.)"""
    from markupsafe import Markup

    return Markup(_FIRST_LAZY_IMG.sub(r'\1 fetchpriority="high"', str(html), count=1))
