"""Incremental builds: whatever the sequence of edits, the output equals a clean build;
the number of workers does not change a byte; a bad cache is never trusted."""

import datetime as dt
import os
import re
import shutil
import signal
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st
from kept_examples import property_seed, property_settings
from PIL import Image

from dateline import buildstore, shipped_path
from dateline.build import faults, stages
from dateline.build.pipeline import BuildOptions, build, settings_key
from dateline.config import load_config
from dateline.digests import digest
from dateline.errors import ContentError
from dateline.incremental import state
from dateline.incremental.cache import BuildCache
from dateline.incremental.reuse import MOST_EDITS
from dateline.incremental.session import BuildSession
from dateline.urls import Linker
from tests.conftest import Node, parse_html_text

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "UTC"
per_page = 2

[languages.en]
title = "Herald"
about = "About the Herald."

[languages.ru]
title = "Вестник"
about = "О Вестнике."
"""
STORIES = [f"story-{i}" for i in range(5)]
SECTIONS = ["world", "economy"]


def article(title: str, day: int, *, tags=("a",), breaking=False, image=False,
            body="Body text.") -> str:
    lines = ["---", f'title: "{title}"', f"date: 2026-05-{day:02d}T10:00:00+00:00",
             f"tags: [{', '.join(tags)}]"]
    if breaking:
        lines.append("breaking: true")
    if image:
        lines += ["image:", "  src: /images/photo.jpg", "  alt: A photo"]
    return "\n".join(lines + ["---", "", body, ""])


INLINE = "\n![An inline photo](/images/inline.jpg \"Seen from the square\")\n"


def seed(root: Path) -> None:
    (root / "dateline.toml").write_text(CONFIG, encoding="utf-8")
    (root / "content/images").mkdir(parents=True)
    Image.new("RGB", (600, 400), "teal").save(root / "content/images/photo.jpg")
    Image.new("RGB", (500, 300), "olive").save(root / "content/images/inline.jpg")
    for i, name in enumerate(STORIES[:3]):
        write(root, f"content/en/world/{name}.md", article(
            f"Story {i}", 10 + i, image=i == 0, body="Body text.\n" + INLINE * (i == 1)))
        if i < 2:
            write(root, f"content/ru/world/{name}.md", article(f"Статья {i}", 11 + i))
    shutil.copytree(shipped_path("themes") / "default", root / "themes/default")


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def articles(root: Path) -> list[Path]:
    return sorted((root / "content").glob("*/*/*.md"))


ONE_EDIT = st.one_of(
    st.tuples(st.just("body"), st.integers(0, 20), st.text("abc xyz", min_size=1)),
    st.tuples(st.just("title"), st.integers(0, 20), st.text("Tnews", min_size=1)),
    st.tuples(st.just("add"), st.sampled_from(["en", "ru"]), st.sampled_from(STORIES),
              st.sampled_from(SECTIONS), st.integers(1, 28)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("rename"), st.integers(0, 20), st.sampled_from(STORIES)),
    st.tuples(st.just("tags"), st.integers(0, 20), st.sampled_from(["a", "b", "c"])),
    st.tuples(st.just("breaking"), st.integers(0, 20)),
    st.tuples(st.just("template"), st.text("xyz", min_size=1)),
    st.tuples(st.just("catalog"), st.text("Разд", min_size=1)),
    # What assembled articles are remembered by: the lead photo's file, fields inherited
    # from the original, which version is the original, the configuration.
    st.tuples(st.just("photo"), st.sampled_from(["maroon", "navy"]), st.integers(200, 700)),
    st.tuples(st.just("inline"), st.sampled_from(["maroon", "navy"]), st.integers(200, 700)),
    st.tuples(st.just("untag"), st.integers(0, 20)),
    st.tuples(st.just("original"), st.integers(0, 20)),
    st.tuples(st.just("image"), st.integers(0, 20)),
    st.tuples(st.just("config"), st.sampled_from(["UTC", "Asia/Tehran"])),
    # With a summary, a body edit changes no card, and without one only the cards'
    # teasers: neither plans the site again (`reuse`), which these
    # sequences must also leave byte-identical.
    st.tuples(st.just("summary"), st.integers(0, 20)),
    # Scheduling (issue 17): an expiry before or after the build's time, a banner's end,
    # what becomes of expired stories, and the clock moving past any of them.
    st.tuples(st.just("expires"), st.integers(0, 20), st.sampled_from([-30, 20, 50])),
    st.tuples(st.just("breaking_until"), st.integers(0, 20), st.sampled_from([-2, 10, 40])),
    # (The policy flips with one story expired, so that the output changes: a setting
    # that changes no output byte leaves a preview session's records behind a clean
    # build's, a known gap of the `nothing_new` shortcut, not of scheduling.)
    st.tuples(st.just("expired"), st.integers(0, 20)),
    st.tuples(st.just("clock"), st.sampled_from([1, 24, 48])),
    # Another month (or year): the date archives and their neighbour links move.
    st.tuples(st.just("redate"), st.integers(0, 20), st.sampled_from(["2025-12", "2026-04"])),
    # The news desk: a correction added, re-dated (which reorders the corrections page
    # and the translations' notices) or removed; a byline naming the staff's author by
    # key or by a name, or no author at all; the staff configured or not; its photo.
    st.tuples(st.just("correct"), st.integers(0, 20), st.integers(29, 31)),
    st.tuples(st.just("byline"), st.integers(0, 20),
              st.sampled_from(["ana", "Ana Petrov", "Анна Петрова", "Guest"])),
    st.tuples(st.just("staff")),
    st.tuples(st.just("portrait"), st.sampled_from(["maroon", "navy"]), st.integers(200, 700)),
    # Front matter (issue 19): what keeps the plan's shape (a title above, a summary, a
    # photo's words, `updated`) and what does not (a date above, tags, a section, a draft).
    st.tuples(st.just("words"), st.integers(0, 20), st.sampled_from(["Rain", "Crowds"]),
              st.sampled_from(["caption", "alt", "credit"])),
    st.tuples(st.just("updated"), st.integers(0, 20), st.integers(28, 31)),
    st.tuples(st.just("section"), st.integers(0, 20)),
    st.tuples(st.just("draft"), st.integers(0, 20)),
)
STORE_DAMAGE = ["truncated", "garbage", "older schema", "old files"]
KILL_STEPS = ["commit#1", "stage.cache", "store.cache", "store.model"]
# A fresh `git clone` (CI with the cache and site/ restored): every input file gets a new
# stat, and at most one other edit changes bytes in the same build.
EDITS = st.one_of(ONE_EDIT, st.tuples(st.just("touch"), st.none() | ONE_EDIT),
                  # The build store (`buildstore`): damaged, of an older schema, beside the
                  # files of the cache before it; a build with an edit killed at a step of
                  # its commit, the store's transactions included (command line only).
                  st.tuples(st.just("store"), st.sampled_from(STORE_DAMAGE)),
                  st.tuples(st.just("kill"), st.sampled_from(KILL_STEPS), ONE_EDIT))
STAFF = """
[authors.ana]
name = "Ana Petrov"
photo = "images/portrait.jpg"
bio = { en = "Reports from Karsk." }

[authors.ana.names]
ru = "Анна Петрова"
"""


def apply_news_desk(root: Path, edit: tuple, files: list[Path]) -> None:
    """The news desk's edits (`EDITS`): corrections, bylines, the staff and its photo."""
    kind = edit[0]
    if kind in ("staff", "portrait"):
        portrait = root / "content/images/portrait.jpg"
        if kind == "portrait" or not portrait.exists():
            colour, width = edit[1:] if kind == "portrait" else ("teal", 300)
            Image.new("RGB", (width, 400), colour).save(portrait)
        config = root / "dateline.toml"
        text = config.read_text(encoding="utf-8")
        if kind == "staff":
            config.write_text(text.replace(STAFF, "") if STAFF in text else text + STAFF,
                              encoding="utf-8")
        return
    if not files:
        return
    path = files[edit[1] % len(files)]
    text = path.read_text(encoding="utf-8")
    if kind == "correct":
        day = edit[2]
        note = f'corrections:\n  - date: 2026-05-{day}T12:00:00+00:00\n    text: "Fixed."\n'
        if "corrections:" not in text:
            text = text.replace("---\n", "---\n" + note, 1)
        elif note in text:
            text = text.replace(note, "")
        else:
            start = text.index("corrections:")
            text = text[:start] + note + text[start + len(note):]
    elif kind == "byline":
        line = f"authors: [{edit[2]}]\n"
        lines = [old for old in text.splitlines(keepends=True) if old.startswith("authors:")]
        if line in lines:
            text = text.replace(line, "")
        elif lines:
            text = text.replace(lines[0], line)
        else:
            text = text.replace("---\n", "---\n" + line, 1)
    path.write_text(text, encoding="utf-8")


def inputs(root: Path) -> list[Path]:
    """Every input file of the site: content, theme, catalogs, configuration."""
    return [root / "dateline.toml", *(path for folder in ("content", "themes", "locales")
                                      for path in (root / folder).rglob("*") if path.is_file())]


def touch_all(root: Path, ns: int) -> None:
    """As a fresh `git clone` leaves them: every input with a new modification time."""
    for path in inputs(root):
        os.utime(path, ns=(ns, ns))


def apply(root: Path, edit: tuple) -> None:
    kind, files = edit[0], articles(root)
    if kind == "touch":
        if edit[1] is not None:
            apply(root, edit[1])
        touch_all(root, time.time_ns())
    elif kind in ("correct", "byline", "staff", "portrait"):
        apply_news_desk(root, edit, files)
    elif kind == "add":
        _, lang, name, section, day = edit
        write(root, f"content/{lang}/{section}/{name}.md", article(f"{name} {lang}", day))
    elif kind == "template":
        path = root / "themes/default/templates/partials/card.html"
        path.write_text(path.read_text(encoding="utf-8") + f"<!-- {edit[1]} -->\n",
                        encoding="utf-8")
    elif kind in ("photo", "inline"):
        _, colour, width = edit
        Image.new("RGB", (width, 400), colour).save(root / f"content/images/{kind}.jpg")
    elif kind == "config":
        config = root / "dateline.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace(text.split('timezone = "')[1].split('"')[0], edit[1],
                                       1), encoding="utf-8")
    elif kind == "expired" and files:
        config = root / "dateline.toml"
        text = config.read_text(encoding="utf-8")
        flipped = (text.replace('expired = "remove"\n', "") if 'expired = "remove"' in text
                   else text.replace("per_page = 2\n", 'per_page = 2\nexpired = "remove"\n'))
        config.write_text(flipped, encoding="utf-8")
        path = files[edit[1] % len(files)]
        lines = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                 if not line.startswith("expires:")]
        lines.insert(1, f"expires: {(NOW - dt.timedelta(hours=30)).isoformat()}\n")
        path.write_text("".join(lines), encoding="utf-8")
    elif kind == "clock":
        pass  # the test moves its clock
    elif kind == "catalog":
        po = root / "locales/ru/LC_MESSAGES/messages.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                      f'msgid "Sections"\nmsgstr "{edit[1]}"\n', encoding="utf-8")
    elif files:
        path = files[edit[1] % len(files)]
        text = path.read_text(encoding="utf-8")
        if kind == "body":
            path.write_text(text + edit[2] + "\n", encoding="utf-8")
        elif kind == "title":
            path.write_text(text.replace('title: "', f'title: "{edit[2]} ', 1),
                            encoding="utf-8")
        elif kind == "delete":
            path.unlink()
        elif kind == "rename":
            target = path.with_name(f"{edit[2]}.md")
            if not target.exists():
                path.rename(target)
        elif kind == "tags":
            path.write_text(text.replace("tags: [", f"tags: [{edit[2]}, ", 1),
                            encoding="utf-8")
        elif kind == "untag":
            path.write_text("".join(line for line in text.splitlines(keepends=True)
                                    if not line.startswith("tags:")), encoding="utf-8")
        elif kind == "original":
            path.write_text(text.replace("---\n", "---\noriginal: true\n", 1)
                            if "original:" not in text else
                            text.replace("original: true\n", ""), encoding="utf-8")
        elif kind == "image":
            path.write_text(text.replace("---\n", "---\nimage:\n  src: /images/photo.jpg\n"
                                         "  alt: A photo\n", 1)
                            if "image:" not in text else text, encoding="utf-8")
        elif kind == "redate":
            path.write_text(re.sub(r"date: \d{4}-\d{2}-", f"date: {edit[2]}-", text, count=1),
                            encoding="utf-8")
        elif kind == "summary":
            path.write_text(text.replace("---\n", "---\nsummary: In short.\n", 1)
                            if "summary:" not in text else
                            text.replace("summary: In short.\n", ""), encoding="utf-8")
        elif kind in ("expires", "breaking_until"):
            moment = (NOW + dt.timedelta(hours=edit[2])).isoformat()
            lines = [line for line in text.splitlines(keepends=True)
                     if not line.startswith(f"{kind}:")]
            if len(lines) == len(text.splitlines()):  # it had none: give it one
                lines.insert(1, f"{kind}: {moment}\n")
                if kind == "breaking_until" and "breaking: true\n" not in lines:
                    lines.insert(1, "breaking: true\n")
            path.write_text("".join(lines), encoding="utf-8")
        elif kind in ("words", "updated", "section", "draft"):
            path.write_text(front_edit(text, edit), encoding="utf-8")
        elif kind == "breaking":
            path.write_text(text.replace("---\n", "---\nbreaking: true\n", 1)
                            if "breaking" not in text else text.replace("breaking: true\n", ""),
                            encoding="utf-8")


def front_edit(text: str, edit: tuple) -> str:
    """A photo's words changed (or written when it had none), `updated` set, changed or
    removed, a section or draft flag set or removed."""
    kind = edit[0]
    if kind == "words":
        _, _, word, key = edit
        if "image:\n" not in text:
            return text
        lines = text.splitlines(keepends=True)
        line = f'  {key}: "{word}"\n'
        found = [n for n, old in enumerate(lines) if old.startswith(f"  {key}:")]
        if found:
            lines[found[0]] = line
        else:
            lines.insert(lines.index("image:\n") + 1, line)
        return "".join(lines)
    line = {"updated": f"updated: 2026-05-{edit[-1]}T12:00:00+00:00\n",
            "section": "section: economy\n", "draft": "draft: true\n"}[kind]
    lines = [old for old in text.splitlines(keepends=True) if not old.startswith(f"{kind}:")]
    if line in text:
        return "".join(lines)
    lines.insert(1, line)
    return "".join(lines)


def watched(root: Path) -> dict[Path, tuple[int, int, int]]:
    """What the preview server's watcher reports on: every file's stat (it leaves out a
    folder whose entries changed, as `watch.changed_paths` does)."""
    found = {}
    for folder in ("content", "themes", "locales"):
        for path in (root / folder).rglob("*"):
            if path.is_dir():
                continue
            stat = path.stat()
            found[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    config = root / "dateline.toml"
    found[config] = (config.stat().st_mtime_ns, config.stat().st_size, config.stat().st_ino)
    return found


def changes(before: dict, after: dict) -> frozenset[Path]:
    """The paths a watcher reports between two snapshots."""
    return frozenset(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".dateline-output"}


def recorded(root: Path, out: Path, session=None) -> dict[str, tuple[str, str]]:
    """What the cache records of each file of an output folder (in the session's memory,
    or on disk): the fingerprint of its inputs and the digest of its bytes. Equal for an
    incremental and a clean build, or a page whose inputs changed could be left
    unrendered by a later build."""
    cache = (session.cache(root / ".dateline-cache", build_settings(root)) if session
             else BuildCache.open(root / ".dateline-cache", build_settings(root)))
    return cache.output(out).files


def build_settings(root: Path) -> str:
    config = load_config(root / "dateline.toml")
    return settings_key(config, Linker(config.site.base_url, config.site.relative_urls))


def build_into(root: Path, out: Path, now: dt.datetime = NOW, **options):
    config = load_config(root / "dateline.toml")
    return build(config, BuildOptions(output=out, now=now, jobs=1, **options))


# 12 drawn sequences (each of up to five edits, about 2.5 s of builds apiece), after the
# kept examples and the @examples below, which name every family of edit: 25 made this one
# test ~90 s of a loaded run's ~900 worker-seconds for no family the drawn ones do not cover.
@property_seed
@property_settings(max_examples=12, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, min_size=1, max_size=5), st.booleans())
# The staff configured in a session: its articles are the same, but not its photos.
@example([("staff",)], True)
@example([("staff",), ("byline", 0, "Анна Петрова"), ("portrait", "navy", 300)], False)
@example([("correct", 3, 30), ("correct", 3, 31), ("byline", 1, "ana")], True)
# A fresh clone: alone, with a body edit (from the saved model), with a new photo.
@example([("touch", None), ("touch", ("body", 2, "x"))], False)
@example([("touch", ("photo", "navy", 300)), ("touch", ("inline", "navy", 300))], False)
@example([("store", "garbage"), ("body", 1, "x"), ("store", "older schema"),
          ("kill", "store.cache", ("body", 2, "y")), ("kill", "store.model", ("title", 0, "T"))],
         False)
# Killed after the cache was written, before the head: the cache's entry of the edited
# source is newer than the saved model, whose front matter it cannot stand for.
@example([("kill", "store.model", ("original", 0))], False)
# Front-matter edits that keep the plan's shape: a photo's words (an English story no
# translation inherits them from), a title, `updated`; then a title and words inherited.
@example([("image", 2), ("words", 2, "Rain", "caption"), ("words", 2, "Crowds", "alt"),
          ("title", 3, "T"), ("updated", 4, 30), ("words", 0, "Rain", "caption"),
          ("words", 0, "Crowds", "caption")], False)
# An author's empty feed is dated by the site's newest `modified`, which `updated` moves.
@example([("staff",), ("updated", 1, 31)], False)
@example([("image", 2), ("words", 2, "Rain", "caption"), ("words", 2, "Crowds", "credit"),
          ("title", 0, "T"), ("words", 0, "Rain", "caption")], True)
# Template edits rendered by chunks from the saved rows (`templatestage`), and the builds
# after them: a body edit, a retitle, a template edit after those (the full path).
@example([("template", "x"), ("template", "y"), ("body", 1, "z"), ("title", 0, "T"),
          ("template", "w")], False)
# The preview server's short path (`memoryedits`): a source saved again as it was.
@example([("redate", 7, "2026-04"), ("redate", 7, "2026-04"), ("draft", 0)], True)
# Two articles at one address (a story moved to a section where another of its name is
# added): refused as a clean build refuses it, then built again once one is deleted.
@example([("breaking", 12), ("section", 11), ("tags", 4, "a"), ("expired", 4),
          ("add", "en", "story-1", "economy", 21), ("delete", 0)], True)
@example([("section", 1), ("add", "en", "story-1", "economy", 21), ("body", 1, "x"),
          ("delete", 0)], False)
def test_incremental_build_equals_a_clean_build(edits, in_session):
    """From the command line (the cache read from disk each time) or in the preview
    server's session (the cache kept in memory between builds, and the changed files
    named by the caller). A damaged store, or a build killed half-way, is followed by a
    build equal to a clean one too."""
    session = BuildSession() if in_session else None
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder).resolve()
        seed(root)
        live = root / "site"
        now = NOW
        build_into(root, live, session=session)
        unread_damage = False  # a damaged store the builds since have not needed to read
        for edit in edits:
            before = watched(root)
            if edit[0] == "store":
                if not in_session:  # (a session keeps its cache in memory)
                    damage_store(root, edit[1])
            elif edit[0] == "kill":
                apply(root, edit[2])
                if not in_session:
                    killed_building(root, live, now, edit[1])
            else:
                apply(root, edit)
            if edit[0] == "clock":
                now += dt.timedelta(hours=edit[1])
            elif edit[0] == "touch" and edit[1] is not None and edit[1][0] == "clock":
                now += dt.timedelta(hours=edit[1][1])
            # In a session the build is told what changed, as the preview server's watcher
            # tells it, and must not need to look at anything else.
            told = {"changed": changes(before, watched(root))} if in_session else {}
            # Edits can make input a desk gets wrong (two articles at one address): the
            # build then fails as a clean one does, and the next edit builds on.
            result, error = _built_or_refused(root, live, now, session=session, **told)
            clean = root / "clean"
            shutil.rmtree(clean, ignore_errors=True)
            _, clean_error = _built_or_refused(root, clean, now, clean=True)
            assert error == clean_error, edit
            if error is not None:
                continue
            assert result.incremental or unread_damage or (edit[0] in ("store", "kill")
                                                           and not in_session)
            # On a slow machine no input is racy (`RACY_NS`): a build with nothing to do
            # does not open the store, and the next build finds it damaged.
            unread_damage = result.up_to_date and (unread_damage or (
                edit[0] == "store" and not in_session))
            assert tree(live) == tree(clean), edit
            if edit[0] == "store" and result.up_to_date:
                continue  # nothing to do, the store unread (on a slow machine: `RACY_NS`)
            assert recorded(root, live, session) == recorded(root, clean), edit


def _built_or_refused(root: Path, out: Path, now: dt.datetime = NOW, **options):
    """(the build's result, None), or (None, the errors it named) for input it refused."""
    try:
        return build_into(root, out, now, **options), None
    except ContentError as exc:
        return None, str(exc)


def damage_store(root: Path, kind: str) -> None:
    """The build store cut short, overwritten, of an older schema, or the files of the
    cache before it beside it."""
    path = root / ".dateline-cache" / buildstore.FILE
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif kind == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif kind == "older schema":
        with closing(sqlite3.connect(path)) as db:
            db.execute(f"PRAGMA user_version = {buildstore.SCHEMA - 1 or 99}")
    else:
        (root / ".dateline-cache/build.pickle").write_bytes(b"an older cache")
        (root / ".dateline-cache/last-build-0123abcd.head").write_bytes(b"an older head")


def killed_building(root: Path, out: Path, now: dt.datetime, step: str) -> bool:
    """A build in a child process, stopped at `step` (`DATELINE_FAULT`, `build.faults`)
    and killed there with SIGKILL; False when it never reached the step (nothing to
    commit) and ended."""
    child = os.fork()
    if child == 0:  # pragma: no cover - the child never returns
        try:
            os.environ["DATELINE_FAULT"] = f"stop:{step}"
            faults._reached.clear()  # counted from this build on (earlier tests counted)
            build_into(root, out, now)
        finally:
            os._exit(0)
    _pid, status = os.waitpid(child, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        return False
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    return True


@pytest.mark.parametrize("step", KILL_STEPS)
@pytest.mark.parametrize("edit", [("body", 1, "x"), ("title", 0, "T")], ids=["body", "title"])
def test_a_build_killed_half_way_is_followed_by_a_right_one(tmp_path, step, edit):
    """Killed at the output's commit, before the store is written, inside the store's
    transaction of the cache's rows or of the saved model: the next build trusts the
    store or drops it without a word, and equals a clean build."""
    seed(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)
    apply(tmp_path, edit)
    assert killed_building(tmp_path, live, NOW, step)
    result = build_into(tmp_path, live)
    assert not [w for w in result.warnings if "cache" in w.message], result.warnings
    build_into(tmp_path, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")
    assert recorded(tmp_path, live) == recorded(tmp_path, tmp_path / "clean")
    apply(tmp_path, ("body", 2, "more"))  # and the build after it is incremental again
    assert build_into(tmp_path, live).incremental


@pytest.mark.parametrize("in_session", [True, False], ids=["session", "command line"])
def test_body_edits_reuse_the_page_plan_and_match_a_clean_build(tmp_path, in_session):
    """Editing an article's body changes no title or date, and with a summary no card:
    only its own page is rendered again (in the preview server from the model it keeps,
    from the command line from the model the last build saved), and the site stays
    byte-identical to a clean build through several such edits and edits that do
    change the plan in between."""
    seed(tmp_path)
    story = tmp_path / "content/en/world/story-2.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "---\n", "---\nsummary: In short.\n", 1), encoding="utf-8")
    session = BuildSession() if in_session else None
    live, clean = tmp_path / "site", tmp_path / "clean"
    build_into(tmp_path, live, session=session)

    def edit_and_compare(edit: tuple) -> object:
        before = watched(tmp_path)
        apply(tmp_path, edit)
        told = {"changed": changes(before, watched(tmp_path))} if in_session else {}
        result = build_into(tmp_path, live, session=session, **told)
        shutil.rmtree(clean, ignore_errors=True)
        build_into(tmp_path, clean, clean=True)
        assert tree(live) == tree(clean), edit
        assert recorded(tmp_path, live, session) == recorded(tmp_path, clean), edit
        return result

    files = [p.relative_to(tmp_path).as_posix() for p in articles(tmp_path)]
    index = files.index("content/en/world/story-2.md")
    body = edit_and_compare(("body", index, "A new sentence."))
    assert (body.replanned, body.rendered) == (False, 1)
    assert "en/world/story-2/index.html" in body.changed_files
    again = edit_and_compare(("body", index, "Another one."))
    assert (again.replanned, again.rendered) == (False, 1)
    # Its cards change, not the plan's shape: the pages showing it are rendered again.
    retitled = edit_and_compare(("title", index, "New"))
    assert not retitled.replanned and retitled.rendered > 1
    assert not edit_and_compare(("body", index, "And a third.")).replanned
    # Without a summary its cards show the body's opening words: the listings with its
    # card are rendered again too, still without planning the site again.
    other = files.index("content/en/world/story-1.md")
    teaser = edit_and_compare(("body", other, "A sentence."))
    assert not teaser.replanned and teaser.rendered > 1
    assert "en/index.html" in teaser.changed_files


def test_problems_are_reported_whichever_path_a_body_edit_takes(tmp_path):
    """From the command line: a body edit that brings an error fails like any build; a
    warning about another file is reported again by a build from the saved model; a
    file with a warning of its own is read again in full, and warned about again."""
    seed(tmp_path)
    story = tmp_path / "content/en/world/story-2.md"
    text = story.read_text(encoding="utf-8").replace("---\n", "---\nsummary: In short.\n", 1)
    story.write_text(text, encoding="utf-8")
    warned = tmp_path / "content/en/world/story-1.md"
    warned_text = warned.read_text(encoding="utf-8").replace(
        "---\n", "---\nsummary: Brief.\nsubtitle: Not a key.\n", 1)
    warned.write_text(warned_text, encoding="utf-8")
    live = tmp_path / "site"
    first = build_into(tmp_path, live)
    unknown = [str(w) for w in first.warnings if "unknown key 'subtitle'" in w.message]
    assert len(unknown) == 1

    story.write_text(text + "\n![Gone](/images/missing.jpg)\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        build_into(tmp_path, live)
    assert any("missing.jpg" in str(problem) for problem in raised.value.problems)
    story.write_text(text + "\nFixed.\n", encoding="utf-8")
    fixed = build_into(tmp_path, live)  # from the model the last good build saved
    assert not fixed.replanned
    assert [str(w) for w in fixed.warnings if "subtitle" in w.message] == unknown
    warned.write_text(warned_text + "\nMore.\n", encoding="utf-8")
    again = build_into(tmp_path, live)
    assert again.replanned
    assert [str(w) for w in again.warnings if "subtitle" in w.message] == unknown
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    build_into(tmp_path, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "foreign"])
def test_damaged_saved_model_is_ignored(tmp_path, damage):
    """The model a command-line build saves for the next one: cut short, overwritten or
    written by another version, it is not used, and the build is right anyway."""
    seed(tmp_path)
    story = tmp_path / "content/en/world/story-2.md"
    text = story.read_text(encoding="utf-8").replace("---\n", "---\nsummary: In short.\n", 1)
    story.write_text(text, encoding="utf-8")
    live = tmp_path / "site"
    build_into(tmp_path, live)
    with closing(store_of(tmp_path)) as db, db:
        ((key, data),) = db.execute("SELECT key, value FROM models").fetchall()
        value = {"truncated": data[: len(data) // 2], "garbage": os.urandom(len(data)),
                 "foreign": data}[damage]
        db.execute("UPDATE models SET key = ?, value = ?",
                   ("another key" if damage == "foreign" else key, value))
    story.write_text(text + "\nA new sentence.\n", encoding="utf-8")
    result = build_into(tmp_path, live)
    assert result.replanned
    build_into(tmp_path, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")


def store_of(root: Path) -> sqlite3.Connection:
    """The build store (`buildstore`), opened as any SQLite client would."""
    return sqlite3.connect(root / ".dateline-cache" / buildstore.FILE)


def clone(root: Path, ns: int) -> None:
    """What a fresh `git clone` leaves: the site's files written anew (new inodes),
    every one with the modification time `ns`; more articles than a build reads again
    one by one (`reuse.MOST_EDITS`), a catalog, a story with a summary."""
    root.mkdir()
    seed(root)
    apply(root, ("catalog", "Разделы"))
    for i in range(MOST_EDITS + 4):
        write(root, f"content/en/economy/extra-{i}.md", article(f"Extra {i}", 1 + i % 28))
    story = root / "content/en/world/story-2.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "---\n", "---\nsummary: In short.\n", 1), encoding="utf-8")
    touch_all(root, ns)


@pytest.mark.parametrize("edited", [True, False], ids=["one edit", "no edit"])
def test_a_fresh_clone_takes_the_incremental_path_by_content_digests(tmp_path, edited):
    """CI restores the last site/ and .dateline-cache/ into a fresh clone, where every
    input (content, photos, theme, catalogs, config) is a new file with a new
    modification time: files whose bytes are the same count as unchanged, so a
    one-article edit renders its page alone from the saved model, and no edit writes
    nothing; the output and its fingerprints equal a clean build's; the new stats are
    recorded in the saved head, so the next build trusts them again
    (tests/test_fresh_clone.py)."""
    root, kept, live = tmp_path / "repo", tmp_path / "kept", tmp_path / "repo/site"
    first = time.time_ns() - 3600 * 10**9  # older than the racy-timestamp margin
    clone(root, first)
    build_into(root, live)
    kept.mkdir()
    for name in ("site", ".dateline-cache"):
        shutil.move(root / name, kept / name)
    shutil.rmtree(root)
    clone(root, first + 60 * 10**9)  # the next clone: new files, another time
    for name in ("site", ".dateline-cache"):
        shutil.move(kept / name, root / name)
    if edited:
        story = root / "content/en/world/story-2.md"
        story.write_text(story.read_text(encoding="utf-8") + "A new sentence.\n",
                         encoding="utf-8")
        os.utime(story, ns=(first + 90 * 10**9,) * 2)
    result = build_into(root, live)
    assert result.incremental and not result.replanned
    if edited:
        assert result.rendered == 1 and "en/world/story-2/index.html" in result.changed_files
    else:
        assert (result.rendered, result.written, result.removed) == (0, 0, 0)
    cache = BuildCache.open(root / ".dateline-cache", build_settings(root))
    assert len(cache.data.sources) == len(articles(root))
    for path, entry in cache.data.sources.items():  # the new stats are the head's
        assert entry.digest == digest(Path(path).read_bytes()), path
    assert build_into(root, live).up_to_date
    build_into(root, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")
    assert recorded(root, live) == recorded(root, tmp_path / "clean")


def test_one_edit_renders_only_the_pages_it_touches(tmp_path):
    seed(tmp_path)
    out = tmp_path / "site"
    first = build_into(tmp_path, out)
    unchanged = build_into(tmp_path, out)
    assert (unchanged.rendered, unchanged.written, unchanged.removed) == (0, 0, 0)
    apply(tmp_path, ("body", 2, "A new sentence."))  # content/en/world/story-2.md
    edited = build_into(tmp_path, out)
    # Its page, and the first pages of the listings whose cards show its opening words
    # (the date archives' too); not the pages that show it as a related story (its title
    # and date, which did not change).
    pages = {"en/world/story-2/index.html", "en/index.html", "en/world/index.html",
             "en/tags/a/index.html", "en/2026/index.html", "en/2026/05/index.html"}
    feeds = {"en/feed.xml", "en/rss.xml", "en/world/feed.xml", "en/world/rss.xml",
             "en/tags/a/feed.xml"}
    assert edited.rendered == len(pages)
    # And the English search index (a small site's one bucket): its entry, metadata,
    # and the index chunk and fragment holding the story (the other languages' stand).
    index = {f for f in edited.changed_files if f.startswith("en/search/pagefind/")}
    assert {f.rsplit("/", 1)[0] for f in index} >= {"en/search/pagefind/0/index",
                                                     "en/search/pagefind/0/fragment"}
    assert "en/search/pagefind/0/pagefind-entry.json" in index
    assert set(edited.changed_files) == pages | feeds | index
    assert first.rendered == first.pages


@pytest.mark.parametrize("edit, pages", [
    # A correction: the story's page, its translation's (which notes it), and the
    # corrections page; no listing, whose cards do not show it.
    (("correct", 1, 30), {"en/world/story-1/index.html", "ru/world/story-1/index.html",
                          "en/corrections/index.html"}),
    # A byline: the story's page, the author page and the staff list with their counts.
    (("byline", 2, "Ana Petrov"), {"en/world/story-2/index.html", "en/authors/index.html",
                                   "en/authors/ana/index.html"}),
], ids=["correction", "byline"])
def test_a_news_desk_edit_renders_only_the_pages_it_changes(tmp_path, edit, pages):
    seed(tmp_path)
    apply(tmp_path, ("staff",))
    apply(tmp_path, ("correct", 0, 29))  # the corrections page exists before the edit
    out = tmp_path / "site"
    build_into(tmp_path, out)
    apply(tmp_path, edit)
    edited = build_into(tmp_path, out)
    assert {f for f in edited.changed_files if f.endswith(".html")} == pages
    assert edited.rendered == len(pages)
    clean = tmp_path / "clean"
    build_into(tmp_path, clean, clean=True)
    assert tree(out) == tree(clean)


def test_deleted_article_files_are_removed(tmp_path):
    seed(tmp_path)
    out = tmp_path / "site"
    build_into(tmp_path, out)
    assert (out / "en/world/story-2/index.html").is_file()
    (tmp_path / "content/en/world/story-2.md").unlink()
    result = build_into(tmp_path, out)
    assert result.removed >= 1
    assert not (out / "en/world/story-2").exists()


def test_one_and_two_workers_give_identical_trees(tmp_path):
    seed(tmp_path)
    for i in range(60):  # enough pages for the pool to really fork
        write(tmp_path, f"content/en/economy/extra-{i}.md", article(f"Extra {i}", 1 + i % 28))
    config = load_config(tmp_path / "dateline.toml")
    build(config, BuildOptions(output=tmp_path / "one", now=NOW, jobs=1, clean=True))
    build(config, BuildOptions(output=tmp_path / "two", now=NOW, jobs=2, clean=True))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_corrupt_or_foreign_cache_is_ignored(tmp_path):
    seed(tmp_path)
    out = tmp_path / "site"
    build_into(tmp_path, out)
    expected = tree(out)
    store_file = tmp_path / ".dateline-cache" / buildstore.FILE
    store_file.write_bytes(b"\x80\x04garbage")
    write(tmp_path, "content/en/world/story-0.md", article("Changed", 10, image=True))
    result = build_into(tmp_path, out)
    assert not result.incremental
    assert tree(out) != expected
    clean = tmp_path / "clean"
    build_into(tmp_path, clean, clean=True)
    assert tree(out) == tree(clean)

    # Written by another version: the store's key names another one.
    with closing(store_of(tmp_path)) as db, db:
        db.execute("UPDATE meta SET value = '1:0.0.1:older-dateline' WHERE name = 'key'")
    assert not BuildCache.open(store_file.parent, "anything").loaded
    # Another version's record of the inputs names another version too (else, on a slow
    # machine, the inputs are older than the record by more than the racy window and the
    # build stops at once, reading no cache at all).
    (store_file.parent / state.STATE_FILE).unlink()
    assert not build_into(tmp_path, out).incremental
    assert tree(out) == tree(clean)


def test_a_damaged_table_found_during_a_build_means_building_afresh(tmp_path):
    """Tables are read when a build first needs them: a damaged one is found then, and
    the build starts again without the cache (nothing half-written, the same site)."""
    seed(tmp_path)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build_into(tmp_path, out)
    with closing(store_of(tmp_path)) as db, db:
        (count,) = db.execute("SELECT count(*) FROM entries WHERE tbl = 'sources'").fetchone()
        assert count
        db.execute("UPDATE entries SET value = x'8004deadbeef' WHERE tbl = 'sources'")
    assert BuildCache.open(out.parent / ".dateline-cache", build_settings(tmp_path)).loaded
    write(tmp_path, "content/en/world/story-0.md", article("Changed", 10, image=True))
    result = build_into(tmp_path, out)
    assert not result.incremental
    build_into(tmp_path, clean, clean=True)
    assert tree(out) == tree(clean)


def test_a_damaged_inverse_index_means_building_afresh(tmp_path):
    """A body edit finds the pages to render again through the inverse index
    (`page_deps`, each key's pages packed): a row cut mid-number is found then, and the
    build starts again without the cache, making the same site as a clean build."""
    seed(tmp_path)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build_into(tmp_path, out)
    with closing(store_of(tmp_path)) as db, db:
        assert db.execute("UPDATE page_deps SET pages = substr(pages, 1, 3) "
                          "WHERE dep LIKE 'article:%'").rowcount
    apply(tmp_path, ("body", 0, "A new sentence."))
    result = build_into(tmp_path, out)
    assert not result.incremental
    build_into(tmp_path, clean, clean=True)
    assert tree(out) == tree(clean)


def test_damaged_or_missing_body_store_is_ignored(tmp_path):
    """Rendered bodies live in the store's `bodies` table: whether the store is deleted,
    overwritten with garbage, or a body in it altered, the next build is still
    byte-identical to a clean one (a body read back must match its hash)."""
    seed(tmp_path)
    out, clean = tmp_path / "site", tmp_path / "clean"
    store = tmp_path / ".dateline-cache" / buildstore.FILE
    build_into(tmp_path, out)
    build_into(tmp_path, clean, clean=True)

    def edit_and_compare(day: int) -> None:
        # An edit, so the build is not a no-change shortcut and must read other bodies.
        write(tmp_path, "content/en/world/story-2.md", article("Changed", day))
        build_into(tmp_path, out)
        shutil.rmtree(clean)
        build_into(tmp_path, clean, clean=True)
        assert tree(out) == tree(clean)

    store.unlink()
    edit_and_compare(3)
    store.write_bytes(b"SQLite format 3\0" + b"\xff" * 4096)
    edit_and_compare(4)
    with closing(store_of(tmp_path)) as db, db:
        assert db.execute("UPDATE bodies SET html = '<p>tampered</p>'").rowcount
    edit_and_compare(5)
    assert "tampered" not in (out / "en/world/story-1/index.html").read_text(encoding="utf-8")


def test_output_changed_behind_the_caches_back_is_rebuilt(tmp_path):
    seed(tmp_path)
    out = tmp_path / "site"
    build_into(tmp_path, out)
    shutil.rmtree(out)
    result = build_into(tmp_path, out)
    assert not result.incremental and (out / "en/index.html").is_file()


def test_nothing_changed_is_a_shortcut_until_the_clock_changes_the_site(tmp_path):
    seed(tmp_path)
    write(tmp_path, "content/en/world/scheduled.md", article("Embargoed", 20))
    an_hour_ago = time.time() - 3600  # older than the racy-timestamp margin
    for path in tmp_path.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    out = tmp_path / "site"
    config = load_config(tmp_path / "dateline.toml")
    before = dt.datetime(2026, 5, 19, 12, 0, tzinfo=dt.UTC)
    first = build(config, BuildOptions(output=out, now=before, jobs=1))
    assert [ref.path for ref, _ in first.held_back] == ["content/en/world/scheduled.md"]
    again = build(config, BuildOptions(output=out, now=before, jobs=1))
    assert again.up_to_date and again.written == 0
    assert again.held_back == first.held_back  # the summary is the same
    # No file changed, but the embargo is over: the article must appear.
    after = dt.datetime(2026, 5, 20, 12, 0, tzinfo=dt.UTC)
    published = build(config, BuildOptions(output=out, now=after, jobs=1))
    assert not published.up_to_date
    assert published.held_back == () and published.written > 0
    assert (out / "en/world/scheduled/index.html").is_file()
    clean = tmp_path / "clean"
    build(config, BuildOptions(output=clean, now=after, jobs=1, clean=True))
    assert tree(out) == tree(clean)


def test_editors_swap_and_backup_files_are_no_inputs(tmp_path):
    """vim keeps `.name.swp` beside the file for the whole editing session, emacs
    `#name#`, many editors `name~`: none of them is read by a build, so they neither
    defeat the no-change shortcut nor send a body edit down the full path."""
    seed(tmp_path)
    an_hour_ago = time.time() - 3600  # older than the racy-timestamp margin
    for path in tmp_path.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    live = tmp_path / "site"
    build_into(tmp_path, live)
    folder = tmp_path / "content/en/world"
    for name in (".story-2.md.swp", "#story-2.md#", "story-2.md~"):
        (folder / name).write_bytes(b"\x00swap")
    assert build_into(tmp_path, live).up_to_date
    story = folder / "story-2.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA new sentence.\n",
                     encoding="utf-8")
    (folder / ".story-2.md.swp").write_bytes(b"\x00swap, later")
    edited = build_into(tmp_path, live)
    assert not edited.up_to_date and not edited.replanned  # from the saved model
    assert "en/world/story-2/index.html" in edited.changed_files
    build_into(tmp_path, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")


def test_a_saved_model_the_disk_refuses_leaves_the_build_whole(tmp_path, monkeypatch):
    """Saving the model is an optimisation: a full disk fails it, not the build, and
    the next build takes the full path to the same site."""
    from dateline.build import savedbuild

    seed(tmp_path)
    live = tmp_path / "site"

    def disk_full(*_args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(savedbuild, "_write_model", disk_full)
    build_into(tmp_path, live)
    with closing(store_of(tmp_path)) as db:
        assert db.execute("SELECT count(*) FROM heads").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM models").fetchone() == (0,)
    monkeypatch.undo()
    story = tmp_path / "content/en/world/story-2.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert build_into(tmp_path, live).replanned
    build_into(tmp_path, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")


def test_a_cache_the_disk_refuses_is_a_warning_not_a_failure(tmp_path, monkeypatch):
    """The site is written before the cache: when the disk then refuses the cache, the
    build says so and succeeds, and the next one is right (built afresh)."""
    seed(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)

    def disk_full(self, during=None, again=True):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(BuildCache, "write", disk_full)
    story = tmp_path / "content/en/world/story-2.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    an_hour_ago = time.time() - 3600  # older than the racy-timestamp margin
    for path in tmp_path.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    refused = build_into(tmp_path, live)
    assert [w.message for w in refused.warnings if "cache could not be written" in w.message]
    assert "No space left on device" in str(refused.warnings[-1])
    monkeypatch.undo()
    after = build_into(tmp_path, live)  # nothing changed since, but it is built again
    assert not after.up_to_date and not after.warnings
    build_into(tmp_path, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")


def test_a_site_planned_afresh_writes_only_the_index_rows_that_changed(tmp_path,
                                                                       monkeypatch):
    """A retitle with a new dateline (inherited by translations: not a key that keeps the
    plan, `frontedit.KEPT_KEYS`) plans the site afresh: the saved model's index
    (`page_deps`) and page rows are written as the rows that differ, and end as a clean
    build leaves them."""
    seed(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)
    with closing(store_of(tmp_path)) as db:
        (total,) = db.execute("SELECT count(*) FROM pages").fetchone()
    statements: list[str] = []
    opened = buildstore.Store.db

    def traced(self):
        db = opened(self)
        db.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(buildstore.Store, "db", traced)
    apply(tmp_path, ("title", 0, "Retitled"))
    story = articles(tmp_path)[0]
    story.write_text(story.read_text(encoding="utf-8").replace(
        "---\n", "---\ndateline: Karsk\n", 1), encoding="utf-8")
    assert build_into(tmp_path, live).replanned
    monkeypatch.undo()
    # The same articles on the same pages: no index row; the pages whose fingerprints
    # changed (the story's, its listings').
    assert not [s for s in statements if s.startswith("INSERT OR REPLACE INTO page_deps")]
    pages = [s for s in statements if s.startswith("INSERT OR REPLACE INTO pages")]
    assert 0 < len(pages) < total // 2, (len(pages), total)

    def saved_rows() -> tuple[set, set]:
        with closing(store_of(tmp_path)) as db:
            return (set(db.execute("SELECT dep, pages FROM page_deps")),
                    set(db.execute("SELECT page, url, fingerprint FROM pages")))

    after_edit = saved_rows()
    build_into(tmp_path, live, clean=True)
    assert saved_rows() == after_edit


RECENT = dt.datetime(2026, 5, 12, 12, 0, tzinfo=dt.UTC)
"""A clock at which the English story-1 is in the news sitemap's window (48 hours)."""


def test_a_retitle_takes_the_kept_path_and_shows_everywhere(tmp_path):
    """From the command line, a new title keeps the saved plan (`frontedit`): only the
    files whose bytes change are written (its page, its translation's, the listings with
    its card, the pages listing it as related, the feeds carrying it, the news sitemap),
    and each shows the new title."""
    seed(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live, RECENT)
    before = tree(live)
    story = tmp_path / "content/en/world/story-1.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        'title: "Story 1"', 'title: "Fresh headline"'), encoding="utf-8")
    result = build_into(tmp_path, live, RECENT)
    after = tree(live)
    assert result.incremental and not result.replanned
    assert set(result.changed_files) == {f for f in after if before.get(f) != after[f]}
    assert "en/about/index.html" not in result.changed_files
    assert result.rendered < result.pages

    def html(name: str) -> Node:
        return parse_html_text(after[name].decode())

    assert html("en/world/story-1/index.html").one("h1").text == "Fresh headline"
    assert "Fresh headline" in html("en/world/story-1/index.html").one("title").text
    for listing in ("en/world/index.html", "en/tags/a/index.html", "en/2026/05/index.html"):
        assert "Fresh headline" in [a.text for a in html(listing).find_all("a")], listing
    related = [a.text for a in html("en/world/story-2/index.html").find_all("a")]
    assert "Fresh headline" in related  # a related story
    assert [n.text for n in html("ru/world/story-1/index.html").find_all(
        cls="translations__title")] == ["Fresh headline"]
    english = feedparser.parse(after["en/feed.xml"])
    assert "Fresh headline" in [entry.title for entry in english.entries]
    russian = feedparser.parse(after["ru/feed.xml"])  # its translation links to it
    assert "Fresh headline" in [link.get("title") for entry in russian.entries
                                for link in entry.links]
    [news] = [name for name in after if name.startswith("en/") and "news" in name]
    titles = [node.text for node in ElementTree.fromstring(after[news]).iter(
        "{http://www.google.com/schemas/sitemap-news/0.9}title")]
    assert "Fresh headline" in titles and "Story 1" not in titles
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    build_into(tmp_path, tmp_path / "clean", RECENT, clean=True)
    assert after == tree(tmp_path / "clean")
    assert recorded(tmp_path, live) == recorded(tmp_path, tmp_path / "clean")


@pytest.mark.parametrize("title", ['""', '"Unclosed', "[a, b]"],
                         ids=["empty", "bad YAML", "a list"])
def test_a_retitle_with_an_error_reports_it_as_a_clean_build_does(tmp_path, title):
    """A front-matter edit that brings an error is reported at its line, exactly as the
    full path reports it (the edit is read through the same pipeline, and any problem
    sends the build down the full path)."""
    seed(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)
    story = tmp_path / "content/en/world/story-2.md"
    story.write_text(story.read_text(encoding="utf-8").replace('"Story 2"', title),
                     encoding="utf-8")
    with pytest.raises(ContentError) as incremental:
        build_into(tmp_path, live)
    with pytest.raises(ContentError) as clean:
        build_into(tmp_path, tmp_path / "clean", clean=True)
    reported = [str(problem) for problem in incremental.value.problems]
    assert reported == [str(problem) for problem in clean.value.problems]
    assert reported and all(re.match(r"content/en/world/story-2\.md:\d+: ", p) for p in reported)


def test_a_retitle_out_of_the_news_reads_part_of_the_saved_model(tmp_path, monkeypatch):
    """A retitle of an article out of the News sitemap's window, from the command line,
    reads the saved model's rows as a body edit does (`partialstage`): the plan it renders
    holds only the pages showing the article, including the article pages linking to it
    as a related story (`related:<path>`, which a body edit does not look up)."""
    seed(tmp_path)
    live = tmp_path / "site"
    build_into(tmp_path, live)
    before = tree(live)
    story = tmp_path / "content/en/world/story-1.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        'title: "Story 1"', 'title: "Fresh headline"'), encoding="utf-8")
    planned: list[int] = []
    write_pages = stages.write_pages

    def counted(ctx, theme, plan, writer):  # the stage itself, after counting its pages
        planned.append(len(plan.pages))
        return write_pages(ctx, theme, plan, writer)

    monkeypatch.setattr(stages, "write_pages", counted)
    result = build_into(tmp_path, live)
    monkeypatch.undo()
    after = tree(live)
    assert result.incremental and not result.replanned
    assert 0 < planned[0] < result.pages  # part of the plan: the pages read from rows
    assert set(result.changed_files) == {f for f in after if before.get(f) != after[f]}
    related = [a.text for a in parse_html_text(
        after["en/world/story-2/index.html"].decode()).find_all("a")]
    assert "Fresh headline" in related and "Story 1" not in related
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    build_into(tmp_path, tmp_path / "clean", clean=True)
    assert after == tree(tmp_path / "clean")
    assert recorded(tmp_path, live) == recorded(tmp_path, tmp_path / "clean")
