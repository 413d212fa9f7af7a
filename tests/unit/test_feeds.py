"""Atom and RSS feeds of a built site: well-formed (feedparser, no bozo), per language and
per section, absolute URLs under base_url, full body or summary, lead image enclosures,
hostile titles, and the feed links in page heads."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from dateline.outputs.absolutize import absolute_links
from dateline.outputs.xmlwrite import clean

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
BASE = "https://news.example.test/desk/"
HOSTILE = '</script><script>alert(1)</script> & "quotes" <b>'
ATOM = "{http://www.w3.org/2005/Atom}"


def ago(**delta) -> str:
    return (NOW - dt.timedelta(**delta)).isoformat()


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    return buffer.getvalue()


IMAGE = {"src": "/images/vote.png", "alt": "Ballot boxes", "caption": "Counting the vote",
         "credit": "Photo: Jane Roe"}


def site_files(article_text) -> dict[str, str | bytes]:
    return {
        "content/images/vote.png": png_bytes(),
        "content/en/world/vote.md": article_text(
            "Vote counted", date=ago(hours=2), updated=ago(hours=1),
            authors=["Ann Writer", "Bo Reporter"], tags=["elections"],
            summary="The count is over.", image=IMAGE,
            body="First paragraph.\n\n![Ballots in a box](/images/vote.png)\n"),
        "content/ru/world/vote.md": article_text("Голоса подсчитаны", date=ago(minutes=90),
                                                 summary="Подсчёт окончен."),
        "content/fa/world/vote.md": article_text("شمارش آرا", date=ago(minutes=80)),
        "content/en/world/hostile.md": article_text(
            HOSTILE, date=ago(hours=47), summary="Before\x01after & <i>more</i>",
            tags=["elections"]),
        "content/en/economy/old.md": article_text("Prices rise", date=ago(hours=49)),
        "content/en/economy/older.md": article_text(
            "Wages fall", date=ago(days=10),
            body="Wages fell for the third month in a row, the statistics office said.\n"),
        "content/en/culture/ancient.md": article_text("A film premieres", date=ago(days=30)),
    }


LABELS = '\n[languages.en.sections]\nworld = "World news"\n\n[languages.ru.sections]\n' \
         'world = "Мир"\n\n[languages.ru.tags]\nelections = "Выборы"\n'


@pytest.fixture(scope="module")
def make_feed_site(tmp_path_factory, make_site, article_text, build_site, config_text):
    def make(**site_options) -> Path:
        root = tmp_path_factory.mktemp("feeds")
        config = config_text(feed_size=4, per_page=2, **site_options) + LABELS
        make_site(root, {**site_files(article_text), "dateline.toml": config})
        build_site(root, now=NOW, base_url=BASE)
        return root / "site"

    return make


@pytest.fixture(scope="module")
def out(make_feed_site) -> Path:
    return make_feed_site()


def parse(out: Path, relative: str):
    feed = feedparser.parse((out / relative).read_bytes())
    assert not feed.bozo, f"{relative}: {feed.get('bozo_exception')}"
    return feed


def local(out: Path, url: str) -> Path:
    """The output file serving an absolute URL of the site."""
    assert url.startswith(BASE), url
    relative = url[len(BASE):]
    return out / (relative + "index.html" if relative.endswith("/") or not relative
                  else relative)


def test_every_feed_is_well_formed_and_none_is_missing(out):
    feeds = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xml")
                   if p.name in ("feed.xml", "rss.xml"))
    expected = {f"{lang}/{kind}" for lang in ("en", "ru", "fa", "av")
                for kind in ("feed.xml", "rss.xml")}
    expected |= {f"en/{s}/{k}" for s in ("world", "economy", "culture")
                 for k in ("feed.xml", "rss.xml")}
    expected |= {f"{lang}/world/{k}" for lang in ("ru", "fa") for k in ("feed.xml", "rss.xml")}
    # Every topic page has an Atom feed beside it.
    topics = {p.parent.relative_to(out).as_posix() for p in out.glob("*/tags/*/index.html")}
    assert topics, "the site has topic pages"
    expected |= {f"{topic}/feed.xml" for topic in topics}
    assert set(feeds) == expected
    for relative in feeds:
        feed = parse(out, relative)
        assert feed.version == ("atom10" if relative.endswith("feed.xml") else "rss20")
        ET.parse(out / relative)  # a strict XML parser agrees


def test_language_feed_has_the_newest_articles_up_to_feed_size(out):
    for relative in ("en/feed.xml", "en/rss.xml"):
        feed = parse(out, relative)
        assert [e.title for e in feed.entries] == ["Vote counted", HOSTILE, "Prices rise",
                                                   "Wages fall"]
        assert feed.feed.language == "en"
        assert feed.feed.title == "The Example Herald"
        assert feed.feed.link == BASE + "en/"


def test_feeds_are_per_language(out):
    ru = parse(out, "ru/feed.xml")
    assert ru.feed.language == "ru"
    assert [e.link for e in ru.entries] == [BASE + "ru/world/vote/"]
    assert parse(out, "ru/rss.xml").feed.language == "ru"
    fa = parse(out, "fa/feed.xml")
    assert fa.feed.language == "fa" and fa.feed.title == "پیک نمونه"
    assert [e.title for e in fa.entries] == ["شمارش آرا"]
    # A language without articles still gets valid, empty feeds.
    assert parse(out, "av/feed.xml").entries == []
    assert parse(out, "av/rss.xml").feed.language == "av"


def test_section_feeds_hold_only_their_section(out):
    world = parse(out, "en/world/feed.xml")
    assert [e.title for e in world.entries] == ["Vote counted", HOSTILE]
    assert world.feed.title == "World news — The Example Herald"
    assert world.feed.link == BASE + "en/world/"
    assert [e.title for e in parse(out, "en/economy/rss.xml").entries] == ["Prices rise",
                                                                        "Wages fall"]
    # Older than the language feed reaches, but still in its section's feed.
    assert [e.title for e in parse(out, "en/culture/feed.xml").entries] == ["A film premieres"]
    assert parse(out, "ru/world/rss.xml").feed.title == "Мир — Вестник Примера"


def test_atom_entry_fields(out):
    feed = parse(out, "en/feed.xml")
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == BASE + "en/feed.xml"
    entry = feed.entries[0]
    assert entry.id == entry.link == BASE + "en/world/vote/"
    assert local(out, entry.link).is_file()
    assert entry.published_parsed[:5] == (2026, 3, 10, 10, 0)
    assert entry.updated_parsed[:5] == (2026, 3, 10, 11, 0)  # from `updated`
    assert [a.name for a in entry.authors] == ["Ann Writer", "Bo Reporter"]
    assert [t.term for t in entry.tags] == ["World news", "elections"]
    assert entry.summary == "The count is over."
    related = {link.hreflang: link.href for link in entry.links if link.rel == "related"}
    assert related == {"ru": BASE + "ru/world/vote/", "fa": BASE + "fa/world/vote/"}
    # Article without `updated`: updated is the publication time.
    assert feed.entries[2].updated == feed.entries[2].published


def published(out, stem: str, ext: str) -> str:
    """Root-relative URL of the photo rendition that stands for a lead photo."""
    [path] = [p for p in (out / "media/images").iterdir()
              if re.fullmatch(rf"{stem}-\d+w\.[0-9a-f]+\.{ext}", p.name)]
    return path.relative_to(out).as_posix()


def test_atom_content_is_the_full_body_with_absolute_links(out):
    entry = parse(out, "en/feed.xml").entries[0]
    content = entry.content[0]
    assert content.type == "text/html"
    assert content.base == BASE + "en/world/vote/"
    assert "<p>First paragraph.</p>" in content.value
    assert f'src="{BASE}{published(out, "vote", "jpg")}"' in content.value
    # xml:base is set on the element itself.
    root = ET.parse(out / "en/feed.xml").getroot()
    element = root.find(f"{ATOM}entry/{ATOM}content")
    assert element.get("{http://www.w3.org/XML/1998/namespace}base") == entry.link
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_lead_image_is_an_enclosure_with_type_and_length(out):
    url = published(out, "vote", "jpg")
    size = (out / url).stat().st_size
    for relative in ("en/feed.xml", "en/rss.xml"):
        entry = parse(out, relative).entries[0]
        assert entry.enclosures == [{"href": BASE + url, "type": "image/jpeg",
                                     "length": str(size)}]
        assert entry.media_content[0]["url"] == BASE + url
        assert entry.media_content[0]["type"] == "image/jpeg"  # an opaque PNG becomes JPEG
        assert entry.media_content[0]["medium"] == "image"
        assert local(out, entry.enclosures[0]["href"]).is_file()
        # No lead image, no enclosure.
        assert parse(out, relative).entries[1].enclosures == []


def test_rss_item_fields(out):
    feed = parse(out, "en/rss.xml")
    entry = feed.entries[0]
    assert entry.link == entry.id == BASE + "en/world/vote/"
    assert entry.guidislink is False
    assert entry.published_parsed[:5] == (2026, 3, 10, 10, 0)
    assert entry.updated_parsed[:5] == (2026, 3, 10, 11, 0)
    assert [a.name for a in entry.authors] == ["Ann Writer", "Bo Reporter"]
    assert entry.summary == "The count is over."
    assert f'src="{BASE}{published(out, "vote", "jpg")}"' in entry.content[0].value
    self_link = [link for link in feed.feed.links if link.rel == "self"]
    assert [link.href for link in self_link] == [BASE + "en/rss.xml"]
    # Without a summary the description is the start of the body.
    wages = feed.entries[3]
    assert wages.summary.startswith("Wages fell for the third month")


def test_hostile_text_stays_text_in_every_feed(out):
    for relative in ("en/feed.xml", "en/rss.xml", "en/world/feed.xml", "en/world/rss.xml"):
        entry = parse(out, relative).entries[1]
        assert entry.title == HOSTILE
        # The control character XML cannot carry is dropped; markup stays text.
        assert entry.summary == "Beforeafter & <i>more</i>"
        ET.parse(out / relative)


def test_summary_only_feeds(make_feed_site):
    out = make_feed_site(feed_full_content=False)
    for relative in ("en/feed.xml", "en/rss.xml"):
        feed = parse(out, relative)
        # (feedparser also lists media:description under `content`, as text/plain)
        assert not [c for e in feed.entries for c in e.get("content", ())
                    if c.type == "text/html"]
        assert feed.entries[0].summary == "The count is over."
        assert feed.entries[3].summary.startswith("Wages fell")
    atom = ET.parse(out / "en/feed.xml").getroot()
    assert atom.findall(f"{ATOM}entry/{ATOM}content") == []
    rss = (out / "en/rss.xml").read_text(encoding="utf-8")
    assert "content:encoded" not in rss and "First paragraph" not in rss


def feed_links(parse_html, path: Path) -> list[tuple[str, str, str]]:
    head = parse_html(path).find("head")
    return [(link.get("type"), link.get("title"), link.get("href"))
            for link in head.find_all("link", rel="alternate")
            if link.get("type") in ("application/atom+xml", "application/rss+xml")]


def test_page_heads_link_their_feeds(out, parse_html):
    language = [("application/atom+xml", "The Example Herald", "/desk/en/feed.xml"),
                ("application/rss+xml", "The Example Herald", "/desk/en/rss.xml")]
    section = [("application/atom+xml", "World news — The Example Herald",
                "/desk/en/world/feed.xml"),
               ("application/rss+xml", "World news — The Example Herald",
                "/desk/en/world/rss.xml")]
    assert feed_links(parse_html, out / "en/index.html") == language
    assert feed_links(parse_html, out / "en/about/index.html") == language
    assert feed_links(parse_html, out / "en/world/index.html") == language + section
    assert feed_links(parse_html, out / "en/world/vote/index.html") == language + section
    assert feed_links(parse_html, out / "ru/world/vote/index.html")[0] == (
        "application/atom+xml", "Вестник Примера", "/desk/ru/feed.xml")


def test_every_advertised_feed_exists(out, parse_html):
    pages = [p for p in out.rglob("*.html") if p.name != "index.html" or p.parent != out]
    checked = 0
    for page in pages:
        for _type, _title, href in feed_links(parse_html, page):
            path = urlsplit(href).path
            assert path.startswith("/desk/")
            assert (out / path.removeprefix("/desk/")).is_file(), f"{page}: {href}"
            checked += 1
    assert checked > 20


def test_clean_drops_only_characters_xml_cannot_carry():
    assert clean("a\x00b\x01c\x0bd\te\nf\rg\ufffeh\U0001f600") == "abcd\te\nf\rgh\U0001f600"


def test_absolute_links_rewrites_urls_and_keeps_the_rest():
    html = ('<p>A &amp; B <a href="/desk/x/">x</a> <a href="#n">n</a> '
            '<a href="https://other.test/">o</a></p><img src="../m.png" alt="a &quot;b&quot;" '
            'srcset="/s1.png 1x, /s2.png 2x"><!-- note --><br/>')
    result = absolute_links(html, "https://news.example.test/desk/en/world/vote/")
    assert result == (
        '<p>A &amp; B <a href="https://news.example.test/desk/x/">x</a> <a href="#n">n</a> '
        '<a href="https://other.test/">o</a></p>'
        '<img src="https://news.example.test/desk/en/world/m.png" alt="a &quot;b&quot;" '
        'srcset="https://news.example.test/s1.png 1x, https://news.example.test/s2.png 2x">'
        "<!-- note --><br/>")
