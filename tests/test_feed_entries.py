"""A build makes each article's feed entry once and puts it into every feed of its
language that carries it (`feeds.FeedEntries`), never one of an earlier build; the
feeds and sitemaps are made on the build's processes (`output.made_groups`), with the
same bytes whatever their number."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from dateline.build.discovery import FileGroup
from dateline.build.output import GROUPS_PER_WORKER, made_groups
from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.incremental.session import BuildSession
from dateline.outputs import feeds

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
SECTIONS = ("world", "economy")
TAGS = ("vote", "prices", "courts")


def ago(hours: int) -> str:
    return (NOW - dt.timedelta(hours=hours)).isoformat()


def newsroom(article_text, config_text) -> dict[str, str]:
    """Stories in four languages, two sections, three topics and two authors: each story
    is in its language's feed, its section's, its topics' and its author's."""
    files = {"dateline.toml": config_text() + "".join(
        f'\n[authors.w{n}]\nname = "Writer {n}"\n' for n in range(2))}
    for lang in ("en", "ru", "fa", "av"):
        for n in range(6):
            files[f"content/{lang}/{SECTIONS[n % 2]}/story-{n}.md"] = article_text(
                f"Story {n} ({lang})", date=ago(3 * n + 1), authors=[f"w{n % 2}"],
                tags=[TAGS[n % 3], TAGS[(n + 1) % 3]], summary=f"Summary {n}.",
                body=f"Body of story {n} in {lang}, [with a link](/{lang}/).\n")
    return files


def build_into(root: Path, out: Path, jobs: int = 1, **options):
    config = load_config(root / "dateline.toml")
    return build(config, BuildOptions(output=out, now=NOW, jobs=jobs, **options))


def atom_feeds(out: Path) -> dict[str, feedparser.FeedParserDict]:
    """Every Atom feed of the output but the corrections' (whose entries are notes)."""
    found = {path.relative_to(out).as_posix(): feedparser.parse(path.read_bytes())
             for path in sorted(out.rglob("feed.xml")) if "corrections" not in path.parts}
    assert all(not parsed.bozo for parsed in found.values())
    return found


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".dateline-output"}


@pytest.mark.parametrize("in_session", [True, False], ids=["serve session", "one process"])
def test_a_later_build_never_reuses_an_earlier_builds_entries(tmp_path, make_site,
                                                             article_text, config_text,
                                                             in_session):
    """The preview server runs many builds in one process: after a body edit every feed
    carrying the story shows the new body (and equals a clean build's)."""
    root = make_site(tmp_path / "site", newsroom(article_text, config_text))
    session = BuildSession() if in_session else None
    live = tmp_path / "live"
    build_into(root, live, session=session)
    story = "content/en/world/story-0.md"
    old_word, new_word = "Body of story 0 in en", "Rewritten body of the story"
    before = [name for name, parsed in atom_feeds(live).items()
              if any(old_word in e.content[0].value for e in parsed.entries)]
    # The language's, the section's, two topics', the author's.
    assert len(before) == 5, before
    edited = root / story
    edited.write_text(edited.read_text(encoding="utf-8").replace(old_word, new_word),
                      encoding="utf-8")
    told = {"changed": frozenset({edited})} if in_session else {}
    result = build_into(root, live, session=session, **told)
    assert result.incremental
    shown = atom_feeds(live)
    for name in before:
        bodies = [e.content[0].value for e in shown[name].entries
                  if e.link == "https://news.example.org/en/world/story-0/"]
        assert len(bodies) == 1 and new_word in bodies[0] and old_word not in bodies[0], name
    rss = feedparser.parse((live / "en/rss.xml").read_bytes())
    assert [e.content[0].value for e in rss.entries if e.title == "Story 0 (en)"][0].count(
        new_word) == 1
    build_into(root, tmp_path / "clean", clean=True)
    assert tree(live) == tree(tmp_path / "clean")


def test_each_entry_is_made_once_per_build_and_language(tmp_path, make_site, article_text,
                                                        config_text, monkeypatch):
    """A story is in five Atom feeds and an RSS one: its entry is made once per format
    and its body read and made absolute once."""
    root = make_site(tmp_path / "site", newsroom(article_text, config_text))
    calls = {"atom": 0, "body": 0}

    def counted(name, function):
        def call(*args):
            calls[name] += 1
            return function(*args)
        return call

    monkeypatch.setattr(feeds, "_atom_entry", counted("atom", feeds._atom_entry))
    monkeypatch.setattr(feeds, "_full_body", counted("body", feeds._full_body))
    build_into(root, tmp_path / "out")
    shown = atom_feeds(tmp_path / "out")
    entries = [e.id for parsed in shown.values() for e in parsed.entries]
    assert len(entries) > 4 * len(set(entries))  # each story is in five feeds
    assert calls == {"atom": len(set(entries)), "body": len(set(entries))}


def test_entries_are_held_for_one_language_at_a_time(tmp_path, make_site, article_text,
                                                     config_text, monkeypatch):
    """Feeds are made a language after another: the entries of a language whose feeds
    are made are dropped (a full-content entry of a Persian story is ~20 kB; issue 19),
    and each entry is still made once."""
    root = make_site(tmp_path / "site", newsroom(article_text, config_text))
    held: list[set[str]] = []
    atom = feeds.FeedEntries.atom

    def watched(self, view, article):
        made = atom(self, view, article)
        held.append({key[1] for key in self._entries})
        return made

    monkeypatch.setattr(feeds.FeedEntries, "atom", watched)
    build_into(root, tmp_path / "out")
    assert max(map(len, held)) == 1  # (fdd187f: all four by the last feed)
    assert set().union(*held) == {"en", "ru", "fa", "av"}


def test_a_languages_entries_are_held_in_fewer_bytes_than_their_characters(
        tmp_path, make_site, article_text, config_text, monkeypatch):
    """The entries and bodies held while a language's feeds are made are packed: a
    Russian entry's text is two bytes a character as a str, and a language's entries
    were the largest part of the feeds' process (issue 19). Whatever holds them, they
    take less than a byte a character, and the feeds are those of a clean read."""
    words = "Правительство объявило о новых мерах после протестов в столице. "
    files = newsroom(article_text, config_text)
    for name in [n for n in files if n.startswith("content/ru/")]:
        files[name] = files[name].replace("Body of story", words * 40 + "Body of story")
    root = make_site(tmp_path / "site", files)
    most = {"held": 0, "characters": 0}
    atom = feeds.FeedEntries.atom

    def held_bytes(value) -> int:
        if isinstance(value, (str, bytes)) or value is None:
            return sys.getsizeof(value)
        return sum(held_bytes(getattr(value, name)) for name in value.__slots__
                   if name != "namespaces")

    def watched(self, view, article):
        made = atom(self, view, article)
        if view.code == "ru":
            held = sum(map(held_bytes, self._entries.values()))
            held += sum(map(held_bytes, self._bodies.values()))
            characters = sum(len(f.text) for f in self._entries.values())
            if held > most["held"]:
                most.update(held=held, characters=characters)
        return made

    monkeypatch.setattr(feeds.FeedEntries, "atom", watched)
    build_into(root, tmp_path / "out")
    assert most["characters"] > 6 * 40 * len(words)  # six long stories' entries
    # 09ce887: ~3.5 bytes a character (the entries' and the bodies' texts as str).
    assert most["held"] < most["characters"], most
    parsed = feedparser.parse((tmp_path / "out/ru/feed.xml").read_bytes())
    assert not parsed.bozo and len(parsed.entries) == 6
    assert all(e.content[0].value.count(words.strip()) == 40 for e in parsed.entries)


def test_one_and_two_processes_make_the_same_feeds_and_sitemaps(tmp_path, make_site,
                                                                article_text, config_text):
    root = make_site(tmp_path / "site", newsroom(article_text, config_text))
    one = build_into(root, tmp_path / "one", jobs=1, clean=True)
    two = build_into(root, tmp_path / "two", jobs=2, clean=True)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert one.written == two.written
    xml = sorted((tmp_path / "two").rglob("*.xml"))
    # Enough groups that two processes share them (`made_groups`).
    assert len([p for p in xml if p.name in ("feed.xml", "rss.xml")]) >= 2 * GROUPS_PER_WORKER
    for path in xml:
        ET.parse(path)  # well-formed
    assert len(atom_feeds(tmp_path / "two")) == 4 * (1 + len(SECTIONS) + len(TAGS) + 2)


def test_groups_are_shared_between_processes_and_search_stays_here(tmp_path):
    """The model's groups (feeds, sitemaps…) on both processes, each made once; the
    search buckets in this one (they read the pages it staged)."""
    marks = tmp_path / "marks"
    marks.mkdir()
    deadline = time.monotonic() + 10  # (the system's clock: the helper's too)

    def made_here(name: str):
        def make():
            (marks / str(os.getpid())).touch()
            # Until another process made one too (or a while): this one must not take
            # every group before the helper starts.
            while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            return [(name, str(os.getpid()).encode())]
        return make

    names = [f"feed:{n}/feed.xml" for n in range(2 * GROUPS_PER_WORKER)] + ["sitemaps"]
    groups = [FileGroup(name, f"fp-{name}", made_here(name)) for name in names]
    groups.append(FileGroup("search:en:0", "fp-search",
                            lambda: [("s", str(os.getpid()).encode())]))
    results = list(made_groups(groups, 2))
    assert sorted(name for name, _, _ in results) == sorted(names + ["search:en:0"])
    assert all(fingerprint == f"fp-{name}" for name, fingerprint, _ in results
               if not name.startswith("search:"))
    pids = {files[0][1] for name, _, files in results if not name.startswith("search:")}
    assert len(pids) == 2 and str(os.getpid()).encode() in pids
    assert [files for name, _, files in results if name == "search:en:0"] == [
        [("s", str(os.getpid()).encode())]]
