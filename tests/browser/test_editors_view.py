"""The editors' view of a real `serve` process (`/_dateline/`) in Chromium: the matrix,
the latest build's warnings, held-back items and next scheduled change; no console
errors, no axe-core violations; never written into the site."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import dateline

SCRIPT = Path(dateline.__file__).resolve().parent.parent / "build.py"


@pytest.fixture
def newsroom(tmp_path, make_site, article_text):
    return make_site(tmp_path / "site", {
        "content/en/world/vote.md": article_text(
            title="Polls open", date="2025-03-01T10:00:00+01:00",
            updated="2025-03-05T10:00:00+01:00", colour="red"),
        "content/ru/world/vote.md": article_text(title="Выборы",
                                                 date="2025-03-06T10:00:00+01:00"),
        "content/fa/world/vote.md": article_text(title="انتخابات",
                                                 date="2025-03-02T10:00:00+01:00"),
        "content/en/world/plan.md": article_text(title="A plan", draft=True),
        "content/en/world/later.md": article_text(title="Later",
                                                  date="2999-01-01T06:00:00+01:00"),
    })


@pytest.fixture
def served(newsroom) -> Iterator[str]:
    """The URL of a `build.py serve` process over the newsroom."""
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "serve", "--config", str(newsroom / "dateline.toml"),
         "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if match := re.search(r"serving (http://127\.0\.0\.1:\d+/)", line):
                break
        else:
            pytest.fail("serve printed no URL")
        yield match.group(1)
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_the_editors_view_in_chromium(served, newsroom, page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} {m.location}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(served + "_dateline/")
    assert response.status == 200
    cell = page.locator('#translation-matrix td[data-lang="fa"]').first
    assert cell.get_attribute("data-state") in ("stale", "missing")
    states = page.eval_on_selector_all(
        "#translation-matrix tbody tr", "rows => rows.map(r => [r.querySelector('th code')"
        ".textContent, [...r.querySelectorAll('td')].map(c => c.dataset.state + '/' + "
        "c.dataset.hold)])")
    assert dict(states) == {
        "world/later": ["original/scheduled", "missing/", "missing/", "missing/"],
        "world/plan": ["original/draft", "missing/", "missing/", "missing/"],
        "world/vote": ["original/", "current/", "stale/", "missing/"],
    }
    assert "content/en/world/vote.md:5: front matter: unknown key 'colour'" in \
        page.locator("#build-warnings").inner_text()
    held = page.locator("#held-back").inner_text()
    assert "content/en/world/plan.md: draft" in held
    assert "content/en/world/later.md: scheduled for 2999-01-01T06:00:00+01:00" in held
    assert page.locator("#next-change time").get_attribute("datetime") == \
        "2999-01-01T06:00:00+01:00"
    assert "content/en/world/later.md published" in page.locator("#next-change").inner_text()
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("() => axe.run(document).then(r => r.violations)")
    assert [(v["id"], v["impact"]) for v in violations] == []
    assert errors == []
    # The links lead to the previewed pages; the view itself is in no folder.
    page.locator('#translation-matrix td[data-lang="ru"] a').first.click()
    page.wait_for_load_state()
    assert page.url == served + "ru/world/vote/"
    assert page.locator("h1").inner_text() == "Выборы"
    written = [p for p in newsroom.rglob("*") if "_dateline" in p.name]
    assert written == []
