"""Small helpers for writing XML files (feeds, sitemaps) with a real serializer.

Text never goes into XML by string concatenation: ElementTree escapes `<`, `&` and
quotes, and `clean` drops the few characters XML 1.0 cannot carry at all (control
characters), which ElementTree would otherwise write out and so break the file.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Fragment:
    """An element serialized once, indented for its depth, to be put in several
    documents (`to_bytes`' `fragments`): a feed entry that many feeds carry."""

    packed: bytes
    """Its text as UTF-8, compressed: a language's entries are kept while its feeds are
    made, and a full-content entry of a Russian or Persian story is ~25 kB as a str
    (two bytes a character), ~4 kB packed (issue 19: ~20 MiB of a 60,000-article
    build's largest process). Unpacked once for each feed that carries it."""
    namespaces: frozenset[str]
    """The namespace URIs its elements and attributes use (its document declares them)."""

    @property
    def text(self) -> str:
        """Without the whitespace after it (its document's indentation puts that)."""
        return zlib.decompress(self.packed).decode("utf-8")


_SPLICE = "dateline-fragments"
"""The stand-in element `to_bytes` serializes where the fragments go."""


def fragment(elem: ET.Element, level: int, namespaces: Mapping[str, str]) -> Fragment:
    """`elem` serialized as `to_bytes` would write it at depth `level` of a document
    (the root's children are at 1) that registers `namespaces` (prefix → URI)."""
    _register(namespaces)
    ET.indent(elem, level=level)
    holder = ET.Element(_SPLICE)
    holder.append(elem)
    # The holder's start tag declares the namespaces (at the root, in a document): cut.
    text = ET.tostring(holder, encoding="unicode")
    used = {name[1:].partition("}")[0] for node in elem.iter()
            for name in (node.tag, *node.attrib) if name[:1] == "{"}
    return Fragment(zlib.compress(text[text.index(">") + 1:-len(f"</{_SPLICE}>")]
                                  .encode("utf-8"), 1),
                    frozenset(used - {XML_NS}))


def to_bytes(root: ET.Element, namespaces: Mapping[str, str],
             default_namespace: str | None = None, *, fragments: Sequence[Fragment] = (),
             parent: ET.Element | None = None) -> bytes:
    """The document as UTF-8 with an XML declaration, indented for people reading it.

    `namespaces` maps prefixes to namespace URIs; they are registered so the file uses
    the conventional prefixes (`xhtml:`, `media:`…) instead of `ns0:`. Elements of
    `default_namespace` must be built with unqualified names ('url', not '{…}url').
    `fragments` (made by `fragment` at `parent`'s depth plus one) are the last children of
    `parent` (the root by default): the same bytes as those elements appended there.
    """
    _register(namespaces)
    if default_namespace is not None:
        # ElementTree's own default_namespace option rejects unqualified attributes, so
        # elements of the default namespace are built unqualified and it is declared here.
        root.set("xmlns", default_namespace)
    holder = None
    if fragments:
        # A stand-in, whose attributes make the root declare the fragments' namespaces
        # as it would declare them for the elements themselves.
        used = sorted(set().union(*(f.namespaces for f in fragments)))
        parent = root if parent is None else parent
        holder = ET.SubElement(parent, _SPLICE, {q(uri, "_"): "" for uri in used})
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    if holder is not None:
        parent.remove(holder)
        # (Text and attribute values are escaped: the only '<dateline-fragments' is it.)
        start = body.rindex(f"<{_SPLICE}")
        end = body.index("/>", start) + 2
        joint = parent[-1].tail if len(parent) else parent.text  # a child's indentation
        body = body[:start] + joint.join(f.text for f in fragments) + body[end:]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def _register(namespaces: Mapping[str, str]) -> None:
    for prefix, uri in namespaces.items():
        ET.register_namespace(prefix, uri)


def w3c_datetime(value: dt.datetime) -> str:
    """ISO 8601 / RFC 3339 with seconds and offset, as Atom and sitemaps want it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat(timespec="seconds")
