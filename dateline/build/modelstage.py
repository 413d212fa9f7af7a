"""The model of the site for this build, by one of three paths: the saved model with the
command line's body edits swapped in (`savedbuild`), the preview server's last build
with its body edits (`lastbuild`), or the sources read and assembled afresh with their
photos made. See docs/incremental.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from msgspec import structs

from ..errors import ContentError
from ..incremental.cache import OutputRecord
from ..incremental.lastbuild import LastBuild, body_edits
from ..model import Article, Site
from . import savedbuild
from .context import BuildContext, ThemeInputs
from .photostage import make_photos
from .prepare import Prepared
from .reading import assemble_site, read_sources
from .renditions import PhotoLibrary, kept_renditions_sound


@dataclass
class SiteModel:
    site: Site
    prepared: list[Prepared] = field(default_factory=list)
    """The sources as read (empty when the saved model stood for them)."""
    photos_made: int = 0
    saved: savedbuild.BodyEdits | None = None
    """The saved model, when it stood for the sources."""
    last: LastBuild | None = None
    """The preview server's last build."""
    edits: list[tuple[Article, Article]] | None = None
    """(last version, new version) of the articles whose bodies alone changed since it."""
    body_images: dict[str, tuple] | None = None
    content_warnings: tuple = ()
    """What reading, assembling and the photos reported (the catalogs report theirs anew
    every build)."""


def make_model(ctx: BuildContext, theme: ThemeInputs, record: OutputRecord | None
               ) -> SiteModel:
    """The site model; raises on errors in the content."""
    photos = PhotoLibrary(ctx.config.images, ctx.cache)
    saved = _saved_model(ctx, theme, record, photos)
    if saved is None:
        return _read_afresh(ctx, theme, photos)
    ctx.problems.warnings.extend(saved.head.warnings)
    for html in saved.bodies:
        ctx.cache.bodies.put(html)
    ctx.cache.bodies.flush()
    return SiteModel(saved.site, saved=saved)


def _saved_model(ctx: BuildContext, theme: ThemeInputs, record: OutputRecord | None,
                 photos: PhotoLibrary) -> savedbuild.BodyEdits | None:
    """A command-line build after edits that changed article bodies alone takes the last
    build's model from the cache (`savedbuild`), the preview server its own."""
    begun = ctx.begun
    if ctx.options.session is not None or record is None or begun.stats is None:
        return None
    config = ctx.config
    saved = savedbuild.body_edits(
        config.paths.cache, theme.saved_key, begun.output, record.build_id, begun.stats,
        begun.now, ctx.cache, config, begun.linker, photos, theme.site_fingerprint,
        theme.templates)
    if saved is not None and not kept_renditions_sound(saved.site.assets, config.paths.cache):
        return None  # a cached photo rendition is damaged: the photo stage remakes it
    return saved


def _read_afresh(ctx: BuildContext, theme: ThemeInputs, photos: PhotoLibrary) -> SiteModel:
    """The site from its sources, with its photos made; in a preview session, an edit
    that changed article bodies alone needs neither photos nor a new page plan
    (`lastbuild`)."""
    prepared = read_sources(ctx, photos)
    site = assemble_site(ctx, prepared, photos)
    memory = ctx.memory
    last, memory.last_build = memory.last_build, None  # kept again if this build succeeds
    edits = body_images = None
    if ctx.options.session is not None:
        body_images = {str(p.doc.path): p.images for p in prepared}
        edits = None if ctx.options.clean else body_edits(last, site, body_images,
                                                          theme.shape)
    ctx.progress.stage("photos")
    if edits is not None and not kept_renditions_sound(last.site.assets,
                                                       ctx.config.paths.cache):
        edits = None  # a cached photo rendition is damaged: the photo stage remakes it
    if edits is not None:
        return SiteModel(structs.replace(site, assets=last.site.assets), prepared, 0, None,
                         last, edits, body_images)
    site, photos_made = make_photos(site, prepared, ctx.config, ctx.jobs, ctx.problems,
                                    ctx.options.clean)
    ctx.problems.raise_if_any(ContentError)
    return SiteModel(site, prepared, photos_made, None, last, edits, body_images)
