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

import pickle
import tempfile

from ..incremental.tables import Pickled, write_at
from ..read import Document


class FrontRows:
    """Front-matter rows, pickled into a temporary file (in `folder`; None: the system's
    temporary folder), written unbuffered: a row kept is in the file before its
    document's front matter is emptied. A folder that cannot take one (a full disk)
    takes no more: those documents keep their front matter, made into rows when the
    sources are settled, as before."""

    def __init__(self, folder: str | None):
        self.folder = folder
        self._file = None
        self._end = 0
        self._full = False

    def keep(self, doc: Document) -> Pickled | None:
        """The document's row (its front matter and the line of each key), written, and
        its front matter's dict emptied; None when the folder cannot take it."""
        if self._full:
            return None
        blob = pickle.dumps((doc.meta, doc.key_lines), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(dir=self.folder, buffering=0)
            write_at(self._file, blob, self._end)
        except OSError:
            self._full = True
            return None
        row = Pickled(self._file, self._end, len(blob))
        self._end += len(blob)
        doc.meta.clear()
        return row

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
