"""The record of the files a build makes (`PackedFiles`): pairs of hex digests held as
their bytes, each file as the URL it serves (a page's own URL string), every value read
back as it was given."""

import os
import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from dateline.incremental.filerecord import PackedFiles
from dateline.urls import output_file, served_url

_hex = st.binary(min_size=16, max_size=16).map(bytes.hex)
_values = st.tuples(_hex | st.text(max_size=40), _hex | st.text(max_size=40))
_folders = st.text(min_size=1, max_size=20).filter(lambda name: not name.endswith("/"))
_files = st.one_of(_folders, _folders.map(lambda folder: f"{folder}/index.html"),
                   st.sampled_from(["index.html", "en/index.html", "en/index.htm"]))
"""Output files: names, a folder's index, the root's (never a name ending in "/")."""


@given(st.dictionaries(_files, _values, max_size=30), st.data())
def test_every_value_reads_back_as_it_was_given(files, data):
    record = PackedFiles(files)
    assert dict(record) == files and len(record) == len(files)
    assert all(file in record for file in files)
    assert dict(record.copy()) == files
    assert sorted(record.in_url_order()) == sorted(files.items())
    if files:  # given again, by name or by URL: one entry, the last value
        file = data.draw(st.sampled_from(sorted(files)))
        value = data.draw(_values)
        record.set_url(served_url(file), value)
        assert record[file] == value and len(record) == len(files)
        del record[file]
        assert file not in record and len(record) == len(files) - 1


def test_a_page_given_by_its_url_is_named_by_its_file():
    record = PackedFiles()
    fingerprint, file_digest = "ab" * 16, "cd" * 16
    for url in ("", "en/", "en/world/vote/", "en/404.html", "en/x/index.html"):
        record.set_url(url, (fingerprint, file_digest))
    assert sorted(record) == ["en/404.html", "en/index.html", "en/world/vote/index.html",
                              "en/x/index.html", "index.html"]
    assert record["en/x/index.html"] == (fingerprint, file_digest)
    assert "en/world/vote/" not in record  # (a URL, not a file)


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


def test_pages_given_by_their_urls_take_under_a_hundred_and_thirty_bytes_a_file():
    """The record holds a page by its page's own URL string and its digests in one
    array: ~100 bytes a file (a file name made for it and a bytes object, ~240: at
    60,000 articles, ~105,000 pages, 13 MiB of the build's last steps)."""
    urls = [f"en/world/{n:06d}/" for n in range(20_000)]
    made = [(os.urandom(16).hex(), os.urandom(16).hex()) for _ in urls]
    tracemalloc.start()
    try:
        record = PackedFiles()
        for url, value in zip(urls, made, strict=True):
            record.set_url(url, value)
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert size / len(urls) < 130, size / len(urls)
    assert record[output_file(urls[7])] == made[7]


def test_served_url_is_the_inverse_of_output_file():
    for file in ("index.html", "en/index.html", "en/a/index.html", "en/feed.xml",
                 "en/404.html", "media/x.jpg", "xindex.html", "en/xindex.html"):
        assert output_file(served_url(file)) == file


_page_urls = st.lists(_folders.map(lambda folder: f"{folder}/"), unique=True, max_size=20)


@given(_page_urls, st.dictionaries(st.sampled_from(["a.css", "en/feed.xml", "robots.txt"]),
                                   _values), st.data())
def test_bound_pages_read_back_beside_other_files_as_they_were_given(page_urls, others, data):
    """A build's pages given by their place in its plan (`bind_pages`, `set_page`) read
    back by name, in order and after a copy, as if they had been given by URL."""
    record = PackedFiles(others)
    record.bind_pages(tuple(page_urls))
    expected = dict(others)
    for place in data.draw(st.lists(st.sampled_from(range(len(page_urls))), max_size=30)
                           if page_urls else st.just([])):
        value = data.draw(_values)
        record.set_page(place, value)
        expected[output_file(page_urls[place])] = value
    assert dict(record) == expected and len(record) == len(expected)
    assert dict(record.copy()) == expected
    assert list(record.in_url_order()) == sorted(
        expected.items(), key=lambda item: served_url(item[0]))
    assert all(file in record for file in expected)
    assert record.missing([*expected, "gone.html", "en/gone/index.html"]) == sorted(
        ["gone.html", "en/gone/index.html"])
    if expected:
        file = data.draw(st.sampled_from(sorted(expected)))
        del record[file]
        assert file not in record and len(record) == len(expected) - 1


def test_bound_pages_take_under_forty_bytes_a_page_and_no_object_each():
    """At 60,000 articles (~100,000 pages), a dict entry and an int a page were ~8 MiB
    of the coordinator through the end of the build, and the ints, made as pages came
    back from rendering, held arenas of what rendering dropped (issue 19)."""
    urls = tuple(f"en/world/{n:06d}/" for n in range(20_000))
    made = [(os.urandom(16).hex(), os.urandom(16).hex()) for _ in urls]
    tracemalloc.start()
    try:
        record = PackedFiles()
        record.bind_pages(urls)
        for place in reversed(range(len(urls))):  # (in any order: as rendering gives them)
            record.set_page(place, made[place])
        size = tracemalloc.get_traced_memory()[0]
        blocks = sum(stat.count for stat in tracemalloc.take_snapshot().statistics("filename"))
    finally:
        tracemalloc.stop()
    assert size / len(urls) < 40, size / len(urls)
    assert blocks < 100, blocks
    assert len(record) == len(urls) and record[output_file(urls[7])] == made[7]
