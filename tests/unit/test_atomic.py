"""atomic.py: a file is replaced whole or left as it was, with no temporary file left."""

import pytest

from dateline.atomic import replacing


def test_a_finished_write_replaces_the_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(b"old")
    with replacing(path) as handle:
        handle.write(b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(b"old")
    with pytest.raises(OSError), replacing(path) as handle:
        handle.write(b"half")
        raise OSError(28, "No space left on device")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
