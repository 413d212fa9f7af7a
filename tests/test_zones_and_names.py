"""Each language's pages show times in its own zone and say which; machines keep the exact
instant; a language without CLDR data is named as itself, never as its borrowed locale."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "Europe/Prague"

[languages.en]
title = "The Example Herald"
about = "About us."
untranslated = "show"

[languages.fa]
title = "پیک نمونه"
about = "دربارهٔ ما."
calendar = "persian"
timezone = "Asia/Tehran"
untranslated = "show"

[languages.ps]
title = "بېلګه خبرونه"
about = "زموږ په اړه."
timezone = "Asia/Kabul"
untranslated = "show"

[languages.crh]
title = "Misal Haberleri"
about = "Biz haqqında."
name = "Qırımtatarca"
locale = "tr"
timezone = "Europe/Simferopol"
untranslated = "show"

[languages.crh.names]
ps = "قریم تاتاري"
"""

QUAKE = "2025-10-08T05:10:00+04:30"
"""The Herat earthquake story's time, written with the offset of the place."""
UPDATED = "2025-10-08T07:40:00+04:30"
NOW = dt.datetime(2025, 10, 8, 12, 0, tzinfo=dt.UTC)  # the News sitemap's window


@pytest.fixture(scope="module")
def out(tmp_path_factory, make_site, article_text, build_site):
    files = {"dateline.toml": CONFIG}
    for lang in ("en", "fa", "ps", "crh"):
        files[f"content/{lang}/world/quake.md"] = article_text(
            f"Quake ({lang})", QUAKE, updated=UPDATED, summary="Herat.")
    files["content/crh/world/only.md"] = article_text("Yalıñız qırımtatarca",
                                                      "2025-10-07T09:00:00+03:00")
    root = make_site(tmp_path_factory.mktemp("zones"), files)
    build_site(root, now=NOW)
    return root / "site"


# What a reader of each language sees for 05:10+04:30: the local clock of the language's
# zone (Prague by default; Tehran +03:30 and Kabul +04:30 are half-hour offsets) and the
# zone's name in that language.
SHOWN = {
    "en": ("October 8, 2025, 2:40\u202fAM Central European Summer Time",
           "October 8, 2025, 5:10\u202fAM Central European Summer Time"),
    "fa": ("۱۶ مهر ۱۴۰۴، ساعت ۴:۱۰ (وقت عادی ایران)", "۱۶ مهر ۱۴۰۴، ساعت ۶:۴۰ (وقت عادی ایران)"),
    "ps": ("۸ اکتوبر ۲۰۲۵ ۵:۱۰ (افغانستان وخت)", "۸ اکتوبر ۲۰۲۵ ۷:۴۰ (افغانستان وخت)"),
    "crh": ("8 Ekim 2025 03:40 Moskova Standart Saati", "8 Ekim 2025 06:10 Moskova Standart Saati"),
}


@pytest.mark.parametrize("lang", SHOWN)
def test_article_times_are_in_the_languages_zone_and_name_it(out, parse_html, lang):
    doc = parse_html(out / lang / "world/quake/index.html")
    published = doc.one("p", cls="story__when").find("time")
    updated = doc.one("p", cls="updated").find("time")
    assert (published.raw_text, updated.raw_text) == SHOWN[lang]
    assert published.get("datetime") == QUAKE  # the exact instant, with its offset
    assert updated.get("datetime") == UPDATED


@pytest.mark.parametrize("lang", SHOWN)
def test_cards_show_the_same_zoned_time(out, parse_html, lang):
    card = next(c for c in parse_html(out / lang / "index.html").find_all("article", cls="card")
                if "quake" in c.one(cls="card__title").find("a").get("href"))
    time = card.one("p", cls="card__meta").find("time")
    assert (time.raw_text, time.get("datetime")) == (SHOWN[lang][0], QUAKE)


@pytest.mark.parametrize("lang", SHOWN)
def test_feeds_json_ld_and_sitemaps_keep_the_exact_instant(out, parse_html, lang):
    atom = ET.parse(out / lang / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = next(e for e in atom.findall("a:entry", ns)
                 if "quake" in e.find("a:link", ns).get("href"))
    assert entry.find("a:published", ns).text == QUAKE
    assert entry.find("a:updated", ns).text == UPDATED
    rss = ET.parse(out / lang / "rss.xml").getroot()
    item = next(i for i in rss.iter("item") if "quake" in i.find("link").text)
    assert item.find("pubDate").text == "Wed, 08 Oct 2025 05:10:00 +0430"
    news = ET.parse(out / lang / "news-sitemap.xml").getroot()
    dates = [e.text for e in news.iter("{http://www.google.com/schemas/sitemap-news/0.9}"
                                       "publication_date")]
    assert QUAKE in dates
    doc = parse_html(out / lang / "world/quake/index.html")
    objects = [json.loads(s.raw_text) for s in doc.find_all("script", type="application/ld+json")]
    article = next(o for o in objects if o.get("@type") == "NewsArticle")
    assert (article["datePublished"], article["dateModified"]) == (QUAKE, UPDATED)


# How each language names Crimean Tatar, which CLDR has no locale for (it borrows 'tr'):
# by the config's [languages.crh.names], else CLDR's name for 'crh' in that language,
# else its own name; never "Turkish" in any language.
CRH_NAMED = {"en": "Crimean Tatar", "fa": "ترکی کریمه", "ps": "قریم تاتاري"}
TURKISH = ("Turkish", "ترکی استانبولی", "ترکي", "Türkçe")


@pytest.mark.parametrize(("lang", "name"), CRH_NAMED.items())
def test_a_language_without_cldr_data_is_named_as_itself(out, parse_html, lang, name):
    cards = parse_html(out / lang / "index.html").find_all("article", cls="card", lang="crh")
    labels = {c.one("span", cls="card__language").text for c in cards}
    assert labels and all(name in label for label in labels)
    assert not any(t in label for t in TURKISH for label in labels)


def test_without_a_configured_name_the_autonym_is_used(tmp_path, make_site, article_text,
                                                       build_site, parse_html):
    config = CONFIG.replace('[languages.crh.names]\nps = "قریم تاتاري"\n', "")
    root = make_site(tmp_path, {"dateline.toml": config, "content/crh/world/only.md":
                                article_text("Yalıñız", "2025-10-07T09:00:00+03:00")})
    build_site(root, now=NOW)
    card = parse_html(root / "site/ps/index.html").one("article", cls="card", lang="crh")
    assert "Qırımtatarca" in card.one("span", cls="card__language").text


def test_a_borrowed_locale_page_names_others_by_config_or_autonym(tmp_path, make_site,
                                                                  article_text, build_site,
                                                                  parse_html):
    config = CONFIG.replace('[languages.ps]\n', '[languages.ps]\nnames = { crh = "Peştuca" }\n')
    root = make_site(tmp_path, {"dateline.toml": config,
                                "content/ps/world/a.md": article_text("خبر", QUAKE),
                                "content/fa/world/b.md": article_text("خبر", QUAKE)})
    build_site(root, now=NOW)
    cards = parse_html(root / "site/crh/index.html").find_all("article", cls="card")
    labels = {c.get("lang"): c.one("span", cls="card__language").text for c in cards}
    # crh borrows Turkish dates, not Turkish names: 'Farsça' is Turkish for Persian.
    assert "Peştuca" in labels["ps"] and "فارسی" in labels["fa"]


@pytest.mark.parametrize("page", ["index.html", "en/index.html", "ps/index.html"])
def test_switchers_and_chooser_name_the_language_as_itself(out, parse_html, page):
    doc = parse_html(out / page)
    links = doc.find_all("a", hreflang="crh")
    assert links and all("Qırımtatarca" in a.text for a in links)
