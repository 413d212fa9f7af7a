"""A long listing links a window of its pages, not every page: n links on each of n
pages would make a home page of 10,000 pages carry 100 million links."""

from __future__ import annotations

import pytest

from dateline.outputs.pages import PAGER_REACH, Pagination

PAGES = 12


def numbered(pagination: Pagination) -> list[int | None]:
    return [number or None for number, _url in pagination.window()]


@pytest.mark.parametrize("total", range(1, 15))
def test_every_page_of_a_listing_links_the_ends_its_neighbours_and_marks_gaps(total):
    urls = tuple(f"/en/page/{n}/" for n in range(1, total + 1))
    for number in range(1, total + 1):
        window = Pagination(number, total, urls).window()
        shown = [n for n, url in window if url is not None]
        assert shown == sorted(shown) and len(set(shown)) == len(shown)
        assert {1, total} <= set(shown)
        near = range(max(1, number - PAGER_REACH), min(total, number + PAGER_REACH) + 1)
        assert set(near) <= set(shown)
        assert all(url == urls[n - 1] for n, url in window if url is not None)
        # A gap stands for two pages or more (one page left out is linked instead),
        # and every page outside the window is in a gap.
        for before, gap, after in zip(window, window[1:], window[2:], strict=False):
            if gap[1] is None:
                assert after[0] - before[0] >= 3
        hidden = set(range(1, total + 1)) - set(shown)
        assert all(abs(n - number) > PAGER_REACH for n in hidden)
        assert len(window) <= 2 * PAGER_REACH + 5  # bounded, whatever the total


def test_a_long_listing_links_a_window_of_its_pages(tmp_path, make_site, build_site,
                                                    article_text, parse_html):
    files = {f"content/en/world/s{n:02d}.md": article_text(
        title=f"Story {n}", date=f"2025-03-{n + 1:02d}T10:00:00+01:00") for n in range(PAGES)}
    root = make_site(tmp_path / "s", files, per_page=1)
    build_site(root)
    out = root / "site"

    def links(path: str) -> list[str]:
        nav = parse_html(out / path).one("nav", cls="pagination")
        return [li.text.strip() for li in nav.one("ul").find_all("li")]

    assert links("en/index.html") == ["1", "2", "3", "…", "12"]
    assert links("en/page/6/index.html") == ["1", "…", "4", "5", "6", "7", "8", "…", "12"]
    assert links("en/page/4/index.html") == ["1", "2", "3", "4", "5", "6", "…", "12"]
    assert links("en/page/12/index.html") == ["1", "…", "10", "11", "12"]
    page6 = parse_html(out / "en/page/6/index.html").one("nav", cls="pagination")
    assert page6.one("span", attrs={"aria-current": "page"}).text.strip() == "6"
    gaps = page6.find_all("li", cls="pagination__gap")
    assert len(gaps) == 2 and all(g.attrs.get("aria-hidden") == "true" for g in gaps)
    assert [a.attrs["href"] for a in page6.find_all("a") if a.text.strip() == "12"] \
        == ["/en/page/12/"]
