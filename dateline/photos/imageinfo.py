"""What feeds and page metadata say about an image file: its MIME type and size."""

from __future__ import annotations

import mimetypes
from pathlib import Path

_IMAGE_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg",
    ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".svg": "image/svg+xml", ".tif": "image/tiff",
    ".tiff": "image/tiff", ".bmp": "image/bmp",
}


def mime_type(name: str | Path) -> str:
    """The MIME type of an image file from its extension (independent of the OS's
    mime.types, which may not know webp or avif)."""
    suffix = Path(str(name)).suffix.lower()
    return _IMAGE_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] \
        or "application/octet-stream"

