"""`xmlwrite.clean` drops exactly the characters XML 1.0 cannot carry; an element made
into a fragment once is put into documents as the same bytes as the element itself."""

import sys
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from dateline.outputs.xmlwrite import clean, fragment, to_bytes

# XML 1.0, production [2] Char.
CHAR = ((0x9, 0x9), (0xA, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD),
        (0x10000, 0x10FFFF))


def is_xml_char(code: int) -> bool:
    return any(low <= code <= high for low, high in CHAR)


def test_clean_keeps_every_xml_character_and_drops_every_other():
    wrong = [code for code in range(sys.maxunicode + 1)
             if (clean(chr(code)) == chr(code)) != is_xml_char(code)]
    assert wrong == []


def test_clean_keeps_text_around_what_it_drops():
    assert clean("Tbilisi\x00 \x0bრუსთაველი\ufffe 🙂") == "Tbilisi რუსთაველი 🙂"


# ----- fragments: an element serialized once, put into several documents
NAMESPACES = {"media": "http://search.yahoo.com/mrss/", "dc": "http://purl.org/dc/elements/1.1/"}
TAGS = ["entry", "title", "{http://search.yahoo.com/mrss/}content",
        "{http://purl.org/dc/elements/1.1/}creator"]
ATTRIBUTES = ["href", "type", "{http://www.w3.org/XML/1998/namespace}base",
              "{http://search.yahoo.com/mrss/}medium"]
TEXTS = st.one_of(st.none(), st.sampled_from(["", "  ", "\n"]),
                  st.text("a<&>\"' \n\té", max_size=8))
ELEMENTS = st.recursive(
    st.tuples(st.sampled_from(TAGS), st.dictionaries(st.sampled_from(ATTRIBUTES), TEXTS.filter(
        lambda t: t is not None), max_size=2), TEXTS, TEXTS, st.just(())),
    lambda children: st.tuples(st.sampled_from(TAGS), st.dictionaries(
        st.sampled_from(ATTRIBUTES), st.text("x&<", max_size=3), max_size=2), TEXTS, TEXTS,
        st.lists(children, max_size=3).map(tuple)),
    max_leaves=8)
"""(tag, attributes, text, tail, children): an element of a feed entry, hostile text
and whitespace included (indenting keeps text that is not whitespace)."""


def made(spec, top: bool = True) -> ET.Element:
    tag, attributes, text, tail, children = spec
    node = ET.Element(tag, attributes)
    node.text = text
    node.tail = None if top else tail  # a fragment's own tail is its document's
    node.extend(made(child, top=False) for child in children)
    return node


def skeleton(head: int, nested: bool) -> tuple[ET.Element, ET.Element]:
    """A document's root with `head` children of its own, and the element the fragments
    go into (the root, or a child of it as RSS's channel)."""
    root = ET.Element("feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fa"})
    parent = ET.SubElement(root, "channel") if nested else root
    for n in range(head):
        ET.SubElement(parent, "title" if n % 2 else "{http://purl.org/dc/elements/1.1/}date",
                      ).text = f"head {n} &"
    return root, parent


@given(st.lists(ELEMENTS, min_size=1, max_size=4), st.integers(0, 2), st.booleans(),
       st.sampled_from([None, "http://www.w3.org/2005/Atom"]))
def test_fragments_make_the_bytes_of_the_elements_in_place(specs, head, nested, default):
    root, parent = skeleton(head, nested)
    parent.extend(made(spec) for spec in specs)
    whole = to_bytes(root, NAMESPACES, default)
    root, parent = skeleton(head, nested)
    level = 2 if nested else 1
    pieces = [fragment(made(spec), level, NAMESPACES) for spec in specs]
    assert to_bytes(root, NAMESPACES, default, fragments=pieces, parent=parent) == whole
    # Parsed, the document has the elements (no stand-in left, every prefix declared).
    parsed = ET.fromstring(whole)
    found = parsed[0] if nested else parsed
    assert len(found) == head + len(specs)
