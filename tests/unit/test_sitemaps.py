"""Sitemaps of a built site: the index and robots.txt, hreflang sets that are reciprocal
and identical to the page heads, lastmod, the Google News 48-hour window, and splitting
at the URL and byte limits."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dateline.outputs import sitemaps

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
BASE = "https://news.example.org/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
HOSTILE = '</script> & "quotes" <b>'


def ago(**delta) -> str:
    return (NOW - dt.timedelta(**delta)).isoformat()


def site_files(article_text) -> dict[str, str]:
    return {
        # One story in three languages; the English one is the original.
        "content/en/world/vote.md": article_text(
            "Vote counted", date=ago(hours=3), updated=ago(hours=1), tags=["elections"]),
        "content/ru/world/vote.md": article_text("Голоса подсчитаны", date=ago(hours=2)),
        "content/fa/world/vote.md": article_text("شمارش آرا", date=ago(hours=2)),
        # Just inside and just outside Google News' 48 hours.
        "content/en/world/recent.md": article_text(HOSTILE, date=ago(hours=47)),
        "content/en/economy/stale.md": article_text("Prices rise", date=ago(hours=49)),
        "content/ru/economy/stale.md": article_text("Цены растут", date=ago(hours=49)),
        "content/en/culture/film.md": article_text("A film premieres", date=ago(days=9),
                                                   tags=["film"]),
        # A story only in Persian, and one scheduled after the build time.
        "content/fa/culture/poem.md": article_text("شعر", date=ago(hours=5)),
        "content/en/world/tomorrow.md": article_text("Not yet", date=ago(hours=-5)),
    }


@pytest.fixture(scope="module")
def make_sitemap_site(tmp_path_factory, make_site, article_text, build_site):
    def make(**site_options) -> Path:
        root = tmp_path_factory.mktemp("sitemaps")
        make_site(root, site_files(article_text), per_page=2, **site_options)
        build_site(root, now=NOW)
        return root / "site"

    return make


@pytest.fixture(scope="module")
def out(make_sitemap_site) -> Path:
    return make_sitemap_site()


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    relative = url[len(BASE):]
    return out / (relative + "index.html" if relative.endswith("/") or not relative
                  else relative)


def index_locs(out: Path) -> list[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    assert root.tag == f"{SM}sitemapindex"
    return [s.findtext(f"{SM}loc") for s in root.findall(f"{SM}sitemap")]


def url_entries(out: Path) -> dict[str, dict]:
    """loc → {'hreflang': {(hreflang, href)}, 'lastmod': str | None, 'file': name} for
    every URL of every regular (not News) sitemap in the index."""
    entries: dict[str, dict] = {}
    for loc in index_locs(out):
        if "news-sitemap" in loc:
            continue
        root = ET.parse(local(out, loc)).getroot()
        assert root.tag == f"{SM}urlset"
        for url in root.findall(f"{SM}url"):
            href = url.findtext(f"{SM}loc")
            assert href not in entries, f"{href} listed twice"
            links = url.findall(f"{XHTML}link")
            assert all(link.get("rel") == "alternate" for link in links)
            entries[href] = {
                "hreflang": {(link.get("hreflang"), link.get("href")) for link in links},
                "count": len(links), "lastmod": url.findtext(f"{SM}lastmod"), "file": loc}
    return entries


def head_hreflang(parse_html, path: Path) -> set[tuple[str, str]]:
    head = parse_html(path).find("head")
    return {(link.get("hreflang"), link.get("href"))
            for link in head.find_all("link", rel="alternate", hreflang=True)}


def test_robots_txt_points_at_the_sitemap_index(out):
    lines = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: https://news.example.org/sitemap.xml" in lines


def test_index_lists_every_sitemap_and_each_exists(out):
    locs = index_locs(out)
    assert locs == [BASE + f"{lang}/sitemap.xml" for lang in ("en", "ru", "fa", "av")] \
        + [BASE + "sitemap-root.xml"] \
        + [BASE + f"{lang}/news-sitemap.xml" for lang in ("en", "ru", "fa")]
    for loc in locs:
        ET.parse(local(out, loc))
    written = {p.relative_to(out).as_posix() for p in out.rglob("*sitemap*.xml")}
    assert written == {loc[len(BASE):] for loc in locs} | {"sitemap.xml"}


def test_each_language_sitemap_holds_its_own_folder(out):
    # A sitemap may only list URLs in its own folder or below (the protocol's rule).
    entries = url_entries(out)
    assert len(entries) > 10
    for loc, entry in entries.items():
        folder = entry["file"][len(BASE):].rpartition("/")[0]
        assert loc.startswith(BASE + (folder + "/" if folder else "")), (loc, entry["file"])


def test_every_page_with_alternates_is_listed_and_nothing_else(out, parse_html):
    entries = url_entries(out)
    pages = {}
    for path in out.rglob("*.html"):
        if head_hreflang(parse_html, path):
            relative = path.relative_to(out).as_posix().removesuffix("index.html")
            pages[BASE + relative] = path
    assert set(entries) == set(pages)
    assert BASE + "en/world/vote/" in entries and BASE + "fa/culture/poem/" in entries
    # Skipped: the 404 page, listing pages after the first, articles not yet published.
    assert (out / "404.html").is_file() and BASE + "404.html" not in entries
    assert (out / "en/page/2/index.html").is_file() and BASE + "en/page/2/" not in entries
    assert not any("tomorrow" in loc for loc in entries)


def test_sitemap_hreflang_is_identical_to_the_page_head(out, parse_html):
    entries = url_entries(out)
    for loc, entry in entries.items():
        assert entry["count"] == len(entry["hreflang"]), f"{loc}: duplicate links"
        assert entry["hreflang"] == head_hreflang(parse_html, local(out, loc)), loc
    assert entries[BASE + "en/world/vote/"]["hreflang"] == {
        ("en", BASE + "en/world/vote/"), ("ru", BASE + "ru/world/vote/"),
        ("fa", BASE + "fa/world/vote/"), ("x-default", BASE + "en/world/vote/")}
    assert entries[BASE + "fa/culture/poem/"]["hreflang"] == {
        ("fa", BASE + "fa/culture/poem/"), ("x-default", BASE + "fa/culture/poem/")}


def test_hreflang_is_reciprocal(out):
    entries = url_entries(out)
    checked = 0
    for loc, entry in entries.items():
        languages = {href: lang for lang, href in entry["hreflang"] if lang != "x-default"}
        if loc not in languages:
            # Only the root language chooser: it is the x-default of the homes, not a
            # version in one language.
            assert loc == BASE, loc
            continue
        own = languages[loc]
        for href, lang in languages.items():
            assert href in entries, f"{loc} lists {href}, which is not in the sitemaps"
            assert (own, loc) in entries[href]["hreflang"], f"{href} does not list {loc}"
            assert (lang, href) in entries[href]["hreflang"], f"{href} lacks itself"
            checked += 1
        # Every version of a page names the same x-default (if any).
        defaults = {href for lang, href in entry["hreflang"] if lang == "x-default"}
        assert len(defaults) <= 1
        for href in languages:
            assert {h for lg, h in entries[href]["hreflang"] if lg == "x-default"} == defaults
    assert checked > 30


def test_lastmod_follows_the_content(out):
    entries = url_entries(out)
    assert entries[BASE + "en/world/vote/"]["lastmod"] == ago(hours=1)  # `updated`
    assert entries[BASE + "ru/world/vote/"]["lastmod"] == ago(hours=2)  # `date`
    # A listing changes with the newest story it lists.
    assert entries[BASE + "en/world/"]["lastmod"] == ago(hours=1)
    assert entries[BASE + "en/economy/"]["lastmod"] == ago(hours=49)
    assert all(e["lastmod"] for loc, e in entries.items() if "/av/" not in loc)
    index = ET.parse(out / "sitemap.xml").getroot()
    lastmods = {s.findtext(f"{SM}loc"): s.findtext(f"{SM}lastmod")
                for s in index.findall(f"{SM}sitemap")}
    assert lastmods[BASE + "en/sitemap.xml"] == ago(hours=1)
    assert lastmods[BASE + "en/news-sitemap.xml"] == ago(hours=3)


def news(out: Path, lang: str) -> list[dict]:
    root = ET.parse(out / lang / "news-sitemap.xml").getroot()
    found = []
    for url in root.findall(f"{SM}url"):
        item = url.find(f"{NEWS}news")
        found.append({
            "loc": url.findtext(f"{SM}loc"),
            "name": item.findtext(f"{NEWS}publication/{NEWS}name"),
            "language": item.findtext(f"{NEWS}publication/{NEWS}language"),
            "date": item.findtext(f"{NEWS}publication_date"),
            "title": item.findtext(f"{NEWS}title")})
    return found


def test_news_sitemap_has_the_last_48_hours(out):
    en = news(out, "en")
    assert [n["loc"] for n in en] == [BASE + "en/world/vote/", BASE + "en/world/recent/"]
    assert {(n["name"], n["language"]) for n in en} == {("The Example Herald", "en")}
    assert en[0]["date"] == ago(hours=3)  # publication date, not the update
    assert en[1]["title"] == HOSTILE
    ru = news(out, "ru")
    assert [(n["loc"], n["name"], n["language"]) for n in ru] == [
        (BASE + "ru/world/vote/", "Вестник Примера", "ru")]
    assert [n["loc"] for n in news(out, "fa")] == [BASE + "fa/world/vote/",
                                                   BASE + "fa/culture/poem/"]
    assert not (out / "av/news-sitemap.xml").exists()  # no story: no News sitemap


def test_news_window_moves_with_the_build_time(make_site, article_text, build_site, tmp_path):
    root = make_site(tmp_path / "later", site_files(article_text))
    build_site(root, now=NOW + dt.timedelta(hours=2))
    assert [n["loc"] for n in news(root / "site", "en")] == [BASE + "en/world/vote/"]


def test_news_language_codes():
    assert sitemaps.news_language("pt-BR") == "pt"
    assert sitemaps.news_language("zh-Hant") == "zh-tw"
    assert sitemaps.news_language("zh") == "zh-cn"
    assert sitemaps.news_language("fa") == "fa"


def test_sitemaps_split_at_the_url_limit(out, make_sitemap_site, monkeypatch):
    whole = url_entries(out)
    monkeypatch.setattr(sitemaps, "MAX_URLS", 3)
    monkeypatch.setattr(sitemaps, "NEWS_MAX_URLS", 1)
    split = make_sitemap_site()
    locs = index_locs(split)
    en = [loc for loc in locs if loc.startswith(BASE + "en/sitemap")]
    assert en[0] == BASE + "en/sitemap.xml"
    assert en[1:] == [BASE + f"en/sitemap-{n}.xml" for n in range(2, len(en) + 1)]
    assert len(en) >= 3
    for loc in locs:
        assert len(ET.parse(local(split, loc)).getroot().findall(f"{SM}url")) <= 3
    assert BASE + "en/news-sitemap-2.xml" in locs
    # Nothing lost or duplicated (url_entries checks), nothing changed.
    parts = url_entries(split)
    assert set(parts) == set(whole)
    for loc, entry in whole.items():
        assert (parts[loc]["hreflang"], parts[loc]["lastmod"]) == (entry["hreflang"],
                                                                   entry["lastmod"])


def test_sitemaps_split_at_the_byte_limit(make_sitemap_site, monkeypatch):
    monkeypatch.setattr(sitemaps, "MAX_BYTES", 2500)
    split = make_sitemap_site()
    files = [local(split, loc) for loc in index_locs(split) if "news-sitemap" not in loc]
    assert len(files) > 5
    for path in files:
        urls = ET.parse(path).getroot().findall(f"{SM}url")
        assert path.stat().st_size <= 2500 or len(urls) == 1
