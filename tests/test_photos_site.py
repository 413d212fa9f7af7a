"""Photos on a built site: <picture> markup, published files, the rendition cache, and
bad photos reported as path:line with nothing lost."""

import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

ARTICLE = "content/en/world/vote.md"


def jpeg_bytes(size=(2000, 1200), color=(30, 90, 160), exif=None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=85,
                                       **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def _photo_files(article_text, image_bytes: bytes | None = None, name="vote.jpg",
                 src="/images/vote.jpg", extra: dict | None = None) -> dict:
    return {
        ARTICLE: article_text(
            "Vote", image={"src": src, "alt": "Ballot boxes", "caption": "Counting",
                           "credit": "Photo: J. Roe"},
            body="Counting began.\n\n![A crowd](/images/crowd.jpg \"The crowd\")\n"),
        f"content/images/{name}": image_bytes or jpeg_bytes(),
        "content/images/crowd.jpg": jpeg_bytes((1200, 800), (90, 40, 20)),
        **(extra or {}),
    }


@pytest.fixture(scope="module")
def made_renditions(tmp_path_factory, make_site, article_text, build_site) -> Path:
    """The rendition cache (`.dateline-cache/photos`) of one build of the default photo
    site: for the tests whose point is not making renditions (encoding 24 of them is
    most of a build's time), so that their builds take them from the cache."""
    root = make_site(tmp_path_factory.mktemp("renditions") / "photos",
                     _photo_files(article_text))
    build_site(root)
    return root / ".dateline-cache/photos"


@pytest.fixture
def photo_site(tmp_path, make_site, article_text, request):
    """`photo_site(image_bytes=None, name=..., src=..., extra=None, warm=False)`: the
    site folder; `warm`: with the default photos' renditions in its cache already."""
    def make(image_bytes: bytes | None = None, name="vote.jpg", src="/images/vote.jpg",
             extra: dict | None = None, warm: bool = False):
        root = make_site(tmp_path / "photos",
                         _photo_files(article_text, image_bytes, name, src, extra))
        if warm:
            shutil.copytree(request.getfixturevalue("made_renditions"),
                            root / ".dateline-cache/photos")
        return root
    return make


def test_lead_photo_is_a_responsive_picture(photo_site, build_site, parse_html):
    root = photo_site()
    build_site(root)
    doc = parse_html(root / "site/en/world/vote/index.html")
    figure = doc.one("figure", cls="lead-figure")
    source = figure.one("source")
    assert source.get("type") == "image/webp"
    widths = [entry.split()[1] for entry in source.get("srcset").split(", ")]
    assert widths == ["480w", "800w", "960w", "1600w"]
    img = figure.one("img")
    assert img.get("fetchpriority") == "high" and img.get("loading") is None
    assert (img.get("width"), img.get("height")) == ("1600", "960")
    assert img.get("sizes") and len(img.get("srcset").split(", ")) == 4
    assert img.get("src").endswith(".jpg") and "-960w." in img.get("src")
    for url in [img.get("src")] + [e.split()[0] for e in source.get("srcset").split(", ")]:
        assert (root / "site" / url.lstrip("/")).is_file(), url


def test_body_photos_load_lazily_and_the_first_card_eagerly(photo_site, build_site,
                                                            parse_html):
    root = photo_site()
    build_site(root)
    body = parse_html(root / "site/en/world/vote/index.html").one(cls="story__body")
    figure = body.one("figure", cls="body-figure")
    img = figure.one("img")
    assert img.get("loading") == "lazy" and img.get("alt") == "A crowd"
    assert (img.get("width"), img.get("height")) == ("1200", "800")
    assert figure.one("figcaption").text == "The crowd"
    card = parse_html(root / "site/en/index.html").one("article", cls="card")
    card_img = card.one("img")
    # The page's first image is its largest paint: fetched at once, first.
    assert (card_img.get("loading"), card_img.get("fetchpriority")) == (None, "high")
    assert (card_img.get("width"), card_img.get("height")) == ("960", "540")  # 16:9


def test_originals_are_never_published_and_no_exif_leaks(photo_site, build_site):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (50.0, 5.0, 0.0), 3: "E", 4: (14.0, 25.0, 0.0)}
    root = photo_site(jpeg_bytes(exif=exif))
    build_site(root)
    published = sorted((root / "site/media/images").iterdir())
    assert "vote.jpg" not in {p.name for p in published}
    # 4 widths + 2 card widths in 2 formats, and the 4 social crops (JPEG only).
    assert len([p for p in published if p.name.startswith("vote-")]) == 12 + 4
    for path in published:
        with Image.open(path) as image:
            assert not image.getexif(), path.name


def test_second_build_reuses_every_rendition(photo_site, build_site):
    root = photo_site()
    first = build_site(root)
    second = build_site(root)
    # lead: 4 widths + 2 card widths; crowd (1200 px): 480, 800, 960, 1200; each in 2
    # formats; and the lead's social crops (1200x630, 16:9, 4:3, 1:1), one JPEG each
    assert first.photos_made == 20 + 4
    assert second.photos_made == 0
    clean_out = root / "clean"
    third = build_site(root, clean_out)
    assert third.photos_made == 0


def test_svg_and_gif_are_copied_as_they_are(photo_site, build_site, parse_html):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    gif = io.BytesIO()
    Image.new("P", (40, 20)).save(gif, "GIF")
    root = photo_site(svg, name="chart.svg", src="/images/chart.svg",
                      extra={"content/en/world/anim.md":
                             "---\ntitle: Anim\ndate: 2025-03-01T09:00:00+01:00\n---\n\n"
                             "![Loop](/images/loop.gif)\n",
                             "content/images/loop.gif": gif.getvalue()})
    build_site(root)
    [svg_copy] = (root / "site/media/images").glob("chart.*.svg")
    [gif_copy] = (root / "site/media/images").glob("loop.*.gif")
    assert svg_copy.read_bytes() == svg and gif_copy.read_bytes() == gif.getvalue()
    img = parse_html(root / "site/en/world/vote/index.html").one(
        "figure", cls="lead-figure").one("img")
    assert img.get("src") == "/media/images/" + svg_copy.name


def test_iptc_caption_fills_a_missing_caption(tmp_path, make_site, build_site, parse_html):
    iim = b"\x1c\x02\x78\x00\x0cFrom the IPT" + b"\x1c\x02\x6e\x00\x07Agency "
    resource = b"8BIM\x04\x04\x00\x00" + len(iim).to_bytes(4, "big") + iim
    app13 = b"Photoshop 3.0\x00" + resource + (b"\x00" if len(iim) % 2 else b"")
    data = jpeg_bytes((800, 600))
    data = data[:2] + b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13 + data[2:]
    root = make_site(tmp_path / "iptc", {
        ARTICLE: "---\ntitle: Vote\ndate: 2025-03-01T09:00:00+01:00\nimage:\n"
                 "  src: /images/v.jpg\n  alt: Boxes\n---\n\nText.\n",
        "content/images/v.jpg": data})
    build_site(root)
    caption = parse_html(root / "site/en/world/vote/index.html").one("figcaption")
    assert caption.one(cls="caption").text == "From the IPT"
    assert caption.one(cls="credit").text == "Agency"


@pytest.mark.parametrize(("case", "message"), [
    ("missing", "image '/images/vote.jpg' not found"),
    ("not-an-image", "image 'vote.jpg' is not an image Pillow can read"),
    ("truncated", "image 'vote.jpg' cannot be decoded"),
    ("case", "not found (there is 'Vote.jpg')"),
    ("bomb", "decompression bombs"),
])
def test_bad_photos_are_reported_and_nothing_is_lost(case, message, photo_site, run_cli,
                                                     snapshot, tmp_path):
    root = photo_site(warm=True)  # the good build before is no test of encoding
    out = root / "site"
    config = root / "dateline.toml"
    assert run_cli(["build", "--config", config, "--out", out]).code == 0
    before = snapshot(out)
    image = root / "content/images/vote.jpg"
    if case == "missing":
        image.unlink()
    elif case == "not-an-image":
        image.write_text("this is a text file")
    elif case == "truncated":
        image.write_bytes(jpeg_bytes((1900, 1100), (10, 200, 10))[:3000])
    elif case == "case":
        image.rename(root / "content/images/Vote.jpg")
    elif case == "bomb":
        Image.new("1", (12000, 16000)).save(image, "PNG")  # 192 Mpx, few bytes
    result = run_cli(["build", "--config", config, "--out", out])
    assert result.code == 1, result.out
    lines = [line for line in result.err.splitlines() if message in line]
    assert lines and all(line.startswith(f"{ARTICLE}:") for line in lines), result.err
    assert lines[0].split(":")[1] == "5"  # the image.src line of the front matter
    assert snapshot(out) == before
    assert not list(root.glob(".site-*"))


def test_without_a_lead_photo_the_first_body_photo_loads_eagerly(
        tmp_path, make_site, article_text, build_site, parse_html):
    root = make_site(tmp_path / "s", {
        ARTICLE: article_text("Vote", body="![One](/images/a.jpg)\n\nText.\n\n"
                                           "![Two](/images/b.jpg \"Second\")\n"),
        "content/images/a.jpg": jpeg_bytes((800, 600)),
        "content/images/b.jpg": jpeg_bytes((800, 600), (1, 2, 3)),
    })
    build_site(root)
    images = parse_html(root / "site/en/world/vote/index.html").one(
        cls="story__body").find_all("img")
    assert [(i.get("loading"), i.get("fetchpriority")) for i in images] == [
        (None, "high"), ("lazy", None)]


def _lead_rendition(root, parse_html, out="site") -> tuple[str, bytes]:
    """The published lead photo's URL and bytes (the JPEG `src`)."""
    img = parse_html(root / out / "en/world/vote/index.html").one(
        "figure", cls="lead-figure").one("img")
    url = img.get("src")
    return url, (root / out / url.lstrip("/")).read_bytes()


def _cached(root, data: bytes):
    from dateline.incremental.fingerprints import digest

    [path] = [p for p in (root / ".dateline-cache/photos").iterdir()
              if p.suffix != ".json" and digest(p.read_bytes()) == digest(data)]
    return path


def _damage(path, how: str) -> None:
    data = path.read_bytes()
    stat = path.stat()
    if how == "truncated":
        path.write_bytes(data[:10])
    elif how == "empty":
        path.write_bytes(b"")
    else:  # the same size, other bytes; "hidden": its modification time put back too
        path.write_bytes(bytes(len(data)))
        if how == "hidden":
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize("rebuild", ["body edit", "new output folder"])
@pytest.mark.parametrize("how", ["truncated", "empty", "zeroed"])
def test_a_damaged_cached_rendition_is_made_again(how, rebuild, photo_site, build_site,
                                                  parse_html):
    root = photo_site()
    build_site(root)
    url, fresh = _lead_rendition(root, parse_html)
    _damage(_cached(root, fresh), how)
    out = "site"
    if rebuild == "body edit":  # the shortcut that takes the last build's model
        article = root / ARTICLE
        article.write_text(article.read_text().replace("Counting began.", "It began."))
    else:  # every file published afresh
        out = "other"
    result = build_site(root, root / out)
    assert result.photos_made == 1
    url_after, published = _lead_rendition(root, parse_html, out)
    assert url_after == url and published == fresh
    with Image.open(io.BytesIO(published)) as image:
        image.verify()
    rss = (root / out / "en/rss.xml").read_text(encoding="utf-8")
    assert f'length="{len(fresh)}"' in rss


def test_clean_build_reads_every_kept_rendition_whole(photo_site, build_site, run_cli,
                                                      parse_html):
    # Damage that keeps a file's size and modification time passes the quick stat check
    # of an ordinary build; `--clean` reads each kept rendition and checks its digest.
    root = photo_site()
    build_site(root)
    _url, fresh = _lead_rendition(root, parse_html)
    _damage(_cached(root, fresh), "hidden")
    result = run_cli(["build", "--clean"], cwd=root)
    assert result.code == 0, result.err
    assert _lead_rendition(root, parse_html)[1] == fresh


def _alt_warnings(result) -> list[str]:
    return sorted(str(w) for w in result.warnings if "alt text" in w.message)


@pytest.mark.parametrize(("front", "body", "expected"), [
    # front matter's image block (its line), a Markdown image (its line)
    ("image:\n  src: /images/v.jpg\n", "Text.\n",
     ["content/en/world/vote.md:5: image '/images/v.jpg' has no alt text"]),
    ("image: /images/v.jpg\n", "Text.\n",
     ["content/en/world/vote.md:4: image '/images/v.jpg' has no alt text"]),
    ('image:\n  src: /images/v.jpg\n  alt: ""\n', "Text.\n", []),
    ("", "One.\n\n![](/images/v.jpg)\n",
     ["content/en/world/vote.md:8: image '/images/v.jpg' has no alt text"]),
    ("", "One.\n\n![ ](/images/v.jpg \"Caption\")\n",
     ["content/en/world/vote.md:8: image '/images/v.jpg' has no alt text"]),
    ("", 'One.\n\n![""](/images/v.jpg)\n', []),
    ("", "One.\n\n![Queues](/images/v.jpg)\n", []),
])
def test_an_image_without_alt_text_is_a_warning_until_fixed(
        front, body, expected, tmp_path, make_site, build_site):
    root = make_site(tmp_path / "alt", {
        ARTICLE: f"---\ntitle: Vote\ndate: 2025-03-01T09:00:00+01:00\n{front}---\n\n{body}",
        "content/images/v.jpg": jpeg_bytes((800, 600))})
    first = build_site(root)
    assert [w.split(" has no alt text")[0] + " has no alt text" for w in _alt_warnings(first)
            ] == expected
    assert all("or write" in w or 'alt: ""' in w for w in _alt_warnings(first))
    # Said again by the next build (nothing cached hides it), and the next after an edit.
    assert _alt_warnings(build_site(root)) == _alt_warnings(first)


def test_a_decorative_body_image_is_published_with_an_empty_alt(
        tmp_path, make_site, build_site, parse_html):
    root = make_site(tmp_path / "alt", {
        ARTICLE: '---\ntitle: Vote\ndate: 2025-03-01T09:00:00+01:00\n---\n\n![""](/images/v.jpg)\n',
        "content/images/v.jpg": jpeg_bytes((800, 600))})
    build_site(root)
    img = parse_html(root / "site/en/world/vote/index.html").one(cls="story__body").one("img")
    assert img.get("alt") == ""


def test_a_translations_missing_alt_is_reported_once_where_it_is_missing(
        tmp_path, make_site, build_site):
    front = "---\ntitle: Vote\ndate: 2025-03-01T09:00:00+01:00\n"
    root = make_site(tmp_path / "alt", {
        ARTICLE: front + "image:\n  src: /images/v.jpg\n---\n\nText.\n",
        "content/ru/world/vote.md": front + "---\n\nТекст.\n",  # inherits the whole block
        "content/fa/world/vote.md": front + "image:\n  caption: عکس\n---\n\nمتن.\n",
        "content/images/v.jpg": jpeg_bytes((800, 600))})
    warned = [w.split(": image")[0] for w in _alt_warnings(build_site(root))]
    assert warned == ["content/en/world/vote.md:5", "content/fa/world/vote.md:4"]


def _iptc_jpeg(caption: bytes, credit: bytes) -> bytes:
    iim = (b"\x1c\x02\x78" + len(caption).to_bytes(2, "big") + caption
           + b"\x1c\x02\x6e" + len(credit).to_bytes(2, "big") + credit)
    resource = b"8BIM\x04\x04\x00\x00" + len(iim).to_bytes(4, "big") + iim
    app13 = b"Photoshop 3.0\x00" + resource + (b"\x00" if len(iim) % 2 else b"")
    data = jpeg_bytes((800, 600))
    return data[:2] + b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13 + data[2:]


@pytest.mark.parametrize(("page", "caption_attrs", "credit_attrs"), [
    ("en", {}, {}),                                    # the original: its own language
    ("ru", {"lang": "en"}, {}),                        # IPTC caption; the credit is Russian
    ("fa", {"lang": "en", "dir": "ltr"}, {"lang": "en", "dir": "ltr"}),  # both IPTC, rtl page
    ("av", {}, {}),                       # no image block: the whole figure is lang="en"
])
def test_photo_metadata_is_marked_with_the_originals_language(
        page, caption_attrs, credit_attrs, tmp_path, make_site, build_site, parse_html):
    front = "---\ntitle: Vote\ndate: 2025-03-01T09:00:00+01:00\n"
    root = make_site(tmp_path / "iptc", {
        ARTICLE: front + "image:\n  src: /images/v.jpg\n  alt: Boxes\n---\n\nText.\n",
        "content/ru/world/vote.md": front + "image:\n  alt: Урны\n  credit: \"Фото: агентство\"\n"
                                    "---\n\nТекст.\n",
        "content/fa/world/vote.md": front + "image:\n  alt: صندوق‌ها\n---\n\nمتن.\n",
        "content/av/world/vote.md": front + "---\n\nТекст.\n",
        "content/images/v.jpg": _iptc_jpeg(b"Counting in Karsk", b"Agency")})
    build_site(root)
    doc = parse_html(root / f"site/{page}/world/vote/index.html")
    figure = doc.one("figure", cls="lead-figure")
    caption, credit = figure.one(cls="caption"), figure.one(cls="credit")
    assert caption.text == "Counting in Karsk"
    assert {k: caption.get(k) for k in ("lang", "dir") if caption.get(k)} == caption_attrs
    assert {k: credit.get(k) for k in ("lang", "dir") if credit.get(k)} == credit_attrs
    if page == "av":
        assert figure.get("lang") == "en"


@pytest.fixture(scope="module")
def listings_site(tmp_path_factory, make_site, article_text, build_site) -> Path:
    """Five stories, four with a lead photo, built once (the listings below only read
    it); the newest story has no photo."""
    files = {"content/en/world/plain.md": article_text(
        "Plain", date="2025-03-05T10:00:00+01:00", tags=["elections"])}
    for day in (1, 2, 3, 4):
        files[f"content/en/world/p{day}.md"] = article_text(
            f"Photo {day}", date=f"2025-03-0{day}T10:00:00+01:00", tags=["elections"],
            image={"src": f"/images/p{day}.jpg", "alt": f"Photo {day}"})
        files[f"content/images/p{day}.jpg"] = jpeg_bytes((1600, 900), (day * 40, 90, 160))
    root = make_site(tmp_path_factory.mktemp("listings") / "s", files)
    build_site(root)
    return root / "site"


@pytest.mark.parametrize("page", ["en/index.html", "en/world/index.html",
                                  "en/tags/elections/index.html"],
                         ids=["home", "section", "tag"])
def test_the_first_card_photo_of_a_listing_is_eager_and_high_priority(
        listings_site, parse_html, page):
    """The largest paint of a listing is its first photo: fetched at once and first, the
    others lazily. The newest story has no photo, so the first photo is the second card's."""
    cards = parse_html(listings_site / page).find_all("article", cls="card")
    images = [img for card in cards for img in card.find_all("img")]
    assert len(images) >= 3, page
    assert "Plain" in cards[0].text and not cards[0].find_all("img")
    assert [(i.get("loading"), i.get("fetchpriority")) for i in images] == [
        (None, "high")] + [("lazy", None)] * (len(images) - 1)
