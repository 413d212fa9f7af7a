"""Planning: the languages' views, every page and its fingerprint (what it is made
from), planned afresh or taken from the last build with body edits swapped in."""

from __future__ import annotations

import gettext
from collections.abc import MutableSequence, Sequence

from msgspec import Struct

from .. import locales_dirs_for
from ..config import Config
from ..errors import Problems
from ..i18n.catalogs import (
    SOURCE_LANGUAGE,
    UiStrings,
    count_untranslated,
    load_translations,
    template_ids,
    template_in,
)
from ..incremental.fingerprints import DigestMemo, PageFingerprints
from ..incremental.packeddigests import PackedDigests
from ..model import Site
from ..outputs.desk_pages import desk_pages
from ..outputs.pages import Page, plan_pages
from ..outputs.partialview import LanguageRow, PartialView
from ..outputs.views import LanguageView
from .context import BuildContext, ThemeInputs
from .modelstage import SiteModel
from .partialstage import PartialKept


class BuildPlan(Struct):
    views: dict[str, LanguageView]
    by_language: dict[str, PageFingerprints]
    digests: DigestMemo
    """Fingerprints by what they were made from, for the rest of the build."""
    shared: dict[str, dict[str, str]]
    """Article and card fingerprints by URL (`PageFingerprints`)."""
    pages: Sequence[Page]
    """Planned afresh: a `PlannedPages`, each page made when asked for (an equal value
    each time, not the same object)."""
    fingerprints: MutableSequence[str]
    """In page order: packed (`PackedDigests`) when planned afresh."""
    replanned: bool
    """False when the last build's plan stood, with body edits swapped in."""
    partial: PartialKept | None = None
    """When the build read only part of the saved model: `pages` are the pages the
    edits touch, and the other files of the output stand as they are."""
    edited: list[int] | None = None
    """In the preview server's short path (`memoryedits`): the pages fingerprinted
    again; the other files of the output stand as they are."""


def plan_site(ctx: BuildContext, theme: ThemeInputs, model: SiteModel) -> BuildPlan:
    """The languages' views, the pages and their fingerprints: planned afresh, or the
    last build's plan kept with the body edits swapped in (`reuse`), only the pages
    showing them fingerprinted again."""
    site, kept = model.site, model.kept
    partial = model.saved.partial if model.saved is not None else None
    rows = (partial.row.languages if partial is not None
            else model.short.rows if model.short is not None else None)
    views = make_views(site, ctx.config, ctx.problems, ctx.options.languages, rows)
    digests = ((ctx.memory.digests or DigestMemo()).next() if ctx.options.session is not None
               else DigestMemo(remember=False))
    shared = kept.shared if kept is not None and kept.shared is not None else None
    if shared is None:
        shared = ctx.cache.data.assembly.known_fingerprints(site.articles)
    by_language = {code: PageFingerprints(view, theme.site_fingerprint, shared,
                                          theme.templates, digests)
                   for code, view in views.items()}
    if kept is None:
        pages = plan_pages(views, ctx.config.site.default_language, desk_pages)
        for view in views.values():
            view.forget_related()  # (each article page holds its own: `Page.items`)
        return BuildPlan(views, by_language, digests, shared, pages,
                         PackedDigests(by_language[p.lang].of(p) for p in pages), True)
    digests.keep_all()  # the pages not planned again still stand for their values
    pages, fingerprints = kept.pages, kept.fingerprints
    for index in kept.edited:
        fingerprints[index] = by_language[pages[index].lang].of(pages[index])
    return BuildPlan(views, by_language, digests, shared, pages, fingerprints, False, partial,
                     kept.edited if model.short is not None else None)


def make_views(site: Site, config: Config, problems: Problems, only: tuple[str, ...],
                rows: dict[str, LanguageRow] | None = None) -> dict[str, LanguageView]:
    """The languages' views: over the whole site, or over part of it with the rows
    saved from the whole site's views (`rows`: a partial build)."""
    locales_dirs = locales_dirs_for(config.paths.locales)
    default = config.site.default_language
    cache = config.paths.cache / "catalogs"
    default_strings = load_translations(locales_dirs, default, config.paths.root, problems,
                                        cache, locale=config.language(default).locale)
    views = {}
    groups = dict(site.groups)  # (one for every language's view)
    for language in config.languages:
        if only and language.code not in only:
            continue
        own = (default_strings if language.code == default
               else load_translations(locales_dirs, language.code, config.paths.root,
                                      problems, cache, locale=language.locale))
        fallback = default_strings if language.code != default else None
        strings = UiStrings(own=own, fallback=fallback or gettext.NullTranslations(),
                            count_fallbacks=language.code != SOURCE_LANGUAGE)
        views[language.code] = (
            LanguageView(site, language, strings, groups) if rows is None
            else PartialView(site, language, strings, rows[language.code], groups))
    return views


def fallbacks(config: Config, views: dict[str, LanguageView]) -> dict[str, int]:
    """UI strings each language shows in the default language instead (from the theme's
    message template, so the count does not depend on which pages were rendered)."""
    msgids = template_ids(template_in(locales_dirs_for(config.paths.locales)),
                          config.paths.cache / "catalogs")
    counts = {}
    for code, view in views.items():
        if view.strings.count_fallbacks:
            missing = count_untranslated(msgids, view.strings.own)
            if missing:
                counts[code] = missing
    return counts


def borrowed(site: Site, views: dict[str, LanguageView],
              languages: tuple[str, ...]) -> frozenset[str]:
    """Sources outside `languages` that their pages show: every version of a story that
    has a version in them, and every original where untranslated stories are shown."""
    if not languages:
        return frozenset()
    show_all = any(view.language.untranslated == "show" for view in views.values())
    return frozenset(
        article.source_file for _key, group in site.groups
        if show_all or any(a.lang in languages for a in group)
        for article in group if article.lang not in languages)
