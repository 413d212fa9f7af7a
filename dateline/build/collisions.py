"""Two things the site would write to one place: articles on one URL (or on URLs that
differ only in letter case, which a case-insensitive host folds into one), sections or
tags spelled two ways, two versions of a story in one language. Checked once, on the
articles a build publishes, before anything is written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from .. import urls
from ..config import Config
from ..errors import Problems
from ..model import Article
from ..read import Document
from ..slugs import length_problem, make_slug, shown


def check_url_collisions(articles: list[Article], problems: Problems) -> None:
    """Two articles on one URL, or on URLs that differ only in letter case: a host with
    a case-insensitive file system (macOS, Windows, some object stores behind a CDN)
    serves one of them for both."""
    for clash in _clashes(articles, lambda article: _lower(article.url)):
        names = " and ".join(a.source.path for a in clash)
        urls_ = sorted({a.url for a in clash})
        if len(urls_) == 1:
            message = f"{names} would both be written to /{urls_[0]}"
        else:
            message = (f"{names} would be written to {' and '.join('/' + u for u in urls_)}, "
                       "which differ only in letter case: on a case-insensitive host one "
                       "overwrites the other")
        for article in clash:
            problems.error(article.source, f"{message}; give one of them a different slug")
    _check_section_case(articles, problems)


def _check_section_case(articles: list[Article], problems: Problems) -> None:
    """Sections whose names differ only in letter case ('World', 'world') would have
    their pages in one folder on a case-insensitive host."""
    spellings: dict[tuple[str, str], dict[str, Article]] = defaultdict(dict)
    for article in articles:
        spellings[(article.lang, article.section.lower())].setdefault(article.section,
                                                                      article)
    for (lang, _), sections in spellings.items():
        if len(sections) > 1:
            names = " and ".join(f"'{key}' ({a.source.path})" for key, a in sections.items())
            for article in sections.values():
                problems.error(article.source, f"sections {names} differ only in letter "
                               f"case: on a case-insensitive host /{lang}/<section>/ would "
                               "hold both; spell the section the same way everywhere")


def check_tag_collisions(articles: list[Article], docs: dict[str, Document], config: Config,
                          problems: Problems) -> None:
    """Two spellings of a tag that make one slug ('Human rights', 'human-rights') would
    write one tag page over the other."""
    spellings: dict[tuple[str, str], dict[str, Article]] = defaultdict(dict)
    for article in articles:
        style = config.language(article.lang).slug_style
        for tag in article.tags:
            slug = make_slug(tag, style)
            if (reason := length_problem(slug)) is not None:
                problems.error(docs[article.source.path].at("tags"),
                               f"tag '{shown(tag)}' makes a page folder that {reason}")
            spellings[(article.lang, slug.lower())].setdefault(tag, article)
    for (lang, slug), tags in spellings.items():
        if len(tags) > 1:
            names = " and ".join(f"'{shown(tag)}' ({a.source.path})"
                                 for tag, a in tags.items())
            for article in tags.values():
                problems.error(docs[article.source.path].at("tags"), f"tags {names} would "
                               f"both be written to /{urls.tag(lang, slug)}; spell the tag "
                               "the same way in every article")


def check_translation_keys(articles: list[Article], docs: dict[str, Document],
                            problems: Problems) -> None:
    """A story has one version per language; a second one is usually a copied key."""
    for clash in _clashes(articles, lambda article: article.translation_key,
                          lambda article: article.lang):
        key, lang = clash[0].translation_key, clash[0].lang
        names = " and ".join(a.source.path for a in clash)
        for article in clash:
            problems.error(docs[article.source.path].at("translation_key"),
                           f"{names} are both the '{lang}' version of story '{key}'; "
                           "give one of them its own translation_key")


def _clashes(articles: list[Article], key_of: Callable[[Article], str],
             within: Callable[[Article], str] | None = None) -> list[list[Article]]:
    """The groups of two or more of `articles` with one key (`within` one value of
    `within`), in the order of each group's first. Only a key's first article is held
    for it, by the key's own string where it can be: a list for each article and a new
    string or tuple for its key took ~12 MiB at the build's peak at 60,000 articles
    (issue 19)."""
    first: dict[str | None, dict[str, Article]] = defaultdict(dict)
    clashes: dict[int, list[Article]] = {}
    for article in articles:
        seen = first[within(article) if within else None].setdefault(key_of(article), article)
        if seen is not article:
            clashes.setdefault(id(seen), [seen]).append(article)
    found = list(clashes.values())
    if len(found) > 1:  # (rare: the places of every article, only then)
        place = {id(article): n for n, article in enumerate(articles)}
        found.sort(key=lambda clash: place[id(clash[0])])
    return found


def _lower(text: str) -> str:
    """`text` in lower case: itself when it is already (no copy held)."""
    lower = text.lower()
    return text if lower == text else lower
