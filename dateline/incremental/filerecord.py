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
    """A record being made (`OutputWriter.new`): file → (fingerprint, digest), a pair of
    hex digests held as their 32 bytes, 153 bytes less a file than a tuple of two
    strings (300,000 articles: ~527,000 files, ~80 MiB). Other values (a copied file's
    stat key) are held as they are."""

    __slots__ = ("_rows",)

    def __init__(self, items: Mapping | Iterable = ()):
        self._rows: dict[str, bytes | tuple[str, str]] = {}
        self.update(items)

    def __getitem__(self, file: str) -> tuple[str, str]:
        value = self._rows[file]
        if type(value) is bytes:
            return value[:16].hex(), value[16:].hex()
        return value

    def __setitem__(self, file: str, value: tuple[str, str]) -> None:
        fingerprint, file_digest = value
        if len(fingerprint) == len(file_digest) == 32:
            try:
                packed = bytes.fromhex(fingerprint + file_digest)
            except ValueError:  # not hex
                packed = None
            if packed is not None and packed.hex() == fingerprint + file_digest:
                self._rows[file] = packed
                return
        self._rows[file] = tuple(value)

    def __delitem__(self, file: str) -> None:
        del self._rows[file]

    def __contains__(self, file: object) -> bool:
        return file in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def copy(self) -> PackedFiles:
        copied = PackedFiles()
        copied._rows = dict(self._rows)
        return copied


def standing_records(tables: Mapping[str, object], store: Tables) -> list[str]:
    """The records among `tables` that stand in `store` as they are, unread: after a clean
    build (`BuildCache.forget_sources`), the other output folders'. Written anew, each
    would be read whole first (300,000 articles: ~527,000 rows a folder)."""
    return [name for name, table in tables.items()
            if isinstance(table, StoredFiles) and table.tables is store]
