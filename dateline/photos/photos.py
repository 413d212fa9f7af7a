"""Responsive photos, with Pillow: derivatives at several widths in WebP plus a JPEG
(PNG for transparency) fallback, optionally cropped to an aspect ratio around a focal
point, EXIF orientation applied and every other bit of metadata stripped — a
photographer's location must never leak. SVG and GIF are published as they are.

Planning (which renditions, their names and sizes) reads only the file's header, so it
is cheap; encoding happens once per rendition and is kept in the build cache, keyed by
the source's content hash and the settings, which also name the published file.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import msgspec

from ..digests import digest
from ..digests import hasher as new_hasher

PASSTHROUGH = {".svg": "image/svg+xml", ".gif": "image/gif"}
FORMATS = {"webp": ("WEBP", "image/webp"), "jpeg": ("JPEG", "image/jpeg"),
           "png": ("PNG", "image/png")}
CARD_RATIO = (16, 9)
"""Listing cards show every lead photo at this aspect ratio, for an even grid."""
_ENCODER_VERSION = 1
"""Bump when the encoding below changes, so cached renditions are made again."""


class PhotoError(Exception):
    """A source file that cannot be published as a photo; the message says why."""


@dataclass(frozen=True, slots=True)
class PhotoSettings:
    widths: tuple[int, ...] = (480, 800, 960, 1600)
    """Widths of the article photo renditions (never larger than the source). 800 is for
    the commonest reader, a phone 360-400 px wide at two device pixels per CSS pixel, who
    would otherwise be sent the 960 px one, a third heavier."""
    card_widths: tuple[int, ...] = (480, 960)
    """Widths of the 16:9 listing-card renditions."""
    quality: int = 80
    keep_metadata: bool = False
    """Keep EXIF/XMP/IPTC in published files (off: they can reveal where a photo was taken)."""


class SourceInfo(msgspec.Struct, frozen=True):
    """What the header of a source image says, after EXIF orientation."""

    width: int
    height: int
    has_alpha: bool
    caption: str = ""
    """IPTC caption/abstract, used when the front matter gives none."""
    credit: str = ""
    """IPTC credit (or by-line), used when the front matter gives none."""


class Job(msgspec.Struct, frozen=True):
    """How to make one rendition; its `key` names the cached and the published file."""

    source: str
    digest: str
    box: tuple[int, int, int, int]
    width: int
    height: int
    format: str
    quality: int
    keep_metadata: bool

    @property
    def key(self) -> str:
        text = repr((_ENCODER_VERSION, self.digest, self.box, self.width, self.height,
                     self.format, self.quality, self.keep_metadata))
        return digest(text, size=8)


class Rendition(msgspec.Struct, frozen=True):
    url: str
    width: int | None
    height: int | None
    mime: str
    job: Job | None = None
    """None for a file published as it is (SVG, GIF)."""
    source: str = ""


class Picture(msgspec.Struct, frozen=True):
    """Every rendition of one photo at one crop, for <picture>/<img srcset>."""

    fallback: tuple[Rendition, ...]
    """JPEG or PNG (or the original SVG/GIF), narrowest first."""
    modern: tuple[Rendition, ...] = ()
    """WebP, narrowest first."""
    width: int | None = None
    height: int | None = None
    """Intrinsic size of the largest rendition, for width/height attributes."""
    renditions: tuple[Rendition, ...] = ()

    @property
    def src(self) -> Rendition:
        """The rendition for browsers without srcset: the one nearest 960 px wide."""
        return min(self.fallback, key=lambda r: abs((r.width or 960) - 960))


def parse_ratio(value: str) -> tuple[int, int] | None:
    """'16x9' → (16, 9); None when it is not a ratio."""
    parts = str(value).lower().replace(":", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def inspect(path: Path) -> SourceInfo:
    """Read a source image's header; raise PhotoError when it is no usable image."""
    from PIL import Image, IptcImagePlugin, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
                if orientation in (5, 6, 7, 8):
                    width, height = height, width
                has_alpha = image.mode in ("RGBA", "LA", "PA") or (
                    image.mode == "P" and "transparency" in image.info)
                iptc = IptcImagePlugin.getiptcinfo(image) or {}
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(f"is larger than {Image.MAX_IMAGE_PIXELS // 1_000_000} megapixels, "
                         "Pillow's limit against decompression bombs; resize it") from None
    except UnidentifiedImageError:
        raise PhotoError("is not an image Pillow can read (JPEG, PNG, WebP, GIF …)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"cannot be read as an image ({exc})") from None
    return SourceInfo(width, height, has_alpha, _iptc_text(iptc, (2, 120)),
                      _iptc_text(iptc, (2, 110)) or _iptc_text(iptc, (2, 80)))


def _iptc_text(iptc: dict, key: tuple[int, int]) -> str:
    value = iptc.get(key)
    if isinstance(value, list):
        value = value[0] if value else b""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    return str(value or "").strip()


def crop_box(width: int, height: int, ratio: tuple[int, int] | None,
             focus: tuple[float, float]) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside the image, centred on the focal point as far as
    the edges allow (the whole image without a ratio)."""
    if ratio is None:
        return (0, 0, width, height)
    target = ratio[0] / ratio[1]
    if width / height > target:
        crop_w, crop_h = round(height * target), height
    else:
        crop_w, crop_h = width, round(width / target)
    left = min(max(round(focus[0] * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focus[1] * height - crop_h / 2), 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


def plan_picture(source: Path, media_url: str, info: SourceInfo | None, digest: str,
                 settings: PhotoSettings, *, ratio: tuple[int, int] | None = None,
                 focus: tuple[float, float] = (0.5, 0.5),
                 widths: tuple[int, ...] | None = None) -> Picture:
    """The renditions of one photo; `media_url` is where the original would be published."""
    suffix = source.suffix.lower()
    if suffix in PASSTHROUGH or info is None:
        named = str(PurePosixPath(media_url).with_suffix(f".{digest[:16]}{suffix}"))
        original = Rendition(named, info.width if info else None,
                             info.height if info else None,
                             PASSTHROUGH.get(suffix, "application/octet-stream"),
                             source=str(source))
        return Picture((original,), (), original.width, original.height, (original,))
    box = crop_box(info.width, info.height, ratio, focus)
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    chosen = sorted({w for w in (widths or settings.widths) if w < crop_w})
    if not chosen or max(widths or settings.widths) >= crop_w:
        chosen.append(crop_w)  # never upscaled: the crop's own width is the largest
    fallback_format = "png" if info.has_alpha else "jpeg"
    stem = PurePosixPath(media_url)
    tag = f"-{ratio[0]}x{ratio[1]}" if ratio else ""
    by_format: dict[str, list[Rendition]] = {"webp": [], fallback_format: []}
    for width in chosen:
        height = max(1, round(crop_h * width / crop_w))
        for name in by_format:
            job = Job(str(source), digest, box, width, height, name, settings.quality,
                      settings.keep_metadata)
            ext = "jpg" if name == "jpeg" else name
            url = str(stem.with_name(f"{stem.stem}{tag}-{width}w.{job.key}.{ext}"))
            by_format[name].append(Rendition(url, width, height, FORMATS[name][1], job,
                                             str(source)))
    fallback = tuple(by_format[fallback_format])
    modern = tuple(by_format["webp"])
    return Picture(fallback, modern, fallback[-1].width, fallback[-1].height,
                   fallback + modern)


def encode(job: Job) -> bytes:
    """Make one rendition: orientation applied, cropped, resized, metadata stripped."""
    return encode_many([job])[0]


def encode_many(jobs: list[Job]) -> list[bytes]:
    """Make several renditions of one source, decoding it once."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(jobs[0].source) as original:
            exif = original.getexif()
            icc = original.info.get("icc_profile")
            upright = ImageOps.exif_transpose(original)
            upright.load()
    return [_encode(upright, exif, icc, job) for job in jobs]


def _encode(upright, exif, icc: bytes | None, job: Job) -> bytes:
    from PIL import Image

    image = upright.crop(job.box)
    if (image.width, image.height) != (job.width, job.height):
        image = image.resize((job.width, job.height), Image.Resampling.LANCZOS,
                             reducing_gap=3.0)
    pil_format = FORMATS[job.format][0]
    if job.format == "jpeg" and image.mode != "RGB":
        image = image.convert("RGB")
    elif job.format in ("png", "webp") and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info
                              else "RGB")
    options: dict = {"quality": job.quality}
    if icc:
        options["icc_profile"] = icc  # colour, not identity: always kept
    if job.format == "jpeg":
        options.update(optimize=True, progressive=True)
    elif job.format == "webp":
        options.update(method=4)
    elif job.format == "png":
        options = {"optimize": True, **({"icc_profile": icc} if icc else {})}
    if job.keep_metadata:
        kept = Image.Exif()
        kept.update(exif)
        kept[0x0112] = 1  # the pixels are upright now
        options["exif"] = kept.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def file_digest(path: Path) -> str:
    hasher = new_hasher()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()
