"""Copies of texts about to be encoded by code that keeps what it encoded in the text.

CPython keeps a text's UTF-8 form in the text once `PyUnicode_AsUTF8AndSize` made it:
pickle and msgspec encode that way. For a text that is not ASCII the form is a second
copy of it, held as long as the text lives; the articles' titles and summaries live
as long as the build, so what encodes them for a moment (a cache row, a page's JSON-LD)
encodes a copy (issue 19)."""

from __future__ import annotations


def unencoded(text: str) -> str:
    """`text`, or a new copy of it when it is not ASCII (whose UTF-8 form would be kept
    in it). One character is not worth a copy."""
    return text if text.isascii() or len(text) < 2 else text[:1] + text[1:]
