"""Fingerprints of what each page is made from, so an incremental build renders only
the pages whose inputs changed.

A page's fingerprint covers the theme, the catalogs, the configuration and Dateline's
version (through `site_fingerprint`), the chrome every page of its language shows (the
section navigation, the breaking-news banner), and the page's own content: its article
and the translations it links to, or the cards of its listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import islice
from pathlib import Path

from .. import __version__
from ..digests import digest as digest_of
from ..digests import hasher as new_hasher
from ..errors import SourceRef
from ..model import Article
from ..outputs.pages import Page
from ..outputs.views import LanguageView


def digest(data: bytes) -> str:
    return digest_of(data)


def files_fingerprint(folders: list[Path]) -> str:
    """Names and bytes of every file under the folders (templates, static, catalogs)."""
    hasher = new_hasher()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix != ".mo":
                hasher.update(path.relative_to(folder).as_posix().encode())
                hasher.update(path.read_bytes())
    return hasher.hexdigest()


def site_fingerprint(config_text: str, catalogs: str, settings: str) -> str:
    return digest(f"{__version__}\0{config_text}\0{catalogs}\0{settings}".encode())


def chrome_fingerprint(view: LanguageView) -> str:
    """What every page of a language shows besides its own content."""
    breaking = view.breaking
    data = (
        tuple((s.key, s.label, s.url) for s in view.sections),
        bool(view.tags),
        (breaking.url, breaking.title) if breaking else None,
        view.archive_url,
        bool(view.correction_entries),  # the footer links to the corrections page
    )
    return value_digest(data)


class DigestMemo:
    """Fingerprints by the values they were computed from, kept from one build to the
    next by a long-running process (the preview server): the values an edit did not
    touch are looked up instead of printed and hashed again. Only what the last build
    used is kept, so the memo never outgrows one build."""

    def __init__(self, known: dict | None = None, remember: bool = True):
        self.known: dict[tuple, str] = known or {}
        self.used: dict[tuple, str] = {}
        self.remember = remember
        """False in a process that builds once (the command line): nothing would look
        the values up again, and they are a tuple of what every page shows (issue 19)."""

    def of(self, value: tuple) -> str:
        """`value_digest(value)`; `value` must be hashable (tuples, not lists)."""
        known = self.known.get(value)
        if known is None:
            known = value_digest(value)
        if self.remember:
            self.used[value] = known
        return known

    def next(self) -> DigestMemo:
        """The memo for the next build: what this one used."""
        return DigestMemo(self.used)

    def keep_all(self) -> None:
        """Count everything the last build used as used by this one too (for a build
        that kept the last build's fingerprints instead of computing them again)."""
        self.used = {**self.known, **self.used}


class PageFingerprints:
    """Fingerprints of a language's pages. An article appears on its page, its
    translations' pages and a dozen listings: its share is hashed once and reused."""

    def __init__(self, view: LanguageView, site_fp: str, shared: dict | None = None,
                 templates: dict[str, str] | None = None,
                 memo: DigestMemo | None = None):
        self.view = view
        self.memo = memo or DigestMemo()
        self.templates = templates or {}
        """Template name → fingerprint of it and the templates it uses."""
        self.chrome = value_digest((site_fp, chrome_fingerprint(view)))
        # Articles and cards look the same from every language: pass one `shared` dict
        # to the fingerprints of all languages so each is hashed once.
        shared = {} if shared is None else shared
        self._articles: dict[str, str] = shared.setdefault("articles", {})
        self._cards: dict[str, str] = shared.setdefault("cards", {})
        self._listing_hashed: tuple[tuple[str, ...], str] = ((), "")

    def of(self, page: Page) -> str:
        pagination = page.pagination
        article = page.article
        parts = (self.chrome, page.url, page.template,
                 self.templates.get(page.template, ""), page.heading, page.key,
                 page.alternates, page.x_default, page.links,
                 (pagination.number, pagination.total, self._listing(pagination.urls),
                  pagination.item_count) if pagination else None,
                 self.article(article) if article is not None else None,
                 tuple(self._card(a) for a in self.view.translations_of(article))
                 if article is not None else (),
                 # An article's items are its related stories: links, not cards.
                 tuple(_related_data(a) for a in page.items) if article is not None
                 else tuple(self._card(a) for a in page.items),
                 tuple((t.key, t.label, t.url, t.count) for t in self.view.tags)
                 if page.kind == "tags" else (),
                 self._news_desk(page))
        return self.memo.of(parts)

    def _news_desk(self, page: Page) -> tuple:
        """What author, staff-list, corrections and article pages show besides their
        cards: a translation's notice of its original's correction, an author's photo
        (its renditions' names carry the file's hash), the staff list's counts, and a
        corrections page's notes. (Names, bios and bylines' links are the config's.)"""
        if page.kind == "article" and page.article is not None:
            return (self.view.original_correction(page.article),)
        if page.kind == "author":
            # Not `_image_data`: its published size is known only once the file is made.
            portrait = self.view.portrait(page.key)
            picture = portrait.picture if portrait is not None else None
            return (tuple(r.url for r in picture.renditions), picture.width) if picture else ()
        if page.kind == "authors":
            return tuple((key, len(items)) for key, items in self.view.authored.items())
        return page.corrections

    def _listing(self, urls: tuple[str, ...]) -> str:
        # Every page of a listing carries the URLs of all its pages: hash them once
        # (the pages share one tuple), not once per page, or long listings cost n². A
        # listing's pages come one after another: the last listing's hash is the one
        # kept (one for every listing was ~5 MB at 60,000 articles, held to the end of
        # the build: issue 19).
        hashed = self._listing_hashed
        if hashed[0] is not urls:
            hashed = self._listing_hashed = (urls, value_digest(urls))
        return hashed[1]

    def article(self, article: Article) -> str:
        """Every field of the article, its body included (by its hash)."""
        key = article.url
        if key not in self._articles:
            self._articles[key] = value_digest((article_data(article), article.digest))
        return self._articles[key]

    def _card(self, article: Article) -> str:
        key = article.url
        if key not in self._cards:
            self._cards[key] = value_digest(_card_data(article))
        return self._cards[key]


_ARTICLE_FIELDS = Article.__struct_fields__


def article_data(article: Article) -> tuple:
    """Every field of the article; its body by `body_id`, the hash of the rendered HTML
    (which also changes when a photo in the body does)."""
    # Plain values only: a dataclass's repr is slow, and this runs for every article.
    return tuple(_image_data(article.image) if name == "image" else
                 str(value) if isinstance(value := getattr(article, name), SourceRef | Path)
                 else value.isoformat() if isinstance(value, datetime)
                 else value for name in _ARTICLE_FIELDS)


def _image_data(image) -> tuple | None:
    # The renditions' names carry the photo's content hash and the crop: they stand for
    # the whole plan, which would be slow to print for every page.
    if image is None:
        return None
    return (image.url, image.alt, image.caption, image.credit, image.text_lang,
            image.caption_lang, image.credit_lang, image.ratio,
            image.focus, image.published_bytes,
            tuple(r.url for r in image.picture.renditions) if image.picture else None,
            tuple(r.url for r in image.card.renditions) if image.card else None,
            image.picture.width if image.picture else None)


def value_digest(value: object) -> str:
    # repr, not pickle: pickle's output depends on which equal objects are identical
    # (its memo), so the same values could fingerprint differently from run to run.
    if not _long(value):
        return digest(repr(value).encode())
    hasher = new_hasher()
    _print_into(hasher.update, value)
    return hasher.hexdigest()


LONG_TUPLE = 4096
"""Items of a tuple hashed as it is printed, a batch at a time: the sitemaps' fingerprint
covers every page (300,000 articles: its repr, ~200 MB, and that encoded, at once)."""


class Streamed:
    """A long tuple's items, made as they are printed: `value_digest` hashes a value
    holding one as if it held `tuple(items())`, without every item at once (the
    sitemaps' entries: one tuple per page, ~50 MiB at 300,000 articles)."""

    __slots__ = ("items",)

    def __init__(self, items: Callable[[], Iterable]):
        self.items = items


def _long(value: object) -> bool:
    return type(value) is Streamed or type(value) is tuple and (len(value) > LONG_TUPLE or any(
        type(item) is Streamed or type(item) is tuple and len(item) > LONG_TUPLE
        for item in value))


def _print_into(update, value: tuple | Streamed) -> None:
    """`update(repr(value).encode())`, the long tuples in it printed piece by piece."""
    items = iter(value.items() if type(value) is Streamed else value)
    update(b"(")
    count = 0
    while batch := tuple(islice(items, LONG_TUPLE)):
        if count:
            update(b", ")
        count += len(batch)
        if any(map(_long, batch)):
            for n, item in enumerate(batch):
                if n:
                    update(b", ")
                if _long(item):
                    _print_into(update, item)
                else:
                    update(repr(item).encode())
        else:
            update(", ".join(map(repr, batch)).encode())
    update(b",)" if count == 1 else b")")


def _link_data(article: Article) -> tuple:
    # The photo's renditions (content-hashed names) too: replacing a photo's file keeps
    # its URL but changes every card that shows it.
    # `revised`, not `modified`: a correction shows on its article's page and its
    # translations' (`_news_desk`), not on the cards that list it.
    return (article.lang, article.url, article.title, article.revised.isoformat(),
            article.original, article.summary, _image_data(article.image))


def _related_data(article: Article) -> tuple:
    """What a related-stories link shows."""
    return (article.lang, article.url, article.title, article.date.isoformat())


def _card_data(article: Article) -> tuple:
    # The teaser (the summary, or the body's opening words) is the same in every view.
    return (*_link_data(article), article.section, article.date.isoformat(),
            article.breaking, article.summary or article.body_id)

