"""What every stage of a build with work to do starts from: the configuration, the
options, the cache and this process's memory of its last build (`BuildContext`), and the
theme's inputs (`ThemeInputs`): its published files, templates and fingerprints."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from msgspec import Struct

from .. import bodies, locales_dirs_for
from ..config import Config
from ..errors import Problems
from ..incremental.cache import BuildCache
from ..incremental.fingerprints import files_fingerprint, site_fingerprint
from ..incremental.reuse import Probe
from ..incremental.session import BuildMemory
from ..model import Site
from .brand_files import brand_files
from .options import BuildOptions, Started
from .parallel import default_jobs
from .progress import Progress
from .render import load_theme
from .theme_files import ThemeFile, publish_theme_files


class BuildContext(Struct):
    config: Config
    options: BuildOptions
    begun: Started
    cache: BuildCache
    memory: BuildMemory
    """What this process remembers of its last build (the preview server's session's)."""
    jobs: int
    progress: Progress
    problems: Problems
    damage: list[str]
    """Why cache files could not be read: said in one warning at the end."""


def open_context(config: Config, options: BuildOptions, begun: Started) -> BuildContext:
    """The cache for this build (a session's, kept in memory, or read from disk) and the
    rest of what every stage needs."""
    session = options.session
    # A clean build reads nothing from the cache (every body is rendered again) and
    # leaves a new one; photo renditions stay, named by what they are made from, each
    # read and checked against its recorded digest first (`photostage`).
    cache = (session.cache(config.paths.cache, begun.settings) if session
             else BuildCache.open(config.paths.cache, begun.settings))
    damage = [why for why in (begun.damage, cache.take_damage()) if why]
    if options.clean:
        cache.forget_sources()
    # The model's articles read their bodies from this store (and so do forked workers).
    bodies.use(cache.bodies)
    return BuildContext(config, options, begun, cache,
                        session.memory if session else BuildMemory(),
                        options.jobs or default_jobs(), Progress(options.progress),
                        Problems(), damage)


class ThemeInputs(Struct, frozen=True):
    files: dict[str, ThemeFile]
    """Theme assets, published under content-hashed names."""
    assets: dict[str, str]
    """Asset name → its published URL (`asset()` in templates)."""
    env: Environment
    templates: dict[str, str]
    """Template name → fingerprint of it and what it uses."""
    site_fingerprint: str
    """What every page depends on: the config, catalogs, settings and asset names."""
    shape: tuple
    """The options that shape the site: another shape, another site."""

    def probe(self, site: Site | None = None, body_images: dict | None = None) -> Probe:
        """What the last build's store is asked with (`reuse`)."""
        return Probe(self.site_fingerprint, self.templates, self.shape, site, body_images)


def theme_inputs(ctx: BuildContext) -> ThemeInputs:
    # Templates count per page (a page depends on its template and what that uses);
    # catalogs, settings and the asset names count for every page. Theme assets are
    # published under content-hashed names, so hosts may cache them forever; pages name
    # them through this map (`asset()` in templates).
    config, options = ctx.config, ctx.options
    files = publish_theme_files(_theme_static_files(config.theme_dir))
    files.update(brand_files(config, files))  # share image, logo, favicon.ico
    assets = {name: file.url for name, file in files.items()}
    env, templates = load_theme(config.theme_dir, config.paths.cache,
                                ctx.cache.data.templates, ctx.memory.environments)
    site_fp = site_fingerprint(config.source_text,
                               files_fingerprint(list(locales_dirs_for(config.paths.locales))),
                               f"{ctx.begun.settings}|{sorted(assets.items())}")
    shape = (options.drafts, options.future, options.languages, options.shard)
    if options.pinned and options.now is not None and options.session is None:
        # `build --now`: the saved model of another instant holds another site.
        shape += (options.now.isoformat(),)
    return ThemeInputs(files, assets, env, templates, site_fp, shape)


def _theme_static_files(theme_dir: Path) -> dict[str, Path]:
    static = theme_dir / "static"
    if not static.is_dir():
        return {}
    return {p.relative_to(static).as_posix(): p for p in sorted(static.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}
