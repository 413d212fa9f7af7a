"""A build whose only change since the saved model is the theme's templates (a site
redesign, a fixed partial): the pages of the changed templates, found through the
inverse index (`template:<name>`), are rendered again a chunk at a time, in time order
(the newest article each shows), each chunk from its page rows and the article rows they reference
(`modelrows.PartialModel`, read afresh per chunk) with the languages' views of a partial
build (`outputs.partialview`); the rendering workers are forked per chunk from a process
that holds that chunk alone, and the pages are written as they are made. The feeds,
sitemaps and search buckets are those of a partial build (none of them is made with a
template: kept as recorded, the buckets made again where the pages' parts changed). The
saved model stays; its pages' fingerprints are updated, and the head names the new
templates. Articles edited since the model was saved (the head's edits: a body or a
title fixed during the day, then the redesign) are swapped into each chunk's pages, as a
partial build swaps them (`reuse.with_edits`); the head carries them on. A build that
needs more (a page only the whole site can answer, any other input changed) takes the
full path. See docs/incremental.md."""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import structs

from ..incremental.cache import OutputRecord
from ..incremental.fingerprints import DigestMemo, PageFingerprints
from ..incremental.reuse import with_edits
from ..model import Article, Site
from ..outputs.pages import Page
from ..outputs.partialview import PartialView
from .context import BuildContext, ThemeInputs
from .finish import remember_build, result, save_model, save_state, summarize
from .modelrows import PartialModel, SiteRow
from .modelstage import SiteModel
from .options import BuildResult, check_strict
from .output import OutputWriter, open_writer, write_discovery, write_files
from .parallel import workers_for
from .partialstage import PartialKept, site_of
from .planning import BuildPlan, make_views
from .rendering import PageJob, render_pages
from .renditions import PhotoLibrary, kept_renditions_sound
from .savedbuild import open_rows, pages_showing_in
from .savedstore import SavedEdits, SavedStore

CHUNK_PAGES = 2000
"""Pages rendered per chunk at most: what the building process holds of the model at
once, with the articles those pages show and their stories' versions."""

CHUNK_SHOWN = 12000
"""Articles shown (a page's own, its cards or related stories) per chunk at most: a
language's home listing shows every article of the language, 12 a page, so that a
chunk of listing pages is cut short by what they show rather than by their number.
(Each chunk renders its cards anew, in workers forked for it: at 6,000 articles, 2,500
cost a card-template edit twice its CPU time, 12,000 a third more; see bench/README.)"""

ROWS_AT_ONCE = 100
"""Page rows read at a time while a chunk is filled."""

SORTED_AT_ONCE = 500
"""Page rows read at a time to put the pages in time order (no article read)."""

WHOLE_SITE_KINDS = ("authors",)
"""Pages a partial view renders only from rows that hold what it needs (the staff list
counts every author's stories: `LanguageRow.authored`, None in rows saved before it)."""


def template_build(ctx: BuildContext, theme: ThemeInputs, record: OutputRecord | None
                   ) -> BuildResult | None:
    """The build, when the templates alone changed since the saved model and every page
    to render again can be rendered from its rows; None otherwise (nothing written)."""
    if ctx.options.session is not None or record is None or ctx.options.clean:
        return None
    store = SavedStore(ctx, PhotoLibrary(ctx.config.images, ctx.cache), record.build_id)
    found = store.template_edit(theme.probe())
    if found is None:
        return None
    head, read, key = found
    # (The head names its edits by file; the rows, by the article's source path.)
    edited = {article.source.path: article for article in head.edits.values()}
    rows = open_rows(ctx.cache.store, ctx.begun.output, edited)
    row = rows.site_row(key)
    if row is None or not kept_renditions_sound(row.site.assets, ctx.config.paths.cache):
        return None
    changed = [f"template:{name}" for name, fingerprint in sorted(theme.templates.items())
               if head.templates.get(name) != fingerprint]
    indexes = _in_time_order(rows, pages_showing_in(rows.store, rows.slot, changed))
    if any(language.authored is None for language in row.languages.values()) and (
            _whole_site_pages(rows) & set(indexes)):
        return None
    ctx.problems.warnings.extend(head.warnings)
    site = structs.replace(row.site, config=ctx.config)
    # No edit in this build: every feed and sitemap stands as recorded (none is made with a
    # template; the builds that edited articles since the model wrote theirs).
    model = SiteModel(site, saved=SavedEdits(head, {}, read.entries, [], changed=read.changed,
                                             partial=PartialKept(rows, row, [], [])))
    model.content_warnings = tuple(ctx.problems.warnings)
    views = make_views(site, ctx.config, ctx.problems, (), row.languages)
    check_strict(ctx.options, ctx.problems.warnings)
    plan = BuildPlan(views, {}, DigestMemo(remember=False), {}, [], [], False,
                     model.saved.partial)
    writer = open_writer(ctx, record)
    refingerprinted: list[tuple[str, int]] = []
    try:
        writer.keep_rest()
        writer.pages = row.page_count
        ctx.progress.stage("rendering")
        for rows_read, chunk, pages in _chunks(ctx, indexes, edited):
            refingerprinted += _render_chunk(ctx, theme, rows_read, row, views, chunk, pages,
                                             writer)
        write_discovery(ctx, theme, model, plan, writer)
        write_files(theme, model, ctx.begun.linker, writer)
        ctx.progress.stage("commit")
        writer.commit()
    except BaseException:
        writer.staged.discard()
        raise
    finally:
        ctx.progress.done()
    cache_written = remember_build(ctx, theme, model, plan, writer)
    summary = summarize(ctx, model, plan)
    # The rows still hold the versions before the edits: the head carries them on.
    model.saved = structs.replace(model.saved, versions=dict(head.edits))
    save_model(ctx, theme, model, plan, writer.build_id, summary, refingerprinted)
    save_state(ctx, writer, plan, summary, cache_written)
    ctx.cache.store.close()
    return result(ctx, model, plan, writer, summary)


def _whole_site_pages(rows: PartialModel) -> set[int]:
    marks = ",".join("?" * len(WHOLE_SITE_KINDS))
    return {page for (page,) in rows.store.db().execute(
        f"SELECT page FROM pages WHERE slot = ? AND kind IN ({marks})",  # noqa: S608
        (rows.slot, *WHOLE_SITE_KINDS))}


def _in_time_order(rows: PartialModel, indexes: list[int]) -> list[int]:
    """The pages at `indexes` by the newest article each shows (its place in the site's
    order; pages showing none first), then in page order. Every listing is in date
    order, so the pages showing an article's card (its section's, its tags', its
    month's, its authors', the home listing's) are near each other: mostly in one
    chunk, whose workers render the card once (in page order, each would be in a chunk
    of its own, the card rendered again in each)."""
    rank = {key: place for place, key in enumerate(rows.order())}
    keyed = []
    for start in range(0, len(indexes), SORTED_AT_ONCE):
        for index, keys in rows.shown_keys(indexes[start:start + SORTED_AT_ONCE]):
            keyed.append((min((rank.get(key, -1) for key in keys), default=-1), index))
    keyed.sort()
    return [index for _rank, index in keyed]


def _chunks(ctx: BuildContext, indexes: list[int], edited: dict[str, Article]
            ) -> Iterator[tuple[PartialModel, list[int], list[Page]]]:
    """The pages at `indexes` in page-row order, a chunk at a time (`CHUNK_PAGES`,
    `CHUNK_SHOWN`), each chunk's read with rows of its own: nothing of the last chunk's
    articles is held. Its pages show the `edited` articles' new versions."""
    rows = open_rows(ctx.cache.store, ctx.begun.output, edited)
    chunk: list[int] = []
    pages: list[Page] = []
    shown = 0
    at_once = min(ROWS_AT_ONCE, CHUNK_PAGES)
    for start in range(0, len(indexes), at_once):
        # (A chunk ends between batches: a page's articles are its rows' objects.)
        batch = sorted(indexes[start:start + at_once])  # (read in page order)
        chunk += batch
        pages += [page for page, _fp in rows.pages(batch)]
        shown += sum(len(page.items) + (page.article is not None) for page in pages[-len(batch):])
        if len(pages) >= CHUNK_PAGES or shown >= CHUNK_SHOWN:
            yield rows, chunk, _edited(rows, pages)
            rows = open_rows(ctx.cache.store, ctx.begun.output, edited)
            chunk, pages, shown = [], [], 0
    if pages:
        yield rows, chunk, _edited(rows, pages)


def _edited(rows: PartialModel, pages: list[Page]) -> list[Page]:
    """`pages` (their articles the saved versions, as the rows hold them) with the
    articles edited since the model was saved swapped in."""
    edits = [(old, new) for path, new in rows.edited.items()
             if (old := rows.find(path)) is not None]
    return with_edits(tuple(pages), edits)[0] if edits else pages


def _render_chunk(ctx: BuildContext, theme: ThemeInputs, rows: PartialModel, row: SiteRow,
                  views: dict[str, PartialView], chunk: list[int], pages: list[Page],
                  writer: OutputWriter) -> list[tuple[str, int]]:
    """Render the pages of `chunk` (at those indexes) whose fingerprints changed; (new
    fingerprint, index) of each."""
    site: Site = site_of(rows, row, pages, [], ctx.config)
    chunk_views = {code: PartialView(site, view.language, view.strings, view.row)
                   for code, view in views.items()}
    shared: dict[str, dict[str, str]] = {"articles": {}, "cards": {}}
    memo = DigestMemo(remember=False)
    by_language = {code: PageFingerprints(view, theme.site_fingerprint, shared,
                                          theme.templates, memo)
                   for code, view in chunk_views.items()}
    fingerprints = [by_language[page.lang].of(page) for page in pages]
    writer.look_up(page.file for page in pages)
    dirty = []
    for n, page in enumerate(pages):
        known = writer.old.get(page.file)
        if known is not None and known[0] == fingerprints[n]:
            writer.keep_page(page, known)  # made from the same inputs: unchanged
        else:
            dirty.append(n)
    rank = {code: i for i, code in enumerate(views)}
    dirty.sort(key=lambda n: (rank[pages[n].lang], pages[n].kind == "article"))
    job = PageJob(theme.env, [pages[n] for n in dirty], [fingerprints[n] for n in dirty],
                  chunk_views, ctx.begun.linker, ctx.config, theme.assets, writer.staged,
                  writer.old, ctx.config.theme_dir)
    for rendered in render_pages(job, workers_for(None, ctx.jobs, len(dirty)), ctx.progress):
        writer.made_page(job.pages[rendered.index], job.fingerprints[rendered.index],
                         rendered.digest, rendered.changed)
    writer.rendered += len(dirty)
    return list(zip(fingerprints, chunk, strict=True))
