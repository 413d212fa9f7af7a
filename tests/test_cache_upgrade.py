"""A build cache Dateline cannot read (written by an older release, by a release in which
a pickled class lived in another module, or damaged on disk) is dropped with one warning
line and the site built afresh: never a traceback, and the same site as a clean build.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import random
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
import types
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

import dateline
from dateline import buildstore
from dateline.build import savedbuild
from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.incremental import cache as cache_module
from dateline.incremental.cache import cached_kinds, layout_digest
from dateline.incremental.state import STATE_FILE

REPO = Path(dateline.__file__).resolve().parent.parent
PREVIOUS_RELEASE = "6f98d780589849f03a883a80e6ecf11de6f2da4d"
"""main before this change: its caches name classes by name alone (`layout_digest`)."""
CACHE = ".dateline-cache"
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
ARTICLE = "content/en/world/calm.md"


def _article(title: str, day: int, body: str, image: bool = False) -> str:
    lines = ["---", f'title: "{title}"', f"date: 2025-03-{day:02d}T10:00:00+00:00",
             "tags: [a]"]
    if image:
        lines += ["image:", "  src: /images/photo.jpg", "  alt: A photo"]
    return "\n".join([*lines, "---", "", body, ""])


def _site(root: Path, image_bytes) -> Path:
    """A small site with a photo and two languages, every file older than the racy
    window (`state.RACY_NS`), so the next build trusts the stats it saved."""
    files = {
        ARTICLE: _article("Calm", 10, "A calm day.", image=True),
        "content/en/world/storm.md": _article("Storm", 11, "A storm ![x](/images/photo.jpg)"),
        "content/ru/world/calm.md": _article("Тишина", 12, "Тихий день."),
        "content/en/economy/prices.md": _article("Prices", 9, "Prices rose."),
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    (root / "content/images").mkdir(parents=True, exist_ok=True)
    (root / "content/images/photo.jpg").write_bytes(image_bytes("JPEG", 300, 200))
    (root / "dateline.toml").write_text(
        '[site]\nbase_url = "https://news.example.org/"\ndefault_language = "en"\n'
        'timezone = "UTC"\n\n[languages.en]\ntitle = "Herald"\nabout = "About."\n\n'
        '[languages.ru]\ntitle = "Вестник"\nabout = "О нас."\n', encoding="utf-8")
    _age(root)
    return root


def _age(root: Path) -> None:
    old = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (old, old))


def _build(root: Path, out: str = "site", **options):
    config = load_config(root / "dateline.toml")
    return build(config, BuildOptions(output=root / out, now=NOW, jobs=1, **options))


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".dateline-output"}


def _edit(root: Path, kind: str) -> None:
    """A body edit (the build takes the saved model) or a title and tags edit (it plans
    afresh, reading every table of the cache: a title alone keeps the plan's shape)."""
    path = root / ARTICLE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("A calm day.", "A calm day, then rain.") if kind == "body"
                    else text.replace('"Calm"', '"Calm, then rain"').replace(
                        "tags: [a]", "tags: [a, weather]"), encoding="utf-8")


def _damage_warnings(result) -> list[str]:
    return [str(w) for w in result.warnings if "build cache could not be read" in str(w)]


# --- damaged payloads -------------------------------------------------------------

def _moved(value_of) -> bytes:
    """A pickle naming a class in a module this Dateline does not have, as a cache written
    before `SourceEntry` moved would: made by pretending, while pickling, that it exists."""
    module = types.ModuleType("dateline.moved_away")

    class SourceEntry:
        pass

    SourceEntry.__module__, SourceEntry.__qualname__ = module.__name__, "SourceEntry"
    module.SourceEntry = SourceEntry
    sys.modules[module.__name__] = module
    try:
        return pickle.dumps(value_of(SourceEntry()), protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        del sys.modules[module.__name__]


def _payload(kind: str, blob: bytes, wrong, moved) -> bytes:
    """`blob` damaged as `kind` says; `wrong`: a value of the wrong type in its place;
    `moved(obj)`: its shape holding an object of a class that moved."""
    if kind == "truncated":
        return blob[: len(blob) // 2]
    if kind == "random":
        return random.Random(len(blob)).randbytes(max(len(blob), 64))
    if kind == "wrong type":
        return pickle.dumps(wrong, protocol=pickle.HIGHEST_PROTOCOL)
    if kind == "garbage length":  # a pickle opcode announcing 2**62 bytes
        return b"\x80\x05\x8e" + struct.pack("<Q", 2**62) + b"x" * 16
    return _moved(moved)


KINDS = ["truncated", "random", "wrong type", "garbage length", "class moved"]


def _rewrite_table(cache: Path, name: str, kind: str) -> None:
    """Replace the value of one row of a cache table in the store."""
    with closing(sqlite3.connect(cache / buildstore.FILE)) as db, db:
        tbl, key, blob = db.execute(
            "SELECT tbl, key, value FROM entries WHERE tbl = ? OR tbl LIKE ? LIMIT 1",
            (name, f"{name}:%")).fetchone()
        value = _payload(kind, blob, [1, 2], lambda obj: {"x": obj})
        db.execute("UPDATE entries SET value = ? WHERE tbl = ? AND key = ?", (value, tbl, key))


def _rewrite_saved(cache: Path, table: str, kind: str) -> None:
    """The saved model or head: its key kept (so it is the right one), its value damaged."""
    with closing(sqlite3.connect(cache / buildstore.FILE)) as db, db:
        (blob,) = db.execute(f"SELECT value FROM {table}").fetchone()  # noqa: S608
        value = _payload(kind, blob, {"not": "a model"}, lambda obj: obj)
        db.execute(f"UPDATE {table} SET value = ?", (value,))  # noqa: S608


def _rewrite_store(cache: Path, kind: str) -> None:
    """The store file itself: cut short, random bytes, another schema, or the files of
    the cache before the store beside it."""
    path = cache / buildstore.FILE
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif kind == "random":
        path.write_bytes(random.Random(len(data)).randbytes(len(data)))
    elif kind == "older schema":
        with closing(sqlite3.connect(path)) as db:
            db.execute(f"PRAGMA user_version = {buildstore.SCHEMA - 1 or 99}")
    else:
        for name in ("build.pickle", "build.journal", "last-build-0123abcd.pickle"):
            (cache / name).write_bytes(pickle.dumps(name))


TABLES = ["sources", "front_matter", "photos", "templates", "fields", "articles",
          "outputs", "files", "groups"]
STORE_KINDS = ["truncated", "random", "older schema", "old files"]


def _check_one_warning_and_a_right_site(root: Path) -> None:
    result = _build(root)
    (warning,) = _damage_warnings(result)
    assert warning.startswith(f"{CACHE}/: ") and "\n" not in warning
    _build(root, "clean", clean=True)
    assert _tree(root / "site") == _tree(root / "clean")
    assert _tree(root / "site")  # the comparison compared something
    # The next build is clean: nothing left to warn about, and incremental again.
    _edit(root, "body")
    again = _build(root)
    assert not _damage_warnings(again) and again.incremental


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("target", [*TABLES, "models", "heads"])
def test_a_cache_that_cannot_be_read_is_dropped_with_one_warning(tmp_path, image_bytes,
                                                                 target, kind):
    root = _site(tmp_path, image_bytes)
    _build(root)
    cache = root / CACHE
    if target in ("models", "heads"):
        _edit(root, "body")  # the build takes the saved model
        _rewrite_saved(cache, target, kind)
    else:
        _edit(root, "title")  # the build reads every table
        _rewrite_table(cache, target, kind)
    _check_one_warning_and_a_right_site(root)


@pytest.mark.parametrize("kind", STORE_KINDS)
@pytest.mark.parametrize("edit", ["body", "title"])
def test_a_store_file_that_cannot_be_read_is_dropped_with_one_warning(
        tmp_path, image_bytes, kind, edit):
    root = _site(tmp_path, image_bytes)
    _build(root)
    _edit(root, edit)
    _rewrite_store(root / CACHE, kind)
    _check_one_warning_and_a_right_site(root)
    assert not list((root / CACHE).glob("*.pickle")) and not list((root / CACHE).glob(
        "build.journal"))


@pytest.mark.parametrize("text", [
    "{", "\xff\xfe garbage", "[]", "null", '{"%s": "x"}', '{"%s": {"key": 1}}',
    '{"%s": {"key": "k", "build_id": "b", "written_ns": 0, "valid_until": "soon",'
    ' "pages": "many", "files": 1, "held_back": [], "warnings": [], "fallbacks": {}}}',
])
def test_a_damaged_state_file_is_one_warning_and_a_full_build(tmp_path, image_bytes, text):
    """The no-change shortcut's record (`state.json`, JSON): of any other shape, the
    build does not stop at the shortcut, says so once, and the site is right."""
    root = _site(tmp_path, image_bytes)
    _build(root)
    (root / CACHE / STATE_FILE).write_text(text.replace("%s", str(root / "site")),
                                           encoding="utf-8")
    result = _build(root)
    if text != "null":  # an empty file: no record, nothing damaged
        (warning,) = _damage_warnings(result)
        assert warning.startswith(f"{CACHE}/: ") and STATE_FILE in warning
    assert not result.up_to_date
    _build(root, "clean", clean=True)
    assert _tree(root / "site") == _tree(root / "clean")
    again = _build(root)
    assert again.up_to_date and not _damage_warnings(again)


@pytest.mark.parametrize("name, text", [
    ("locales.json", '{"babel": "%s", "facts": {"en\\u0000en": 7, "ru\\u0000ru": [1, 2]}}'),
    ("locales.json", '{"babel": "%s", "facts": []}'),
    ("locales.json", "[1]"),
    ("catalogs/messages.pot.ids", b"\xff\xfe\x00 not utf-8"),
    ("templates/__jinja2_garbage.cache", None),
])
def test_other_files_of_the_cache_folder_of_any_bytes_are_made_again(
        tmp_path, image_bytes, name, text):
    """(Built by the command line: a process keeps one Jinja environment per theme,
    with the bytecode folder of the first build it made.)"""
    import babel

    root = _site(tmp_path, image_bytes)
    assert _cli(REPO, root).returncode == 0
    cache = root / CACHE
    targets = [cache / name]
    if name.startswith("templates/"):
        # Every compiled template: Jinja's header (so Jinja reads on), then random bytes.
        targets = [p for p in (cache / "templates").iterdir()]
        assert targets
    for path in targets:
        if text is None:
            header = path.read_bytes()[:len(_jinja_magic())]
            path.write_bytes(header + random.Random(1).randbytes(200))
        elif isinstance(text, bytes):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
        else:
            path.write_text(text.replace("%s", babel.__version__), encoding="utf-8")
    _edit(root, "title")
    again = _cli(REPO, root)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert _cli(REPO, root, "--clean", "--out", "clean").returncode == 0
    assert _tree(root / "site") == _tree(root / "clean")


def _jinja_magic() -> bytes:
    from jinja2.bccache import bc_magic

    return bc_magic


# --- another release's cache, whole or its saved model -----------------------------

def _rekey(cache: Path, table: str, column: str, where: str, old_prefix: str,
           new_prefix: str) -> None:
    """Give one key of the store the prefix another Dateline would have written."""
    with closing(sqlite3.connect(cache / buildstore.FILE)) as db, db:
        ((key,),) = db.execute(f"SELECT {column} FROM {table} WHERE {where}").fetchall()  # noqa: S608
        assert key.startswith(old_prefix)
        db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}",  # noqa: S608
                   (new_prefix + key[len(old_prefix):],))


def test_a_cache_written_by_another_release_is_dropped_with_one_warning(tmp_path, image_bytes):
    """After an upgrade the whole site is read again: the build says why, once (it
    takes minutes for an archive), and never when the user's own settings changed."""
    root = _site(tmp_path, image_bytes)
    _build(root)
    cache_format = f"{cache_module.FORMAT}:"
    _rekey(root / CACHE, "meta", "value", "name = 'key'", cache_format,
           f"{cache_module.FORMAT - 1}:")
    _edit(root, "body")
    (warning,) = _damage_warnings(_build(root))
    assert "another version of Dateline" in warning and "\n" not in warning
    _build(root, "clean", clean=True)
    assert _tree(root / "site") == _tree(root / "clean")
    _edit(root, "title")
    assert not _damage_warnings(_build(root))
    # Settings the user changed (the site's address) drop the cache without a word.
    config = root / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "news.example.org", "herald.example.org"), encoding="utf-8")
    assert not _damage_warnings(_build(root))


@pytest.mark.parametrize("edit", ["body", "title"])
def test_a_saved_model_of_another_release_is_said_once(tmp_path, image_bytes, edit):
    """The cache kept (same release of its tables) but the saved model's format or
    layout changed: the build plans the whole site again, and says so once."""
    root = _site(tmp_path, image_bytes)
    _build(root)
    _edit(root, "body")
    _build(root)
    model_format = f"{savedbuild.FORMAT}|"
    _rekey(root / CACHE, "heads", "key", "slot NOT LIKE '%/inputs'", model_format,
           f"{savedbuild.FORMAT - 1}|")
    _edit(root, edit)
    result = _build(root)
    (warning,) = _damage_warnings(result)
    assert "saved model was written by another version of Dateline" in warning
    _build(root, "clean", clean=True)
    assert _tree(root / "site") == _tree(root / "clean")
    # The model is saved again: the next edit takes it, with nothing to say.
    _edit(root, "body" if edit == "title" else "title")
    again = _build(root)
    assert not _damage_warnings(again) and again.incremental
    # Another shape of the site (drafts shown) plans afresh too, without a word.
    assert not _damage_warnings(_build(root, drafts=True))


# --- the layout digest --------------------------------------------------------------

def test_the_layout_digest_names_each_classs_module_and_qualified_name():
    """A pickle names a class by module and qualified name: a class that moved, even
    with the same name and fields, is another layout."""

    @dataclass
    class SourceEntry:
        stat: tuple

    before = layout_digest((SourceEntry,))
    SourceEntry.__module__ = "dateline.incremental.cache"
    assert layout_digest((SourceEntry,)) != before
    SourceEntry.__module__ = __name__
    SourceEntry.__qualname__ = "Outer.SourceEntry"
    assert layout_digest((SourceEntry,)) != before


def test_the_layout_digest_tells_a_class_given_slots():
    """A pickle of a dataclass without slots holds its dict, which the same class with
    slots cannot load (issue 19 gave the sources' entries slots): another layout, though
    its module, name and fields are the same."""

    def entry_class(slots: bool) -> type:
        @dataclass(slots=slots)
        class SourceEntry:
            stat: tuple
            digest: str
        return SourceEntry

    assert layout_digest((entry_class(False),)) != layout_digest((entry_class(True),))
    assert layout_digest((entry_class(True),)) == layout_digest((entry_class(True),))


def test_every_class_the_cache_pickles_counts_in_its_layout(tmp_path, image_bytes):
    """Read back every pickle a build and an incremental build leave in the store,
    noting each class they name: every one of Dateline's is in the layout digest of its
    table."""
    root = _site(tmp_path, image_bytes)
    _build(root)
    _edit(root, "body")
    _build(root)
    named: set[tuple[str, str]] = set()

    class Noting(pickle.Unpickler):
        def find_class(self, module, name):
            named.add((module, name))
            return super().find_class(module, name)

    def load_all(sql: str) -> None:
        with closing(sqlite3.connect(root / CACHE / buildstore.FILE)) as db:
            for (blob,) in db.execute(sql):
                Noting(io.BytesIO(blob)).load()

    load_all("SELECT value FROM entries")
    in_cache = {(m, n) for m, n in named if m.startswith("dateline")}
    assert ("dateline.incremental.cache", "SourceEntry") in in_cache
    assert in_cache <= {(k.__module__, k.__qualname__) for k in cached_kinds()}
    named.clear()
    load_all("SELECT value FROM models UNION ALL SELECT value FROM heads")
    in_model = {(m, n) for m, n in named if m.startswith("dateline")}
    assert ("dateline.model", "Site") in in_model
    assert in_model <= {(k.__module__, k.__qualname__) for k in savedbuild.model_kinds()}


# --- an upgrade ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def previous_release(tmp_path_factory):
    """A checkout of the previous release in a temporary git worktree."""
    folder = tmp_path_factory.mktemp("previous") / "dateline"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder),
                    PREVIOUS_RELEASE], check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                        str(folder)], check=True, capture_output=True)


def _cli(code: Path, root: Path, *args: str) -> subprocess.CompletedProcess:
    """`dateline --debug build` run by the Dateline in `code` (a crash prints its
    traceback)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from dateline.cli import main; "
         "sys.exit(main(sys.argv[1:]))", "--debug", "build", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=300)


MOVE_SOURCE_ENTRY = """
SourceEntry.__module__ = "dateline.oldhome"
"""
"""Appended to the previous release's cache.py: there `SourceEntry` lives in a module
this release does not have, as it will after any refactor that moves it."""


# One worker runs them all (`--dist loadgroup`): one checkout of the previous release.
@pytest.mark.xdist_group("previous_release")
@pytest.mark.parametrize("moved", [False, True], ids=["as released", "class moved"])
@pytest.mark.parametrize("edit", [None, "body", "title"])
def test_a_cache_of_the_previous_release_never_gives_a_traceback(
        tmp_path, image_bytes, previous_release, edit, moved):
    code = previous_release
    if moved:
        code = tmp_path / "code"
        shutil.copytree(previous_release / "dateline", code / "dateline")
        shutil.copytree(previous_release / "themes", code / "themes")
        shutil.copytree(previous_release / "locales", code / "locales")
        with (code / "dateline/cache.py").open("a", encoding="utf-8") as handle:
            handle.write(MOVE_SOURCE_ENTRY)
        (code / "dateline/oldhome.py").write_text("from .cache import SourceEntry  # noqa\n",
                                                  encoding="utf-8")
    root = _site(tmp_path / "site", image_bytes)
    old = _cli(code, root)
    assert old.returncode == 0, old.stderr
    if moved:
        assert b"dateline.oldhome" in (root / CACHE / "build.pickle").read_bytes()
    if edit is not None:
        _edit(root, edit)
    new = _cli(REPO, root)
    assert new.returncode == 0, new.stderr
    assert "Traceback" not in new.stderr and "internal error" not in new.stderr
    assert len([line for line in new.stderr.splitlines() if CACHE in line]) <= 1
    clean = _cli(REPO, root, "--clean", "--out", "clean")
    assert clean.returncode == 0, clean.stderr
    assert _tree(root / "site") == _tree(root / "clean")
    # And the build after it has nothing to say about the cache.
    _edit(root, "body" if edit != "body" else "title")
    after = _cli(REPO, root)
    assert after.returncode == 0 and CACHE not in after.stderr, after.stderr

