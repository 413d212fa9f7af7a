"""The build cache in the build store (`buildstore`): rows read back exactly as written,
a write that changes a few entries writes a few rows; any damage, an older schema or the
files of the cache before the store mean starting afresh, said once."""

import random
import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest

from dateline import buildstore
from dateline.incremental.cache import BuildCache, OutputRecord, SourceEntry
from dateline.incremental.cachedamage import CacheDamaged
from dateline.incremental.tables import Tables

SETTINGS = "test settings"


def entry(n: int, body: str = "") -> SourceEntry:
    return SourceEntry(stat=(n, n, n), digest=f"{n:032x}", body_line=4,
                       body_id=body or f"body-{n}", images=())


def first_build(folder, sources=300) -> BuildCache:
    cache = BuildCache.open(folder, SETTINGS)
    cache.update({f"/content/en/world/{n}.md": entry(n) for n in range(sources)},
                 folder / "site",
                 OutputRecord("build-1", {f"en/world/{n}/index.html": (f"fp{n}", f"d{n}")
                                          for n in range(sources)}))
    cache.write()
    cache.store.close()  # as a command-line build leaves it: one file, no WAL
    return cache


def an_edit(folder) -> BuildCache:
    """What a one-article rebuild changes: an entry replaced, one added, one removed,
    and the output record."""
    cache = BuildCache.open(folder, SETTINGS)
    assert cache.loaded
    sources = dict(cache.data.sources)
    sources["/content/en/world/7.md"] = replace(sources["/content/en/world/7.md"],
                                                body_id="edited")
    sources["/content/en/world/new.md"] = entry(1000)
    del sources["/content/en/world/8.md"]
    record = cache.output(folder / "site")
    files = dict(record.files)
    files["en/world/7/index.html"] = ("fp7-edited", "d7-edited")
    del files["en/world/8/index.html"]
    cache.update(sources, folder / "site", OutputRecord("build-2", files, record.groups))
    cache.write()
    return cache


def test_a_small_change_writes_only_the_rows_it_changed_and_reads_back(tmp_path):
    first_build(tmp_path)
    statements = []
    cache = BuildCache.open(tmp_path, SETTINGS)
    cache.store.db().set_trace_callback(statements.append)
    sources = dict(cache.data.sources)
    sources["/content/en/world/7.md"] = replace(sources["/content/en/world/7.md"],
                                                body_id="edited")
    sources["/content/en/world/new.md"] = entry(1000)
    del sources["/content/en/world/8.md"]
    record = cache.output(tmp_path / "site")
    files = dict(record.files)
    files["en/world/7/index.html"] = ("fp7-edited", "d7-edited")
    cache.update(sources, tmp_path / "site", OutputRecord("build-2", files, record.groups))
    cache.write()
    written = [s for s in statements if s.startswith(("INSERT OR REPLACE INTO entries",
                                                      "DELETE FROM entries"))]
    # Two sources, one removed, the output folder's id and one of its files.
    assert len(written) == 5, written

    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert loaded.loaded and loaded.damage is None
    assert loaded.data.sources == cache.data.sources
    assert loaded.data.sources["/content/en/world/7.md"].body_id == "edited"
    assert "/content/en/world/8.md" not in loaded.data.sources
    record = loaded.output(tmp_path / "site")
    assert record.build_id == "build-2"
    assert record.files == files
    assert loaded.data.written_ns == cache.data.written_ns


@pytest.mark.parametrize("damage", ["garbage", "truncated", "older schema", "no schema"])
def test_a_damaged_or_older_store_means_an_empty_cache_and_one_reason(tmp_path, damage):
    first_build(tmp_path)
    store = tmp_path / buildstore.FILE
    data = store.read_bytes()
    if damage == "garbage":
        store.write_bytes(random.Random(1).randbytes(len(data)))
    elif damage == "truncated":
        store.write_bytes(data[: len(data) // 3])
    else:
        with closing(sqlite3.connect(store)) as db:
            db.execute("PRAGMA user_version = "
                       f"{0 if damage == 'no schema' else buildstore.SCHEMA - 1 or 99}")
    cache = BuildCache.open(tmp_path, SETTINGS)
    if damage == "truncated" and cache.loaded:  # SQLite finds it when it reads a table
        with pytest.raises(CacheDamaged):
            cache.data.table("sources")
        return
    assert not cache.loaded and cache.data.sources == {}
    assert cache.take_damage()
    first_build(tmp_path)  # the new store works
    again = BuildCache.open(tmp_path, SETTINGS)
    assert again.loaded and again.damage is None and len(again.data.sources) == 300


def test_an_older_schema_is_named_in_the_reason(tmp_path):
    first_build(tmp_path)
    with closing(sqlite3.connect(tmp_path / buildstore.FILE)) as db:
        db.execute(f"PRAGMA user_version = {buildstore.SCHEMA - 1 or 99}")
    damage = BuildCache.open(tmp_path, SETTINGS).take_damage()
    assert "schema" in damage and buildstore.FILE in damage


def test_the_cache_files_before_the_store_are_removed_with_one_reason(tmp_path):
    for name in ("build.pickle", "build.journal", "bodies.sqlite", "last-build-ab.pickle",
                 "last-build-ab.head"):
        (tmp_path / name).write_bytes(b"old")
    cache = BuildCache.open(tmp_path, SETTINGS)
    damage = cache.take_damage()
    assert "build.pickle" in damage and "last-build-ab.head" in damage
    left = sorted(p.name for p in tmp_path.iterdir())
    assert [name for name in left if not name.startswith(buildstore.FILE)] == [".gitignore"]
    assert BuildCache.open(tmp_path, SETTINGS).take_damage() is None


def test_a_clean_build_replaces_every_row(tmp_path):
    first_build(tmp_path)
    cache = BuildCache.open(tmp_path, SETTINGS)
    cache.forget_sources()
    cache.update({"/content/en/world/1.md": entry(1)}, tmp_path / "site",
                 cache.output(tmp_path / "site"))
    cache.write()
    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert list(loaded.data.sources) == ["/content/en/world/1.md"]
    assert loaded.output(tmp_path / "site").build_id == "build-1"


def test_a_clean_build_leaves_another_folders_record_standing_unread(tmp_path):
    """`build --clean` replaces what this folder's build knew; the record of another
    output folder (the preview server's, a shard's) stays as the store holds it, and is
    not read whole to be written again (at 300,000 articles, ~527,000 rows)."""
    first_build(tmp_path)
    cache = BuildCache.open(tmp_path, SETTINGS)
    preview = {f"en/world/{n}/index.html": (f"pfp{n}", f"pd{n}") for n in range(500)}
    cache.update(None, tmp_path / "preview", OutputRecord("preview-1", preview))
    cache.write()
    cache.store.close()
    cache = BuildCache.open(tmp_path, SETTINGS)
    cache.forget_sources()
    cache.update({"/content/en/world/1.md": entry(1)}, tmp_path / "site",
                 OutputRecord("build-2", {"en/world/1/index.html": ("fp1", "d1")}))
    statements = []
    cache.store.db().set_trace_callback(statements.append)
    cache.write()
    preview_table = f"files:{tmp_path / 'preview'}"
    touched = [s for s in statements if preview_table in s]
    assert all(s.startswith("DELETE FROM entries WHERE tbl NOT IN") for s in touched)
    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert list(loaded.data.sources) == ["/content/en/world/1.md"]
    assert dict(loaded.output(tmp_path / "site").files) == {
        "en/world/1/index.html": ("fp1", "d1")}
    kept = loaded.output(tmp_path / "preview")
    assert kept.build_id == "preview-1" and dict(kept.files) == preview


def test_a_write_that_fails_half_way_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    first_build(tmp_path)
    cache = BuildCache.open(tmp_path, SETTINGS)
    cache.update({}, tmp_path / "site", OutputRecord("build-2"))

    def half_way(self, db, changes):
        db.execute("DELETE FROM entries")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Tables, "write", half_way)
    with pytest.raises(OSError, match="disk is full"):
        cache.write()
    monkeypatch.undo()
    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert len(loaded.data.sources) == 300
    assert loaded.output(tmp_path / "site").build_id == "build-1"


def test_entries_put_into_an_unread_table_are_written_and_read_back(tmp_path):
    """A build from the saved model replaces a few sources' entries without reading the
    table of all of them: the others stay as they were, on disk and in this process."""
    first_build(tmp_path)
    cache = BuildCache.open(tmp_path, SETTINGS)
    cache.put_sources({"/content/en/world/7.md": entry(7, body="edited")})
    cache.update(None, tmp_path / "site", cache.output(tmp_path / "site"))
    assert not cache.data.is_read("sources")
    cache.write()
    assert not cache.data.is_read("sources")
    assert cache.data.sources["/content/en/world/7.md"].body_id == "edited"
    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert loaded.data.sources["/content/en/world/7.md"].body_id == "edited"
    assert loaded.data.sources["/content/en/world/6.md"] == entry(6)
    assert len(loaded.data.sources) == 300


def test_a_table_is_read_only_when_asked_for(tmp_path):
    first_build(tmp_path)
    cache = BuildCache.open(tmp_path, SETTINGS)
    assert cache.output(tmp_path / "site").build_id == "build-1"
    assert not cache.data.is_read("sources") and not cache.data.is_read("front_matter")
    assert cache.data.entry("sources", "/content/en/world/7.md") == entry(7)
    assert cache.data.entry("sources", "/content/en/world/none.md") is None
    assert not cache.data.is_read("sources")


def test_settled_sources_keep_their_bodies_alive_and_prune_the_rest(tmp_path):
    # Issue 19: a build that settles its sources (their rows written out before
    # rendering) keeps only the bodies they render to, packed; the store then forgets
    # the old versions once they outnumber the live ones.
    first_build(tmp_path, sources=10)
    cache = BuildCache.open(tmp_path, SETTINGS)
    bodies = {f"{n:032x}" for n in range(5)}
    old = {f"{n:032x}" for n in range(100, 200)}
    with cache.store.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO bodies (id, html) VALUES (?, ?)",
                       [(ident, f"<p>{ident}</p>") for ident in sorted(bodies | old)])
    # Two sources render to the same body: it is named once.
    cache.data.sources = {f"/content/en/world/{n}.md": entry(n, f"{n % 5:032x}")
                          for n in range(10)}
    cache.data.settle(("sources",))
    live = cache.data.live_bodies()
    assert sorted(live) == sorted(bodies) and len(live) == 5
    cache.update(None, tmp_path / "site", cache.output(tmp_path / "site"))
    cache.write()
    with closing(sqlite3.connect(cache.store.path)) as db:
        assert {ident for (ident,) in db.execute("SELECT id FROM bodies")} >= bodies
        assert not {ident for (ident,) in db.execute("SELECT id FROM bodies")} & old


def test_a_build_that_writes_once_keeps_no_copy_of_its_record(tmp_path):
    # Issue 19: a command-line build writes the cache once; the record it made (~527,000
    # files at 300,000 articles) is read by key afterwards, not copied to compare a
    # later write with. A later write in the same process is still right.
    from dateline.incremental.filerecord import PackedFiles, StoredFiles

    folder = tmp_path / "site"
    files = PackedFiles({f"en/world/{n}/index.html": (f"{n:032x}", f"{n + 1:032x}")
                         for n in range(50)})
    cache = BuildCache.open(tmp_path, SETTINGS)
    cache.update({"/content/en/world/1.md": entry(1)}, folder, OutputRecord("build-1", files))
    cache.write(again=False)
    assert not any(name.startswith("files:") for name in cache.data.on_disk)
    record = cache.output(folder)
    assert isinstance(record.files, StoredFiles)
    assert dict(record.files.items()) == dict(files.items())
    changed = dict(record.files.items())
    changed["en/world/7/index.html"] = ("f" * 32, "e" * 32)
    del changed["en/world/8/index.html"]
    cache.update(None, folder, OutputRecord("build-2", changed))
    cache.write()
    reopened = BuildCache.open(tmp_path, SETTINGS)
    assert dict(reopened.output(folder).files.items()) == changed
