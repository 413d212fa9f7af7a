"""The saved model as a store of the last build (`reuse.ReuseStore`): a command-line
build compares every input file's stat with the saved ones, reads again only the sources
that changed, and keeps the saved plan when their bodies alone changed, or their front
matter in keys that keep the plan's shape (`frontedit`). See docs/incremental.md."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter
from pathlib import Path

from msgspec import Struct, structs

from .. import locales_dirs_for
from ..config import Config
from ..digests import THREADED_FROM, digest, file_digests, stat_key
from ..errors import display_path
from ..incremental.cache import BuildCache, SourceEntry
from ..incremental.inputstats import InputStats
from ..incremental.reuse import MOST_EDITS, Kept, LastModel, Probe, kept
from ..incremental.state import RACY_NS
from ..inputs import is_readable
from ..listings import WalkStats
from ..model import Article
from ..photos.photos import file_digest
from .context import BuildContext
from .frontedit import FrontEdit, words_inherited
from .partialstage import PartialKept, kept_partially
from .reread import Again, edited_version, read_again
from .savedbuild import (
    MOST_KEPT_EDITS,
    SavedHead,
    key_of,
    load_head,
    load_model,
    open_rows,
    pages_showing,
    saved_by_another_release,
    showing_keys,
)

MODEL_OF_ANOTHER_RELEASE = "its saved model was written by another version of Dateline"
"""Why a build planned the whole site again after an upgrade (once; said in one line)."""


class SavedEdits(Struct):
    """What the rest of the build needs of the saved model's edits."""

    head: SavedHead | None
    """None: the preview server's model stood for the sources (`memoryedits`)."""
    versions: dict[str, Article]
    """Source path → its edited version, for every article edited since the model was
    saved (this build's edits included)."""
    entries: dict[str, SourceEntry]
    """The cache's new entries for the sources read again."""
    bodies: list[str]
    """Their rendered bodies, for the body store."""
    fronts: dict[str, tuple[dict, dict]] = {}
    """The cache's new front matter (as loaded, the line of each key) of the sources
    whose front matter changed."""
    sitemapped: bool = False
    """Whether this build's edits changed what the sitemaps print of an article (its
    title in the news sitemap, its `modified` as a lastmod)."""
    partial: PartialKept | None = None
    """What the build holds of the saved model, when it read only part of it."""
    changed: list[str] = []
    """The input files whose stat changed since the head was saved (or is too recent
    to vouch for them): the next head records their stats."""


class SavedStore(Struct):
    ctx: BuildContext
    photos: object
    """The build's `PhotoLibrary`."""
    build_id: str
    """The output folder's build, which the head must name too."""
    saved: SavedEdits | None = None
    """After `kept` found the saved model standing: its edits."""

    def kept(self, probe: Probe) -> Kept | None:
        """The saved model with the edits since it was saved applied, when every input
        that changed since is a published source whose body alone changed, or its front
        matter in keys that keep the plan's shape (or a file whose bytes did not); None
        otherwise. Only the rows the edits touch are read (`partialstage`), unless the
        build is of some languages only or an edit needs the whole site (`_needs_whole`)."""
        key = key_of(self.ctx.cache.data.key, probe.shape)
        head = self._head(key, probe)
        read = self._read_changed(head) if head is not None else None
        if read is None:
            return None
        if len(head.edits) + len(read.bodies) > MOST_KEPT_EDITS:
            return None  # the next build saves the whole model again
        options = self.ctx.options
        if options.shard or options.languages:
            found = self._kept_whole(probe, head, read, f"{key}|{head.generation}")
        else:
            found = self._kept_partially(probe, head, read, f"{key}|{head.generation}")
        return found

    def _kept_partially(self, probe: Probe, head: SavedHead, read: _Reread, key: str
                        ) -> Kept | None:
        rows = open_rows(self.ctx.cache.store, self.ctx.begun.output, {})
        if not rows.holds(key):
            return None
        by_path = _edits(rows.find, head, read, self.ctx.config.paths.root,
                         self.ctx.begun.now)
        if by_path is None:
            return None
        if _needs_whole(by_path, read):
            return self._kept_whole(probe, head, read, key)
        found = kept_partially(rows, key, list(by_path.values()), probe, self.ctx.config)
        if found is None:
            return None
        kept_found, partial = found
        self.saved = _saved_edits(head, by_path, read, partial)
        return kept_found

    def _kept_whole(self, probe: Probe, head: SavedHead, read: _Reread, key: str
                    ) -> Kept | None:
        config, output = self.ctx.config, self.ctx.begun.output
        store = self.ctx.cache.store
        model = load_model(store, output, key)
        if model is None:
            return None
        saved = {a.source.path: a for a in model.site.articles}
        by_path = _edits(saved.get, head, read, config.paths.root, self.ctx.begun.now)
        if by_path is None or any(
                new.image != old.image and words_inherited(model.site.articles, old)
                for path, (old, new) in by_path.items() if path in read.fronts):
            return None
        edits = list(by_path.values())
        # The pages to look at, from the inverse index: those showing an edited article
        # or its story (its translations show its card), or linking to a retitled one.
        showing = pages_showing(store, output, showing_keys(edits))
        # Pages of every article edited since the model was saved are fingerprinted again
        # (most are as the build that edited them left them, and stay unrendered).
        new_version = {id(a): b for a, b in edits}
        site = model.site.with_articles(tuple(new_version.get(id(a), a)
                                              for a in model.site.articles))
        last = LastModel(model.site, model.pages, model.fingerprints, head.site_fingerprint,
                         head.templates)
        found = kept(last, structs.replace(site, config=config), edits, probe, showing)
        if found is None:
            return None
        found.shared = model.shared
        versions = {path: new for path, (_old, new) in by_path.items()}
        for article in versions.values():  # hashed again: its body changed
            found.shared["articles"].pop(article.url, None)
            found.shared["cards"].pop(article.url, None)
        self.saved = _saved_edits(head, by_path, read, None)
        return found

    def template_edit(self, probe: Probe) -> tuple[SavedHead, _Reread, str] | None:
        """(head, what was read again, the model's key) when the only change since the
        saved model is the templates' (each of the same names, the site's fingerprint the
        same, no source's bytes changed since the head: the articles edited before it, its
        `edits`, are swapped into the pages); None
        otherwise (`templatestage` renders the pages of the changed templates by chunks)."""
        options = self.ctx.options
        if options.shard or options.languages or options.cluster is not None:
            return None
        key = key_of(self.ctx.cache.data.key, probe.shape)
        head = self._head(key, probe, templates=False)
        if (head is None or head.templates == probe.templates
                or head.templates.keys() != probe.templates.keys()):
            return None
        read = self._read_changed(head)
        if read is None or read.new_entries or read.bodies:
            return None
        return head, read, f"{key}|{head.generation}"

    def _head(self, key: str, probe: Probe, templates: bool = True) -> SavedHead | None:
        """The saved head, when it is of this output's build and still true (and of the
        same templates' fingerprints, unless `templates` is False)."""
        begun = self.ctx.begun
        if begun.stats is None:
            return None
        if self.ctx.cache.store is None:
            return None
        head = load_head(self.ctx.cache.store, begun.output, key)
        if head is None and saved_by_another_release(self.ctx.cache.store, begun.output,
                                                     self.ctx.cache.data.key):
            if MODEL_OF_ANOTHER_RELEASE not in self.ctx.damage:
                self.ctx.damage.append(MODEL_OF_ANOTHER_RELEASE)
            return None
        if (head is None or head.output != str(begun.output)
                or head.build_id != self.build_id or begun.now >= head.valid_until
                or head.site_fingerprint != probe.site_fingerprint
                or (templates and head.templates != probe.templates)):
            return None
        return head

    def _read_changed(self, head: SavedHead) -> _Reread | None:
        """The sources changed since the head was saved, read again; None when anything
        else changed, or more than a source's body. A file whose stat changed but whose
        bytes did not (a fresh `git clone`, a `touch`) is unchanged: its new stat is
        recorded in the head, so the next build trusts it again (the cache's entry is
        left as it is: a build that takes the full path matches it by its bytes)."""
        stats, cache = self.ctx.begun.stats, self.ctx.cache
        changed = _changed_files(head, stats, self.ctx.begun.walked)
        if changed is None:
            return None
        read = _Reread({}, [], {}, {}, list(changed))
        checked = _checked_by_fingerprints(self.ctx.config)
        known: list[str] = []  # sources whose bytes the head knows: compared all at once
        digests: dict[str, str] = {}
        edited: list[tuple[str, SourceEntry, bytes]] = []
        for path, index in changed.items():
            if not is_readable(stats[path]):
                return None  # a named pipe, a link leading outside: the full path names it
            found = head.digest_of(path, index)
            if found is not None:
                digests[path] = found
                known.append(path)
                continue
            if path == checked[0] or path.startswith(checked[1:]):
                continue
            entry = cache.data.entry("sources", path)  # one row, not the whole table
            if entry is None:
                if not _same_photo(Path(path), stats[path], cache):
                    return None  # a photo changed, or another file under content/
                continue
            raw = Path(path).read_bytes()  # read once: digested, and parsed if it changed
            if digest(raw) == entry.digest:  # same bytes, new stat
                read.entries[path] = replace(entry, stat=stat_key(stats[path]))
                continue
            edited.append((path, entry, raw))
            if len(edited) > MOST_EDITS:
                return None  # a pull, a search-and-replace: plan afresh
        differing = _differing(known, stats, digests, MOST_EDITS + 1 - len(edited))
        if differing is None:
            return None  # a pull, a search-and-replace: plan afresh
        for path, raw in differing:
            entry = cache.data.entry("sources", path)
            if entry is None or entry.digest != digests[path]:
                # A build killed after writing the cache, before the head, left an entry
                # of bytes the model was not made from: its front matter is not the
                # model's to compare with.
                return None
            edited.append((path, entry, raw))
        for path, entry, raw in edited:
            again = self._read_again(Path(path), entry, raw, stats[path], head)
            if again is None:
                return None
            read.entries[path] = read.new_entries[path] = again.entry
            read.bodies.append(again.html)
            if again.front is not None:
                read.fronts[path] = again.front
        return read

    def _read_again(self, path: Path, entry: SourceEntry, raw: bytes, stat: os.stat_result,
                    head: SavedHead) -> Again | None:
        """The source read again (`reread`); None also when the saved head warns of it:
        its problems are reported from the full path's reading."""
        ref = display_path(path, self.ctx.config.paths.root)
        if any(w.where.path == ref for w in head.warnings):
            return None

        def old_front(source: str) -> dict | None:
            old = self.ctx.cache.data.entry("front_matter", source)  # one row
            return None if old is None else old[0]

        return read_again(self.ctx, self.photos, path, entry, raw, stat, old_front)


class _Reread(Struct):
    entries: dict[str, SourceEntry]
    """The cache's new entries for the sources read again."""
    bodies: list[str]
    """The bodies rendered again."""
    new_entries: dict[str, SourceEntry]
    """The entries of the sources whose bytes changed."""
    fronts: dict[str, FrontEdit]
    """The new front matter of those whose front matter changed."""
    changed: list[str]
    """Every input file whose stat changed."""
    sitemapped: bool = False
    """Whether a front-matter edit changed an article's title or `modified`."""


def _edits(saved_of: Callable[[str], Article | None], head: SavedHead, read: _Reread,
           root: Path, now: dt.datetime
           ) -> dict[str, tuple[Article, Article]] | None:
    """Source path → (saved version, edited version) of every article edited since the
    model was saved: the edited version from this build, else from the build that last
    edited it (the model's pages show the saved one). None when an edited source is held
    back, or its new front matter does not keep the plan's shape (the full path says
    why, or plans afresh)."""
    # (Found by the path as shown, a plain string: 3,000 Paths printed cost 5 ms.)
    wanted = {display_path(Path(path), root): path for path in {*head.edits, *read.new_entries}}
    saved = {path: found for shown, path in wanted.items()
             if (found := saved_of(shown)) is not None}
    versions = dict(head.edits)
    for path, entry in read.new_entries.items():
        article = versions.get(path) or saved.get(path)
        if article is None:
            return None
        made = edited_version(article, entry, read.fronts.get(path), now)
        if made is None:
            return None
        versions[path], sitemapped = made
        read.sitemapped |= sitemapped
    return {path: (saved[path], article) for path, article in versions.items()}


def _needs_whole(by_path: dict[str, tuple[Article, Article]], read: _Reread) -> bool:
    """Whether this build's front-matter edits need the whole site, which a partial build
    does not read: the sitemaps print a changed title or `modified` (the News sitemap
    lists the language's recent articles, a lastmod the newest of a listing's), and a
    photo's new words may be inherited by a translation (archived ones included, which
    the story's row of versions does not hold: `frontedit.words_inherited`)."""
    return read.sitemapped or any(new.image != old.image for path, (old, new)
                                  in by_path.items() if path in read.fronts)


def _saved_edits(head: SavedHead, by_path: dict[str, tuple[Article, Article]], read: _Reread,
                 partial: PartialKept | None) -> SavedEdits:
    return SavedEdits(head, {path: new for path, (_old, new) in by_path.items()},
                      read.entries, read.bodies, {
                          path: (edit.meta, edit.key_lines) for path, edit in read.fronts.items()},
                      read.sitemapped, partial, read.changed)


def _differing(paths: list[str], stats: dict[str, os.stat_result], digests: dict[str, str],
               most: int) -> list[tuple[str, bytes]] | None:
    """The files whose bytes differ from their digests, with those bytes; None when there
    are `most` or more. Many files (a fresh clone's) are digested on two threads, and the
    few that differ read again; a few are read once each."""
    if len(paths) < THREADED_FROM:
        read = ((path, Path(path).read_bytes()) for path in paths)
        differing = [(path, raw) for path, raw in read if digest(raw) != digests[path]]
    else:
        found = file_digests(paths, [stats[path].st_size for path in paths])
        differing = [(path, b"") for path, bytes_digest in zip(paths, found, strict=True)
                     if bytes_digest != digests[path]]
        if len(differing) < most:
            differing = [(path, Path(path).read_bytes()) for path, _ in differing]
    return differing if len(differing) < most else None


def _changed_files(head: SavedHead, stats: WalkStats,
                   walked: InputStats | None) -> dict[str, int] | None:
    """Files whose stat differs from the saved one or cannot vouch for them (modified
    just before the head was written), each with its place in the walk, in walking
    order; None when a file was added, removed or renamed. The walk's arrays are
    compared with the head's (`inputstats`): only the few files they differ at, and
    those the head's changes name, are looked at one by one."""
    base = head.inputs
    if base is None or walked is None or walked.names != base.names or len(walked) != len(
            base):
        return None
    racy = head.written_ns - RACY_NS
    # (By place: no path string made, nor looked up, per input.)
    places = {stats.path_at(i): i for i in {*walked.changed_from(base),
                                            *walked.racy_from(racy)}}
    for path in head.stats.keys() - places.keys():
        place = stats.place(path)
        if place is None:
            return None  # a head of other files (cannot be, with the same names)
        places[path] = place  # rare: its stat back to the base row's
    changed: dict[str, int] = {}
    if not places:
        return changed
    times, sizes, inodes = base.unpacked()  # once: a fresh clone looks at every file
    for path, index in sorted(places.items(), key=itemgetter(1)):
        known = head.stats.get(path) or (times[index], sizes[index], inodes[index])
        stat = stats.at(index)
        if known != stat_key(stat) or stat.st_mtime_ns >= racy:
            changed[path] = index
    return changed


def _checked_by_fingerprints(config: Config) -> tuple[str, ...]:
    """The config file, then the folders of the theme and of the catalogs: what they
    hold counts through the site's and the templates' fingerprints, compared with the
    saved ones from the files' bytes (theme assets are copied by every build)."""
    return (str(config.config_path), str(config.theme_dir) + os.sep,
            *(str(folder) + os.sep for folder in locales_dirs_for(config.paths.locales)))


def _same_photo(path: Path, stat: os.stat_result, cache: BuildCache) -> bool:
    """Whether a photo under content/ whose stat changed still has the bytes the last
    build made its renditions from; when it has, its new stat is recorded (by its digest
    alone: what the last build learnt of its header stands)."""
    known = cache.data.entry("photos", str(path))
    if known is None:
        return False
    try:
        same = file_digest(path) == known[1]
    except OSError:
        return False
    if same:
        cache.remember_photo(path, stat, known[1], known[2])
    return same
