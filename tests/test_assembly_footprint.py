"""Issue 19: what a command-line build holds per source while it assembles the articles,
the moment its memory peaks (`make_model`'s end). At 60,000 articles, each of these was
several megabytes of the coordinator's peak:

- the walk's path strings and the sources by path are dropped once the sources are read
  (only a preview session's next build looks them up);
- a source as prepared, its cache entry and its article's memo entry keep their fields
  in slots, not in a dict of their own each;
- an article's memo entry keeps a digest of what the article was made from, not those
  inputs (its photo's path and stat, its original's path and digest, ...);
- where an article wrote its section and tags (`vocabulary.Use`) is made as it is
  checked, not held for every article until the collisions are checked (~180 bytes an
  article, with their `SourceRef`s);
- the photo stage finds the published sources by their path strings, not by a `Path`
  made for each article (~380 bytes an article), and a photo's renditions share one
  list of the places that use it.

The build runs in a process of its own, hooked where the model is assembled and where
the sources are settled; the next builds must still reuse what the cache kept."""

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image
from test_bounded_edit import generated

NOW = "2026-06-01T12:00:00+00:00"
PROBE = """
import gc, json, sys
from dateline.build import assemble, modelstage, stages
from dateline.build.vocabulary import Use
from dateline.cli import main

seen = {}
check_translation_keys = assemble.check_translation_keys

def checking_keys(*args):
    seen["uses_held"] = sum(isinstance(o, Use) for o in gc.get_objects())
    return check_translation_keys(*args)

assemble.check_translation_keys = checking_keys

from pathlib import PurePath
from dateline.build import photostage
paths_at = {}
make_photos, site_renditions = photostage.make_photos, photostage.site_renditions

def paths_alive():
    return sum(isinstance(o, PurePath) for o in gc.get_objects())

def making_photos(*args):
    paths_at["start"] = paths_alive()
    return make_photos(*args)

def listing_renditions(*args):
    seen["paths_made"] = paths_alive() - paths_at["start"]
    found = site_renditions(*args)
    places = [wheres for _rendition, wheres in found.values()]
    seen["renditions"] = len(places)
    seen["place_lists"] = len({id(where) for wheres in places for where in wheres})
    return found

photostage.make_photos, photostage.site_renditions = making_photos, listing_renditions
modelstage.make_photos = making_photos
assemble_site = modelstage.assemble_site

def assembling(ctx, prepared, photos, *rest):
    stats = ctx.begun.stats
    # (The walk's lazily made strings: `WalkStats.forget_strings` drops them.)
    seen["walk_strings"] = stats is not None and stats._paths is not None
    seen["sources_by_path"] = len(ctx.memory.prepared)
    seen["prepared_with_dict"] = sum(hasattr(p, "__dict__") for p in prepared)
    seen["entries_with_dict"] = sum(hasattr(p.entry, "__dict__") for p in prepared)
    seen["prepared"] = len(prepared)
    return assemble_site(ctx, prepared, photos, *rest)

modelstage.assemble_site = assembling
settle_sources = stages.settle_sources

def settling(ctx, model):
    entries = list(ctx.cache.data.assembly._articles_seen.values())
    seen["memo_entries"] = len(entries)
    seen["memo_with_dict"] = sum(hasattr(e, "__dict__") for e in entries)
    seen["inputs_kinds"] = sorted({f"{type(e.inputs).__name__}:{len(e.inputs)}"
                                   for e in entries})
    return settle_sources(ctx, model)

stages.settle_sources = settling
stages.template_build = lambda *args: None  # the path that reads every source
code = main(["build", "--config", sys.argv[1], "--jobs", "1", "--now", sys.argv[2]])
print(json.dumps({"code": code, **seen}))
"""


def probe(config: Path, code: str = PROBE) -> dict:
    """What the build's process reported (`code`, run with the config and NOW)."""
    done = subprocess.run([sys.executable, "-c", code, str(config), NOW],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0, done.stderr[-3000:]
    return found


def build(config: Path) -> str:
    done = subprocess.run([sys.executable, "-c", "import sys; from dateline.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", "build", "--config", str(config),
                           "--now", NOW], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def with_photos(root: Path, photos: int) -> None:
    """Every English story given one of `photos` lead photos (its translation inherits
    it)."""
    (root / "content/images").mkdir()
    for n in range(photos):
        Image.new("RGB", (640, 400), (40 * n, 90, 120)).save(root / f"content/images/p{n}.jpg")
    for n, path in enumerate(sorted((root / "content/en").rglob("*.md"))):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n---\n\n", f"\nimage:\n  src: /images/p{n % photos}.jpg"
                                     "\n  alt: A photo\n---\n\n", 1), encoding="utf-8")


def test_assembling_holds_no_walk_strings_nor_dicts_nor_inputs_per_source(tmp_path):
    story = generated(tmp_path / "site", 30)
    with_photos(tmp_path / "site", 5)
    config = tmp_path / "site/dateline.toml"
    found = probe(config)
    assert found["prepared"] == 45, found  # 30 English stories, 15 in Russian too
    # 09ce887: the walk's strings held (True), 45 sources by path, 45 dicts of each kind.
    assert found["walk_strings"] is False, found
    assert found["sources_by_path"] == 0, found
    assert found["prepared_with_dict"] == 0 and found["entries_with_dict"] == 0, found
    assert found["memo_entries"] == 45 and found["memo_with_dict"] == 0, found
    # One 16-byte digest each (09ce887: a tuple of seven inputs).
    assert found["inputs_kinds"] == ["bytes:16"], found
    assert found["uses_held"] == 0, found  # (df9c0ea: 45)
    assert found["paths_made"] < 5, found  # (df9c0ea: 45, a Path for each article)
    # A list of places for each photo's plans (5 photos: its article renditions, card
    # and social crops each), shared by their renditions (df9c0ea: each rendition had
    # a copy of the 45 articles' places).
    assert found["renditions"] > 15 and found["place_lists"] <= 15, found

    # The cache those rows were written to serves the next builds as before: nothing
    # written when nothing changed, one article and its listings after a body edit.
    assert "0 written" in build(config)
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more line.\n",
                     encoding="utf-8")
    edited = build(config)
    assert " 0 written" not in edited and "incremental build" in edited, edited


def test_a_storys_versions_hold_one_string_of_its_key(tmp_path, monkeypatch):
    """Every version of a story names the story by one string, not a copy each."""
    from dateline.build import assemble
    from dateline.build.pipeline import BuildOptions, build
    from dateline.config import load_config

    seen = []
    check = assemble.check_translation_keys

    def checking(published, *rest):
        seen.extend(published)
        return check(published, *rest)

    monkeypatch.setattr(assemble, "check_translation_keys", checking)
    root = tmp_path / "site"
    generated(root, 8)
    config = load_config(root / "dateline.toml")
    build(config, BuildOptions(output=tmp_path / "out", jobs=1))
    versions: dict[str, list] = {}
    for article in seen:
        versions.setdefault(article.translation_key, []).append(article)
    translated = [group for group in versions.values() if len(group) > 1]
    assert len(translated) == 4
    assert all(group[0].translation_key is other.translation_key
               for group in translated for other in group)
