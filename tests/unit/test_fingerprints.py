"""DigestMemo: fingerprints looked up by the values they are made from, between the
builds of one long-running process."""

import datetime as dt
import sys
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.digests import digest
from dateline.incremental import fingerprints
from dateline.incremental.fingerprints import DigestMemo, value_digest


def test_a_memo_gives_the_digest_of_the_value():
    memo = DigestMemo()
    value = ("chrome", "en/world/vote/", (("en", "en/world/vote/"),), None, ())
    assert memo.of(value) == value_digest(value)


def test_the_next_build_finds_what_this_one_used_and_nothing_older():
    first = DigestMemo()
    kept, dropped = ("kept", 1), ("dropped", 2)
    first.of(kept)
    first.of(dropped)
    second = first.next()
    assert second.known == {kept: value_digest(kept), dropped: value_digest(dropped)}
    second.of(kept)
    third = second.next()
    assert third.known == {kept: value_digest(kept)}  # 'dropped' was not used by build 2


def test_a_remembered_digest_is_returned_as_it_was_remembered():
    # The memo trusts what it was given: equal values must never need another digest.
    memo = DigestMemo({("a",): "remembered"})
    assert memo.of(("a",)) == "remembered"
    assert memo.of(("b",)) == value_digest(("b",))


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.datetimes(timezones=st.just(dt.UTC)),
    lambda inner: st.lists(inner, max_size=9).map(tuple), max_leaves=60)


@given(_values)
def test_a_long_tuple_hashed_piece_by_piece_fingerprints_as_its_repr(value):
    """The sitemaps' fingerprint (every page's URL, alternates and date) is hashed as it
    is printed, a batch at a time, never as one string; the fingerprint is the same as
    the whole repr's, so no build after the change makes the sitemaps again."""
    whole = digest(repr(value).encode())
    original = fingerprints.LONG_TUPLE
    fingerprints.LONG_TUPLE = 2  # every tuple of three items or more is "long"
    try:
        assert fingerprints.value_digest(value) == whole
    finally:
        fingerprints.LONG_TUPLE = original


def test_the_sitemaps_value_at_its_real_size_fingerprints_as_its_repr():
    entries = tuple((f"/en/{n}/", (("en", f"/en/{n}/"), ("fa", f"/fa/{n}/")), None,
                     dt.datetime(2026, 1, 1, n % 24, tzinfo=dt.UTC))
                    for n in range(3 * fingerprints.LONG_TUPLE + 5))
    value = ("site", entries, (("/en/1/", "title", None),), None)
    assert fingerprints.value_digest(value) == digest(repr(value).encode())


def test_a_long_tuple_is_never_printed_whole():
    entries = tuple((f"/en/world/{n}/", (("en", f"/en/world/{n}/"), ("fa", f"/fa/world/{n}/")))
                    for n in range(100_000))
    printed = len(repr(entries))
    tracemalloc.start()
    try:
        fingerprints.value_digest(("site", entries))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert printed > 7_000_000 and peak < printed / 4  # printed whole: twice `printed`


@settings(max_examples=60)
@given(st.lists(_values, max_size=12), st.integers(1, 4))
def test_streamed_items_fingerprint_as_the_tuple_of_them(items, batch):
    """The sitemaps' entries are printed as they are made (`Streamed`): the digest is
    the one of the value holding their tuple (the preview server's memo keeps that)."""
    original = fingerprints.LONG_TUPLE
    fingerprints.LONG_TUPLE = batch
    try:
        streamed = ("site", fingerprints.Streamed(lambda: iter(items)), None)
        assert fingerprints.value_digest(streamed) == digest(
            repr(("site", tuple(items), None)).encode())
        assert fingerprints.DigestMemo(remember=False).of(streamed) == value_digest(
            ("site", tuple(items), None))
    finally:
        fingerprints.LONG_TUPLE = original


def test_streamed_items_are_never_held_all_at_once(monkeypatch):
    monkeypatch.setattr(fingerprints, "LONG_TUPLE", 512)

    def hashed(count: int) -> tuple[int, int]:
        def entries():
            return ((f"/en/world/{n}/", (("en", f"/en/world/{n}/"), ("fa", f"/fa/world/{n}/")))
                    for n in range(count))

        held = sum(sys.getsizeof(entry) + sys.getsizeof(entry[0]) for entry in entries())
        tracemalloc.start()
        try:
            fingerprints.value_digest(("site", fingerprints.Streamed(entries)))
            return tracemalloc.get_traced_memory()[1], held
        finally:
            tracemalloc.stop()

    (few, _), (many, held) = hashed(10_000), hashed(80_000)
    # A batch at a time: eight times the entries, the same peak, far under their tuple's.
    assert many < 1.3 * few and many < held / 10, (few, many, held)
