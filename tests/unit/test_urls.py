"""urls.py: one function per kind of page, the file that serves each URL, and links."""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline import urls
from dateline.urls import Linker

TABLE = [
    # (kind, args) -> (file under the output folder, href with base_url at the root)
    (("article", "fr", "economie", "budget-2025"),
     "fr/economie/budget-2025/index.html", "/fr/economie/budget-2025/"),
    (("article", "fa", "world", "تهران"), "fa/world/تهران/index.html",
     "/fa/world/%D8%AA%D9%87%D8%B1%D8%A7%D9%86/"),
    (("home", "en"), "en/index.html", "/en/"),
    (("home", "en", 1), "en/index.html", "/en/"),
    (("home", "ru", 3), "ru/page/3/index.html", "/ru/page/3/"),
    (("section", "en", "world"), "en/world/index.html", "/en/world/"),
    (("section", "en", "world", 2), "en/world/page/2/index.html", "/en/world/page/2/"),
    (("tag", "ru", "elections"), "ru/tags/elections/index.html", "/ru/tags/elections/"),
    (("tag", "ru", "elections", 2), "ru/tags/elections/page/2/index.html",
     "/ru/tags/elections/page/2/"),
    (("tags_index", "fa"), "fa/tags/index.html", "/fa/tags/"),
    (("about", "av"), "av/about/index.html", "/av/about/"),
    (("root_index",), "index.html", "/"),
    (("not_found",), "404.html", "/404.html"),
    (("not_found", "fa"), "fa/404.html", "/fa/404.html"),
    (("media", "images/vote.jpg"), "media/images/vote.jpg", "/media/images/vote.jpg"),
    (("static", "style.css"), "static/style.css", "/static/style.css"),
    (("atom_feed", "en"), "en/feed.xml", "/en/feed.xml"),
    (("atom_feed", "en", "world"), "en/world/feed.xml", "/en/world/feed.xml"),
    (("rss_feed", "fa"), "fa/rss.xml", "/fa/rss.xml"),
    (("rss_feed", "fa", "world"), "fa/world/rss.xml", "/fa/world/rss.xml"),
    (("sitemap", "ru/"), "ru/sitemap.xml", "/ru/sitemap.xml"),
    (("sitemap", "ru/", 2), "ru/sitemap-2.xml", "/ru/sitemap-2.xml"),
    (("sitemap", ""), "sitemap-root.xml", "/sitemap-root.xml"),
    (("news_sitemap", "en"), "en/news-sitemap.xml", "/en/news-sitemap.xml"),
    (("news_sitemap", "en", 3), "en/news-sitemap-3.xml", "/en/news-sitemap-3.xml"),
]


@pytest.mark.parametrize(("descriptor", "file", "href"), TABLE,
                         ids=["-".join(map(str, row[0])) for row in TABLE])
def test_each_kind_of_page_has_its_file_and_url(descriptor, file, href):
    kind, *args = descriptor
    target = getattr(urls, kind)(*args)
    assert urls.output_file(target) == file
    assert Linker("https://news.example.org/").href(target, "en/") == href


def test_base_url_with_a_path_prefixes_every_href():
    linker = Linker("https://org.github.io/newsroom/")
    assert linker.base_path == "/newsroom/"
    assert linker.href(urls.article("fr", "economie", "budget-2025"), "") \
        == "/newsroom/fr/economie/budget-2025/"
    assert linker.href(urls.root_index(), "en/") == "/newsroom/"
    assert linker.href(urls.static("style.css"), "en/") == "/newsroom/static/style.css"


def test_absolute_url_keeps_the_base_path_and_host():
    linker = Linker("https://org.github.io/newsroom/")
    assert linker.absolute(urls.home("en")) == "https://org.github.io/newsroom/en/"
    assert linker.absolute(urls.article("fr", "économie", "budget")) \
        == "https://org.github.io/newsroom/fr/%C3%A9conomie/budget/"


def test_fragment_is_kept_after_the_path():
    assert Linker("https://x.org/").href("en/world/vote/#main", "") == "/en/world/vote/#main"


@pytest.mark.parametrize(("target", "from_page", "href"), [
    ("en/", "en/world/vote/", "../../index.html"),
    ("en/world/vote/", "en/world/vote/", "index.html"),
    ("", "en/", "../index.html"),
    ("en/", "", "en/index.html"),
    ("media/images/a b.jpg", "en/world/vote/", "../../../media/images/a%20b.jpg"),
    ("en/world/vote/#main", "en/world/vote/", "#main"),
    ("ru/", "404.html", "ru/index.html"),
])
def test_relative_mode_links_from_the_page_to_the_file(target, from_page, href):
    assert Linker("https://org.github.io/newsroom/", relative=True).href(target, from_page) \
        == href


segments = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)
targets = st.one_of(
    st.builds(urls.article, st.sampled_from(["en", "fa", "ru"]), segments, segments),
    st.builds(urls.home, st.sampled_from(["en", "av"]), st.integers(1, 5)),
    st.builds(urls.tag, st.just("en"), segments, st.integers(1, 3)),
    st.builds(urls.media, segments.map(lambda s: f"images/{s}.jpg")),
    st.just(urls.root_index()), st.just(urls.not_found()),
)


@given(targets, targets)
def test_relative_link_resolves_to_the_target_file(target, from_page):
    href = Linker("https://x.org/", relative=True).href(target, from_page)
    page_dir = "/" + from_page if from_page.endswith("/") or from_page == "" \
        else posixpath.dirname("/" + from_page)
    assert not href.startswith("/")
    assert posixpath.normpath(posixpath.join(page_dir, href)) == "/" + urls.output_file(target)


@given(targets)
def test_clean_urls_are_served_by_an_index_file(target):
    file = urls.output_file(target)
    if target == "" or target.endswith("/"):
        assert file == target + "index.html"
    else:
        assert file == target



NAME = re.compile(r"\w\.xml$|sitemap-|robots\.txt")
"""A feed's or sitemap's file name, or the start of one ('news-sitemap-')."""


def _spelled_names(path: Path) -> list[str]:
    """String constants in code (not docstrings, not XML namespaces) naming a feed's or
    sitemap's file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [f"{path.name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and not node.value.startswith("http")
            and NAME.search(node.value)]


def test_feed_and_sitemap_file_names_are_written_in_urls_py_alone():
    """Every other module asks `urls` for a feed's or sitemap's path: a name spelled out
    twice is a link that can point where no file was written."""
    package = Path(urls.__file__).parent
    assert len(_spelled_names(package / "urls.py")) >= 4  # the check sees names at all
    spelled = [name for path in sorted(package.rglob("*.py")) if path.name != "urls.py"
               for name in _spelled_names(path)]
    assert not spelled, spelled
