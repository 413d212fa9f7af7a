"""Small helpers for writing XML files (feeds, sitemaps) with a real serializer.

Text never goes into XML by string concatenation: ElementTree escapes `<`, `&` and
quotes, and `clean` drops the few characters XML 1.0 cannot carry at all (control
characters), which ElementTree would otherwise write out and so break the file.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

XML_NS = "http://www.w3.org/XML/1998/namespace"
"""The namespace of `xml:lang` and `xml:base`."""

# The complement of XML 1.0's Char production (#x9 | #xA | #xD | [#x20-#xD7FF] |
# [#xE000-#xFFFD] | [#x10000-#x10FFFF]), written out: the negated class of those ranges
# takes Python's regex compiler ~8 ms, at every start.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """`text` without the characters XML 1.0 does not allow (NUL, most C0 controls…)."""
    return _NOT_XML_CHAR.sub("", text)


def q(namespace: str, tag: str) -> str:
    """An ElementTree qualified name, `{namespace}tag`."""
    return f"{{{namespace}}}{tag}"


def sub(parent: ET.Element, tag: str, text: str | None = None,
        attrs: Mapping[str, str] | None = None) -> ET.Element:
    """Append a child element with cleaned text and attribute values."""
    child = ET.SubElement(parent, tag, {k: clean(str(v)) for k, v in (attrs or {}).items()})
    if text is not None:
        child.text = clean(text)
    return child


def element(tag: str, attrs: Mapping[str, str] | None = None) -> ET.Element:
    return ET.Element(tag, {k: clean(str(v)) for k, v in (attrs or {}).items()})


def to_bytes(root: ET.Element, namespaces: Mapping[str, str],
             default_namespace: str | None = None) -> bytes:
    """The document as UTF-8 with an XML declaration, indented for people reading it.

    `namespaces` maps prefixes to namespace URIs; they are registered so the file uses
    the conventional prefixes (`xhtml:`, `media:`…) instead of `ns0:`. Elements of
    `default_namespace` must be built with unqualified names ('url', not '{…}url').
    """
    for prefix, uri in namespaces.items():
        ET.register_namespace(prefix, uri)
    if default_namespace is not None:
        # ElementTree's own default_namespace option rejects unqualified attributes, so
        # elements of the default namespace are built unqualified and it is declared here.
        root.set("xmlns", default_namespace)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def w3c_datetime(value: dt.datetime) -> str:
    """ISO 8601 / RFC 3339 with seconds and offset, as Atom and sitemaps want it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat(timespec="seconds")
