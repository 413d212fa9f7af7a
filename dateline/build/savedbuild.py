"""The last command-line build's model, saved in the build cache so that the next build
after an edit which changed only article bodies skips reading, assembling and planning
the whole site: the command-line twin of what the preview server keeps in memory
(`lastbuild`).

A command-line build is a new process: without this, it makes the model of every
article again (its Document, fields, Article, page plan and fingerprints) to find the
one page that changed. With it, the build compares every input file's stat with the
saved ones; when only Markdown sources differ, it reads those alone, and when each kept
its front matter byte for byte and its body shows the same photos, it renders those
bodies, swaps the new versions into the saved model and goes on from there.

Two files per output folder: the model (`last-build-*.pickle`: site, page plan,
fingerprints), written by a build that planned the site afresh, and a small head
(`last-build-*.head`: the stat of every input the model was made from, and the articles
edited since), rewritten by every build. The pages fingerprinted again are those showing
an edited article (`lastbuild.with_edits`); the feeds are made again only where they
carry one. Anything else (an article added or removed, front matter, a photo, a
template, a catalog, the config changed; the clock passed a scheduled article) takes
the full path, which saves a new model.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import functools
import hashlib
import io
import operator
import os
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from msgspec import structs

from .. import locales_dirs_for
from ..atomic import replacing
from ..bodies import body_id
from ..config import Config
from ..errors import Problem, Problems, display_path
from ..incremental.cache import BuildCache, SourceEntry, layout_digest, stat_key
from ..incremental.cachedamage import CacheDamaged, reason, unpickled
from ..incremental.fingerprints import digest
from ..incremental.lastbuild import MOST_EDITS, with_edits
from ..incremental.state import RACY_NS
from ..inputs import is_readable
from ..model import Article, Site
from ..outputs.pages import Page
from ..photos.photos import PhotoError
from ..read import Document, front_digest, split_source
from ..urls import Linker
from .markup import render_body
from .prepare import source_entry

MODEL = "last-build-{}.pickle"
HEAD = "last-build-{}.head"
"""One pair per output folder (named by a digest of its path): a clean build into
another folder, or a second site built beside the first, leaves this one's alone."""
FORMAT = 1
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
    """When the clock alone changes the site (`state.next_change`)."""
    stats: dict[str, tuple[int, int, int]]
    """Every input file's stat (sources, photos, theme, catalogs, config)."""
    warnings: tuple[Problem, ...]
    """What reading, assembling and the photos reported (the catalogs report theirs
    again every build)."""
    site_fingerprint: str
    templates: dict[str, str]
    edits: dict[str, Article] = field(default_factory=dict)
    """Source path → its version edited since the model was saved."""


@dataclass
class SavedModel:
    generation: str
    site: Site
    """Without its config (the build's own is put back)."""
    pages: tuple[Page, ...]
    fingerprints: tuple[str, ...]
    shared: dict[str, dict[str, str]]
    """Article and card fingerprints by URL (`PageFingerprints`)."""


@dataclass
class BodyEdits:
    """What the build needs from a saved model to go on after body-only edits."""

    head: SavedHead
    site: Site
    pages: tuple[Page, ...]
    fingerprints: list[str]
    """Of the pages before this build's edits."""
    shared: dict[str, dict[str, str]]
    versions: dict[str, Article]
    """Source path → its edited version, for every article edited since the model was
    saved (this build's edits included)."""
    edited: list[int]
    """Indexes of the pages to fingerprint again (`lastbuild.with_edits`)."""
    entries: dict[str, SourceEntry]
    """The cache's new entries for the sources read again."""
    bodies: list[str]
    """Their rendered bodies, for the body store."""


def key_of(cache_key: str, shape: tuple) -> str:
    """`cache_key` (Dateline's version, settings, the layout of the values the cache
    holds), the layout of the model's values and the options that shape the site."""
    return f"{FORMAT}|{cache_key}|{_layout()}|{shape!r}"


@functools.cache
def _layout() -> str:
    # Values are pickled as their constructor's arguments: a model saved before a field
    # was added, removed or moved would load with values in the wrong fields.
    return layout_digest(model_kinds())


def body_edits(folder: Path, key: str, output: Path, build_id: str | None,
               stats: dict[str, os.stat_result], now: dt.datetime, cache: BuildCache,
               config: Config, linker: Linker, photos, site_fp: str,
               templates: dict[str, str]) -> BodyEdits | None:
    """The saved model with the edits since it was saved applied, when every input that
    changed since is a published source whose body alone changed (or a file whose bytes
    did not); None otherwise."""
    head = _load(_file(folder, HEAD, output), key, SavedHead)
    if (head is None or head.output != str(output)
            or build_id is None or head.build_id != build_id or now >= head.valid_until
            or (head.site_fingerprint, head.templates) != (site_fp, templates)):
        return None
    changed = _changed_files(head, stats)
    if changed is None or len(changed) > MOST_EDITS:
        return None
    entries, bodies, new_entries = {}, [], {}
    checked = _checked_by_fingerprints(config)
    for path in changed:
        if not is_readable(stats[path]):
            return None  # a named pipe, a link leading outside: the full path names it
        entry = cache.data.sources.get(path)
        if entry is None:
            if path == checked[0] or path.startswith(checked[1:]):
                continue
            if not _same_photo(Path(path), cache, photos):
                return None  # a photo changed, or another file under content/
            continue
        read = _read_again(Path(path), entry, stats[path], head, config.paths.content,
                           config.paths.root, linker, photos)
        if read is None:
            return None
        entries[path], body = read
        if body is not None:
            bodies.append(body)
            new_entries[path] = entries[path]
    if len(head.edits) + len(new_entries) > MOST_KEPT_EDITS:
        return None  # the next build saves the whole model again
    model = _load(_file(folder, MODEL, output), f"{key}|{head.generation}", SavedModel)
    if model is None:
        return None
    # Each edited article's version: from this build, else from the build that last
    # edited it; the model's pages show the version it was saved with.
    # (Found by the path as shown, a plain string: 3,000 Paths printed cost 5 ms.)
    wanted = {display_path(Path(path), config.paths.root): path
              for path in {*head.edits, *new_entries}}
    saved = {wanted[a.source.path]: a for a in model.site.articles if a.source.path in wanted}
    versions = dict(head.edits)
    for path, entry in new_entries.items():
        article = versions.get(path) or saved.get(path)
        if article is None:
            return None  # held back: the full path says why
        versions[path] = structs.replace(article, digest=entry.digest, body_id=entry.body_id)
    # Pages of every article edited since the model was saved are fingerprinted again
    # (most are as the build that edited them left them, and stay unrendered).
    edits = [(saved[path], article) for path, article in versions.items()]
    pages, edited = with_edits(model.pages, edits)
    new_version = {id(a): b for a, b in edits}
    site = model.site.with_articles(tuple(new_version.get(id(a), a)
                                          for a in model.site.articles))
    shared = model.shared
    for article in versions.values():  # hashed again: its body changed
        shared["articles"].pop(article.url, None)
        shared["cards"].pop(article.url, None)
    return BodyEdits(head, structs.replace(site, config=config), tuple(pages),
                     list(model.fingerprints), shared, versions, edited, entries, bodies)


def _changed_files(head: SavedHead, stats: dict[str, os.stat_result]) -> list[str] | None:
    """Files whose stat differs from the saved one or cannot vouch for them (modified
    just before the head was written); None when a file was added or removed."""
    saved = head.stats
    if len(saved) != len(stats):
        return None
    racy = head.written_ns - RACY_NS
    changed = []
    for path, stat in stats.items():
        known = saved.get(path)
        if known is None:
            return None
        if known != stat_key(stat) or stat.st_mtime_ns >= racy:
            changed.append(path)
    return changed


def _checked_by_fingerprints(config: Config) -> tuple[str, ...]:
    """The config file, then the folders of the theme and of the catalogs: what they
    hold counts through the site's and the templates' fingerprints, compared with the
    saved ones from the files' bytes (theme assets are copied by every build)."""
    return (str(config.config_path), str(config.theme_dir) + os.sep,
            *(str(folder) + os.sep for folder in locales_dirs_for(config.paths.locales)))


def _same_photo(path: Path, cache: BuildCache, photos) -> bool:
    """Whether a photo under content/ whose stat changed still has the bytes the last
    build made its renditions from."""
    known = cache.data.photos.get(str(path))
    if known is None:
        return False
    try:
        photo_digest, _info = photos.source(path)
    except (OSError, PhotoError):
        return False
    return photo_digest == known[1]


def _read_again(path: Path, entry: SourceEntry, stat: os.stat_result, head: SavedHead,
                content_dir: Path, root: Path, linker: Linker, photos
                ) -> tuple[SourceEntry, str | None] | None:
    """The source's new cache entry and its rendered body (None when its bytes are the
    same); None when more than its body changed, or reading it found any problem."""
    raw = path.read_bytes()
    file_digest = digest(raw)
    if file_digest == entry.digest:
        return replace(entry, stat=stat_key(stat)), None
    if not entry.front:
        return None
    problems = Problems()
    ref = display_path(path, root)
    split = split_source(raw, ref, problems)
    if split is None:
        return None
    yaml_text, body, body_line = split
    if front_digest(yaml_text, body_line) != entry.front:
        return None
    if any(w.where.path == ref for w in head.warnings):
        return None  # its problems are reported from the full path's reading
    # Only its body is rendered here: the front matter, the same as before, is not read
    # (nor the cache's table of what it parsed to).
    doc = Document(path=path, ref=ref, parts=path.relative_to(content_dir).parts,
                   meta={}, key_lines={}, body=body, body_line=body_line, digest=file_digest,
                   front=entry.front)
    html, images, links = render_body(doc, content_dir, linker, problems, photos)
    if problems.errors or problems.warnings:
        return None
    new = source_entry(doc, stat_key(stat), body_id(html), images, links)
    if new.images != entry.images:
        return None  # other photos in the body: other renditions to publish
    if new.links != entry.links:
        return None  # links to other articles: the full path resolves them
    return new, html


def save(folder: Path, output: Path, head: SavedHead, model: SavedModel | None) -> None:
    """Write the head, and the model when given (a build that planned afresh). Only an
    optimisation: when the disk refuses (full, read-only), the next build takes the full
    path, and this one still succeeds."""
    try:
        if model is not None:
            site = structs.replace(model.site, config=None)
            _write(_file(folder, MODEL, output), f"{head.key}|{head.generation}",
                   replace(model, site=site))
        _write(_file(folder, HEAD, output), head.key, head)
    except OSError:
        _file(folder, HEAD, output).unlink(missing_ok=True)


def _file(folder: Path, pattern: str, output: Path) -> Path:
    name = hashlib.blake2b(str(output).encode(), digest_size=8).hexdigest()
    return folder / pattern.format(name)


def _write(path: Path, key: str, value) -> None:
    with replacing(path) as handle:
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _path_reducers()
        pickler.dump(key)  # read first: values of another layout are never unpickled
        pickler.clear_memo()  # each is read by an unpickler of its own
        pickler.dump(value)


def _path_reducers() -> dict:
    """How the model's paths are pickled: as their folder (one object for all its files)
    and their name, joined again when loaded, twice as fast as parsing each whole path.
    (The model's values are msgspec Structs, pickled as their constructor's arguments.)"""
    folders: dict[str, PurePath] = {}

    def path_reducer(path: PurePath):
        folder = path.parent
        if folder == path:
            return type(path), (str(path),)
        return operator.truediv, (folders.setdefault(str(folder), folder), path.name)

    table = dict(copyreg.dispatch_table)
    table[type(Path())] = path_reducer
    return table


def model_kinds() -> tuple[type, ...]:
    """Every class of Dateline's whose values the saved model pickles."""
    from .. import errors, model
    from ..outputs import pages
    from ..photos import photos

    return (model.Article, model.Correction, model.Image, model.Asset, model.Site, pages.Page,
            pages.Pagination, errors.SourceRef, errors.Problem, photos.Picture,
            photos.Rendition, photos.Job, photos.SourceInfo, SavedHead, SavedModel)


def _load(path: Path, key: str, kind: type):
    """The value saved in `path` for `key`; None when there is none or it was saved for
    another key (another version, layout or settings); CacheDamaged when it cannot be
    read (cut off, random bytes, a class that moved, a value of another kind)."""
    what = f"its saved model ({path.name})"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheDamaged(f"{what}: {reason(exc)}") from exc
    handle = io.BytesIO(data)
    try:
        saved_key = pickle.load(handle)
    except Exception as exc:  # noqa: BLE001 - every way a foreign pickle can fail
        raise CacheDamaged(f"{what}: {reason(exc)}") from exc
    if saved_key != key:
        return None  # values of another layout are never unpickled
    value = unpickled(memoryview(data)[handle.tell():], what)
    if not isinstance(value, kind):
        raise CacheDamaged(f"{what}: a {type(value).__name__}, not a {kind.__name__}")
    return value


def discard(folder: Path) -> None:
    """Remove every saved model (the cache they go with was found damaged)."""
    for pattern in (MODEL, HEAD):
        for path in folder.glob(pattern.format("*")):
            path.unlink(missing_ok=True)

