"""Labels, tag slugs and formatted lists made once per language view
(outputs/content_view.py `_labels`, i18n/localize.py `Formatter.list`): each is asked
for on every card and page that names it, and must stay the one of its own kind, key,
language and items."""

from dateline.i18n.localize import Formatter

CONFIG_LABELS = (
    '\n[languages.en.sections]\nworld = "World desk"\n'
    '[languages.en.tags]\nworld = "World topic"\n"Élections 2025" = "Elections"\n'
    '[languages.ru.sections]\nworld = "Мир"\n'
    '[languages.ru.tags]\nworld = "Мировое"\n"Élections 2025" = "Выборы"\n'
)


def _files(article_text) -> dict:
    tags = ["world", "Élections 2025"]
    return {
        "content/en/world/a.md": article_text("Story A", "2025-03-01T10:00:00+01:00",
                                              tags=tags, authors=["Ann Lee", "Bo Chan"]),
        "content/en/world/b.md": article_text("Story B", "2025-03-02T10:00:00+01:00",
                                              tags=tags, authors=["Cy Dew"]),
        "content/ru/world/a.md": article_text("История А", "2025-03-01T10:00:00+01:00",
                                              tags=tags, authors=["Ann Lee", "Bo Chan"]),
        "content/fa/world/a.md": article_text("داستان", "2025-03-01T10:00:00+01:00",
                                              tags=["Élections 2025"]),
    }


def _story(parse_html, out, path):
    doc = parse_html(out / path / "index.html")
    kicker = doc.one("p", cls="story__kicker").text
    tags = {a.text: a.get("href") for a in doc.one("ul", cls="tags").find_all("a")}
    return kicker, tags, doc


def test_section_and_tag_labels_and_slugs_stay_apart_per_language(
        tmp_path, make_site, article_text, build_site, parse_html):
    # The same key as a section and as a tag, in two languages: a label memo keyed by
    # the key alone, or not per view, would show one where the other belongs.
    root = make_site(tmp_path / "site", _files(article_text))
    config = root / "dateline.toml"
    text = config.read_text(encoding="utf-8").replace(
        "[languages.fa]\n", '[languages.fa]\nslug_style = "unicode"\n')
    config.write_text(text + CONFIG_LABELS, encoding="utf-8")
    build_site(root)
    out = root / "site"
    kicker, tags, _doc = _story(parse_html, out, "en/world/a")
    assert kicker == "World desk"
    assert tags == {"World topic": "/en/tags/world/", "Elections": "/en/tags/elections-2025/"}
    kicker, tags, _doc = _story(parse_html, out, "ru/world/a")
    assert kicker == "Мир"
    assert tags == {"Мировое": "/ru/tags/world/", "Выборы": "/ru/tags/elections-2025/"}
    # fa writes its slugs in Unicode: the slug is per language too, and is no label.
    _kicker, tags, _doc = _story(parse_html, out, "fa/world/a")
    assert list(tags.values()) == ["/fa/tags/%C3%A9lections-2025/"]
    assert (out / "fa/tags/élections-2025/index.html").is_file()
    assert (out / "en/tags/elections-2025/index.html").is_file()


def test_each_articles_bylines_are_its_own(tmp_path, make_site, article_text, build_site,
                                           parse_html):
    root = make_site(tmp_path / "site", _files(article_text))
    build_site(root)
    out = root / "site"
    bylines = {path: parse_html(out / path / "index.html").one("p", cls="byline").text
               for path in ("en/world/a", "en/world/b", "ru/world/a")}
    assert bylines == {"en/world/a": "By Ann Lee and Bo Chan", "en/world/b": "By Cy Dew",
                       "ru/world/a": "Авторы: Ann Lee и Bo Chan"}


def test_a_formatters_list_follows_its_items_and_locale():
    en, ru = Formatter("en", "UTC"), Formatter("ru", "UTC")
    assert en.list(["A", "B"]) == "A and B"
    assert en.list(("A", "B", "C")) == "A, B, and C"
    assert en.list(["B", "A"]) == "B and A"
    assert ru.list(["A", "B"]) == "A и B"
    assert en.list(["A", "B"]) == "A and B"  # asked again: the same
    assert en.list([]) == ""
