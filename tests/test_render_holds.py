"""Issue 19: what a cold build or a template edit holds per article while it renders
and makes the feeds and sitemaps (the build's peak), beyond the model and its plan.

Each build runs in a process of its own (`--jobs 1`) which counts, at the start of
rendering: the pickled cache rows held in memory (settled rows now wait in a temporary
file beside the store), and the Path objects of the sources (none now; one per source
before, and the walk's, a worker's result's and the lookup's copies before that); when
the card memo is emptied: how many distinct objects its keys are made of (each part shared by the
cards that see it); at the start of the feeds and sitemaps: the cards still in the memo
(none: they are not shown again), the sources as prepared (documents, entries: none,
their rows wait on disk) and the Paths of the staged output's folders (none kept). The
cache written must then serve the next builds."""

import json
import subprocess
import sys
from pathlib import Path

from test_bounded_edit import generated

NOW = "2026-06-01T12:00:00+00:00"
COUNT = """
import gc, json, pathlib, sys
from dateline.build import cardmemo, stages
from dateline.build.output import ChangedFiles
from dateline.cli import main

seen = {"cleared": []}
write_pages, write_discovery = stages.write_pages, stages.write_discovery
clear = cardmemo.PartialMemo.clear

def live():
    gc.unfreeze()  # the model is frozen out of the collector's lists: count it too
    gc.collect()
    return gc.get_objects()

def counted(ctx, theme, plan, writer):
    objects = live()
    seen["pickled_rows"] = sum(
        1 for o in objects if type(o) is dict for v in o.values()
        if isinstance(v, bytes) and v[:1] == b"\\x80" and len(v) > 32)
    sources = [o for o in objects if isinstance(o, pathlib.PurePath) and o.suffix == ".md"]
    seen["source_paths"], seen["sources"] = len(sources), len({str(p) for p in sources})
    seen["writer"] = writer
    return write_pages(ctx, theme, plan, writer)

def cleared(memo):
    if memo.entries:
        parts = [part for key in memo.entries for part in key]
        seen["cleared"].append((len(memo.entries), len(parts), len({id(p) for p in parts})))
    clear(memo)

def discovered(ctx, theme, model, plan, writer):
    from dateline.build.prepare import Prepared
    from dateline.incremental.cache import SourceEntry
    from dateline.read import Document

    objects = live()
    seen["cards_held"] = sum(len(o.entries) for o in objects
                             if isinstance(o, cardmemo.PartialMemo))
    seen["prepared_held"] = sum(isinstance(o, (Prepared, Document, SourceEntry))
                                for o in objects)
    seen["folders_held"] = sum(isinstance(o, pathlib.PurePath) and o.suffix != ".md"
                               and o.name not in (".", "") and "site" in o.parts
                               for o in objects)
    return write_discovery(ctx, theme, model, plan, writer)

stages.write_pages, stages.write_discovery = counted, discovered
# The full path: a template edit renders by chunks from the saved rows when it can
# (test_template_chunks.py), and takes this path when it cannot (an article edited
# since the model was saved, another input changed).
stages.template_build = lambda *args: None
cardmemo.PartialMemo.clear = cleared
code = main(["build", "--config", sys.argv[1], "--jobs", "1", "--now", sys.argv[2]])
writer = seen.pop("writer", None)
written = ChangedFiles(writer.written) if writer else ()
seen["rendered"] = sum(name.endswith(".html") for name in written)
print(json.dumps({"code": code, **seen}))
"""


def build(config: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", COUNT, str(config), NOW],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0, done.stderr[-3000:]
    return found


def test_rendering_holds_one_copy_of_each_source_and_no_cards_after(tmp_path):
    story = generated(tmp_path / "site", 40)
    config = tmp_path / "site/dateline.toml"
    card = tmp_path / "site/themes/default/templates/partials/card.html"
    cold = build(config)
    card.write_text(card.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    edited = build(config)
    for kind, found in (("cold", cold), ("template edit", edited)):
        assert found["rendered"] > 40, (kind, found)  # every page, every listing
        # The 60 sources' rows to write wait on disk (main, cold: 180 pickles held).
        assert found["pickled_rows"] == 0, (kind, found)
        # No Path object per source (at most the last source read, in a closure of the
        # reading stage): the process's memory of its build kept their list for a preview
        # session's next build (before: one per source; earlier, three).
        assert found["sources"] <= 1 and found["source_paths"] <= 1, (kind, found)
        # The cards are dropped once every page is rendered (main: kept to the end).
        assert found["cards_held"] == 0, (kind, found)
        # Nor are the sources as read held at the feeds and sitemaps: their entries'
        # rows wait on disk with the others (main, cold: 180, a document, an entry and
        # the prepared source of each; one left here: the last document read, in a
        # closure of the reading stage), nor a Path per folder of the staged output
        # written (main: 129 Paths under the site's folder, here 19: its own, the
        # theme's, the staging folder's...).
        assert found["prepared_held"] <= 1, (kind, found)
        assert found["folders_held"] < 40, (kind, found)
        # ... and while they were held, their keys shared their parts: a listing's
        # cards differ in the article and little else (main: a tuple per part per card).
        (entries, parts, distinct), *_ = found["cleared"]
        assert entries > 60 and distinct < 0.3 * parts, (kind, found)
    # The rows written from the temporary file serve the next builds.
    assert build(config)["rendered"] == 0
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more line.\n",
                     encoding="utf-8")
    assert 0 < build(config)["rendered"] <= 2
