"""Links written by authors keep working everywhere: links to other articles' Markdown
files become their URLs, root-relative links honour base_url's path and mirror mode,
and `check` knows that a root-relative link breaks a mirror-mode site."""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path

import pytest

from dateline.errors import ContentError

BODY = ("See [the verdict](../politics/blogger.md#reaction), [again](/en/politics/blogger.md), "
        "[the section](/en/politics/?page=1#top), [home](/) and "
        '<a href="../politics/blogger.md">the raw one</a>.\n')

MODES = [
    pytest.param("https://news.example.org/", False, id="root"),
    pytest.param("https://org.github.io/newsroom/", False, id="sub-path"),
    pytest.param("https://org.github.io/newsroom/", True, id="mirror"),
]


@pytest.fixture
def linked_site(tmp_path, make_site, article_text):
    return make_site(tmp_path, {
        "content/en/world/vote.md": article_text(title="Vote", body=BODY),
        # The slug comes from front matter: only the assembled site knows the URL.
        "content/en/politics/blogger.md": article_text(
            title="Blogger sentenced", slug="moscow-blogger-sentenced",
            body="## Reaction {#reaction}\n\nText.\n"),
    })


def _hrefs(page: Path, parse_html) -> list[str]:
    body = parse_html(page).one("div", cls="story__body")
    return [a.get("href") for a in body.find_all("a")]


def _lands_on(href: str, page: str, base_path: str, relative: bool) -> str:
    """The site-relative file or folder a link on `page` leads to."""
    if relative:
        assert not href.startswith("/"), href
        return posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
    assert href.startswith(base_path), href
    return href[len(base_path):]


@pytest.mark.parametrize(("base_url", "relative"), MODES)
def test_links_to_articles_and_into_the_site_lead_to_their_pages(
        linked_site, build_site, parse_html, run_cli, base_url, relative):
    build_site(linked_site, base_url=base_url, relative_urls=relative)
    page = "en/world/vote/index.html"
    hrefs = _hrefs(linked_site / "site" / page, parse_html)
    base_path = "/" + base_url.split("/", 3)[3]
    landed = [_lands_on(h, page, base_path, relative) for h in hrefs]
    if relative:
        expected = ["en/politics/moscow-blogger-sentenced/index.html#reaction",
                    "en/politics/moscow-blogger-sentenced/index.html",
                    "en/politics/index.html?page=1#top", "index.html",
                    "en/politics/moscow-blogger-sentenced/index.html"]
    else:
        expected = ["en/politics/moscow-blogger-sentenced/#reaction",
                    "en/politics/moscow-blogger-sentenced/",
                    "en/politics/?page=1#top", "",
                    "en/politics/moscow-blogger-sentenced/"]
    assert landed == expected
    for target in landed:
        path = target.split("#")[0].split("?")[0]
        file = linked_site / "site" / (path if path.endswith(".html") else path + "index.html")
        assert file.is_file(), target
    # The link checker agrees (fragments included).
    result = run_cli(["check", "--out", linked_site / "site", "--skip", "html,a11y"])
    assert result.code == 0, result.out


def test_feeds_carry_article_links_as_absolute_urls(linked_site, build_site):
    build_site(linked_site, base_url="https://org.github.io/newsroom/")
    feed = (linked_site / "site/en/feed.xml").read_text(encoding="utf-8")
    assert ("https://org.github.io/newsroom/en/politics/moscow-blogger-sentenced/#reaction"
            in feed)
    assert ".md" not in feed


@pytest.mark.parametrize("link", ["../politics/gone.md", "/en/politics/gone.md#x",
                                  "gone.md", "/ru/world/vote.md"])
def test_a_link_to_a_missing_file_is_an_error_at_its_line(
        tmp_path, make_site, article_text, build_site, link):
    root = make_site(tmp_path, {"content/en/world/vote.md": article_text(
        title="Vote", body=f"First paragraph.\n\nSee [this]({link}).\n")})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    # Front matter takes lines 1-4, a blank line, then the body: the link is on line 8.
    assert [str(p) for p in caught.value.problems] == [
        f"content/en/world/vote.md:8: link '{link}': "
        f"{_shown(link)} does not exist; check the name (paths are relative to "
        "the article's folder, or to content/ when they start with '/')"]
    assert not (root / "site").exists()


def _shown(link: str) -> str:
    path = link.split("#")[0]
    return posixpath.normpath("content/" + path.lstrip("/") if path.startswith("/")
                              else posixpath.join("content/en/world", path))


def test_a_link_leading_out_of_the_content_folder_is_an_error(
        tmp_path, make_site, article_text, build_site):
    root = make_site(tmp_path, {
        "content/en/world/vote.md": article_text(title="Vote", body="[x](../../../README.md)\n"),
        "README.md": "# not an article\n"})
    with pytest.raises(ContentError, match=r"vote\.md:6: link '../../../README.md' leads "
                                           "outside the content folder"):
        build_site(root)


@pytest.mark.parametrize(("meta", "reason"), [
    ({"draft": True}, "draft"),
    ({"date": "2027-05-01T09:00:00+02:00"}, "scheduled for 2027-05-01T07:00:00+00:00"),
])
def test_a_link_to_a_held_back_article_is_a_warning_and_no_dead_link(
        tmp_path, make_site, article_text, build_site, parse_html, meta, reason):
    root = make_site(tmp_path, {
        "content/en/world/vote.md": article_text(
            title="Vote", body="See [the embargoed story](../politics/next.md) soon.\n"),
        "content/en/politics/next.md": article_text(**{"title": "Next", **meta}),
    })
    result = build_site(root)
    warnings = [str(w) for w in result.warnings if "link" in w.message]
    assert len(warnings) == 1
    assert warnings[0].startswith("content/en/world/vote.md:6: link '../politics/next.md': "
                                  "content/en/politics/next.md is held back (")
    assert reason.split(" ")[0] in warnings[0]
    page = root / "site/en/world/vote/index.html"
    body = parse_html(page).one("div", cls="story__body")
    link = body.one("a")
    assert link.get("href") is None and link.text == "the embargoed story"
    assert "next" not in page.read_text(encoding="utf-8").split("story__body")[1]
    # Published (here: with --drafts and --future), it is linked.
    build_site(root, drafts=True, future=True)
    assert _hrefs(page, parse_html) == ["/en/politics/next/"]


def test_the_link_follows_the_article_when_its_slug_changes(
        linked_site, build_site, parse_html):
    build_site(linked_site)
    page = linked_site / "site/en/world/vote/index.html"
    assert _hrefs(page, parse_html)[1] == "/en/politics/moscow-blogger-sentenced/"
    source = linked_site / "content/en/politics/blogger.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "moscow-blogger-sentenced", "blogger-jailed"), encoding="utf-8")
    build_site(linked_site)  # incremental: the linking page's body did not change
    assert _hrefs(page, parse_html)[1] == "/en/politics/blogger-jailed/"


def test_check_reports_root_relative_links_in_a_mirror_mode_site(
        tmp_path, make_site, article_text, build_site, run_cli):
    root = make_site(tmp_path, {
        "content/en/world/a.md": article_text(title="A"),
        "content/en/world/b.md": article_text(title="B"),
    }, relative_urls=True)
    build_site(root)
    site = root / "site"
    assert run_cli(["check", "--out", site, "--skip", "html,a11y"]).code == 0
    # A root-relative link (a theme's hard-coded one, a hand edit) resolves on a host's
    # root but not from disk: in a mirror-mode folder it is broken.
    page = site / "en/world/a/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</main>", '<a href="/en/world/b/">b</a></main>'), encoding="utf-8")
    result = run_cli(["check", "--out", site, "--skip", "html,a11y"])
    assert result.code == 1
    problems = [line for line in result.out.splitlines() if ": line " in line]
    assert len(problems) == 1, result.out
    assert problems[0].startswith("en/world/a/index.html: line ")
    assert '<a href="/en/world/b/">: root-relative URL in a mirror-mode site' in problems[0]
    shutil.rmtree(site)
