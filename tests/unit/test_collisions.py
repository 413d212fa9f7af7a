"""collisions.py at archive scale: the checks hold a key's first article, not a list and
a new key for every article (issue 19: ~12 MiB at 60,000 articles, at the build's peak),
and still report every clash, in the order of each one's first article."""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass

from dateline.build.collisions import check_translation_keys, check_url_collisions
from dateline.errors import Problems, SourceRef


@dataclass(frozen=True)
class _Doc:
    path: str

    def at(self, key: str) -> SourceRef:
        return SourceRef(self.path, 7)


@dataclass(eq=False)
class _Article:
    """What the checks read of an article."""

    url: str
    lang: str
    translation_key: str
    section: str = "world"

    @property
    def source(self) -> SourceRef:
        return SourceRef(f"content/{self.url}.md", 1)


def _checked(articles: list[_Article]) -> list[str]:
    problems = Problems()
    docs = {a.source.path: _Doc(a.source.path) for a in articles}
    check_url_collisions(articles, problems)
    check_translation_keys(articles, docs, problems)
    return [str(p) for p in problems.errors]


def test_every_clash_is_reported_in_the_order_of_its_first_article():
    articles = [_Article("en/world/a/", "en", "a"), _Article("ru/world/b/", "ru", "b"),
                _Article("en/world/c/", "en", "c"), _Article("ru/world/B/", "ru", "x"),
                _Article("ru/world/d/", "ru", "b"), _Article("en/world/e/", "en", "a"),
                _Article("en/world/a/", "en", "f")]
    errors = _checked(articles)
    which = [(e.split(":")[0], "url" if "written" in e else "key") for e in errors]
    assert which == [
        # URLs: en/world/a/ (twice), then ru/world/b/ and ru/world/B/ (letter case).
        ("content/en/world/a/.md", "url"), ("content/en/world/a/.md", "url"),
        ("content/ru/world/b/.md", "url"), ("content/ru/world/B/.md", "url"),
        # Stories: 'a' in en (its first is the first article), then 'b' in ru.
        ("content/en/world/a/.md", "key"), ("content/en/world/e/.md", "key"),
        ("content/ru/world/b/.md", "key"), ("content/ru/world/d/.md", "key")]
    assert "differ only in letter case" in errors[2]
    assert "are both the 'ru' version of story 'b'" in errors[6]


def test_the_same_key_in_two_languages_is_no_clash():
    assert _checked([_Article("en/world/a/", "en", "a"),
                     _Article("ru/world/a/", "ru", "a")]) == []


def test_checking_holds_well_under_a_hundred_bytes_an_article():
    articles = [_Article(f"en/world/story-number-{n}/", "en", f"story-number-{n}")
                for n in range(40_000)]
    tracemalloc.start()
    try:
        assert _checked(articles[:10]) == []
        tracemalloc.reset_peak()
        problems = Problems()
        check_url_collisions(articles, problems)
        check_translation_keys(articles, {}, problems)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not problems.errors
    assert peak / len(articles) < 100, peak / len(articles)
