"""The preview server's short path: when its watcher named only Markdown sources of the
last good build, each changed in its body alone or in front matter that keeps the plan's
shape (`frontedit`), those sources alone are read again (`reread`) and their new
versions made from the articles of the model the server keeps (`reuse.MemoryStore`),
as a command-line build does from the saved model (`savedstore`): no other source is
looked at, nothing assembled, and only the pages showing the edited articles (found by
the store's index) fingerprinted again. Anything else takes the full path, which reads
every source and compares the site it assembles with the last one. See
docs/incremental.md."""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from msgspec import Struct, structs

from ..digests import digest, stat_key
from ..errors import display_path
from ..incremental.reuse import MOST_EDITS, Kept, MemoryStore, kept
from ..model import Article, Site
from ..outputs.feeds import feeds_of
from ..outputs.pages import Page
from ..outputs.partialview import LanguageRow
from .context import BuildContext, ThemeInputs
from .frontedit import words_inherited
from .modelrows import FeedRow
from .prepare import Prepared
from .reread import Again, edited_version, read_again
from .savedstore import SavedEdits


class MemoryEdits(Struct):
    """What the build keeps of the last one after the edits the watcher named."""

    kept: Kept
    saved: SavedEdits
    """The edits, as the saved model's are told to the rest of the build (no head)."""
    body_images: dict[str, tuple]
    """Source path → the images its body shows (the edited sources' as read again)."""
    warnings: tuple
    """What the last build's reading, assembling and photos reported (and so this one's:
    no edited source reported anything)."""
    next_change: object
    """The last build's next change (`schedule.NextChange` or None): edits that keep
    the plan's shape move no date."""
    short: ShortPlan | None = None
    """What the rest of the build takes instead of the whole site's views, unless the
    sitemaps print what the edits changed (then the views and the discovery files are
    made from the whole site)."""


class ShortPlan(Struct):
    """The languages' rows the views answer from (`partialview.PartialView`) and the
    feeds carrying the edited stories (`modelrows.FeedRow`), with the new versions."""

    rows: dict[str, LanguageRow]
    feeds: list[FeedRow]
    newest: object
    """The newest article's `modified` (an empty feed is as new as its site)."""


class PlanIndex:
    """What a short build looks up in the last plan, made once per plan (`MemoryStore.
    prepare`, between edits): the pages showing each article or story, the feeds
    carrying each story, the languages' rows."""

    def __init__(self, pages: tuple[Page, ...], views: dict, site: Site):
        self._showing: dict[str, list[int]] = {}
        for number, page in enumerate(pages):
            article = page.article
            keys = {f"article:{item.source_file}" for item in page.items}
            if article is not None:
                keys.add(f"article:{article.source_file}")
                keys.add(f"story:{article.translation_key}")
            for key in keys:
                self._showing.setdefault(key, []).append(number)
        self.rows = {code: LanguageRow.of(view) for code, view in views.items()}
        self.feeds: dict[str, FeedRow] = {}
        self._feeds_of: dict[str, set[str]] = {}
        for view in views.values():
            for feed in feeds_of(view):
                self.feeds[feed.atom] = FeedRow(view.code, feed.title, feed.page_url,
                                                feed.atom, feed.rss, feed.articles,
                                                feed.corrections)
                for article in feed.articles:
                    self._feeds_of.setdefault(article.translation_key, set()).add(feed.atom)
        self.newest = max((a.modified for a in site.articles), default=None)

    def showing(self, paths: list[str], stories: set[str]) -> list[int]:
        """The pages showing an article read from one of `paths` (as theirs, or as an
        item: a card, a related story), or an article of one of `stories`: the pages
        `reuse.with_edits` looks at."""
        found: set[int] = set()
        for key in [*(f"article:{p}" for p in paths), *(f"story:{s}" for s in stories)]:
            found.update(self._showing.get(key, ()))
        return sorted(found)

    def swap(self, edits: list[tuple[Article, Article]]) -> ShortPlan:
        """The rows and the feeds carrying the edited stories, with the new versions
        (kept for the next build: the plan stands)."""
        new_version = {id(old): new for old, new in edits}

        def swapped(articles):
            return tuple(new_version.get(id(a), a) for a in articles)

        def entries(pairs):
            return None if pairs is None else tuple((new_version.get(id(a), a), c)
                                                    for a, c in pairs)

        for code, row in self.rows.items():
            breaking = new_version.get(id(row.breaking), row.breaking)
            self.rows[code] = replace(row, breaking=breaking,
                                      corrections=entries(row.corrections))
        names = sorted({name for _old, new in edits
                        for name in self._feeds_of.get(new.translation_key, ())})
        for name in names:
            row = self.feeds[name]
            self.feeds[name] = replace(row, articles=swapped(row.articles),
                                       corrections=entries(row.corrections))
        return ShortPlan(dict(self.rows), [self.feeds[name] for name in names], self.newest)


def kept_in_memory(ctx: BuildContext, theme: ThemeInputs, photos) -> MemoryEdits | None:
    """The last build's model with the edits the watcher named swapped in, reading those
    sources alone; None when anything else may have changed (the full path then)."""
    options, store = ctx.options, ctx.memory.reuse
    last, remembered = store.last, store.remembered
    if (options.clean or options.changed is None or last is None or remembered is None
            or store.shape != theme.shape or remembered.valid_until is None
            or ctx.begun.now >= remembered.valid_until
            or (theme.site_fingerprint, theme.templates) != (last.site_fingerprint,
                                                              last.templates)):
        return None
    paths = _sources_named(ctx, options.changed)
    if paths is None:
        return None
    root = ctx.config.paths.root
    warned = {w.where.path for w in remembered.warnings}
    read: dict[str, tuple[Article, Article, Again]] = {}
    unchanged: dict = {}
    places: list[int] = []
    sitemapped = False
    for path in paths:
        prepared = ctx.memory.prepared.get(path)
        if prepared is None or not prepared.valid or display_path(path, root) in warned:
            return None  # a source with problems is read by the full path, which says them
        stat = os.stat(path)
        raw = path.read_bytes()
        if digest(raw) == prepared.entry.digest:  # saved again as it was
            unchanged[str(path)] = replace(prepared.entry, stat=stat_key(stat))
            continue
        found = store.article_at(str(path))
        again = read_again(ctx, photos, path, prepared.entry, raw, stat,
                           lambda _path, meta=prepared.doc.meta: meta)
        if found is None or again is None:
            return None  # held back, or more than the plan's shape allows changed
        place, article = found
        if last.site.articles[place] is not article:
            return None  # (cannot be: the store's lookup follows every build it keeps)
        made = edited_version(article, again.entry, again.front, ctx.begun.now)
        if made is None:
            return None
        version, prints = made
        if (again.front is not None and version.image != article.image
                and words_inherited(_story(last.site, article), article)):
            return None  # a translation shows the photo's words too
        read[str(path)] = (article, version, again)
        places.append(place)
        sitemapped |= prints
    # (Only saved again as they were: nothing to render, the plan stands as it is.)
    return _kept(ctx, theme, store, read, unchanged, places, sitemapped)


def _kept(ctx: BuildContext, theme: ThemeInputs, store: MemoryStore,
          read: dict[str, tuple[Article, Article, Again]], unchanged: dict,
          places: list[int], sitemapped: bool) -> MemoryEdits | None:
    last, remembered = store.last, store.remembered
    assert last is not None and remembered is not None
    edits = [(old, new) for old, new, _again in read.values()]
    stories = {new.translation_key for _old, new in edits}
    index = store.index
    if not isinstance(index, PlanIndex):
        return None
    showing = index.showing(list(read), stories)
    site = _swapped(last.site, edits, places, stories)
    found = kept(last, site, edits, theme.probe(), showing)
    if found is None:
        return None
    shared = remembered.shared
    for _old, new in edits:  # hashed again: its body changed
        shared["articles"].pop(new.url, None)
        shared["cards"].pop(new.url, None)
    found.shared = shared
    body_images, prepared = store.body_images, ctx.memory.prepared
    for path, (_old, _new, again) in read.items():
        body_images[path] = images = tuple(again.images)
        # What the next build takes as it is while the watcher names it not (`prepare`).
        known = prepared[Path(path)]
        doc = again.doc if again.front is not None else replace(
            again.doc, meta=known.doc.meta, key_lines=known.doc.key_lines)
        prepared[Path(path)] = Prepared(doc, again.entry.body_id, images, again.entry,
                                            cached=False)
    for path, entry in unchanged.items():
        prepared[Path(path)].entry = entry
    entries = {**unchanged, **{path: again.entry for path, (_o, _n, again) in read.items()}}
    fronts = {path: (again.front.meta, again.front.key_lines)
              for path, (_o, _n, again) in read.items() if again.front is not None}
    saved = SavedEdits(None, {path: new for path, (_old, new, _again) in read.items()},
                       entries, [again.html for _o, _n, again in read.values()], fronts,
                       sitemapped)
    store.forget()  # remembered again when this build succeeds
    short = index.swap(edits)
    return MemoryEdits(found, saved, body_images, remembered.warnings,
                       remembered.next_change, None if sitemapped else short)


def plan_index(pages: tuple[Page, ...], views: dict, site: Site) -> Callable[[], PlanIndex]:
    """What makes the index of a plan, when the store asks (`MemoryStore.prepare`)."""
    return lambda: PlanIndex(pages, views, site)


def _sources_named(ctx: BuildContext, changed: frozenset[Path]) -> list[Path] | None:
    """The changed paths, when every one is a Markdown source the last build read (not
    one added, removed, renamed or linked), and there are at most `MOST_EDITS`."""
    content = str(ctx.config.paths.content) + os.sep
    known = ctx.memory.prepared
    if not changed or len(changed) > MOST_EDITS:
        return None
    for path in changed:
        text = str(path)
        if (not text.startswith(content) or not path.name.endswith(".md")
                or path not in known or any(part.startswith(".")
                                            for part in text[len(content):].split(os.sep))):
            return None
        try:
            if not stat_module.S_ISREG(os.lstat(path).st_mode):
                return None  # a link: the full path follows it
        except OSError:
            return None  # gone
    return sorted(changed)


def _swapped(site: Site, edits: list[tuple[Article, Article]], places: list[int],
             stories: set[str]) -> Site:
    """The site with the edited articles' new versions (at `places` among its
    articles), in their stories' groups too (`Site.with_articles` without looking at
    every article)."""
    new_version = {id(old): new for old, new in edits}
    articles = list(site.articles)
    for place, (_old, new) in zip(places, edits, strict=True):
        articles[place] = new
    groups = tuple((key, tuple(new_version.get(id(a), a) for a in group))
                   if key in stories else (key, group) for key, group in site.groups)
    return structs.replace(site, articles=tuple(articles), groups=groups)


def _story(site: Site, article: Article) -> tuple[Article, ...]:
    return next((group for key, group in site.groups if key == article.translation_key), ())
