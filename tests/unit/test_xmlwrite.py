"""`xmlwrite.clean` drops exactly the characters XML 1.0 cannot carry."""

import sys

from dateline.outputs.xmlwrite import clean

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
