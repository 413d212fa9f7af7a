"""Authors (`[authors.<key>]` in the config): bylines linked to author pages, the author
pages (bio, photo, their stories, paginated) and the staff list in the language's
alphabetical order, JSON-LD `author` as a Person with its page, a feed per author, the
pages in the sitemap with their hreflang alternates, the config's mistakes reported with
their line, and the author page clean under axe-core."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pytest

from dateline.config import load_config
from dateline.errors import ConfigError

AUTHORS = """
[authors.ana]
name = "Ana Petrov"
role = { en = "Chief correspondent", ru = "Главный корреспондент" }
photo = "images/staff/ana.jpg"
links = ["https://social.example.org/@ana"]
url = "https://ana.example.org/"

[authors.ana.names]
ru = "Анна Петрова"

[authors.ana.bio]
en = "Ana Petrov reports from Karsk."
ru = "Анна Петрова работает в Карске."

[authors.yolkin]
name = "Ivan Yolkin"
names = { ru = "Иван Ёлкин" }
bio = { en = "Ivan Yolkin edits the economy desk." }

[authors.yezhov]
name = "Oleg Yezhov"
names = { ru = "Олег Ежов" }
"""


@pytest.fixture
def staff_site(tmp_path, make_site, config_text, article_text, image_bytes, build_site):
    """Three English stories by Ana (one written by her key, one by her name, one with a
    name no author has beside hers), a Russian one by her Russian name, two per page."""
    root = make_site(tmp_path / "site", {
        "dateline.toml": config_text(per_page=2) + AUTHORS,
        "content/images/staff/ana.jpg": image_bytes(width=300, height=400),
        "content/en/world/a.md": article_text(title="Story A", authors=["ana"],
                                              date="2025-03-01T10:00:00+01:00"),
        "content/en/world/b.md": article_text(title="Story B", authors=["Ana Petrov"],
                                              date="2025-03-02T10:00:00+01:00"),
        "content/en/world/c.md": article_text(
            title="Story C", authors=["Our correspondent", "ana"],
            date="2025-03-03T10:00:00+01:00"),
        "content/en/economy/d.md": article_text(title="Story D", authors=["yolkin"],
                                                date="2025-03-04T10:00:00+01:00"),
        "content/ru/world/a.md": article_text(title="Статья А", authors=["Анна Петрова"],
                                              date="2025-03-01T12:00:00+01:00"),
    })
    build_site(root)
    return root / "site"


def test_bylines_link_configured_authors_and_print_other_names_unlinked(staff_site,
                                                                        parse_html):
    byline = parse_html(staff_site / "en/world/c/index.html").one("p", cls="byline")
    names = byline.find_all("bdi")
    assert [n.text for n in names] == ["Our correspondent", "Ana Petrov"]
    links = byline.find_all("a")
    assert [(a.get("href"), a.get("rel"), a.text) for a in links] == [
        ("/en/authors/ana/", "author", "Ana Petrov")]
    # Written by her Russian name, printed by it and linked to her Russian page.
    ru = parse_html(staff_site / "ru/world/a/index.html").one("p", cls="byline")
    assert [(a.get("href"), a.text) for a in ru.find_all("a")] == [
        ("/ru/authors/ana/", "Анна Петрова")]


def test_an_author_page_shows_bio_and_photo_then_the_stories_paginated(staff_site,
                                                                        parse_html):
    page = parse_html(staff_site / "en/authors/ana/index.html")
    assert page.one("h1").text == "Ana Petrov"
    assert page.one("p", cls="author__bio").text == "Ana Petrov reports from Karsk."
    assert page.one("p", cls="author__role").text == "Chief correspondent"
    assert [a.get("href") for a in page.one("ul", cls="author__links").find_all("a")] == [
        "https://ana.example.org/", "https://social.example.org/@ana"]
    photo = page.one("picture", cls="author__photo").one("img")
    assert photo.get("width") == photo.get("height")  # cropped square
    assert (staff_site / photo.get("src").lstrip("/")).is_file()
    titles = [h.text for h in page.find_all("h2", cls="card__title")]
    assert titles == ["Story C", "Story B"]  # newest first, per_page = 2
    second = parse_html(staff_site / "en/authors/ana/page/2/index.html")
    assert [h.text for h in second.find_all("h2", cls="card__title")] == ["Story A"]
    assert not second.find_all("p", cls="author__bio")
    # In Russian: her Russian name, bio and role, and only the Russian story.
    ru = parse_html(staff_site / "ru/authors/ana/index.html")
    assert ru.one("h1").text == "Анна Петрова"
    assert ru.one("p", cls="author__bio").text == "Анна Петрова работает в Карске."
    assert [h.text for h in ru.find_all("h2", cls="card__title")] == ["Статья А"]


def test_a_bio_missing_in_a_language_is_the_default_languages_marked_as_such(
        staff_site, parse_html):
    bio = parse_html(staff_site / "ru/authors/yolkin/index.html").one("p", cls="author__bio")
    assert bio.text == "Ivan Yolkin edits the economy desk."
    assert bio.get("lang") == "en"


def test_the_staff_list_is_in_the_languages_alphabetical_order(staff_site, parse_html):
    def names(lang: str) -> list[str]:
        page = parse_html(staff_site / f"{lang}/authors/index.html")
        return [a.text for a in page.one("ul", cls="staff-list").find_all("a")]

    assert names("en") == ["Ana Petrov", "Ivan Yolkin", "Oleg Yezhov"]
    # Russian collation sorts Ё with Е (code points put every Ё before А).
    assert names("ru") == ["Анна Петрова", "Иван Ёлкин", "Олег Ежов"]
    assert sorted(["Ежов", "Ёлкин"]) == ["Ёлкин", "Ежов"]
    fa = parse_html(staff_site / "fa/authors/index.html")
    assert [a.get("href") for a in fa.one("ul", cls="staff-list").find_all("a")] == [
        "/fa/authors/ana/", "/fa/authors/yolkin/", "/fa/authors/yezhov/"]


def test_staff_list_sorting_uses_the_collation_not_code_points(tmp_path, make_site,
                                                               config_text, build_site,
                                                               parse_html):
    root = make_site(tmp_path / "site", {"dateline.toml": config_text() + """
[authors.yolkin]
name = "Ёлкин"

[authors.yezhov]
name = "Ежов"
"""})
    build_site(root)
    page = parse_html(root / "site/ru/authors/index.html")
    assert [a.text for a in page.one("ul", cls="staff-list").find_all("a")] == [
        "Ежов", "Ёлкин"]


def test_json_ld_authors_are_people_with_their_page(staff_site, parse_html):
    page = parse_html(staff_site / "en/world/c/index.html")
    scripts = [json.loads(s.text) for s in page.find_all("script")
               if s.get("type") == "application/ld+json"]
    article = next(d for d in scripts if d["@type"] == "NewsArticle")
    assert article["author"] == [
        {"@type": "Person", "name": "Our correspondent"},
        {"@type": "Person", "name": "Ana Petrov",
         "url": "https://news.example.org/en/authors/ana/",
         "sameAs": ["https://ana.example.org/", "https://social.example.org/@ana"]}]


def test_each_author_has_an_atom_feed_linked_from_the_author_page(staff_site, parse_html):
    page = parse_html(staff_site / "en/authors/ana/index.html")
    feeds = [(link.get("type"), link.get("href")) for link in page.find_all("link")
             if link.get("rel") == "alternate" and link.get("type")]
    assert ("application/atom+xml", "/en/authors/ana/feed.xml") in feeds
    feed = feedparser.parse((staff_site / "en/authors/ana/feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Ana Petrov — The Example Herald"
    assert [e.title for e in feed.entries] == ["Story C", "Story B", "Story A"]
    assert feed.feed.link == "https://news.example.org/en/authors/ana/"


def test_author_pages_are_in_the_sitemap_with_hreflang_alternates(staff_site, parse_html):
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.parse(staff_site / "ru/sitemap.xml").getroot().findall("s:url", ns)
    entry = next(u for u in urls
                 if u.find("s:loc", ns).text == "https://news.example.org/ru/authors/ana/")
    alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)}
    assert alternates == {code: f"https://news.example.org/{code}/authors/ana/"
                          for code in ("en", "ru", "fa", "av")} | {
        "x-default": "https://news.example.org/en/authors/ana/"}
    assert any(u.find("s:loc", ns).text == "https://news.example.org/ru/authors/" for u in urls)
    head = parse_html(staff_site / "ru/authors/ana/index.html")
    hreflangs = {link.get("hreflang") for link in head.find_all("link")
                 if link.get("rel") == "alternate" and link.get("hreflang")}
    assert hreflangs == {"en", "ru", "fa", "av", "x-default"}


def test_a_site_without_authors_has_no_author_pages(tmp_path, make_site, article_text,
                                                    build_site):
    root = make_site(tmp_path / "site", {
        "content/en/world/a.md": article_text(authors=["Ana Petrov"])})
    build_site(root)
    assert not (root / "site/en/authors").exists()
    html = (root / "site/en/world/a/index.html").read_text(encoding="utf-8")
    assert '<p class="byline">By <bdi>Ana Petrov</bdi></p>' in html


@pytest.mark.parametrize("table, line, message", [
    ('[authors.ana]\nname = "Ana"\nemial = "ana@example.org"\n', 3,
     "unknown key 'authors.ana.emial'"),
    ('[authors.ana]\nrole = "Editor"\n', 1, "authors.ana.name is required: the name "
     "bylines print"),
    ('[authors.ana]\nname = "Ana"\n[authors.ana.names]\nxx = "Ana"\n', 4,
     "authors.ana.names.xx: 'xx' is not a configured language (av, en, fa, ru)"),
    ('[authors.ana]\nname = "Ana"\nbio = "Reports."\n', 3, "authors.ana.bio must map "
     "language codes to text, e.g. [authors.ana.bio] en = \"…\""),
    ('[authors.ana]\nname = "Ana"\nlinks = ["social.example.org/ana"]\n', 3,
     "authors.ana.links: 'social.example.org/ana' is not an absolute URL (http, https or "
     "mailto)"),
    ('[authors.ana]\nname = "Ana"\nurl = 5\n', 3, "authors.ana.url: '5' is not an absolute "
     "URL (http, https or mailto)"),
    ('[authors."Ana P"]\nname = "Ana"\n', 1, "authors.Ana P: the key 'Ana P'"),
    ('[authors]\nana = "Ana"\n', 2, "authors.ana must be a table"),
], ids=["unknown-key", "no-name", "names-language", "bio-text", "links", "url", "key",
        "not-a-table"])
def test_config_mistakes_in_authors_are_reported_with_their_line(
        tmp_path, make_site, config_text, table, line, message):
    config = config_text()
    root = make_site(tmp_path / "site", {"dateline.toml": config + table})
    offset = config.count("\n")
    with pytest.raises(ConfigError) as raised:
        load_config(root / "dateline.toml")
    shown = [str(p) for p in raised.value.problems]
    assert any(p.startswith(f"dateline.toml:{offset + line}: {message}") for p in shown), shown


def test_an_author_photo_that_is_missing_is_reported_at_its_config_line(
        tmp_path, make_site, config_text, article_text, build_site):
    from dateline.errors import ContentError

    config = config_text() + '[authors.ana]\nname = "Ana"\nphoto = "images/none.jpg"\n'
    root = make_site(tmp_path / "site", {"dateline.toml": config,
                                         "content/en/world/a.md": article_text()})
    with pytest.raises(ContentError) as raised:
        build_site(root)
    line = config.count("\n")
    assert any(str(p).startswith(f"dateline.toml:{line}: authors.ana.photo: ")
               and "not found" in str(p) for p in raised.value.problems)


SETTLED = """() => Promise.all(document.getAnimations()
    .filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null)))"""
"""Waits for the colour transitions a scheme change starts (as `check` does)."""


def test_an_author_page_is_clean_under_axe(staff_site, browser):
    from axe_playwright_python.base import AXE_SCRIPT

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(staff_site))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context()
    try:
        tab = context.new_page()
        checked = 0
        for path in ("en/authors/ana/", "ru/authors/", "fa/authors/ana/"):
            tab.goto(f"http://127.0.0.1:{server.server_address[1]}/{path}")
            tab.evaluate(AXE_SCRIPT)
            for scheme in ("light", "dark"):
                tab.emulate_media(color_scheme=scheme)
                tab.evaluate(SETTLED)
                results = tab.evaluate("() => axe.run(document)")
                assert results["violations"] == [], (path, scheme, [
                    (v["id"], [n["target"] for n in v["nodes"]]) for v in results["violations"]])
                assert results["passes"]
                checked += 1
        assert checked == 6
    finally:
        context.close()
        server.shutdown()
        server.server_close()
