"""Files replaced whole or not at all: written beside their final name, then renamed
over it, so a reader (the next build, a web server) never sees half of one, and a
failed write (a full disk) leaves the old file and no temporary one behind."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A binary handle whose bytes replace `path` when the block ends without error."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            yield handle
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
