"""Prepare sources: read each file and render its Markdown body, or take both from the
build cache when the file has not changed. Misses are spread over worker processes."""

from __future__ import annotations

import functools
import os
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from msgspec import Struct

from ..bodies import body_id
from ..crosslinks import Link
from ..digests import digest, stat_key
from ..errors import Problem, Problems, SourceRef, display_path
from ..incremental.cache import BuildCache, SourceEntry
from ..incremental.session import BuildMemory
from ..read import Document, below_of, read_document
from ..urls import Linker
from .frontrows import FrontRows, front_matter_of, pickled_row
from .markup import BodyImage, render_body
from .parallel import run_chunked, workers_for

if TYPE_CHECKING:
    from .renditions import PhotoLibrary


WAITING = MappingProxyType({})
"""The front matter of a document whose own waits in the cache's rows (`frontrows`):
assembling reads its fields from a copy of the document made with it."""

FLUSH_EVERY = 256
"""Rendered bodies held in memory before they are written to the body store."""


@dataclass(slots=True)
class Prepared:
    """A source file ready for assembling: its document and rendered body."""

    doc: Document
    body_id: str
    """The rendered body's key in the build's body store."""
    images: tuple[BodyImage, ...]
    entry: SourceEntry
    cached: bool
    valid: bool = True
    """False when reading or rendering the body found a problem (an error or a
    warning): never cached, so the problem is reported again."""
    front_row: int | None = None
    """Its front matter as the cache's row: its number in a command-line build's
    temporary file (`frontrows.FrontRows.keep`), read into a copy of the document only
    while assembling reads its fields."""


class SourceReading(Struct, frozen=True):
    """Where the sources are and what the build knows of them (shared with workers)."""

    content_dir: Path
    root: Path
    linker: Linker
    photos: PhotoLibrary | None = None
    stats: dict[str, os.stat_result] | None = None
    """The files' stats when the caller has just taken them."""
    changed: frozenset[Path] | None = None
    """When known (the preview server's watcher), the only files that may differ from
    what this process last prepared: the others are taken as they were."""


def prepare_sources(paths: list[Path], reading: SourceReading, cache: BuildCache,
                    memory: BuildMemory, jobs: int, problems: Problems,
                    cluster: Executor | None = None,
                    front_rows: FrontRows | None = None) -> list[Prepared]:
    """Every readable source, in the order given; problems are recorded, not raised.
    The front matter of the sources read goes to `front_rows`, when given, as it comes
    from the workers."""
    results, misses = _kept(paths, reading, cache, memory.prepared)
    work = [(str(path), stat) for path, stat in misses]
    # One path text per source: the one the walk made (a worker's result brings its own
    # copy, which its document and the article made from it would keep).
    walked = {text: (text, path)
              for (text, _stat), (path, _key) in zip(work, misses, strict=True)}
    for count, outcome in enumerate(_outcomes(work, reading,
                                              workers_for(cluster, jobs, len(work)))):
        problems.errors.extend(outcome.errors)
        problems.warnings.extend(outcome.warnings)
        if outcome.prepared is not None:
            cache.bodies.put(outcome.html)
            text, path = walked[outcome.path]
            _take_front_matter(outcome.prepared, outcome.front, front_rows, text)
            results[path] = outcome.prepared
        if count % FLUSH_EVERY == FLUSH_EVERY - 1:
            cache.bodies.flush()  # never every body of the archive in memory at once
    # Workers forked later (rendering pages) read the bodies from the store's file.
    cache.bodies.flush()
    memory.prepared = results
    ordered = [results[p] for p in paths if p in results]
    memory.prepared_paths = paths if all(p.valid for p in ordered) else []
    return ordered


def _kept(paths: list[Path], reading: SourceReading, cache: BuildCache,
          previous: dict[Path, Prepared]
          ) -> tuple[dict[Path, Prepared], list[tuple[Path, tuple[int, int, int]]]]:
    """The sources taken as they were (from this process's last build or the cache), and
    the others with their stat keys: to read and render."""
    stats, changed = reading.stats or {}, reading.changed
    content_dir, root = reading.content_dir, reading.root
    results: dict[Path, Prepared] = {}
    misses: list[tuple[Path, tuple[int, int, int]]] = []
    # A long-running process (the preview server) keeps what it prepared last time: an
    # unchanged entry gives the same document, which need not be made again.
    for path in paths:
        if (changed is not None and path in previous and path not in changed
                and previous[path].valid):
            results[path] = previous[path]
            results[path].cached = True
            continue
        stat = stats.get(str(path)) or path.stat()
        entry = cache.source(path, stat)
        if entry is None:
            misses.append((path, stat_key(stat)))
            continue
        known = previous.get(path)
        if known is not None and known.entry is entry and _images_unchanged(entry):
            known.cached = True
            results[path] = known
        elif prepared := _from_entry(path, entry, cache, content_dir, root):
            results[path] = prepared
        else:
            misses.append((path, stat_key(stat)))
    # Files whose stat changed but whose bytes did not (a checkout, a `touch`) are hits too.
    still = []
    for path, stat in misses:
        entry = None
        # A file no build has seen (every file, in a cold build) matches no entry: it is
        # not read here only to find that out (the worker reads it).
        if cache.knows_source(path):
            entry = cache.source_by_digest(path, digest(path.read_bytes()))
        prepared = _from_entry(path, entry, cache, content_dir, root) if entry else None
        if prepared is not None:
            # A new entry, not the cached one changed in place: the cache writes what
            # differs from what it read (see `cache._changes`).
            prepared.entry = replace(prepared.entry, stat=stat)
            prepared.cached = False  # the entry changed (its stat): the cache must be saved
            results[path] = prepared
        else:
            still.append((path, stat))
    return results, still


class _Outcome(Struct, frozen=True):
    """A worker's result: the body and the front matter (pickled as the cache's row)
    travel beside the prepared source, whose document's dict of it is empty."""

    path: str
    prepared: Prepared | None
    html: str
    errors: list[Problem]
    warnings: list[Problem]
    front: bytes = b""


def _take_front_matter(prepared: Prepared, front: bytes, rows: FrontRows | None,
                       path: str) -> None:
    """A source's front matter as the worker sent it: into `rows`' file (read back while
    assembling reads its fields), or into its document when there are no rows to keep or
    the file cannot take them. Its document is named by `path`, the walk's text.

    Issue 19: unpickled with the source, every file's dicts, keys and values were made
    in the coordinator between the strings its article keeps, and left pymalloc's
    arenas full of holes once the sources were settled (~20 MiB at 60,000 articles).
    A document whose front matter waits in the rows shares one empty mapping: a dict
    each was one more such hole."""
    if rows is not None:
        prepared.front_row = rows.keep(front)
        if prepared.front_row is not None:
            prepared.doc = replace(prepared.doc, path=path, meta=WAITING)
            return
    prepared.doc = replace(prepared.doc, path=path, meta=front_matter_of(front))


def _outcomes(work: list, reading: SourceReading, jobs: int | Executor):
    if not isinstance(jobs, Executor):
        # Forked workers start with `reading`, its photo library included: they see
        # what it read.
        yield from run_chunked(_prepare_one, work, jobs, shared=reading)
        return
    # A cluster's worker has no site files: each task carries its sources' bytes, read
    # as it is sent. A body that shows images needs the photos (their sizes, their
    # digests): it is made here.
    here: list = []
    remote = SourceReading(reading.content_dir, reading.root, reading.linker)
    yield from run_chunked(_prepare_one, work, jobs, shared=remote,
                           carry=functools.partial(_with_bytes, here))
    yield from (_prepare_one(reading, item) for item in here)


def _with_bytes(here: list, chunk: list) -> list:
    """The chunk's sources with their bytes, less those that show images: put in `here`."""
    sent = []
    for path_text, stat in chunk:
        raw = Path(path_text).read_bytes()
        (here if _shows_images(raw) else sent).append((path_text, stat, raw))
    return sent


def _shows_images(raw: bytes) -> bool:
    return b"![" in raw or b"<img" in raw.lower()


def _prepare_one(reading: SourceReading, item: tuple) -> _Outcome:
    """Worker: read one file (or take the bytes the item carries) and render its body (no
    cache involved); the body travels beside the result, for the parent to store."""
    path_text, stat = item[0], item[1]
    path, content_dir = Path(path_text), reading.content_dir
    problems = Problems()
    doc = read_document(path, content_dir, reading.root, problems,
                        item[2] if len(item) > 2 else None)
    if doc is None:
        return _Outcome(path_text, None, "", problems.errors, problems.warnings)
    html, images, links = render_body(doc, content_dir, reading.linker, problems,
                                      reading.photos)
    ident = body_id(html)
    entry = source_entry(doc, stat, ident, images, links)
    # A body problem does not stop the front matter from being checked too, so every
    # problem of the file is reported at once; such a file is never cached (a warning
    # too: it is reported again on every build until it is fixed).
    # The Markdown is rendered: the model needs its document without it (as a source
    # taken from the cache has it), and the parent holds every source's document. Its
    # front matter travels as the cache's row (`_take_front_matter`).
    front = pickled_row(doc.meta, doc.key_lines)
    prepared = Prepared(replace(doc, body="", meta={}), ident, tuple(images), entry,
                        cached=False, valid=not problems.errors and not problems.warnings,
)
    return _Outcome(path_text, prepared, html, problems.errors, problems.warnings, front)


def source_entry(doc: Document, stat: tuple[int, int, int], ident: str,
                 images: list[BodyImage], links: tuple[Link, ...] = ()) -> SourceEntry:
    """What the cache keeps of a source read and rendered."""
    return SourceEntry(stat=stat, digest=doc.digest, body_line=doc.body_line, body_id=ident,
                       images=tuple((str(i.source), i.url, _image_stat(i.source), i.picture,
                                     i.where.line) for i in images),
                       front=doc.front, links=links)


def _from_entry(path: Path, entry: SourceEntry, cache: BuildCache, content_dir: Path,
                root: Path) -> Prepared | None:
    front_matter = cache.front_matter(path)
    if front_matter is None or not _images_unchanged(entry):
        return None
    ref = display_path(path, root)
    meta, key_lines = front_matter
    doc = Document(path=str(path), ref=ref, below=below_of(path, content_dir),
                   meta=meta, key_lines=key_lines, body="",
                   body_line=entry.body_line, digest=entry.digest, front=entry.front)
    images = tuple(BodyImage(Path(source), url, picture, SourceRef(ref, line))
                   for source, url, _stat, picture, line in entry.images)
    return Prepared(doc, entry.body_id, images, entry, cached=True)


def _images_unchanged(entry: SourceEntry) -> bool:
    # A body image changed or deleted since the body was rendered: render it again (its
    # renditions are named by content, and a missing file must be reported).
    return all(_image_stat(Path(image[0])) == image[2] for image in entry.images)


def _image_stat(path: Path) -> tuple[int, int, int] | None:
    try:
        return stat_key(path.stat())
    except OSError:
        return None

