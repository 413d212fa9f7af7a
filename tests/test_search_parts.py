"""The search parts cache (`.dateline-cache/search-parts.sqlite`, `searchparts`) is a
cache only: damaged — random bytes, or a part that is not what its digest says — the
next build's search bundles equal a clean build's."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

EN = "content/en/world/vote.md"


@pytest.fixture
def site(tmp_path, make_site, article_text):
    return make_site(tmp_path / "site", {
        EN: article_text(title="Polls open in Karsk", body="Queues of voters at dawn.\n"),
        "content/en/world/count.md": article_text(title="The count", body="Ballots.\n"),
    })


def _garbage(path):
    path.write_bytes(b"\x00not sqlite\xff" * 64)


def _forged(path):
    with sqlite3.connect(path) as db:
        changed = db.execute("UPDATE parts SET part = '<html><body>Forged</body></html>'")
        assert changed.rowcount == 2


@pytest.mark.parametrize("damage", [_garbage, _forged])
def test_a_damaged_parts_cache_gives_the_clean_builds_bundles(site, tmp_path, build_site,
                                                              snapshot, article_text, damage):
    out, clean = tmp_path / "out", tmp_path / "clean"
    build_site(site, out)
    parts = site / ".dateline-cache/search-parts.sqlite"
    assert parts.is_file()
    damage(parts)
    (site / EN).write_text(article_text(title="Polls open in Karsk",
                                        body="Queues of voters at dawn. Turnout high.\n"))
    result = build_site(site, out)
    assert any(f.startswith("en/search/pagefind/") for f in result.changed_files)
    fresh = tmp_path / "fresh"  # the same site without its cache
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".dateline-cache"))
    build_site(fresh, clean)
    after = snapshot(out)
    assert after == snapshot(clean) | {".dateline-output": after[".dateline-output"]}
