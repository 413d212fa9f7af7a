"""Issue 19: a build after one body edit reads and writes what the edit touches, not
what grows with the archive: the output folder's record of its files is read by key
(the files the build makes, not the ~106,000 rows of 60,000 articles) and written as
the rows that changed; the saved head writes the stats of the files that changed, not
every input's stat and digest again. Whatever it reads, the site and the record are
those of a clean build."""

import os
import sqlite3
import time
from array import array
from collections import Counter
from pathlib import Path

import pytest

from dateline import buildstore
from dateline.build import savedbuild, savedstore
from dateline.build.output import OutputWriter
from dateline.incremental.cache import BuildCache, OutputRecord
from dateline.incremental.cachedamage import unpickled
from dateline.incremental.filerecord import KeptFiles, StoredFiles
from dateline.incremental.inputstats import differing
from dateline.incremental.tables import Tables
from tests.test_bounded_edit import generated
from tests.test_fresh_clone import _age, _append, _build, _tree


def _store(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / ".dateline-cache" / buildstore.FILE)


def _record(root: Path, output: Path) -> dict[str, bytes]:
    with _store(root) as db:
        return dict(db.execute("SELECT key, value FROM entries WHERE tbl = ?",
                               (f"files:{output}",)))


def _heads(root: Path) -> dict[str, tuple[str, bytes]]:
    with _store(root) as db:
        return {slot: (key, value) for slot, key, value in db.execute(
            "SELECT slot, key, value FROM heads")}


def _edit(path: Path, text: str) -> None:
    _append(path, text)
    os.utime(path, (time.time() - 30,) * 2)  # older than the racy-stat margin


class Reads:
    """Rows of the output folder's record read during a build, through the store's
    tables (counted, then read as ever)."""

    def __init__(self, monkeypatch):
        self.whole, self.rows = Counter(), Counter()
        read, get, get_many = Tables.read, Tables.get, Tables.get_many

        def counted_read(tables, name, kind):
            found = read(tables, name, kind)
            self.whole[name.split(":")[0]] += 1
            self.rows[name.split(":")[0]] += len(found)
            return found

        def counted_get(tables, name, key, kind):
            self.rows[name.split(":")[0]] += 1
            return get(tables, name, key, kind)

        def counted_many(tables, name, keys, kind):
            self.rows[name.split(":")[0]] += len(keys)
            return get_many(tables, name, keys, kind)

        monkeypatch.setattr(Tables, "read", counted_read)
        monkeypatch.setattr(Tables, "get", counted_get)
        monkeypatch.setattr(Tables, "get_many", counted_many)


@pytest.mark.parametrize("stories", [40, 80])
def test_an_edit_build_reads_and_writes_the_rows_of_the_files_it_makes(
        tmp_path, monkeypatch, stories):
    root = tmp_path / "site"
    story = generated(root, stories)
    _age(root, 120)
    _build(root)
    output = root / "site"
    before = _record(root, output)
    _edit(story, "\nA new sentence.\n")
    reads = Reads(monkeypatch)
    result = _build(root)
    monkeypatch.undo()
    assert result.incremental and not result.replanned
    assert "en/world/story-4/index.html" in result.changed_files
    # Never the whole record; its rows of the pages, feeds, theme files and photos the
    # build makes: as many for twice the stories.
    assert reads.whole["files"] == 0, reads.whole
    assert 0 < reads.rows["files"] < 120, (reads.rows, len(before))
    after = _record(root, output)
    assert set(after) == set(before)
    rewritten = {file for file in after if after[file] != before[file]}
    assert "en/world/story-4/index.html" in rewritten
    assert len(rewritten) < 30, sorted(rewritten)
    # The record is the output's (the count the build reports), the tree a clean build's.
    _build(root, tmp_path / "clean", clean=True)
    assert _tree(output) == _tree(tmp_path / "clean")
    assert result.files == len(after) == len(_tree(output))


def test_an_edit_build_writes_the_changed_stats_not_the_head_of_every_input(tmp_path):
    root = tmp_path / "site"
    story = generated(root, 40)
    _age(root, 120)
    _build(root)
    heads = _heads(root)
    slot = savedbuild.slot_of(root / "site")
    inputs = heads[f"{slot}/inputs"]
    _edit(story, "\nA new sentence.\n")
    result = _build(root)
    assert result.incremental and not result.replanned
    after = _heads(root)
    # The stats and digests of every input stand as they were written; the head holds
    # the edited file's.
    assert after[f"{slot}/inputs"] == inputs
    head = unpickled(after[slot][1], "head")
    assert set(head.stats) == set(head.digests) == {str(story)}, head.stats
    other = root / "content/en/economy/story-5.md"
    _edit(other, "\nAnother sentence.\n")
    result = _build(root)
    assert result.incremental and not result.replanned
    assert result.changed_files[:1] and "en/economy/story-5/index.html" in result.changed_files
    # A fresh clone (every file a new stat) writes them all again, once; the next edit
    # build trusts them.
    _age(root, 60)
    _edit(story, "\nA third sentence.\n")
    result = _build(root)
    assert result.incremental and not result.replanned
    assert _heads(root)[f"{slot}/inputs"][0] != inputs[0]
    _edit(other, "\nA fourth sentence.\n")
    result = _build(root)
    assert result.incremental and not result.replanned
    _build(root, tmp_path / "clean", clean=True)
    assert _tree(root / "site") == _tree(tmp_path / "clean")


def _stored(tmp_path: Path, files: dict, groups: dict) -> OutputRecord:
    cache = BuildCache.open(tmp_path / "cache", "settings")
    cache.update({}, tmp_path / "out", OutputRecord("build-1", files, groups))
    cache.write()
    cache.store.close()
    record = BuildCache.open(tmp_path / "cache", "settings").output(tmp_path / "out")
    assert isinstance(record.files, StoredFiles)
    return record


def test_a_partial_writer_removes_the_files_no_group_makes_again(tmp_path):
    """A build that keeps the files it does not make: of the old groups' files, those
    no group kept or made again are removed, and the record it leaves is the record a
    build that read the whole one would leave."""
    files = {f"en/{n}/index.html": (f"fp{n}", f"d{n}") for n in range(6)}
    files |= {"en/feed.xml": ("g1", "f1"), "en/feed.rss": ("g1", "f2"),
              "sitemap-1.xml": ("g2", "s1"), "sitemap-2.xml": ("g2", "s2"),
              "fa/feed.xml": ("g3", "f3")}
    groups = {"feed:en": ("g1", ("en/feed.xml", "en/feed.rss")),
              "sitemaps": ("g2", ("sitemap-1.xml", "sitemap-2.xml")),
              "feed:fa": ("g3", ("fa/feed.xml",))}
    record = _stored(tmp_path, files, groups)
    out = tmp_path / "out"
    for file in files:
        (out / file).parent.mkdir(parents=True, exist_ok=True)
        (out / file).write_text(file, encoding="utf-8")
    writer = OutputWriter(out, record, "")
    writer.keep_rest()
    writer.made("en/2/index.html", "fp2-new", "d2-new", True)
    writer.keep_group("feed:en", groups["feed:en"])
    writer.put_group("sitemaps", "g2-new", [("sitemap-1.xml", b"only one now")])
    writer.commit()
    assert writer.removed == ["fa/feed.xml", "sitemap-2.xml"]
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*")
               if p.is_file() and not p.name.startswith(".")}
    assert on_disk == set(files) - {"fa/feed.xml", "sitemap-2.xml"}
    assert (out / "sitemap-1.xml").read_bytes() == b"only one now"
    kept = writer.files
    assert isinstance(kept, KeptFiles)
    expected = {**{f: v for f, v in files.items()
                   if f not in ("fa/feed.xml", "sitemap-2.xml")},
                "en/2/index.html": ("fp2-new", "d2-new")}
    expected["sitemap-1.xml"] = ("g2-new", kept["sitemap-1.xml"][1])
    assert len(kept) == len(expected) and dict(kept) == expected
    changed, removed = kept.delta()
    assert set(changed) == {"en/2/index.html", "sitemap-1.xml"}
    assert removed == ["fa/feed.xml", "sitemap-2.xml"]


def test_an_edit_build_compares_the_stats_of_the_changed_files_alone(tmp_path, monkeypatch):
    """The saved head keeps every input's stat as arrays in walking order: an edit build
    finds the files whose stat changed by comparing the arrays, and looks at those alone
    (was: every input's stat made into a tuple and compared with a dict of all of them)."""
    root = tmp_path / "site"
    story = generated(root, 40)
    _age(root, 120)
    _build(root)
    inputs = sum(1 for path in root.rglob("*") if path.is_file()
                 and not {".dateline-cache", "site"} & set(path.relative_to(root).parts))
    looked_at = Counter()
    stat_key = savedstore.stat_key

    def counted(stat):
        looked_at["stats"] += 1
        return stat_key(stat)

    for number in range(2):  # the second edit: the head's changes and the arrays together
        _edit(story, f"\nA new sentence, {number}.\n")
        monkeypatch.setattr(savedstore, "stat_key", counted)
        looked_at.clear()
        result = _build(root)
        monkeypatch.undo()
        assert result.incremental and not result.replanned
        assert "en/world/story-4/index.html" in result.changed_files
        assert 1 <= looked_at["stats"] <= 3, (looked_at, inputs)
    assert inputs > 40
    _build(root, tmp_path / "clean", clean=True)
    assert _tree(root / "site") == _tree(tmp_path / "clean")


def test_the_arrays_differ_where_their_integers_do():
    positions = [0, 31, 32, 33, 500, 4095]
    old = array("q", range(4096))
    new = array("q", old)
    for i in positions:
        new[i] += 1
    assert differing(old.tobytes(), new.tobytes()) == positions
    assert differing(old.tobytes(), old.tobytes()) == []
    assert differing(b"", b"") == []
