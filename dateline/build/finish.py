"""After the output is committed: what the next build starts from (the cache, the
saved model, the record of inputs that lets a build with nothing to do stop at once)
and the build's result."""

from __future__ import annotations

import datetime as dt
import os
import time

from msgspec import Struct

from ..config import Config
from ..digests import stat_key
from ..errors import Problem, Problems, SourceRef, display_path
from ..incremental import state
from ..incremental.cachedamage import damage_warning
from ..incremental.reuse import LastModel, Remembered
from . import assemble, faults, heap, savedbuild, schedule, vocabulary
from .context import BuildContext, ThemeInputs
from .memoryedits import plan_index
from .modelstage import SiteModel
from .options import BuildResult
from .output import ChangedFiles, OutputWriter
from .planning import BuildPlan, borrowed, fallbacks
from .schedule import NextChange


class Summary(Struct, frozen=True):
    """What the build reports beside its files (and the next build with nothing to do
    reports again)."""

    held_back: tuple[tuple[SourceRef, str], ...]
    fallbacks: dict[str, int]
    label_fallbacks: dict[str, int]
    valid_until: str
    """The first moment the clock alone changes the site (`schedule.next_change`)."""
    next_change: NextChange | None = None
    """That moment and the article that causes it."""


def settle_sources(ctx: BuildContext, model: SiteModel) -> None:
    """What the cache keeps of the sources read (their entries, their front matter and
    the fields validated from it) is known once the model is made: a command-line build
    keeps it as the rows to write, pickled, and drops the tables and the sources as
    prepared before planning (issue 19: they were most of what a build held per article;
    what planning makes takes their place in memory)."""
    if ctx.options.session is not None or model.saved is not None:
        return
    data = ctx.cache.data
    valid = [p for p in model.prepared if p.valid]
    rows = model.front_rows
    data.front_matter = {p.doc.path: (p.doc.meta, p.doc.key_lines) if p.front_row is None
                         else rows.pickled(p.front_row) for p in valid}
    data.sources = {p.doc.path: p.entry for p in valid}
    if ctx.begun.stats is not None:  # every input's digest, for the saved model's head
        known = {p.doc.path: p.entry.digest for p in valid}
        model.digests = savedbuild.pack_digests(map(known.get, ctx.begun.stats.each_path()))
        ctx.begun.stats.forget_strings()
    del valid
    data.assembly.finish_fields()  # what the articles were validated from: known now
    data.settle(("front_matter", "sources", "fields"))
    if model.front_rows is not None:  # (their rows are written again by `settle`)
        model.front_rows.close()
        model.front_rows = None
    # Nothing reads the sources as prepared again (the model's articles are made, their
    # entries settled): neither this build nor a later one of this process.
    model.prepared = []
    ctx.memory.prepared = {}
    ctx.memory.prepared_paths = []  # for a session's next build: none follows this one
    assemble.forget_caches()  # no other model is assembled by this process
    heap.release_free_memory()  # what the sources were read into: not needed again


def settle_assembly(ctx: BuildContext, model: SiteModel, plan: BuildPlan) -> None:
    """What assembling made of each source (its article's entry, with the article and
    card fingerprints) is known once the pages are planned: kept as rows to
    write, as `settle_sources` keeps the sources', before rendering."""
    if ctx.options.session is not None or model.saved is not None:
        return
    data = ctx.cache.data
    data.assembly.finish(model.site.articles, plan.shared)
    data.settle(("articles",))


def remember_build(ctx: BuildContext, theme: ThemeInputs, model: SiteModel,
                   plan: BuildPlan, writer: OutputWriter) -> bool:
    """Keep what this build learnt in the cache (and, in a preview session, in memory);
    whether the cache on disk is as this build left it."""
    cache, session = ctx.cache, ctx.options.session
    prepared, saved = model.prepared, model.saved
    settled = cache.data.is_settled("sources")
    nothing_new = (saved is None and writer.incremental and not writer.written
                   and not writer.removed and _sources_kept(cache, prepared, settled))
    if saved is None and not cache.data.is_settled("articles"):
        cache.data.assembly.finish(model.site.articles, plan.shared)
    faults.point("stage.cache")
    if nothing_new:
        return True
    sources = front_matter = None
    if saved is not None:
        cache.put_sources(saved.entries)  # the other sources' entries stay unread
        if saved.fronts:  # what their front matter now parses to, for the full path
            cache.data.put("front_matter", saved.fronts)
    elif not settled:  # (settled: the rows to write wait on disk, `settle_sources`)
        valid = [p for p in prepared if p.valid]
        sources = {p.doc.path: p.entry for p in valid}
        front_matter = {p.doc.path: (p.doc.meta, p.doc.key_lines) for p in valid}
    cache.update(sources, ctx.begun.output, writer.record(), front_matter)
    if session is not None:
        return True
    # A command-line build writes the cache once: the record it made is not copied to
    # compare a later write with (~30 MiB at 300,000 articles, held to the end).
    return _remember(lambda: cache.write(lambda: faults.point("store.cache"), again=False),
                     ctx.config, ctx.problems)


def _sources_kept(cache, prepared: list, settled: bool) -> bool:
    """Whether the cache's sources table stays as it is (every source taken from it)."""
    if settled:
        return cache.data.settled_unchanged("sources")
    return all(p.cached for p in prepared) and len(prepared) == len(cache.data.sources)


def remember_in_memory(ctx: BuildContext, theme: ThemeInputs, model: SiteModel,
                       plan: BuildPlan, summary: Summary) -> None:
    """In a preview session: what the next build keeps of this one (`reuse.MemoryStore`),
    the index of the pages showing each article too while the plan stands."""
    if ctx.options.session is None:
        return
    ctx.memory.digests = plan.digests
    last = LastModel(model.site, tuple(plan.pages), tuple(plan.fingerprints),
                     theme.site_fingerprint, theme.templates)
    remembered = Remembered(plan.shared, model.content_warnings,
                            dt.datetime.fromisoformat(summary.valid_until),
                            summary.next_change)
    store = ctx.memory.reuse
    if model.saved is not None:  # the short path (`memoryedits`): the plan's index stands
        store.remember(last, model.body_images or {}, theme.shape, remembered)
        store.edited(model.saved.versions)
    else:
        store.remember(last, model.body_images or {}, theme.shape, remembered,
                       plan_index(last.pages, plan.views, model.site))


def summarize(ctx: BuildContext, model: SiteModel, plan: BuildPlan) -> Summary:
    config, site = ctx.config, model.site
    if config.locale_facts is not None:
        config.locale_facts.save()
    label_fallbacks = vocabulary.label_fallbacks(
        {code: ({s.key for s in view.sections}, {t.key for t in view.tags})
         for code, view in plan.views.items()}, config)
    partial = model.saved.partial if model.saved is not None else None
    # (Body edits move no date: a partial build repeats what the whole site's said.)
    if partial is not None:
        next_change = partial.row.next_change
    elif model.next_change is not None:  # the last build's (`memoryedits`)
        next_change = model.next_change[0]
    else:
        next_change = schedule.next_change(site, ctx.begun.now)
    return Summary(tuple((article.source, why) for article, why in site.held_back),
                   fallbacks(config, plan.views), label_fallbacks,
                   schedule.valid_until(next_change), next_change)


def save_model(ctx: BuildContext, theme: ThemeInputs, model: SiteModel, plan: BuildPlan,
               build_id: str, summary: Summary,
               refingerprinted: list[tuple[str, int]] | None = None) -> None:
    """Save the model for the next command-line build (`savedbuild`): the whole of it
    after planning afresh, else the head with this build's edits (and, after a template
    edit, the new fingerprints of the pages it rendered: `refingerprinted`)."""
    begun, saved = ctx.begun, model.saved
    if ctx.options.session is not None or begun.stats is None or begun.walked is None:
        return
    whole, base, changed = None, "", frozenset()
    if saved is None:
        generation, edits = os.urandom(16).hex(), {}
        whole = savedbuild.SavedModel(generation, model.site, plan.pages,
                                      plan.fingerprints, plan.shared, plan.views,
                                      summary.next_change)
        # Every input's stat and digest as arrays in walking order (`inputstats`).
        inputs, packed = begun.walked, model.digests
        if packed is None:  # (the sources were not settled: a build of the saved model)
            known = {path: entry.digest for path, entry in ctx.cache.data.sources.items()}
            packed = savedbuild.pack_digests(map(known.get, begun.stats))
        stats, digests = {}, {}
    else:
        # The same files as the saved head's (`savedstore` checked): its changes since
        # its `inputs` row, with those of the files whose stat changed in this build.
        head = saved.head
        assert head is not None  # (a preview session's edits save no model)
        generation, edits, base = head.generation, saved.versions, head.base
        stats, digests = dict(head.stats), dict(head.digests)
        stats.update((path, stat_key(begun.stats[path])) for path in saved.changed)
        digests.update((path, entry.digest) for path, entry in saved.entries.items())
        changed = head.changed | set(saved.changed)
        inputs, packed = None, b""
        if len(changed) > min(savedbuild.MOST_CHANGED, len(begun.stats) // 4):
            # A fresh clone: every stat written again, once. The walk's arrays are the
            # head's stats now (the files whose stat differs are in `stats`).
            index = {path: i for i, path in enumerate(begun.stats)}
            inputs = begun.walked
            packed = savedbuild.patch_digests(head.known, digests, index)
    head = savedbuild.SavedHead(
        key=savedbuild.key_of(ctx.cache.data.key, theme.shape), generation=generation,
        output=str(begun.output), build_id=build_id, written_ns=time.time_ns(),
        valid_until=dt.datetime.fromisoformat(summary.valid_until), stats=stats,
        warnings=model.content_warnings, site_fingerprint=theme.site_fingerprint,
        templates=theme.templates, edits=edits, digests=digests, base=base,
        changed=changed, inputs=inputs, known=packed)
    savedbuild.save(ctx.cache.store, begun.output, head, whole, refingerprinted or ())


def save_state(ctx: BuildContext, writer: OutputWriter, plan: BuildPlan, summary: Summary,
               cache_written: bool) -> None:
    """The record of every input's stat that lets the next build with nothing to do stop
    at once; never when the cache could not be written (the next build must rebuild)."""
    if not ctx.begun.inputs or not cache_written:
        return
    config = ctx.config
    _remember(lambda: state.save(config.paths.cache, ctx.begun.output, {
        "key": ctx.begun.inputs, "build_id": writer.build_id, "pages": writer.pages,
        "files": len(writer.files), "valid_until": summary.valid_until,
        "held_back": [[ref.path, ref.line, why] for ref, why in summary.held_back],
        "warnings": state.problems_to_json(ctx.problems.warnings),
        "fallbacks": summary.fallbacks, "label_fallbacks": summary.label_fallbacks,
        **schedule.to_record(summary.next_change),
    }), config, ctx.problems)


def result(ctx: BuildContext, model: SiteModel, plan: BuildPlan, writer: OutputWriter,
           summary: Summary) -> BuildResult:
    return BuildResult(
        output=ctx.begun.output, pages=writer.pages, files=len(writer.files),
        seconds=time.perf_counter() - ctx.begun.seconds, held_back=summary.held_back,
        warnings=[*_damage_warnings(ctx.damage, ctx.config), *ctx.problems.warnings],
        fallbacks=summary.fallbacks, label_fallbacks=summary.label_fallbacks,
        written=len(writer.written), unchanged=writer.unchanged, removed=len(writer.removed),
        incremental=writer.incremental, rendered=writer.rendered,
        photos_made=model.photos_made, changed_files=ChangedFiles(writer.written),
        borrowed=borrowed(model.site, plan.views, ctx.options.languages),
        replanned=plan.replanned, valid_until=dt.datetime.fromisoformat(summary.valid_until),
        next_change=summary.next_change,
    )


def _damage_warnings(damage: list[str], config: Config) -> list[Problem]:
    """The one warning of cache files that could not be read, said by the build that
    dropped them (never saved with the others: the next build has nothing to say)."""
    if not damage:
        return []
    return [damage_warning(config.paths.cache, config.paths.root, "; ".join(damage))]


def _remember(write, config: Config, problems: Problems) -> bool:
    """Write what the next build starts from. The site is already complete: a disk that
    refuses (full, read-only) costs the next build its shortcuts, and is said so."""
    try:
        write()
        return True
    except OSError as exc:
        where = SourceRef(display_path(config.paths.cache, config.paths.root) + "/", 0)
        problems.warn(where, f"the build cache could not be written ({exc.strerror or exc});"
                      " the site is complete, and the next build starts afresh")
        return False
