"""Every sitemap Dateline writes is valid against the published XML schemas (shipped in
tests/schemas/, see its README): the index against sitemaps.org's siteindex.xsd, the
language sitemaps and the Google News sitemaps against sitemap.xsd with the News and
xhtml:link extensions. A language with no story in the News window has no News sitemap,
which its schema would not allow empty, and the index does not list one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from dateline.outputs import sitemaps

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=10)  # past every story's News window
BASE = "https://news.example.org/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_FILES = "news-sitemap"


def ago(**delta) -> str:
    return (NOW - dt.timedelta(**delta)).isoformat()


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    return {root: etree.XMLSchema(etree.parse(str(SCHEMAS / name)))
            for root, name in (("sitemapindex", "siteindex.xsd"), ("urlset", "urlset.xsd"))}


def files(article_text) -> dict[str, str]:
    return {
        "content/en/world/vote.md": article_text("Vote counted", date=ago(hours=3),
                                                 updated=ago(hours=1), tags=["elections"]),
        "content/ru/world/vote.md": article_text("Голоса подсчитаны", date=ago(hours=2)),
        "content/fa/world/vote.md": article_text("شمارش آرا", date=ago(hours=2)),
        "content/en/economy/stale.md": article_text("Prices & <rise>", date=ago(days=9)),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory, make_site, article_text, build_site):
    """`built(now)`: the output folder of the site built at `now` (each built once)."""
    made: dict[dt.datetime, Path] = {}

    def build(now: dt.datetime) -> Path:
        if now not in made:
            root = make_site(tmp_path_factory.mktemp("schemas"), files(article_text),
                             per_page=1)
            build_site(root, now=now)
            made[now] = root / "site"
        return made[now]

    return build


def listed(out: Path) -> list[Path]:
    """The files the sitemap index lists."""
    index = etree.parse(str(out / "sitemap.xml")).getroot()
    locs = [loc.text for loc in index.iter(f"{SM}loc")]
    assert all(loc.startswith(BASE) for loc in locs), locs
    return [out / loc[len(BASE):] for loc in locs]


def without_marker(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != ".dateline-output"}


def assert_valid(schemas, path: Path) -> None:
    document = etree.parse(str(path))
    schema = schemas[etree.QName(document.getroot()).localname]
    assert schema.validate(document), f"{path.name}: {schema.error_log}"


@pytest.mark.parametrize("now", [NOW, LATER], ids=["stories in the window", "none in it"])
def test_every_sitemap_is_valid_against_its_schema(built, schemas, now):
    out = built(now)
    written = sorted(out.rglob("*sitemap*.xml"))
    kinds = {"index": 0, "language": 0, "news": 0}
    for path in written:
        assert_valid(schemas, path)
        kind = ("index" if path == out / "sitemap.xml" else
                "news" if path.name.startswith(NEWS_FILES) else "language")
        kinds[kind] += 1
    assert kinds["index"] == 1 and kinds["language"] >= 4
    assert kinds["news"] == (3 if now == NOW else 0)  # en, ru, fa; av has no story
    assert sorted(listed(out)) == sorted(p for p in written if p != out / "sitemap.xml")


def test_an_empty_news_sitemap_is_neither_written_nor_listed(built):
    out = built(LATER)
    assert not list(out.rglob(f"{NEWS_FILES}*.xml"))
    assert all(NEWS_FILES not in path.name for path in listed(out))
    assert (out / "en/sitemap.xml").is_file()


def test_the_schema_rejects_an_empty_urlset(schemas, tmp_path):
    # What earlier builds wrote for a language without recent stories.
    empty = tmp_path / "news-sitemap.xml"
    empty.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SM[1:-1]}"/>\n')
    with pytest.raises(AssertionError, match="Missing child element"):
        assert_valid(schemas, empty)


def test_a_news_sitemap_left_behind_is_removed_by_an_incremental_build(
        tmp_path, make_site, article_text, build_site, snapshot):
    root = make_site(tmp_path / "s", files(article_text), per_page=1)
    build_site(root, now=NOW)
    assert (root / "site/en/news-sitemap.xml").is_file()
    result = build_site(root, now=LATER)
    assert result.incremental
    build_site(root, tmp_path / "clean", now=LATER)
    assert without_marker(snapshot(root / "site")) == without_marker(snapshot(tmp_path / "clean"))
    assert not list((root / "site").rglob(f"{NEWS_FILES}*.xml"))


def test_split_news_sitemaps_are_each_valid(tmp_path, make_site, article_text, build_site,
                                            schemas, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_MAX_URLS", 1)
    monkeypatch.setattr(sitemaps, "MAX_URLS", 2)
    root = make_site(tmp_path / "s", {**files(article_text), "content/en/world/more.md":
                                      article_text("More", date=ago(hours=4))}, per_page=1)
    build_site(root, now=NOW)
    parts = sorted((root / "site").rglob("*sitemap-*.xml"))
    assert (root / "site/en/news-sitemap-2.xml") in parts and len(parts) > 3
    for path in parts:
        assert_valid(schemas, path)
