"""A mirror-mode site opened from disk (`file://`) in Chromium: every link an author
wrote, to an article's Markdown file or root-relative into the site, leads to its page."""

from __future__ import annotations

import pytest

LINKS = {
    "the verdict": "Blogger sentenced",      # ../politics/blogger.md#reaction
    "again": "Blogger sentenced",            # /en/politics/blogger.md
    "the section": "Politics",               # /en/politics/
}


@pytest.mark.parametrize(("text", "title"), LINKS.items())
def test_author_links_work_from_disk_in_mirror_mode(tmp_path, make_site, article_text,
                                                    build_site, page, text, title):
    root = make_site(tmp_path / "site", {
        "content/en/world/vote.md": article_text(title="Vote", body=(
            "See [the verdict](../politics/blogger.md#reaction), "
            "[again](/en/politics/blogger.md) and [the section](/en/politics/).\n")),
        "content/en/politics/blogger.md": article_text(
            title="Blogger sentenced", slug="moscow-blogger-sentenced",
            body="## Reaction {#reaction}\n\nText.\n"),
    })
    build_site(root, base_url="https://org.github.io/newsroom/", relative_urls=True)
    page.goto((root / "site/en/world/vote/index.html").as_uri())
    page.get_by_role("link", name=text, exact=True).click()
    page.wait_for_load_state()
    assert page.url.startswith((root / "site").as_uri() + "/"), page.url
    assert title in page.title(), (page.url, page.title())
    if text == "the verdict":
        assert page.url.endswith("/en/politics/moscow-blogger-sentenced/index.html#reaction")
