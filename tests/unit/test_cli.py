"""cli.py: `build` is the default command; options, summary, exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path, make_site, article_text):
    return make_site(tmp_path / "newsroom", {
        "content/en/world/vote.md": article_text("Vote"),
        "content/ru/world/vote.md": article_text("Выборы"),
        "content/en/world/draft.md": article_text("Draft", draft=True),
        "content/en/world/later.md": article_text("Later", date="2099-01-01T08:00:00+00:00"),
    })


def test_no_command_means_build_in_the_current_folder(run_cli, site):
    result = run_cli([], cwd=site)
    assert result.code == 0, result.err
    assert (site / "site/en/world/vote/index.html").is_file()
    assert result.out.splitlines()[-1].startswith("built")


def test_leading_option_means_build(run_cli, site):
    result = run_cli(["--drafts"], cwd=site)
    assert result.code == 0, result.err
    assert (site / "site/en/world/draft/index.html").is_file()


def test_summary_lists_held_back_drafts_and_future_articles(run_cli, site):
    result = run_cli(["build", "--config", site / "dateline.toml"])
    assert result.code == 0
    held = [line for line in result.out.splitlines() if line.startswith("held back:")]
    assert held == ["held back: content/en/world/draft.md (draft)",
                    "held back: content/en/world/later.md "
                    "(scheduled for 2099-01-01T08:00:00+00:00)"]
    assert not (site / "site/en/world/draft").exists()
    assert not (site / "site/en/world/later").exists()


def test_future_option_publishes_scheduled_articles(run_cli, site):
    result = run_cli(["build", "--future", "--config", site / "dateline.toml"])
    assert result.code == 0
    assert (site / "site/en/world/later/index.html").is_file()
    assert not [line for line in result.out.splitlines()
                if line.startswith("held back") and "later.md" in line]
    # Published early, it still enters the news sitemap when its date comes.
    assert [line for line in result.out.splitlines() if line.startswith("next scheduled")
            ][0].endswith(" (content/en/world/later.md)")


def test_config_elsewhere_builds_that_site_into_its_own_folder(run_cli, site, tmp_path):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = run_cli(["build", "--config", site / "dateline.toml"], cwd=elsewhere)
    assert result.code == 0, result.err
    assert (site / "site/index.html").is_file()
    assert list(elsewhere.iterdir()) == []


def test_out_is_relative_to_the_current_folder(run_cli, site, tmp_path):
    result = run_cli(["build", "--config", site / "dateline.toml", "--out", "public"],
                     cwd=tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / "public/en/index.html").is_file()
    assert not (site / "site").exists()


def test_base_url_option_overrides_the_config(run_cli, site, parse_html):
    result = run_cli(["build", "--config", site / "dateline.toml",
                      "--base-url", "https://org.github.io/newsroom/"])
    assert result.code == 0
    doc = parse_html(site / "site/en/world/vote/index.html")
    assert doc.one("a", cls="brand").get("href") == "/newsroom/en/"


def test_unknown_front_matter_key_is_a_warning_on_stderr(run_cli, site):
    (site / "content/en/world/vote.md").write_text(
        "---\ntitle: Vote\ndate: 2025-01-01\nauthor: Nadia\n---\nBody\n", encoding="utf-8")
    result = run_cli(["build", "--config", site / "dateline.toml"])
    assert result.code == 0
    assert "warning: content/en/world/vote.md:4: front matter: unknown key 'author'; " \
           "did you mean 'authors'?" in result.err.splitlines()


def test_content_error_exits_1_and_counts_the_problems(run_cli, site):
    (site / "content/en/world/vote.md").write_text("no front matter\n", encoding="utf-8")
    result = run_cli(["build", "--config", site / "dateline.toml"])
    assert result.code == 1
    assert result.err.splitlines()[-1].startswith("error: 1 problem found")
    assert result.out == ""


def test_rebuild_removes_the_pages_of_deleted_articles(run_cli, site):
    config = site / "dateline.toml"
    assert run_cli(["build", "--config", config]).code == 0
    (site / "content/ru/world/vote.md").unlink()
    assert run_cli(["build", "--config", config]).code == 0
    assert not (site / "site/ru/world/vote").exists()
    assert (site / "site/en/world/vote/index.html").is_file()


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"]])
def test_help_exits_0(run_cli, args):
    result = run_cli(args)
    assert result.code == 0
    assert result.out.startswith("usage: dateline")


def test_build_help_lists_its_options(run_cli):
    text = run_cli(["build", "--help"]).out
    for option in ("--config", "--out", "--drafts", "--future", "--base-url"):
        assert option in text


def test_unknown_option_is_a_usage_error(run_cli, site):
    result = run_cli(["build", "--colour", "--config", site / "dateline.toml"])
    assert result.code == 2
    assert "unrecognized arguments: --colour" in result.err
    assert not (site / "site").exists()


def test_missing_config_is_a_config_error(run_cli, tmp_path):
    result = run_cli(["build"], cwd=tmp_path)
    assert result.code == 1
    assert result.err.startswith("dateline.toml:1: config file not found")


def test_build_py_runs_from_a_checkout():
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--help"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--config" in result.stdout


def test_build_py_says_everything_before_its_quick_exit(site):
    """`build.py` ends with os._exit (no interpreter teardown): what it printed must
    still reach a pipe, and its exit status must be the build's."""
    good = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--config",
                           str(site / "dateline.toml")], capture_output=True, text=True,
                          timeout=120)
    assert good.returncode == 0, good.stderr
    lines = good.stdout.splitlines()
    assert any(line.startswith("held back: content/en/world/draft.md") for line in lines)
    assert lines[-1].startswith("built: ") and lines[-1].endswith("newsroom/site/")
    assert (site / "site/en/world/vote/index.html").is_file()

    (site / "content/en/world/vote.md").write_text("---\ntitle: [unclosed\n---\nBody\n",
                                                   encoding="utf-8")
    bad = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--config",
                          str(site / "dateline.toml")], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1
    first = bad.stderr.splitlines()[0]
    assert first.startswith("content/en/world/vote.md:") and "front matter" in first
    assert bad.stderr.splitlines()[-1].startswith("error: 1 problem found")
