"""Issue 19: the small blocks a command-line build makes for each source while it reads
and assembles them, and drops when the sources are settled. pymalloc keeps a pool of
blocks of one size until every block in it is free: such blocks, made between the ones
the articles keep, left holes that later stages could not use (at 60,000 articles,
~50 MB of free 64-byte blocks after the sources were settled, and the process's level
to its end). Each of these was one such block, or more, a source:

- a document's path is the walk's text (the article's `source_file`), not a `Path`
  object with its list of parts; its parts below content/ are made when asked for;
- a document whose front matter waits in the cache's rows shares one empty mapping, and
  the row is a number in the rows' file, not an object holding where it is;
- the validated fields and the article made from them hold the same tuples of names;
- an entry (a translation's fields with what it inherited) is let go once its article is
  made, not held until the last article is made;
- an article's language is one string for every article in that language.

The build runs in a process of its own, hooked where the model is assembled and where
the sources are settled."""

from test_assembly_footprint import probe, with_photos
from test_bounded_edit import SECTIONS, generated

PROBE = """
import gc, json, sys
from pathlib import PurePath
from dateline.build import assemble, modelstage, stages
from dateline.cli import main

seen = {"entries_alive": []}
assemble_site = modelstage.assemble_site

def assembling(ctx, prepared, photos, *rest):
    docs = [p.doc for p in prepared]
    seen["prepared"] = len(prepared)
    seen["path_kinds"] = sorted({type(d.path).__name__ for d in docs})
    seen["paths_alive"] = sum(isinstance(o, PurePath) for o in gc.get_objects())
    seen["tuples_in_documents"] = sum(isinstance(r, tuple) for d in docs
                                      for r in gc.get_referents(d))
    seen["meta_objects"] = len({id(d.meta) for d in docs})
    seen["meta_sizes"] = sorted({len(d.meta) for d in docs})
    seen["row_kinds"] = sorted({type(p.front_row).__name__ for p in prepared})
    seen["parts"] = sorted({d.parts[:2] for d in docs})
    site = assemble_site(ctx, prepared, photos, *rest)
    by_file = {a.source_file: a for a in site.articles}
    seen["published"] = len(by_file)
    seen["paths_shared"] = sum(d.path is by_file[d.path].source_file for d in docs
                               if d.path in by_file)
    seen["lang_strings"] = len({id(a.lang) for a in site.articles})
    return site

modelstage.assemble_site = assembling
make_article = assemble._make_article

def making(entry, *args):
    seen["entries_alive"].append(sum(type(o) is assemble.Entry for o in gc.get_objects()))
    return make_article(entry, *args)

assemble._make_article = making
settle_sources = stages.settle_sources

def settling(ctx, model):
    fields = {path: row[1] for path, row in ctx.cache.data.assembly._fields_seen.items()}
    articles = model.site.articles
    distinct = [a for a in articles if len(set(fields[a.source_file].tags))
                == len(fields[a.source_file].tags)]
    seen["tag_tuples_compared"] = len(distinct)
    seen["tag_tuples_shared"] = sum(fields[a.source_file].tags is a.tags for a in distinct)
    return settle_sources(ctx, model)

stages.settle_sources = settling
stages.template_build = lambda *args: None  # the path that reads every source
code = main(["build", "--config", sys.argv[1], "--jobs", "1", "--now", sys.argv[2]])
print(json.dumps({"code": code, **seen}))
"""


def test_sources_hold_no_path_dict_tuple_or_row_object_of_their_own(tmp_path):
    generated(tmp_path / "site", 30)
    with_photos(tmp_path / "site", 3)
    found = probe(tmp_path / "site/dateline.toml", PROBE)
    assert found["prepared"] == 45, found  # 30 English stories, 15 in Russian too
    # Before: a Path each (45 alive, with their lists), a parts tuple each, a dict each
    # and a `Pickled` row each.
    assert found["path_kinds"] == ["str"], found
    assert found["paths_alive"] < 5, found
    assert found["tuples_in_documents"] == 0, found
    assert found["meta_objects"] == 1 and found["meta_sizes"] == [0], found
    assert found["row_kinds"] == ["int"], found
    # The parts are still there when asked for: language, then section.
    assert {p[0] for p in found["parts"]} == {"en", "ru"}, found
    assert all(len(p) == 2 and p[1] in SECTIONS for p in found["parts"]), found
    # The article keeps the document's path text itself.
    assert found["published"] > 30 and found["paths_shared"] == found["published"], found


def test_assembling_lets_entries_go_and_shares_names_and_languages(tmp_path):
    generated(tmp_path / "site", 30)
    found = probe(tmp_path / "site/dateline.toml", PROBE)
    alive = found["entries_alive"]
    assert len(alive) == 45, found
    # One fewer alive as each article is made; before: all 45 until the last was made.
    assert alive[0] >= 40 and alive[-1] <= 2, found
    # Before: the fields' tuples were their own, the article's another (0 shared).
    assert found["tag_tuples_compared"] > 20, found
    assert found["tag_tuples_shared"] == found["tag_tuples_compared"], found
    assert found["lang_strings"] == 2, found  # (before: one an article)
