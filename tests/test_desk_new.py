"""`dateline new`: a story file ready to fill, in a temporary site, through the CLI."""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dateline.errors import Problems
from dateline.read import forbidden_character, read_document


@pytest.fixture
def site(tmp_path, make_site, config_text):
    """en (the site's zone, Europe/Prague) and fa in Asia/Kabul (+04:30, no DST)."""
    config = config_text().replace('[languages.fa]\n', '[languages.fa]\ntimezone = '
                                   '"Asia/Kabul"\n')
    return make_site(tmp_path / "site", {"dateline.toml": config,
                                         "content/en/world/old.md": "---\ntitle: Old\n"
                                         "date: 2025-01-01\nsummary: s\n---\nText.\n"})


def _front(path):
    text = path.read_text(encoding="utf-8")
    head = text.split("---\n")[1]
    return yaml.load(head, Loader=yaml.BaseLoader), text


@pytest.mark.parametrize("lang, zone", [("en", "Europe/Prague"), ("fa", "Asia/Kabul")])
def test_new_writes_front_matter_dated_now_in_the_languages_zone(site, run_cli, lang, zone):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = run_cli(["new", f"{lang}/world/budget-vote", "--title", 'A "quoted": title',
                      "--config", site / "dateline.toml"], cwd=site)
    after = dt.datetime.now(dt.UTC)
    assert result.code == 0, result.err
    path = site / "content" / lang / "world" / "budget-vote.md"
    assert result.out.strip() == f"content/{lang}/world/budget-vote.md"
    front, text = _front(path)
    assert list(front) == ["title", "date", "authors", "tags", "summary", "draft"]
    assert front["title"] == 'A "quoted": title'
    assert (front["authors"], front["tags"], front["summary"], front["draft"]) == \
        ([], [], "", "true")
    date = dt.datetime.fromisoformat(front["date"])
    assert before <= date <= after
    assert date.utcoffset() == dt.datetime.now(ZoneInfo(zone)).utcoffset()


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_a_new_story_builds_as_a_draft_without_warnings_once_titled(site, run_cli, lang,
                                                                    parse_html):
    config = site / "dateline.toml"
    assert run_cli(["new", f"{lang}/world/fresh", "--config", config]).code == 0
    path = site / "content" / lang / "world" / "fresh.md"
    # Untitled, the build says what to fill in.
    unfilled = run_cli(["build", "--drafts", "--config", config])
    assert unfilled.code == 1 and f"content/{lang}/world/fresh.md:2: " in unfilled.err
    path.write_text(path.read_text(encoding="utf-8").replace('title: ""', 'title: "Fresh"'),
                    encoding="utf-8")
    built = run_cli(["build", "--drafts", "--config", config])
    assert built.code == 0, built.err
    assert "warning" not in built.err
    page = parse_html(site / "site" / lang / "world" / "fresh" / "index.html")
    assert page.one("h1").text == "Fresh"
    # Without --drafts it is held back: a draft.
    published = run_cli(["build", "--config", config])
    assert f"held back: content/{lang}/world/fresh.md (draft)" in published.out
    assert not (site / "site" / lang / "world" / "fresh").exists()


@pytest.mark.parametrize("spec, reason", [
    ("en/world/old", "already exists"),
    ("xx/world/a", "'xx' is not a configured language"),
    ("en/world", "write the new story as <lang>/<section>/<name>"),
    ("en/world/a/b", "write the new story as <lang>/<section>/<name>"),
    ("en//a", "write the new story as <lang>/<section>/<name>"),
    ("en/../a", "would escape the output folder"),
    ("en/world/..", "would escape the output folder"),
    ("en/world/.hidden", "may only contain letters"),
    ("en/world/a%2fb", "percent-encoded"),
    ("en/world/a b", "may only contain letters"),
    ("en/world/" + "x" * 256, "bytes long"),
    ("en/tags/a", "reserved for Dateline's own pages"),
    ("en/world/feed.xml", "the name of a file Dateline writes"),
    ("en/world/sitemap-en", "the name of a file Dateline writes"),
])
def test_new_refuses_with_exit_2_saying_why_and_writes_nothing(site, run_cli, snapshot,
                                                               spec, reason):
    before = snapshot(site)
    result = run_cli(["new", spec, "--config", site / "dateline.toml"], cwd=site)
    assert result.code == 2
    assert reason in result.err
    assert result.out == ""
    assert snapshot(site) == before


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=120))
@example(title="line\u2028separator")  # a line break to YAML, not to JSON
@example(title="\ufeffBOM")
@example(title='a "quoted": title # not a comment')
@example(title="\ud800")  # a lone surrogate (from an undecodable argument)
def test_any_title_is_written_so_that_the_build_reads_it_back_or_refused(
        tmp_path_factory, make_site, run_cli, title):
    root = make_site(tmp_path_factory.mktemp("t") / "site", {})
    # `--title=…`: a title starting with '-' is otherwise read as an option
    result = run_cli(["new", "en/world/story", f"--title={title}", "--config",
                      root / "dateline.toml"])
    path = root / "content/en/world/story.md"
    bad = [c for c in title if unicodedata.category(c) in ("Cc", "Cs")
           or forbidden_character(c)]
    if bad:
        assert result.code == 2 and "--title: contains the character U+" in result.err
        assert not path.exists()
        return
    assert result.code == 0, result.err
    problems = Problems()
    doc = read_document(path, root / "content", root, problems)
    assert problems.errors == [] and problems.warnings == []
    assert doc.meta["title"] == title
