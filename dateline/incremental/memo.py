"""What assembling made from each source file in earlier builds, reused while its inputs
are the same: after a one-article edit, one article is validated and planned again, not
the whole site. The preview server keeps the articles themselves in memory; the build
cache on disk keeps the validated fields and the articles' fingerprints only (loading
thousands of articles from disk would cost more than making them again).

Nothing is reused from a file that produced a warning or an error, so every problem is
reported again on every build until it is fixed.
"""

from __future__ import annotations

import operator
from collections.abc import MutableMapping
from dataclasses import dataclass, field

from msgspec import Struct, structs

from ..config import Config
from ..digests import digest
from ..fields import FrontMatter
from ..model import Article
from ..unencoded import unencoded
from .sharedprints import shared_fingerprints


def settings_token(config: Config) -> str:
    """What every article's fields depend on besides its files: the configuration."""
    text = "\0".join((config.source_text, repr(config.site), repr(config.languages),
                      repr(config.images), str(config.paths.content)))
    return digest(text)


@dataclass(eq=False, slots=True)
class ArticleEntry:
    # Slots: one entry per article is held until the pages are planned (issue 19).
    inputs: bytes
    """A digest of what the article is made from (`assemble._Reuse._article_inputs`)."""
    article: Article | None
    """None when loaded from disk: the article is made again from the same inputs."""
    fingerprints: tuple[str, str] | None = None
    """(article, card) fingerprints of the article these inputs make, once computed."""

    def __reduce__(self):
        # On disk without the article: loading thousands of them costs more than making
        # them again.
        return ArticleEntry, (self.inputs, None, self.fingerprints)

    def __eq__(self, other) -> bool:
        # Equal as stored (the cache writes the rows of the entries that differ from what
        # it read, and an entry read from disk has no article).
        if not isinstance(other, ArticleEntry):
            return NotImplemented
        return (self.inputs, self.fingerprints) == (other.inputs, other.fingerprints)


@dataclass
class AssemblyMemo:
    fields: dict[str, tuple[tuple, FrontMatter]] = field(default_factory=dict)
    """Source path → (inputs, its validated front-matter fields before inheritance)."""
    articles: dict[str, ArticleEntry] = field(default_factory=dict)
    """Source path → the article made from it, and from what."""

    def start(self) -> None:
        """Begin a build: what it does not use again is forgotten at `finish`."""
        self._fields_seen: dict[str, tuple[tuple, FrontMatter]] = {}
        self._articles_seen: dict[str, ArticleEntry] = {}

    def cached_fields(self, path: str, inputs: tuple) -> FrontMatter | None:
        hit = self.fields.get(path)
        if hit is None or hit[0] != inputs:
            return None
        self._fields_seen[path] = hit
        return hit[1]

    def remember_fields(self, path: str, inputs: tuple, fields: FrontMatter) -> None:
        self._fields_seen[path] = (inputs, fields)

    def cached_article(self, path: str, inputs: bytes) -> Article | None:
        hit = self.articles.get(path)
        if hit is None or hit.inputs != inputs or hit.article is None:
            return None
        self._articles_seen[path] = hit
        return hit.article

    def remember_article(self, path: str, inputs: bytes, article: Article) -> None:
        # Making an article is deterministic: the same inputs make an equal article, whose
        # fingerprints are known already.
        old = self.articles.get(path)
        known = old.fingerprints if old is not None and old.inputs == inputs else None
        self._articles_seen[path] = ArticleEntry(inputs, article, known)

    def finish_fields(self) -> None:
        """Keep the fields this build used, before the articles: they are known once the
        model is made, and settled (written out) before planning (issue 19)."""
        self.fields, self._fields_seen = self._fields_seen, {}
        self._fields_finished = True

    def finish(self, articles: tuple[Article, ...], fingerprints: dict[str, dict]) -> None:
        """Keep what this build used; `articles` are the final versions (a stage after
        assembling may have completed them), `fingerprints` what the pages computed."""
        entries = self._articles_seen
        for article in articles:
            entry = entries.get(article.source_file)
            if entry is None:
                continue
            own = fingerprints["articles"].get(article.url)
            card = fingerprints["cards"].get(article.url)
            if own is not None and card is not None:
                known = (own, card)
            else:  # not computed by this build: still true of the same article only
                known = entry.fingerprints if entry.article is article else None
            # A new entry rather than this one changed: the cache on disk is written from
            # what differs from the entries it read.
            if entry.article is not article or entry.fingerprints != known:
                entries[article.source_file] = ArticleEntry(entry.inputs, article, known)
        if not getattr(self, "_fields_finished", False):
            self.fields = self._fields_seen
        self.articles = entries

    def __getstate__(self) -> dict:
        return {"fields": self.fields, "articles": self.articles}

    def known_fingerprints(self, articles: tuple[Article, ...]) -> dict[str, MutableMapping]:
        """The article and card fingerprints of articles this memo made, by URL, in the
        shape `PageFingerprints` shares between languages."""
        shared = shared_fingerprints()
        for article in articles:
            entry = self._articles_seen.get(article.source_file)
            if entry is not None and entry.article is article and entry.fingerprints:
                shared["articles"][article.url], shared["cards"][article.url] = \
                    entry.fingerprints
        return shared


def detached_row(row: tuple[str, tuple]) -> tuple[str, tuple]:
    """A row of the `fields` table (key, (inputs, fields)) to pickle, its fields' texts
    that are not ASCII copied (`detached`)."""
    key, (inputs, fields) = row
    return key, (inputs, detached(fields))


def detached(value):
    """`value` with its texts that are not ASCII copied, at any depth of structs and
    tuples: pickling such a text leaves its UTF-8 form in it for good (CPython keeps
    it), and the validated fields' texts are the articles' own (a Russian or Persian
    title and summary: ~180 bytes an article held to the end of the build, for a row
    written once; issue 19)."""
    kind = type(value)
    if kind is str:
        return unencoded(value)
    if kind is tuple:
        copy = tuple(map(detached, value))
        return value if all(map(operator.is_, copy, value)) else copy
    if isinstance(value, Struct):
        changed = {name: copy for name in value.__struct_fields__
                   if (copy := detached(item := getattr(value, name))) is not item}
        return structs.replace(value, **changed) if changed else value
    return value
