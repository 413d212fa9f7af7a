"""Corrections (front matter `corrections`): the dated notice at the end of an article in
the page's language, `dateModified` and the feeds following the latest correction, the
language's corrections page and its Atom feed, the notice a translation shows when its
original was corrected, and every malformed correction reported as `path:line: message`."""

from __future__ import annotations

import json

import feedparser
import pytest

from dateline.errors import ContentError

ORIGINAL = "content/en/world/vote.md"
TRANSLATION = "content/ru/world/vote.md"
OTHER = "content/en/world/port.md"

FIRST = {"date": "2025-03-02T09:00:00+01:00", "text": "An earlier version misspelt Karsk."}
SECOND = {"date": "2025-03-04T18:30:00+01:00", "text": "The turnout was 58 percent, not 85."}
OWN = {"date": "2025-03-03T08:00:00+01:00", "text": "Исправлена фамилия министра."}


@pytest.fixture
def corrected_site(tmp_path, make_site, article_text, build_site):
    """An English story corrected twice (written newest first, to be sorted), its Russian
    translation dated before either correction and with one of its own, another story."""
    root = make_site(tmp_path / "site", {
        ORIGINAL: article_text(title="Vote counted", corrections=[SECOND, FIRST],
                               translation_key="vote"),
        TRANSLATION: article_text(title="Голоса подсчитаны", date="2025-03-01T12:00:00+01:00",
                                  translation_key="vote", corrections=[OWN]),
        OTHER: article_text(title="Port reopens", date="2025-03-03T10:00:00+01:00",
                            corrections=[{"date": "2025-03-03T12:00:00+01:00",
                                          "text": "A photo caption named the wrong port."}]),
    })
    build_site(root)
    return root / "site"


def _json_ld(page, kind: str) -> dict:
    found = [json.loads(s.text) for s in page.find_all("script")
             if s.get("type") == "application/ld+json"]
    return next(d for d in found if d.get("@type") == kind)


@pytest.mark.parametrize("lang, heading, count", [("en", "Corrections", 2),
                                                  ("ru", "Исправление", 1)])
def test_corrections_are_shown_dated_at_the_end_of_the_article_in_its_language(
        corrected_site, parse_html, lang, heading, count):
    page = parse_html(corrected_site / f"{lang}/world/vote/index.html")
    story = page.one("article", cls="story")
    section = story.one("section", cls="corrections")
    assert section.one("h2").text.strip() == heading
    assert section.get("aria-labelledby") == section.one("h2").get("id")
    notes = section.find_all("p", cls="correction")
    assert len(notes) == count
    expected = [FIRST, SECOND] if lang == "en" else [OWN]  # oldest first, as they happened
    for note, correction in zip(notes, expected, strict=True):
        time = note.one("time")
        assert time.get("datetime") == correction["date"]
        assert correction["text"] in note.text
    # At the end of the story: after its body, before its footer.
    children = [c for c in story.children if not isinstance(c, str)]
    assert children.index(section) == len(children) - 2
    assert "story__footer" in children[-1].classes


def test_date_modified_and_json_ld_follow_the_latest_correction(corrected_site, parse_html):
    page = parse_html(corrected_site / "en/world/vote/index.html")
    article = _json_ld(page, "NewsArticle")
    assert article["dateModified"] == SECOND["date"]
    assert article["correction"] == [
        {"@type": "CorrectionComment", "text": c["text"], "datePublished": c["date"]}
        for c in (FIRST, SECOND)]
    modified = [m.get("content") for m in page.find_all("meta")
                if m.get("property") == "article:modified_time"]
    assert modified == [SECOND["date"]]


def test_feeds_republish_a_corrected_entry_with_its_new_updated_time(corrected_site):
    feed = feedparser.parse((corrected_site / "en/feed.xml").read_bytes())
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.link.endswith("/en/world/vote/"))
    assert entry.updated == SECOND["date"]
    assert entry.published == "2025-03-01T10:00:00+01:00"


def test_the_corrections_page_lists_every_correction_newest_first_with_a_feed(
        corrected_site, parse_html):
    page = parse_html(corrected_site / "en/corrections/index.html")
    items = page.one("ol", cls="corrections-list").find_all("li")
    assert [i.one("time").get("datetime") for i in items] == [
        SECOND["date"], "2025-03-03T12:00:00+01:00", FIRST["date"]]
    assert [i.one("a").get("href") for i in items] == [
        "/en/world/vote/#correction-2", "/en/world/port/#correction-1",
        "/en/world/vote/#correction-1"]
    # A translation's corrections are its own: only on its language's page.
    assert OWN["text"] not in page.text
    feeds = [link.get("href") for link in page.find_all("link")
             if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"]
    assert "/en/corrections/feed.xml" in feeds
    footer = page.one("footer", cls="site-footer")
    assert any(a.get("href") == "/en/corrections/" for a in footer.find_all("a"))
    feed = feedparser.parse((corrected_site / "en/corrections/feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.summary for e in feed.entries] == [
        SECOND["text"], "A photo caption named the wrong port.", FIRST["text"]]
    assert [e.updated for e in feed.entries] == [SECOND["date"], "2025-03-03T12:00:00+01:00",
                                                 FIRST["date"]]
    assert feed.feed.updated == SECOND["date"]
    assert feed.entries[0].link == "https://news.example.org/en/world/vote/#correction-2"
    assert len({e.id for e in feed.entries}) == 3
    ru = parse_html(corrected_site / "ru/corrections/index.html")
    assert [i.one("time").get("datetime") for i in
            ru.one("ol", cls="corrections-list").find_all("li")] == [OWN["date"]]
    assert ru.one("h1").text == "Исправления"


def test_a_site_without_corrections_has_no_corrections_page(tmp_path, make_site,
                                                            article_text, build_site):
    root = make_site(tmp_path / "site", {OTHER: article_text(title="Port reopens")})
    build_site(root)
    assert not (root / "site/en/corrections").exists()
    assert "/corrections/" not in (root / "site/en/world/port/index.html").read_text()


def test_a_translation_says_when_its_original_was_corrected_after_it(
        corrected_site, parse_html):
    page = parse_html(corrected_site / "ru/world/vote/index.html")
    notice = page.one("p", cls="correction-notice")
    assert notice.get("role") == "note"
    assert notice.one("time").get("datetime") == SECOND["date"]
    assert "Оригинал (английский) был исправлен" in notice.text
    link = notice.one("a")
    assert link.get("href") == "/en/world/vote/#correction-2"
    assert link.get("hreflang") == "en"
    # A correction is no update of the text: the translation is not marked stale.
    stale = [p for p in page.find_all("p", cls="stale-notice")
             if "correction-notice" not in p.classes]
    assert stale == []
    # The original itself has no such notice, nor a stale-translation one.
    original = parse_html(corrected_site / "en/world/vote/index.html")
    assert not original.find_all("p", cls="correction-notice")


def test_a_translation_updated_after_the_correction_has_no_notice(
        tmp_path, make_site, article_text, build_site, parse_html):
    root = make_site(tmp_path / "site", {
        ORIGINAL: article_text(title="Vote counted", corrections=[FIRST],
                               translation_key="vote"),
        TRANSLATION: article_text(title="Голоса подсчитаны", translation_key="vote",
                                  updated="2025-03-03T10:00:00+01:00"),
    })
    build_site(root)
    page = parse_html(root / "site/ru/world/vote/index.html")
    assert not page.find_all("p", cls="correction-notice")
    assert not page.find_all("p", cls="stale-notice")


HEAD = "---\ntitle: A story\ndate: 2025-03-01T10:00:00+01:00\n"


@pytest.mark.parametrize("front, line, message", [
    ("corrections: fixed a typo\n", 4, "front matter: 'corrections' must be a list of dated "
     "notes, e.g. corrections: [{date: 2026-11-28T10:00:00+01:00, text: \"An earlier "
     "version …\"}]"),
    ("corrections:\n  - date: 2025-03-02\n", 5, "front matter: corrections[1] needs a text "
     "saying what was corrected (put it in quotes)"),
    ("corrections:\n  - text: Fixed.\n", 5, "front matter: corrections[1] needs a date, e.g. "
     "date: 2026-11-28T10:00:00+01:00"),
    ("corrections:\n  - date: 2025-03-02\n    text: Fine.\n  - date: 2025-13-40\n"
     "    text: Bad.\n", 7, "front matter: corrections[2] date '2025-13-40' is not a valid "
     "date (month must be in 1..12); write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM"),
    ("corrections:\n  - date: 2025-02-01\n    text: Too early.\n", 5, "front matter: "
     "corrections[1] date 2025-02-01 is earlier than the article's date; a correction "
     "comes after publication"),
    ("corrections:\n  - Fixed a typo\n", 4, "front matter: corrections[1] must have a date "
     "and a text, e.g. corrections: [{date: 2026-11-28T10:00:00+01:00, text: \"An earlier "
     "version …\"}]"),
    ("corrections:\n  - date: 2025-03-02\n    text: [a, b]\n", 6, "front matter: "
     "corrections[1] needs a text saying what was corrected (put it in quotes)"),
], ids=["text", "no-text", "no-date", "bad-date", "before-publication", "not-a-table",
        "text-a-list"])
def test_malformed_corrections_are_errors_with_their_line(tmp_path, make_site, build_site,
                                                          front, line, message):
    root = make_site(tmp_path / "site", {ORIGINAL: HEAD + front + "---\n\nBody.\n"})
    with pytest.raises(ContentError) as raised:
        build_site(root)
    assert f"{ORIGINAL}:{line}: {message}" in [str(p) for p in raised.value.problems]


def test_an_unknown_key_in_a_correction_is_a_warning(tmp_path, make_site, build_site):
    root = make_site(tmp_path / "site", {ORIGINAL: HEAD + "corrections:\n  - date: 2025-03-02"
                                         "\n    text: Fixed.\n    by: desk\n---\n\nBody.\n"})
    result = build_site(root)
    assert f"{ORIGINAL}:7: front matter: unknown key 'by' in corrections[1] (expected " \
           "date and text)" in [str(w) for w in result.warnings]
