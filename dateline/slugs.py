"""URL slugs: checking the ones people write, and making them from names."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

# One path segment of letters, digits, '-', '_' and inner dots; nothing that a web server
# or file system would read as a separator, a parent folder or an escape.
_SEGMENT = re.compile(r"^[^\W_][\w.-]*$")
NAME_MAX = 255
"""Bytes in one path component (a folder or file name) on every common file system
(ext4, APFS, NTFS counts UTF-16 units, which is never more)."""


@functools.lru_cache(maxsize=1 << 14)
def slug_problem(value: str) -> str | None:
    """Why `value` cannot be one segment of an output path, or None when it can."""
    decoded = value
    for _ in range(3):  # '%252e' decodes twice; three rounds cover what servers do
        decoded = unquote(decoded)
    if decoded != value or "%" in value:
        return "must not contain percent-encoded characters"
    if "/" in value or "\\" in value or value in (".", ".."):
        return "would escape the output folder (it must be a single name, without '/')"
    if ".." in value:
        return "must not contain '..'"
    if not _SEGMENT.fullmatch(value):
        return "may only contain letters, digits, '-', '_' and '.', starting with a letter or digit"
    return length_problem(value)


def length_problem(name: str) -> str | None:
    """Why `name` is too long for a folder name, or None."""
    size = len(name.encode("utf-8"))
    if size > NAME_MAX:
        return (f"is {size} bytes long, and a folder name may have at most {NAME_MAX} "
                "bytes (UTF-8) on every file system; choose a shorter one")
    return None


def shown(value: str, limit: int = 60) -> str:
    """A value short enough to quote in a message."""
    return value if len(value) <= limit else value[:limit] + "…"


@functools.lru_cache(maxsize=1 << 16)  # tags and sections repeat across thousands of pages
def make_slug(name: str, style: str = "transliterate") -> str:
    """A slug for a file name or label: kept when it is already a clean ASCII slug,
    else transliterated to ASCII or, with style 'unicode', lower-cased and kept."""
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) and ".." not in name:
        return name
    from slugify import slugify  # names that are slugs already (most) never need it

    slug = slugify(name, allow_unicode=(style == "unicode"))
    return slug or slugify(name, allow_unicode=True) or "untitled"
