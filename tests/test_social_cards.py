"""Social cards and structured data that platforms accept (issue 18): every page kind
has complete Open Graph and Twitter tags with an image that exists at the size it
states; article photos get a 1200×630 crop around their focal point and 16:9, 4:3 and
1:1 crops for JSON-LD; every JSON-LD block carries Google's required and recommended
Article properties; the theme's favicon is linked from every page and served at
/favicon.ico."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

BASE = "https://news.example.org/"
PHOTO = {"src": "/images/wide.jpg", "alt": "A wide street", "caption": "The street",
         "credit": "Photo: Jane Roe"}
OG_REQUIRED = ("og:title", "og:type", "og:url", "og:image", "og:image:width",
               "og:image:height", "og:image:alt", "og:locale")
LOCALES = {"en": "en_US", "ru": "ru_RU", "fa": "fa_IR", "av": "av_RU"}
PAGES = {
    "root": "",
    "home": "en/",
    "home, right to left": "fa/",
    "home, page 2": "en/page/2/",
    "section": "en/world/",
    "tag": "en/tags/elections/",
    "topics": "en/tags/",
    "about": "en/about/",
    "year archive": "en/2025/",
    "month archive": "en/2025/03/",
    "article with a photo": "en/world/photo/",
    "article without a photo": "en/world/plain/",
    "translation": "ru/world/photo/",
}


def _wide_photo() -> bytes:
    """2400×1000 grey with a red band at the far left and a green one at the far right:
    a 1200×630 crop (1905 px of the width) around the centre shows neither."""
    image = Image.new("RGB", (2400, 1000), (128, 128, 128))
    image.paste((220, 0, 0), (0, 0, 200, 1000))
    image.paste((0, 200, 0), (2200, 0, 2400, 1000))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _site(root: Path, make_site, article_text, build_site, *, photo: dict | None = None,
          files: dict | None = None, **site_options) -> Path:
    make_site(root, {
        "content/en/world/photo.md": article_text(
            "A story with a photo", date="2025-03-01T10:00:00+01:00",
            authors=["Ann Writer"], tags=["elections"], image=photo or PHOTO),
        "content/ru/world/photo.md": article_text("История с фото",
                                                  date="2025-03-01T11:00:00+01:00"),
        "content/en/world/plain.md": article_text("A story without a photo",
                                                  date="2025-03-01T09:00:00+01:00",
                                                  tags=["elections"]),
        "content/en/world/third.md": article_text("A third story",
                                                  date="2025-03-01T08:00:00+01:00"),
        "content/images/wide.jpg": _wide_photo(),
        **(files or {}),
    }, per_page=2, **site_options)
    build_site(root)
    return root / "site"


@pytest.fixture(scope="module")
def out(tmp_path_factory, make_site, article_text, build_site) -> Path:
    return _site(tmp_path_factory.mktemp("cards"), make_site, article_text, build_site)


def _meta(doc) -> list[tuple[str, str]]:
    head = doc.find("head")
    return [(m.get("property") or m.get("name"), m.get("content")) for m in head.find_all("meta")
            if m.get("property") or (m.get("name") or "").startswith("twitter:")]


def _published(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    path = out / url.removeprefix(BASE)
    assert path.is_file(), url
    return path


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


# ----- 1. every page kind has the tags, with an image that is there at its stated size

@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_every_page_kind_has_complete_open_graph_and_twitter_tags(out, parse_html, url):
    doc = parse_html(out / url / "index.html")
    tags = _meta(doc)
    values = dict(tags)
    for name in OG_REQUIRED:
        assert values.get(name), (url, name)
    assert values["og:url"] == BASE + url
    assert values["twitter:card"] == "summary_large_image"
    assert values["twitter:image"] == values["og:image"]
    image = _published(out, values["og:image"])
    assert _size(image) == (int(values["og:image:width"]), int(values["og:image:height"]))
    # Every other language the page exists in (its hreflang links) as an alternate.
    hreflangs = [link.get("hreflang") for link in doc.find("head").find_all("link")
                 if link.get("rel") == "alternate" and link.get("hreflang")]
    others = [LOCALES[c] for c in hreflangs if c != "x-default" and LOCALES[c] != values[
        "og:locale"]]
    assert [v for k, v in tags if k == "og:locale:alternate"] == others
    assert values["og:locale"] == LOCALES["fa" if url.startswith("fa/") else
                                          "ru" if url.startswith("ru/") else "en"]


def test_the_root_chooser_names_every_language(out, parse_html):
    tags = _meta(parse_html(out / "index.html"))
    assert dict(tags)["og:locale"] == "en_US"
    assert [v for k, v in tags if k == "og:locale:alternate"] == ["ru_RU", "fa_IR", "av_RU"]
    assert dict(tags)["og:type"] == "website"


def test_a_page_without_a_photo_shows_the_name_card(out, parse_html):
    values = dict(_meta(parse_html(out / "en/world/plain/index.html")))
    card = _published(out, values["og:image"])
    assert card.name.startswith("share-card.") and card.suffix == ".png"
    assert _size(card) == (1200, 630)
    assert values["og:image:alt"] == "The Example Herald"
    # The same card on the Persian home page (the name is drawn in the default language).
    assert dict(_meta(parse_html(out / "fa/index.html")))["og:image"] == values["og:image"]


def test_a_configured_site_image_is_cropped_to_the_share_size(tmp_path, make_site,
                                                               article_text, build_site,
                                                               parse_html):
    brand = Image.new("RGB", (1600, 1600), (10, 20, 200))
    buffer = io.BytesIO()
    brand.save(buffer, "PNG")
    out = _site(tmp_path, make_site, article_text, build_site, image="brand/share.png",
                files={"brand/share.png": buffer.getvalue()})
    for url in ("en/", "en/world/plain/", ""):
        values = dict(_meta(parse_html(out / url / "index.html")))
        path = _published(out, values["og:image"])
        assert path.name.startswith("share-1200x630-1200w."), path.name
        assert _size(path) == (1200, 630)
        assert (values["og:image:width"], values["og:image:height"]) == ("1200", "630")
    # An article's own photo still wins.
    values = dict(_meta(parse_html(out / "en/world/photo/index.html")))
    assert "/media/images/wide-1200x630-" in values["og:image"]


# ----- 2. the social renditions of a photo

def _edge_colours(path: Path) -> tuple[tuple, tuple]:
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        return rgb.getpixel((3, rgb.height // 2)), rgb.getpixel((rgb.width - 4, rgb.height // 2))


def _is(colour: tuple, channel: int) -> bool:
    return colour[channel] > 150 and all(c < 90 for i, c in enumerate(colour) if i != channel)


@pytest.mark.parametrize(("focus", "red_left", "green_right"),
                         [(None, False, False), ([0.0, 0.5], True, False),
                          ([1.0, 0.5], False, True)])
def test_the_share_crop_is_1200_by_630_around_the_focus(tmp_path, make_site, article_text,
                                                        build_site, parse_html, focus,
                                                        red_left, green_right):
    photo = {**PHOTO, **({"focus": focus} if focus else {})}
    out = _site(tmp_path, make_site, article_text, build_site, photo=photo)
    values = dict(_meta(parse_html(out / "en/world/photo/index.html")))
    share = _published(out, values["og:image"])
    assert _size(share) == (1200, 630)
    assert (values["og:image:width"], values["og:image:height"]) == ("1200", "630")
    assert values["og:image:alt"] == "A wide street"
    left, right = _edge_colours(share)
    assert (_is(left, 0), _is(right, 1)) == (red_left, green_right), (left, right)


def test_json_ld_image_has_16x9_4x3_and_1x1_crops(out, parse_html):
    article = _json_ld(parse_html(out / "en/world/photo/index.html"))[0]
    images = article["image"]
    ratios = []
    for image in images:
        assert image["@type"] == "ImageObject"
        path = _published(out, image["url"])
        assert _size(path) == (image["width"], image["height"])
        assert image["caption"] == "The street" and image["creditText"] == "Photo: Jane Roe"
        ratios.append(round(image["width"] / image["height"], 2))
    assert ratios == [round(16 / 9, 2), round(4 / 3, 2), 1.0]
    # 1200 px wide where the photo is: its 1:1 crop is 1000 px, never upscaled.
    assert [i["width"] for i in images] == [1200, 1200, 1000]


def test_a_photo_narrower_than_1200_px_is_not_upscaled(tmp_path, make_site, article_text,
                                                       build_site, parse_html, image_bytes):
    out = _site(tmp_path, make_site, article_text, build_site,
                files={"content/images/wide.jpg": image_bytes("JPEG", 800, 600)})
    values = dict(_meta(parse_html(out / "en/world/photo/index.html")))
    assert _size(_published(out, values["og:image"])) == (800, 420)
    assert (values["og:image:width"], values["og:image:height"]) == ("800", "420")
    widths = [i["width"] for i in _json_ld(parse_html(out / "en/world/photo/index.html"))[0]
              ["image"]]
    assert widths == [800, 800, 600]


# ----- 3. JSON-LD as Google's Article guidance asks

def _json_ld(doc) -> list[dict]:
    return [json.loads(s.raw_text) for s in doc.find_all("script", type="application/ld+json")]


def article_problems(data: dict) -> list[str]:
    """What an Article lacks of Google's required and recommended properties
    (developers.google.com/search/docs/appearance/structured-data/article)."""
    problems = []
    for key in ("headline", "image", "datePublished", "dateModified", "author", "publisher"):
        if not data.get(key):
            problems.append(f"no {key}")
    if len(data.get("headline", "")) > 110:
        problems.append("headline longer than 110 characters")
    for image in data.get("image", []):
        if not (image.get("url") and image.get("width") and image.get("height")):
            problems.append(f"image without url, width and height: {image}")
    for key in ("datePublished", "dateModified"):
        if "T" in data.get(key, "") and not data[key].endswith(("Z", "+00:00")) \
                and data[key][-6] not in "+-":
            problems.append(f"{key} without a time zone")
    for author in data.get("author", []):
        if not (author.get("@type") in ("Person", "Organization", "NewsMediaOrganization")
                and author.get("name")):
            problems.append(f"author without @type and name: {author}")
        # A Person's page comes with author pages ([authors.<key>], the desk issue).
        if author.get("@type") != "Person" and not author.get("url"):
            problems.append(f"author without url: {author}")
    publisher = data.get("publisher", {})
    if not (publisher.get("name") and publisher.get("url")):
        problems.append("publisher without name and url")
    if not (publisher.get("logo") or {}).get("url"):
        problems.append("publisher without logo")
    return problems


@pytest.mark.parametrize("logo", ["brand/logo.svg", "brand/logo.png"])
def test_every_json_ld_article_has_googles_properties(tmp_path, make_site, article_text,
                                                      build_site, parse_html, logo):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" ' \
          'height="40" fill="#b3121b"/></svg>'
    png = io.BytesIO()
    Image.new("RGBA", (120, 40), (179, 18, 27, 255)).save(png, "PNG")
    out = _site(tmp_path, make_site, article_text, build_site, logo=logo,
                files={"brand/logo.svg": svg, "brand/logo.png": png.getvalue()})
    articles = [data for page in sorted(out.rglob("*.html"))
                for data in _json_ld(parse_html(page)) if data.get("@type") == "NewsArticle"]
    assert len(articles) == 3 + 1  # every article, the Russian translation included
    for data in articles:
        assert article_problems(data) == [], data["url"]
        assert data["@type"] == "NewsArticle"
        logo_data = data["publisher"]["logo"]
        assert logo_data["encodingFormat"] == ("image/svg+xml" if logo.endswith(".svg")
                                               else "image/png")
        assert (logo_data["width"], logo_data["height"]) == (120, 40)
        assert _published(out, logo_data["url"]).read_bytes() == (tmp_path / logo).read_bytes()
    # The theme shows the logo in the header, and it is the page's icon.
    doc = parse_html(out / "en/index.html")
    src = doc.find("header").find("img", cls="brand__logo").get("src")
    assert src.startswith("/static/logo.")
    icons = {link.get("href"): link.get("type") for link in doc.find("head").find_all("link")
             if link.get("rel") == "icon"}
    assert icons == {"/favicon.ico": None, src: logo_data["encodingFormat"]}


def test_the_article_checker_finds_what_is_missing():
    # The checker above must be able to fail: a bare Article fails on every count.
    found = article_problems({"headline": "x" * 111, "author": [{"name": "A"}],
                              "image": [{"url": "u"}], "publisher": {"name": "P"}})
    assert found == ["no datePublished", "no dateModified",
                     "headline longer than 110 characters",
                     "image without url, width and height: {'url': 'u'}",
                     "author without @type and name: {'name': 'A'}",
                     "author without url: {'name': 'A'}", "publisher without name and url",
                     "publisher without logo"]


def test_an_unsigned_article_is_by_the_outlet_with_its_url(out, parse_html):
    article = _json_ld(parse_html(out / "en/world/plain/index.html"))[0]
    (author,) = article["author"]
    assert author["@type"] == "NewsMediaOrganization"
    assert author["url"] == BASE + "en/"


# ----- 4. the favicon

@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_every_page_links_the_favicon(out, parse_html, url):
    links = {link.get("href"): link for link in parse_html(out / url / "index.html")
             .find("head").find_all("link") if link.get("rel") == "icon"}
    assert "/favicon.ico" in links
    (svg,) = [h for h, link in links.items() if link.get("type") == "image/svg+xml"]
    assert (out / svg.lstrip("/")).read_bytes().startswith(b"<svg")


def test_favicon_ico_is_at_the_root(out):
    with Image.open(out / "favicon.ico") as icon:
        assert icon.format == "ICO"
        assert (32, 32) in icon.info["sizes"]


def test_a_png_logo_makes_the_favicon(tmp_path, make_site, article_text, build_site,
                                      parse_html):
    png = io.BytesIO()
    Image.new("RGB", (64, 32), (0, 90, 200)).save(png, "PNG")
    out = _site(tmp_path, make_site, article_text, build_site, logo="logo.png",
                files={"logo.png": png.getvalue()})
    with Image.open(out / "favicon.ico") as icon:
        icon.size = (32, 32)
        rgba = icon.convert("RGBA")
        assert rgba.getpixel((16, 16)) == (0, 90, 200, 255)
        assert rgba.getpixel((16, 2))[3] == 0  # a wide logo, centred on a clear square
    types = [link.get("type") for link in parse_html(out / "en/index.html").find("head")
             .find_all("link") if link.get("rel") == "icon"]
    assert types == [None, "image/png"]


@pytest.mark.parametrize(("value", "message"), [
    ('"brand/none.svg"', "site.logo: 'brand/none.svg' does not exist (paths are relative "
                         "to the site folder)"),
    ('"brand/logo.gif"', "site.logo: 'brand/logo.gif' must be an SVG or PNG image "
                         "(.svg, .png)"),
    ('"../outside.svg"', "site.logo: '../outside.svg' is outside the site folder; put the "
                         "file inside it"),
    ("3", "site.logo: must be the path of an SVG or PNG image under the site folder, e.g. "
          "'brand/logo.svg'"),
])
def test_a_wrong_logo_is_a_config_error(tmp_path, make_site, run_cli, config_text, value,
                                        message):
    root = make_site(tmp_path / "site", {
        "dateline.toml": config_text().replace("[site]\n", f"[site]\nlogo = {value}\n"),
        "brand/logo.gif": b"GIF89a", "../outside.svg": "<svg/>"})
    result = run_cli(["build"], cwd=root)
    assert result.code != 0
    assert f"dateline.toml:2: {message}" in result.err, result.err


def test_a_replaced_logo_is_published_on_the_next_build(tmp_path, make_site, article_text,
                                                        build_site, parse_html):
    # Only the logo file changes, not the config: the build must not call itself done.
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} 40"/>'
    out = _site(tmp_path, make_site, article_text, build_site, logo="logo.svg",
                files={"logo.svg": svg.format(100)})
    first = parse_html(out / "en/index.html").find("img", cls="brand__logo").get("src")
    (tmp_path / "logo.svg").write_text(svg.format(120), encoding="utf-8")
    build_site(tmp_path)
    logo = parse_html(out / "en/index.html").find("img", cls="brand__logo")
    assert logo.get("src") != first and logo.get("width") == "120"
    assert (out / logo.get("src").lstrip("/")).read_text(encoding="utf-8") == svg.format(120)
