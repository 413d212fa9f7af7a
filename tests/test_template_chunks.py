"""Issue 19: a template edit renders the pages of the changed templates a chunk at a
time from the saved model's rows (`build/templatestage.py`), so that no process holds
every article while rendering; the output is what a clean build makes, and so are the
next builds' (a body edit, a retitle, a second template edit).

Each build runs in a process of its own (`--jobs 1`, chunks of 5 pages, listings of
4 cards a page) which counts
the `Article` objects alive whenever a batch of pages starts rendering (the card memo
is emptied then: `cardmemo.forget`), and reports the largest count."""

import json
import subprocess
import sys
from pathlib import Path

from test_bounded_edit import generated

from tests.conftest import parse_html_text

NOW = "2026-06-01T12:00:00+00:00"
COUNT = """
import gc, json, sys
from dateline.build import cardmemo
from dateline.cli import main
from dateline.model import Article

try:
    from dateline.build import templatestage
    templatestage.CHUNK_PAGES = 5
except ImportError:
    pass
seen = {"most_articles": 0, "batches": 0}
forget = cardmemo.forget

def counted(env):
    gc.unfreeze()  # the model is frozen out of the collector's lists: count it too
    gc.collect()
    # (Articles are not tracked by the collector, `gc=False`: found by what holds them.)
    alive = len({id(r) for o in gc.get_objects() for r in gc.get_referents(o)
                 if type(r) is Article})
    seen["most_articles"] = max(seen["most_articles"], alive)
    seen["batches"] += 1
    return forget(env)

cardmemo.forget = counted
args = ["build", "--config", sys.argv[1], "--jobs", "1", "--now", sys.argv[2], *sys.argv[3:]]
code = main(args)
print(json.dumps({"code": code, **seen}))
"""


def build(config: Path, *more: str) -> dict:
    done = subprocess.run([sys.executable, "-c", COUNT, str(config), NOW, *more],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0, done.stderr[-3000:]
    return found


def same_tree(one: Path, other: Path) -> list[str]:
    """Files that differ or are missing between the two trees (not the build id)."""

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and p.name != ".dateline-output"}

    left, right = files(one), files(other)
    return sorted(name for name in left.keys() | right.keys()
                  if left.get(name) != right.get(name))


def clean_copy(root: Path, out: Path) -> Path:
    build(root / "dateline.toml", "--clean", "--out", str(out))
    return out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_template_edit_renders_by_chunks_what_a_clean_build_makes(tmp_path):
    story = generated(tmp_path / "site", 60)  # 90 articles
    root = tmp_path / "site"
    config = root / "dateline.toml"
    edit(config, "[site]\n", "[site]\nper_page = 4\n")
    templates = root / "themes/default/templates"
    cold = build(config)
    assert cold["most_articles"] >= 90  # the whole site's, planned afresh

    # The base template: every page but the root chooser, listings and articles alike.
    edit(templates / "base.html", "</body>", "<p class=edited>redesign</p></body>")
    edited = build(config)
    assert edited["batches"] > 4  # chunks of 5 pages, not one batch of every page
    # Never every article at once (main: all 90 and more, held to the end).
    assert edited["most_articles"] < 45, edited
    assert same_tree(root / "site", clean_copy(root, tmp_path / "clean1")) == []
    page = (root / "site/en/index.html").read_text(encoding="utf-8")
    assert "<p class=edited>redesign</p>" in page

    # The next builds start from what the template edit left: a body edit, a retitle,
    # a second template edit (the card), each what a clean build makes.
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                     encoding="utf-8")
    build(config)
    assert same_tree(root / "site", clean_copy(root, tmp_path / "clean2")) == []
    edit(story, 'title: "Story 4 en"', 'title: "Story four, retitled"')
    build(config)
    assert same_tree(root / "site", clean_copy(root, tmp_path / "clean3")) == []
    build(config, "--clean")  # a model saved afresh (edits since the model: full path)
    edit(templates / "partials/card.html", '<article class="card',
         '<article data-edited class="card')
    again = build(config)
    assert again["most_articles"] < 45, again
    assert same_tree(root / "site", clean_copy(root, tmp_path / "clean4")) == []
    listing = (root / "site/en/index.html").read_text(encoding="utf-8")
    assert "data-edited" in listing


def test_a_template_edit_after_the_days_edits_renders_by_chunks_with_them(tmp_path):
    """Articles edited since the model was saved (a body, a title: the head's edits) and
    then a redesign: the pages show the edited versions, rendered chunk by chunk (before,
    such a build planned the whole site afresh), and the builds after it stay right."""
    story = generated(tmp_path / "site", 60)  # 90 articles
    root = tmp_path / "site"
    config = root / "dateline.toml"
    edit(config, "[site]\n", "[site]\nper_page = 4\n")
    templates = root / "themes/default/templates"
    build(config)
    story.write_text(story.read_text(encoding="utf-8") + "\nA sentence added.\n",
                     encoding="utf-8")
    build(config)
    edit(story, 'title: "Story 4 en"', 'title: "Story four, retitled"')
    build(config)

    edit(templates / "base.html", "</body>", "<p class=edited>redesign</p></body>")
    edited = build(config)
    assert edited["batches"] > 4 and edited["most_articles"] < 45, edited
    assert same_tree(root / "site", clean_copy(root, tmp_path / "clean1")) == []
    # The retitled card on the listings, read from the built pages: never the old title.
    cards = [card.text for page in (root / "site/en").rglob("index.html")
             for card in parse_html_text(page.read_text(encoding="utf-8")).find_all(
                 "article", cls="card")]
    assert sum("Story four, retitled" in card for card in cards) >= 2, len(cards)
    assert not any("Story 4 en" in card for card in cards)

    # The head carries the edits on: another body edit and a second template edit.
    story.write_text(story.read_text(encoding="utf-8") + "\nAnd another.\n", encoding="utf-8")
    build(config)
    assert same_tree(root / "site", clean_copy(root, tmp_path / "clean2")) == []
    edit(templates / "partials/card.html", '<article class="card',
         '<article data-edited class="card')
    again = build(config)
    assert again["most_articles"] < 45, again
    assert same_tree(root / "site", clean_copy(root, tmp_path / "clean3")) == []
