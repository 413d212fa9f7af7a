"""The planned pages' fingerprints packed 16 bytes each (issue 19): a list in all but
memory."""

import pickle
import sys

from hypothesis import given
from hypothesis import strategies as st

from dateline.digests import digest
from dateline.incremental.packeddigests import PackedDigests

HEX = st.binary(min_size=16, max_size=16).map(bytes.hex)
ANY = st.one_of(HEX, HEX.map(str.upper), st.text(max_size=40))


@given(st.lists(ANY, max_size=60), st.data())
def test_packed_fingerprints_read_back_as_the_list_they_were(values, data):
    packed = PackedDigests(values)
    assert list(packed) == values and len(packed) == len(values)
    assert packed == values and packed == PackedDigests(values)
    assert pickle.loads(pickle.dumps(packed)) == values
    if values:
        start = data.draw(st.integers(-len(values), len(values)))
        stop = data.draw(st.integers(-len(values), len(values)))
        assert packed[start:stop] == values[start:stop]
        index = data.draw(st.integers(-len(values), len(values) - 1))
        new = data.draw(ANY)
        packed[index] = new
        values[index] = new
        assert list(packed) == values


def test_a_planned_sites_fingerprints_take_a_fifth_of_a_lists_memory():
    values = [digest(str(n)) for n in range(10_000)]
    as_list = sys.getsizeof(values) + sum(map(sys.getsizeof, values))
    packed = PackedDigests(values)
    held = sys.getsizeof(packed._packed) + sys.getsizeof(packed._odd)
    assert held < as_list / 5, (held, as_list)
    assert packed[1234] == values[1234] and packed[-1] == values[-1]
