"""The walk before every command-line build (`dateline/listings.py`): a folder whose stat
is the one recorded is not listed again, its recorded names are stat'ed (on two processes
from `SPLIT_FROM` files), and whatever changes on disk is still seen: the build after it
equals a clean build.

The folders of a test are modified a moment before each build, so the racy rule (a folder
modified within `RACY_NS` of its listing is listed again) would list every one of them:
the tests set it to zero, and `SPLIT_FROM` to one so that the forked process stats half
of every walk."""

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from kept_examples import property_seed, property_settings

from dateline import inputs
from dateline.digests import hasher, stat_key
from dateline.errors import ContentError
from tests.test_incremental import (
    ONE_EDIT,
    apply,
    articles,
    build_into,
    recorded,
    seed,
    tree,
    write,
)

try:  # (on a Dateline without it, the tests below fail on their assertions)
    from dateline import listings
except ImportError:  # pragma: no cover
    listings = None


@contextmanager
def trusting():
    """Every folder's listing trusted from the next walk on, and the stats spread over
    two processes however few the files."""
    if listings is None:  # pragma: no cover
        yield
        return
    saved = listings.RACY_NS, listings.SPLIT_FROM
    listings.RACY_NS, listings.SPLIT_FROM = 0, 1
    try:
        yield
    finally:
        listings.RACY_NS, listings.SPLIT_FROM = saved


@pytest.fixture
def trusted():
    with trusting():
        yield


def age(root: Path) -> None:
    """Every input modified ten seconds ago: a build with nothing to do then stops at
    once (the no-change shortcut's own racy rule)."""
    past = time.time_ns() - 10 * 10**9
    for path in [root / "dateline.toml", *root.glob("content/**/*"), *root.glob("themes/**/*")]:
        if path.is_file():
            os.utime(path, ns=(past, past))


class Listed:
    """Counts `os.scandir` calls under a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.calls = str(folder), []

    def __call__(self, path="."):
        if isinstance(path, str) and path.startswith(self.folder):
            self.calls.append(path)
        return _scandir(path)


_scandir = os.scandir


def test_a_build_with_nothing_to_do_lists_no_unchanged_folder(tmp_path, trusted,
                                                              monkeypatch):
    seed(tmp_path)
    age(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)
    build_into(tmp_path, live)  # the folders' listings recorded as they are
    listed = Listed(tmp_path / "content")
    monkeypatch.setattr(os, "scandir", listed)
    result = build_into(tmp_path, live)
    assert result.up_to_date
    assert listed.calls == []
    # One folder changed: that one alone is listed again.
    write(tmp_path, "content/en/world/story-9.md", "---\ntitle: New\n"
              "date: 2026-05-20T10:00:00+00:00\n---\n\nNew.\n")
    result = build_into(tmp_path, live)
    assert not result.up_to_date
    assert listed.calls == [str(tmp_path / "content/en/world")]


def test_a_body_edit_lists_no_folder_and_renders_its_page(tmp_path, trusted, monkeypatch):
    seed(tmp_path)
    age(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)
    build_into(tmp_path, live)
    listed = Listed(tmp_path / "content")
    monkeypatch.setattr(os, "scandir", listed)
    source = tmp_path / "content/en/world/story-1.md"
    with source.open("r+", encoding="utf-8") as handle:  # in place: the folder unchanged
        text = handle.read()
        handle.seek(0)
        handle.write(text.replace("Body text.", "Body, edit."))
    result = build_into(tmp_path, live)
    assert not result.up_to_date and result.incremental
    assert listed.calls == []
    assert "Body, edit." in (live / "en/world/story-1/index.html").read_text(encoding="utf-8")


def _same_time(path: Path, text: str) -> None:
    """Replaced by another file (a new inode) of the same size and modification time."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    spare = path.with_name("spare.tmp~")
    spare.write_text(text, encoding="utf-8")
    os.utime(spare, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(spare, path)


def _edit_in_place(path: Path) -> None:
    """The same size, a new modification time, the same inode."""
    data = bytearray(path.read_bytes())
    at = data.index(b"Body text.")
    data[at:at + 4] = b"Bode"
    with path.open("r+b") as handle:
        handle.write(data)
    os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns + 1_000_000))


CHANGES = {
    "file added": lambda root: write(root, "content/ru/world/story-3.md", (
        "---\ntitle: Новая\ndate: 2026-05-21T10:00:00+00:00\n---\n\nТекст.\n")),
    "file removed": lambda root: (root / "content/en/world/story-2.md").unlink(),
    "file renamed": lambda root: os.rename(root / "content/en/world/story-2.md",
                                           root / "content/en/world/story-7.md"),
    "edited in place": lambda root: _edit_in_place(root / "content/en/world/story-1.md"),
    "replaced, same time and size": lambda root: _same_time(
        root / "content/en/world/story-1.md",
        (root / "content/en/world/story-1.md").read_text(encoding="utf-8").replace(
            "Body text.", "Bode text.")),
    "folder added": lambda root: write(root, "content/en/sport/story-4.md", (
        "---\ntitle: Match\ndate: 2026-05-22T10:00:00+00:00\n---\n\nGoal.\n")),
    "folder removed": lambda root: shutil.rmtree(root / "content/ru/world"),
    "folder renamed": lambda root: os.rename(root / "content/ru/world",
                                             root / "content/ru/economy"),
    "file moved between folders": lambda root: (
        (root / "content/en/economy").mkdir(),
        os.rename(root / "content/en/world/story-2.md",
                  root / "content/en/economy/story-2.md")),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_is_seen_when_listings_are_trusted(tmp_path, trusted, change):
    seed(tmp_path)
    age(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)
    build_into(tmp_path, live)
    assert build_into(tmp_path, live).up_to_date
    CHANGES[change](tmp_path)
    result = build_into(tmp_path, live)
    assert not result.up_to_date
    clean = tmp_path / "clean"
    build_into(tmp_path, clean, clean=True)
    assert tree(live) == tree(clean)
    assert recorded(tmp_path, live) == recorded(tmp_path, clean)


def _odd_tree(root: Path) -> Path:
    """Folders with links followed and not, a named pipe, hidden files, editors' files."""
    content = root / "content"
    for relative in ("a/x.md", "a/b/y.md", "a/b/c/z.md", "c.md", "photo.jpg",
                     "a/.hidden.md", "a/x.md~", "a/.swp", "other/o.md"):
        write(root, f"content/{relative}" if not relative.startswith("other")
              else relative, relative)
    (root / "content/.git").mkdir()
    (root / "content/.git/HEAD").write_text("x")
    os.symlink(root / "other", content / "a/linked")
    os.symlink(root / "nowhere", content / "broken")
    os.symlink("/etc/hostname", content / "outside.md")
    os.symlink(content / "a", content / "a/b/loop")
    os.mkfifo(content / "a/b/pipe")
    return content


@pytest.mark.parametrize("split", [1, 10**9], ids=["two processes", "one"])
def test_the_walk_finds_what_inputs_walk_finds(tmp_path, split, monkeypatch):
    content = _odd_tree(tmp_path)
    rules = inputs.Confinement((str(tmp_path.resolve()),))
    expected = inputs.walk(str(content), rules)
    monkeypatch.setattr(listings, "SPLIT_FROM", split)
    monkeypatch.setattr(listings, "RACY_NS", 0)
    cache = tmp_path / "cache"
    digests = []
    make_digest = listings._names_digest
    monkeypatch.setattr(listings, "_names_digest",
                        lambda parts: digests.append(1) or make_digest(parts))
    for round in range(3):  # listed, then trusted from the record, twice
        known = listings.load(cache)
        digests.clear()
        stats, found = listings.walk([(str(content), rules)], known, [])
        listings.save(cache, found, known)
        # Looked up one by one (before any list of every path is made), then all at once.
        assert [stats.path_at(i) for i in range(len(stats))] == list(expected), round
        assert [stats.place(path) for path in expected] == list(range(len(expected)))
        assert stats.place(str(content / "a/x.md~")) is None
        assert list(stats) == list(expected), round
        # The paths' digest is the one `state` made of `inputs.walk`'s: the no-change key
        # and the saved head's row of an earlier Dateline stand.
        joined = hasher()
        joined.update("\0".join(expected).encode("utf-8", "surrogateescape"))
        assert stats.names == joined.hexdigest()
        # The newest modification time (the no-change key's racy rule), found by the
        # processes that stat'ed the files.
        assert stats.newest == max(stat.st_mtime_ns for stat in expected.values())
        assert [(stat_key(stats[path]), stats[path].st_mode) for path in stats] == [
            (stat_key(stat), stat.st_mode) for stat in expected.values()], round
        # Once a cold build has read its sources it drops the strings (issue 19): any
        # asked for again is made anew, the same.
        arrays = stats.arrays
        stats.forget_strings()
        assert stats._paths is None and stats._index is None
        # Gone through once, one at a time: the same paths, and none of them kept (a
        # list of every path made there was a cold build's peak at 300,000 articles).
        assert list(stats.each_path()) == list(expected), round
        assert stats._paths is None
        assert not any(getattr(part, "_names", None) for part in stats._parts), round
        assert list(stats) == list(expected) and stats.arrays == arrays, round
        assert list(stats.each_path()) == list(expected), round  # (from the list made)
        assert [stats.place(path) for path in expected] == list(range(len(expected)))
        assert b"".join(stats.pieces()) == b"".join(arrays)
        # The folders holding a link are listed every time; the others from round 1 on.
        assert found.listed == (5 if round == 0 else 3), round
        # Every folder's names from the record: the paths' digest is the last walk's.
        assert len(digests) == (1 if round == 0 else 0), round


def test_a_racy_folder_is_listed_again(tmp_path, monkeypatch):
    content = _odd_tree(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setattr(listings, "RACY_NS", 60 * 10**9)  # every folder is racy
    for _ in range(2):
        known = listings.load(cache)
        _stats, found = listings.walk([(str(content), None)], known, [])
        listings.save(cache, found, known)
        assert found.listed == 5


@pytest.mark.parametrize("damage", ["cut", "flipped", "other version", "empty"])
def test_a_damaged_record_is_ignored(tmp_path, monkeypatch, damage):
    content = _odd_tree(tmp_path)
    monkeypatch.setattr(listings, "RACY_NS", 0)
    cache = tmp_path / "cache"
    _stats, found = listings.walk([(str(content), None)], {}, [])
    listings.save(cache, found, {})
    path = cache / listings.RECORD
    data = path.read_bytes()
    damaged = {"cut": data[: len(data) // 2],
               "flipped": data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],
               "other version": b"dateline-listings-0\n" + data[len(listings._VERSION):],
               "empty": b""}[damage]
    path.write_bytes(damaged)
    assert listings.load(cache) == {}
    write(tmp_path, "content/a/new.md", "new")
    stats, found = listings.walk([(str(content), None)], listings.load(cache), [])
    assert str(content / "a/new.md") in stats


EDITS_ON_DISK = st.one_of(
    ONE_EDIT,
    st.tuples(st.just("same time"), st.integers(0, 20)),
    st.tuples(st.just("in place"), st.integers(0, 20)),
    st.tuples(st.just("folder"), st.sampled_from(["en", "ru"])),
)


def _apply(root: Path, edit: tuple) -> None:
    files = articles(root)
    if edit[0] == "same time":
        if files:
            path = files[edit[1] % len(files)]
            text = path.read_text(encoding="utf-8")
            _same_time(path, text.replace("Body", "Bode", 1).replace("Text", "Test", 1))
    elif edit[0] == "in place":
        if files and b"Body text." in files[edit[1] % len(files)].read_bytes():
            _edit_in_place(files[edit[1] % len(files)])
    elif edit[0] == "folder":
        folder = root / "content" / edit[1] / "world"
        if folder.exists():
            shutil.rmtree(folder)
        else:
            write(root, f"content/{edit[1]}/world/story-0.md", (
                "---\ntitle: Back\ndate: 2026-05-23T10:00:00+00:00\n---\n\nAgain.\n"))
    else:
        apply(root, edit)


@property_seed
@property_settings(max_examples=8, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(EDITS_ON_DISK, min_size=1, max_size=5))
def test_builds_with_trusted_listings_equal_clean_builds(tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("site")
    with trusting():
        seed(root)
        live = root / "site"
        build_into(root, live)
        build_into(root, live)
        for edit in edits:
            _apply(root, edit)
            clean = root / "clean"
            shutil.rmtree(clean, ignore_errors=True)
            try:
                build_into(root, live)
            except ContentError as failed:
                # Edits may make content a build refuses (an article added, another
                # moved to its section: one URL for both): a clean build says the same.
                with pytest.raises(ContentError) as refused:
                    build_into(root, clean, clean=True)
                assert [str(p) for p in failed.problems] == [
                    str(p) for p in refused.value.problems], edit
                continue
            build_into(root, clean, clean=True)
            assert tree(live) == tree(clean), edit
            assert recorded(root, live) == recorded(root, clean), edit


ODD_CHANGES = {
    "file added beside a link": lambda content: write(content.parent, "content/a/new.md", "n"),
    "file removed beside a link": lambda content: (content / "a/x.md").unlink(),
    "file added behind a link": lambda content: write(content.parent, "other/new.md", "n"),
    "file added in a plain folder": lambda content: write(content.parent,
                                                          "content/a/b/c/new.md", "n"),
    "link removed": lambda content: (content / "a/linked").unlink(),
}


@pytest.mark.parametrize("change", sorted(ODD_CHANGES))
def test_the_paths_digest_follows_every_change(tmp_path, monkeypatch, change):
    """The last walk's paths' digest is taken only while the walk is made of the same
    parts: a change beside or behind a link, where folders are listed every time, too."""
    content = _odd_tree(tmp_path)
    rules = inputs.Confinement((str(tmp_path.resolve()),))
    monkeypatch.setattr(listings, "RACY_NS", 0)
    cache = tmp_path / "cache"
    for _ in range(2):
        known = listings.load(cache)
        _stats, found = listings.walk([(str(content), rules)], known, [])
        listings.save(cache, found, known)
    ODD_CHANGES[change](content)
    for _ in range(2):  # the walk after the change, then the one trusting its record
        known = listings.load(cache)
        stats, found = listings.walk([(str(content), rules)], known, [])
        listings.save(cache, found, known)
        joined = hasher()
        joined.update("\0".join(inputs.walk(str(content), rules)).encode(
            "utf-8", "surrogateescape"))
        assert stats.names == joined.hexdigest()
