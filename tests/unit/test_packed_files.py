"""The record of the files a build makes (`PackedFiles`): pairs of hex digests held as
their bytes, every value read back as it was given."""

import os
import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from dateline.incremental.filerecord import PackedFiles

_hex = st.binary(min_size=16, max_size=16).map(bytes.hex)
_values = st.tuples(_hex | st.text(max_size=40), _hex | st.text(max_size=40))


@given(st.dictionaries(st.text(min_size=1, max_size=30), _values, max_size=30))
def test_every_value_reads_back_as_it_was_given(files):
    record = PackedFiles(files)
    assert dict(record) == files and len(record) == len(files)
    assert all(file in record for file in files)
    assert dict(record.copy()) == files


def test_a_copied_files_stat_key_and_upper_case_hex_are_kept_as_they_are():
    upper = ("AB" * 16, "cd" * 16)
    stat = ("1733300000000000000:5120:99", "ef" * 16)
    record = PackedFiles({"a.css": stat, "b.html": upper})
    assert record["a.css"] == stat and record["b.html"] == upper


def test_a_record_of_digests_takes_less_than_two_thirds_of_the_memory_of_tuples():
    """A rendered page's fingerprint and digest come back from a helper as two new
    strings; the record keeps their bytes."""
    made = [(f"en/world/{n:06d}/index.html", os.urandom(16), os.urandom(16))
            for n in range(20_000)]
    tracemalloc.start()
    try:
        as_tuples = {file: (fp.hex(), dg.hex()) for file, fp, dg in made}
        tuples_size = tracemalloc.get_traced_memory()[0]
        del as_tuples
        start = tracemalloc.get_traced_memory()[0]
        packed = PackedFiles((file, (fp.hex(), dg.hex())) for file, fp, dg in made)
        packed_size = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert len(packed) == 20_000
    assert packed_size < tuples_size * 2 / 3
