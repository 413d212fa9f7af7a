"""Atom and RSS 2.0 feeds: one pair per language and one per section of each language,
and an Atom feed per topic (tag).

A feed carries the newest `site.feed_size` articles written in its language (never
another language's originals that a listing may show), with absolute URLs, the full
body or only the summary (`site.feed_full_content`), the lead image as an enclosure,
and `updated` from the article. Every page head links to the feeds that fit it
(`feed_links`), and `feeds_of` lists exactly those feeds for the build to write
(`build.discovery`), so no link can 404.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zlib
from collections import defaultdict
from dataclasses import dataclass

from .. import urls
from ..model import Article, Correction
from ..photos import imageinfo
from ..urls import Linker
from .absolutize import absolute_links
from .content_view import ContentView
from .corrections import atom_correction
from .corrections import feed_url as corrections_feed_url
from .pages import Page
from .xmlwrite import XML_NS, Fragment, element, fragment, q, sub, to_bytes, w3c_datetime

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
GENERATOR = "Dateline"


def tag_atom_url(view: ContentView, key: str) -> str:
    """The Atom feed of a topic, beside its page (`fa/tags/<slug>/feed.xml`)."""
    return urls.tag_atom_feed(view.code, view.tag_slug(key))


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed's content, written both as Atom and as RSS."""

    view: ContentView
    title: str
    page_url: str
    """The HTML page the feed follows (the language home or the section page)."""
    atom: str
    rss: str
    """'' for a feed published as Atom only (topics', authors', corrections')."""
    articles: tuple[Article, ...]
    corrections: tuple[tuple[Article, Correction], ...] | None = None
    """The entries of a corrections feed, newest first (its `articles` are theirs)."""


def feeds_of(view: ContentView) -> list[Feed]:
    """The language's feed, then one per section of its navigation, then one per topic."""
    size = view.site.config.site.feed_size
    feeds = [Feed(view, view.title, view.home_url, urls.atom_feed(view.code),
                  urls.rss_feed(view.code),
                  view.articles[:size])]
    # One pass over the articles, not one per section and topic.
    by_section: dict[str, list[Article]] = defaultdict(list)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    for article in view.articles:
        if len(by_section[article.section]) < size:
            by_section[article.section].append(article)
        for tag in dict.fromkeys(article.tags):
            if len(by_tag[tag]) < size:
                by_tag[tag].append(article)
    for section in view.sections:
        feeds.append(Feed(view, _section_title(view, section.label), section.url,
                          urls.atom_feed(view.code, section.key),
                          urls.rss_feed(view.code, section.key),
                          tuple(by_section.get(section.key, ()))))
    for tag in view.tags:
        feeds.append(Feed(view, _section_title(view, tag.label), tag.url,
                          tag_atom_url(view, tag.key), "", tuple(by_tag.get(tag.key, ()))))
    for author in view.staff:
        page = urls.author(view.code, author.key)
        feeds.append(Feed(view, _section_title(view, author.name_in(view.code)), page,
                          urls.author_atom_feed(view.code, author.key), "",
                          view.authored[author.key][:size]))
    if entries := view.correction_entries[:size]:
        feeds.append(Feed(view, _corrections_title(view), view.corrections_url,
                          corrections_feed_url(view.code), "",
                          tuple({a.url: a for a, _ in entries}.values()), entries))
    return feeds


def feed_links(view: ContentView, page: Page) -> list[tuple[str, str, str]]:
    """(MIME type, title, target) of the feeds a page advertises in its head: the
    language's, plus its section's on section and article pages (the same feeds
    `feeds_of` makes, without gathering their articles for every page)."""
    chosen = [(view.title, None)]
    key = page.key if page.kind == "section" else (
        page.article.section if page.kind == "article" and page.article else None)
    chosen += [(_section_title(view, s.label), s.key) for s in view.sections if s.key == key]
    links = []
    for title, section in chosen:
        links.append((ATOM_TYPE, title, urls.atom_feed(view.code, section)))
        links.append((RSS_TYPE, title, urls.rss_feed(view.code, section)))
    if page.kind == "tag":
        links.append((ATOM_TYPE, _section_title(view, page.heading),
                      tag_atom_url(view, page.key)))
    elif page.kind == "author":
        links.append((ATOM_TYPE, _section_title(view, page.heading),
                      urls.author_atom_feed(view.code, page.key)))
    elif page.kind == "corrections":
        links.append((ATOM_TYPE, _corrections_title(view), corrections_feed_url(view.code)))
    return links


def _corrections_title(view: ContentView) -> str:
    return _section_title(view, view.strings.gettext("Corrections"))


def _section_title(view: ContentView, label: str) -> str:
    return f"{label} — {view.title}"


# ----- shared content
def _newest(feed: Feed):
    if feed.articles:
        return max(a.modified for a in feed.articles)
    # An empty feed (a section with only other languages' stories) is as new as its site.
    return max((a.modified for a in feed.view.site.articles), default=None)


def _summary(view: ContentView, article: Article) -> str:
    return view.teaser(article)


def _full_body(article: Article, linker: Linker) -> str | None:
    body = article.body_html  # read from the body store: once
    if not body:
        return None
    return absolute_links(body, linker.absolute(article.url))


def _full_content(view: ContentView) -> bool:
    return view.site.config.site.feed_full_content


def _categories(view: ContentView, article: Article) -> list[str]:
    return [view.section_label(article.section)] + [view.tag_label(t) for t in article.tags]


# ----- the entries of one build's feeds
ATOM_NAMESPACES = {"media": MEDIA_NS}
RSS_NAMESPACES = {"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS, "media": MEDIA_NS}


class FeedEntries:
    """The entries of one build's feeds, each made once: a story is in its language's,
    section's, topics' and authors' feeds, and its entry (with its body read and its
    links made absolute) is the same in all of them, so each article's Atom entry and RSS
    item are made and serialized once per language and reused by every feed of that
    language. Made for one build (`build.discovery`) and dropped with it: a later build
    (the preview server runs many in one process) has edited articles under the same
    URLs."""

    def __init__(self, linker: Linker):
        self.linker = linker
        self._entries: dict[tuple[str, str, str], Fragment] = {}
        self._bodies: dict[str, bytes | None] = {}
        self._language = ""

    def _of(self, view: ContentView) -> None:
        """Entries are kept for the language whose feeds are being made: the build makes
        a language's feeds one after another (`discovery_groups`), and no feed carries
        another language's entries. A full-content entry of a Russian or Persian story
        is ~20 kB in its three forms, held for every story in any feed (issue 19: at
        60,000 articles the feeds' entries were ~35 MiB in the process making them)."""
        if view.code != self._language:
            self._entries.clear()
            self._bodies.clear()
            self._language = view.code

    def atom(self, view: ContentView, article: Article) -> Fragment:
        self._of(view)
        key = ("atom", view.code, article.url)
        made = self._entries.get(key)
        if made is None:
            entry = _atom_entry(view, article, self.linker, self._body(view, article))
            made = self._entries[key] = fragment(entry, 1, ATOM_NAMESPACES)
        return made

    def rss(self, view: ContentView, article: Article) -> Fragment:
        self._of(view)
        key = ("rss", view.code, article.url)
        made = self._entries.get(key)
        if made is None:
            item = _rss_item(view, article, self.linker, self._body(view, article))
            made = self._entries[key] = fragment(item, 2, RSS_NAMESPACES)
        return made

    def _body(self, view: ContentView, article: Article) -> str | None:
        if not _full_content(view):
            return None
        # Kept packed, as the entries are (`xmlwrite.Fragment`): read and made absolute
        # once for the Atom entry and the RSS item.
        if article.url not in self._bodies:
            body = _full_body(article, self.linker)
            self._bodies[article.url] = (None if body is None
                                         else zlib.compress(body.encode("utf-8"), 1))
        packed = self._bodies[article.url]
        return None if packed is None else zlib.decompress(packed).decode("utf-8")


# ----- Atom (RFC 4287)
def atom_feed(feed: Feed, entries: FeedEntries) -> bytes:
    view, linker = feed.view, entries.linker
    root = element("feed", {q(XML_NS, "lang"): view.code})
    sub(root, "id", linker.absolute(feed.atom))
    sub(root, "title", feed.title)
    if view.about:
        sub(root, "subtitle", view.about)
    newest = _newest(feed)
    if feed.corrections:
        newest = feed.corrections[0][1].date
    if newest is not None:
        sub(root, "updated", w3c_datetime(newest))
    else:  # no articles anywhere: Atom still requires updated
        sub(root, "updated", "1970-01-01T00:00:00+00:00")
    sub(root, "link", attrs={"rel": "self", "type": ATOM_TYPE,
                                          "href": linker.absolute(feed.atom)})
    sub(root, "link", attrs={"rel": "alternate", "type": "text/html",
                                          "hreflang": view.code,
                                          "href": linker.absolute(feed.page_url)})
    author = sub(root, "author")
    sub(author, "name", view.title)
    sub(author, "uri", linker.absolute(view.home_url))
    sub(root, "generator", GENERATOR)
    if feed.corrections is not None:
        for article, correction in feed.corrections:
            root.append(atom_correction(article, correction, article.title, linker.absolute))
        return to_bytes(root, {}, default_namespace=ATOM_NS)
    return to_bytes(root, ATOM_NAMESPACES, default_namespace=ATOM_NS,
                    fragments=[entries.atom(view, article) for article in feed.articles])


def _atom_entry(view: ContentView, article: Article, linker: Linker,
                body: str | None) -> ET.Element:
    """The article's entry; `body`, its full body with absolute links (or None)."""
    url = linker.absolute(article.url)
    entry = element("entry")
    sub(entry, "id", url)
    sub(entry, "title", article.title, {"type": "text"})
    sub(entry, "link", attrs={"rel": "alternate", "type": "text/html",
                                           "hreflang": article.lang, "href": url})
    for other in view.translations_of(article):
        # The story in other languages: 'related', since readers take any (the last, in
        # feedparser) rel="alternate" link as the entry's own link.
        if other.url != article.url:
            sub(entry, "link", attrs={
                "rel": "related", "type": "text/html", "hreflang": other.lang,
                "title": other.title, "href": linker.absolute(other.url)})
    sub(entry, "published", w3c_datetime(article.date))
    sub(entry, "updated", w3c_datetime(article.modified))
    for name in article.authors:
        author = sub(entry, "author")
        sub(author, "name", name)
    for label in _categories(view, article):
        sub(entry, "category", attrs={"term": label})
    sub(entry, "summary", _summary(view, article), {"type": "text"})
    if body is not None:
        sub(entry, "content", body, {"type": "html", q(XML_NS, "base"): url})
    if article.image is not None:
        image_url, mime, size = _enclosure(article.image, linker)
        sub(entry, "link", attrs={"rel": "enclosure", "type": mime,
                                               "length": str(size), "href": image_url})
        entry.append(_media_content(article.image, image_url, mime, size))
    return entry


def _enclosure(image, linker: Linker) -> tuple[str, str, int]:
    """URL, type and byte length of the published rendition that stands for the photo."""
    return (linker.absolute(image.published_url), imageinfo.mime_type(image.published_url),
            image.published_bytes)


def _media_content(image, image_url: str, mime: str, size: int) -> ET.Element:
    attrs = {"url": image_url, "type": mime, "medium": "image"}
    if size:
        attrs["fileSize"] = str(size)
    media = element(q(MEDIA_NS, "content"), attrs)
    description = image.caption or image.alt
    if description:
        sub(media, q(MEDIA_NS, "description"), description, {"type": "plain"})
    if image.credit:
        sub(media, q(MEDIA_NS, "credit"), image.credit)
    return media


# ----- RSS 2.0
def rss_feed(feed: Feed, entries: FeedEntries) -> bytes:
    view, linker = feed.view, entries.linker
    root = element("rss", {"version": "2.0"})
    channel = sub(root, "channel")
    sub(channel, "title", feed.title)
    sub(channel, "link", linker.absolute(feed.page_url))
    sub(channel, "description", view.about or view.title)
    sub(channel, "language", view.code)
    newest = _newest(feed)
    if newest is not None:
        sub(channel, "lastBuildDate", _rfc822(newest))
    sub(channel, "generator", GENERATOR)
    sub(channel, q(ATOM_NS, "link"), attrs={"rel": "self", "type": RSS_TYPE,
                                             "href": linker.absolute(feed.rss)})
    return to_bytes(root, RSS_NAMESPACES, parent=channel,
                    fragments=[entries.rss(view, article) for article in feed.articles])


def _rss_item(view: ContentView, article: Article, linker: Linker,
              body: str | None) -> ET.Element:
    url = linker.absolute(article.url)
    item = element("item")
    sub(item, "title", article.title)
    sub(item, "link", url)
    sub(item, "guid", url, {"isPermaLink": "true"})
    sub(item, "pubDate", _rfc822(article.date))
    # The update in Atom's element: dc:date beside pubDate is a second publication date
    # to RSS validators (DuplicateItemSemantics), atom:updated is the update.
    sub(item, q(ATOM_NS, "updated"), w3c_datetime(article.modified))
    for name in article.authors:  # RSS's own <author> must be an e-mail address
        sub(item, q(DC_NS, "creator"), name)
    for label in _categories(view, article):
        sub(item, "category", label)
    sub(item, "description", _summary(view, article))
    if body is not None:
        sub(item, q(CONTENT_NS, "encoded"), body)
    if article.image is not None:
        image_url, mime, size = _enclosure(article.image, linker)
        sub(item, "enclosure", attrs={"url": image_url, "length": str(size), "type": mime})
        item.append(_media_content(article.image, image_url, mime, size))
    return item


def _rfc822(moment) -> str:
    # email.utils pulls in sockets and calendars: imported only when an RSS feed is made.
    from email.utils import format_datetime

    return format_datetime(moment)
