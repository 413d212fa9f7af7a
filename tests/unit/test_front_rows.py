"""Issue 19: a command-line build's front matter, pickled by the workers as the cache's
rows and kept in a temporary file until the rows are settled (`build.frontrows`): a
row reads back as the value it was, its short texts shared as reading the file shares
them, and compares with a stored row by its pickle."""

import pickle
import sys

from dateline.build.frontrows import FrontRows, front_matter_of, pickled_row
from dateline.front_matter import SHARED_MOST, shared_strings
from dateline.incremental.cache import _GONE, _same
from dateline.incremental.tables import SpilledRows


def front(title: str) -> tuple[dict, dict]:
    meta = {"title": title, "tags": ["vote", "capital"], "image": {"src": "a.jpg"}}
    return meta, {"title": 2, "tags": 3, "image": 4, "image.src": 5}


def test_a_row_kept_reads_back_as_it_was_with_its_short_texts_shared(tmp_path):
    rows = FrontRows(str(tmp_path))
    expected = [front("Vote counted"), front("Другой заголовок " * 10)]
    numbers = [rows.keep(pickled_row(*row)) for row in expected]
    assert numbers == [0, 1]  # a number a row, not an object holding where it is
    kept = [rows.pickled(n) for n in numbers]
    # Read back in any order, once the file holds both.
    assert [pickle.loads(rows.blob(n)) for n in reversed(numbers)] == expected[::-1]
    assert [pickle.loads(row.blob()) for row in reversed(kept)] == expected[::-1]
    meta = front_matter_of(rows.blob(1))
    assert meta == expected[1][0]
    # The keys and short values are the interned strings a file's reading makes; a
    # title longer than that is not interned.
    for text in ("title", "tags", "vote", "capital", "src", "a.jpg"):
        assert next(k for k in _texts(meta) if k == text) is sys.intern(text)
    assert len(meta["title"]) > SHARED_MOST and not _is_interned(meta["title"])
    # Compared with the store's rows by their pickles; a row the store lacks differs.
    assert _same(expected[0], kept[0]) and not _same(expected[1], kept[0])
    assert not _same(_GONE, kept[0])
    # Written as the row's value itself, not as a pickle of the stand-in.
    spilled = SpilledRows([("a", kept[0]), ("b", expected[1])], str(tmp_path))
    assert [(key, pickle.loads(blob)) for key, blob in spilled.items()] == [
        ("a", expected[0]), ("b", expected[1])]
    rows.close()


def test_a_folder_that_cannot_take_the_rows_leaves_them_in_memory(tmp_path):
    """No file can be made (here: its folder is gone; a full disk in
    `test_failures.py`): no row is kept (the caller keeps the front matter in its
    document), and settled rows stay in memory, read back as they were."""
    gone = str(tmp_path / "gone")
    rows = FrontRows(gone)
    assert rows.keep(pickled_row(*front("Vote counted"))) is None
    assert rows.keep(pickled_row(*front("Again"))) is None  # (not tried again)
    rows = [(f"content/en/world/{n}.md", ({"title": f"Story {n}"}, {"title": 2}))
            for n in range(3)]
    spilled = SpilledRows(rows, gone)
    assert len(spilled) == 3
    assert [(key, pickle.loads(blob)) for key, blob in spilled.items()] == rows


def test_shared_strings_keeps_a_yaml_alias_one_object_even_when_it_holds_itself():
    looped: list = ["topic"]
    looped.append(looped)
    meta = pickle.loads(pickle.dumps({"tags": looped, "again": looped, "n": 3, "b": b"x"}))
    shared = shared_strings(meta)
    assert shared["tags"] is shared["again"] and shared["tags"][1] is shared["tags"]
    assert shared["tags"][0] is sys.intern("topic") and shared["n"] == 3
    assert shared["b"] == b"x"


def _texts(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str):
        yield value


def _is_interned(text: str) -> bool:
    return sys.intern(str(text.encode(), "utf-8")) is text


def test_rows_written_in_many_batches_read_back_in_order_every_time(tmp_path, monkeypatch):
    """Rows written to the file a batch at a time: read back in order, and again."""
    monkeypatch.setattr("dateline.incremental.tables._SPILL_BATCH", 64)
    rows = [(f"k{n:03}", {"n": n, "text": "x" * n}) for n in range(50)]
    spilled = SpilledRows(rows, str(tmp_path))
    for _ in range(2):
        assert [(key, pickle.loads(blob)) for key, blob in spilled.items()] == rows


def test_a_row_is_pickled_without_leaving_a_utf8_form_in_the_texts():
    """A source the building process read itself: its short texts are the interned
    ones every equal text after them becomes (its article's title among them), so its
    row is pickled from copies of those that are not ASCII (issue 19)."""
    title = sys.intern("Голоса подсчитаны в столице")
    meta = {"title": title, "tags": ["выборы", "vote"], "image": {"alt": "Площадь"}}
    sizes = [sys.getsizeof(text) for text in (title, meta["tags"][0], meta["image"]["alt"])]
    row = pickled_row(meta, {"title": 2})
    assert [sys.getsizeof(text) for text in (title, meta["tags"][0],
                                             meta["image"]["alt"])] == sizes
    assert front_matter_of(row) == meta
