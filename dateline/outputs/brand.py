"""The outlet's identity as pages name it: the share image of pages without a photo of
their own, the logo, and the favicon.

The share image is `[site] image` cropped to 1200×630 around its centre (never
upscaled: a narrower one keeps its width), else a card drawn with the outlet's name
in the default language (`photos.namecard`). The logo is `[site] logo` as it is.
Every name carries a content hash, so hosts may cache the files forever. The build
writes the files (`build.brand_files`); this module only says where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from .. import urls
from ..config import Config
from ..errors import ContentError, Problem, SourceRef
from ..photos import imageinfo
from ..photos.namecard import CARD_SIZE, card_digest
from ..photos.photos import Job, PhotoError, file_digest, inspect
from ..photos.social import SHARE_SIZE, SourcePhoto, plan_crop
from ..site_files import site_file

FAVICON = "favicon.ico"
"""Where browsers look for an icon when a page names none: the site's root."""


@dataclass(frozen=True, slots=True)
class BrandImage:
    url: str
    """Root-relative, e.g. 'static/share-1200x630-1200w.3f2a1b0c9d8e7f60.jpg'."""
    mime: str
    width: int | None
    height: int | None


@dataclass(frozen=True, slots=True)
class Brand:
    share: BrandImage
    """What pages without a photo of their own show when shared."""
    share_alt: str
    share_job: Job | None
    """How to make the share image from `[site] image`; None: the name card."""
    card_title: str
    """The name on the card (the default language's outlet name)."""
    logo: BrandImage | None
    logo_source: Path | None


def site_brand(config: Config) -> Brand:
    """Where the outlet's share image and logo are published; raises ContentError when
    `[site] image` cannot be read as an image."""
    root = config.paths.root
    image, logo = site_file(root, config.site.image), site_file(root, config.site.logo)
    return _brand(config.default.title, _stamp(image), _stamp(logo), config.images,
                  config.source_text, config.config_path.name)


def _stamp(path: Path | None) -> tuple | None:
    # The file's identity as the preview server must see it: a replaced file is new.
    if path is None:
        return None
    stat = path.stat()
    return (path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _brand(title: str, image: tuple | None, logo: tuple | None, settings,
           config_text: str, config_name: str) -> Brand:
    logo_image = _logo(logo[0]) if logo else None
    if image is None:
        share = BrandImage(urls.fingerprinted(urls.static("share-card.png"), card_digest(title)),
                           "image/png", *CARD_SIZE)
        return Brand(share, title, None, title, logo_image, logo[0] if logo else None)
    path = image[0]
    try:
        info = inspect(path)
    except PhotoError as exc:
        line = _line_of(config_text, "image")
        raise ContentError([Problem(SourceRef(config_name, line),
                                    f"site.image '{path.name}' {exc}")]) from None
    crop = plan_crop(SourcePhoto(path, urls.static("share" + path.suffix.lower()), info,
                                 file_digest(path), settings), SHARE_SIZE, SHARE_SIZE[0])
    share = BrandImage(crop.url, crop.mime, crop.width, crop.height)
    return Brand(share, title, crop.job, title, logo_image, logo[0] if logo else None)


def _logo(path: Path) -> BrandImage:
    url = urls.fingerprinted(urls.static("logo" + path.suffix.lower()), file_digest(path))
    if path.suffix.lower() == ".svg":
        width, height = _svg_size(path)
        return BrandImage(url, "image/svg+xml", width, height)
    info = inspect(path)
    return BrandImage(url, imageinfo.mime_type(url), info.width, info.height)


def _svg_size(path: Path) -> tuple[int | None, int | None]:
    """An SVG's size in CSS pixels from its width and height, else its viewBox; (None,
    None) when it says neither in plain numbers."""
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, OSError):
        return None, None
    number = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")
    width, height = (number.match(root.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width[1])), round(float(height[1]))
    box = root.get("viewBox", "").replace(",", " ").split()
    try:
        if len(box) == 4 and float(box[2]) > 0 and float(box[3]) > 0:
            return round(float(box[2])), round(float(box[3]))
    except ValueError:
        pass
    return None, None


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return number
    return 1
