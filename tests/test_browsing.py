"""Readers browsing: related stories under each article, date archives in the language's
calendar, and an Atom feed per topic."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.errors import SourceRef
from dateline.model import Article
from dateline.outputs.related import index as related_index

CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "Europe/Prague"
per_page = 2
{extra}

[languages.en]
title = "Herald"
about = "About the Herald."
untranslated = "{policy}"

[languages.fa]
title = "پیک"
about = "دربارهٔ پیک."
calendar = "persian"
timezone = "Asia/Tehran"

[languages.ru]
title = "Вестник"
about = "О Вестнике."
"""


def story(title: str, date: str, section_tags: tuple[str, list[str]] = ("world", []),
          **meta) -> tuple[str, str]:
    section, tags = section_tags
    lines = ["---", f'title: "{title}"', f"date: {date}", f"tags: [{', '.join(tags)}]"]
    lines += [f"{key}: {value}" for key, value in meta.items()]
    return section, "\n".join(lines + ["---", "", f"{title}: the story.", ""])


def site_files(stories: dict[str, tuple[str, str]], extra: str = "",
               policy: str = "show") -> dict[str, str]:
    files = {"dateline.toml": CONFIG.format(extra=extra, policy=policy)}
    for path, (section, text) in stories.items():
        lang, name = path.split("/")
        files[f"content/{lang}/{section}/{name}.md"] = text
    return files


NEWS = {
    "en/vote": story("Vote", "2025-03-05T10:00:00+01:00", ("world", ["elections", "courts"])),
    "en/recount": story("Recount", "2025-03-04T10:00:00+01:00", ("world", ["elections"])),
    "en/judges": story("Judges", "2025-03-03T10:00:00+01:00", ("economy", ["courts"])),
    "en/harvest": story("Harvest", "2025-03-06T10:00:00+01:00", ("world", ["farming"])),
    "en/trade": story("Trade", "2025-02-01T10:00:00+01:00", ("economy", [])),
    "en/old-vote": story("Old vote", "2024-11-30T23:30:00+00:00", ("world", ["elections"])),
    "ru/vote": story("Выборы", "2025-03-05T11:00:00+01:00", ("world", ["elections"])),
    "fa/boycott": story("تحریم", "2025-03-02T09:00:00+03:30", ("world", ["elections"]),
                        original="true"),
}


def related_titles(tree) -> list[str]:
    section = tree.find_all("section", cls="related")
    if not section:
        return []
    return [a.text.strip() for a in section[0].find_all("a", cls="related__title")]


def test_related_stories_share_tags_first_then_section(tmp_path, make_site, build_site,
                                                       parse_html):
    root = make_site(tmp_path / "s", site_files(NEWS))
    build_site(root)
    page = parse_html(root / "site/en/world/vote/index.html")
    # Tags first, newest first (the Persian original shows, untranslated, since en
    # shows untranslated stories); then the section's newest (Harvest); never itself.
    assert related_titles(page) == ["Recount", "Judges", "تحریم", "Old vote"]
    badge = page.find("section", cls="related").find("li", lang="fa")
    assert badge.attrs["dir"] == "rtl"
    assert "in Persian" in badge.text or "فارسی" in badge.text
    # Russian shows only its own stories: there is no other Russian one.
    assert related_titles(parse_html(root / "site/ru/world/vote/index.html")) == []
    # Without a shared tag: the section's newest.
    assert related_titles(parse_html(root / "site/en/world/harvest/index.html"))[:2] == [
        "Vote", "Recount"]


def test_related_count_comes_from_the_config_and_zero_turns_it_off(tmp_path, make_site,
                                                                   build_site, parse_html):
    root = make_site(tmp_path / "two", site_files(NEWS, extra="related = 2"))
    build_site(root)
    assert related_titles(parse_html(root / "site/en/world/vote/index.html")) == [
        "Recount", "Judges"]
    off = make_site(tmp_path / "off", site_files(NEWS, extra="related = 0"))
    build_site(off)
    pages = sorted((off / "site").glob("*/*/*/index.html"))
    articles = [p for p in pages if parse_html(p).find_all("article", cls="story")]
    assert articles, "the site has article pages"
    assert all(related_titles(parse_html(p)) == [] for p in articles)


def test_related_stories_do_not_depend_on_file_order(tmp_path, make_site, build_site,
                                                     parse_html):
    """Same stories, equal dates, written in another order under other file names of the
    same slug: the same related stories in the same order."""
    same_time = {f"en/s{i}": story(f"S{i}", "2025-03-01T10:00:00+01:00",
                                   ("world", ["x"] if i % 2 else ["x", "y"]))
                 for i in range(7)}
    shuffled = list(same_time.items())
    random.Random(4).shuffle(shuffled)
    first = make_site(tmp_path / "a", site_files(same_time))
    second = make_site(tmp_path / "b", site_files(dict(shuffled)))
    build_site(first)
    build_site(second)
    for i in range(7):
        one = related_titles(parse_html(first / f"site/en/world/s{i}/index.html"))
        assert len(one) == 4
        assert one == related_titles(parse_html(second / f"site/en/world/s{i}/index.html"))


def _article(n: int, day: int, section: str, tags: tuple[str, ...]) -> Article:
    path = f"content/en/{section}/a{n}.md"
    return Article(
        source=SourceRef(path), source_file=str(Path(path)), digest="", lang="en", section=section,
        slug=f"a{n}", translation_key=f"a{n}", title=f"A{n}",
        date=dt.datetime(2025, 1, day, tzinfo=dt.UTC), updated=None, summary="", authors=(),
        dateline="", tags=tags, reporting=(), breaking=False, draft=False, original=False,
        image=None, body_line=1, url=f"en/{section}/a{n}/")


@given(st.lists(st.tuples(st.integers(1, 5), st.sampled_from(["s", "t"]),
                          st.lists(st.sampled_from("abcd"), max_size=3, unique=True)),
                min_size=1, max_size=25), st.integers(0, 6))
def test_related_index_equals_comparing_every_pair(specs, count):
    """The index's choice is the definition's: among the other stories, those sharing a
    tag (newest first, listing order breaking ties), then those of the same section."""
    articles = [_article(n, day, section, tuple(tags))
                for n, (day, section, tags) in enumerate(specs)]
    listing = tuple(sorted(articles, key=lambda a: (-a.date.timestamp(), a.lang, a.url)))
    found = related_index(listing)
    for article in listing:
        others = [a for a in listing if a is not article]
        tagged = [a for a in others if set(a.tags) & set(article.tags)]
        sectioned = [a for a in others if a.section == article.section and a not in tagged]
        assert found.related(article, count) == tuple((tagged + sectioned)[:count])


PERSIAN = {
    # 2025-03-20 is the last day of Esfand 1403 in Tehran; 2025-03-21 is 1 Farvardin 1404.
    "fa/esfand": story("اسفند", "2025-03-20T23:00:00+03:30", ("world", [])),
    "fa/farvardin": story("فروردین", "2025-03-21T00:30:00+03:30", ("world", [])),
    "fa/azar": story("آذر", "2024-11-22T12:00:00+03:30", ("world", [])),
    # 23:30 UTC on 30 November is 1 December in Prague: December's archive.
    "en/night": story("Night", "2024-11-30T23:30:00+00:00", ("world", [])),
    "en/spring": story("Spring", "2025-03-02T10:00:00+01:00", ("world", [])),
    "en/march": story("March", "2025-03-03T10:00:00+01:00", ("world", [])),
    "en/later": story("Later", "2025-03-04T10:00:00+01:00", ("world", [])),
    "ru/march": story("Март", "2025-03-10T10:00:00+01:00", ("world", [])),
}


def test_date_archives_follow_the_language_calendar_and_zone(tmp_path, make_site, build_site,
                                                             parse_html):
    root = make_site(tmp_path / "s", site_files(PERSIAN, policy="hide"))
    build_site(root)
    out = root / "site"

    def listed(path: str) -> list[str]:
        tree = parse_html(out / path)
        return [a.text.strip() for a in tree.find_all("h2", cls="card__title")]

    assert listed("fa/1403/12/index.html") == ["اسفند"]
    assert listed("fa/1404/01/index.html") == ["فروردین"]
    assert listed("fa/1403/09/index.html") == ["آذر"]
    assert parse_html(out / "fa/1404/01/index.html").find("h1").text.strip() == "فروردین ۱۴۰۴"
    assert parse_html(out / "fa/1403/index.html").find("h1").text.strip() == "۱۴۰۳"
    assert listed("en/2024/12/index.html") == ["Night"]
    assert not (out / "en/2024/11").exists()
    # A year's page lists its months and links the neighbouring years that have articles.
    year = parse_html(out / "fa/1403/index.html")
    months = [a.text.strip() for a in year.find("nav", cls="periods").find_all("a")]
    assert months == ["آذر ۱۴۰۳", "اسفند ۱۴۰۳"]
    newer = year.find("a", cls="period-nav__newer")
    assert newer.attrs["href"] == "/fa/1404/"


def test_month_archives_paginate_and_link_the_next_period_with_articles(
        tmp_path, make_site, build_site, parse_html):
    root = make_site(tmp_path / "s", site_files(PERSIAN, policy="hide"))
    build_site(root)
    out = root / "site"
    march = parse_html(out / "en/2025/03/index.html")
    assert [a.text.strip() for a in march.find_all("h2", cls="card__title")] == [
        "Later", "March"]  # per_page = 2
    assert march.find("a", cls="pagination__next").attrs["href"] == "/en/2025/03/page/2/"
    # The month before March that has articles is December, not February.
    assert march.find("a", cls="period-nav__older").attrs["href"] == "/en/2024/12/"
    assert not march.find_all("a", cls="period-nav__newer")
    # hreflang: the same month in the languages of the same calendar only (not fa's,
    # whose months are others).
    alternates = {link.attrs["hreflang"]: link.attrs["href"]
                  for link in march.find_all("link", rel="alternate") if "hreflang" in link.attrs}
    assert alternates == {"en": "https://news.example.org/en/2025/03/",
                          "ru": "https://news.example.org/ru/2025/03/",
                          "x-default": "https://news.example.org/en/2025/03/"}
    # The footer of every page links the newest year's archive.
    home = parse_html(out / "fa/index.html")
    footer = home.find("footer", cls="site-footer")
    assert "/fa/1404/" in [a.attrs["href"] for a in footer.find_all("a")]


@pytest.mark.parametrize("lang, page", [("en", "en/tags/elections"),
                                        ("ru", "ru/tags/elections")])
def test_every_topic_has_an_atom_feed_linked_from_its_page(tmp_path, make_site, build_site,
                                                           parse_html, lang, page):
    root = make_site(tmp_path / "s", site_files(NEWS))
    build_site(root)
    out = root / "site"
    head = parse_html(out / page / "index.html").find("head")
    links = [link.attrs["href"] for link in head.find_all("link", rel="alternate",
                                                          type="application/atom+xml")]
    assert f"/{page}/feed.xml" in links
    feed = feedparser.parse((out / page / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [entry.title for entry in feed.entries]
    assert titles, "the feed has entries"
    # Only the language's own articles (a listing may show originals; a feed never).
    expected = {"en": ["Vote", "Recount", "Old vote"], "ru": ["Выборы"]}[lang]
    assert titles == expected
