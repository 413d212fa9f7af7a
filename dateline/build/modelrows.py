"""The saved model as rows of the build store (`buildstore`), so that a build after a
body edit reads what the edit touches, never the whole model: one row per article
(`articles`, by its source path as shown), one per page (`pages`: its article and items
are references to article rows), the site without its articles (`models`), and small
rows made from the whole site at save time (`rows`): each language's navigation and
banner (`LanguageRow`), each story's versions, each feed's entries, with the feeds that
carry each story (`feed_deps`), and the site's order of its articles and stories a
slice a row (`order:N`, `groups:N`). `PartialModel` loads them one by one; `load_whole`
all of them (a build that needs the whole site). See docs/incremental.md."""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from msgspec import structs

from ..buildstore import Store
from ..incremental.cachedamage import CacheDamaged, reason
from ..model import Article, Site
from ..outputs.feeds import Feed, feeds_of
from ..outputs.pages import Page
from ..outputs.partialview import LanguageRow
from ..photos.photos import Picture
from ..photos.social import SocialCrops
from ..unencoded import unencoded
from .rowpickle import RowPickler, SharedValues, loads

SHARED_KINDS = (Picture, SocialCrops, tuple)
"""What a shared value may be (`rowpickle`): a photo's renditions, a listing's URLs."""


@dataclass
class SiteRow:
    """The site without its articles, and what is made from all of them."""

    site: Site
    """Without its config, articles and groups."""
    page_count: int
    article_count: int
    """The keys the site's order holds (its rows, `order:N`, are checked against it)."""
    group_count: int
    """The stories it holds (`groups:N`)."""
    newest: dt.datetime | None
    """The newest article's `modified` (an empty feed is as new as its site)."""
    next_change: object
    """`schedule.NextChange` or None: body edits do not move it."""
    languages: dict[str, LanguageRow]


@dataclass
class FeedRow:
    """A feed's entries (`feeds.Feed` without its view)."""

    lang: str
    title: str
    page_url: str
    atom: str
    rss: str
    articles: tuple[Article, ...]
    corrections: tuple | None = None

    def feed(self, view) -> Feed:
        return Feed(view, self.title, self.page_url, self.atom, self.rss, self.articles,
                    self.corrections)


class PageRef:
    """What the search index needs of a page it does not render: its kind, language and
    URL (`Page.file` is made from it)."""

    __slots__ = ("kind", "lang", "url")

    def __init__(self, kind: str, lang: str, url: str):
        self.kind, self.lang, self.url = kind, lang, url

    @property
    def file(self) -> str:
        return Page(url=self.url, template="", kind=self.kind, lang=self.lang).file


@dataclass
class SavedModel:
    generation: str
    site: Site
    """Without its config (the build's own is put back)."""
    pages: Sequence[Page]
    fingerprints: Sequence[str]
    """In page order (the plan's own, packed: not a tuple of every string made)."""
    shared: dict[str, dict[str, str]]
    """Article and card fingerprints by URL (`PageFingerprints`)."""
    views: dict = field(default_factory=dict)
    """The languages' views the pages were planned with (of the whole site)."""
    next_change: object = None
    """`schedule.NextChange` or None."""


def _texts_copied(article: Article) -> Article:
    """The article with copies of its title and summary when they are not ASCII
    (`unencoded`): the texts of it that every build holds to its end."""
    title, summary = unencoded(article.title), unencoded(article.summary)
    if title is article.title and summary is article.summary:
        return article
    return structs.replace(article, title=title, summary=summary)


def _heading_copied(page: Page) -> Page:
    """The page with a copy of its heading (its article's title) when that is not ASCII:
    its articles stay the model's own, which the row names by reference."""
    heading = unencoded(page.heading)
    return page if heading is page.heading else structs.replace(page, heading=heading)


# ----- writing
def write_rows(db: sqlite3.Connection, slot: str, key: str, model: SavedModel) -> None:
    """Make a folder's rows of the model these (only the rows that differ are written);
    `key`: the head's key and the model's generation. Each row is pickled as it is
    written (`replace_rows`): never every article's and page's bytes at once."""
    site, pages, views = model.site, model.pages, model.views
    # The model's articles by their keys (strings they hold: no object made for each)
    refs = {a.source.path: a for a in site.articles}
    shared = SharedValues()
    plain, referring = RowPickler(shared=shared), RowPickler(refs, shared)
    rest = structs.replace(site, config=None, articles=(), groups=())
    row = SiteRow(rest, len(pages), len(site.articles), len(site.groups),
                  max((a.modified for a in site.articles), default=None), model.next_change,
                  {code: LanguageRow.of(view) for code, view in views.items()})
    db.execute("INSERT OR REPLACE INTO models VALUES (?, ?, ?)",
               (slot, key, referring.dumps(row)))
    # Pickled from copies of their texts that are not ASCII: pickling a text leaves its
    # UTF-8 form in it for good, and the articles' titles and summaries (a page's
    # heading is its article's title) live as long as the model (issue 19: ~14 MB at
    # 60,000 articles, the build's peak at its last step).
    replace_rows(db, "articles", ("slot", "key"), slot, (
        (slot, a.source.path, plain.dumps(_texts_copied(a))) for a in site.articles))
    replace_rows(db, "pages", ("slot", "page"), slot, (
        (slot, i, page.url, fp, page.kind, page.lang, referring.dumps(_heading_copied(page)))
        for i, (page, fp) in enumerate(zip(pages, model.fingerprints, strict=True))))
    feeds = [FeedRow(view.code, f.title, f.page_url, f.atom, f.rss, f.articles, f.corrections)
             for view in views.values() for f in feeds_of(view)]
    order = [a.source.path for a in site.articles]
    groups = [(story, tuple(a.source.path for a in group)) for story, group in site.groups]
    replace_rows(db, "rows", ("slot", "name"), slot, itertools.chain(
        _sliced(slot, "order", order, plain), _sliced(slot, "groups", groups, plain),
        ((slot, f"story:{story}", plain.dumps(keys)) for story, keys in groups),
        ((slot, f"feed:{feed.atom}", referring.dumps(feed)) for feed in feeds)))
    replace_rows(db, "feed_deps", ("slot", "story", "name"), slot, (
        (slot, a.translation_key, f"feed:{feed.atom}") for feed in feeds for a in feed.articles))
    # Last: the rows above were pickled as they were written (lazily), and each has
    # named the shared values it holds by now.
    replace_rows(db, "shared", ("slot", "key"), slot, (
        (slot, name, blob) for name, blob in shared.blobs.items()))


ORDER_SLICE = 1024
"""Keys (or stories) a row of the site's order holds (`order:N`, `groups:N`). In one row,
the order's pickle, its memo and the buffer's copy of it were the build's peak at its
last step (issue 19: ~9 MiB at 60,000 articles); sliced, they are a slice's."""


def _sliced(slot: str, name: str, values: list, pickler: RowPickler) -> Iterator[tuple]:
    """The rows of `values` a slice each, named `name:N` in order (one row, empty, for
    none: the rows say the site has no articles, not that they are missing)."""
    for number, start in enumerate(range(0, max(len(values), 1), ORDER_SLICE)):
        yield slot, f"{name}:{number:06d}", pickler.dumps(tuple(values[start:start + ORDER_SLICE]))


ROWS_AT_ONCE = 256
"""Rows compared with the stored ones, and written, at a time (`replace_rows`)..."""
BYTES_AT_ONCE = 1 << 20
"""... or fewer, when their values (a row's last column) come to this many bytes: a
batch of the order's slices or of feeds' rows is a MiB, not 256 of them."""


def replace_rows(db: sqlite3.Connection, table: str, key: tuple[str, ...], slot: str,
                 rows: Iterable[tuple]) -> None:
    """Make a folder's rows of `table` these (each row's first columns are `key`, the
    slot first): only the rows that differ are written (a site planned afresh after a
    retitle keeps nearly every page and its index rows). The rows are taken from
    `rows` and compared with the stored ones a batch at a time: what is in memory is
    the stored rows' keys not met yet and one batch of rows, whatever the size of the
    table (issue 19: the keys met were kept too, a tuple each: at 60,000 articles ~11 MiB
    for the pages' rows of a cold build, the build's peak at its last step)."""
    width = len(key)
    columns = ", ".join(key[1:])
    stored = set(db.execute(f"SELECT {columns} FROM {table} WHERE slot = ?",  # noqa: S608
                            (slot,)))
    for batch in _batched(rows):
        keys = {row[1:width] for row in batch}
        old = _stored_rows(db, table, key, slot, keys & stored)
        changed = {row for row in batch if old.get(row[1:width]) != row}
        if changed:
            marks = ", ".join("?" * len(next(iter(changed))))
            # In key order (a set's order is random): b-tree pages are filled in turn,
            # not split again and again (three times as slow on a fresh table).
            db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})",  # noqa: S608
                           sorted(changed, key=operator.itemgetter(*range(width))))
        stored -= keys  # what is left at the end is gone
    where = " AND ".join(f"{column} = ?" for column in key)
    db.executemany(f"DELETE FROM {table} WHERE {where}",  # noqa: S608 - our names
                   ((slot, *gone) for gone in stored))


def _batched(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    batch, size = [], 0
    for row in rows:
        batch.append(row)
        value = row[-1]
        size += len(value) if isinstance(value, bytes) else 0
        if len(batch) == ROWS_AT_ONCE or size >= BYTES_AT_ONCE:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _stored_rows(db: sqlite3.Connection, table: str, key: tuple[str, ...], slot: str,
                 keys: set[tuple]) -> dict[tuple, tuple]:
    """The stored rows of `keys` (each the key's columns after the slot), by key: one
    query per value of the key's other columns, each an indexed search (SQLite searches
    `(a, b) IN (VALUES ...)` by the slot alone, every row of the folder)."""
    if len(key) == len(db.execute(f"PRAGMA table_info({table})").fetchall()):
        return {found: (slot, *found) for found in keys}  # a row is its key
    *prefix, last = key[1:]
    lasts: dict[tuple, list] = {}
    for found in keys:
        lasts.setdefault(found[:-1], []).append(found[-1])
    where = " AND ".join(f"{column} = ?" for column in ("slot", *prefix))
    rows = {}
    for head, values in lasts.items():
        marks = ", ".join("?" * len(values))
        for row in db.execute(f"SELECT * FROM {table} WHERE {where} AND "  # noqa: S608
                              f"{last} IN ({marks})", (slot, *head, *values)):
            rows[row[1:len(key)]] = row
    return rows


# ----- reading
@dataclass
class PartialModel:
    """The rows of one output folder's saved model, read as they are asked for. Each
    article row is unpickled once: `saved` gives the model's version (the pages hold
    it, and `reuse.with_edits` matches it by identity), `current` the version edited
    since, if any."""

    store: Store
    slot: str
    edited: dict[str, Article] = field(default_factory=dict)
    """Key → its version edited since the model was saved."""
    _saved: dict[str, Article] = field(default_factory=dict)
    _row: SiteRow | None = None
    _shared: dict[str, object] = field(default_factory=dict)
    """Key → a shared value (`rowpickle`), unpickled once: the rows holding it hold
    one object, as the model they were saved from did."""
    _blobs: dict[str, bytes] = field(default_factory=dict)
    """Shared values read but not yet unpickled (`load_whole` reads them all at once)."""

    def holds(self, key: str) -> bool:
        """Whether the rows are of the model of `key` (the head's key and generation)."""
        rows = self._rows("SELECT key FROM models WHERE slot = ?", (self.slot,))
        return bool(rows) and rows[0][0] == key

    def site_row(self, key: str) -> SiteRow | None:
        """The site's row, when it is of `key` (its articles the current versions)."""
        rows = self._rows("SELECT key, value FROM models WHERE slot = ?", (self.slot,))
        if not rows or rows[0][0] != key:
            return None
        row = self._load(rows[0][1], self.current)
        if not isinstance(row, SiteRow) or not isinstance(row.site, Site):
            raise CacheDamaged(f"its saved model: a {type(row).__name__}, not a site")
        self._row = row
        return row

    def saved(self, key: str) -> Article:
        found = self.find(key)
        if found is None:
            raise CacheDamaged(f"its saved model: no row of {key}")
        return found

    def find(self, key: str) -> Article | None:
        """The model's version of the article of `key`; None when it has none (a source
        held back)."""
        found = self._saved.get(key)
        if found is None:
            rows = self._rows("SELECT value FROM articles WHERE slot = ? AND key = ?",
                              (self.slot, key))
            if not rows:
                return None
            found = _article(self._load(rows[0][0]))
            self._saved[key] = found
        return found

    def current(self, key: str) -> Article:
        return self.edited.get(key) or self.saved(key)

    def pages(self, indexes: list[int]) -> list[tuple[Page, str]]:
        """The pages at `indexes` (their articles the saved versions) and their
        fingerprints."""
        if not indexes:
            return []
        marks = ",".join("?" * len(indexes))
        rows = self._rows(f"SELECT page, fingerprint, value FROM pages WHERE slot = ? AND "  # noqa: S608
                          f"page IN ({marks}) ORDER BY page", (self.slot, *indexes))
        if len(rows) != len(indexes):
            raise CacheDamaged("its saved model: a page row is missing")
        found = [(self._load(value, self.saved), fp) for _i, fp, value in rows]
        if not all(isinstance(page, Page) for page, _fp in found):
            raise CacheDamaged("its saved model: a page row holds no page")
        return found

    def order(self) -> list[str]:
        """Every article's key in the site's order (newest first)."""
        return self.sliced("order")

    def sliced(self, name: str) -> list:
        """The values the rows `name:N` hold, in order (`_sliced`)."""
        values, number = [], 0
        for row_name, value in self._rows(
                "SELECT name, value FROM rows WHERE slot = ? AND name > ? AND name < ? "
                "ORDER BY name", (self.slot, f"{name}:", f"{name};")):
            part = self._load(value)
            if row_name != f"{name}:{number:06d}" or not isinstance(part, tuple):
                raise CacheDamaged(f"its saved model: its rows of {name} are not in order")
            values.extend(part)
            number += 1
        if not number:
            raise CacheDamaged(f"its saved model: no rows of {name}")
        return values

    def shown_keys(self, indexes: list[int]) -> list[tuple[int, tuple[str, ...]]]:
        """(index, the keys of the articles the page shows) of the pages at `indexes`:
        their rows unpickled with no article nor shared value read (a key stands for
        each)."""
        marks = ",".join("?" * len(indexes))
        found = []
        for index, value in self._rows(f"SELECT page, value FROM pages WHERE slot = ? AND "  # noqa: S608
                                       f"page IN ({marks}) ORDER BY page",
                                       (self.slot, *indexes)):
            page = loads(value, "its saved model", str, str)
            if not isinstance(page, Page):
                raise CacheDamaged("its saved model: a page row holds no page")
            found.append((index, ((page.article,) if page.article is not None else ())
                          + tuple(page.items)))
        return found

    def group(self, story: str) -> tuple[Article, ...] | None:
        """The story's versions (their current ones), in language order; None when it
        has none published (every version archived)."""
        rows = self._rows("SELECT value FROM rows WHERE slot = ? AND name = ?",
                          (self.slot, f"story:{story}"))
        if not rows:
            return None
        return tuple(self.current(key) for key in self._load(rows[0][0]))

    def feeds_carrying(self, stories: set[str]) -> list[FeedRow]:
        """The feeds whose entries include a version of any of `stories`."""
        marks = ",".join("?" * len(stories))
        rows = self._rows("SELECT value FROM rows WHERE slot = ? AND name IN (SELECT DISTINCT "  # noqa: S608
                          f"name FROM feed_deps WHERE slot = ? AND story IN ({marks})) "
                          "ORDER BY name", (self.slot, self.slot, *sorted(stories)))
        return [self._load(value, self.current) for (value,) in rows]

    def page_refs(self, kinds: tuple[str, ...]) -> list[PageRef]:
        """Every page of these kinds, as the search index needs it (no row unpickled)."""
        marks = ",".join("?" * len(kinds))
        return [PageRef(*row) for row in self._rows(
            f"SELECT kind, lang, url FROM pages WHERE slot = ? AND kind IN ({marks}) "  # noqa: S608
            "ORDER BY page", (self.slot, *kinds))]

    def shared(self, key: str):
        """The shared value of `key` (a photo's renditions, a listing's page URLs)."""
        found = self._shared.get(key)
        if found is None:
            blob = self._blobs.pop(key, None)
            if blob is None:
                rows = self._rows("SELECT value FROM shared WHERE slot = ? AND key = ?",
                                  (self.slot, key))
                if not rows:
                    raise CacheDamaged(f"its saved model: no shared value {key}")
                blob = rows[0][0]
            found = self._shared[key] = loads(blob, "its saved model")
            if not isinstance(found, SHARED_KINDS):
                raise CacheDamaged(f"its saved model: a {type(found).__name__} shared")
        return found

    def read_shared(self) -> None:
        """Read every shared value's row at once (a build loading the whole model)."""
        self._blobs.update(self._rows("SELECT key, value FROM shared WHERE slot = ?",
                                      (self.slot,)))

    def _load(self, blob: bytes, load_ref=None):
        return loads(blob, "its saved model", load_ref, self.shared)

    def _rows(self, sql: str, args: tuple) -> list:
        try:
            return self.store.db().execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise CacheDamaged(f"its saved model: {reason(exc)}") from exc


def _article(value) -> Article:
    if not isinstance(value, Article):
        raise CacheDamaged(f"its saved model: a {type(value).__name__}, not an article")
    return value


def load_whole(model: PartialModel, row: SiteRow) -> tuple[Site, tuple[Page, ...]]:
    """Every article and page of the model (the site without its config)."""
    model.read_shared()
    for key, value in model._rows("SELECT key, value FROM articles WHERE slot = ?",
                                  (model.slot,)):
        model._saved[key] = _article(model._load(value))
    order, groups = model.sliced("order"), model.sliced("groups")
    if (len(order), len(groups)) != (row.article_count, row.group_count):
        raise CacheDamaged("its saved model: its order rows are not its articles")
    site = structs.replace(row.site, articles=tuple(model.saved(k) for k in order), groups=tuple(
        (story, tuple(model.saved(k) for k in keys)) for story, keys in groups))
    pages = tuple(model._load(value, model.saved) for (value,) in model._rows(
        "SELECT value FROM pages WHERE slot = ? ORDER BY page", (model.slot,)))
    if len(pages) != row.page_count or not all(isinstance(p, Page) for p in pages):
        raise CacheDamaged("its saved model: its page rows are not its pages")
    return site, pages
