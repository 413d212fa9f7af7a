"""Embargoes and drafts never leak through translations: a translation is held back
while its original is (issue 14), in every output (pages, listings, feeds, sitemaps,
switchers, hreflang), in the summary, in `translations`, and it appears with its
original the moment the embargo ends: in a build, after the no-change shortcut, and in
a running preview."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest

from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.preview.serve import PreviewServer

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
EMBARGO = dt.datetime(2026, 1, 20, 6, 0, tzinfo=dt.UTC)
FAR = "2099-01-01T08:00:00+00:00"  # scheduled for any real clock (the CLI's)
PAST = "2025-12-01T09:00:00+00:00"

# URL path of every version of every story; which are published is the test's question.
URLS = {path: "/" + path.removeprefix("content/").removesuffix(".md") + "/" for path in (
    "content/en/politics/x.md", "content/fa/politics/x.md",
    "content/en/world/y.md", "content/ru/world/y.md",
    "content/en/world/z.md", "content/ru/world/z.md", "content/fa/world/z.md",
    "content/en/world/ok.md", "content/ru/world/ok.md",
)}


def newsroom(article_text, scheduled: str) -> dict[str, str]:
    return {
        # An English draft with a Persian translation that is not marked a draft.
        "content/en/politics/x.md": article_text("Draft", PAST, draft=True, tags=["leak"]),
        "content/fa/politics/x.md": article_text("پیش‌نویس", PAST, tags=["leak"]),
        # A scheduled English story with a Russian translation dated in the past.
        "content/en/world/y.md": article_text("Embargoed", scheduled, tags=["leak"]),
        "content/ru/world/y.md": article_text("Эмбарго", PAST, tags=["leak"]),
        # A published story whose translations are held back on their own.
        "content/en/world/z.md": article_text("Public", PAST),
        "content/ru/world/z.md": article_text("Черновик", PAST, draft=True),
        "content/fa/world/z.md": article_text("زمان‌بندی", FAR),
        # Published everywhere: the check that the scan below can see a published URL.
        "content/en/world/ok.md": article_text("Open", PAST),
        "content/ru/world/ok.md": article_text("Открыто", PAST),
    }


def mentions(out: Path) -> dict[str, list[str]]:
    """URL path → the output files (pages, feeds, sitemaps) that mention it."""
    found: dict[str, list[str]] = {url: [] for url in URLS.values()}
    for file in sorted(out.rglob("*")):
        if file.is_file() and file.suffix in (".html", ".xml", ".json", ".txt"):
            text = file.read_text(encoding="utf-8")
            for url in found:
                if url in text:
                    found[url].append(file.relative_to(out).as_posix())
    return found


def published(out: Path) -> set[str]:
    return {path for path, url in URLS.items() if (out / url.strip("/") / "index.html").is_file()}


def test_held_back_translations_are_nowhere_in_the_site(tmp_path, make_site, article_text,
                                                        build_site, parse_html):
    root = make_site(tmp_path, newsroom(article_text, EMBARGO.isoformat()))
    result = build_site(root, now=NOW)
    out = root / "site"
    assert published(out) == {"content/en/world/z.md", "content/en/world/ok.md",
                              "content/ru/world/ok.md"}
    seen = mentions(out)
    for path in URLS:
        if path not in published(out):
            assert seen[URLS[path]] == [], f"{path} is held back but linked"
    assert "ru/world/ok/index.html" in seen["/ru/world/ok/"] and seen["/ru/world/ok/"] != []
    # The published original's switcher and hreflang name no held-back translation.
    page = parse_html(out / "en/world/z/index.html")
    assert [link.get("hreflang") for link in page.find_all("link", rel="alternate")
            if link.get("hreflang")] in ([], ["en"], ["en", "x-default"])
    assert sorted((ref.path, why) for ref, why in result.held_back) == [
        ("content/en/politics/x.md", "draft"),
        ("content/en/world/y.md", f"scheduled for {EMBARGO.isoformat()}"),
        ("content/fa/politics/x.md", "its original content/en/politics/x.md is a draft"),
        ("content/fa/world/z.md", f"scheduled for {FAR}"),
        ("content/ru/world/y.md",
         f"its original content/en/world/y.md is scheduled for {EMBARGO.isoformat()}"),
        ("content/ru/world/z.md", "draft"),
    ]


def test_the_summary_and_translations_name_the_original(tmp_path, make_site, article_text,
                                                        run_cli):
    root = make_site(tmp_path, newsroom(article_text, FAR))
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 0, result.err
    held = [line for line in result.out.splitlines() if line.startswith("held back:")]
    assert "held back: content/fa/politics/x.md (its original content/en/politics/x.md " \
           "is a draft)" in held
    assert f"held back: content/ru/world/y.md (its original content/en/world/y.md is " \
           f"scheduled for {FAR})" in held
    assert len(held) == 6
    listed = run_cli(["translations", "--format", "json", "--config", root / "dateline.toml"])
    stories = {s["key"]: s["languages"] for s in json.loads(listed.out)["stories"]}
    assert stories == {
        "world/ok": {"en": "original", "ru": "current", "fa": "missing", "av": "missing"},
        "world/z": {"en": "original", "ru": "missing", "fa": "missing", "av": "missing"},
    }
    # --drafts and --future publish the translations with their originals.
    everything = run_cli(["build", "--drafts", "--future", "--config", root / "dateline.toml"])
    assert everything.code == 0 and "held back" not in everything.out
    assert published(root / "site") == set(URLS)


def without_build_id(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != ".dateline-output"}


def age_inputs(root: Path) -> None:
    """Older than the no-change shortcut's racy-timestamp margin."""
    an_hour_ago = time.time() - 3600
    for path in root.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))


@pytest.mark.parametrize("edit", [False, True], ids=["no-change", "body-edit"])
def test_translations_appear_in_the_build_that_ends_the_embargo(tmp_path, make_site,
                                                                article_text, snapshot,
                                                                edit):
    """Whether nothing changed (the no-change shortcut) or a body alone did (the saved
    model), the build after the embargo publishes the original and its translation."""
    root = make_site(tmp_path, newsroom(article_text, EMBARGO.isoformat()))
    age_inputs(root)
    config = load_config(root / "dateline.toml")
    out = root / "site"
    before = build(config, BuildOptions(output=out, now=NOW, jobs=1))
    assert build(config, BuildOptions(output=out, now=NOW, jobs=1)).up_to_date
    assert "content/ru/world/y.md" not in published(out)
    if edit:
        story = root / "content/en/world/ok.md"
        story.write_text(story.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        os.utime(story, (time.time() - 60, time.time() - 60))
    after = build(config, BuildOptions(output=out, now=EMBARGO, jobs=1))
    assert not after.up_to_date
    assert {"content/en/world/y.md", "content/ru/world/y.md"} <= published(out)
    assert len(after.held_back) == len(before.held_back) - 2
    assert "/ru/world/y/" in (out / "ru/index.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    build(config, BuildOptions(output=clean, now=EMBARGO, jobs=1, clean=True))
    assert without_build_id(snapshot(out)) == without_build_id(snapshot(clean))


def test_a_preview_publishes_the_translations_when_the_clock_reaches_the_embargo(
        tmp_path, make_site, article_text):
    root = make_site(tmp_path, newsroom(article_text, EMBARGO.isoformat()))
    clock = [NOW]
    server = PreviewServer(load_config(root / "dateline.toml"), BuildOptions(jobs=1),
                           "127.0.0.1", 0, clock=lambda: clock[0])
    server.start()
    try:
        out = server.output
        assert "content/ru/world/y.md" not in published(out)
        builds = server.builds
        clock[0] = EMBARGO  # no file changes: only the clock moves
        server.wait_for_build(builds, timeout=15)
        server.wait_idle(15)
        assert {"content/en/world/y.md", "content/ru/world/y.md"} <= published(out)
        assert "/ru/world/y/" in (out / "ru/index.html").read_text(encoding="utf-8")
    finally:
        server.stop()
