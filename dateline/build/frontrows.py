"""The front matter of the sources a command-line build read afresh, pickled as the
cache's rows as soon as their fields are read (`assemble`) and kept in a temporary file
until the rows are settled (`finish.settle_sources`); meanwhile each document's dict of
it is emptied.

Issue 19: held as read, the front matter's dicts, lists and strings were ~1 kB a source
in the build's largest process, all at once at the end of assembling, and pymalloc
keeps the arenas of that high-water mark to the end of the build. Nothing of a
command-line build reads a document's front matter after its fields (`doc.at` reads its
lines, kept).
"""

from __future__ import annotations

import os
import pickle
import tempfile

from ..incremental.tables import Pickled
from ..read import Document


class FrontRows:
    """Front-matter rows, pickled into a temporary file (in `folder`; None: the system's
    temporary folder)."""

    def __init__(self, folder: str | None):
        self._file = tempfile.TemporaryFile(dir=folder)

    def keep(self, doc: Document) -> Pickled:
        """The document's row (its front matter and the line of each key), written; its
        front matter's dict emptied."""
        blob = pickle.dumps((doc.meta, doc.key_lines), protocol=pickle.HIGHEST_PROTOCOL)
        at = self._file.seek(0, os.SEEK_END)
        self._file.write(blob)
        doc.meta.clear()
        return Pickled(self._file, at, len(blob))

    def close(self) -> None:
        self._file.close()
