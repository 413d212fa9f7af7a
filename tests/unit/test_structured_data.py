"""Head metadata of built pages: JSON-LD (NewsArticle, BreadcrumbList,
NewsMediaOrganization), Open Graph and Twitter tags, and hostile text that must not
break out of a <script> element or an attribute."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from dateline.outputs.structured import og_locale, script_json

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
BASE = "https://news.example.org/"
HOSTILE = '</script><script>alert(1)</script> & "quotes"'
ABOUT_EN = "The Example Herald reports from places where the press is not free."
IMAGE = {"src": "/images/vote.jpg", "alt": "Ballot boxes", "caption": "Counting",
         "credit": "Photo: Jane Roe"}
LABELS = ('\n[languages.en.sections]\nworld = "World news"\n\n[languages.en.tags]\n'
          'elections = "Elections"\n\n[languages.ru.sections]\nworld = "Мир"\n\n'
          '[languages.ru.tags]\nelections = "Выборы"\n')


def ago(**delta) -> str:
    return (NOW - dt.timedelta(**delta)).isoformat()


@pytest.fixture(scope="module")
def out(tmp_path_factory, make_site, article_text, build_site, config_text) -> Path:
    from PIL import Image

    root = tmp_path_factory.mktemp("structured")
    make_site(root, {
        "dateline.toml": config_text() + LABELS,
        "content/en/world/vote.md": article_text(
            "Vote counted", date=ago(hours=3), updated=ago(hours=1),
            authors=["Ann Writer", "Bo Reporter"], tags=["elections"], dateline="KARSK",
            summary="The count is over.", image=IMAGE),
        "content/ru/world/vote.md": article_text("Голоса подсчитаны", date=ago(hours=2),
                                                 authors=["Анна Райтер"]),
        "content/fa/world/vote.md": article_text("شمارش آرا", date=ago(hours=2)),
        "content/en/world/hostile.md": article_text(
            HOSTILE, date=ago(hours=5), summary=f"Summary {HOSTILE}",
            authors=[f"Eve {HOSTILE}"], tags=["elections"]),
    })
    (root / "content/images").mkdir()
    Image.new("RGB", (40, 30), "navy").save(root / "content/images/vote.jpg")
    build_site(root, now=NOW)
    return root / "site"


def page(out: Path, url: str, parse_html):
    return parse_html(out / url / "index.html")


def json_ld(doc) -> list[dict]:
    return [json.loads(s.raw_text) for s in doc.find_all("script", type="application/ld+json")]


def meta(doc) -> list[tuple[str, str]]:
    head = doc.find("head")
    return [(m.get("property") or m.get("name"), m.get("content"))
            for m in head.find_all("meta") if m.get("property") or
            (m.get("name") or "").startswith("twitter:")]


def test_article_has_a_news_article_and_breadcrumbs(out, parse_html):
    doc = page(out, "en/world/vote", parse_html)
    article, crumbs = json_ld(doc)
    url = BASE + "en/world/vote/"
    assert article["@context"] == "https://schema.org"
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == "Vote counted"
    assert article["url"] == url
    assert article["mainEntityOfPage"]["@id"] == url
    assert article["datePublished"] == ago(hours=3)
    assert article["dateModified"] == ago(hours=1)
    assert article["author"] == [{"@type": "Person", "name": "Ann Writer"},
                                 {"@type": "Person", "name": "Bo Reporter"}]
    image_url = article["image"][0]["url"]
    assert image_url.startswith(BASE + "media/images/vote-") and image_url.endswith(".jpg")
    assert (out / image_url.removeprefix(BASE)).is_file()
    assert article["inLanguage"] == "en"
    assert article["articleSection"] == "World news"
    assert article["keywords"] == ["Elections"]
    assert article["dateline"] == "KARSK"
    publisher = article["publisher"]
    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["name"] == "The Example Herald"
    assert publisher["url"] == BASE + "en/"
    # Described once, on the home page, under the same @id.
    assert "description" not in publisher
    (home_organization,) = json_ld(page(out, "en", parse_html))
    assert home_organization["@id"] == publisher["@id"]
    assert home_organization["description"] == ABOUT_EN
    # The original lists its translations.
    assert [(t["url"], t["inLanguage"], t["@id"]) for t in article["workTranslation"]] == [
        (BASE + "ru/world/vote/", "ru", BASE + "ru/world/vote/#article"),
        (BASE + "fa/world/vote/", "fa", BASE + "fa/world/vote/#article")]
    assert "translationOfWork" not in article
    assert crumbs["@type"] == "BreadcrumbList"
    assert [(i["position"], i["name"], i["item"]) for i in crumbs["itemListElement"]] == [
        (1, "The Example Herald", BASE + "en/"), (2, "World news", BASE + "en/world/"),
        (3, "Vote counted", url)]


def test_translation_points_at_its_original_in_its_own_language(out, parse_html):
    article, crumbs = json_ld(page(out, "ru/world/vote", parse_html))
    assert article["inLanguage"] == "ru"
    assert article["translationOfWork"]["@id"] == BASE + "en/world/vote/#article"
    assert article["translationOfWork"]["url"] == BASE + "en/world/vote/"
    assert "workTranslation" not in article
    assert article["publisher"]["name"] == "Вестник Примера"
    assert article["articleSection"] == "Мир"
    assert article["keywords"] == ["Выборы"]
    assert "image" in article  # the original's photo is inherited
    assert [i["name"] for i in crumbs["itemListElement"]] == [
        "Вестник Примера", "Мир", "Голоса подсчитаны"]
    # The @id a translation points at is the one the original declares.
    original = json_ld(page(out, "en/world/vote", parse_html))[0]
    assert original["@id"] == article["translationOfWork"]["@id"]


def test_home_carries_the_organization(out, parse_html, about):
    for lang in ("en", "ru", "fa"):
        (organization,) = json_ld(page(out, lang, parse_html))
        assert organization["@type"] == "NewsMediaOrganization"
        assert organization["url"] == BASE + f"{lang}/"
        assert organization["description"] == about[lang]
    assert json_ld(page(out, "ru", parse_html))[0]["name"] == "Вестник Примера"
    assert json_ld(page(out, "en/about", parse_html)) == []


def test_hostile_title_cannot_break_out_of_json_ld(out, parse_html):
    path = out / "en/world/hostile/index.html"
    doc = parse_html(path)
    scripts = doc.find_all("script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"] * 2
    article, crumbs = json_ld(doc)
    assert article["headline"] == HOSTILE
    assert article["description"] == f"Summary {HOSTILE}"
    assert article["author"] == [{"@type": "Person", "name": f"Eve {HOSTILE}"}]
    assert crumbs["itemListElement"][-1]["name"] == HOSTILE
    for script in scripts:
        assert not {"<", ">", "&"} & set(script.raw_text)
    html = path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    # The same title in attributes stays one attribute value.
    tags = dict(meta(doc))
    assert tags["og:title"] == HOSTILE and tags["twitter:title"] == HOSTILE


def test_open_graph_and_twitter_on_an_article(out, parse_html):
    tags = meta(page(out, "fa/world/vote", parse_html))
    values = dict(tags)
    assert values["og:type"] == "article"
    assert values["og:title"] == "شمارش آرا"
    assert values["og:site_name"] == "پیک نمونه"
    assert values["og:url"] == BASE + "fa/world/vote/"
    assert values["og:locale"] == "fa_IR"
    assert [v for k, v in tags if k == "og:locale:alternate"] == ["en_US", "ru_RU"]
    assert values["og:image"].startswith(BASE + "media/images/vote-")
    assert values["og:image"].endswith(".jpg")
    assert values["og:image:type"] == "image/jpeg"
    assert values["article:published_time"] == ago(hours=2)
    assert values["article:modified_time"] == ago(hours=2)
    assert values["twitter:card"] == "summary_large_image"
    assert values["twitter:image"] == values["og:image"]
    en = meta(page(out, "en/world/vote", parse_html))
    assert dict(en)["article:section"] == "World news"
    assert [v for k, v in en if k == "article:tag"] == ["Elections"]
    assert dict(en)["og:description"] == "The count is over."
    assert dict(en)["article:modified_time"] == ago(hours=1)


def test_open_graph_without_image_and_on_listings(out, parse_html):
    values = dict(meta(page(out, "en/world/hostile", parse_html)))
    # No photo: the large card with the site's share image (tests/test_social_cards.py).
    assert values["twitter:card"] == "summary_large_image"
    assert values["og:image"].startswith(BASE + "static/share-card.")
    home = dict(meta(page(out, "en", parse_html)))
    assert home["og:type"] == "website"
    assert home["og:description"] == ABOUT_EN
    assert home["og:url"] == BASE + "en/"
    assert "article:published_time" not in home
    # The av language has no CLDR data and is formatted as Russian, but is not Russian.
    av = meta(page(out, "av", parse_html))
    assert dict(av)["og:locale"] == "av_RU"
    assert [v for k, v in av if k == "og:locale:alternate"] == ["en_US", "ru_RU", "fa_IR"]


def test_script_json_escapes_what_could_end_a_script():
    text = str(script_json({"t": "</script><!-- & \u2028"}))
    assert not {"<", ">", "&", "\u2028"} & set(text)
    assert json.loads(text) == {"t": "</script><!-- & \u2028"}


_JSON_TEXT = st.text(st.characters(codec="utf-8"))
_JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=12)


@given(_JSON_DATA)
def test_script_json_writes_what_json_dumps_writes(data):
    # The fast encoder must print every object of the page heads as json.dumps did:
    # the same bytes on every page as before it was used.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    assert str(script_json(data)) == text


def test_script_json_takes_what_the_fast_encoder_does_not():
    assert str(script_json({"t": Markup("a<b"), "n": [1, (2, 3)]})) == \
        '{"t":"a\\u003cb","n":[1,[2,3]]}'


def test_og_locale():
    assert og_locale("fa", "fa") == "fa_IR"
    assert og_locale("en") == "en_US"
    assert og_locale("pt-BR", "pt_BR") == "pt_BR"
    assert og_locale("pt", "pt_PT") == "pt_PT"
    assert og_locale("av", "ru") == "av_RU"



def test_an_articles_texts_keep_no_utf8_form_from_its_json_ld(tmp_path, make_site,
                                                             article_text, config_text,
                                                             monkeypatch):
    """msgspec encodes a text from its UTF-8 form, which CPython keeps in it for good:
    the JSON-LD holds copies of the titles and summaries that are not ASCII, so that the
    articles' own stay as they are (issue 19: ~90 bytes an article)."""
    import sys

    import msgspec

    from dateline.build.pipeline import BuildOptions, build
    from dateline.config import load_config
    from dateline.outputs import structured

    text = "Голоса подсчитаны в столице"
    size = sys.getsizeof(text)
    msgspec.json.encode({"headline": structured._own(text)})
    assert sys.getsizeof(text) == size and structured._own("Vote") == "Vote"
    msgspec.json.encode({"headline": text})
    assert sys.getsizeof(text) > size  # what the copy spares the article's own text

    root = make_site(tmp_path / "site", {
        "dateline.toml": config_text(),
        "content/ru/world/vote.md": article_text(
            text, date=ago(hours=2), summary="Подсчёт голосов завершён к утру."),
        "content/en/world/vote.md": article_text("Vote counted", date=ago(hours=3))})
    seen = []
    made = structured.news_article

    def watched(view, article, absolute):
        data = made(view, article, absolute)
        seen.append((article, data))
        return data

    monkeypatch.setattr(structured, "news_article", watched)
    build(load_config(root / "dateline.toml"), BuildOptions(now=NOW, jobs=1))
    assert {article.lang for article, _ in seen} == {"ru", "en"}
    for article, data in seen:
        assert data["headline"] == article.title
        if article.lang == "ru":
            assert data["description"] == article.summary  # (aca2f8d: the article's own texts)
            assert data["headline"] is not article.title
            assert data["description"] is not article.summary
