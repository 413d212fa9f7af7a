"""The order the pages to render are taken in (`output._in_stretch_order`): a language's
pages together, its listings before its articles, else page order; put in place with
no object held for each page (issue 19: a sort's keys and the pages' ints were ~10 MiB
at 60,000 articles, in arenas never given back)."""

import random
import tracemalloc
from array import array
from dataclasses import dataclass

from dateline.build.output import Picked, _in_stretch_order


@dataclass(frozen=True)
class _Page:
    lang: str
    kind: str


def _pages(count: int, seed: int = 7) -> list[_Page]:
    pick = random.Random(seed)
    return [_Page(pick.choice(["ru", "en", "fa"]), pick.choice(["article", "article", "home",
                                                                 "tag", "section"]))
            for _ in range(count)]


def test_the_order_is_by_language_then_listings_first_then_page_order():
    pages = _pages(500)
    dirty = array("l", sorted(random.Random(3).sample(range(500), 300)))
    first_seen = list(dict.fromkeys(pages[i].lang for i in dirty))
    expected = sorted(dirty, key=lambda i: (first_seen.index(pages[i].lang),
                                            pages[i].kind == "article", i))
    assert list(_in_stretch_order(pages, dirty)) == expected


def test_ordering_a_hundred_thousand_pages_holds_under_forty_bytes_a_page():
    pages = _pages(100_000)
    dirty = array("l", range(100_000))
    tracemalloc.start()
    try:
        ordered = _in_stretch_order(pages, dirty)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(ordered) == 100_000
    assert peak / 100_000 < 40, peak / 100_000  # (a sort by key: ~100)


def test_picked_values_are_made_as_asked_for():
    asked = []

    class Values:
        def __getitem__(self, i):
            asked.append(i)
            return f"fp{i}"

    picked = Picked(Values(), array("l", [5, 2, 9]))
    assert len(picked) == 3 and asked == []
    assert picked[1] == "fp2" and picked[1:] == ["fp2", "fp9"] and list(picked) == [
        "fp5", "fp2", "fp9"]
