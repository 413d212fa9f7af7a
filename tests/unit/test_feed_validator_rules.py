"""Every feed of a built site passes feedparser (no bozo) and the rules the W3C Feed
Validation Service applies to RSS 2.0 and Atom, each test named after the validator's
message. The validator's own code is not on PyPI (pip finds no `feedvalidator`), so its
rules are written here for the elements Dateline writes; a rule that would only give a
warning counts as a failure too, since the feeds must validate without warnings."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
BASE = "https://news.example.test/desk/"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
MEDIA = "{http://search.yahoo.com/mrss/}"

RSS_ITEM_ELEMENTS = {
    "title", "link", "description", "author", "category", "comments", "enclosure", "guid",
    "pubDate", "source", f"{CONTENT}encoded", f"{DC}creator", f"{ATOM}updated",
    f"{MEDIA}content"}
"""The item children the validator knows (among those Dateline could write): any other
is an UndefinedElement."""
DUPLICATE_SEMANTICS = [("pubDate", f"{DC}date"), ("pubDate", f"{ATOM}published"),
                       ("author", f"{DC}creator"), ("category", f"{DC}subject"),
                       ("guid", f"{ATOM}id"), ("source", f"{DC}source")]
"""(core, extension) pairs the validator flags with DuplicateItemSemantics in one item."""

# The validator's RFC 822 date: optional weekday, day, month, 2- or 4-digit year, time
# with optional seconds, and a zone.
RFC2822 = re.compile(
    r"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), *)?\d\d? +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct"
    r"|Nov|Dec) +\d\d(\d\d)? +\d\d:\d\d(:\d\d)? +([+-]\d{4}|UT|GMT|[ECMP][SD]T)$")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def ago(**delta) -> str:
    return (NOW - dt.timedelta(**delta)).isoformat()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def out(tmp_path_factory, make_site, article_text, build_site, config_text) -> Path:
    image = {"src": "/images/vote.png", "alt": "Ballot boxes", "caption": "Counting",
             "credit": "Photo: Jane Roe"}
    root = make_site(tmp_path_factory.mktemp("feedrules"), {
        "content/images/vote.png": png_bytes(),
        "content/en/world/vote.md": article_text(
            "Vote counted", date=ago(hours=2), updated=ago(hours=1), image=image,
            authors=["Ann Writer", "Bo Reporter"], tags=["elections"], summary="Over."),
        "content/ru/world/vote.md": article_text("Голоса подсчитаны", date=ago(hours=1)),
        "content/fa/world/vote.md": article_text("شمارش آرا", date=ago(minutes=80)),
        "content/en/economy/prices.md": article_text("Prices & wages", date=ago(days=3),
                                                     tags=["elections", "money"]),
        "content/en/culture/film.md": article_text("A film premieres", date=ago(days=40)),
    }, feed_size=4)
    build_site(root, now=NOW, base_url=BASE)
    return root / "site"


def feeds(out: Path, name: str) -> list[tuple[str, ET.Element]]:
    """(relative path, root element) of every feed file called `name`; each one also
    passes feedparser without a bozo flag."""
    found = []
    for path in sorted(out.rglob(name)):
        relative = path.relative_to(out).as_posix()
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{relative}: {parsed.get('bozo_exception')}"
        found.append((relative, ET.parse(path).getroot()))
    assert len(found) >= 4, found  # the languages' feeds and their sections'
    return found


def items(out: Path) -> list[tuple[str, ET.Element]]:
    found = [(relative, item) for relative, rss in feeds(out, "rss.xml")
             for item in rss.iter("item")]
    assert len(found) >= 6
    return found


def entries(out: Path) -> list[tuple[str, ET.Element]]:
    found = [(relative, entry) for relative, feed in feeds(out, "feed.xml")
             for entry in feed.iter(f"{ATOM}entry")]
    assert len(found) >= 6
    return found


# ----- RSS 2.0
def test_DuplicateItemSemantics(out):
    for relative, item in items(out):
        tags = {child.tag for child in item}
        for core, extension in DUPLICATE_SEMANTICS:
            assert not {core, extension} <= tags, f"{relative}: both {core} and {extension}"


def test_UndefinedElement(out):
    for relative, item in items(out):
        unknown = {child.tag for child in item} - RSS_ITEM_ELEMENTS
        assert not unknown, f"{relative}: {unknown}"


def test_MissingGuid_MissingItemLink_MissingItemTitle(out):
    for relative, item in items(out):
        for name in ("guid", "link", "title"):
            assert len(item.findall(name)) == 1, f"{relative}: {name}"


def test_InvalidHttpGUID_InvalidPermalink(out):
    guids = [(relative, item.find("guid")) for relative, item in items(out)]
    for relative, guid in guids:
        assert guid.get("isPermaLink") in (None, "true"), relative
        assert guid.text.startswith(BASE), relative
    for relative, rss in feeds(out, "rss.xml"):  # unique within a feed
        values = [guid.text for guid in rss.iter("guid")]
        assert len(values) == len(set(values)), relative


def test_InvalidRFC2822Date_and_IncorrectDOW(out):
    checked = 0
    for relative, rss in feeds(out, "rss.xml"):
        for element in [*rss.iter("pubDate"), *rss.iter("lastBuildDate")]:
            assert RFC2822.match(element.text), f"{relative}: {element.text}"
            moment = parsedate_to_datetime(element.text)
            assert element.text.startswith(moment.strftime("%a, ")), element.text
            checked += 1
    assert checked >= 10


def test_InvalidRFC3339Date_of_atom_updated_in_items(out):
    for relative, item in items(out):
        updated = item.findall(f"{ATOM}updated")
        assert len(updated) == 1 and RFC3339.match(updated[0].text), relative
        published = parsedate_to_datetime(item.findtext("pubDate"))
        assert dt.datetime.fromisoformat(updated[0].text) >= published, relative


def test_DuplicateEnclosure_InvalidIntegerAttribute_InvalidMIMEAttribute(out):
    enclosures = 0
    for relative, item in items(out):
        found = item.findall("enclosure")
        assert len(found) <= 1, relative
        for enclosure in found:
            assert int(enclosure.get("length")) > 0, relative
            assert re.fullmatch(r"[\w.+-]+/[\w.+-]+", enclosure.get("type")), relative
            assert enclosure.get("url").startswith(BASE), relative
            enclosures += 1
    assert enclosures >= 2  # the photo story in the language feed and its section's


def test_MissingDescription_MissingTitle_MissingLink_InvalidLanguage(out):
    for relative, rss in feeds(out, "rss.xml"):
        assert rss.get("version") == "2.0"
        channel = rss.find("channel")
        for name in ("title", "link", "description"):
            assert (channel.findtext(name) or "").strip(), f"{relative}: {name}"
        assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", channel.findtext("language"))


def test_MissingAtomSelfLink_SelfDoesntMatchLocation(out):
    for relative, rss in feeds(out, "rss.xml"):
        selves = [link for link in rss.find("channel").findall(f"{ATOM}link")
                  if link.get("rel") == "self"]
        assert [link.get("href") for link in selves] == [BASE + relative]
        assert selves[0].get("type") == "application/rss+xml"


# ----- Atom (RFC 4287)
def test_atom_MissingElement_id_title_updated(out):
    for relative, entry in entries(out):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"{relative}: {name}"


def test_atom_InvalidRFC3339Date(out):
    for relative, feed in feeds(out, "feed.xml"):
        dates = [*feed.iter(f"{ATOM}updated"), *feed.iter(f"{ATOM}published")]
        assert dates, relative
        for element in dates:
            assert RFC3339.match(element.text), f"{relative}: {element.text}"


def test_atom_MissingAlternateLink_DuplicateAtomLink(out):
    for relative, entry in entries(out):
        alternates = [(link.get("type"), link.get("hreflang"))
                      for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        assert len(alternates) == 1, relative  # one per type and language, and one at all


def test_atom_MissingSelf_SelfDoesntMatchLocation_MissingAuthor(out):
    for relative, feed in feeds(out, "feed.xml"):
        selves = [link.get("href") for link in feed.findall(f"{ATOM}link")
                  if link.get("rel") == "self"]
        assert selves == [BASE + relative]
        # A feed-level author covers every entry without one of its own.
        assert feed.find(f"{ATOM}author/{ATOM}name").text
