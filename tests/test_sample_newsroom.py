"""The bundled sample newsroom builds cleanly and has what the README promises.

It is built from a copy of `dateline.toml` and `content/` (the theme and catalogs come
from Dateline itself), so the test never writes into the checkout: the test run's one
build of it, `sample_newsroom` in conftest.py.
"""

from __future__ import annotations

import posixpath
import tomllib
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample(sample_newsroom):
    """(site folder, {"code", "out", "err"}) of the test run's one cold build of the
    sample (`sample_newsroom` in conftest.py)."""
    return sample_newsroom


@pytest.fixture(scope="module")
def out(sample) -> Path:
    return sample[0] / "site"


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads((REPO / "dateline.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pages(out, parse_html) -> dict[str, object]:
    """Every HTML page of the built sample, parsed, by its path under the output."""
    return {p.relative_to(out).as_posix(): parse_html(p) for p in sorted(out.rglob("*.html"))}


@pytest.fixture(scope="module")
def articles(pages) -> dict[str, object]:
    return {path: doc for path, doc in pages.items()
            if doc.find_all("article", cls="story")}


def test_sample_builds_with_exit_0_and_no_warnings(sample):
    _, result = sample
    assert result["code"] == 0, result["err"]
    assert "warning:" not in result["err"]
    assert "built" in result["out"].splitlines()[-1]


def test_sample_holds_back_its_draft_and_lists_it(sample):
    _, result = sample
    held = [line for line in result["out"].splitlines() if line.startswith("held back:")]
    assert any(line.endswith("(draft)") for line in held)


def test_every_language_has_home_about_and_the_site_has_root_and_404(out, config):
    assert (out / "index.html").is_file() and (out / "404.html").is_file()
    for code in config["languages"]:
        assert (out / code / "index.html").is_file(), code
        assert (out / code / "about/index.html").is_file(), code


def test_sample_has_four_languages_including_persian_and_russian(articles, config):
    languages = {path.split("/")[0] for path in articles}
    assert len(languages) >= 4
    assert {"fa", "ru"} <= languages
    assert languages <= set(config["languages"])


def test_sample_has_twelve_stories_over_three_sections(articles):
    stories = {"/".join(path.split("/")[1:3]) for path in articles}
    sections = {path.split("/")[1] for path in articles}
    assert len(stories) >= 12
    assert len(sections) >= 3


def test_most_stories_are_translated_into_some_but_not_all_languages(articles, config):
    versions = defaultdict(set)
    for path, doc in articles.items():
        links = doc.find("head").find_all("link", rel="alternate", hreflang=True)
        story = frozenset(link.get("href") for link in links
                          if link.get("hreflang") != "x-default")
        versions[story].add(path.split("/")[0])
    counts = [len(langs) for langs in versions.values()]
    translated = sum(1 for n in counts if n > 1)
    assert translated > len(counts) / 2
    assert any(n < len(config["languages"]) for n in counts)


def test_hreflang_of_every_article_is_reciprocal(articles, out):
    assert len(articles) > 10
    for path, doc in articles.items():
        if doc.find_all("p", cls="archived-notice"):
            continue  # out of circulation: no alternates (below)
        links = doc.find("head").find_all("link", rel="alternate", hreflang=True)
        langs = [link.get("hreflang") for link in links]
        assert langs.count("x-default") == 1, path
        assert path.split("/")[0] in langs, path
        for link in links:
            target = urlsplit(link.get("href")).path.lstrip("/") + "index.html"
            assert (out / target).is_file(), (path, link.get("href"))
            other = articles[target].find("head").find_all("link", hreflang=True)
            assert {o.get("href") for o in other} == {o.get("href") for o in links}, path


def test_lead_photos_have_alt_caption_and_credit(articles, out):
    figures = [doc.find("figure", cls="lead-figure") for doc in articles.values()
               if doc.find_all("figure", cls="lead-figure")]
    assert len(figures) >= len(articles) / 2
    for figure in figures:
        img = figure.one("img")
        assert img.get("alt")
        assert (out / urlsplit(img.get("src")).path.lstrip("/")).is_file()
    with_credit = [f for f in figures if f.find_all(cls="credit") and f.find_all(cls="caption")]
    assert len(with_credit) >= len(figures) / 2


def test_several_articles_carry_agency_attribution(articles):
    attributions = {path: doc.one(cls="attribution").text for path, doc in articles.items()
                    if doc.find_all(cls="attribution")}
    assert len(attributions) >= 3
    english = [text for path, text in attributions.items() if path.startswith("en/")]
    assert english and all(text.startswith("With reporting by ") for text in english)


def test_one_breaking_story_has_the_banner(pages):
    banner = pages["en/index.html"].one("aside", cls="breaking")
    href = banner.find("a").get("href").lstrip("/") + "index.html"
    assert pages[href].find("article", cls="story")


def test_the_expired_service_notice_is_archived_in_both_languages_and_listed_nowhere(
        pages, out):
    archived = sorted(path for path, doc in pages.items()
                      if doc.find_all("p", cls="archived-notice"))
    # The Russian version inherits the English original's `expires`.
    assert archived == ["en/world/polling-stations/index.html",
                        "ru/world/polling-stations/index.html"]
    for path in archived:
        robots = [m.get("content") for m in pages[path].find_all("meta")
                  if m.get("name") == "robots"]
        assert robots == ["noindex"]
        url = "/" + path.removesuffix("index.html")
        mentioned = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                           if p.suffix in (".html", ".xml") and url in p.read_text("utf-8"))
        assert mentioned == [path]  # no listing, feed, sitemap or switcher names it


def test_persian_pages_are_right_to_left_and_others_left_to_right(pages):
    seen = {"rtl": 0, "ltr": 0}
    for path, doc in pages.items():
        html = doc.one("html")
        if path.startswith("fa/"):
            assert (html.get("lang"), html.get("dir")) == ("fa", "rtl"), path
            seen["rtl"] += 1
        elif path.split("/")[0] in ("en", "ru", "ka"):
            assert html.get("dir") == "ltr", path
            seen["ltr"] += 1
    assert seen["rtl"] > 3 and seen["ltr"] > 10, seen


def test_footer_carries_each_languages_about_section(pages, config):
    assert len(config["languages"]) >= 4
    for code, language in config["languages"].items():
        footer = pages[f"{code}/index.html"].one("footer", cls="site-footer")
        assert footer.one("section", cls="about").find("p").text == language["about"]


def test_root_index_lists_every_language(pages, config):
    hrefs = {a.get("href") for a in pages["index.html"].one("main").find_all("a", hreflang=True)}
    assert hrefs == {f"/{code}/" for code in config["languages"]}


def test_every_internal_link_and_image_resolves(pages, out):
    missing = []
    for path, doc in pages.items():
        for node in doc.iter():
            srcset = [c.split()[0] for c in (node.get("srcset") or "").split(",") if c.strip()]
            for value in [node.get("href"), node.get("src"), *srcset]:
                if not value or value.startswith(("#", "mailto:")) or "://" in value:
                    continue
                target = unquote(urlsplit(value).path)
                if target.endswith("/"):
                    target = posixpath.join(target, "index.html")
                if not (out / target.lstrip("/")).is_file():
                    missing.append(f"{path}: {value}")
    assert missing == []


@pytest.mark.parametrize(("lang", "direction", "heading"), [
    ("en", "ltr", "Page not found"), ("ru", "ltr", "Страница не найдена"),
    ("fa", "rtl", "صفحه پیدا نشد"), ("ka", "ltr", "გვერდი ვერ მოიძებნა"),
])
def test_each_language_has_its_own_404_page_in_its_language(out, parse_html, lang,
                                                            direction, heading):
    doc = parse_html(out / lang / "404.html")
    html = doc.one("html")
    assert (html.get("lang"), html.get("dir")) == (lang, direction)
    assert doc.one("h1").text == heading
    assert doc.one("body").classes == {"page-404"}
    # Served at any depth under /<lang>/: its links are root-relative, and lead home.
    hrefs = {a.get("href") for a in doc.one("main").find_all("a")}
    assert {"/en/", "/ru/", "/fa/", "/ka/"} <= hrefs


# ----- the news desk: the staff and a corrected story

def test_every_configured_author_has_a_bio_in_every_language(config):
    languages = set(config["languages"])
    assert len(config["authors"]) >= 5
    for key, author in config["authors"].items():
        assert set(author["bio"]) == languages, key
        assert set(author.get("names", {})) | {"en"} == languages, key


def test_every_author_page_shows_its_bio_in_its_language(pages, config):
    for code in config["languages"]:
        staff = pages[f"{code}/authors/index.html"].one("ul", cls="staff-list")
        assert len(staff.find_all("a")) == len(config["authors"]), code
        for key, author in config["authors"].items():
            page = pages[f"{code}/authors/{key}/index.html"]
            assert page.one("p", cls="author__bio").text == author["bio"][code], (code, key)
            assert page.one("html").get("lang") == code
            if code == "en":  # every author wrote in English; not everyone in Persian
                assert page.find_all("article", cls="card"), key


def test_bylines_of_configured_authors_link_to_their_pages(articles):
    linked = {a.get("href") for doc in articles.values()
              for byline in doc.find_all("p", cls="byline") for a in byline.find_all("a")}
    assert {"/en/authors/nadia-orlen/", "/ru/authors/nadia-orlen/",
            "/fa/authors/nadia-orlen/", "/ka/authors/nadia-orlen/"} <= linked


def test_a_corrected_story_shows_its_correction_and_its_translations_say_so(pages):
    corrected = pages["en/world/karsk-vote/index.html"].one("section", cls="corrections")
    assert corrected.one("time").get("datetime") == "2026-11-25T10:30:00+01:00"
    assert "en/corrections/index.html" in pages
    for code in ("ru", "fa", "ka"):
        notice = pages[f"{code}/world/karsk-vote/index.html"].one("p", cls="correction-notice")
        assert notice.one("a").get("href") == "/en/world/karsk-vote/#correction-1", code
    # The Russian desk corrected a story of its own.
    ru = pages["ru/corrections/index.html"].one("ol", cls="corrections-list")
    assert [a.get("href") for a in ru.find_all("a")] == [
        "/ru/economy/currency-slide/#correction-1"]
