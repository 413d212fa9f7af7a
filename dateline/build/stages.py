"""The stages of a build that has work to do: read and render the sources (or take
them from the cache), assemble the model, make the photos, plan and fingerprint the
pages, render those whose inputs changed on worker processes, and write what changed.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
import stat
import sys
import time
from pathlib import Path

from jinja2 import TemplateError
from msgspec import structs

from .. import bodies, locales_dirs_for
from ..config import Config
from ..crosslinks import link_articles
from ..errors import ContentError, Problem, Problems, SourceRef, display_path
from ..i18n.catalog_checks import plural_rule_of
from ..i18n.catalogs import (
    SOURCE_LANGUAGE,
    UiStrings,
    count_untranslated,
    load_translations,
    template_ids,
    template_in,
)
from ..incremental import state
from ..incremental.cache import BuildCache, OutputRecord, stat_key
from ..incremental.cachedamage import damage_warning
from ..incremental.collector import long_lived
from ..incremental.fingerprints import (
    DigestMemo,
    PageFingerprints,
    digest,
    files_fingerprint,
    site_fingerprint,
)
from ..incremental.lastbuild import LastBuild, body_edits, with_edits
from ..incremental.memo import AssemblyMemo
from ..inputs import confinement_of
from ..model import Article, Asset, Site
from ..outputs.pages import Page, plan_pages
from ..outputs.sitemaps import NEWS_WINDOW
from ..outputs.views import LanguageView
from ..read import find_sources, report_unread, sources_among
from ..urls import Linker
from . import faults, savedbuild, vocabulary
from .assemble import ContentFiles, assemble
from .discovery import discovery_groups
from .parallel import default_jobs, run_chunked
from .pipeline import BuildOptions, BuildResult, Started, check_strict, settings_key
from .prepare import Prepared, prepare_sources
from .render import load_theme, render_page, template_problem
from .renditions import (
    PhotoLibrary,
    kept_renditions_sound,
    make_renditions,
    site_renditions,
)
from .theme_files import publish_theme_files
from .write import (
    HEADERS_FILE,
    ChangeSet,
    StagedOutput,
    cache_headers,
    read_build_id,
    unpublished_of,
)


def run(config: Config, options: BuildOptions, begun: Started) -> BuildResult:
    started, output, now, linker, settings, inputs = (
        begun.seconds, begun.output, begun.now, begun.linker, begun.settings, begun.inputs)
    jobs = options.jobs or default_jobs()
    progress = _Progress(options.progress)
    problems = Problems()
    # A clean build reads nothing from the cache (every body is rendered again) and
    # leaves a new one; photo renditions stay, named by what they are made from, each
    # read and checked against its recorded digest first (`_make_photos`).
    cache = (options.session.cache(config.paths.cache, settings) if options.session
             else BuildCache.open(config.paths.cache, settings))
    damage = [why for why in (begun.damage, cache.take_damage()) if why]
    if options.clean:
        cache.forget_sources()
    bodies.use(cache.bodies)

    # Templates count per page (a page depends on its template and what that uses);
    # catalogs, settings and the asset names count for every page. Theme assets are
    # published under content-hashed names, so hosts may cache them forever; pages name
    # them through this map (`asset()` in templates).
    theme_files = publish_theme_files(_theme_static_files(config.theme_dir),
                                      options.fingerprint_assets)
    assets = {name: file.url for name, file in theme_files.items()}
    env, templates = load_theme(config.theme_dir, config.paths.cache, cache.data.templates)
    site_fp = site_fingerprint(config.source_text,
                               files_fingerprint(list(locales_dirs_for(config.paths.locales))),
                               f"{settings}|{sorted(assets.items())}")
    shape = (options.drafts, options.future, options.languages, options.fingerprint_assets)
    saved_key = savedbuild.key_of(cache.data.key, shape)
    record = None if options.clean else cache.output(output)
    if record is not None and (not output.is_dir() or read_build_id(output) != record.build_id):
        record = None  # the folder is not what the cache remembers: build it afresh

    # Every file is read and validated before anything is written: all errors at once.
    # The model made up to the fingerprints lives until the build ends (`collector`).
    progress.stage("reading")
    with long_lived():
        photos = PhotoLibrary(config.images, cache)
        # A command-line build after edits that changed article bodies alone takes the
        # last build's model from the cache (`savedbuild`), the preview server its own.
        saved = None
        if options.session is None and record is not None and begun.stats is not None:
            saved = savedbuild.body_edits(
                config.paths.cache, saved_key, output, record.build_id, begun.stats, now,
                cache, config, linker, photos, site_fp, templates)
            if saved is not None and not kept_renditions_sound(saved.site.assets,
                                                               config.paths.cache):
                saved = None  # a cached photo rendition is damaged: the photo stage remakes it
        last = edits = body_images = None
        if saved is not None:
            prepared, site, photos_made = [], saved.site, 0
            problems.warnings.extend(saved.head.warnings)
            for html in saved.bodies:
                cache.bodies.put(html)
            cache.bodies.flush()
        else:
            site, prepared, photos_made, last, edits, body_images = _read_and_assemble(
                config, options, now, linker, cache, jobs, problems, photos, begun, shape,
                progress)
        content_warnings = tuple(problems.warnings)  # the catalogs report theirs anew
        views, by_language, digests, shared, pages, fingerprints, replanned = _plan(
            site, config, options, cache, problems, site_fp, templates, saved, last, edits)
        check_strict(options, problems.warnings)  # every warning is known by now

    build_id = os.urandom(16).hex()  # (uuid would import platform, ~2 ms)
    unpublished = unpublished_of(options.drafts, options.future)
    staged = (ChangeSet if record else StagedOutput)(output, build_id, unpublished)
    old = record.files if record else {}
    new: dict[str, tuple[str, str]] = {}
    written: list[str] = []
    try:
        progress.stage("rendering")
        dirty = []
        for index, page in enumerate(pages):
            file = page.file
            known = old.get(file)
            if known is not None and known[0] == fingerprints[index]:
                new[file] = known  # made from the same inputs: unchanged
            else:
                dirty.append(index)
        results = _render_pages(env, [pages[i] for i in dirty],
                                [fingerprints[i] for i in dirty], views, linker, config,
                                assets, staged, old, jobs, progress)
        for file, fingerprint, content_digest, changed in results:
            new[file] = (fingerprint, content_digest)
            if changed:
                written.append(file)
        progress.stage("writing")
        groups = {}
        any_language = next(iter(by_language.values()), None)
        # After body edits alone, the last build's sitemaps and the feeds without the
        # edited stories stand (the clock cannot have changed them: `valid_until`).
        kept = None
        if saved is not None:
            kept = (record.groups, {a.translation_key for a in saved.versions.values()})
        for group in discovery_groups(site, views, pages, linker, now, site_fp,
                                      any_language.article if any_language else None,
                                      digests, kept):
            previous = record.groups.get(group.name) if record else None
            if previous is not None and previous[0] == group.fingerprint:
                new.update({file: old[file] for file in previous[1]})
                groups[group.name] = previous
                continue
            files = group.make()
            for file, data in files:
                _put(staged, file, data, group.fingerprint, old, new, written)
            groups[group.name] = (group.fingerprint, tuple(file for file, _ in files))
        for file in theme_files.values():
            if file.data is None:
                _copy(staged, file.url, file.source, old, new, written)
            else:  # a stylesheet naming the hashed files it uses
                _put(staged, file.url, file.data, digest(file.data), old, new, written)
        _put(staged, HEADERS_FILE, cache_headers(linker), "", old, new, written)
        for asset in site.assets:
            _copy(staged, asset.url, asset.source, old, new, written)
        removed = sorted(set(old) - set(new))
        progress.stage("commit")
        staged.commit(removed)
    except BaseException:
        staged.discard()
        raise
    finally:
        progress.done()
    nothing_new = (saved is None and record is not None and not written and not removed
                   and all(p.cached for p in prepared)
                   and len(prepared) == len(cache.data.sources))
    if saved is None:
        cache.data.assembly.finish(site.articles, shared)
    if options.session is not None:
        cache.digests = digests
        cache.last_build = LastBuild(site, tuple(pages), tuple(fingerprints), site_fp,
                                     templates, body_images, shape)
    cache_written = True
    faults.point("stage.cache")
    if not nothing_new:
        if saved is not None:
            cache.put_sources(saved.entries)  # the other sources' entries stay unread
        sources = front_matter = None
        if saved is None:
            valid = [p for p in prepared if p.valid]
            sources = {str(p.doc.path): p.entry for p in valid}
            front_matter = {str(p.doc.path): (p.doc.meta, p.doc.key_lines) for p in valid}
        cache.update(sources, output, OutputRecord(staged.build_id, new, groups),
                     front_matter)
        if options.session is None:
            cache_written = _remember(cache.write, config, problems)
    if config.locale_facts is not None:
        config.locale_facts.save()
    held_back = tuple((article.source, why) for article, why in site.held_back)
    fallbacks = _fallbacks(config, views)
    label_fallbacks = vocabulary.label_fallbacks(
        {code: ({s.key for s in view.sections}, {t.key for t in view.tags})
         for code, view in views.items()}, config)
    dates = [a.date for a in site.articles] + [a.date for a, _ in site.held_back]
    valid_until = state.next_change(dates, now, NEWS_WINDOW)
    if options.session is None and begun.stats is not None:
        _save_model(config, begun, output, staged.build_id, valid_until, saved_key,
                    content_warnings, site_fp, templates, saved, site, pages, fingerprints,
                    shared)
    if inputs and cache_written:  # else the next build must not skip rebuilding it
        _remember(lambda: state.save(config.paths.cache, output, {
            "key": inputs, "build_id": staged.build_id, "pages": len(pages),
            "files": len(new), "valid_until": valid_until,
            "held_back": [[ref.path, ref.line, why] for ref, why in held_back],
            "warnings": state.problems_to_json(problems.warnings), "fallbacks": fallbacks,
            "label_fallbacks": label_fallbacks,
        }), config, problems)
    return BuildResult(
        output=output, pages=len(pages), files=len(new),
        seconds=time.perf_counter() - started, held_back=held_back,
        warnings=[*_damage_warnings(damage, config), *problems.warnings],
        fallbacks=fallbacks, label_fallbacks=label_fallbacks,
        written=len(written), unchanged=len(new) - len(written), removed=len(removed),
        incremental=record is not None, rendered=len(dirty), photos_made=photos_made,
        changed_files=tuple(sorted(written)),
        borrowed=_borrowed(site, views, options.languages), replanned=replanned,
        valid_until=dt.datetime.fromisoformat(valid_until),
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


def _save_model(config: Config, begun: Started, output: Path,
                build_id: str, valid_until: str, key: str, warnings: tuple,
                site_fp: str, templates: dict[str, str], saved: savedbuild.BodyEdits | None,
                site: Site, pages: list[Page], fingerprints: list[str], shared: dict) -> None:
    """Save the model for the next command-line build (`savedbuild`): the whole of it
    after planning afresh, else the head with this build's edits."""
    model = None
    if saved is None:
        generation, edits = os.urandom(16).hex(), {}
        model = savedbuild.SavedModel(generation, site, tuple(pages), tuple(fingerprints),
                                      shared)
    else:
        generation, edits = saved.head.generation, saved.versions
    head = savedbuild.SavedHead(
        key=key, generation=generation,
        output=str(output), build_id=build_id, written_ns=time.time_ns(),
        valid_until=dt.datetime.fromisoformat(valid_until),
        stats={path: stat_key(stat) for path, stat in begun.stats.items()},
        warnings=warnings, site_fingerprint=site_fp, templates=templates, edits=edits)
    savedbuild.save(config.paths.cache, output, head, model)


def _borrowed(site: Site, views: dict[str, LanguageView],
              languages: tuple[str, ...]) -> frozenset[str]:
    """Sources outside `languages` that their pages show: every version of a story that
    has a version in them, and every original where untranslated stories are shown."""
    if not languages:
        return frozenset()
    show_all = any(view.language.untranslated == "show" for view in views.values())
    return frozenset(
        str(article.source_path) for _key, group in site.groups
        if show_all or any(a.lang in languages for a in group)
        for article in group if article.lang not in languages)



def _plan(site: Site, config: Config, options: BuildOptions, cache: BuildCache,
          problems: Problems, site_fp: str, templates: dict[str, str],
          saved: savedbuild.BodyEdits | None, last: LastBuild | None, edits):
    """The languages' views, the pages and their fingerprints: planned afresh, or the
    last build's plan with the body edits swapped in (`lastbuild`, `savedbuild`), only
    the pages showing them fingerprinted again. Also the fingerprint helpers and the
    memo of digests the rest of the build uses, and whether the site was planned."""
    views = _make_views(site, config, problems, options.languages)
    digests = (cache.digests or DigestMemo()).next()
    if saved is not None:
        shared = saved.shared
    else:
        shared = cache.data.assembly.known_fingerprints(site.articles)
    by_language = {code: PageFingerprints(view, site_fp, shared, templates, digests)
                   for code, view in views.items()}
    if saved is not None:
        pages, fingerprints, edited = list(saved.pages), saved.fingerprints, saved.edited
        replanned = False
    elif edits is not None and (site_fp, templates) == (last.site_fingerprint,
                                                         last.templates):
        pages, edited = with_edits(last.pages, edits)
        fingerprints = list(last.fingerprints)
        digests.keep_all()  # the pages not planned again still stand for their values
        replanned = False
    else:
        pages = plan_pages(views, config.site.default_language)
        return (views, by_language, digests, shared, pages,
                [by_language[p.lang].of(p) for p in pages], True)
    for index in edited:
        fingerprints[index] = by_language[pages[index].lang].of(pages[index])
    return views, by_language, digests, shared, pages, fingerprints, replanned


def _read_and_assemble(config: Config, options: BuildOptions, now: dt.datetime,
                       linker: Linker, cache: BuildCache, jobs: int, problems: Problems,
                       photos: PhotoLibrary, begun: Started, shape: tuple, progress: _Progress):
    """The site from its sources, with its photos made: (site, what was prepared, photo
    renditions made, the session's last build, the body edits since it, body images)."""
    known_sources = _sources_after(options, cache, config.paths.content)
    prepared = _prepare(config, options, linker, cache, jobs, problems, photos, begun.stats,
                        known_sources)
    # Lookups of photos and folders under content/ stay true while the caller says only
    # Markdown files changed there since the last build (the preview server's watcher).
    if known_sources is None or cache.content_files is None:
        cache.content_files = ContentFiles(config.paths.content)
    site = _assemble(prepared, config, options, now, problems, photos, cache.data.assembly,
                     cache.content_files)
    site = link_articles(site, {p.doc.path: p.entry.links for p in prepared if p.entry.links},
                         linker, config.paths.root, problems, cache.links_memo)
    problems.raise_if_any(ContentError)
    # In a preview session, an edit that changed article bodies alone needs neither
    # photos nor a new page plan (`lastbuild`).
    last, cache.last_build = cache.last_build, None  # kept again if this build succeeds
    edits = body_images = None
    if options.session is not None:
        body_images = {str(p.doc.path): p.images for p in prepared}
        edits = None if options.clean else body_edits(last, site, body_images, shape)
    progress.stage("photos")
    if edits is not None and not kept_renditions_sound(last.site.assets, config.paths.cache):
        edits = None  # a cached photo rendition is damaged: the photo stage remakes it
    if edits is not None:
        return (structs.replace(site, assets=last.site.assets), prepared, 0, last, edits,
                body_images)
    site, photos_made = _make_photos(site, prepared, config, jobs, problems, options.clean)
    problems.raise_if_any(ContentError)
    return site, prepared, photos_made, last, edits, body_images


def load_site(config: Config, options: BuildOptions, now: dt.datetime,
              problems: Problems) -> Site:
    """Read, validate and assemble the content, with rendered bodies; raises on errors.
    For tools that need the model without writing a site (`translations`)."""
    linker = Linker(config.site.base_url, config.site.relative_urls)
    cache = BuildCache.open(config.paths.cache, settings_key(config, linker))
    problems.warnings.extend(_damage_warnings([why for why in [cache.take_damage()] if why],
                                              config))
    bodies.use(cache.bodies)
    jobs = options.jobs or default_jobs()
    prepared = _prepare(config, options, linker, cache, jobs, problems)
    site = _assemble(prepared, config, options, now, problems)
    site = link_articles(site, {p.doc.path: p.entry.links for p in prepared if p.entry.links},
                         linker, config.paths.root, problems)
    problems.raise_if_any(ContentError)
    return site


def _prepare(config: Config, options: BuildOptions, linker: Linker, cache: BuildCache,
             jobs: int, problems: Problems, photos: PhotoLibrary | None = None,
             stats: dict[str, os.stat_result] | None = None,
             known_sources: list[Path] | None = None) -> list[Prepared]:
    """`known_sources`: the sources when `_sources_after` could tell them without looking
    at the disk; the files not in `options.changed` are then taken as they were."""
    # Every language is read even with --lang: translations inherit fields (a photo, tags)
    # from originals in other languages. Only the pages of the chosen ones are written.
    content = config.paths.content
    paths = known_sources
    changed = options.changed if paths is not None else None
    if paths is None:  # look at every file
        cache.misnamed, cache.unread = [], []
        rules = confinement_of(config)
        if stats is not None:
            paths = sources_among(stats, content, cache.misnamed, cache.unread, rules)
        else:
            paths = find_sources(content, cache.misnamed, cache.unread, rules)
    report_unread(cache.misnamed, cache.unread, config.paths.root, problems)
    return prepare_sources(paths, content, config.paths.root, linker, cache,
                           jobs, problems, photos, stats, changed)


def _sources_after(options: BuildOptions, cache: BuildCache, content: Path
                   ) -> list[Path] | None:
    """The sources of the last build in this session updated with the files the caller
    says changed, when that is enough to know them: only Markdown files changed in the
    content folder (a photo, a folder or a misnamed file means looking at the disk)."""
    changed, previous = options.changed, cache.prepared_paths
    if options.session is None or changed is None or not previous:
        return None
    prefix = str(content) + os.sep
    sources = []
    for path in changed:
        text = str(path)
        if not text.startswith(prefix):
            continue  # a template, a catalog, the config: not a source
        if not path.name.endswith(".md") or any(
                part.startswith(".") for part in text[len(prefix):].split(os.sep)):
            return None
        sources.append(path)
    if not sources:
        return previous
    if not all(_is_plain_file_or_gone(p) for p in sources):
        return None  # a named pipe, a link: the walk says what it is, nothing opens it
    known = set(previous)
    gone = {p for p in sources if p in known and not p.exists()}
    added = [p for p in sources if p not in known and p.exists()]
    if not gone and not added:
        return previous
    kept = [p for p in previous if p not in gone]
    return sorted(kept + added, key=lambda p: _walk_order(p, content)) if added else kept


def _is_plain_file_or_gone(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return True


def _walk_order(path: Path, content: Path) -> list[tuple[int, str]]:
    """`find_sources` order: folders by name, and in each folder its files before its
    subfolders."""
    *folders, name = path.relative_to(content).parts
    return [(1, folder) for folder in folders] + [(0, name)]


def _assemble(prepared: list[Prepared], config: Config, options: BuildOptions,
              now: dt.datetime, problems: Problems, photos: PhotoLibrary | None = None,
              memo: AssemblyMemo | None = None,
              files: ContentFiles | None = None) -> Site:
    by_path = {p.doc.path: p for p in prepared}
    site = assemble([p.doc for p in prepared], config, now, problems,
                    drafts=options.drafts, future=options.future,
                    bodies={path: p.body_id for path, p in by_path.items()},
                    plan_image=photos.plan_image if photos else None, memo=memo,
                    files=files)
    # Body images are published with the articles that use them.
    assets = {a.source: a for a in site.assets}
    for article in site.articles:
        for image in by_path[article.source_path].images:
            assets[image.source] = Asset(image.source, image.url)
    return structs.replace(site, assets=tuple(sorted(assets.values(), key=lambda a: a.url)))


def _make_photos(site: Site, prepared: list[Prepared], config: Config, jobs: int,
                 problems: Problems, clean: bool) -> tuple[Site, int]:
    """Make every photo rendition the site publishes; the site's assets become those
    renditions (originals are never published: their metadata may reveal a location).
    A clean build keeps the cached renditions only after reading each whole and
    checking its digest."""
    published = {a.source_path for a in site.articles}
    body = [(image.picture, image.where) for p in prepared if p.doc.path in published
            for image in p.images if image.picture is not None]
    renditions = site_renditions(site, body)
    files, made = make_renditions(renditions, config.paths.cache, jobs, problems,
                                  full_check=clean)
    assets = [Asset(files[url], url) for url in renditions]
    site = structs.replace(site, assets=tuple(assets))
    if problems.errors:
        return site, made
    return _with_published_sizes(site, files), made


def _with_published_sizes(site: Site, files: dict[str, Path]) -> Site:
    """Fill the size of each lead photo's published file where planning could not know it
    (a rendition made by this very build)."""
    def sized(article: Article) -> Article:
        image = article.image
        if image is None or image.published_bytes or image.published_url not in files:
            return article
        size = files[image.published_url].stat().st_size
        return structs.replace(article, image=structs.replace(image, published_bytes=size))

    if all(a.image is None or a.image.published_bytes for a in site.articles):
        return site
    return site.with_articles(tuple(sized(a) for a in site.articles))


# ----- rendering pages, on worker processes

_RENDER_STATE: dict = {}
"""Set before workers fork, so each starts with the views and templates in memory."""


def _render_pages(env, pages: list[Page], fingerprints: list[str], views, linker: Linker,
                  config: Config, assets: dict[str, str], staged: StagedOutput,
                  old: dict, jobs: int, progress: _Progress):
    for template in sorted({p.template for p in pages}):
        try:
            env.get_template(template)  # compile once, before forking
        except TemplateError as exc:
            raise ContentError(template_problem(exc, pages[0], config.theme_dir,
                                                config.paths.root)) from None
    _RENDER_STATE.update(env=env, pages=pages, fingerprints=fingerprints, views=views,
                         linker=linker, theme_dir=config.theme_dir, root=config.paths.root,
                         assets=assets, staged=staged, old=old)
    try:
        progress.total = len(pages)
        for result in run_chunked(_render_one, list(range(len(pages))), jobs):
            progress.advance()
            yield result
    finally:
        _RENDER_STATE.clear()


def _render_one(index: int) -> tuple[str, str, str, bool]:
    state = _RENDER_STATE
    page: Page = state["pages"][index]
    html = render_page(state["env"], page, state["views"][page.lang], state["linker"],
                       state["theme_dir"], state["root"], state["assets"])
    file_digest = digest(html)
    changed = state["old"].get(page.file, ("", ""))[1] != file_digest
    if changed:
        state["staged"].write(page.file, html)
    return page.file, state["fingerprints"][index], file_digest, changed


def _put(staged, file: str, data: bytes, fingerprint: str, old, new, written) -> None:
    file_digest = digest(data)
    new[file] = (fingerprint, file_digest)
    if old.get(file, ("", ""))[1] != file_digest:
        staged.write(file, data)
        written.append(file)


def _copy(staged, file: str, source: Path, old, new, written) -> None:
    # A copied file's fingerprint is its source's size and modification time.
    stat = source.stat()
    fingerprint = f"{stat.st_size}:{stat.st_mtime_ns}"
    previous = old.get(file)
    if previous is not None and previous[0] == fingerprint:
        new[file] = previous
        return
    data = source.read_bytes()
    file_digest = digest(data)
    new[file] = (fingerprint, file_digest)
    if previous is None or previous[1] != file_digest:
        staged.write(file, data)
        written.append(file)


# ----- languages and their strings

def _make_views(site: Site, config: Config, problems: Problems,
                only: tuple[str, ...]) -> dict[str, LanguageView]:
    locales_dirs = locales_dirs_for(config.paths.locales)
    default = config.site.default_language
    cache = config.paths.cache / "catalogs"
    default_strings = load_translations(locales_dirs, default, config.paths.root, problems,
                                        cache, plural_rule_of(config.language(default).locale))
    views = {}
    for language in config.languages:
        if only and language.code not in only:
            continue
        own = (default_strings if language.code == default
               else load_translations(locales_dirs, language.code, config.paths.root,
                                      problems, cache, plural_rule_of(language.locale)))
        fallback = default_strings if language.code != default else None
        strings = UiStrings(own=own, fallback=fallback or gettext.NullTranslations(),
                            count_fallbacks=language.code != SOURCE_LANGUAGE)
        views[language.code] = LanguageView(site, language, strings)
    return views


def _fallbacks(config: Config, views: dict[str, LanguageView]) -> dict[str, int]:
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


def _theme_static_files(theme_dir: Path) -> dict[str, Path]:
    static = theme_dir / "static"
    if not static.is_dir():
        return {}
    return {p.relative_to(static).as_posix(): p for p in sorted(static.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


class _Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.name = ""
        self.total = 0
        self.count = 0
        self._last = 0.0

    def stage(self, name: str) -> None:
        faults.point(f"stage.{name}")
        self.name, self.count, self.total = name, 0, 0
        self._show()

    def advance(self) -> None:
        self.count += 1
        if time.perf_counter() - self._last > 0.1 or self.count == self.total:
            self._show()

    def _show(self) -> None:
        if not self.enabled:
            return
        self._last = time.perf_counter()
        if self.total:
            width = 30
            filled = width * self.count // self.total
            bar = "█" * filled + "·" * (width - filled)
            text = f"{self.name:<9} {bar} {self.count}/{self.total} pages"
        else:
            text = f"{self.name}…"
        sys.stderr.write("\r\x1b[2K" + text)
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
