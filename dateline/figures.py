"""A Python-Markdown extension for newsroom photos in article bodies.

* Every `<img>` has its `src` passed through a resolver (set per article), which maps
  `![alt](photo.jpg)` to the published copy and reports missing files.
* A paragraph that holds only an image with a title, `![alt](src "Caption")`, becomes
  `<figure><img alt><figcaption>Caption</figcaption></figure>`.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Runs after the inline processor (priority 20) has turned `![..](..)` into elements.
_PRIORITY = 15

Resolver = Callable[[str], str]


def _keep(src: str) -> str:
    return src


class FigureProcessor(Treeprocessor):
    def __init__(self, md: Markdown):
        super().__init__(md)
        self.resolve: Resolver = _keep

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            img.set("src", self.resolve(img.get("src", "")))
            img.set("loading", "lazy")
            img.set("decoding", "async")
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if _is_lone_titled_image(child):
                    parent[index] = _figure_for(child[0])

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
