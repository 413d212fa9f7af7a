"""Every output path and URL comes from here; nothing else joins paths or adds slashes.

A target is the root-relative URL of a page or file ('en/world/vote/', 'media/x.jpg');
its file under the output folder is derived from it, so the two can never disagree.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

ATOM_FILE = "feed.xml"
RSS_FILE = "rss.xml"
SITEMAP_INDEX = "sitemap.xml"
"""The sitemap index, at the root (what robots.txt points at)."""
ROOT_SITEMAP = "sitemap-root"
"""The sitemap of pages outside every language folder (the root index): a sitemap may
only list URLs in its own folder or below."""
NEWS_SITEMAP = "news-sitemap"
ROBOTS = "robots.txt"

# Section folder names that would collide with pages Dateline makes in every language.
RESERVED_FILES = frozenset({"index.html", ATOM_FILE, RSS_FILE, SITEMAP_INDEX,
                            f"{NEWS_SITEMAP}.xml", ROBOTS, "404.html", "_headers"})
"""Names of files Dateline writes inside language and section folders (and the root)."""
RESERVED_SECTIONS = frozenset({"tags", "about", "page", "media", "static", "feeds", "search",
                               "authors", "corrections"}
                              | RESERVED_FILES)


def names_a_written_file(name: str) -> bool:
    """Whether a slug is the name of a file Dateline writes (a feed, a sitemap, ...)."""
    return name in RESERVED_FILES or name.startswith("sitemap-")


def output_file(url: str) -> str:
    """The file under the output folder that serves `url`."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def served_url(file: str) -> str:
    """The URL that `file` serves: a folder's index is its folder (`output_file`'s
    inverse: `output_file(served_url(f)) == f` for every file)."""
    if file == "index.html":
        return ""
    return file[:-10] if file.endswith("/index.html") else file


def root_index() -> str:
    return ""


def not_found(lang: str | None = None) -> str:
    """The site's 404 page (default language), or one language's (`ru/404.html`), which a
    host serves for missing URLs under that language's folder (README: Publishing)."""
    return f"{lang}/404.html" if lang else "404.html"


def home(lang: str, page: int = 1) -> str:
    return _paged(f"{lang}/", page)


def section(lang: str, key: str, page: int = 1) -> str:
    return _paged(f"{lang}/{key}/", page)


def tag(lang: str, slug: str, page: int = 1) -> str:
    return _paged(f"{lang}/tags/{slug}/", page)


def tags_index(lang: str) -> str:
    return f"{lang}/tags/"


def authors_index(lang: str) -> str:
    """The staff list of a language."""
    return f"{lang}/authors/"


def author(lang: str, key: str, page: int = 1) -> str:
    return _paged(f"{lang}/authors/{key}/", page)


def corrections(lang: str, page: int = 1) -> str:
    """The list of a language's corrections, newest first."""
    return _paged(f"{lang}/corrections/", page)


def about(lang: str) -> str:
    return f"{lang}/about/"


def search(lang: str) -> str:
    """The language's search page; its Pagefind index lies in `pagefind/` under it."""
    return f"{lang}/search/"


def archive(lang: str, year: int, month: int = 0, page: int = 1) -> str:
    """A date archive: the year's (`month` 0) or a month's, in the language's calendar."""
    return _paged(f"{lang}/{year:04d}/" + (f"{month:02d}/" if month else ""), page)


def article(lang: str, section_key: str, slug: str) -> str:
    return f"{lang}/{section_key}/{slug}/"


def atom_feed(lang: str, section_key: str | None = None) -> str:
    """The Atom feed of a language, or of one of its sections."""
    return _feed_folder(lang, section_key) + ATOM_FILE


def rss_feed(lang: str, section_key: str | None = None) -> str:
    return _feed_folder(lang, section_key) + RSS_FILE


def tag_atom_feed(lang: str, slug: str) -> str:
    """The Atom feed of a topic, beside its page (`fa/tags/<slug>/feed.xml`)."""
    return tag(lang, slug) + ATOM_FILE


def author_atom_feed(lang: str, key: str) -> str:
    """The Atom feed of an author's stories, beside their page."""
    return author(lang, key) + ATOM_FILE


def corrections_atom_feed(lang: str) -> str:
    """The Atom feed of a language's corrections, beside their page."""
    return corrections(lang) + ATOM_FILE


def _feed_folder(lang: str, section_key: str | None) -> str:
    return f"{lang}/{section_key}/" if section_key else f"{lang}/"


def sitemap(folder: str, number: int = 1) -> str:
    """A language folder's sitemap ('en/sitemap.xml'), or the root's when `folder` is
    empty; the `number`th file when it is split ('en/sitemap-2.xml')."""
    return _numbered(folder, "sitemap" if folder else ROOT_SITEMAP, number)


def news_sitemap(lang: str, number: int = 1) -> str:
    return _numbered(f"{lang}/", NEWS_SITEMAP, number)


def _numbered(folder: str, stem: str, number: int) -> str:
    return f"{folder}{stem}{'' if number == 1 else f'-{number}'}.xml"


def media(content_relative: str) -> str:
    return f"media/{content_relative}"


def static(name: str) -> str:
    return f"static/{name}"


def fingerprinted(url: str, digest: str) -> str:
    """'static/style.css' → 'static/style.3f2a1b0c9d8e7f60.css': a name that changes
    whenever the content does, so it can be cached forever."""
    folder, _, name = url.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    named = f"{stem}.{digest[:16]}.{suffix}" if dot else f"{name}.{digest[:16]}"
    return f"{folder}/{named}" if folder else named


def _paged(url: str, page: int) -> str:
    return url if page == 1 else f"{url}page/{page}/"


HREFS_KEPT = 1 << 13
"""Hrefs and URLs remembered, each cache (~380 bytes an entry): pages are rendered a
language's listings, then its articles, so a link comes back while it is recent. 8,192
missed none more than 65,536 did at 6,000 articles, and holds ~3 MiB where 65,536 held
~25 MiB in every process of a large build (issue 19)."""


@dataclass(frozen=True, slots=True)
class Linker:
    """Turns targets into the hrefs a page writes, honouring base_url's path and the
    mirror mode where every internal link is relative to the page."""

    base_url: str
    relative: bool = False

    @property
    def base_path(self) -> str:
        return _base_path(self.base_url)

    def href(self, target: str, from_page: str) -> str:
        """The link from the page at `from_page` to `target` (both root-relative)."""
        # Pages link to the same few thousand targets over and over: quoting is what costs.
        if not self.relative:
            return _rooted_href(self.base_url, target)
        return _relative_href(target, from_page)

    def absolute(self, target: str) -> str:
        """The canonical absolute URL (feeds, sitemaps, canonical links)."""
        return _absolute_url(self.base_url, target)


def forget_links() -> None:
    """Empty the caches of hrefs and URLs (a command-line build that renders nothing
    more: what they hold is given back to its last steps)."""
    for cached in (_absolute_url, _rooted_href, _relative_href):
        cached.cache_clear()


@functools.lru_cache(maxsize=HREFS_KEPT)
def _absolute_url(base_url: str, target: str) -> str:
    # Every page names its canonical URL and its translations' again and again (head,
    # JSON-LD, social meta): splitting and quoting is what costs.
    parts = urlsplit(base_url)
    path = quote(_base_path(base_url) + target)
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else path


@functools.lru_cache(maxsize=64)
def _base_path(base_url: str) -> str:
    return urlsplit(base_url).path or "/"


@functools.lru_cache(maxsize=HREFS_KEPT)
def _rooted_href(base_url: str, target: str) -> str:
    target, hash_, fragment = target.partition("#")
    return quote(_base_path(base_url) + target) + hash_ + fragment


@functools.lru_cache(maxsize=HREFS_KEPT)
def _relative_href(target: str, from_page: str) -> str:
    target, hash_, fragment = target.partition("#")
    fragment = hash_ + fragment
    from_dir = from_page if from_page.endswith("/") or from_page == "" \
        else posixpath.dirname(from_page) + "/"
    path = posixpath.relpath("/" + output_file(target), "/" + from_dir)
    if target == from_page and fragment:
        return fragment
    return quote(path) + fragment

