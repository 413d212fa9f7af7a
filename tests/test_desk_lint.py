"""`dateline lint`: the build's own read/assemble problems plus the editorial checks,
as `path:line: message` or JSON, through the CLI in a temporary site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dateline


def _lint(run_cli, root, *extra):
    return run_cli(["lint", "--config", root / "dateline.toml", *extra])


def _json(run_cli, root):
    result = _lint(run_cli, root, "--format", "json")
    return result, json.loads(result.out)


@pytest.fixture
def clean(article_text):
    """A story and its translation that pass every check."""
    return {
        "content/en/world/vote.md": article_text(title="Polls open", summary="Queues.",
                                                 date="2025-03-01T10:00:00+01:00"),
        "content/ru/world/vote.md": article_text(title="Выборы", summary="Очереди.",
                                                 date="2025-03-01T12:00:00+01:00"),
    }


def test_a_clean_site_lints_clean(tmp_path, make_site, run_cli, clean):
    root = make_site(tmp_path / "s", clean)
    result, findings = _json(run_cli, root)
    assert (result.code, findings) == (0, [])
    assert _lint(run_cli, root).out == ""


@pytest.mark.parametrize("length, flagged", [(110, False), (111, True)])
def test_headline_over_110_characters(tmp_path, make_site, run_cli, clean, article_text,
                                      length, flagged):
    clean["content/en/world/long.md"] = article_text(title="H" * length, summary="S.")
    root = make_site(tmp_path / "s", clean)
    result, findings = _json(run_cli, root)
    expected = [{"path": "content/en/world/long.md", "line": 2, "severity": "warning",
                 "message": "headline is 111 characters long; keep it to 110 or fewer "
                            "(search results and social cards cut it)"}]
    assert findings == (expected if flagged else [])
    assert result.code == 0


@pytest.mark.parametrize("summary, line, message", [
    (None, 1, "summary is missing"),
    ("", 4, "summary is missing"),
    ("s" * 200, None, None),
    ("s" * 201, 4, "summary is 201 characters long; keep it to 200 or fewer"),
])
def test_summary_missing_or_over_200(tmp_path, make_site, run_cli, clean, article_text,
                                     summary, line, message):
    meta = {} if summary is None else {"summary": summary}
    clean["content/en/world/s.md"] = article_text(title="T", **meta)
    root = make_site(tmp_path / "s", clean)
    lines = _lint(run_cli, root).out.splitlines()
    if message is None:
        assert lines == []
    else:
        assert len(lines) == 1
        assert lines[0].startswith(f"content/en/world/s.md:{line}: warning: {message}")


def test_image_without_credit_on_the_article_that_names_it(tmp_path, make_site, run_cli,
                                                           clean, article_text, image_bytes):
    clean["content/en/world/vote.md"] = article_text(
        title="Polls open", summary="Queues.", image={"src": "q.jpg", "alt": "A queue"})
    clean["content/en/world/q.jpg"] = image_bytes()
    root = make_site(tmp_path / "s", clean)
    result, findings = _json(run_cli, root)
    # The Russian translation inherits the whole image block: said once, at the original.
    assert findings == [{"path": "content/en/world/vote.md", "line": 5,
                         "severity": "warning", "message": "image 'q.jpg' has no credit: "
                         "add image.credit (the photographer or agency)"}]
    assert result.code == 0


@pytest.mark.parametrize("caption, flagged", [("The queue.", True), ("Очередь.", False)])
def test_caption_identical_in_translation_and_original(tmp_path, make_site, run_cli,
                                                       article_text, image_bytes,
                                                       caption, flagged):
    image = {"src": "q.jpg", "alt": "A queue", "caption": "The queue.", "credit": "AP"}
    root = make_site(tmp_path / "s", {
        "content/en/world/vote.md": article_text(title="Polls", summary="S.", image=image),
        "content/en/world/q.jpg": image_bytes(),
        "content/ru/world/vote.md": article_text(
            title="Выборы", summary="С.", image={"alt": "Очередь", "caption": caption,
                                                 "credit": "AP"}),
    })
    lines = _lint(run_cli, root).out.splitlines()
    expected = ["content/ru/world/vote.md:7: warning: caption is the same as in the "
                "original (content/en/world/vote.md); translate it"]
    assert lines == (expected if flagged else [])


@pytest.mark.parametrize("days, config_days, flagged", [
    (29, None, False), (31, None, True), (29, 10, True), (11, 10, True), (9, 10, False),
])
def test_translation_older_than_its_original_by_more_than_stale_days(
        tmp_path, make_site, run_cli, config_text, article_text, days, config_days, flagged):
    config = config_text() + (f"\n[lint]\nstale_days = {config_days}\n"
                              if config_days is not None else "")
    root = make_site(tmp_path / "s", {
        "dateline.toml": config,
        "content/en/world/vote.md": article_text(
            title="Polls", summary="S.", date="2025-03-01T10:00:00+01:00",
            updated=f"2025-03-{1 + days:02d}T10:00:00+01:00" if days < 31
            else "2025-04-01T10:00:00+01:00"),
        "content/ru/world/vote.md": article_text(title="Выборы", summary="С.",
                                                 date="2025-03-01T10:00:00+01:00"),
    })
    lines = _lint(run_cli, root).out.splitlines()
    if flagged:
        assert len(lines) == 1
        assert lines[0].startswith("content/ru/world/vote.md:3: warning: translation is "
                                   f"{days} days older than its original "
                                   "(content/en/world/vote.md, changed ")
        assert f"stale_days = {config_days or 30}" in lines[0]
    else:
        assert lines == []


def test_a_correction_to_the_original_does_not_make_its_translation_stale(
        tmp_path, make_site, run_cli, article_text):
    # The build shows such a translation an "original corrected" notice, not a stale one;
    # lint agrees with it.
    root = make_site(tmp_path / "s", {
        "content/en/world/vote.md": article_text(
            title="Polls", summary="S.", date="2025-03-01T10:00:00+01:00",
            corrections=[{"date": "2025-05-01T10:00:00+01:00", "text": "A figure."}]),
        "content/ru/world/vote.md": article_text(title="Выборы", summary="С.",
                                                 date="2025-03-01T10:00:00+01:00"),
    })
    assert _lint(run_cli, root).out.splitlines() == []


def test_the_builds_own_problems_once_each_and_errors_exit_1(tmp_path, make_site, run_cli,
                                                             clean, article_text):
    clean["content/en/world/typo.md"] = article_text(title="T", summary="S.", colour="red")
    clean["content/en/world/nodate.md"] = "---\ntitle: T\nsummary: S.\n---\nText.\n"
    clean["content/en/world/Shout.MD"] = article_text(title="T", summary="S.")
    root = make_site(tmp_path / "s", clean)
    result = _lint(run_cli, root)
    assert result.code == 1
    assert result.out.splitlines() == [
        "content/en/world/Shout.MD:1: warning: not built: Markdown files must end in "
        "'.md' in lower case; rename it to Shout.md",
        "content/en/world/nodate.md:1: front matter: 'date' is required, e.g. "
        "date: 2026-11-27T09:30:00+01:00",
        "content/en/world/typo.md:5: warning: front matter: unknown key 'colour'",
    ]
    assert "lint: 1 error, 2 warnings" in result.err
    # The same problems, word for word, as the build gives them.
    built = run_cli(["build", "--config", root / "dateline.toml"])
    assert "content/en/world/nodate.md:1: front matter: 'date' is required" in built.err
    _, findings = _json(run_cli, root)
    assert [f["severity"] for f in findings] == ["warning", "error", "warning"]


def test_drafts_and_scheduled_stories_are_linted_too(tmp_path, make_site, run_cli, clean,
                                                     article_text):
    clean["content/en/world/d.md"] = article_text(title="D", draft=True)
    clean["content/en/world/f.md"] = article_text(title="F", date="2999-01-01")
    root = make_site(tmp_path / "s", clean)
    paths = [line.split(":")[0] for line in _lint(run_cli, root).out.splitlines()]
    assert paths == ["content/en/world/d.md", "content/en/world/f.md"]


def test_bylines_are_not_checked_until_the_config_has_authors(tmp_path, make_site, run_cli,
                                                              clean, article_text):
    """The `[authors]` table (issue 17) is not in the config yet: an unknown byline
    cannot be told from a known one, and the check is skipped."""
    clean["content/en/world/b.md"] = article_text(title="B", summary="S.",
                                                  authors=["Nobody Known"])
    root = make_site(tmp_path / "s", clean)
    assert _lint(run_cli, root).out == ""


def test_a_byline_naming_no_configured_author_is_a_warning(tmp_path, make_site, run_cli,
                                                          clean, article_text, config_text):
    """With `[authors]` configured, a byline is known by key, name or any language's name;
    another name still prints, and lint says so at the `authors:` line."""
    clean["dateline.toml"] = config_text() + ('\n[authors.ana]\nname = "Ana Petrov"\n'
                                              '[authors.ana.names]\nru = "Анна Петрова"\n')
    clean["content/en/world/b.md"] = article_text(
        title="B", summary="S.", authors=["ana", "Ana Petrov", "Nobody Known"])
    clean["content/ru/world/b.md"] = article_text(title="Б", summary="С.",
                                                  authors=["Анна Петрова"])
    root = make_site(tmp_path / "s", clean)
    result = _lint(run_cli, root)
    assert result.code == 0
    assert result.out.splitlines() == [
        "content/en/world/b.md:5: warning: byline 'Nobody Known' matches no author in "
        "[authors] of dateline.toml; add one, or check the spelling (it is printed as "
        "written)"]


@pytest.mark.parametrize("table, message", [
    ("[lint]\nstale_days = -1\n", "lint.stale_days must be a whole number of days"),
    ("[lint]\nstale_days = \"30\"\n", "lint.stale_days must be a whole number of days"),
    ("[lint]\nstale = 3\n", "unknown key 'lint.stale'"),
])
def test_the_lint_table_is_checked(tmp_path, make_site, run_cli, config_text, table,
                                   message):
    root = make_site(tmp_path / "s", {"dateline.toml": config_text() + "\n" + table})
    result = _lint(run_cli, root)
    assert result.code == 1
    assert message in result.err and "dateline.toml:" in result.err


def test_the_sample_newsroom_has_no_lint_errors(run_cli):
    root = Path(dateline.__file__).resolve().parent.parent
    result = run_cli(["lint", "--format", "json", "--config", root / "dateline.toml"])
    assert result.code == 0, result.out
    assert all(f["severity"] == "warning" for f in json.loads(result.out))
