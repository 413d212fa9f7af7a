"""Issue 19: a build that reads its sources (a cold build, a template edit) keeps what
the cache learnt of each source (its front matter as loaded, its validated fields, its
article entry) as the rows to write once the pages are planned, not as objects held
while the whole site renders: they were most of what the build held per article.

Each build runs in a process of its own, which counts at the start of rendering the
objects of those kinds still alive; the cache they were written to must then serve the
next builds as before (nothing rendered again when nothing changed, one body edit
rendering its article)."""

import json
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

from test_bounded_edit import generated

from dateline.errors import Problems
from dateline.read import read_document

NOW = "2026-06-01T12:00:00+00:00"
COUNT = """
import gc, json, sys
from dateline.build import stages
from dateline.build.output import ChangedFiles
from dateline.cli import main
from dateline.fields import FrontMatter
from dateline.incremental.memo import ArticleEntry
from dateline.read import Document

seen = {}
write_pages = stages.write_pages

def counted(ctx, theme, plan, writer):
    gc.unfreeze()  # the model is frozen out of the collector's lists: count it too
    gc.collect()
    objects = gc.get_objects()
    seen["fields"] = sum(isinstance(o, FrontMatter) for o in objects)
    seen["entries"] = sum(isinstance(o, ArticleEntry) for o in objects)
    seen["front_matter"] = sum(isinstance(o, Document) and bool(o.meta) for o in objects)
    seen["writer"] = writer
    return write_pages(ctx, theme, plan, writer)

stages.write_pages = counted
plan_site = stages.plan_site

def planned(ctx, theme, model):
    gc.unfreeze()
    gc.collect()
    seen["fields_planning"] = sum(isinstance(o, FrontMatter) for o in gc.get_objects())
    return plan_site(ctx, theme, model)

stages.plan_site = planned
settle_sources = stages.settle_sources

def settling(ctx, model):
    # Assembled: the sources read afresh hold no front matter, their rows wait on disk.
    seen["assembled_front_matter"] = sum(bool(p.doc.meta) for p in model.prepared)
    seen["front_rows"] = sum(p.front_row is not None for p in model.prepared)
    return settle_sources(ctx, model)

stages.settle_sources = settling
from dateline.build import modelstage, reading
assemble_site = modelstage.assemble_site

def assembling(ctx, prepared, photos, *rest):
    # Read: the sources read from their files hold no front matter yet (it waits on
    # disk); while assembling, one at a time holds it, while its fields are read.
    seen["read_front_matter"] = sum(bool(p.doc.meta) for p in prepared)
    load, most = getattr(reading, "front_matter_of", None), [0]

    def loading(row):
        most[0] = max(most[0], sum(bool(p.doc.meta) for p in prepared))
        return load(row)

    reading.front_matter_of = loading
    try:
        return assemble_site(ctx, prepared, photos, *rest)
    finally:
        reading.front_matter_of = load
        seen["held_before_a_load"] = most[0] if load else None

modelstage.assemble_site = assembling
# The full path, which reads the sources: a template edit renders by chunks from the
# saved rows when it can (test_template_chunks.py), and reads every source when it cannot.
stages.template_build = lambda *args: None
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


def test_the_sources_entries_are_not_held_while_rendering(tmp_path):
    story = generated(tmp_path / "site", 40)
    config = tmp_path / "site/dateline.toml"
    card = tmp_path / "site/themes/default/templates/partials/card.html"
    cold = build(config)
    card.write_text(card.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    edited = build(config)
    for kind, found, least in (("cold", cold, 100), ("template edit", edited, 40)):
        assert found["rendered"] > least, (kind, found)  # every page, every listing
        # What the cache keeps of each of the 60 sources is written from rows now, not
        # held as objects (main: 60 of each).
        assert found["fields"] == 0 and found["entries"] == 0, (kind, found)
        # The validated fields are written out before planning, with the sources'
        # entries: planning makes its pages without them (main: 60).
        assert found["fields_planning"] == 0, (kind, found)
        # (The last document read stays in a closure of the reading stage: one.)
        assert found["front_matter"] <= 1, (kind, found)
    # The rows written serve the next builds: nothing to render, then one page's article.
    assert build(config)["rendered"] == 0
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more line.\n",
                     encoding="utf-8")
    assert 0 < build(config)["rendered"] <= 2


def front_matter_rows(root: Path) -> dict[str, tuple[dict, dict]]:
    """The cache's front-matter rows, as the store file holds them."""
    with sqlite3.connect(root / ".dateline-cache/build.sqlite") as store:
        rows = store.execute("SELECT key, value FROM entries WHERE tbl = 'front_matter'")
        return {key: pickle.loads(value) for key, value in rows}


def as_read(root: Path) -> dict[str, tuple[dict, dict]]:
    """Every source's front matter and the line of each key, read from its file."""
    found = {}
    for path in sorted((root / "content").rglob("*.md")):
        doc = read_document(path, root / "content", root, Problems())
        found[str(path)] = (doc.meta, doc.key_lines)
    return found


def test_the_front_matter_read_waits_on_disk_but_while_its_fields_are_read(tmp_path):
    root = tmp_path / "site"
    story = generated(root, 40)
    config = root / "dateline.toml"
    cold = build(config)
    # Each of the 60 sources read: its front matter sent by its worker as the cache's
    # row, written to the rows' file, in its document only while its fields were read
    # (aca2f8d: 60 documents holding theirs when assembling started, each ~1 kB in a
    # large archive; before it, also at the end of assembling).
    assert cold["front_rows"] == 60 and cold["assembled_front_matter"] == 0, cold
    assert cold["read_front_matter"] == 0 and cold["held_before_a_load"] == 0, cold
    assert front_matter_rows(root) == as_read(root)
    # One story retitled with a template edited (a build that reads every source: the
    # saved model does not stand for them): the others are taken from the cache (their
    # front matter is the cache's table's, kept as it is); the one read afresh is its
    # new row.
    card = root / "themes/default/templates/partials/card.html"
    card.write_text(card.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    story.write_text(story.read_text(encoding="utf-8").replace('title: "Story 4 en"',
                                                               'title: "Retitled"'),
                     encoding="utf-8")
    retitled = build(config)
    assert retitled["front_rows"] == 1 and retitled["assembled_front_matter"] == 59, retitled
    assert retitled["read_front_matter"] == 59, retitled
    rows = front_matter_rows(root)
    assert rows[str(story)][0]["title"] == "Retitled"
    assert rows == as_read(root)
    assert build(config)["rendered"] == 0
