"""assemble.py: documents into a validated Site (typed fields, translations, what is
held back, URLs and their collisions)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.build.assemble import Assembly, assemble
from dateline.config import load_config
from dateline.errors import Problems
from dateline.i18n.dates import parse_datetime
from dateline.read import find_sources, read_document

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def assembled(tmp_path, make_site):
    """`assembled(files, drafts=False, future=False) -> (site, errors, warnings)`."""

    def run(files: dict[str, str | bytes], **options):
        root = make_site(tmp_path / "site", files)
        config = load_config(root / "dateline.toml")
        problems = Problems()
        docs = [d for p in find_sources(config.paths.content)
                if (d := read_document(p, config.paths.content, config.paths.root, problems))]
        site = assemble(docs, config, NOW, problems, Assembly(**options))
        return site, [str(p) for p in problems.errors], [str(p) for p in problems.warnings]

    return run


def by_path(site):
    return {a.source.path: a for a in site.articles}


def test_language_section_and_slug_come_from_the_path(assembled, article_text):
    site, errors, _ = assembled({"content/ru/economy/budget-2025.md": article_text()})
    [article] = site.articles
    assert errors == []
    assert (article.lang, article.section, article.slug, article.url) \
        == ("ru", "economy", "budget-2025", "ru/economy/budget-2025/")


def test_front_matter_slug_and_section_override_the_path(assembled, article_text):
    site, _, _ = assembled({"content/en/world/x.md": article_text(slug="vote-count",
                                                                   section="politics")})
    assert site.articles[0].url == "en/politics/vote-count/"


def test_file_name_is_made_into_a_slug(assembled, article_text):
    site, errors, _ = assembled({"content/ru/world/Выборы в Карске.md": article_text()})
    assert errors == []
    assert site.articles[0].url == "ru/world/vybory-v-karske/"


def test_translations_share_the_path_below_the_language_folder(assembled, article_text):
    site, _, _ = assembled({
        "content/en/world/vote.md": article_text("Vote"),
        "content/ru/world/vote.md": article_text("Выборы"),
        "content/fa/world/other.md": article_text("دیگر"),
    })
    groups = dict(site.groups)
    assert [a.lang for a in groups["world/vote"]] == ["en", "ru"]
    assert [a.lang for a in groups["world/other"]] == ["fa"]


def test_translation_key_links_files_with_different_names(assembled, article_text):
    site, _, _ = assembled({
        "content/en/world/vote.md": article_text("Vote", translation_key="vote-2025"),
        "content/ru/world/vybory.md": article_text("Выборы", translation_key="vote-2025"),
    })
    assert [a.lang for a in dict(site.groups)["vote-2025"]] == ["en", "ru"]


def test_translation_inherits_shared_fields_from_the_original(assembled, article_text):
    site, _, _ = assembled({
        "content/en/world/vote.md": article_text(
            "Vote", tags=["elections"], reporting=["AP", "AFP"], dateline="KARSK",
            breaking=True),
        "content/ru/world/vote.md": article_text("Выборы", dateline="КАРСК"),
    })
    ru = by_path(site)["content/ru/world/vote.md"]
    assert (ru.tags, ru.reporting, ru.breaking, ru.dateline) \
        == (("elections",), ("AP", "AFP"), True, "КАРСК")
    assert ru.original is False and by_path(site)["content/en/world/vote.md"].original


def test_translation_without_image_uses_the_originals_marked_with_its_language(
        assembled, article_text):
    site, errors, _ = assembled({
        "content/en/world/photo.jpg": b"jpeg",
        "content/en/world/vote.md": article_text("Vote", image={
            "src": "photo.jpg", "alt": "Voters", "caption": "A queue", "credit": "AP"}),
        "content/ru/world/vote.md": article_text("Выборы"),
    })
    assert errors == []
    ru = by_path(site)["content/ru/world/vote.md"]
    assert (ru.image.alt, ru.image.text_lang, ru.image.url) \
        == ("Voters", "en", "media/en/world/photo.jpg")


def test_image_src_is_relative_to_the_article_or_to_content(assembled, article_text):
    site, errors, _ = assembled({
        "content/images/a.jpg": b"a",
        "content/en/world/b.jpg": b"b",
        "content/en/world/one.md": article_text("One", image={"src": "/images/a.jpg"}),
        "content/en/world/two.md": article_text("Two", image={"src": "b.jpg"}),
    })
    assert errors == []
    urls = {a.slug: a.image.url for a in site.articles}
    assert urls == {"one": "media/images/a.jpg", "two": "media/en/world/b.jpg"}
    assert sorted(a.url for a in site.assets) == ["media/en/world/b.jpg", "media/images/a.jpg"]


def test_missing_image_is_an_error_at_the_src_line(assembled):
    _, errors, _ = assembled({"content/en/world/x.md":
                              "---\ntitle: X\ndate: 2025-01-01\nimage:\n  src: nope.jpg\n"
                              "  alt: x\n---\nBody\n"})
    assert len(errors) == 1
    assert errors[0].startswith("content/en/world/x.md:5: image 'nope.jpg' not found")


def test_image_outside_content_is_refused(assembled):
    _, errors, _ = assembled({"secret.jpg": b"x", "content/en/world/x.md":
                              "---\ntitle: X\ndate: 2025-01-01\nimage: ../../../secret.jpg\n"
                              "---\nBody\n"})
    assert errors == ["content/en/world/x.md:4: image '../../../secret.jpg' points outside "
                      "the content folder; keep photos under content/"]


def test_date_without_offset_is_in_the_site_timezone(assembled, article_text):
    site, _, _ = assembled({"content/en/world/x.md": article_text(date="2025-07-01 09:30")})
    assert site.articles[0].date == dt.datetime(2025, 7, 1, 7, 30, tzinfo=dt.UTC)
    assert site.articles[0].date.utcoffset() == dt.timedelta(hours=2)


def test_articles_are_ordered_newest_first(assembled, article_text):
    site, _, _ = assembled({
        "content/en/world/old.md": article_text(date="2024-01-01"),
        "content/en/world/new.md": article_text(date="2025-06-01"),
        "content/ru/world/mid.md": article_text(date="2024-06-01"),
    })
    assert [a.slug for a in site.articles] == ["new", "mid", "old"]


def test_drafts_and_future_articles_are_held_back_with_a_reason(assembled, article_text):
    files = {
        "content/en/world/live.md": article_text(),
        "content/en/world/draft.md": article_text(draft=True),
        "content/en/world/later.md": article_text(date="2099-01-01T08:00:00+00:00"),
    }
    site, _, _ = assembled(files)
    assert [a.slug for a in site.articles] == ["live"]
    assert [(a.slug, why) for a, why in site.held_back] == [
        ("draft", "draft"), ("later", "scheduled for 2099-01-01T08:00:00+00:00")]


def test_drafts_and_future_are_published_on_request(assembled, article_text):
    files = {
        "content/en/world/draft.md": article_text(draft=True),
        "content/en/world/later.md": article_text(date="2099-01-01"),
    }
    site, _, _ = assembled(files, drafts=True, future=True)
    assert sorted(a.slug for a in site.articles) == ["draft", "later"]
    assert site.held_back == ()


def test_unknown_front_matter_key_is_a_warning_naming_file_line_and_key(assembled):
    site, errors, warnings = assembled({"content/en/world/x.md":
                                        "---\ntitle: X\ndate: 2025-01-01\ntgas: [a]\n---\n"})
    assert errors == [] and len(site.articles) == 1
    assert warnings == ["content/en/world/x.md:4: front matter: unknown key 'tgas'; "
                        "did you mean 'tags'?"]


@pytest.mark.parametrize(("front", "line", "message"), [
    ("date: 2025-01-01\n", 1, "front matter: 'title' is required"),
    ("title: X\n", 1, "front matter: 'date' is required"),
    ("title: X\ndate: 2026-02-30\n", 3, "front matter: date '2026-02-30' is not a valid date"),
    ("title: X\ndate: 2025-01-01\nupdated: soon\n", 4, "updated 'soon' is not a valid date"),
    ("title: [X]\ndate: 2025-01-01\n", 2, "'title' must be text"),
    ("title: X\ndate: 2025-01-01\ntags: {a: 1}\n", 4, "'tags' must be a list"),
    ("title: X\ndate: 2025-01-01\ndraft: maybe\n", 4, "'draft' must be true or false"),
    ("title: X\ndate: 2025-01-01\nslug: ../x\n", 4, "slug '../x' would escape"),
    ("title: X\ndate: 2025-01-01\nslug: /etc/x\n", 4, "slug '/etc/x' would escape"),
    ("title: X\ndate: 2025-01-01\nslug: '%2e%2e'\n", 4, "slug '%2e%2e' must not contain "
                                                      "percent-encoded"),
    ("title: X\ndate: 2025-01-01\nsection: ../../etc\n", 4, "section '../../etc' would escape"),
    ("title: X\ndate: 2025-01-01\nsection: tags\n", 4, "section 'tags' is reserved"),
])
def test_invalid_field_is_an_error_at_its_line(assembled, front, line, message):
    site, errors, _ = assembled({"content/en/world/x.md": f"---\n{front}---\nBody\n"})
    assert site.articles == ()
    assert len(errors) == 1
    assert errors[0].startswith(f"content/en/world/x.md:{line}: ")
    assert message in errors[0]


def test_empty_section_does_not_turn_the_file_name_into_a_section(assembled, article_text):
    site, errors, _ = assembled({"content/en/x.md": article_text(section="")})
    assert site.articles == ()
    assert errors[0].startswith("content/en/x.md:4: an article must be in a section folder")


def test_article_outside_a_language_folder_is_an_error(assembled, article_text):
    _, errors, _ = assembled({"content/x.md": article_text()})
    assert errors[0].startswith("content/x.md:1: an article must be inside a language folder")


def test_language_folder_not_in_the_config_is_reported_once(assembled, article_text):
    _, errors, _ = assembled({"content/de/world/a.md": article_text(),
                              "content/de/world/b.md": article_text()})
    assert errors == ["content/de/world/a.md:1: content/de/ is not a configured language; "
                      "add [languages.de] to dateline.toml or move the file"]


def test_two_articles_on_one_url_name_both_files(assembled, article_text):
    _, errors, _ = assembled({"content/en/world/a.md": article_text(),
                              "content/en/world/b.md": article_text(slug="a")})
    message = ("content/en/world/a.md and content/en/world/b.md would both be written to "
               "/en/world/a/; give one of them a different slug")
    assert errors == [f"content/en/world/a.md:1: {message}",
                      f"content/en/world/b.md:1: {message}"]


def test_draft_does_not_collide_when_it_is_not_published(assembled, article_text):
    site, errors, _ = assembled({"content/en/world/a.md": article_text(),
                                 "content/en/world/b.md": article_text(slug="a", draft=True)})
    assert errors == [] and [a.slug for a in site.articles] == ["a"]


def test_repeated_tags_are_kept_once_in_order(assembled, article_text):
    site, _, _ = assembled({"content/en/world/x.md": article_text(tags=["b", "a", "b"])})
    assert site.articles[0].tags == ("b", "a")


def test_every_problem_of_every_file_is_collected(assembled, article_text):
    _, errors, _ = assembled({
        "content/en/world/a.md": "---\ndate: 2025-01-01\n---\n",
        "content/en/world/b.md": "---\ntitle: B\ndate: 2025-13-01\nslug: ../b\n---\n",
    })
    assert [e.split(": ")[0] for e in errors] == [
        "content/en/world/a.md:1", "content/en/world/b.md:3"]


def test_two_spellings_of_one_tag_slug_are_an_error_naming_both(assembled, article_text):
    _, errors, _ = assembled({
        "content/en/world/a.md": article_text(tags=["Human rights"]),
        "content/en/world/b.md": article_text(tags=["elections", "human-rights"]),
    })
    assert [e.split(": ")[0] for e in errors] == ["content/en/world/a.md:4",
                                                  "content/en/world/b.md:4"]
    assert "'Human rights' (content/en/world/a.md) and 'human-rights' " \
           "(content/en/world/b.md)" in errors[0]
    assert "/en/tags/human-rights/" in errors[0]


def test_same_tag_in_two_languages_is_not_a_collision(assembled, article_text):
    _, errors, _ = assembled({
        "content/en/world/a.md": article_text(tags=["elections"]),
        "content/ru/world/a.md": article_text(tags=["elections"]),
    })
    assert errors == []


@pytest.mark.parametrize(("written", "parsed"), [
    ("2025-03-01", "2025-03-01T00:00:00+01:00"),
    ("2025-07-01", "2025-07-01T00:00:00+02:00"),
    ("2025-03-01T10:00", "2025-03-01T10:00:00+01:00"),
    ("2025-03-01 10:00:00", "2025-03-01T10:00:00+01:00"),
    ("2025-03-01T10:00:00Z", "2025-03-01T10:00:00+00:00"),
    ("2025-03-01T10:00:00+03:30", "2025-03-01T10:00:00+03:30"),
])
def test_dates_parse_as_iso_8601_in_the_site_zone(written, parsed):
    assert parse_datetime(written, ZoneInfo("Europe/Prague")).isoformat() == parsed


@pytest.mark.parametrize("written", ["2026-02-30", "2025-13-01", "yesterday", "", 20250301])
def test_impossible_or_non_text_dates_raise_value_error(written):
    with pytest.raises(ValueError):
        parse_datetime(written, ZoneInfo("UTC"))


def test_two_versions_of_one_story_in_one_language_are_an_error(assembled, article_text):
    _, errors, _ = assembled({
        "content/en/world/a.md": article_text(translation_key="vote"),
        "content/en/world/b.md": article_text(translation_key="vote"),
        "content/ru/world/a.md": article_text(translation_key="vote"),
    })
    message = ("content/en/world/a.md and content/en/world/b.md are both the 'en' version of "
               "story 'vote'; give one of them its own translation_key")
    assert errors == [f"content/en/world/a.md:4: {message}", f"content/en/world/b.md:4: {message}"]


EMBARGO = "2026-03-01T08:00:00+00:00"  # after NOW
PAST = "2025-06-01T08:00:00+00:00"


@pytest.mark.parametrize(("original", "translation", "reason"), [
    ({"draft": True}, {}, "its original content/en/politics/x.md is a draft"),
    ({"date": EMBARGO}, {},
     f"its original content/en/politics/x.md is scheduled for {EMBARGO}"),
    ({"date": EMBARGO, "draft": True}, {},
     "its original content/en/politics/x.md is a draft"),
    ({}, {"draft": True}, "draft"),
    ({}, {"date": EMBARGO}, f"scheduled for {EMBARGO}"),
    ({"draft": True}, {"date": EMBARGO}, f"scheduled for {EMBARGO}"),
])
def test_a_translation_is_held_back_with_its_original_or_on_its_own(
        assembled, article_text, original, translation, reason):
    """The original's own reason is named in the translation's (its own reason first)."""
    site, errors, _ = assembled({
        "content/en/politics/x.md": article_text(**{"date": PAST, **original}),
        "content/fa/politics/x.md": article_text(**{"date": PAST, **translation}),
        "content/ru/politics/x.md": article_text(**{"date": PAST, **translation}),
    })
    assert errors == []
    held = dict((a.source.path, why) for a, why in site.held_back)
    assert held["content/fa/politics/x.md"] == reason
    assert held["content/ru/politics/x.md"] == reason
    assert all(a.lang == "en" for a in site.articles)
    assert all(a.lang == "en" for _key, group in site.groups for a in group)


def test_a_translation_of_a_marked_original_waits_for_it(assembled, article_text):
    """The original need not be in the default language (`original: true`)."""
    site, _, _ = assembled({
        "content/ru/world/y.md": article_text(date=EMBARGO, original=True),
        "content/en/world/y.md": article_text(date=PAST),
    })
    assert site.articles == ()
    assert dict((a.source.path, why) for a, why in site.held_back)[
        "content/en/world/y.md"] == f"its original content/ru/world/y.md is scheduled for {EMBARGO}"


def test_translations_of_held_back_originals_are_published_on_request(assembled,
                                                                      article_text):
    site, _, _ = assembled({
        "content/en/politics/x.md": article_text(draft=True),
        "content/fa/politics/x.md": article_text(),
        "content/en/world/y.md": article_text(date=EMBARGO),
        "content/ru/world/y.md": article_text(),
    }, drafts=True, future=True)
    assert site.held_back == ()
    assert len(site.articles) == 4


@pytest.mark.parametrize("key", ["tags", "authors", "reporting"])
@pytest.mark.parametrize(("written", "fix"), [
    ("censorship, protests", "[censorship, protests]"),
    ("'censorship, protests'", "[censorship, protests]"),
    ("censorship", "[censorship]"),
    ("Human rights,Press freedom ,", "[Human rights, Press freedom]"),
    ("'Karsk: the vote, day 2'", "['Karsk: the vote', day 2]"),
    ("2024", "['2024']"),
    ("''", "[]"),
])
def test_a_list_key_given_as_text_is_an_error_with_the_fix(assembled, key, written, fix):
    """A string was once taken as one item ("censorship, protests" one tag)."""
    front = f"---\ntitle: X\ndate: 2025-01-01\n{key}: {written}\n---\nBody\n"
    site, errors, _ = assembled({"content/en/world/x.md": front})
    assert site.articles == ()
    assert errors == [f"content/en/world/x.md:4: front matter: '{key}' must be a list, "
                      f"not text; write it as {key}: {fix}"]


@pytest.mark.parametrize(("date", "updated"), [
    ("2025-03-01T10:00:00+01:00", "2025-03-01T09:59:59+01:00"),
    ("2025-03-01", "2025-02-28"),
    ("2025-03-01T10:00:00+01:00", "2025-03-01T10:30:00+03:00"),  # earlier in UTC
])
def test_updated_before_date_is_an_error_at_its_line(assembled, date, updated):
    front = f"---\ntitle: X\ndate: {date}\nupdated: {updated}\n---\nBody\n"
    site, errors, _ = assembled({"content/en/world/x.md": front})
    assert site.articles == ()
    assert errors == [f"content/en/world/x.md:4: front matter: updated {updated} is earlier "
                      f"than date {date}; an update comes after publication: correct "
                      "'updated' or remove it"]


def test_updated_at_or_after_date_is_accepted(assembled):
    front = ("---\ntitle: X\ndate: 2025-03-01T10:00:00+01:00\n"
             "updated: 2025-03-01T09:00:00+00:00\n---\nBody\n")
    site, errors, _ = assembled({"content/en/world/x.md": front})
    assert errors == [] and len(site.articles) == 1


@pytest.mark.parametrize(("files", "urls"), [
    ({"content/en/world/karsk-vote.md": "", "content/en/world/b.md": "slug: Karsk-Vote\n"},
     ["/en/world/Karsk-Vote/", "/en/world/karsk-vote/"]),
    ({"content/en/world/a.md": "slug: KARSK\n", "content/en/world/b.md": "slug: Karsk\n"},
     ["/en/world/KARSK/", "/en/world/Karsk/"]),
    ({"content/ru/world/a.md": "slug: Выборы\n", "content/ru/world/b.md": "slug: выборы\n"},
     ["/ru/world/Выборы/", "/ru/world/выборы/"]),
])
def test_urls_that_differ_only_in_letter_case_are_an_error_naming_both_files(
        assembled, files, urls):
    site, errors, _ = assembled({path: f"---\ntitle: X\ndate: 2025-01-01\n{meta}---\nB\n"
                                 for path, meta in files.items()})
    names = " and ".join(sorted(files))
    message = (f"{names} would be written to {' and '.join(urls)}, which differ only in "
               "letter case: on a case-insensitive host one overwrites the other; give "
               "one of them a different slug")
    assert sorted(errors) == [f"{path}:1: {message}" for path in sorted(files)]


def test_sections_that_differ_only_in_letter_case_are_an_error(assembled, article_text):
    _, errors, _ = assembled({"content/en/world/a.md": article_text(),
                              "content/en/world/b.md": article_text(section="World")})
    message = ("sections 'world' (content/en/world/a.md) and 'World' (content/en/world/b.md) "
               "differ only in letter case: on a case-insensitive host /en/<section>/ would "
               "hold both; spell the section the same way everywhere")
    assert errors == [f"content/en/world/a.md:1: {message}",
                      f"content/en/world/b.md:1: {message}"]


@pytest.mark.parametrize(("meta", "line", "start"), [
    ("slug: " + "a" * 300, 4, f"slug '{'a' * 60}…' is 300 bytes long"),
    ("slug: " + "a" * 256, 4, f"slug '{'a' * 60}…' is 256 bytes long"),
    ("slug: " + "в" * 128, 4, f"slug '{'в' * 60}…' is 256 bytes long"),  # 2 bytes each
    ("section: " + "s" * 300, 4, f"section '{'s' * 60}…' is 300 bytes long"),
    ("tags: [" + "t" * 300 + "]", 4, f"tag '{'t' * 60}…' makes a page folder that is 300 "
                                     "bytes long"),
])
def test_a_name_too_long_for_a_folder_is_an_error_naming_the_limit(assembled, meta, line,
                                                                   start):
    site, errors, _ = assembled({"content/en/world/x.md":
                                 f"---\ntitle: X\ndate: 2025-01-01\n{meta}\n---\nB\n"})
    assert len(errors) == 1
    assert errors[0].startswith(f"content/en/world/x.md:{line}: {start}, and a folder name "
                                "may have at most 255 bytes (UTF-8) on every file system")


def test_a_name_of_255_bytes_is_accepted(assembled):
    site, errors, _ = assembled({"content/en/world/x.md":
                                 "---\ntitle: X\ndate: 2025-01-01\nslug: " + "a" * 255
                                 + "\n---\nB\n"})
    assert errors == [] and site.articles[0].slug == "a" * 255


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(original=st.tuples(st.booleans(), st.booleans()),
       translation=st.tuples(st.booleans(), st.booleans()),
       drafts=st.booleans(), future=st.booleans())
def test_a_translation_is_published_only_with_its_original(
        assembled, article_text, original, translation, drafts, future):
    """(draft, scheduled) of each version and the two options: a translation is out
    exactly when it or its original is, and its original is never out without it."""
    def text(draft, scheduled):
        return article_text(date=EMBARGO if scheduled else PAST, draft=draft)

    site, errors, _ = assembled({"content/en/world/x.md": text(*original),
                                 "content/ru/world/x.md": text(*translation)},
                                drafts=drafts, future=future)

    def passes(draft, scheduled):
        return (drafts or not draft) and (future or not scheduled)

    assert errors == []
    langs = {a.lang for a in site.articles}
    assert ("en" in langs) == passes(*original)
    assert ("ru" in langs) == (passes(*original) and passes(*translation))


def test_articles_naming_the_same_people_and_tags_share_one_tuple(assembled, article_text):
    # Issue 19: a desk's bylines and a story's tags repeat over thousands of articles;
    # each article holding its own tuple of them was ~170 bytes an article.
    site, errors, _ = assembled({
        f"content/en/world/story-{n}.md": article_text(
            f"Story {n}", authors=["Ana Petrova", "Reza Karimi"], tags=["elections", "vote"],
            reporting=["AP", "AFP"])
        for n in range(3)})
    assert errors == []
    first, *others = site.articles
    assert first.authors == ("Ana Petrova", "Reza Karimi") and first.reporting == ("AP", "AFP")
    for other in others:
        assert other.authors is first.authors and other.tags is first.tags
        assert other.reporting is first.reporting
