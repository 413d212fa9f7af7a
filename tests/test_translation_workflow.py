"""Content translations on a built site: inheritance, staleness, untranslated stories,
unmarked UI strings, right-to-left structure, slugs and languages without CLDR data."""

import json

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from dateline import shipped_path

EN = "content/en/world/vote.md"
RU = "content/ru/world/vote.md"
FA = "content/fa/world/vote.md"


def page(site, url, parse_html):
    return parse_html(site / "site" / url / "index.html")


@pytest.fixture
def story(tmp_path, make_site, article_text):
    from PIL import Image

    files = {
        EN: article_text(
            "Vote counted", date="2025-03-01T10:00:00+01:00",
            updated="2025-03-03T10:00:00+01:00", tags=["elections"], dateline="KARSK",
            reporting=["AP", "AFP", "Interfax"],
            image={"src": "/images/vote.jpg", "alt": "Ballot boxes", "caption": "Counting",
                   "credit": "Photo: Jane Roe"}),
        RU: article_text("Голоса подсчитаны", date="2025-03-02T10:00:00+01:00",
                         image={"alt": "Урны", "caption": "Подсчёт", "credit": "Фото: Джейн Роу"}),
        FA: article_text("شمارش آرا", date="2025-03-04T10:00:00+01:00",
                         updated="2025-03-04T11:00:00+01:00"),
        "content/en/culture/film.md": article_text("A film premieres",
                                                   date="2025-03-05T10:00:00+01:00"),
    }
    root = make_site(tmp_path / "site-root", files)
    (root / "content/images").mkdir(parents=True)
    Image.new("RGB", (40, 30), "navy").save(root / "content/images/vote.jpg")
    return root


def test_translation_inherits_shared_fields_but_keeps_its_own_words(story, build_site,
                                                                    parse_html):
    build_site(story)
    doc = page(story, "ru/world/vote", parse_html)
    figure = doc.one("figure", cls="lead-figure")
    english = parse_html(story / "site/en/world/vote/index.html").one("figure", cls="lead-figure")
    assert figure.find("img").get("src") == english.find("img").get("src")
    assert figure.find("img").get("src").startswith("/media/images/vote-")
    assert figure.find("img").get("alt") == "Урны"
    assert figure.one(cls="caption").text == "Подсчёт"
    assert doc.one(cls="dateline").text == "KARSK"
    assert doc.one("p", cls="attribution").text.endswith("AP, AFP и Interfax")
    assert [a.get("href") for a in doc.one("ul", cls="tags").find_all("a")] == [
        "/ru/tags/elections/"]


def test_translation_without_image_block_marks_inherited_words_with_their_language(
        story, build_site, parse_html):
    build_site(story)
    figure = page(story, "fa/world/vote", parse_html).one("figure", cls="lead-figure")
    assert figure.get("lang") == "en" and figure.get("dir") == "ltr"
    assert figure.find("img").get("alt") == "Ballot boxes"


def test_stale_translation_is_reported_and_marked(story, build_site, run_cli, parse_html):
    result = run_cli(["translations", "--format", "json", "--config",
                      story / "dateline.toml"])
    assert result.code == 0, result.err
    report = json.loads(result.out)
    vote = next(s for s in report["stories"] if s["key"] == "world/vote")
    assert vote["original"] == "en"
    assert vote["languages"] == {"en": "original", "ru": "stale", "fa": "current",
                                 "av": "missing"}
    assert report["languages"]["ru"] == {"stories": 2, "present": 1, "missing": 1,
                                         "stale": 1}
    text = run_cli(["translations", "--config", story / "dateline.toml"]).out
    assert any(line.split()[:3] == ["world/vote", "original", "STALE"]
               for line in text.splitlines())

    build_site(story)
    notice = page(story, "ru/world/vote", parse_html).one("p", cls="stale-notice")
    assert notice.find("a").get("href") == "/en/world/vote/"
    assert page(story, "fa/world/vote", parse_html).find_all(cls="stale-notice") == []


def test_untranslated_stories_are_hidden_by_default(story, build_site, parse_html):
    build_site(story)
    titles = [a.text for a in page(story, "ru", parse_html).find_all("h2", cls="card__title")]
    assert titles == ["Голоса подсчитаны"]


def test_show_policy_lists_originals_marked_with_their_language(story, build_site,
                                                                parse_html):
    config = story / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'title = "Вестник Примера"', 'title = "Вестник Примера"\nuntranslated = "show"'),
        encoding="utf-8")
    build_site(story)
    cards = page(story, "ru", parse_html).find_all("article", cls="card")
    film = next(c for c in cards if c.find("h2").text == "A film premieres")
    assert film.get("lang") == "en"
    assert film.one(cls="card__language").get("lang") == "ru"
    own = next(c for c in cards if c.find("h2").text == "Голоса подсчитаны")
    assert own.get("lang") is None


def test_section_and_tag_labels_are_translated(story, build_site, parse_html):
    config = story / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      '\n[languages.ru.sections]\nworld = "Мир"\n'
                      '[languages.ru.tags]\nelections = "Выборы"\n', encoding="utf-8")
    build_site(story)
    doc = page(story, "ru/world/vote", parse_html)
    assert doc.one("p", cls="story__kicker").text == "Мир"
    assert doc.one("ul", cls="tags").find("a").text == "Выборы"
    tag_page = page(story, "ru/tags/elections", parse_html)
    assert tag_page.one("h1").text == "Выборы"
    assert page(story, "en/tags/elections", parse_html).one("h1").text == "elections"


def test_persian_pages_are_right_to_left_with_isolated_latin_names(story, build_site,
                                                                   parse_html):
    build_site(story)
    doc = page(story, "fa/world/vote", parse_html)
    html = doc.one("html")
    assert (html.get("lang"), html.get("dir")) == ("fa", "rtl")
    agencies = [b.text for b in doc.one("p", cls="attribution").find_all("bdi")]
    assert agencies == ["AP", "AFP", "Interfax"]
    switcher = doc.one("nav", cls="languages")
    english = switcher.one("a", hreflang="en")
    assert english.get("lang") == "en" and english.get("dir") == "ltr"


def test_persian_calendar_and_digits_on_the_page(story, build_site, parse_html):
    config = story / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'title = "پیک نمونه"', 'title = "پیک نمونه"\ncalendar = "persian"'), encoding="utf-8")
    build_site(story)
    time = page(story, "fa/world/vote", parse_html).one("p", cls="story__when").find("time")
    assert time.get("datetime") == "2025-03-04T10:00:00+01:00"  # machines get ISO
    assert time.text.startswith("۱۴ اسفند ۱۴۰۳")  # readers get the Solar Hijri date


def test_non_ascii_file_names_are_transliterated_or_kept(tmp_path, make_site, article_text,
                                                         build_site, parse_html):
    files = {"content/ru/world/выборы-в-карске.md": article_text("Выборы"),
             "content/fa/world/انتخابات.md": article_text("انتخابات")}
    root = make_site(tmp_path, files)
    config = root / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'title = "پیک نمونه"', 'title = "پیک نمونه"\nslug_style = "unicode"'), encoding="utf-8")
    build_site(root)
    assert (root / "site/ru/world/vybory-v-karske/index.html").is_file()
    assert (root / "site/fa/world/انتخابات/index.html").is_file()
    home = parse_html(root / "site/fa/index.html")
    link = home.one("h2", cls="card__title").find("a").get("href")
    assert link == "/fa/world/%D8%A7%D9%86%D8%AA%D8%AE%D8%A7%D8%A8%D8%A7%D8%AA/"


def test_language_without_cldr_data_formats_with_its_locale(tmp_path, make_site,
                                                            article_text, build_site,
                                                            parse_html):
    root = make_site(tmp_path, {"content/av/world/x.md": article_text(
        "Хабар", reporting=["AP", "AFP", "Interfax"])})
    build_site(root)
    doc = parse_html(root / "site/av/world/x/index.html")
    assert doc.one("html").get("lang") == "av"
    assert doc.one("p", cls="attribution").text.endswith("AP, AFP и Interfax")
    names = [a.text for a in doc.one("nav", cls="languages").find_all("a")]
    assert "Авар мацӀ" in names


def pseudo_catalog(code: str) -> Catalog:
    """Every msgid of the theme translated as ⟦msgid⟧, placeholders kept."""
    with (shipped_path("locales") / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    pseudo = Catalog(locale="en", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            pseudo.add(message.id, ("⟦" + message.id[0] + "⟧", "⟦" + message.id[1] + "⟧"),
                       flags=message.flags)
        else:
            pseudo.add(message.id, "⟦" + message.id + "⟧", flags=message.flags)
    return pseudo


def test_every_visible_ui_string_is_marked_for_translation(story, build_site, parse_html,
                                                           article_text):
    """Pages in a pseudo-language whose catalog wraps every string in ⟦…⟧: any chrome
    text outside the brackets is a template string nobody marked."""
    config = story / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      '\n[languages.qq]\nname = "Pseudo"\nlocale = "en"\ntitle = "Q Herald"\n'
                      'about = "Q about."\n', encoding="utf-8")
    (story / "content/qq/world").mkdir(parents=True)
    (story / "content/qq/world/vote.md").write_text(article_text(
        "Q vote", date="2025-03-06T10:00:00+01:00", authors=["Q Writer"],
        summary="Q summary.", updated="2025-03-07T10:00:00+01:00"), encoding="utf-8")
    locales = story / "locales"
    import shutil

    shutil.copytree(shipped_path("locales"), locales)
    po = locales / "qq/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, pseudo_catalog("qq"))
    build_site(story)

    known = {"Q vote", "Q summary.", "Q Herald", "Q about.", "Q Writer", "KARSK", "AP",
             "AFP", "Interfax", "world", "elections", "Counting", "Photo: Jane Roe",
             "Голоса подсчитаны", "شمارش آرا", "Vote counted", "The first paragraph of the "
             "story.", "Pseudo"}
    known |= {"English", "Русский", "فارسی", "Авар мацӀ"}
    known |= {"World"}  # a section without a configured label shows its key, capitalised
    known |= {", and", ","}  # CLDR's list connectors between <bdi> names
    known |= {"The Example Herald", "Вестник Примера", "پیک نمونه", "Мисалалъул Хабар"}
    unmarked = set()
    for path in sorted((story / "site/qq").rglob("*.html")):
        body = parse_html(path).one("body")
        for text in _text_nodes(body):
            if "⟦" in text or "⟧" in text or text in known:
                continue
            if not any(ch.isalpha() for ch in text):
                continue  # numbers, dates' digits and punctuation
            if _is_date(text):
                continue
            unmarked.add(text)
    assert unmarked == set()


def _text_nodes(node):
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                yield " ".join(child.split())
        elif child.tag not in ("script", "style", "time"):
            yield from _text_nodes(child)


def _is_date(text: str) -> bool:
    import re

    # A date, with its time; or a month of the date archives ("March 2025", from CLDR).
    return bool(re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}(, [\d:\u202f]+ [AP]M)?", text)
                or re.fullmatch(r"[A-Z][a-z]+ \d{4}", text))
