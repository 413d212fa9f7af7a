"""The build cache on disk: a snapshot and a journal of later changes, read back exactly
as written; any damage means starting afresh."""

from dataclasses import replace

from dateline.incremental.cache import JOURNAL, SNAPSHOT, BuildCache, OutputRecord, SourceEntry

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


def test_a_small_change_is_appended_to_the_journal_and_read_back(tmp_path):
    first_build(tmp_path)
    snapshot = (tmp_path / SNAPSHOT).stat()
    written = an_edit(tmp_path)
    after = (tmp_path / SNAPSHOT).stat()
    assert (after.st_ino, after.st_mtime_ns) == (snapshot.st_ino, snapshot.st_mtime_ns)
    assert 0 < (tmp_path / JOURNAL).stat().st_size < snapshot.st_size // 4

    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert loaded.loaded
    assert loaded.data.sources == written.data.sources
    assert loaded.data.sources["/content/en/world/7.md"].body_id == "edited"
    assert "/content/en/world/8.md" not in loaded.data.sources
    record = loaded.output(tmp_path / "site")
    assert record.build_id == "build-2"
    assert record.files == written.output(tmp_path / "site").files
    assert loaded.data.written_ns == written.data.written_ns


def test_a_damaged_journal_means_an_empty_cache(tmp_path):
    first_build(tmp_path)
    an_edit(tmp_path)
    journal = tmp_path / JOURNAL
    data = bytearray(journal.read_bytes())
    data[-5] ^= 0xFF
    journal.write_bytes(bytes(data))
    assert not BuildCache.open(tmp_path, SETTINGS).loaded
    journal.write_bytes(bytes(data[:-10]))  # cut off mid-record
    assert not BuildCache.open(tmp_path, SETTINGS).loaded


def test_journal_records_of_an_older_snapshot_are_ignored(tmp_path):
    first_build(tmp_path)
    an_edit(tmp_path)
    stale = (tmp_path / JOURNAL).read_bytes()
    BuildCache.discard(tmp_path)
    first_build(tmp_path)  # a new snapshot, without the edit
    (tmp_path / JOURNAL).write_bytes(stale)
    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert loaded.loaded
    assert loaded.data.sources["/content/en/world/7.md"].body_id == "body-7"
    assert loaded.output(tmp_path / "site").build_id == "build-1"


def test_a_large_change_folds_the_journal_into_a_new_snapshot(tmp_path):
    first_build(tmp_path)
    an_edit(tmp_path)
    assert (tmp_path / JOURNAL).exists()
    cache = BuildCache.open(tmp_path, SETTINGS)
    everything = {path: replace(e, body_id=f"rewritten-{path}")
                  for path, e in cache.data.sources.items()}
    cache.update(everything, tmp_path / "site", cache.output(tmp_path / "site"))
    cache.write()
    assert not (tmp_path / JOURNAL).exists()
    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert loaded.data.sources == everything


def test_repeated_small_changes_end_in_a_new_snapshot(tmp_path):
    first_build(tmp_path, sources=40)
    generations = set()
    for n in range(40):
        cache = BuildCache.open(tmp_path, SETTINGS)
        sources = dict(cache.data.sources)
        sources[f"/content/en/world/{n}.md"] = entry(n, body=f"edit {n}")
        cache.update(sources, tmp_path / "site", cache.output(tmp_path / "site"))
        cache.write()
        generations.add(cache.data.generation)
        journal = tmp_path / JOURNAL
        assert not journal.exists() or \
            journal.stat().st_size <= (tmp_path / SNAPSHOT).stat().st_size // 4
    assert len(generations) > 1  # the journal was folded in at least once
    loaded = BuildCache.open(tmp_path, SETTINGS)
    assert all(loaded.data.sources[f"/content/en/world/{n}.md"].body_id == f"edit {n}"
               for n in range(40))


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
