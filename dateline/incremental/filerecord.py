"""An output folder's record of its files (`cache.OutputRecord.files`: file →
(fingerprint of its inputs, digest of its bytes)) as rows of the build store, read by key.

A build after a few body edits looks up the rows of the files it makes (a handful of
pages, the feeds carrying the edited stories, the theme's files and the photos), keeps
every other file by reference (`KeptFiles`), and writes back only the rows that changed:
at 60,000 articles the record is ~106,000 rows, which reading whole cost such a build
more than everything else it did. A build that goes through the whole record (it plans
every page) reads it whole, once (`StoredFiles.whole`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from heapq import merge
from operator import itemgetter

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
      place there (a bytes object each took 48 bytes more, a tuple of two strings 200);
    - the pages of a build's plan, once bound (`bind_pages`), are held by their place in
      the plan (`set_page`): no dict entry and no int object a page.

    Other values (a copied file's stat key) are held as they are."""

    __slots__ = ("_rows", "_packed", "_page_urls", "_by_page", "_given", "_pages_given",
                 "_page_places")

    def __init__(self, items: Mapping | Iterable = ()):
        self._rows: dict[str, int | tuple[str, str]] = {}
        self._packed = bytearray()
        self._page_urls: Sequence[str] = ()
        self._by_page = bytearray()
        self._given = bytearray()
        """1 at the place of each bound page whose entry was given."""
        self._pages_given = 0
        self._page_places: dict[str, int] | None = None
        """A bound page's place by its URL: made the first time a file is looked up by
        name (a later build of the preview server), never in a command-line build."""
        self.update(items)

    def bind_pages(self, urls: Sequence[str]) -> None:
        """From now on, the pages serving `urls` (a build's plan, in its order) are
        given by their place in it (`set_page`), their entries held in one array of 32
        bytes a page. A dict entry and an int a page were ~85 bytes of the coordinator's
        memory a page through the end of the build, and the ints, made as the pages
        came back from rendering, kept the arenas of what rendering dropped in use
        (issue 19). No entry of another file may serve one of `urls`."""
        self._page_urls = urls
        self._by_page = bytearray(32 * len(urls))
        self._given = bytearray(len(urls))
        self._pages_given = 0
        self._page_places = None

    def set_page(self, place: int, value: tuple[str, str]) -> None:
        """The entry of the bound page at `place`."""
        packed = _packed(*value)
        if packed is None:  # (not a pair of digests: held by its URL, as it is)
            self._rows[self._page_urls[place]] = tuple(value)
            if self._given[place]:
                self._given[place] = 0
                self._pages_given -= 1
            return
        if self._rows:  # (given as it was before: an entry of one place only)
            self._rows.pop(self._page_urls[place], None)
        self._by_page[place * 32:place * 32 + 32] = packed
        if not self._given[place]:
            self._given[place] = 1
            self._pages_given += 1

    def missing(self, files: Iterable[str]) -> list[str]:
        """Those of `files` that have no entry, sorted: looked up with a set of the
        bound pages' URLs made for this and dropped (`OutputWriter.commit`)."""
        urls, given, rows = self._page_urls, self._given, self._rows
        pages = {urls[place] for place in range(len(urls)) if given[place]}
        return sorted(file for file in files
                      if (url := _url_of(file)) not in rows and url not in pages)

    def __getitem__(self, file: str) -> tuple[str, str]:
        url = _url_of(file)
        held = self._rows.get(url, _MISSING)
        if held is not _MISSING:
            return self._value(held)
        place = self._page_place(url)
        if place is None:
            raise KeyError(file)
        return self._page_value(place)

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
        url = _url_of(file)
        if url in self._rows:
            del self._rows[url]  # (its place stays unused)
            return
        place = self._page_place(url)
        if place is None:
            raise KeyError(file)
        self._given[place] = 0
        self._pages_given -= 1

    def __contains__(self, file: object) -> bool:
        if not isinstance(file, str):
            return False
        url = _url_of(file)
        return url in self._rows or self._page_place(url) is not None

    def __iter__(self) -> Iterator[str]:
        yield from map(output_file, self._rows)
        given, urls = self._given, self._page_urls
        yield from (output_file(urls[place]) for place in range(len(urls))
                    if given[place] and urls[place] not in self._rows)

    def __len__(self) -> int:
        return len(self._rows) + self._pages_given

    def in_url_order(self) -> Iterator[tuple[str, tuple[str, str]]]:
        """(file, value) in the order of the URLs: nearly the files' order (a folder's
        index comes before the other files in it), made without every file's name at
        once (`Tables.write`)."""
        rows, urls, given = self._rows, self._page_urls, self._given
        by_url = ((url, rows[url]) for url in sorted(rows))
        pages = sorted((place for place in range(len(urls))
                        if given[place] and urls[place] not in rows), key=urls.__getitem__)
        for url, held in merge(by_url, ((urls[place], _Place(place)) for place in pages),
                               key=itemgetter(0)):
            yield output_file(url), (self._page_value(held) if type(held) is _Place
                                     else self._value(held))

    def copy(self) -> PackedFiles:
        copied = PackedFiles()
        copied._rows, copied._packed = dict(self._rows), bytearray(self._packed)
        copied._page_urls, copied._by_page = self._page_urls, bytearray(self._by_page)
        copied._given, copied._pages_given = bytearray(self._given), self._pages_given
        return copied

    def _value(self, held: int | tuple[str, str]) -> tuple[str, str]:
        if type(held) is int:
            packed = self._packed[held * 32:held * 32 + 32]
            return packed[:16].hex(), packed[16:].hex()
        return held

    def _page_value(self, place: int) -> tuple[str, str]:
        packed = self._by_page[place * 32:place * 32 + 32]
        return packed[:16].hex(), packed[16:].hex()

    def _page_place(self, url: str | None) -> int | None:
        """The place of the bound page serving `url`, when its entry was given."""
        if not self._page_urls or url is None:
            return None
        if self._page_places is None:
            self._page_places = {page_url: place
                                 for place, page_url in enumerate(self._page_urls)}
        place = self._page_places.get(url)
        return place if place is not None and self._given[place] else None


class _Place(int):
    """A bound page's place, told apart from a place in `_packed` (`in_url_order`)."""

    __slots__ = ()


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
