"""The plan's pages made when asked for (issue 19): `PlannedPages` reads as the list of
its parts' pages, flattened, by index, by slice and in order; a listing's run makes the
pages `_paginate` planned one by one before."""

import math

from hypothesis import given
from hypothesis import strategies as st

from dateline.outputs.pages import ListingRun, Page, PlannedPages


def _page(n: int) -> Page:
    return Page(url=f"p{n}/", template="t.html", kind="about", lang="en")


@st.composite
def parts(draw):
    """Loose pages and runs (lists, some empty), numbered in order."""
    made, count = [], 0
    for shape in draw(st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=12)):
        if shape is None:
            made.append(_page(count))
            count += 1
        else:
            made.append([_page(count + k) for k in range(shape)])
            count += shape
    return made


@given(parts(), st.data())
def test_planned_pages_read_as_their_parts_flattened(made, data):
    flat = [p for part in made for p in ([part] if isinstance(part, Page) else part)]
    planned = PlannedPages(made)
    assert len(planned) == len(flat)
    assert list(planned) == flat
    assert [planned[i] for i in range(len(flat))] == flat
    assert [planned[i] for i in range(-len(flat), 0)] == flat
    start = data.draw(st.integers(-len(flat) - 2, len(flat) + 2))
    stop = data.draw(st.integers(-len(flat) - 2, len(flat) + 2))
    assert planned[start:stop] == flat[start:stop]
    for beyond in (len(flat), -len(flat) - 1):
        try:
            planned[beyond]
        except IndexError:
            pass
        else:
            raise AssertionError(f"page {beyond} of {len(flat)}")


@given(st.integers(0, 40), st.integers(1, 7), st.booleans(), st.booleans())
def test_a_listing_run_pages_its_items_as_planned(count, per_page, alternates, notes):
    items = tuple(range(count))  # (stand-ins: the run only slices them)
    total = max(1, math.ceil(count / per_page))
    page_urls = tuple(f"en/t/{n}/" for n in range(1, total + 1))
    others = (("en", page_urls[0]), ("ru", "ru/t/")) if alternates else ()
    run = ListingRun("en", items, page_urls, per_page, others,
                     "en/t/" if alternates else None,
                     tuple(-i for i in items) if notes else None,
                     {"template": "listing.html", "kind": "tag", "heading": "T", "key": "t"})
    pages = list(run)
    assert len(run) == len(pages) == total
    assert [i for page in pages for i in page.items] == list(items)
    assert all(len(page.items) <= per_page for page in pages)
    for n, page in enumerate(pages, 1):
        assert page == run[n - 1] == run[n - 1 - total]
        assert page.url == page_urls[n - 1] and page.lang == "en" and page.key == "t"
        assert (page.pagination.number, page.pagination.total) == (n, total)
        assert page.pagination.urls is page_urls  # one tuple (the fingerprints hash it once)
        assert page.pagination.item_count == count
        assert page.alternates == (others if n == 1 else ())
        assert page.x_default == ("en/t/" if n == 1 and alternates else None)
        assert page.corrections == (tuple(-i for i in page.items) if notes else ())
