"""The last command-line build's model saved in the build store (`buildstore`): its head
(a row of `heads`), the site and page plan (a row of `models`), each page's URL and
fingerprint (`pages`), what each page shows (`page_deps`, the inverse index) and the
article and card fingerprints (`fingerprints`): their format, saving and loading. How a
build uses them: `savedstore` and docs/incremental.md."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..buildstore import Store
from ..digests import digest
from ..errors import Problem
from ..incremental.cache import layout_digest
from ..incremental.cachedamage import CacheDamaged, reason, unpickled
from ..incremental.inputstats import InputStats
from ..incremental.sharedprints import shared_fingerprints
from ..model import Article
from ..outputs.pages import Page
from . import faults
from .modelrows import (
    FeedRow,
    PartialModel,
    SavedModel,
    SiteRow,
    load_whole,
    replace_rows,
    write_rows,
)
from .rowpickle import RowPickler

FORMAT = 7
MOST_KEPT_EDITS = 64
"""Edited articles the head carries before the next build saves the whole model again."""


@dataclass
class SavedHead:
    key: str
    """The cache key and the options that shape the site: another key, another site."""
    generation: str
    """Names the model file this head goes with."""
    output: str
    build_id: str
    """The output folder's build, which the cache's record of it must name too."""
    written_ns: int
    valid_until: dt.datetime
    """When the clock alone changes the site (`schedule.next_change`)."""
    stats: dict[str, tuple[int, int, int]]
    """The stat of every input file (sources, photos, theme, catalogs, config) whose
    stat changed since the `inputs` row was written; the others are `inputs`'."""
    warnings: tuple[Problem, ...]
    """What reading, assembling and the photos reported (the catalogs report theirs
    again every build)."""
    site_fingerprint: str
    templates: dict[str, str]
    edits: dict[str, Article] = field(default_factory=dict)
    """Source path → its version edited since the model was saved."""
    digests: dict[str, str] = field(default_factory=dict)
    """Source path → the digest of the bytes the model was made from (the cache entry's),
    for the sources whose digest changed since the `inputs` row was written; the others
    are `known`'s. A source whose stat changed is compared with it by its bytes, without
    the cache's row (a fresh clone gives every file a new stat)."""
    base: str = ""
    """Names the row of `heads` (`<slot>/inputs`) holding `inputs` and `known` as a build
    left them; the head's row holds the entries of `changed` alone ("": none)."""
    changed: frozenset[str] = frozenset()
    """The paths whose stat or digest changed since the base row was written."""
    inputs: InputStats | None = None
    """Every input's stat as arrays in walking order (`inputstats`): loaded from the
    base row, or, given to `save`, written as a new one."""
    known: bytes = b""
    """Every input's digest in the same order, `DIGEST_BYTES` each (zeros: none, not a
    source): one bytes object to load instead of a dict of 60,000 strings."""

    def digest_of(self, path: str, index: int) -> str | None:
        """The digest of the bytes the model was made from of the input at `index` of
        the walk (-1: look in `digests` alone)."""
        found = self.digests.get(path)
        if found is not None or index < 0:
            return found
        raw = self.known[index * DIGEST_BYTES:(index + 1) * DIGEST_BYTES]
        return raw.hex() if raw.strip(b"\0") else None


DIGEST_BYTES = 16
"""A digest's bytes in `SavedHead.known` (`digests.digest`'s 32 hex digits)."""


def pack_digests(digests) -> bytes:
    """Digests (hex, or None) as `SavedHead.known` holds them."""
    # Into one buffer as they come (a join would hold a bytes object for each first).
    blank, packed = bytes(DIGEST_BYTES), bytearray()
    for found in digests:
        packed += _packed(found) if found else blank
    return bytes(packed)


def _packed(found: str) -> bytes:
    raw = bytes.fromhex(found)
    if len(raw) != DIGEST_BYTES:
        raise ValueError(f"a digest of {len(raw)} bytes")
    return raw


def patch_digests(known: bytes, digests: dict[str, str], index: dict[str, int]) -> bytes:
    """`known` with the digests of `digests` (by path; `index`: path → position)."""
    patched = bytearray(known)
    for path, found in digests.items():
        at = index[path] * DIGEST_BYTES
        patched[at:at + DIGEST_BYTES] = _packed(found)
    return bytes(patched)


MOST_CHANGED = 1024
"""Files whose stat changed since the base row (or a quarter of the inputs, when fewer)
before a build writes it again (a body edit writes its head's few changes; a fresh
clone, every file's new stat, once)."""


def key_of(cache_key: str, shape: tuple) -> str:
    """`cache_key` (Dateline's version, settings, the layout of the values the cache
    holds), the layout of the model's values and the options that shape the site."""
    return f"{_release_of(cache_key)}{shape!r}"


def _release_of(cache_key: str) -> str:
    return f"{FORMAT}|{cache_key}|{_layout()}|"


def saved_by_another_release(store: Store, output: Path, cache_key: str) -> bool:
    """Whether the head saved for `output` was saved by another Dateline (its format or
    the layout of the model's values differ) under the same cache: the build plans the
    whole site again once, which at scale takes minutes, so it says why."""
    rows = _rows(store, "SELECT key FROM heads WHERE slot = ?", (slot_of(output),))
    return bool(rows) and not rows[0][0].startswith(_release_of(cache_key))


@functools.cache
def _layout() -> str:
    # Values are pickled as their constructor's arguments: a model saved before a field
    # was added, removed or moved would load with values in the wrong fields.
    return layout_digest(model_kinds())


def slot_of(output: Path) -> str:
    """The rows of one output folder (a digest of its path): a clean build into another
    folder, or a second site built beside the first, leaves this one's alone."""
    return digest(str(output), size=8)


def save(store: Store | None, output: Path, head: SavedHead, model: SavedModel | None,
         fingerprints: Iterable[tuple[str, int]] = ()) -> None:
    """Write the head, and the model when given (a build that planned afresh), in one
    transaction. Only an optimisation: when the disk refuses (full, read-only), the next
    build takes the full path, and this one still succeeds. Every input's stat and digest
    (`head.inputs`, `head.known`) are written in a row of their own when given (new, or
    many changed); else the head's row holds the changes alone. `fingerprints`:
    (fingerprint, page) of the saved model's pages rendered again after a template
    edit."""
    if store is None:
        return
    slot = slot_of(output)
    try:
        with store.transaction() as db:
            if model is not None:
                _write_model(db, slot, head.key, model)
            db.executemany("UPDATE pages SET fingerprint = ? WHERE slot = ? AND page = ?",
                           ((fp, slot, page) for fp, page in fingerprints))
            stored = head
            if head.inputs is not None:
                base = f"{head.generation}|{os.urandom(8).hex()}"
                inputs = head.inputs
                db.execute("INSERT OR REPLACE INTO heads VALUES (?, ?, ?)",
                           (f"{slot}/inputs", base, _dumps((
                               inputs.names, inputs.times, inputs.sizes, inputs.inodes,
                               head.known))))
                stored = replace(head, stats={}, digests={}, base=base, changed=frozenset())
            db.execute("INSERT OR REPLACE INTO heads VALUES (?, ?, ?)",
                       (slot, head.key, _dumps(replace(stored, inputs=None, known=b""))))
            faults.point("store.model")  # where tests kill a build mid-transaction
    except (sqlite3.Error, OSError):
        try:
            with store.transaction() as db:
                db.execute("DELETE FROM heads WHERE slot IN (?, ?)", (slot, f"{slot}/inputs"))
        except sqlite3.Error:
            pass  # the key of a head that was not written names no model of it


def _write_model(db: sqlite3.Connection, slot: str, key: str, model: SavedModel) -> None:
    write_rows(db, slot, f"{key}|{model.generation}", model)
    replace_rows(db, "page_deps", ("slot", "dep"), slot, (
        (slot, dep, pages) for dep, pages in inverse_rows(model.pages)))
    replace_rows(db, "fingerprints", ("slot", "kind", "url"), slot, (
        (slot, kind, url, fp) for kind, by_url in model.shared.items()
        for url, fp in by_url.items()))


def shows(page: Page) -> set[str]:
    """What a page shows, as keys of the inverse index: its template, its article (and
    the article's story: a translation's page shows its card), the articles it lists
    (`related:` the related stories an article page links to), and the section, tags
    and authors it is about."""
    return {f"{kind}:{key}" for kind in _KINDS for key in _shown(page, kind)}


_KINDS = ("article", "author", "related", "section", "story", "tag", "template")
"""The kinds of key of the inverse index, in their order."""


def _shown(page: Page, kind: str, lang: str | None = None) -> list[str]:
    """The keys of `kind` that `page` shows, without their kind; of an article's kind
    (`article`, `related`), only those of `lang`'s articles when it is given."""
    article = page.article
    if kind == "template":
        return [page.template]
    if kind in ("article", "related"):
        # An article page's items are its related stories, shown as links (title,
        # date), which no body edit changes: indexed apart, so a body edit does not
        # look at them.
        shown = list(page.items) if (kind == "related") == (page.kind == "article") else []
        if kind == "article" and article is not None:
            shown.append(article)
        return [a.source.path for a in shown if lang is None or a.lang == lang]
    if kind == "story":
        return [article.translation_key] if article is not None else []
    keys = []
    if article is not None:
        keys = ([f"{article.lang}:{article.section}"] if kind == "section"
                else [f"{article.lang}:{tag}" for tag in article.tags] if kind == "tag"
                else list(article.authors))
    if page.kind == kind and page.key:
        keys.append(page.key if kind == "author" else f"{page.lang}:{page.key}")
    return keys


def inverse_rows(pages: Sequence[Page]) -> Iterator[tuple[str, bytes]]:
    """Each key a page shows (`shows`) → the pages showing it, in plan order as 32-bit
    numbers (`pack`), in the order of the keys. Made a kind of key at a time, an
    article's kinds a language at a time: what is in memory is that part of the index
    (the whole index was ~23 MiB at 60,000 articles, at the build's last step, where
    it holds the most; issue 19). Each part is a dict from the strings the model holds
    (an article's path, a story's key) to an array of numbers: a list held a pointer and
    a number object a page."""
    langs = sorted({page.lang for page in pages}
                   | {article.lang for page in pages for article in page.items})
    for kind in _KINDS:
        for lang in langs if kind in ("article", "related") else [None]:
            index: dict[str, array] = {}
            for i, page in enumerate(pages):
                for key in dict.fromkeys(_shown(page, kind, lang)):
                    pages_of = index.get(key)
                    if pages_of is None:
                        pages_of = index[key] = array("I")
                    pages_of.append(i)
            for key in sorted(index):
                yield f"{kind}:{key}", index.pop(key).tobytes()


def showing_keys(edits: list[tuple[Article, Article]]) -> list[str]:
    """The index keys of the pages that show the edited articles: their own (and the
    listings with their cards), their stories' (their translations show a card), and,
    for a retitled article, the article pages linking to it as a related story (a link
    shows its title and date; a body edit changes neither)."""
    return sorted({f"article:{old.source.path}" for old, _new in edits}
                  | {f"story:{old.translation_key}" for old, _new in edits}
                  | {f"related:{old.source.path}" for old, new in edits
                     if new.title != old.title})


def pages_showing(store: Store, output: Path, keys: list[str]) -> list[int]:
    """The pages of the saved model that show any of `keys` (`shows`), in plan order:
    found through the index, not by looking at every page."""
    return pages_showing_in(store, slot_of(output), keys)


def pages_showing_in(store: Store, slot: str, keys: list[str]) -> list[int]:
    marks = ",".join("?" * len(keys))
    rows = _rows(store, f"SELECT pages FROM page_deps WHERE slot = ? AND dep IN ({marks})",
                 (slot, *keys))  # noqa: S608
    try:
        return sorted({page for (packed,) in rows for page in unpack(packed)})
    except (TypeError, ValueError) as exc:  # not bytes, or cut off mid-number
        raise CacheDamaged(f"its inverse index: {reason(exc)}") from exc


# One row per key, its pages packed as 32-bit numbers: the index of 3,000 articles is ~10k
# rows instead of 70k (a template's row lists every page of its kind).
def pack(pages: list[int] | array) -> bytes:
    return (pages if isinstance(pages, array) else array("I", pages)).tobytes()


def unpack(packed: bytes) -> array:
    pages = array("I")
    pages.frombytes(packed)
    return pages


def load_head(store: Store, output: Path, key: str) -> SavedHead | None:
    """The head saved for `output` under `key`; None when there is none or it was saved
    for another key (another version, layout or settings); CacheDamaged when it cannot
    be read (cut off, random bytes, a class that moved, a value of another kind)."""
    slot = slot_of(output)
    rows = _rows(store, "SELECT key, value FROM heads WHERE slot = ?", (slot,))
    if not rows or rows[0][0] != key:
        return None  # values of another layout are never unpickled
    head = _checked(unpickled(rows[0][1], "its saved head"), SavedHead, "head")
    rows = _rows(store, "SELECT key, value FROM heads WHERE slot = ?", (f"{slot}/inputs",))
    if not rows or rows[0][0] != head.base:
        return None  # a head whose inputs were not written with it (never committed)
    base = unpickled(rows[0][1], "its saved inputs")
    if not _is_inputs_row(base):
        raise CacheDamaged(f"its saved inputs: a {type(base).__name__}, not its arrays")
    names, times, sizes, inodes, known = base
    return replace(head, inputs=InputStats(names, times, sizes, inodes), known=known)


def _is_inputs_row(base) -> bool:
    if not (isinstance(base, tuple) and len(base) == 5 and isinstance(base[0], str)
            and all(isinstance(part, bytes) for part in base[1:])):
        return False
    count = len(base[1]) // 8
    return (len(base[1]) == len(base[2]) == len(base[3]) == count * 8
            and len(base[4]) == count * DIGEST_BYTES)


def load_model(store: Store, output: Path, key: str) -> SavedModel | None:
    """The whole model saved for `output` under `key` (the head's key and generation):
    every article and page row (a build that cannot take the partial path)."""
    rows = PartialModel(store, slot_of(output))
    row = rows.site_row(key)
    if row is None:
        return None
    site, pages = load_whole(rows, row)
    slot = slot_of(output)
    fingerprints = tuple(fp for (fp,) in _rows(
        store, "SELECT fingerprint FROM pages WHERE slot = ? ORDER BY page", (slot,)))
    shared = shared_fingerprints()
    for kind, url, fp in _rows(store, "SELECT kind, url, fingerprint FROM fingerprints "
                               "WHERE slot = ?", (slot,)):
        if kind in shared:  # (a kind this version does not know: not kept)
            shared[kind][url] = fp
    return SavedModel(key.rsplit("|", 1)[-1], site, pages, fingerprints, shared)


def open_rows(store: Store, output: Path, edited: dict[str, Article]) -> PartialModel:
    """The saved model's rows, read as they are asked for (`modelrows`)."""
    return PartialModel(store, slot_of(output), edited)


def _checked(value, kind: type, what: str):
    if not isinstance(value, kind):
        raise CacheDamaged(f"its saved {what}: a {type(value).__name__}, not a {kind.__name__}")
    return value


def _rows(store: Store, sql: str, args: tuple) -> list:
    try:
        return store.db().execute(sql, args).fetchall()
    except sqlite3.Error as exc:
        raise CacheDamaged(f"its saved model: {reason(exc)}") from exc


def _dumps(value) -> bytes:
    return RowPickler().dumps(value)


def model_kinds() -> tuple[type, ...]:
    """Every class of Dateline's whose values the saved model pickles."""
    from .. import errors, model
    from ..outputs import pages
    from ..outputs.content_view import Entry
    from ..outputs.partialview import LanguageRow
    from ..photos import photos
    from ..photos.social import SocialCrops

    return (model.Article, model.Correction, model.Image, model.Asset, model.Site, model.Timeline,
            pages.Page,
            pages.Pagination, errors.SourceRef, errors.Problem, photos.Picture,
            photos.Rendition, photos.Job, photos.SourceInfo, SavedHead, SavedModel,
            SocialCrops, SiteRow, FeedRow, LanguageRow, Entry)
