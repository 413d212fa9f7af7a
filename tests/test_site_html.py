"""A small four-language site built once into a temp folder, checked by parsing its HTML."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

CRLF_WITH_BOM = ("\ufeff---\r\ntitle: Windows line endings\r\ndate: 2025-01-05T09:00:00+01:00"
                 "\r\ncolour: red\r\n---\r\n\r\nWritten on Windows.\r\nSecond line.\r\n")

XSS = "<script>alert(1)</script>"
XSS_ALT = '"><script>alert(1)</script>'


BANNER_UNTIL = "2099-01-01T00:00:00+00:00"
"""The breaking stories stay in the banner for the real clock these builds run at (by
default a banner ends 12 hours after the story: `site.breaking_hours`)."""


def site_files(article_text, image_bytes) -> dict[str, str | bytes]:
    vote_image = {"src": "/images/vote.jpg", "alt": "Voters queue outside a school",
                  "caption": "Voters queue in Karsk on Sunday.", "credit": "Photo: Jan Novak"}
    body = ("Polling stations closed at eight.\n\n"
            '![A crowd in the square](/images/crowd.jpg "Supporters gather in the square")\n\n'
            "Inline ![a small map](map.png) in a sentence.\n")
    return {
        "locales/README": "No catalogs: UI strings fall back to English.\n",
        "content/images/vote.jpg": image_bytes("JPEG", 64, 48),
        "content/images/crowd.jpg": image_bytes("JPEG", 48, 32, (20, 90, 160)),
        "content/en/world/map.png": image_bytes("PNG", 32, 32),
        "content/en/world/vote.md": article_text(
            "Vote count disputed in Karsk", "2025-03-01T10:00:00+01:00", body,
            updated="2025-03-01T18:30:00+01:00", authors=["Nadia Orlen"], dateline="KARSK",
            tags=["elections"], reporting=["AP", "AFP", "Interfax"], image=vote_image),
        "content/ru/world/vote.md": article_text(
            "Подсчёт голосов в Карске оспаривается", "2025-03-01T11:00:00+01:00",
            image={"alt": "Очередь избирателей", "caption": "Очередь в Карске.",
                   "credit": "Фото: Ян Новак"}),
        "content/fa/world/vote.md": article_text("شمارش آرا در کارسک", "2025-03-01T12:00:00+01:00"),
        "content/en/world/breaking-old.md": article_text(
            "Curfew declared", "2025-03-02T08:00:00+01:00", breaking=True,
            breaking_until=BANNER_UNTIL),
        "content/en/world/breaking-new.md": article_text(
            "Curfew lifted", "2025-03-04T08:00:00+01:00", breaking=True,
            breaking_until=BANNER_UNTIL),
        "content/en/world/breaking-draft.md": article_text(
            "Unconfirmed: talks collapse", "2025-03-05T08:00:00+01:00", breaking=True,
            draft=True, breaking_until=BANNER_UNTIL),
        "content/en/world/scheduled.md": article_text(
            "Embargoed results", "2099-01-01T08:00:00+00:00"),
        "content/en/economy/budget.md": article_text(
            "Budget passes", "2025-02-01T10:00:00+01:00",
            "Totals: {{ 7 * 7 }} and {% if true %}kept{% endif %}.\n", tags=["budget"]),
        "content/en/culture/xss.md": article_text(
            XSS, "2025-01-10T10:00:00+01:00", summary=XSS,
            image={"src": "/images/vote.jpg", "alt": XSS_ALT}),
        "content/en/culture/windows.md": CRLF_WITH_BOM,
        "content/av/world/mountain.md": article_text(
            "Меэр тӀасан хабар", "2025-02-20T10:00:00+01:00",
            reporting=["AP", "AFP", "Interfax"]),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory, make_site, article_text, image_bytes, build_site):
    root = make_site(tmp_path_factory.mktemp("html"), site_files(article_text, image_bytes),
                     per_page=2)
    result = build_site(root)
    return root, result


@pytest.fixture(scope="module")
def out(built) -> Path:
    return built[0] / "site"


@pytest.fixture(scope="module")
def page(out, parse_html):
    def load(url: str):
        path = out / url / "index.html" if not url.endswith(".html") else out / url
        assert path.is_file(), f"{url} was not built"
        return parse_html(path)

    return load


def ancestors(node) -> list:
    """The node's ancestors, outermost first."""
    chain = []
    while node.parent is not None:
        node = node.parent
        chain.append(node)
    return chain[::-1]


def published(out: Path, src: str | None) -> str:
    """The output file an absolute `src` points at; fails when it does not exist."""
    assert src and src.startswith("/"), src
    relative = unquote(urlsplit(src).path).lstrip("/")
    assert (out / relative).is_file(), src
    return relative


def references(node) -> list[str]:
    """Every URL the element points at: href, src and each candidate of a srcset."""
    found = [node.get(attr) for attr in ("href", "src") if node.get(attr)]
    found += [c.split()[0] for c in (node.get("srcset") or "").split(",") if c.strip()]
    return found


def cards(doc) -> list[str]:
    return [a.get("href") for a in doc.find("main").find_all("a")
            if a.parent.tag.startswith("h") and "card__title" in a.parent.classes]


# ----- article furniture

def test_lead_photo_is_a_figure_with_alt_caption_and_separately_marked_credit(page, out):
    figure = page("en/world/vote").one("figure", cls="lead-figure")
    img = figure.one("img")
    assert img.get("alt") == "Voters queue outside a school"
    assert published(out, img.get("src")).startswith("media/images/vote")
    caption = figure.one("figcaption")
    assert caption.one(cls="caption").text == "Voters queue in Karsk on Sunday."
    credit = caption.one(cls="credit")
    assert credit.text == "Photo: Jan Novak"
    assert "Photo: Jan Novak" not in caption.one(cls="caption").text


def test_translation_shows_the_same_photo_with_its_own_words(page):
    figure = page("ru/world/vote").one("figure", cls="lead-figure")
    en_figure = page("en/world/vote").one("figure", cls="lead-figure")
    assert figure.one("img").get("src") == en_figure.one("img").get("src")
    assert figure.one("img").get("alt") == "Очередь избирателей"
    assert figure.one(cls="credit").text == "Фото: Ян Новак"


def test_body_image_with_title_becomes_figure_with_figcaption(page, out):
    body = page("en/world/vote").one("div", cls="story__body")
    [figure] = body.find_all("figure")
    img = figure.one("img")
    assert img.get("alt") == "A crowd in the square"
    assert published(out, img.get("src")).startswith("media/images/crowd")
    assert img.get("title") is None
    assert figure.elements[-1].tag == "figcaption"
    assert figure.one("figcaption").text == "Supporters gather in the square"


def test_body_image_without_title_stays_inline_and_is_published(page, out):
    body = page("en/world/vote").one("div", cls="story__body")
    inline = body.one("img", alt="a small map")
    nearest = next(a for a in reversed(ancestors(inline)) if a.tag in ("p", "figure"))
    assert nearest.tag == "p"
    assert published(out, inline.get("src")).startswith("media/en/world/map")


def test_publication_and_update_times_are_machine_readable(page):
    story = page("en/world/vote").one("article", cls="story")
    times = [t.get("datetime") for t in story.one("header").find_all("time")]
    assert times == ["2025-03-01T10:00:00+01:00", "2025-03-01T18:30:00+01:00"]
    assert story.one(cls="updated").text.startswith("Updated ")
    assert story.one(cls="dateline").text == "KARSK"
    assert "March 1, 2025" in story.one(cls="story__when").text


def test_russian_dates_are_formatted_in_russian(page):
    when = page("ru/world/vote").one(cls="story__when")
    assert "1 марта 2025" in when.text


def test_attribution_sentence_in_english(page):
    attribution = page("en/world/vote").one("p", cls="attribution")
    assert attribution.text == "With reporting by AP, AFP, and Interfax"


def test_russian_attribution_lists_agencies_the_russian_way(page):
    # No ru catalog: the sentence falls back to English, the list is Russian.
    attribution = page("ru/world/vote").one("p", cls="attribution")
    assert attribution.text.endswith("AP, AFP и Interfax")
    assert [b.text for b in attribution.find_all("bdi")] == ["AP", "AFP", "Interfax"]


def test_avar_article_lists_agencies_with_russian_formatting(page):
    doc = page("av/world/mountain")
    assert doc.one("html").get("lang") == "av"
    assert doc.one("p", cls="attribution").text.endswith("AP, AFP и Interfax")


def test_article_without_agencies_has_no_attribution(page):
    assert page("en/economy/budget").find_all(cls="attribution") == []


def test_byline_names_the_authors(page):
    assert page("en/world/vote").one(cls="byline").text == "By Nadia Orlen"


def test_tags_link_to_their_tag_pages(page):
    links = page("en/world/vote").one(cls="story__tags").find_all("a", rel="tag")
    assert [(a.get("href"), a.text) for a in links] == [("/en/tags/elections/", "elections")]


# ----- languages

def test_article_hreflang_set_is_its_translations_and_x_default(page):
    for url in ("en/world/vote", "ru/world/vote", "fa/world/vote"):
        head = page(url).one("head")
        alternates = {(link.get("hreflang"), link.get("href"))
                      for link in head.find_all("link", rel="alternate", hreflang=True)}
        assert alternates == {
            ("en", "https://news.example.org/en/world/vote/"),
            ("ru", "https://news.example.org/ru/world/vote/"),
            ("fa", "https://news.example.org/fa/world/vote/"),
            ("x-default", "https://news.example.org/en/world/vote/"),
        }, url


def test_untranslated_article_has_only_its_own_hreflang(page):
    head = page("en/economy/budget").one("head")
    assert sorted(link.get("hreflang") for link in head.find_all("link", hreflang=True)) \
        == ["en", "x-default"]


def test_translations_are_listed_on_the_article(page):
    links = page("en/world/vote").one("nav", cls="translations").find_all("a")
    assert [(a.get("hreflang"), a.get("href")) for a in links] \
        == [("ru", "/ru/world/vote/"), ("fa", "/fa/world/vote/")]
    assert links[1].get("dir") == "rtl"


def test_untranslated_article_has_no_translations_list(page):
    assert page("en/economy/budget").find_all("nav", cls="translations") == []


def test_language_switcher_goes_to_the_translation_where_it_exists(page):
    switcher = page("en/world/vote").one("nav", cls="languages")
    hrefs = {a.get("hreflang"): a.get("href") for a in switcher.find_all("a")}
    assert hrefs == {"en": "/en/world/vote/", "ru": "/ru/world/vote/", "fa": "/fa/world/vote/",
                     "av": "/av/"}
    assert switcher.one("a", aria_current="true").get("hreflang") == "en"


def test_untranslated_article_has_no_switcher_link_to_a_missing_page(page):
    switcher = page("en/economy/budget").one("nav", cls="languages")
    hrefs = {a.get("hreflang"): a.get("href") for a in switcher.find_all("a")}
    assert hrefs == {"en": "/en/economy/budget/", "ru": "/ru/", "fa": "/fa/", "av": "/av/"}


def test_switcher_names_each_language_in_itself(page):
    switcher = page("fa").one("nav", cls="languages")
    assert [(a.get("lang"), a.text) for a in switcher.find_all("a")] == [
        ("en", "English"), ("ru", "Русский"), ("fa", "فارسی"), ("av", "Авар мацӀ")]


@pytest.mark.parametrize("url", ["fa", "fa/world/vote", "fa/about", "fa/world"])
def test_persian_pages_are_right_to_left(page, url):
    html = page(url).one("html")
    assert (html.get("lang"), html.get("dir")) == ("fa", "rtl")


@pytest.mark.parametrize(("url", "lang"), [("en", "en"), ("ru/world/vote", "ru"),
                                           ("av/world/mountain", "av")])
def test_other_pages_are_left_to_right_in_their_language(page, url, lang):
    html = page(url).one("html")
    assert (html.get("lang"), html.get("dir")) == (lang, "ltr")


def test_root_index_lists_every_language_by_its_own_name(page):
    doc = page("index.html")
    links = doc.one("main").find_all("a", hreflang=True)
    named = {(a.get("hreflang"), a.get("href"), a.one(cls="chooser__name").text)
             for a in links}
    assert named == {("en", "/en/", "English"), ("ru", "/ru/", "Русский"),
                     ("fa", "/fa/", "فارسی"), ("av", "/av/", "Авар мацӀ")}
    assert doc.one("a", hreflang="fa").get("dir") == "rtl"


def test_not_found_page_exists_and_links_every_home(page):
    doc = page("404.html")
    hrefs = {a.get("href") for a in doc.one("main").find_all("a")}
    assert {"/en/", "/ru/", "/fa/", "/av/"} <= hrefs


# ----- every page

FOCUSABLE = {"a", "button", "input", "select", "textarea", "iframe", "summary"}


def first_focusable(body):
    for node in body.iter():
        tabindex = node.get("tabindex")
        if tabindex is not None and tabindex.lstrip("-").isdigit() and int(tabindex) < 0:
            continue
        if (node.tag == "a" and node.get("href") is not None) or \
                (node.tag in FOCUSABLE - {"a"}) or tabindex is not None:
            return node
    return None


@pytest.mark.parametrize("url", ["index.html", "404.html", "en", "en/world/vote", "fa/world/vote",
                                 "ru/about", "en/tags/elections", "en/page/2", "av/world"])
def test_skip_link_is_the_first_focusable_element_and_targets_main(page, url):
    doc = page(url)
    skip = first_focusable(doc.one("body"))
    assert skip is not None and "skip-link" in skip.classes
    assert skip.get("href") == "#main"
    assert doc.by_id("main").tag == "main"


@pytest.mark.parametrize("url", ["en", "en/world/vote", "en/economy", "en/about"])
def test_breaking_banner_links_the_newest_published_breaking_story(page, url):
    banner = page(url).one("aside", cls="breaking")
    [link] = banner.find_all("a")
    assert (link.get("href"), link.text) == ("/en/world/breaking-new/", "Curfew lifted")


def test_language_without_breaking_news_has_no_banner(page):
    assert page("ru").find_all("aside", cls="breaking") == []
    assert page("fa/world/vote").find_all("aside", cls="breaking") == []


@pytest.mark.parametrize("lang", ["en", "ru", "fa", "av"])
def test_footer_holds_the_about_section_of_the_page_language(page, about, lang):
    for url in (lang, f"{lang}/about"):
        footer = page(url).one("footer", cls="site-footer")
        assert footer.one("section", cls="about").find("p").text == about[lang]


def test_about_page_carries_the_about_text(page, about):
    assert page("ru/about").one("main").find("p").text == about["ru"]


def test_section_navigation_lists_the_languages_sections(page):
    nav = page("en").one("nav", cls="sections")
    assert [a.get("href") for a in nav.find_all("a")] \
        == ["/en/culture/", "/en/economy/", "/en/world/"]


# ----- escaping and content that looks like code

def test_script_title_is_escaped_in_page_title_and_body(page):
    doc = page("en/culture/xss")
    assert doc.one("title").text.startswith(XSS)
    assert doc.one("h1").text == XSS
    scripts = doc.find_all("script")
    assert scripts and all(s.get("type") == "application/ld+json"
                           and "<script" not in s.raw_text for s in scripts)


def test_script_text_is_escaped_in_attributes(page):
    doc = page("en/culture/xss")
    assert doc.one("figure", cls="lead-figure").one("img").get("alt") == XSS_ALT
    assert doc.one("meta", attrs={"name": "description"}).get("content") == XSS
    # Wherever the title lands in an attribute (social cards, ...), it arrives whole.
    carrying = [(node.tag, value) for node in doc.iter() for value in node.attrs.values()
                if value and "alert(1)" in value]
    assert len(carrying) >= 2
    assert all(XSS in value for _, value in carrying)


def test_script_title_is_escaped_in_listings(page):
    doc = page("en/culture")
    titles = [h.text for h in doc.find_all(cls="card__title")]
    assert titles == [XSS, "Windows line endings"]
    scripts = doc.find_all("script")
    assert scripts and all(s.get("type") == "application/ld+json" for s in scripts)


def test_content_is_never_rendered_as_a_template(page):
    body = page("en/economy/budget").one(cls="story__body")
    assert body.text == "Totals: {{ 7 * 7 }} and {% if true %}kept{% endif %}."


# ----- what is published

def test_drafts_and_future_articles_are_left_out_and_listed(built, out):
    _, result = built
    assert not (out / "en/world/breaking-draft").exists()
    assert not (out / "en/world/scheduled").exists()
    assert [(ref.path, why) for ref, why in result.held_back] == [
        ("content/en/world/breaking-draft.md", "draft"),
        ("content/en/world/scheduled.md", "scheduled for 2099-01-01T08:00:00+00:00")]


def test_drafts_and_future_are_built_on_request(tmp_path, make_site, article_text, image_bytes,
                                                build_site, parse_html):
    root = make_site(tmp_path, site_files(article_text, image_bytes), per_page=2)
    result = build_site(root, drafts=True, future=True)
    assert result.held_back == ()
    assert (root / "site/en/world/scheduled/index.html").is_file()
    home = parse_html(root / "site/en/index.html")
    # The draft is now the newest breaking story.
    assert home.one("aside", cls="breaking").find("a").get("href") \
        == "/en/world/breaking-draft/"


def test_home_is_paginated_newest_first(page):
    pages = [page("en"), page("en/page/2"), page("en/page/3")]
    assert [cards(p) for p in pages] == [
        ["/en/world/breaking-new/", "/en/world/breaking-old/"],
        ["/en/world/vote/", "/en/economy/budget/"],
        ["/en/culture/xss/", "/en/culture/windows/"],
    ]


def test_pagination_links_run_both_ways(page, out):
    first, middle, last = page("en"), page("en/page/2"), page("en/page/3")
    assert first.find_all("a", rel="prev") == []
    assert first.one("a", rel="next").get("href") == "/en/page/2/"
    assert middle.one("a", rel="prev").get("href") == "/en/"
    assert middle.one("a", rel="next").get("href") == "/en/page/3/"
    assert last.find_all("a", rel="next") == []
    assert not (out / "en/page/4").exists()
    assert not (out / "en/page/1").exists()


def test_section_page_lists_its_articles(page, out):
    assert cards(page("en/world")) == ["/en/world/breaking-new/", "/en/world/breaking-old/"]
    assert cards(page("en/world/page/2")) == ["/en/world/vote/"]
    assert cards(page("en/economy")) == ["/en/economy/budget/"]
    assert cards(page("fa/world")) == ["/fa/world/vote/"]
    assert not (out / "fa/economy").exists()


def test_tag_page_and_tag_index(page):
    assert cards(page("en/tags/elections")) == ["/en/world/vote/"]
    index = page("en/tags")
    assert {a.get("href") for a in index.one("main").find_all("a")} \
        == {"/en/tags/budget/", "/en/tags/elections/"}
    assert cards(page("ru/tags/elections")) == ["/ru/world/vote/"]


def test_unknown_front_matter_key_is_a_warning_naming_file_and_key(built):
    _, result = built
    assert [str(w) for w in result.warnings] == [
        "content/en/culture/windows.md:4: front matter: unknown key 'colour'"]


def test_bom_and_crlf_file_builds_like_any_other(page):
    doc = page("en/culture/windows")
    assert doc.one("h1").text == "Windows line endings"
    body = doc.one(cls="story__body")
    assert "\r" not in body.raw_text and "\ufeff" not in doc.one("title").raw_text
    assert body.text == "Written on Windows. Second line."


def test_every_internal_link_and_image_resolves_to_a_file(out, parse_html):
    missing = []
    for path in sorted(out.rglob("*.html")):
        doc = parse_html(path)
        for node in doc.iter():
            for value in references(node):
                if value.startswith(("#", "mailto:")) or "://" in value:
                    continue
                target = unquote(urlsplit(value).path)
                target = posixpath.join(target, "index.html") if target.endswith("/") \
                    else target
                if not (out / target.lstrip("/")).is_file():
                    missing.append(f"{path.relative_to(out)}: {value}")
    assert missing == []


def test_base_url_with_a_path_prefixes_every_link(tmp_path, make_site, article_text,
                                                  image_bytes, build_site, parse_html):
    root = make_site(tmp_path, site_files(article_text, image_bytes))
    build_site(root, base_url="https://org.github.io/newsroom/")
    doc = parse_html(root / "site/en/world/vote/index.html")
    hrefs = [n.get("href") or n.get("src") for n in doc.iter()
             if (n.get("href") or n.get("src") or "").startswith("/")]
    assert hrefs and all(h.startswith("/newsroom/") for h in hrefs)
    assert doc.one("figure", cls="lead-figure").one("img").get("src") \
        .startswith("/newsroom/media/images/vote")
    assert doc.one("link", rel="canonical").get("href") \
        == "https://org.github.io/newsroom/en/world/vote/"


def test_relative_mode_links_resolve_from_every_page(tmp_path, make_site, article_text,
                                                     image_bytes, build_site, parse_html):
    root = make_site(tmp_path, site_files(article_text, image_bytes), per_page=2)
    build_site(root, relative_urls=True)
    out = root / "site"
    missing, absolute = [], []
    for path in sorted(out.rglob("*.html")):
        doc = parse_html(path)
        for node in doc.find("body").iter():
            for value in references(node):
                if value.startswith(("#", "mailto:")) or "://" in value:
                    continue
                if value.startswith("/"):
                    absolute.append(f"{path.relative_to(out)}: {value}")
                    continue
                target = path.parent / unquote(urlsplit(value).path)
                if value.endswith("/") or target.is_dir():
                    target = target / "index.html"
                if not target.resolve().is_file():
                    missing.append(f"{path.relative_to(out)}: {value}")
    assert (missing, absolute) == ([], [])
