"""The body store: bodies by the hash of their HTML, in the build store's `bodies` table."""

import multiprocessing
import sqlite3
from contextlib import closing

import pytest

from dateline.bodies import BodyMissing, BodyStore, body_id
from dateline.buildstore import FILE, open_store


def bodies_in(folder, key: str) -> tuple[BodyStore, bool]:
    store, loaded = open_store(folder, key)
    return BodyStore(store), loaded


def test_bodies_are_kept_for_the_same_key_only(tmp_path):
    store, loaded = bodies_in(tmp_path, "key-1")
    assert not loaded
    ident = store.put("<p>Polls open</p>")
    assert ident == body_id("<p>Polls open</p>")
    assert store.get(ident) == "<p>Polls open</p>"  # before it is written, too
    store.flush()

    again, loaded = bodies_in(tmp_path, "key-1")
    assert loaded
    assert again.get(ident) == "<p>Polls open</p>"

    other, loaded = bodies_in(tmp_path, "key-2")  # other settings or version: start empty
    assert not loaded
    with pytest.raises(BodyMissing):
        other.get(ident)


def _read_in_child(store: BodyStore, ident: str, results) -> None:
    results.put(store.get(ident))


def test_forked_workers_read_what_the_parent_flushed(tmp_path):
    store, _ = bodies_in(tmp_path, "key")
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
    store, _ = bodies_in(tmp_path, "key")
    ident = store.put("<p>True</p>")
    store.flush()
    with closing(sqlite3.connect(tmp_path / FILE)) as db, db:
        db.execute("UPDATE bodies SET html = '<p>False</p>'")
    with pytest.raises(BodyMissing):
        bodies_in(tmp_path, "key")[0].get(ident)


def test_a_file_that_is_not_a_database_is_refused_and_removed(tmp_path):
    (tmp_path / FILE).write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        open_store(tmp_path, "key")
    assert not (tmp_path / FILE).exists()
    store, loaded = bodies_in(tmp_path, "key")
    assert not loaded
    ident = store.put("<p>Fresh</p>")
    store.flush()
    assert bodies_in(tmp_path, "key")[0].get(ident) == "<p>Fresh</p>"


def test_old_versions_are_pruned_once_they_outnumber_the_live_ones(tmp_path):
    store, _ = bodies_in(tmp_path, "key")
    idents = [store.put(f"<p>Version {n}</p>") for n in range(200)]
    store.flush()
    with store.store.transaction() as db:
        store.keep_only({idents[-1]}, db)
    assert store.get(idents[-1]) == "<p>Version 199</p>"
    with pytest.raises(BodyMissing):
        store.get(idents[0])


def test_a_thread_holding_a_tasks_bodies_reads_those_only():
    """On a cluster's worker, each thread renders with the bodies its own task carried:
    another's is missing there (the page goes back to the build), never borrowed."""
    import threading

    from dateline import bodies

    texts = {name: f"<p>{name}</p>" for name in ("first", "second")}
    ids = {name: body_id(html) for name, html in texts.items()}
    seen: dict[str, tuple[str, bool]] = {}
    both_holding = threading.Barrier(2)

    def render(name: str, other: str) -> None:
        with bodies.holding({ids[name]: texts[name]}):
            both_holding.wait()
            try:
                bodies.text(ids[other])
                missed = False
            except BodyMissing:
                missed = True
            seen[name] = (bodies.text(ids[name]), missed)

    threads = [threading.Thread(target=render, args=pair)
               for pair in (("first", "second"), ("second", "first"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"first": ("<p>first</p>", True), "second": ("<p>second</p>", True)}
    with pytest.raises(BodyMissing):  # held no longer: the build's own store again
        bodies.text(ids["first"])
