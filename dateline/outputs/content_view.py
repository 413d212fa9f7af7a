"""One language's content, labels, links, formatters and UI strings (`ContentView`): what
pages, feeds, sitemaps and structured data are made from. Templates get it as a
`views.LanguageView`, which adds what a page's head shows (made by those modules).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from html import unescape

from jinja2 import pass_context
from markupsafe import Markup, escape

from .. import urls
from ..config import LanguageSettings
from ..i18n.catalogs import UiStrings
from ..i18n.collation import sort_key
from ..i18n.coverage import is_stale
from ..i18n.localize import Formatter
from ..model import Article, Site
from ..slugs import make_slug
from .archives import Archive, archive_of
from .brand import Brand, site_brand
from .related import RelatedIndex
from .related import index as related_index


@dataclass(frozen=True, slots=True)
class Entry:
    """A named link: a section, a tag or a language."""

    key: str
    label: str
    url: str
    count: int = 0


class ContentView:
    """One language's window on the site, with its formatters and UI strings."""

    def __init__(self, site: Site, language: LanguageSettings, strings: UiStrings,
                 story_groups: dict[str, tuple[Article, ...]] | None = None):
        """`story_groups`: `dict(site.groups)`, made once for every language's view of
        the site (each view made its own: ~1 MB a language at 60,000 articles, issue 19)."""
        if story_groups is not None:
            self._groups = story_groups
        self.site = site
        self.language = language
        self.code = language.code
        self.direction = language.direction
        self.title = language.title
        self.about = language.about
        self.strings = strings
        self.format = Formatter(language.locale, language.timezone, language.calendar)

    # ----- content of this language
    @cached_property
    def articles(self) -> tuple[Article, ...]:
        """This language's published articles, newest first, without the archived ones
        (past their `expires`): what every list, feed and sitemap is made from."""
        archived = self._archived_urls
        return tuple(a for a in self.site.articles if a.lang == self.code
                     and (not archived or a.url not in archived))

    @cached_property
    def archived(self) -> tuple[Article, ...]:
        """This language's articles past their `expires` whose pages stay, newest first."""
        archived = self._archived_urls
        if not archived:
            return ()
        return tuple(a for a in self.site.articles if a.lang == self.code
                     and a.url in archived)

    @cached_property
    def _archived_urls(self) -> frozenset[str]:
        return frozenset(self.site.timeline.archived)

    def is_archived(self, article: Article) -> bool:
        return article.url in self._archived_urls

    @cached_property
    def listing(self) -> tuple[Article, ...]:
        """What listings show: own articles, plus originals of untranslated stories when
        the language's policy is 'show' (templates mark those with the original's lang)."""
        if self.language.untranslated != "show":
            return self.articles
        shown = []
        for _key, group in self.site.groups:
            own = [a for a in group if a.lang == self.code]
            shown.append(own[0] if own else next((a for a in group if a.original), group[0]))
        return tuple(sorted(shown, key=lambda a: (-a.date.timestamp(), a.lang, a.url)))

    @cached_property
    def sections(self) -> tuple[Entry, ...]:
        counts: dict[str, int] = defaultdict(int)
        for article in self.listing:
            counts[article.section] += 1
        order = [key for key, _ in self.language.sections]
        collate = sort_key(self.language)
        # The config's order first; sections it does not list after them, alphabetically.
        keys = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order),
                                             collate(self.section_label(k)), k))
        return tuple(Entry(k, self.section_label(k), urls.section(self.code, k),
                           counts[k]) for k in keys)

    @cached_property
    def tags(self) -> tuple[Entry, ...]:
        counts: dict[str, int] = defaultdict(int)
        for article in self.listing:
            for tag in article.tags:
                counts[tag] += 1
        entries = [Entry(t, self.tag_label(t), self.tag_url(t), n) for t, n in counts.items()]
        collate = sort_key(self.language)
        return tuple(sorted(entries, key=lambda e: (collate(e.label), e.key)))

    @cached_property
    def archive(self) -> Archive:
        """The listing by year and month of the language's calendar."""
        return archive_of(self.listing, self.format)

    @property
    def archive_url(self) -> str | None:
        """The newest year's archive (the footer links to it), if any."""
        newest = self.archive.newest_year
        return urls.archive(self.code, newest.year) if newest else None

    @cached_property
    def _related(self) -> RelatedIndex:
        return related_index(self.listing)

    def related(self, article: Article) -> tuple[Article, ...]:
        """The stories shown under `article` (`[site] related` of them at most)."""
        return self._related.related(article, self.site.config.site.related)

    def related_places(self, article: Article) -> Iterator[int]:
        """Where the stories `related` shows are in `listing`."""
        order = self._related.order
        return (order[id(a)] for a in self.related(article))

    def forget_related(self) -> None:
        """Drop the index `related` answers from (a position and list entries per
        article): the planned pages hold their related stories; asked again, it is made
        again."""
        self.__dict__.pop("_related", None)

    @cached_property
    def breaking(self) -> Article | None:
        """The newest breaking story in this language whose time in the banner is not
        over (`build.schedule.banner_end`)."""
        over = frozenset(self.site.timeline.banner_over)
        return next((a for a in self.articles if a.breaking and a.url not in over), None)

    @cached_property
    def _groups(self) -> dict[str, tuple[Article, ...]]:
        return dict(self.site.groups)

    def translations_of(self, article: Article) -> tuple[Article, ...]:
        """Every published version of the story, this one included, in language order.
        An archived version is out of circulation: it names no other, none names it."""
        if self.is_archived(article):
            return (article,)
        return self._groups.get(article.translation_key, (article,))

    def original_of(self, article: Article) -> Article:
        group = self.translations_of(article)
        return next((a for a in group if a.original), group[0])

    def is_stale(self, article: Article) -> bool:
        """True for a translation whose original changed after it."""
        return is_stale(article, self.original_of(article))

    # ----- labels and links
    # Labels and slugs are asked for on every card and page that names a section or
    # tag: each is made once per view (per build).
    def section_label(self, key: str) -> str:
        """The language's label for a section, else the default language's (a key is no
        word a reader should see), else one made from the key."""
        label = self._labels.get(("section", key))
        if label is None:
            own = dict(self.language.sections).get(key)
            label = self.site.config.default.section_label(key) if own is None else own
            self._labels["section", key] = label
        return label

    def tag_label(self, key: str) -> str:
        """The language's label for a tag, else the default language's, else the key."""
        label = self._labels.get(("tag", key))
        if label is None:
            own = dict(self.language.tags).get(key)
            label = self.site.config.default.tag_label(key) if own is None else own
            self._labels["tag", key] = label
        return label

    def tag_slug(self, key: str) -> str:
        slug = self._labels.get(("slug", key))
        if slug is None:
            slug = self._labels["slug", key] = make_slug(key, self.language.slug_style)
        return slug

    @cached_property
    def _labels(self) -> dict[tuple[str, str], str]:
        return {}

    def tag_url(self, key: str, page: int = 1) -> str:
        return urls.tag(self.code, self.tag_slug(key), page)

    def section_url(self, key: str, page: int = 1) -> str:
        return urls.section(self.code, key, page)

    @property
    def home_url(self) -> str:
        return urls.home(self.code)

    @property
    def about_url(self) -> str:
        return urls.about(self.code)

    @property
    def search_url(self) -> str | None:
        """The language's search page; None when `[search] enabled = false`."""
        return urls.search(self.code) if self.site.config.search.enabled else None

    @property
    def languages(self) -> tuple[LanguageSettings, ...]:
        return self.site.config.languages

    def language_named(self, code: str) -> LanguageSettings:
        return self.site.config.language(code)

    # ----- formatting
    def format_datetime(self, value) -> str:
        return self.format.datetime(value)

    def format_date(self, value) -> str:
        return self.format.date(value)

    def format_number(self, value) -> str:
        return self.format.number(value)

    def format_list(self, items) -> str:
        return self.format.list(items)

    def format_list_isolated(self, items) -> Markup:
        """A list of names, each in <bdi> so Latin names keep their shape in RTL text."""
        return Markup(self.format.list([f"<bdi>{escape(item)}</bdi>" for item in items]))

    def language_label(self, code: str) -> str:
        """The name of language `code` in this view's language ('английский' in ru): as
        the config names it (`[languages.crh.names]`), else as CLDR names that language
        (when this language has CLDR data of its own), else its own name. Never by its
        borrowed locale: `crh` shown with `locale = "tr"` is not Turkish."""
        other = self.site.config.language(code)
        given = dict(other.names).get(self.code)
        if given:
            return given
        if self.language.has_own_locale:
            name = self.format.locale.languages.get(code.replace("-", "_"))
            if name is None and other.has_own_locale:
                name = self.format.locale.languages.get(other.locale.split("_")[0])
            if name:
                return name
        return other.name

    def teaser(self, article: Article, length: int = 220) -> str:
        """The summary, or the start of the body as plain text."""
        if article.summary:
            return article.summary
        text = unescape(re.sub(r"<[^>]+>", " ", article.body_html))
        text = " ".join(text.split())
        return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"

    @cached_property
    def brand(self) -> Brand:
        """Where the outlet's share image and logo are published (`brand.Brand`)."""
        return site_brand(self.site.config)

    # ----- UI strings, in the form Jinja2's i18n extension calls them (newstyle)
    def gettext_callables(self) -> dict:
        """gettext/ngettext/_ for the page context, made once per view (not per page)."""
        return self._gettext_callables

    @cached_property
    def _gettext_callables(self) -> dict:
        strings = self.strings
        # A page asks for the same few dozen strings again and again (about 16 a page):
        # those without variables are translated and formatted once per view (per build).
        plain: dict[tuple[str, bool], str] = {}

        @pass_context
        def gettext(context, message: str, **variables) -> str:
            autoescape = context.eval_ctx.autoescape
            if not variables:
                done = plain.get((message, autoescape))
                if done is not None:
                    return done
            text = strings.gettext(message)
            if autoescape:
                text = Markup(text)
            # As Jinja's own newstyle gettext: always a format string ('%%' for '%').
            text = text % variables
            if not variables:
                plain[message, autoescape] = text
            return text

        @pass_context
        def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
            variables.setdefault("num", num)
            text = strings.ngettext(singular, plural, num)
            if context.eval_ctx.autoescape:
                text = Markup(text)
            return text % variables

        return {"gettext": gettext, "ngettext": ngettext, "_": gettext}
