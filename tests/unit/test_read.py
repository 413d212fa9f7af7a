"""read.py: files into documents (front matter with lines, body), or a located problem."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.errors import Problems
from dateline.read import find_sources, read_document, sources_among


def read(tmp_path, data: str | bytes, name: str = "content/en/world/vote.md"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    problems = Problems()
    doc = read_document(path, tmp_path / "content", tmp_path, problems)
    return doc, [str(p) for p in problems.errors]


GOOD = """\
---
title: "Vote count disputed"
date: 2025-03-01T10:00:00+01:00
tags: [elections, protests]
image:
  src: vote.jpg
  alt: "A queue of voters"
---

The first paragraph.
"""


def test_front_matter_and_body_are_split(tmp_path):
    doc, errors = read(tmp_path, GOOD)
    assert errors == []
    assert doc.meta["title"] == "Vote count disputed"
    assert doc.meta["tags"] == ["elections", "protests"]
    assert doc.body == "\nThe first paragraph.\n"
    assert doc.body_line == 9
    assert doc.parts == ("en", "world", "vote.md")
    assert doc.ref == "content/en/world/vote.md"


def test_every_key_knows_its_line_including_nested_ones(tmp_path):
    doc, _ = read(tmp_path, GOOD)
    assert doc.key_lines == {"title": 2, "date": 3, "tags": 4, "image": 5, "image.src": 6,
                             "image.alt": 7}
    assert str(doc.at("image.src")) == "content/en/world/vote.md:6"
    assert str(doc.at("missing")) == "content/en/world/vote.md:1"


def test_dates_are_left_as_text_for_assemble_to_parse(tmp_path):
    doc, _ = read(tmp_path, GOOD)
    assert doc.meta["date"] == "2025-03-01T10:00:00+01:00"


def test_utf8_bom_and_crlf_read_like_plain_utf8(tmp_path):
    plain, _ = read(tmp_path, GOOD, "content/en/world/a.md")
    windows, errors = read(tmp_path, b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode(),
                           "content/en/world/b.md")
    assert errors == []
    assert windows.meta == plain.meta
    assert windows.body == plain.body
    assert (windows.body_line, windows.key_lines) == (plain.body_line, plain.key_lines)


def test_invalid_yaml_reports_the_line_in_the_markdown_file(tmp_path):
    doc, errors = read(tmp_path, "---\ntitle: Ok\ndate: 2025-03-01\nsummary: a: b\n---\nBody\n")
    assert doc is None
    assert len(errors) == 1
    assert errors[0].startswith("content/en/world/vote.md:4: front matter is not valid YAML")
    assert "quotes" in errors[0]


def test_a_key_given_twice_is_reported_at_its_second_line(tmp_path):
    # YAML itself would keep the last value: a pasted second date would go unnoticed.
    doc, errors = read(tmp_path, "---\ntitle: One\ndate: 2025-03-01\nsummary: x\n"
                                 "date: 2031-01-01\nimage:\n  src: a.jpg\n  src: b.jpg\n---\n")
    assert doc is None
    assert errors == [
        "content/en/world/vote.md:5: front matter: 'date' is given twice (lines 3 and 5); "
        "keep one of them",
        "content/en/world/vote.md:8: front matter: 'image.src' is given twice (lines 7 and "
        "8); keep one of them",
    ]


def test_a_merge_key_is_not_a_repeated_key(tmp_path):
    doc, errors = read(tmp_path, "---\nbase: &b {alt: x}\nimage:\n  <<: *b\n  src: a.jpg\n"
                                 "title: T\ndate: 2025-03-01\n---\n")
    assert errors == []
    assert doc.meta["image"] == {"alt": "x", "src": "a.jpg"}


def test_unclosed_quote_reports_a_line_inside_the_front_matter(tmp_path):
    _, errors = read(tmp_path, '---\ntitle: "Ok\ndate: 2025-03-01\n---\nBody\n')
    assert [e.split(":")[1] for e in errors] == ["3"]


def test_missing_front_matter_is_reported_at_line_1(tmp_path):
    doc, errors = read(tmp_path, "title: x\n\nBody\n")
    assert doc is None
    assert errors[0].startswith("content/en/world/vote.md:1: no front matter")


def test_empty_file_has_no_front_matter(tmp_path):
    _, errors = read(tmp_path, "")
    assert errors[0].startswith("content/en/world/vote.md:1: no front matter")


def test_unclosed_front_matter_says_to_add_the_closing_line(tmp_path):
    doc, errors = read(tmp_path, "---\ntitle: x\ndate: 2025-03-01\n\nBody\n")
    assert doc is None
    assert errors[0].startswith("content/en/world/vote.md:1: front matter is not closed")
    assert "'---'" in errors[0]


def test_invalid_utf8_reports_the_line_of_the_bad_byte(tmp_path):
    doc, errors = read(tmp_path, b"---\ntitle: x\ndate: 2025-03-01\n---\n\ncaf\xe9 au lait\n")
    assert doc is None
    assert errors == ["content/en/world/vote.md:6: not valid UTF-8 (byte 0xe9); save the "
                      "file with UTF-8 encoding"]


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/object/apply:os.system",
                                 "!!python/name:os.system"])
def test_python_yaml_tags_are_refused_at_their_line(tmp_path, tag):
    doc, errors = read(tmp_path, f'---\ntitle: x\ndate: 2025-03-01\nsummary: {tag} ["id"]\n'
                                 "---\nBody\n")
    assert doc is None
    assert errors[0].startswith("content/en/world/vote.md:4: front matter is not valid YAML")
    assert "!!python/object are not allowed" in errors[0]


def test_front_matter_that_is_not_a_mapping_is_refused(tmp_path):
    _, errors = read(tmp_path, "---\n- a\n- b\n---\nBody\n")
    assert errors == ["content/en/world/vote.md:2: front matter must be a set of 'key: value' "
                      "lines"]


def test_empty_front_matter_asks_for_title_and_date(tmp_path):
    _, errors = read(tmp_path, "---\n---\nBody\n")
    assert errors[0].startswith("content/en/world/vote.md:1: front matter is empty")


def test_documents_of_identical_bytes_share_a_digest(tmp_path):
    a, _ = read(tmp_path, GOOD, "content/en/world/a.md")
    b, _ = read(tmp_path, GOOD, "content/ru/world/a.md")
    c, _ = read(tmp_path, GOOD + "More.\n", "content/fa/world/a.md")
    assert a.digest == b.digest != c.digest


def test_sources_are_markdown_files_in_a_stable_order_without_hidden_ones(tmp_path):
    content = tmp_path / "content"
    for name in ["ru/world/b.md", "en/world/b.md", "en/world/a.md", "en/economy/z.md",
                 "en/world/.draft.md", "en/.git/x.md", "en/world/notes.txt"]:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    found = [p.relative_to(content).as_posix() for p in find_sources(content)]
    assert found == ["en/economy/z.md", "en/world/a.md", "en/world/b.md", "ru/world/b.md"]


def test_walked_stats_give_the_same_sources_and_misnamed_files_are_named(tmp_path):
    from dateline.incremental.state import inputs_key

    content = tmp_path / "content"
    for name in ["ru/world/b.md", "en/world/B.MD", "en/world/a.md", "en/economy/z.Md",
                 "en/world/.draft.md", "en/.git/x.md", "en/world/notes.txt", "en/top.md"]:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    misnamed: list[Path] = []
    found = find_sources(content, misnamed)
    assert [p.relative_to(content).as_posix() for p in misnamed] == [
        "en/economy/z.Md", "en/world/B.MD"]
    # The no-change check walks the files in the same order (without hidden folders
    # and editors' noise, which are no sources either).
    walked = inputs_key([content], [], "")[2]
    again: list[Path] = []
    assert sources_among(walked, content, again) == found
    assert again == misnamed


@pytest.mark.parametrize(("value", "line"), [("!!int abc", 4), ("!!float ten", 4),
                                             ("!!timestamp 2026-02-30", 4),
                                             ("!!timestamp 2025-02-30\n  y", 4)])
def test_explicit_tag_with_a_bad_value_is_a_located_problem(tmp_path, value, line):
    doc, errors = read(tmp_path, f"---\ntitle: x\ndate: 2025-03-01\nsummary: {value}\n---\n")
    assert doc is None
    assert len(errors) == 1
    assert errors[0].startswith(f"content/en/world/vote.md:{line}: front matter is not valid "
                                "YAML: cannot read this value")
    assert "put quotes" not in errors[0]


def test_mapping_that_contains_itself_is_read_without_looping(tmp_path):
    doc, errors = read(tmp_path, "---\ntitle: x\nnote: &n\n  again: *n\n---\n")
    assert errors == []
    assert doc.key_lines == {"title": 2, "note": 3, "note.again": 4}


def test_nested_aliases_do_not_multiply_key_lines(tmp_path):
    levels = ["l0: &l0 {a: 1, b: 2}"] + [
        f"l{i}: &l{i} {{" + ", ".join(f"k{j}: *l{i - 1}" for j in range(9)) + "}"
        for i in range(1, 5)]
    doc, errors = read(tmp_path, "---\ntitle: x\n" + "\n".join(levels) + "\n---\n")
    assert errors == []
    # Each mapping is listed once (9**4 paths lead to l0 through the aliases).
    assert len(doc.key_lines) == 1 + 5 + 2 + 4 * 9


front_matter_lines = st.lists(st.sampled_from([
    "title: x", "date: 2025-01-01", "a: b: c", "- x", "  y", "[", "{", "&a", "*a", "<<: *a",
    "!!python/object:os.system", "x: !!int abc", "x: !!timestamp 2025-02-30", "'", '"',
    "? k", "%YAML 1.1", "\t", "...", "x: &r\n  y: *r", "é: ü", "\r"]), max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=80),
                 front_matter_lines.map(lambda lines: ("---\n" + "\n".join(lines)
                                                       + "\n---\nBody\n").encode())))
def test_any_file_is_read_or_reported_with_a_line_never_crashes(data):
    with tempfile.TemporaryDirectory() as folder:
        doc, errors = read(Path(folder), data)
    if doc is None:
        assert errors
        last_line = data.count(b"\n") + 1
        for error in errors:
            line = int(error.split(":")[1])
            assert 1 <= line <= last_line, error
