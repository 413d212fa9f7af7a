"""Issue 19: a fresh clone's build (every input with a new stat, CI restoring site/ and
.dateline-cache/) with one article edited compares every source's bytes with the digest
the saved head keeps, all at once: it neither looks up nor rewrites the cache's row of a
source whose bytes did not change, and the next build trusts the new stats."""

import os
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from dateline import buildstore, digests
from dateline.build import savedstore
from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.incremental.tables import Tables
from tests.test_bounded_edit import NOW, generated

OPENED: list[str] = []
_COUNTING = [False]


def _audit(event: str, args: tuple) -> None:
    if _COUNTING[0] and event == "open" and isinstance(args[0], str | Path):
        OPENED.append(str(args[0]))


sys.addaudithook(_audit)


def _build(root: Path, out: Path | None = None, **options):
    return build(load_config(root / "dateline.toml"),
                 BuildOptions(output=out or root / "site", now=NOW, jobs=1, **options))


def _source_rows(root: Path) -> dict[str, bytes]:
    with sqlite3.connect(root / ".dateline-cache" / buildstore.FILE) as db:
        return dict(db.execute("SELECT key, value FROM entries WHERE tbl = 'sources'"))


def _age(root: Path, seconds: int) -> None:
    """Every input (not site/ nor the cache) modified `seconds` ago: older than the
    racy-stat margin of the next build's head."""
    moment = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).parts[0] not in (
                "site", ".dateline-cache", "clean"):
            os.utime(path, (moment, moment))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".dateline-output"}


@pytest.mark.parametrize("threaded", [False, True], ids=["one by one", "on two threads"])
def test_a_fresh_clone_compares_bytes_without_the_cache_rows(tmp_path, monkeypatch, threaded):
    if threaded:  # as for an archive's thousands of sources
        monkeypatch.setattr(digests, "THREADED_FROM", 2)
        monkeypatch.setattr(savedstore, "THREADED_FROM", 2)
    root = tmp_path / "site"
    story = generated(root, 40)
    _age(root, 120)
    _build(root)
    _age(root, 60)  # the clone: every input a new stat
    _append(story, "\nA new sentence.\n")
    os.utime(story, (time.time() - 30,) * 2)
    rows = _source_rows(root)
    looked_up: Counter = Counter()
    get = Tables.get

    def counted(self, name, key, kind):
        looked_up[name] += 1
        return get(self, name, key, kind)

    monkeypatch.setattr(Tables, "get", counted)
    result = _build(root)
    monkeypatch.setattr(Tables, "get", get)
    assert result.incremental and not result.replanned
    assert "en/world/story-4/index.html" in result.changed_files
    assert len(rows) == 60
    # The edited source's row alone is read and written again.
    assert looked_up["sources"] == 1, looked_up
    after = _source_rows(root)
    assert {key for key in rows if after[key] != rows[key]} == {str(story)}
    # The head keeps the new stats: another body edit reads its one source.
    other = root / "content/en/economy/story-5.md"
    _append(other, "\nAnother sentence.\n")
    os.utime(other, (time.time() - 30,) * 2)
    OPENED.clear()
    _COUNTING[0] = True
    try:
        result = _build(root)
    finally:
        _COUNTING[0] = False
    assert result.incremental and not result.replanned
    assert [p for p in OPENED if p.endswith(".md")] == [str(other)]
    # A template edit renders by chunks from the saved rows, the head's edits swapped in:
    # the site a clean build makes.
    _append(root / "themes/default/templates/partials/card.html", "<!-- edited -->\n")
    result = _build(root)
    assert result.incremental and not result.replanned
    _build(root, tmp_path / "clean", clean=True)
    assert _tree(root / "site") == _tree(tmp_path / "clean")
    # A build that plans afresh (a story added) matches the stale rows by their bytes,
    # records the new stats, and makes the site a clean build makes.
    added = root / "content/en/world/story-added.md"
    added.write_text(story.read_text(encoding="utf-8").replace('"Story 4 en"', '"Added"'),
                     encoding="utf-8")
    result = _build(root)
    assert result.incremental and result.replanned
    rows = _source_rows(root)
    assert {key for key in after if rows[key] != after[key]} >= set(after) - {str(story)}
    _build(root, tmp_path / "clean2", clean=True)
    assert _tree(root / "site") == _tree(tmp_path / "clean2")


@pytest.mark.parametrize("threshold", [1000, 1], ids=["one by one", "on two threads"])
def test_file_digests_are_the_digests_of_the_bytes(tmp_path, monkeypatch, threshold):
    monkeypatch.setattr(digests, "THREADED_FROM", threshold)
    contents = [b"", b"x", os.urandom(3000), os.urandom(70_000), os.urandom(3 << 20)]
    paths = []
    for i, data in enumerate(contents):
        paths.append(str(tmp_path / f"f{i}"))
        Path(paths[-1]).write_bytes(data)
    # Sizes as stats said before the files grew or shrank: read to the end all the same.
    sizes = [0, 0, 10, 70_000, 5]
    found = digests.file_digests([*paths, str(tmp_path / "gone")], [*sizes, 3])
    assert found == [*(digests.digest(data) for data in contents), None]


def _key(folder: Path) -> str:
    from dateline.incremental.state import inputs_key

    return inputs_key([folder], [], "settings")[0]


@pytest.mark.parametrize("change", ["mtime", "size", "inode", "mode", "name", "added"])
def test_the_no_change_key_sees_every_field_of_every_stat(tmp_path, change):
    """The no-change shortcut's key (`state.inputs_key`, its stats hashed as arrays of
    integers): any stat field or name that changes changes it."""
    folder = tmp_path / "content"
    folder.mkdir()
    for name in ("a.md", "b.md"):
        (folder / name).write_text("text\n", encoding="utf-8")
    os.utime(folder / "b.md", ns=(10**18, 10**18))
    before = _key(folder)
    assert _key(folder) == before
    target = folder / "b.md"
    if change == "mtime":
        os.utime(target, ns=(10**18 + 1, 10**18 + 1))
    elif change == "size":
        target.write_text("text!\n", encoding="utf-8")
        os.utime(target, ns=(10**18, 10**18))
    elif change == "inode":
        (folder / "c.md").write_text("text\n", encoding="utf-8")
        os.utime(folder / "c.md", ns=(10**18, 10**18))
        os.replace(folder / "c.md", target)
    elif change == "mode":
        target.chmod(0o600)
    elif change == "name":
        target.rename(folder / "c.md")
    else:
        (folder / "d.md").write_text("", encoding="utf-8")
    assert _key(folder) != before
