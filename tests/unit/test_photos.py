"""Photo renditions on generated images: sizes, formats, crops, metadata, bad files."""

import io
from pathlib import Path

import pytest
from PIL import Image, IptcImagePlugin

from dateline.photos.photos import (
    PhotoError,
    PhotoSettings,
    crop_box,
    encode,
    file_digest,
    inspect,
    parse_ratio,
    plan_picture,
)

SETTINGS = PhotoSettings()
GPS = 0x8825
ORIENTATION = 0x0112


def jpeg(path: Path, size=(2000, 1000), color=(200, 30, 30), exif=None, **save) -> Path:
    image = Image.new("RGB", size, color)
    options = {"exif": exif} if exif is not None else {}
    image.save(path, "JPEG", quality=90, **options, **save)
    return path


def plan(path: Path, **kw):
    return plan_picture(path, f"media/{path.name}", inspect(path), file_digest(path),
                        SETTINGS, **kw)


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_renditions_at_each_width_in_webp_and_jpeg(tmp_path):
    picture = plan(jpeg(tmp_path / "wide.jpg"))
    assert [r.width for r in picture.fallback] == [480, 800, 960, 1600]
    assert [r.width for r in picture.modern] == [480, 800, 960, 1600]
    assert {r.mime for r in picture.fallback} == {"image/jpeg"}
    assert {r.mime for r in picture.modern} == {"image/webp"}
    assert (picture.width, picture.height) == (1600, 800)
    for rendition in picture.renditions:
        made = opened(encode(rendition.job))
        assert made.size == (rendition.width, rendition.height)
        assert made.format == ("WEBP" if rendition.mime == "image/webp" else "JPEG")


def test_small_images_are_never_upscaled(tmp_path):
    picture = plan(jpeg(tmp_path / "small.jpg", size=(700, 400)))
    assert [r.width for r in picture.fallback] == [480, 700]
    assert picture.width == 700
    tiny = plan(jpeg(tmp_path / "tiny.jpg", size=(300, 200)))
    assert [r.width for r in tiny.fallback] == [300]


def test_transparent_images_fall_back_to_png(tmp_path):
    path = tmp_path / "logo.png"
    Image.new("RGBA", (800, 800), (0, 0, 0, 0)).save(path)
    picture = plan(path)
    assert {r.mime for r in picture.fallback} == {"image/png"}
    assert opened(encode(picture.fallback[0].job)).mode == "RGBA"


def test_crop_to_ratio_around_the_focal_point(tmp_path):
    assert parse_ratio("16x9") == (16, 9) and parse_ratio("4:3") == (4, 3)
    assert parse_ratio("wide") is None
    assert crop_box(2000, 1000, (1, 1), (0.5, 0.5)) == (500, 0, 1500, 1000)
    assert crop_box(2000, 1000, (1, 1), (0.0, 0.5)) == (0, 0, 1000, 1000)
    assert crop_box(2000, 1000, (1, 1), (0.9, 0.5)) == (1000, 0, 2000, 1000)
    assert crop_box(1000, 2000, (16, 9), (0.5, 0.3)) == (0, 319, 1000, 881)
    # The left half red, the right half blue: a square crop focused right is all blue.
    image = Image.new("RGB", (2000, 1000), "red")
    image.paste((0, 0, 255), (1000, 0, 2000, 1000))
    image.save(tmp_path / "halves.jpg", quality=95)
    picture = plan(tmp_path / "halves.jpg", ratio=(1, 1), focus=(0.95, 0.5))
    square = opened(encode(picture.fallback[0].job)).convert("RGB")
    assert square.size == (480, 480)
    red, green, blue = square.getpixel((240, 240))
    assert blue > 200 and red < 50


def test_gps_and_all_exif_are_stripped(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[GPS] = {1: "N", 2: (50.0, 5.0, 0.0), 3: "E", 4: (14.0, 25.0, 0.0)}
    path = jpeg(tmp_path / "gps.jpg", exif=exif,
                xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret place</x:xmpmeta>')
    assert Image.open(path).getexif().get_ifd(GPS)  # the source really has GPS
    renditions = plan(path).renditions
    assert renditions
    for rendition in renditions:
        data = encode(rendition.job)
        made = opened(data)
        assert not made.getexif(), rendition.mime
        assert "exif" not in made.info and "xmp" not in made.info
        assert b"secret place" not in data and b"Camera maker" not in data


def test_metadata_is_kept_when_asked(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    path = jpeg(tmp_path / "keep.jpg", exif=exif)
    settings = PhotoSettings(keep_metadata=True)
    picture = plan_picture(path, "media/keep.jpg", inspect(path), file_digest(path), settings)
    assert opened(encode(picture.fallback[0].job)).getexif().get(0x010F) == "Camera maker"


def test_exif_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90° clockwise to view
    path = jpeg(tmp_path / "sideways.jpg", size=(1000, 600), exif=exif)
    info = inspect(path)
    assert (info.width, info.height) == (600, 1000)
    picture = plan(path)
    made = opened(encode(picture.fallback[-1].job))
    assert made.size == (600, 1000)
    assert made.getexif().get(ORIENTATION) is None


def test_iptc_caption_and_credit_are_read(tmp_path):
    path = tmp_path / "iptc.jpg"
    # A minimal IPTC IIM block (2:120 caption, 2:110 credit) in a Photoshop APP13 segment.
    def record(dataset: int, text: bytes) -> bytes:
        return b"\x1c\x02" + bytes([dataset]) + len(text).to_bytes(2, "big") + text

    iim = record(120, b"Crowds in Karsk") + record(110, b"Photo: A. Example")
    resource = b"8BIM" + b"\x04\x04" + b"\x00\x00" + len(iim).to_bytes(4, "big") + iim
    if len(iim) % 2:
        resource += b"\x00"
    app13 = b"Photoshop 3.0\x00" + resource
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), "gray").save(buffer, "JPEG")
    data = buffer.getvalue()
    segment = b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13
    path.write_bytes(data[:2] + segment + data[2:])
    assert IptcImagePlugin.getiptcinfo(Image.open(path))  # Pillow sees the block
    info = inspect(path)
    assert (info.caption, info.credit) == ("Crowds in Karsk", "Photo: A. Example")


def test_not_an_image_truncated_and_bomb_are_photo_errors(tmp_path, monkeypatch):
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    with pytest.raises(PhotoError, match="not an image"):
        inspect(text)
    good = jpeg(tmp_path / "full.jpg", size=(1200, 800))
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(good.read_bytes()[:2000])
    picture = plan(truncated)  # the header is intact …
    with pytest.raises(OSError):
        encode(picture.fallback[0].job)  # … the pixels are not
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(PhotoError, match="decompression bombs"):
        inspect(good)
