"""Renditions of a photo for other sites: the 1200×630 crop that social networks show
(Open Graph's `og:image`) and the 16:9, 4:3 and 1:1 crops that Google's Article
guidance asks of a JSON-LD `image`, each a single JPEG (PNG for transparency), centred
on the photo's focal point like every other crop.

A source narrower than a crop's width is never upscaled: the crop keeps its own width,
the largest there is.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import NamedTuple

import msgspec

from .photos import FORMATS, PASSTHROUGH, Job, PhotoSettings, Rendition, SourceInfo, crop_box

SHARE_SIZE = (1200, 630)
"""The size Facebook, LinkedIn and X recommend for a link's large preview image."""
SCHEMA_RATIOS = ((16, 9), (4, 3), (1, 1))
"""The aspect ratios Google asks of an Article's `image`, widest first."""
SCHEMA_WIDTH = 1200
"""Google wants article images at least 1200 px wide (when the source is)."""


class SocialCrops(msgspec.Struct, frozen=True):
    """A photo's renditions for social cards and structured data."""

    share: Rendition
    """The 1200×630 crop (smaller when the source is) for og:image and twitter:image."""
    schema: tuple[Rendition, ...]
    """The 16:9, 4:3 and 1:1 crops for the JSON-LD `image`, in `SCHEMA_RATIOS` order."""

    @property
    def renditions(self) -> tuple[Rendition, ...]:
        return (self.share, *self.schema)


class SourcePhoto(NamedTuple):
    """A photo to crop: its file, where its original would be published, its header
    (`photos.inspect`), content digest, the [images] settings and its focal point."""

    path: Path
    media_url: str
    info: SourceInfo | None
    digest: str
    settings: PhotoSettings
    focus: tuple[float, float] = (0.5, 0.5)


def plan_social(photo: SourcePhoto) -> SocialCrops | None:
    """The social crops of a photo; None for a file published as it is (SVG, GIF),
    which cannot be cropped."""
    if photo.info is None or photo.path.suffix.lower() in PASSTHROUGH:
        return None
    return SocialCrops(plan_crop(photo, SHARE_SIZE, SHARE_SIZE[0]),
                       tuple(plan_crop(photo, ratio, SCHEMA_WIDTH) for ratio in SCHEMA_RATIOS))


def plan_crop(photo: SourcePhoto, ratio: tuple[int, int], width: int) -> Rendition:
    """One JPEG (PNG with transparency) of the photo cropped to `ratio` around its focal
    point, `width` pixels wide or the crop's own width when that is less."""
    info = photo.info
    assert info is not None  # plan_social and site images pass inspected photos only
    box = crop_box(info.width, info.height, ratio, photo.focus)
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    width = min(width, crop_w)
    height = max(1, round(crop_h * width / crop_w))
    name = "png" if info.has_alpha else "jpeg"
    job = Job(str(photo.path), photo.digest, box, width, height, name,
              photo.settings.quality, photo.settings.keep_metadata)
    stem = PurePosixPath(photo.media_url)
    # The naming of `photos.plan_picture`: a crop it makes too is one file, not two.
    ext = "jpg" if name == "jpeg" else name
    url = str(stem.with_name(f"{stem.stem}-{ratio[0]}x{ratio[1]}-{width}w.{job.key}.{ext}"))
    return Rendition(url, width, height, FORMATS[name][1], job, str(photo.path))
