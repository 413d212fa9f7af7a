"""Search in a real browser: the sample newsroom built for a sub-path and served there by
nginx (`test_hosting.nginx_site`), each language's search page in Debian's Chromium,
with axe-core for accessibility; without JavaScript; and opened from disk."""

from __future__ import annotations

import re

import pytest

# ruff: noqa: F811 - the tests take the fixture imported here by its name
from test_hosting import nginx_site  # noqa: F401 - the fixture, served under /newsroom/

# One worker runs the whole module (`--dist loadgroup`, pyproject.toml), so its
# module fixtures are made once: the nginx-served build of the sample, once per run.
pytestmark = pytest.mark.xdist_group("search_browser")

ENGLISH_WORD = "glacier"
"""In one English article of the sample newsroom, and in no other language's."""
ENGLISH_ARTICLE = "en/science/glacier-survey/"
PERSIAN_WORD = "ماهواره"
"""In one Persian article of the sample newsroom."""
PERSIAN_ARTICLE = "fa/science/satellite-internet/"
CHROME_WORD = "skip"
"""Only in every page's chrome (the skip link), never in an article."""


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _search(tab, query: str) -> list[str]:
    """Type `query` into the search box; the result links' hrefs once the status says
    how the search came out."""
    box = tab.locator("#search-query")
    box.fill("")
    box.type(query)
    tab.keyboard.press("Enter")
    status = tab.locator("#search-status")
    tab.wait_for_function("""query => {
        const text = document.getElementById('search-status').textContent;
        return text && !text.includes('…') && new URL(location.href).searchParams.get('q') === query
    }""", arg=query)
    assert status.inner_text()
    return [a.get_attribute("href") for a in tab.locator(".search-result h2 a").all()]


def test_english_search_finds_the_english_article_and_no_other_language(nginx_site, tab):
    base, _out = nginx_site
    tab.goto(base + "en/search/")
    found = _search(tab, ENGLISH_WORD)
    assert found == ["/newsroom/" + ENGLISH_ARTICLE]
    result = tab.locator(".search-result").first
    assert ENGLISH_WORD in result.locator("mark").first.inner_text().lower()
    assert re.search(r"2026", result.locator("time").inner_text())
    assert result.locator("time").get_attribute("datetime").startswith("2026-")
    assert _search(tab, PERSIAN_WORD) == []  # the Persian article is in another index
    assert _search(tab, CHROME_WORD) == []  # the chrome is not indexed
    assert "Search" in tab.locator("h1").inner_text()


def test_persian_search_finds_the_persian_article_right_to_left(nginx_site, tab):
    base, _out = nginx_site
    tab.goto(base + "fa/search/")
    found = _search(tab, PERSIAN_WORD)
    assert "/newsroom/" + PERSIAN_ARTICLE in found
    assert all(href.startswith("/newsroom/fa/") for href in found)
    direction = tab.locator(".search-result").first.evaluate(
        "e => getComputedStyle(e).direction")
    assert direction == "rtl"
    assert tab.locator("h1").inner_text() == "جست‌وجو"  # from the fa catalog
    # A result opens the article.
    tab.locator(".search-result h2 a").first.click()
    tab.wait_for_url(re.compile(r"/newsroom/fa/science/"))
    tab.go_back()
    assert _search(tab, ENGLISH_WORD) == []


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_search_page_with_results_is_axe_clean(nginx_site, tab, lang):
    from axe_playwright_python.base import AXE_SCRIPT

    base, _out = nginx_site
    tab.goto(base + f"{lang}/search/")
    assert _search(tab, ENGLISH_WORD if lang == "en" else PERSIAN_WORD)
    tab.evaluate(AXE_SCRIPT)
    results = tab.evaluate("() => axe.run(document)")
    assert results["passes"]  # axe ran
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in results["violations"]] == []


def test_search_is_reached_from_an_articles_header_with_the_keyboard(nginx_site, tab):
    base, _out = nginx_site
    tab.goto(base + ENGLISH_ARTICLE)
    for _ in range(6):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.classList.contains('search-link')"):
            break
    else:
        pytest.fail("Tab never reached the header's search link")
    tab.keyboard.press("Enter")
    tab.wait_for_url(base + "en/search/")
    tab.wait_for_function("document.activeElement.id === 'search-query'")
    tab.keyboard.type(ENGLISH_WORD)
    tab.keyboard.press("Enter")
    tab.wait_for_selector(".search-result")
    assert tab.locator(".search-result h2 a").first.get_attribute("href") == \
        "/newsroom/" + ENGLISH_ARTICLE


def test_without_javascript_the_form_comes_back_and_says_search_needs_it(nginx_site,
                                                                         browser):
    base, _out = nginx_site
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(base + "fa/")
        tab.locator("a.search-link").click()
        tab.wait_for_url(base + "fa/search/")
        tab.locator("#search-query").fill(PERSIAN_WORD)
        tab.locator(".search-form button").click()
        tab.wait_for_url(re.compile(r"/newsroom/fa/search/\?q="))
        assert "جاوااسکریپت" in tab.locator("main").inner_text()
        assert tab.locator(".search-result").count() == 0
    finally:
        context.close()


def test_opened_from_disk_the_search_page_says_it_needs_a_web_server(
        tmp_path, make_site, article_text, build_site, tab):
    root = make_site(tmp_path / "site", {
        "content/en/world/a.md": article_text(title="Glacier story")}, relative_urls=True)
    out = tmp_path / "out"
    build_site(root, out)
    tab.goto((out / "en" / "search" / "index.html").as_uri())
    tab.wait_for_function("document.getElementById('search-status').textContent !== ''")
    assert "web server" in tab.locator("#search-status").inner_text()


def test_a_mirror_served_under_any_path_finds_and_links_its_articles(
        tmp_path, make_site, article_text, build_site, tab):
    """Mirror mode (relative links) copied under a path its base_url never named."""
    import functools
    import http.server
    import threading

    root = make_site(tmp_path / "site", {
        "content/en/world/a.md": article_text(title="Glacier story",
                                              body="The glacier retreated.\n"),
        "content/en/world/b.md": article_text(title="Other story", body="Markets.\n")},
        relative_urls=True)
    served = tmp_path / "www"
    build_site(root, served / "copies" / "herald")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=served)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/copies/herald/"
        tab.goto(base + "en/search/")
        assert _search(tab, ENGLISH_WORD) == ["/copies/herald/en/world/a/"]
        tab.locator(".search-result h2 a").first.click()
        tab.wait_for_url(base + "en/world/a/")
        assert tab.locator("h1").inner_text() == "Glacier story"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("hosting", ["mirror", "sub-path"])
def test_a_search_finds_articles_in_every_bucket(tmp_path, make_site, article_text,
                                                 build_site, tab, monkeypatch, hosting):
    """A language indexed in several buckets (a bucket of one article here) is searched
    as one: a word in two articles of different buckets finds both, on a mirror (relative
    links, any path) and under a sub-path base_url."""
    import functools
    import gzip
    import http.server
    import json
    import threading

    from dateline.build import search

    monkeypatch.setattr(search, "BUCKET_MOST", 1)
    urls = [f"en/world/story-{n}/" for n in range(6)]
    count = search.bucket_count(len(urls))
    other = next(u for u in urls if search.bucket_of(u, count) != search.bucket_of(urls[0], count))
    found_in = {urls[0], other}
    root = make_site(tmp_path / "site", {
        f"content/en/world/story-{n}.md": article_text(
            title=f"Story {n}", body=("The glacier retreated.\n" if url in found_in
                                      else "Markets rallied.\n"))
        for n, url in enumerate(urls)}, relative_urls=hosting == "mirror")
    served = tmp_path / "www"
    path = "copies/herald/" if hosting == "mirror" else "newsroom/"
    build_site(root, served / path, base_url=None if hosting == "mirror"
               else "https://news.example.org/newsroom/")
    index = served / path / "en/search/pagefind"
    buckets = json.loads((index / "buckets.json").read_text())["buckets"]
    assert len(buckets) > 2
    holding = [b for b in buckets for f in (index / b / "fragment").iterdir()
               if b"glacier" in gzip.decompress(f.read_bytes())]
    assert len(holding) == len(set(holding)) == 2  # two buckets, one article each
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=served)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/{path}"
        tab.goto(base + "en/search/")
        assert sorted(_search(tab, ENGLISH_WORD)) == sorted(f"/{path}{u}" for u in found_in)
        assert _search(tab, "markets")  # and the other buckets' articles
        assert len(_search(tab, "story")) == len(urls)
        # A language without articles lists no bucket: its page answers, finding none.
        tab.goto(base + "ru/search/")
        assert _search(tab, ENGLISH_WORD) == []
        none = tab.locator("#search").get_attribute("data-none")
        assert tab.locator("#search-status").inner_text() == none.replace("{query}",
                                                                           ENGLISH_WORD)
    finally:
        server.shutdown()
        server.server_close()
