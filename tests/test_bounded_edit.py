"""Issue 19: a one-article rebuild reads what the edit touches through the store's
indexes, never the whole saved model, so what it allocates does not grow with the
archive."""

import datetime as dt
import gc
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from dateline import shipped_path
from dateline.build import stages
from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "UTC"

[search]
enabled = false

[languages.en]
title = "Herald"
about = "About the Herald."

[languages.ru]
title = "Вестник"
about = "О Вестнике."
"""
SECTIONS = ("world", "economy", "science", "sport")
WORDS = "the council met on tuesday to discuss the budget and the harbour works".split()


def generated(root: Path, stories: int) -> Path:
    """A site of `stories` stories in English, half of them translated into Russian,
    over four sections and a dozen topics; the path of one English story."""
    root.mkdir()
    (root / "dateline.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copytree(shipped_path("themes") / "default", root / "themes/default")
    for i in range(stories):
        section = SECTIONS[i % len(SECTIONS)]
        moment = NOW - dt.timedelta(hours=3 * i + 1)
        body = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(80))
        for lang in ("en", "ru") if i % 2 else ("en",):
            path = root / f"content/{lang}/{section}/story-{i}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                f'---\ntitle: "Story {i} {lang}"\ndate: {moment.isoformat()}\n'
                f"tags: [t{i % 12}, t{i % 5}]\n---\n\n{body}\n", encoding="utf-8")
    return root / "content/en/world/story-4.md"


class EditBuild:
    """What the build after one body edit held: the articles of the site it rendered
    with and of its page plan, its plan's pages, and its Python allocation peak (bytes,
    `tracemalloc`)."""

    def __init__(self, articles: int, pages: int, peak: int):
        self.articles, self.pages, self.peak = articles, pages, peak


def edit_build(root: Path, stories: int, monkeypatch) -> EditBuild:
    """Build a site of `stories` stories, edit one article's body, and build again."""
    story = generated(root, stories)
    # Inputs written just now are too new for the head to vouch for by their stat (the
    # racy-stat rule): the edit build would read every one again, as many as the archive.
    aged = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (aged, aged))
    config = load_config(root / "dateline.toml")
    options = BuildOptions(output=root / "site", now=NOW, jobs=1)
    build(config, options)
    story.write_text(story.read_text(encoding="utf-8") + "\nA new sentence.\n",
                     encoding="utf-8")
    alive: list[tuple[int, int]] = []
    write_pages = stages.write_pages

    def counted(ctx, theme, plan, writer):  # the stage itself, after counting
        sites = {id(view.site): view.site for view in plan.views.values()}
        shown = {id(a) for page in plan.pages for a in (page.article, *page.items) if a}
        held = shown | {id(a) for site in sites.values() for a in site.articles}
        alive.append((len(held), len(plan.pages)))
        return write_pages(ctx, theme, plan, writer)

    monkeypatch.setattr(stages, "write_pages", counted)
    gc.collect()
    tracemalloc.start()
    try:
        result = build(load_config(root / "dateline.toml"), options)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        monkeypatch.undo()
    assert result.incremental and not result.replanned
    assert "en/world/story-4/index.html" in result.changed_files
    (articles, pages), = alive
    return EditBuild(articles, pages, peak)


def test_a_body_edit_holds_what_it_touches_not_the_archive(tmp_path):
    """Twice the stories, one body edit each: the edit build holds as many articles and
    pages as before (the pages showing the edited article, the feeds carrying it, their
    stories' versions), where reading the whole saved model held every one of them.

    Measured in a process of its own: what earlier tests left in a worker's module-level
    caches (and what they make a later build import or fill again) is not this build's."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import test_bounded_edit as t; t.measure({str(tmp_path)!r})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("measured"), done.stdout


def measure(folder: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        small = edit_build(Path(folder) / "small", 150, monkeypatch)
        large = edit_build(Path(folder) / "large", 300, monkeypatch)
    assert 0 < large.articles < 1.2 * small.articles, (small.articles, large.articles)
    assert 0 < large.pages < 1.2 * small.pages, (small.pages, large.pages)
    # What every build after an edit still reads whole, and so allocates in proportion
    # to the archive: every input file's stat, the saved head's, the output folder's
    # record of its files (docs/incremental.md). Reading the model too grew it by more.
    assert large.peak < 1.5 * small.peak, (small.peak, large.peak)
    print("measured")
