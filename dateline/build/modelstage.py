"""The model of the site for this build: the last build's, kept with its body edits
swapped in (from the saved model on disk, `savedstore`, or the preview server's memory,
`reuse.MemoryStore`), or the sources read and assembled afresh with their photos made.
See docs/incremental.md."""

from __future__ import annotations

from msgspec import Struct
from msgspec import field as msgspec_field

from ..errors import ContentError
from ..incremental.cache import OutputRecord
from ..incremental.reuse import Kept
from ..model import Site
from . import faults, heap
from .context import BuildContext, ThemeInputs
from .frontrows import FrontRows
from .memoryedits import ShortPlan, kept_in_memory
from .photostage import make_photos
from .prepare import Prepared
from .reading import assemble_site, read_sources
from .renditions import PhotoLibrary, kept_renditions_sound
from .savedstore import SavedEdits, SavedStore


class SiteModel(Struct):
    site: Site
    prepared: list[Prepared] = msgspec_field(default_factory=list)
    """The sources as read (empty when the saved model stood for them, and once they are
    settled: `finish.settle_sources`)."""
    photos_made: int = 0
    kept: Kept | None = None
    """What this build keeps of the last one (its plan, with body edits swapped in)."""
    saved: SavedEdits | None = None
    """The saved model's edits, when it stood for the sources."""
    body_images: dict[str, tuple] | None = None
    """In a preview session: source path → the images its body shows, as prepared."""
    content_warnings: tuple = ()
    """What reading, assembling and the photos reported (the catalogs report theirs anew
    every build)."""
    next_change: tuple | None = None
    """(The next change,) when known without looking at the whole site: the last build's
    in the preview server's short path (`memoryedits`)."""
    digests: bytes | None = None
    """Every input's digest packed in walking order (`savedbuild.pack_digests`), made
    when the sources were settled (`finish.settle_sources`) for the saved model's head."""
    short: ShortPlan | None = None
    """In the preview server's short path: the languages' rows and the feeds carrying
    the edited stories (`memoryedits`), when the whole site's views are not needed."""
    front_rows: FrontRows | None = None
    """In a command-line build that read its sources: the file their front matter waits
    in as the cache's rows, until the sources are settled."""


def make_model(ctx: BuildContext, theme: ThemeInputs, record: OutputRecord | None
               ) -> SiteModel:
    """The site model; raises on errors in the content."""
    photos = PhotoLibrary(ctx.config.images, ctx.cache)
    # A command-line build after edits that changed article bodies alone takes the last
    # build's model from the cache (`savedstore`), the preview server its own: reading
    # only the sources its watcher named (`memoryedits`), else comparing every one.
    if ctx.options.session is None and record is not None:
        store = SavedStore(ctx, photos, record.build_id)
        kept = _sound(ctx, store.kept(theme.probe()))
        if kept is not None:
            saved = store.saved
            ctx.problems.warnings.extend(saved.head.warnings)
            _store_bodies(ctx, saved.bodies)
            return SiteModel(kept.site, kept=kept, saved=saved)
    if ctx.options.session is not None and record is not None:
        found = kept_in_memory(ctx, theme, photos)
        kept = _sound(ctx, found.kept if found is not None else None)
        if found is not None and kept is not None:
            ctx.problems.warnings.extend(found.warnings)
            _store_bodies(ctx, found.saved.bodies)
            return SiteModel(kept.site, kept=kept, saved=found.saved,
                             body_images=found.body_images,
                             next_change=(found.next_change,), short=found.short)
    return _read_afresh(ctx, theme, photos)


def _store_bodies(ctx: BuildContext, bodies: list[str]) -> None:
    for html in bodies:
        ctx.cache.bodies.put(html)
    ctx.cache.bodies.flush()


def _read_afresh(ctx: BuildContext, theme: ThemeInputs, photos: PhotoLibrary) -> SiteModel:
    """The site from its sources, with its photos made; in a preview session, an edit
    that changed article bodies alone needs neither photos nor a new page plan."""
    faults.point("stage.read")
    heap.keep_large_blocks_apart()  # a build through the whole site: big blocks come next
    if ctx.options.session is not None:
        return _read_in_session(ctx, theme, photos, read_sources(ctx, photos))
    # Nothing of a command-line build reads the sources' front matter but assembling,
    # one source at a time: it waits on disk as the cache's rows (`frontrows`).
    cache = ctx.config.paths.cache  # (beside the store, as the rows it settles)
    front_rows = FrontRows(str(cache) if cache.is_dir() else None)
    try:
        prepared = read_sources(ctx, photos, front_rows)
        _forget_reading(ctx)
        site = assemble_site(ctx, prepared, photos, front_rows)
        ctx.progress.stage("photos")
        site, photos_made = make_photos(site, prepared, ctx.config, ctx.jobs, ctx.problems,
                                        ctx.options.clean)
        ctx.problems.raise_if_any(ContentError)
    except BaseException:
        front_rows.close()
        raise
    return SiteModel(site, prepared, photos_made, front_rows=front_rows)


def _forget_reading(ctx: BuildContext) -> None:
    """What only reading needed, dropped before assembling makes the articles (issue 19:
    ~300 bytes per source at the build's peak, and holes between the articles once
    dropped later): the walk's path strings and their index (made again once, if
    asked), and the sources by path that only a preview session's next build looks up
    (`settle_sources` empties it anyway)."""
    if ctx.begun.stats is not None:
        ctx.begun.stats.forget_strings()
    ctx.memory.prepared = {}
    ctx.memory.prepared_paths = []


def _read_in_session(ctx: BuildContext, theme: ThemeInputs, photos: PhotoLibrary,
                     prepared: list[Prepared]) -> SiteModel:
    """In a preview session: the site kept from its last build when only article bodies
    changed, else assembled with its photos made."""
    site = assemble_site(ctx, prepared, photos)
    store = ctx.memory.reuse
    body_images = {p.doc.path: p.images for p in prepared}
    kept = None
    if ctx.options.clean:
        store.forget()
    else:
        kept = store.kept(theme.probe(site, body_images))
    ctx.progress.stage("photos")
    kept = _sound(ctx, kept)
    if kept is not None:
        return SiteModel(kept.site, prepared, kept=kept, body_images=body_images)
    site, photos_made = make_photos(site, prepared, ctx.config, ctx.jobs, ctx.problems,
                                    ctx.options.clean)
    ctx.problems.raise_if_any(ContentError)
    return SiteModel(site, prepared, photos_made, body_images=body_images)


def _sound(ctx: BuildContext, kept: Kept | None) -> Kept | None:
    if kept is not None and not kept_renditions_sound(kept.site.assets, ctx.config.paths.cache):
        return None  # a cached photo rendition is damaged: the photo stage remakes it
    return kept
