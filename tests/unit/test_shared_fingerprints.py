"""The article and card fingerprints the languages' pages share (`sharedprints`): read
back as they were given, each kind on its own, in less memory than two dicts of them."""

import os
import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from dateline.incremental.sharedprints import KINDS, shared_fingerprints

_hex = st.binary(min_size=16, max_size=16).map(bytes.hex)
_fingerprints = _hex | st.text(max_size=40)
_urls = st.sampled_from([f"en/world/{n}/" for n in range(6)])
_steps = st.lists(st.tuples(st.sampled_from(KINDS), _urls, st.none() | _fingerprints),
                  max_size=40)
"""Given (a fingerprint) or taken away (None), in any order."""


@given(_steps)
def test_each_kind_reads_back_as_a_dict_of_it_would(steps):
    shared = shared_fingerprints()
    expected: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    for kind, url, fingerprint in steps:
        if fingerprint is None:
            assert shared[kind].pop(url, None) == expected[kind].pop(url, None)
        else:
            shared[kind][url] = expected[kind][url] = fingerprint
    for kind in KINDS:
        assert dict(shared[kind]) == expected[kind]
        assert len(shared[kind]) == len(expected[kind])
        assert all((url in shared[kind]) == (url in expected[kind])
                   for url in [f"en/world/{n}/" for n in range(6)])


def test_both_kinds_take_under_half_the_memory_of_two_dicts_of_strings():
    """300,000 articles: ~70 MiB as two dicts of hex strings, held to the end of the
    build (issue 19)."""
    urls = [f"en/world/story-{n:06d}/" for n in range(20_000)]
    made = [(os.urandom(16).hex(), os.urandom(16).hex()) for _ in urls]
    tracemalloc.start()
    try:
        as_dicts: dict[str, dict[str, str]] = {"articles": {}, "cards": {}}
        for url, (own, card) in zip(urls, made, strict=True):
            as_dicts["articles"][url] = bytes.fromhex(own).hex()  # (fresh, as made)
            as_dicts["cards"][url] = bytes.fromhex(card).hex()
        dicts_size = tracemalloc.get_traced_memory()[0]
        del as_dicts
        start = tracemalloc.get_traced_memory()[0]
        shared = shared_fingerprints()
        for url, (own, card) in zip(urls, made, strict=True):
            shared["articles"][url], shared["cards"][url] = own, card
        packed_size = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert packed_size < dicts_size / 2, (packed_size, dicts_size)
    assert shared["cards"][urls[7]] == made[7][1] and len(shared["articles"]) == len(urls)
