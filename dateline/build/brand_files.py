"""The outlet's identity files, published beside the theme's: the share image (from
`[site] image`, else the name card), the logo, and `/favicon.ico` at the site's root
(made from a PNG logo, else the theme's `static/favicon.ico`), so that no browser's
request for it ends in a 404.

They are returned as `ThemeFile`s under names no theme file has (`brand:…`), so the
build writes them with the theme's files and their hashed URLs count in every page's
fingerprint like the theme's.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import replacing
from ..config import Config
from ..outputs.brand import FAVICON, Brand, site_brand
from ..photos.namecard import ico_from_png, render_name_card
from ..photos.photos import encode
from .theme_files import ThemeFile


def brand_files(config: Config, theme_files: dict[str, ThemeFile]) -> dict[str, ThemeFile]:
    """Name → how it is published, for the share image, the logo and the root favicon."""
    brand = site_brand(config)
    cache = config.paths.cache / "brand"
    files = {"brand:share": ThemeFile(brand.share.url, config.config_path,
                                      _made(cache, brand.share.url, lambda: _share(brand)))}
    if brand.logo is not None and brand.logo_source is not None:
        files["brand:logo"] = ThemeFile(brand.logo.url, brand.logo_source)
    if brand.logo_source is not None and brand.logo_source.suffix.lower() == ".png":
        ico_name = Path(brand.logo.url).with_suffix(".ico").name if brand.logo else FAVICON
        files["brand:favicon"] = ThemeFile(FAVICON, brand.logo_source, _made(
            cache, ico_name, lambda: ico_from_png(brand.logo_source)))
    elif "favicon.ico" in theme_files:
        files["brand:favicon"] = ThemeFile(FAVICON, theme_files["favicon.ico"].source)
    return files


def _share(brand: Brand) -> bytes:
    if brand.share_job is not None:
        return encode(brand.share_job)
    return render_name_card(brand.card_title)


def _made(cache: Path, url: str, make) -> bytes:
    # Names carry a content hash: a file kept under its name is the one to publish.
    kept = cache / Path(url).name
    try:
        return kept.read_bytes()
    except OSError:
        pass
    data = make()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with replacing(kept) as handle:  # never half a file for the next build
            handle.write(data)
    except OSError:
        pass  # the cache is an optimisation only
    return data
