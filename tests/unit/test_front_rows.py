"""Issue 19: a command-line build's front matter, pickled as the cache's rows once its
fields are read (`build.frontrows`): the document's dict is emptied, the row reads
back as the value it was, and compares with a stored row by its pickle."""

import pickle
from pathlib import Path

from dateline.build.frontrows import FrontRows
from dateline.incremental.cache import _GONE, _same
from dateline.incremental.tables import SpilledRows
from dateline.read import Document


def document(title: str) -> Document:
    meta = {"title": title, "tags": ["vote", "capital"], "image": {"src": "a.jpg"}}
    lines = {"title": 2, "tags": 3, "image": 4, "image.src": 5}
    return Document(path=Path("/site/content/en/world/vote.md"), ref="content/en/world/vote.md",
                    parts=("en", "world", "vote.md"), meta=meta, key_lines=lines, body="",
                    body_line=7, digest="d" * 32)


def test_a_row_kept_empties_the_front_matter_and_reads_back_as_it_was(tmp_path):
    rows = FrontRows(str(tmp_path))
    first, second = document("Vote counted"), document("Другой заголовок")
    expected = [(dict(doc.meta), dict(doc.key_lines)) for doc in (first, second)]
    kept = [rows.keep(first), rows.keep(second)]
    assert first.meta == {} and second.meta == {}
    assert first.key_lines == expected[0][1]  # (read by `doc.at`: kept)
    # Read back in any order, once the file holds both.
    assert [pickle.loads(row.blob()) for row in reversed(kept)] == expected[::-1]
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
    `test_failures.py`): the front matter stays with its document, and settled rows
    stay in memory, read back as they were."""
    gone = str(tmp_path / "gone")
    doc = document("Vote counted")
    assert FrontRows(gone).keep(doc) is None and doc.meta["title"] == "Vote counted"
    rows = [(f"content/en/world/{n}.md", ({"title": f"Story {n}"}, {"title": 2}))
            for n in range(3)]
    spilled = SpilledRows(rows, gone)
    assert len(spilled) == 3
    assert [(key, pickle.loads(blob)) for key, blob in spilled.items()] == rows


def test_rows_written_in_many_batches_read_back_in_order_every_time(tmp_path, monkeypatch):
    """Rows written to the file a batch at a time: read back in order, and again."""
    monkeypatch.setattr("dateline.incremental.tables._SPILL_BATCH", 64)
    rows = [(f"k{n:03}", {"n": n, "text": "x" * n}) for n in range(50)]
    spilled = SpilledRows(rows, str(tmp_path))
    for _ in range(2):
        assert [(key, pickle.loads(blob)) for key, blob in spilled.items()] == rows
