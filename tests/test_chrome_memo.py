"""The page chrome rendered once per build (build/cardmemo.py): base.html's masthead
sections (partials/sections_nav.html) and footer (partials/footer.html) are the same on
many pages of a language, and taken from the memo by everything they read."""

from pathlib import Path

import pytest
from jinja2 import Environment

from dateline import shipped_path
from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.incremental.session import BuildSession
from dateline.photos.photos import Rendition
from dateline.photos.photosizes import srcset

PAGES = ("en/index.html", "en/world/index.html", "en/business/index.html",
         "en/world/a/index.html", "en/business/b/index.html", "en/about/index.html")


def _files(article_text) -> dict:
    return {"content/en/world/a.md": article_text("Story A", "2025-03-01T10:00:00+01:00"),
            "content/en/business/b.md": article_text("Story B",
                                                     "2025-03-02T10:00:00+01:00")}


def _section_links(parse_html, page: Path) -> dict:
    """The masthead's section links by label: (href, aria-current)."""
    nav = parse_html(page).one("nav", cls="sections")
    return {a.text: (a.get("href"), a.get("aria-current")) for a in nav.find_all("a")}


def _footer_links(parse_html, page: Path) -> dict:
    footer = parse_html(page).one("footer", cls="site-footer")
    return {a.text: a.get("href") for a in footer.find_all("a")}


@pytest.mark.parametrize("page, current", [
    ("en/world/index.html", {"World": "page"}),
    ("en/business/index.html", {"Business": "page"}),
    ("en/world/a/index.html", {"World": "true"}),
    ("en/business/b/index.html", {"Business": "true"}),
    ("en/index.html", {}),
    ("en/about/index.html", {}),
])
def test_the_masthead_marks_each_pages_own_section(tmp_path, make_site, article_text,
                                                   build_site, parse_html, page, current):
    root = make_site(tmp_path / "site", _files(article_text))
    build_site(root)
    links = _section_links(parse_html, root / "site" / page)
    assert set(links) == {"World", "Business"}
    assert {label: mark for label, (_href, mark) in links.items() if mark} == current


def test_chrome_links_follow_each_page_in_a_relative_build(tmp_path, make_site, article_text,
                                                           build_site, parse_html):
    root = make_site(tmp_path / "site", _files(article_text))
    build_site(root, relative_urls=True)
    site = (root / "site").resolve()
    hrefs = set()
    for page in PAGES:
        here = (site / page).parent
        footer = _footer_links(parse_html, site / page)
        assert (here / footer["More about us"]).resolve() == site / "en/about/index.html"
        world = _section_links(parse_html, site / page)["World"][0]
        assert (here / world).resolve() == site / "en/world/index.html", page
        hrefs.add(world)
    assert len(hrefs) >= 3  # pages at three depths: one memo entry per page, not per site


def test_an_edit_between_two_builds_in_one_process_shows_in_the_chrome(
        tmp_path, make_site, article_text, parse_html):
    # As `serve` does: one session, so one theme environment and its memo, two builds
    # (a config edit would start a new session's memory: the content changes here).
    root = make_site(tmp_path / "site", {"content/en/world/a.md": article_text(
        "Story A", "2025-03-01T10:00:00+01:00")})
    session = BuildSession()
    out = root / "preview"
    build(load_config(root / "dateline.toml"), BuildOptions(output=out, jobs=1,
                                                            session=session))
    assert set(_section_links(parse_html, out / "en/world/a/index.html")) == {"World"}
    added = root / "content/en/business/b.md"
    added.parent.mkdir()
    added.write_text(article_text("Story B", "2025-03-02T10:00:00+01:00"), encoding="utf-8")
    build(load_config(root / "dateline.toml"), BuildOptions(
        output=out, jobs=1, session=session, changed=frozenset({added})))
    for page in ("en/index.html", "en/world/a/index.html", "en/business/b/index.html"):
        assert set(_section_links(parse_html, out / page)) == {"World", "Business"}, page
        assert "Business" in _footer_links(parse_html, out / page), page


def _macro_srcset(renditions, link) -> str:
    """What the theme's `srcset` macro (partials/picture.html) prints."""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    source = (shipped_path("themes") / "default/templates/partials/picture.html").read_text(
        encoding="utf-8")
    module = env.from_string(source).make_module({"link": link, "photo_sizes": None,
                                                  "rendition_srcset": srcset})
    return str(module.srcset(renditions))


@pytest.mark.parametrize("renditions", [
    [Rendition("/images/a-480.webp", 480, 270, "image/webp")],
    [Rendition("/images/a-480.jpg", 480, 270, "image/jpeg"),
     Rendition("/images/a b&c-960.jpg", 960, 540, "image/jpeg"),
     Rendition("/images/\"q\"-1600.jpg", None, None, "image/jpeg")],
    [],
])
@pytest.mark.parametrize("link", [lambda target: "/news" + target,
                                  lambda target: "../.." + target + "?a=1&b=<2>"])
def test_srcset_in_python_prints_what_the_themes_macro_prints(renditions, link):
    assert str(srcset(renditions, link)) == _macro_srcset(renditions, link)


@pytest.mark.parametrize("lang, skip, more", [
    ("en", "Skip to main content", "More about us"),
    ("ru", "Перейти к основному содержанию", "Подробнее о нас"),
    ("fa", None, "بیشتر درباره ما"),
])
def test_each_language_shows_its_own_ui_strings(tmp_path, make_site, article_text,
                                                build_site, parse_html, lang, skip, more):
    # Every language's pages in one process, English first: a string kept for one
    # language's pages (content_view's gettext) is never another's.
    files = {f"content/{code}/world/a.md": article_text("Story A", "2025-03-01T10:00:00+01:00",
                                                        translation_key="a")
             for code in ("en", "ru", "fa")}
    root = make_site(tmp_path / "site", files)
    build_site(root)
    for page in (f"{lang}/index.html", f"{lang}/world/a/index.html"):
        tree = parse_html(root / "site" / page)
        if skip is not None:
            assert tree.one("a", cls="skip-link").text == skip, page
        assert more in _footer_links(parse_html, root / "site" / page), page
