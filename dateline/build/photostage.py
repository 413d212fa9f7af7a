"""The photo stage: every photo rendition the site publishes made (or found in the
cache), and the site's assets made those renditions."""

from __future__ import annotations

from pathlib import Path

from msgspec import structs

from ..config import Config
from ..errors import Problems
from ..model import Article, Asset, Site
from .prepare import Prepared
from .renditions import make_renditions, site_renditions


def make_photos(site: Site, prepared: list[Prepared], config: Config, jobs: int,
                 problems: Problems, clean: bool) -> tuple[Site, int]:
    """Make every photo rendition the site publishes; the site's assets become those
    renditions (originals are never published: their metadata may reveal a location).
    A clean build keeps the cached renditions only after reading each whole and
    checking its digest."""
    # By the articles' own path strings: a `Path` made for each took ~380 bytes an
    # article, the build's peak at 60,000 (issue 19).
    published = {a.source_file for a in site.articles}
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
