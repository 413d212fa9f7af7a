"""vocabulary.py: sections and tags the config does not list for a language are warned
of where they are written (with a close match); a missing label borrows the default
language's, and the summary counts it (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest

from dateline.build.assemble import Assembly, assemble
from dateline.config import load_config
from dateline.errors import Problems
from dateline.read import find_sources, read_document

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)

CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "UTC"

[languages.en]
title = "Herald"
about = "About the Herald."

[languages.en.sections]
politics = "Politics"
world = "World"

[languages.en.tags]
censorship = "Censorship"
protests = "Protests"
elections = "Elections"

[languages.ru]
title = "Вестник"
about = "О Вестнике."

[languages.ru.sections]
politics = "Политика"

[languages.ru.tags]
censorship = "Цензура"
"""


@pytest.fixture
def warnings_of(tmp_path, make_site, article_text):
    """`warnings_of(files, config=CONFIG) -> (site, errors, warnings)`."""

    def run(files: dict[str, str], config: str = CONFIG, **options):
        root = make_site(tmp_path / "site", {"dateline.toml": config, **files})
        config = load_config(root / "dateline.toml")
        problems = Problems()
        docs = [d for p in find_sources(config.paths.content)
                if (d := read_document(p, config.paths.content, config.paths.root, problems))]
        site = assemble(docs, config, NOW, problems, Assembly(**options))
        return site, [str(p) for p in problems.errors], [str(p) for p in problems.warnings]

    return run


def front(meta: str) -> str:
    return f"---\ntitle: X\ndate: 2025-01-01\n{meta}---\nBody\n"


@pytest.mark.parametrize(("path", "meta", "warning"), [
    ("content/en/politics/x.md", "tags: [censorship, protets]\n",
     "content/en/politics/x.md:4: tag 'protets' is not in [languages.en.tags] of "
     "dateline.toml and would get pages of its own; did you mean 'protests'? If not, "
     "add it there with its label"),
    ("content/en/politics/x.md", "tags: [weather]\n",
     "content/en/politics/x.md:4: tag 'weather' is not in [languages.en.tags] of "
     "dateline.toml and would get pages of its own; add it there with its label"),
    ("content/en/politics/x.md", "section: wrold\n",
     "content/en/politics/x.md:4: section 'wrold' is not in [languages.en.sections] of "
     "dateline.toml and would get pages of its own; did you mean 'world'? If not, add it "
     "there with its label"),
    ("content/en/sport/x.md", "",
     "content/en/sport/x.md:1: the folder content/en/sport/ (a section) is not in "
     "[languages.en.sections] of dateline.toml and would get pages of its own; add it "
     "there with its label"),
    ("content/ru/politcs/x.md", "",
     "content/ru/politcs/x.md:1: the folder content/ru/politcs/ (a section) is not in "
     "[languages.ru.sections] of dateline.toml and would get pages of its own; did you "
     "mean 'politics'? If not, add it there with its label"),
    ("content/en/politics/x.md", "draft: true\ntags: [Censorship]\n",  # held back too
     "content/en/politics/x.md:5: tag 'Censorship' is not in [languages.en.tags] of "
     "dateline.toml and would get pages of its own; did you mean 'censorship'? If not, "
     "add it there with its label"),
])
def test_an_unknown_section_or_tag_is_a_warning_where_it_is_written(
        warnings_of, path, meta, warning):
    site, errors, warnings = warnings_of({path: front(meta)})
    assert errors == []
    assert warnings == [warning]


def test_keys_known_in_the_default_language_are_known_in_every_language(warnings_of):
    """ru lists no 'world' section nor 'elections' tag: it borrows en's labels."""
    _, errors, warnings = warnings_of({
        "content/ru/world/x.md": front("tags: [elections, censorship]\n")})
    assert errors == [] and warnings == []


def test_inherited_values_are_reported_at_the_original_only(warnings_of):
    _, _, warnings = warnings_of({
        "content/en/politics/x.md": front("section: sprot\ntags: [weather]\n"),
        "content/ru/politics/x.md": front(""),
    })
    assert [w.split(":")[0] for w in warnings] == ["content/en/politics/x.md"] * 2


def test_a_site_that_lists_no_sections_or_tags_takes_any(warnings_of, config_text):
    _, errors, warnings = warnings_of({
        "content/en/sport/x.md": front("tags: [anything, at all]\n")}, config=config_text())
    assert errors == [] and warnings == []


LABELS = {
    "content/en/world/vote.md": front("tags: [elections, censorship]\n"),
    "content/ru/world/vote.md": front(""),
}


def test_a_missing_label_shows_the_default_languages_and_is_counted(tmp_path, make_site,
                                                                    run_cli, parse_html):
    root = make_site(tmp_path, {"dateline.toml": CONFIG, **LABELS})
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 0, result.err
    # ru has its own label for 'censorship' only: 'world' and 'elections' are borrowed.
    assert "section and tag labels missing (default language's shown instead): ru 2" \
        in result.out.splitlines()
    page = parse_html(root / "site/ru/world/vote/index.html")
    texts = {a.text.strip() for a in page.find_all("a")}
    assert {"World", "Elections", "Цензура"} <= texts
    assert not {"world", "elections", "censorship"} & texts
    tags = parse_html(root / "site/ru/tags/index.html")
    assert {"Elections", "Цензура"} <= {a.text.strip() for a in tags.find_all("a")}
    # The no-change shortcut repeats the count.
    again = run_cli(["build", "--config", root / "dateline.toml"])
    assert "section and tag labels missing (default language's shown instead): ru 2" \
        in again.out.splitlines()
