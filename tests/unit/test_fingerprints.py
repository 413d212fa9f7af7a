"""DigestMemo: fingerprints looked up by the values they are made from, between the
builds of one long-running process."""

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
