"""An output folder's record of its files (`cache.OutputRecord.files`: file →
(fingerprint of its inputs, digest of its bytes)) as rows of the build store, read by key.

A build after a few body edits looks up the rows of the files it makes (a handful of
pages, the feeds carrying the edited stories, the theme's files and the photos), keeps
every other file by reference (`KeptFiles`), and writes back only the rows that changed:
at 60,000 articles the record is ~106,000 rows, which reading whole cost such a build
more than everything else it did. A build that goes through the whole record (it plans
every page) reads it whole, once (`StoredFiles.whole`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping

from ..urls import output_file, served_url
from .tables import Tables

_MISSING = object()


class StoredFiles(Mapping):
    """The record as the store holds it: each row read the first time it is asked for
    (and remembered, found or not), or all of them when the record is gone through."""

    def __init__(self, tables: Tables, name: str):
        self.tables = tables
        self.name = name
        """The cache table (`files:<folder>`)."""
        self._known: dict = {}
        self._whole: dict | None = None
        self._count: int | None = None

    def __getitem__(self, file: str) -> tuple[str, str]:
        if self._whole is not None:
            return self._whole[file]
        value = self._known.get(file, _MISSING)
        if value is _MISSING:
            value = self._known[file] = self.tables.get(self.name, file, tuple)
        if value is None:
            raise KeyError(file)
        return value

    def get(self, file: str, default=None):
        try:
            return self[file]
        except KeyError:
            return default

    def __contains__(self, file: object) -> bool:
        return self.get(file) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.whole())

    def __len__(self) -> int:
        if self._whole is not None:
            return len(self._whole)
        if self._count is None:  # its rows' keys counted, once
            self._count = self.tables.count(self.name)
        return self._count

    def prefetch(self, files: Iterable[str]) -> None:
        """Read the rows of `files` not read yet, a batch at a time (one query each)."""
        if self._whole is not None:
            return
        wanted = [file for file in dict.fromkeys(files) if file not in self._known]
        if wanted:
            found = self.tables.get_many(self.name, wanted, tuple)
            self._known.update((file, found.get(file)) for file in wanted)

    def whole(self) -> dict[str, tuple[str, str]]:
        """Every row (read once)."""
        if self._whole is None:
            self._whole = self.tables.read(self.name, tuple)
            self._known = {}
        return self._whole


class KeptFiles(Mapping):
    """The record of a build that kept every file it did not make or remove: the stored
    record with this build's entries over it (`own`) and its removed files gone."""

    def __init__(self, base: Mapping, own: dict[str, tuple[str, str]],
                 removed: Iterable[str]):
        removed = frozenset(removed)
        if isinstance(base, KeptFiles):
            # Kept over a record that was kept itself (the preview server's builds between
            # two writes of the cache): one level over the record read, not a chain.
            below = base
            base = below.base
            own = {**{f: v for f, v in below.own.items() if f not in removed}, **own}
            removed = frozenset(f for f in (below.removed - own.keys()) | removed
                                if f in base)
        self.base = base
        self.own = own
        self.removed = removed

    def __getitem__(self, file: str) -> tuple[str, str]:
        if file in self.removed:
            raise KeyError(file)
        value = self.own.get(file)
        return value if value is not None else self.base[file]

    def get(self, file: str, default=None):
        try:
            return self[file]
        except KeyError:
            return default

    def __contains__(self, file: object) -> bool:
        return self.get(file) is not None

    def __iter__(self) -> Iterator[str]:
        own, removed = self.own, self.removed
        yield from (file for file in self.base if file not in own and file not in removed)
        yield from own

    def __len__(self) -> int:
        # Every file `own` adds was looked up in the record already (`prefetch`).
        added = sum(1 for file in self.own if file not in self.base)
        return len(self.base) - len(self.removed) + added

    def delta(self) -> tuple[dict[str, tuple[str, str]], list[str]]:
        """The rows to write (added or changed) and the files to remove."""
        base = self.base
        changed = {file: value for file, value in self.own.items() if base.get(file) != value}
        return changed, sorted(self.removed)


class PackedFiles(MutableMapping):
    """A record being made (`OutputWriter.new`): file → (fingerprint, digest). It grows
    with the archive (300,000 articles: ~527,000 files), so it is held small:

    - each file is held as the URL it serves (`urls.served_url`), and a page's as its
      page's own URL string (`set_url`): the record makes no string for it (~110 bytes
      a file, issue 19);
    - a pair of hex digests is held as its 32 bytes in one array, the file's entry its
      place there (a bytes object each took 48 bytes more, a tuple of two strings 200).

    Other values (a copied file's stat key) are held as they are."""

    __slots__ = ("_rows", "_packed")

    def __init__(self, items: Mapping | Iterable = ()):
        self._rows: dict[str, int | tuple[str, str]] = {}
        self._packed = bytearray()
        self.update(items)

    def __getitem__(self, file: str) -> tuple[str, str]:
        return self._value(self._rows[_url_of(file)])

    def __setitem__(self, file: str, value: tuple[str, str]) -> None:
        url = _url_of(file)
        if url is None:
            raise ValueError(f"not a file's name: {file!r}")
        self.set_url(url, value)

    def set_url(self, url: str, value: tuple[str, str]) -> None:
        """The entry of the file serving `url` (a page's: its URL string is the key)."""
        if not (url == "" or url.endswith("/")):
            url = served_url(url)  # ("en/x/index.html" is "en/x/")
        packed = _packed(*value)
        if packed is None:
            self._rows[url] = tuple(value)
            return
        place = self._rows.get(url)
        if type(place) is int:
            self._packed[place * 32:place * 32 + 32] = packed
        else:
            self._rows[url] = len(self._packed) // 32
            self._packed += packed

    def __delitem__(self, file: str) -> None:
        del self._rows[_url_of(file)]  # (its place stays unused)

    def __contains__(self, file: object) -> bool:
        return isinstance(file, str) and _url_of(file) in self._rows

    def __iter__(self) -> Iterator[str]:
        return map(output_file, self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def in_url_order(self) -> Iterator[tuple[str, tuple[str, str]]]:
        """(file, value) in the order of the URLs: nearly the files' order (a folder's
        index comes before the other files in it), made without every file's name at
        once (`Tables.write`)."""
        rows = self._rows
        for url in sorted(rows):
            yield output_file(url), self._value(rows[url])

    def copy(self) -> PackedFiles:
        copied = PackedFiles()
        copied._rows, copied._packed = dict(self._rows), bytearray(self._packed)
        return copied

    def _value(self, held: int | tuple[str, str]) -> tuple[str, str]:
        if type(held) is int:
            packed = self._packed[held * 32:held * 32 + 32]
            return packed[:16].hex(), packed[16:].hex()
        return held


def _url_of(file: str) -> str | None:
    """The URL `file` serves; None for a name that is no file's ("", "en/")."""
    return None if file == "" or file.endswith("/") else served_url(file)


def _packed(fingerprint: str, file_digest: str) -> bytes | None:
    """The two digests' 32 bytes; None for values that are not a pair of 16-byte hex
    digests (in lower case: they must come back as they were)."""
    if len(fingerprint) == len(file_digest) == 32:
        try:
            packed = bytes.fromhex(fingerprint + file_digest)
        except ValueError:  # not hex
            return None
        if packed.hex() == fingerprint + file_digest:
            return packed
    return None


def standing_records(tables: Mapping[str, object], store: Tables) -> list[str]:
    """The records among `tables` that stand in `store` as they are, unread: after a clean
    build (`BuildCache.forget_sources`), the other output folders'. Written anew, each
    would be read whole first (300,000 articles: ~527,000 rows a folder)."""
    return [name for name, table in tables.items()
            if isinstance(table, StoredFiles) and table.tables is store]
