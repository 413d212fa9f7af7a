"""Issue 19: what a command-line build holds from planning to its end.

- The page plan keeps what its pages are made from (a listing's items and page URLs
  once, an article's related stories) and makes each page when asked for: before, it
  held a `Page` for every page, a slice of the items and a `Pagination` for every
  listing page (~650 bytes an article at 6,000 and 60,000 articles, ~40 MB of the
  coordinator's level at 60,000, held to the end of the build). A page made twice is
  the same value; every page is made. The languages' views share one dict of the
  stories' versions.
- The caches that served assembling the articles (slugs, their checks, the shared
  tuples of names: ~10 MB at 60,000 articles) are emptied before planning.
- The model's articles, their photos, corrections and source references are not
  tracked by the cycle collector (16 bytes each, and none of the collector's work);
  a story's versions share one string of their slug."""

import json
import subprocess
import sys

from test_assembly_footprint import NOW, with_photos
from test_bounded_edit import generated

PROBE = """
import gc, json, sys
from dateline.build import stages
from dateline.cli import main
from dateline.outputs.pages import Page, Pagination

from dateline.build import assemble
from dateline import fields, slugs

seen = {}
plan_site = stages.plan_site

def planning(ctx, theme, model):
    seen["cached_at_planning"] = [f.cache_info().currsize for f in (
        fields._shared_tuple, slugs.make_slug, slugs.slug_problem)]
    articles = model.site.articles
    seen["articles"] = len(articles)
    seen["slug_strings"] = len({id(a.slug) for a in articles})
    seen["slugs"] = len({a.slug for a in articles})
    seen["tracked"] = sum(gc.is_tracked(o) for a in articles
                          for o in (a, a.source, a.image, *a.corrections) if o is not None)
    plan = plan_site(ctx, theme, model)
    gc.collect()
    seen["pages"] = len(plan.pages)
    seen["kinds"] = sorted({page.kind for page in plan.pages})
    seen["pages_held"] = sum(type(o) is Page for o in gc.get_objects())
    seen["paginations_held"] = sum(type(o) is Pagination for o in gc.get_objects())
    made = list(plan.pages)
    seen["made_again_equal"] = made == [plan.pages[i] for i in range(len(made))]
    seen["story_dicts"] = len({id(view._groups) for view in plan.views.values()})
    seen["views"] = len(plan.views)
    seen["urls_distinct"] = len({page.url for page in made}) == len(made)
    return plan

stages.plan_site = planning
code = main(["build", "--config", sys.argv[1], "--jobs", "1", "--now", sys.argv[2]])
print(json.dumps({"code": code, **seen}))
"""


def probe(tmp_path) -> dict:
    generated(tmp_path / "site", 60)
    # (Each language's style made its own copy of a story's slug: Russian's another.)
    with (tmp_path / "site/dateline.toml").open("a", encoding="utf-8") as config:
        config.write('slug_style = "unicode"\n')
    with_photos(tmp_path / "site", 3)
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "site/dateline.toml"),
                           NOW], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0, done.stderr[-3000:]
    return found


def test_the_plan_holds_no_page_of_a_listing_or_an_article(tmp_path):
    found = probe(tmp_path)
    assert {"article", "home", "section", "tag", "month", "year"} <= set(found["kinds"])
    # 90 articles (60 in English, 30 in Russian) and their listings.
    assert found["pages"] > 150, found
    # Before: every page held (`pages_held` == `pages`), a Pagination a listing page.
    # Now: the pages of one kind each (the root, the 404s, the about and tags pages).
    assert found["pages_held"] < 16, found
    assert found["paginations_held"] == 0, found
    assert found["made_again_equal"] and found["urls_distinct"], found
    # Every language's view finds a story's versions in one dict (before: one each).
    assert found["views"] == 2 and found["story_dicts"] == 1, found


def test_assembly_caches_are_empty_and_articles_untracked_when_planning(tmp_path):
    found = probe(tmp_path)
    assert found["articles"] == 90, found
    # Before: 90 slugs, 90 checks of them and the tuples of names the articles share.
    assert found["cached_at_planning"] == [0, 0, 0], found
    assert found["tracked"] == 0, found  # (before: every article and photo)
    assert found["slugs"] == 60 and found["slug_strings"] == 60, found  # (before: 90)
