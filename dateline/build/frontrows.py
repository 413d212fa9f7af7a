"""The front matter of the sources a command-line build reads from their files, kept in
a temporary file as the cache's rows from the moment the workers send it until the rows
are settled (`finish.settle_sources`); assembling reads each source's back only while it
reads that source's fields (`reading`), and empties it after.

Issue 19: held as read, the front matter's dicts, lists and strings were ~1 kB a source
in the build's largest process, all at once at the end of assembling; and unpickled with
the sources, they were made between the strings the articles keep, leaving pymalloc's
arenas full of holes once they were dropped (the arenas of that high-water mark stay to
the end of the build). Nothing of a command-line build reads a document's front matter
after its fields (`doc.at` reads its lines, kept).
"""

from __future__ import annotations

import pickle
import tempfile
from array import array

from ..front_matter import shared_strings, texts_mapped
from ..incremental.cachedamage import unpickled
from ..incremental.tables import Pickled, write_at
from ..unencoded import unencoded


class FrontRows:
    """Front-matter rows, as pickled by the workers, in a temporary file (in `folder`;
    None: the system's temporary folder), written unbuffered. A folder that cannot take
    one (a full disk) takes no more: those documents keep their front matter, made into
    rows when the sources are settled, as before."""

    def __init__(self, folder: str | None):
        self.folder = folder
        self._file = None
        self._starts = array("Q", [0])
        """Where each row starts in the file, and where the next one will."""
        self._full = False

    def keep(self, row: bytes) -> int | None:
        """`row` (a source's front matter and the line of each key, pickled) written: its
        number here (`blob`, `pickled`); None when the folder cannot take it.

        A number, not a `Pickled` (a file, a place, a size): those were three small
        blocks a source, made between the articles' own and dropped when the sources
        were settled, and the holes they left stayed in the process (issue 19)."""
        if self._full:
            return None
        end = self._starts[-1]
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(dir=self.folder, buffering=0)
            write_at(self._file, row, end)
        except OSError:
            self._full = True
            return None
        self._starts.append(end + len(row))
        return len(self._starts) - 2

    def blob(self, number: int) -> bytes:
        """The row `keep` numbered so."""
        return self.pickled(number).blob()

    def pickled(self, number: int) -> Pickled:
        """The row `keep` numbered so, as the cache's tables take it."""
        at = self._starts[number]
        return Pickled(self._file, at, self._starts[number + 1] - at)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def front_matter_of(row: bytes) -> dict:
    """The front matter of a pickled row (`keep`), its short texts shared as reading the
    file shares them."""
    meta, _key_lines = unpickled(row, "a source's front matter")
    return shared_strings(meta)


def pickled_row(meta: dict, key_lines: dict) -> bytes:
    """A source's front matter and the line of each key as the cache's row, pickled from
    copies of its texts that are not ASCII: pickling a text leaves its UTF-8 form in it
    for good, and a short one (a title) is the one `sys.intern` gives every equal text
    after it, the article's own among them when the building process read the file
    itself (issue 19)."""
    return pickle.dumps((texts_mapped(meta, unencoded), key_lines),
                        protocol=pickle.HIGHEST_PROTOCOL)
