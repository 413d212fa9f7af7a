"""Metadata in page heads for social networks and search engines: Open Graph, Twitter
cards and JSON-LD (schema.org `NewsArticle`, `BreadcrumbList`, `NewsMediaOrganization`).

The functions return plain data; the theme's `partials/head_meta.html` prints it through
`LanguageView.social_meta` / `LanguageView.json_ld`, so autoescaping covers the meta tags
and `script_json` makes JSON safe inside a <script> element.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import cache

from babel.core import get_global, parse_locale
from markupsafe import Markup

from ..model import Article
from ..photos import imageinfo
from .corrections import correction_ld
from .pages import Page
from .views import LanguageView

Absolute = Callable[[str], str]
"""Turns a root-relative target into an absolute URL (the template's `absolute`)."""

SCHEMA = "https://schema.org"
DESCRIPTION_LENGTH = 200

_JSON_IN_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}


# ----- JSON in HTML
def script_json(data: object) -> Markup:
    """JSON for the inside of <script type="application/ld+json">.

    `<`, `>` and `&` only ever occur inside JSON strings, where their \\u escapes mean
    the same; without them no `</script>` or `<!--` can end or alter the element."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in _JSON_IN_HTML.items():
        text = text.replace(char, escaped)
    return Markup(text)


# ----- Open Graph and Twitter
@cache
def og_locale(code: str, locale_name: str = "") -> str:
    """Open Graph's language_TERRITORY form of a language ('fa' → 'fa_IR').

    The territory comes from the language code, else from its Babel locale when that is
    the same language ('pt' with locale 'pt_PT'), else from CLDR's likely subtags. A
    language CLDR formats as another ('av' with locale 'ru') keeps its own language."""
    try:
        language, territory, script, _ = parse_locale(code.replace("-", "_"))
    except ValueError:
        return code.replace("-", "_")
    if not territory and locale_name:
        try:
            other = parse_locale(locale_name.replace("-", "_"))
        except ValueError:
            other = ("",)
        if other[0] == language:
            territory, script = other[1], script or other[2]
    if not territory:
        likely = get_global("likely_subtags")
        guess = (script and likely.get(f"{language}_{script}")) or likely.get(language)
        if guess:
            territory = parse_locale(guess)[1]
    return f"{language}_{territory}" if territory else language


def _og_locale(view: LanguageView, code: str) -> str:
    language = view.language_named(code)
    return og_locale(language.code, language.locale)


def social_meta(view: LanguageView, page: Page, absolute: Absolute) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of each Open Graph, article:* and Twitter meta tag;
    the attribute is 'property' for Open Graph and 'name' for Twitter."""
    if page.kind == "404":
        return []
    article = page.article
    title = article.title if article else (page.heading or view.title)
    description = _description(view, article)
    own_locale = _og_locale(view, view.code)
    tags = [("property", "og:site_name", view.title),
            ("property", "og:type", "article" if article else "website"),
            ("property", "og:title", title),
            ("property", "og:description", description),
            ("property", "og:url", absolute(page.url)),
            ("property", "og:locale", own_locale)]
    seen = {own_locale}
    for code, _url in page.alternates:
        if code != view.code and (other := _og_locale(view, code)) not in seen:
            seen.add(other)
            tags.append(("property", "og:locale:alternate", other))
    image = article.image if article else None
    if image is not None:
        tags += [("property", "og:image", absolute(image.published_url)),
                 ("property", "og:image:type", imageinfo.mime_type(image.published_url))]
        if image.alt:
            tags.append(("property", "og:image:alt", image.alt))
    if article is not None:
        tags += [("property", "article:published_time", _iso(article.date)),
                 ("property", "article:modified_time", _iso(article.modified)),
                 ("property", "article:section", view.section_label(article.section))]
        tags += [("property", "article:tag", view.tag_label(t)) for t in article.tags]
    tags += [("name", "twitter:card", "summary_large_image" if image else "summary"),
             ("name", "twitter:title", title),
             ("name", "twitter:description", description)]
    if image is not None:
        tags.append(("name", "twitter:image", absolute(image.published_url)))
        if image.alt:
            tags.append(("name", "twitter:image:alt", image.alt))
    return tags


# ----- JSON-LD
def json_ld(view: LanguageView, page: Page, absolute: Absolute) -> list[dict]:
    """The schema.org objects of a page, one per <script> element."""
    if page.kind == "article" and page.article is not None:
        article = page.article
        return [news_article(view, article, absolute),
                breadcrumbs(view, absolute, [
                    (view.section_label(article.section), view.section_url(article.section)),
                    (article.title, article.url)])]
    if page.kind == "home" and (page.pagination is None or page.pagination.number == 1):
        return [{"@context": SCHEMA, **organization(view, absolute)}]
    if page.kind == "section":
        return [breadcrumbs(view, absolute, [(page.heading, view.section_url(page.key))])]
    return []


def json_ld_scripts(view: LanguageView, page: Page, absolute: Absolute) -> list[Markup]:
    return [script_json(data) for data in json_ld(view, page, absolute)]


def organization(view: LanguageView, absolute: Absolute) -> dict:
    """The outlet as a NewsMediaOrganization, named and described in the view's language."""
    home = absolute(view.home_url)
    data = {"@type": "NewsMediaOrganization", "@id": home + "#publisher",
            "name": view.title, "url": home}
    if view.about:
        data["description"] = view.about
    return data


def news_article(view: LanguageView, article: Article, absolute: Absolute) -> dict:
    url = absolute(article.url)
    publisher = organization(view, absolute)
    data: dict = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "@id": _article_id(url),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": view.teaser(article),
        "inLanguage": article.lang,
        "datePublished": _iso(article.date),
        "dateModified": _iso(article.modified),
        "author": ([_author(view, name, absolute) for name in article.authors]
                   or [{"@id": publisher["@id"], "@type": publisher["@type"],
                        "name": publisher["name"]}]),
        "publisher": publisher,
        "articleSection": view.section_label(article.section),
    }
    if article.corrections:
        data["correction"] = correction_ld(article)
    if article.tags:
        data["keywords"] = [view.tag_label(t) for t in article.tags]
    if article.dateline:
        data["dateline"] = article.dateline
    if article.image is not None:
        image = {"@type": "ImageObject", "url": absolute(article.image.published_url),
                 "encodingFormat": imageinfo.mime_type(article.image.published_url)}
        if article.image.caption:
            image["caption"] = article.image.caption
        if article.image.credit:
            image["creditText"] = article.image.credit
        data["image"] = [image]
    original = view.original_of(article)
    others = [a for a in view.translations_of(article) if a.url != article.url]
    if original.url == article.url:
        if others:
            data["workTranslation"] = [_reference(a, absolute) for a in others]
    else:
        data["translationOfWork"] = _reference(original, absolute)
    return data


def _author(view: LanguageView, name: str, absolute: Absolute) -> dict:
    """A byline's name as a Person; a configured author's with their page (`url`) and
    profiles elsewhere (`sameAs`)."""
    author = view.author_named(name)
    if author is None:
        return {"@type": "Person", "name": name}
    data = {"@type": "Person", "name": author.name_in(view.code),
            "url": absolute(view.author_url(author.key))}
    if same_as := [u for u in (author.url, *author.links) if u.startswith("http")]:
        data["sameAs"] = same_as
    return data


def breadcrumbs(view: LanguageView, absolute: Absolute,
                trail: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList from the language's home through `trail` ((name, target)…)."""
    steps = [(view.title, view.home_url), *trail]
    return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n, "name": name, "item": absolute(target)}
        for n, (name, target) in enumerate(steps, start=1)]}


def _reference(article: Article, absolute: Absolute) -> dict:
    url = absolute(article.url)
    return {"@type": "NewsArticle", "@id": _article_id(url), "url": url,
            "inLanguage": article.lang, "headline": article.title}


def _article_id(url: str) -> str:
    return url + "#article"


def _description(view: LanguageView, article: Article | None) -> str:
    if article is not None:
        return view.teaser(article)
    about = " ".join(view.about.split())
    if len(about) <= DESCRIPTION_LENGTH:
        return about
    return about[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")
