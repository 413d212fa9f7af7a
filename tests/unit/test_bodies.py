"""The body store: bodies by the hash of their HTML, in a SQLite file of the build cache."""

import multiprocessing
import sqlite3

import pytest

from dateline.bodies import FILE, BodyMissing, BodyStore, body_id


def test_bodies_are_kept_for_the_same_key_only(tmp_path):
    store = BodyStore.open(tmp_path, "key-1")
    assert store.fresh
    ident = store.put("<p>Polls open</p>")
    assert ident == body_id("<p>Polls open</p>")
    assert store.get(ident) == "<p>Polls open</p>"  # before it is written, too
    store.flush()

    again = BodyStore.open(tmp_path, "key-1")
    assert not again.fresh
    assert again.get(ident) == "<p>Polls open</p>"

    other = BodyStore.open(tmp_path, "key-2")  # other settings or version: start empty
    assert other.fresh
    with pytest.raises(BodyMissing):
        other.get(ident)


def _read_in_child(store: BodyStore, ident: str, results) -> None:
    results.put(store.get(ident))


def test_forked_workers_read_what_the_parent_flushed(tmp_path):
    store = BodyStore.open(tmp_path, "key")
    ident = store.put("<p>Read in a worker</p>")
    store.flush()
    store.get(ident)  # the parent's connection exists before the fork
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_read_in_child, args=(store, ident, results))
    child.start()
    child.join(10)
    assert results.get(timeout=5) == "<p>Read in a worker</p>"


def test_an_altered_body_is_refused(tmp_path):
    store = BodyStore.open(tmp_path, "key")
    ident = store.put("<p>True</p>")
    store.flush()
    with sqlite3.connect(tmp_path / FILE) as db:
        db.execute("UPDATE bodies SET html = '<p>False</p>'")
    db.close()
    with pytest.raises(BodyMissing):
        BodyStore.open(tmp_path, "key").get(ident)


def test_a_file_that_is_not_a_database_means_an_empty_store(tmp_path):
    (tmp_path / FILE).write_bytes(b"not a database at all" * 100)
    store = BodyStore.open(tmp_path, "key")
    assert store.fresh
    ident = store.put("<p>Fresh</p>")
    store.flush()
    assert BodyStore.open(tmp_path, "key").get(ident) == "<p>Fresh</p>"


def test_old_versions_are_pruned_once_they_outnumber_the_live_ones(tmp_path):
    store = BodyStore.open(tmp_path, "key")
    idents = [store.put(f"<p>Version {n}</p>") for n in range(200)]
    store.keep_only({idents[-1]})
    assert store.get(idents[-1]) == "<p>Version 199</p>"
    with pytest.raises(BodyMissing):
        store.get(idents[0])
