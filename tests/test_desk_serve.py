"""`serve`'s `/_dateline/` over real HTTP (an in-process preview server): made on each
request, so it follows edits that change no page; shown while the build fails; links to
drafts only when the preview shows them; the same Host rules as every preview page."""

from __future__ import annotations

import http.client

import pytest

from dateline.build.pipeline import BuildOptions
from dateline.config import load_config
from dateline.preview.serve import PreviewServer


def fetch(server: PreviewServer, path: str, host: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or f"127.0.0.1:{server.port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def root(tmp_path, make_site, article_text):
    return make_site(tmp_path / "site", {
        "content/en/world/vote.md": article_text(title="Polls open"),
        "content/en/world/plan.md": article_text(title="A plan", draft=True),
    })


def _serve(root, **options) -> PreviewServer:
    server = PreviewServer(load_config(root / "dateline.toml"), BuildOptions(**options),
                           "127.0.0.1", 0)
    server.start()
    return server


def _cells(parse_html, text: str) -> dict[str, tuple[str | None, str | None]]:
    """language of each cell of world/plan → (state/hold, link)."""
    table = parse_html(text).by_id("translation-matrix")
    for row in table.find("tbody").find_all("tr"):
        if row.one("th").one("code").text == "world/plan":
            return {c.get("data-lang"): (f"{c.get('data-state')}/{c.get('data-hold')}",
                                         (c.find_all("a") or [None])[0] and
                                         c.find_all("a")[0].get("href"))
                    for c in row.find_all("td")}
    raise AssertionError("no world/plan row")


@pytest.mark.parametrize("drafts, link", [(False, None), (True, "/en/world/plan/")])
def test_the_view_links_drafts_only_when_the_preview_shows_them(root, parse_html, drafts,
                                                                link):
    server = _serve(root, drafts=drafts)
    try:
        status, headers, text = fetch(server, "/_dateline/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert _cells(parse_html, text)["en"] == ("original/draft", link)
        assert fetch(server, "/_dateline")[:2][0] == 302
        assert fetch(server, "/_dateline")[1]["Location"] == "/_dateline/"
        assert fetch(server, "/_dateline/", host="evil.example")[0] == 403
    finally:
        server.stop()


def test_the_view_follows_edits_and_shows_a_failed_build(root, parse_html, article_text):
    server = _serve(root)
    try:
        builds = server.builds
        # A translation of the draft changes no page (it waits for its original) ...
        (root / "content/ru/world").mkdir(parents=True)
        (root / "content/ru/world/plan.md").write_text(article_text(title="План"),
                                                       encoding="utf-8")
        builds = server.wait_for_build(builds)
        _, _, text = fetch(server, "/_dateline/")
        assert _cells(parse_html, text)["ru"] == ("current/waiting", None)
        # ... and a broken file fails the build: the view says so, and still works.
        (root / "content/en/world/vote.md").write_text("---\ntitle: [\n---\n",
                                                       encoding="utf-8")
        server.wait_for_build(builds)
        status, _, text = fetch(server, "/_dateline/")
        assert status == 200
        failed = parse_html(text).by_id("build-failed").text
        assert "content/en/world/vote.md:" in failed
        assert "front matter is not valid YAML" in failed
    finally:
        server.stop()
