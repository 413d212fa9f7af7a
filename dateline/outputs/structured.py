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
from typing import NamedTuple

import msgspec
from babel.core import get_global, parse_locale
from markupsafe import Markup

from ..model import Article, Image
from ..photos import imageinfo
from ..unencoded import unencoded
from .content_view import ContentView
from .corrections import correction_ld
from .pages import Page

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
    try:
        # msgspec writes the same text as json.dumps below for what these objects hold
        # (str, int, bool, None, lists and dicts), ~5x as fast: a head on every page.
        text = msgspec.json.encode(data).decode()
    except TypeError:  # a str subclass (Markup), say: json.dumps takes any
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
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


def _og_locale(view: ContentView, code: str) -> str:
    language = view.language_named(code)
    return og_locale(language.code, language.locale)


def social_meta(view: ContentView, page: Page, absolute: Absolute) -> list[tuple[str, str, str]]:
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
    share = share_image(view, article)
    tags += [("property", "og:image", absolute(share.url)),
             ("property", "og:image:type", share.mime)]
    if share.width and share.height:
        tags += [("property", "og:image:width", str(share.width)),
                 ("property", "og:image:height", str(share.height))]
    tags.append(("property", "og:image:alt", share.alt))
    if article is not None:
        tags += [("property", "article:published_time", _iso(article.date)),
                 ("property", "article:modified_time", _iso(article.modified)),
                 ("property", "article:section", view.section_label(article.section))]
        tags += [("property", "article:tag", view.tag_label(t)) for t in article.tags]
    # Every page has an image now, so every card is the large one.
    tags += [("name", "twitter:card", "summary_large_image"),
             ("name", "twitter:title", title),
             ("name", "twitter:description", description),
             ("name", "twitter:image", absolute(share.url)),
             ("name", "twitter:image:alt", share.alt)]
    return tags


class ShareImage(NamedTuple):
    url: str
    mime: str
    width: int | None
    height: int | None
    alt: str


def share_image(view: ContentView, article: Article | None) -> ShareImage:
    """What a page shows when shared: its article's photo in the 1200×630 crop (a GIF as
    it is), else the site's share image (`brand`). An SVG photo is not one: no network
    shows SVG previews."""
    image = article.image if article is not None else None
    if image is not None:
        alt = image.alt or image.caption or article.title
        if image.social is not None:
            crop = image.social.share
            return ShareImage(crop.url, crop.mime, crop.width, crop.height, alt)
        mime = imageinfo.mime_type(image.published_url)
        if mime != "image/svg+xml":
            picture = image.picture
            return ShareImage(image.published_url, mime, picture and picture.width,
                              picture and picture.height, alt)
    brand = view.brand
    return ShareImage(brand.share.url, brand.share.mime, brand.share.width,
                      brand.share.height, brand.share_alt)


# ----- JSON-LD
def json_ld(view: ContentView, page: Page, absolute: Absolute) -> list[dict]:
    """The schema.org objects of a page, one per <script> element."""
    if page.kind == "article" and page.article is not None:
        article = page.article
        return [news_article(view, article, absolute),
                breadcrumbs(view, absolute, [
                    (view.section_label(article.section), view.section_url(article.section)),
                    (_own(article.title), article.url)])]
    if page.kind == "home" and (page.pagination is None or page.pagination.number == 1):
        return [{"@context": SCHEMA, **organization(view, absolute)}]
    if page.kind == "section":
        return [breadcrumbs(view, absolute, [(page.heading, view.section_url(page.key))])]
    return []


def json_ld_scripts(view: ContentView, page: Page, absolute: Absolute) -> list[Markup]:
    return [script_json(data) for data in json_ld(view, page, absolute)]


def organization(view: ContentView, absolute: Absolute, described: bool = True) -> dict:
    """The outlet as a NewsMediaOrganization, named and described in the view's language.
    An article's publisher is not `described`: the home page describes the same @id, and
    the outlet's about text in every article would weigh on every page a reader opens."""
    home = absolute(view.home_url)
    data = {"@type": "NewsMediaOrganization", "@id": home + "#publisher",
            "name": view.title, "url": home}
    if view.about and described:
        data["description"] = view.about
    logo = view.brand.logo
    if logo is not None:
        data["logo"] = _image_object(absolute(logo.url), logo.mime, logo.width, logo.height)
    return data


def news_article(view: ContentView, article: Article, absolute: Absolute) -> dict:
    url = absolute(article.url)
    publisher = organization(view, absolute, described=False)
    data: dict = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "@id": _article_id(url),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": _own(article.title),
        "description": _own(view.teaser(article)),
        "inLanguage": article.lang,
        "datePublished": _iso(article.date),
        "dateModified": _iso(article.modified),
        "author": ([author(view, name, absolute) for name in article.authors]
                   or [{"@id": publisher["@id"], "@type": publisher["@type"],
                        "name": publisher["name"], "url": publisher["url"]}]),
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
        data["image"] = article_images(article.image, absolute)
    else:  # what it shows when shared: Google recommends an image for every article
        share = view.brand.share
        data["image"] = [_image_object(absolute(share.url), share.mime, share.width,
                                       share.height)]
    original = view.original_of(article)
    others = [a for a in view.translations_of(article) if a.url != article.url]
    if original.url == article.url:
        if others:
            data["workTranslation"] = [_reference(a, absolute) for a in others]
    else:
        data["translationOfWork"] = _reference(original, absolute)
    return data


def article_images(image: Image, absolute: Absolute) -> list[dict]:
    """The photo as Google asks of an Article: 16:9, 4:3 and 1:1 crops, 1200 px wide
    where the photo is (`photos.social`); a GIF or SVG as it is."""
    crops = image.social.schema if image.social is not None else ()
    objects = [_image_object(absolute(r.url), r.mime, r.width, r.height) for r in crops]
    if not objects:
        picture = image.picture
        objects = [_image_object(absolute(image.published_url),
                                 imageinfo.mime_type(image.published_url),
                                 picture and picture.width, picture and picture.height)]
    for data in objects:
        if image.caption:
            data["caption"] = image.caption
        if image.credit:
            data["creditText"] = image.credit
    return objects


def author(view: ContentView, name: str, absolute: Absolute) -> dict:
    """A byline's name as a Person; a configured author's with their page (`url`) and
    profiles elsewhere (`sameAs`)."""
    configured = view.author_named(name)
    if configured is None:
        return {"@type": "Person", "name": name}
    data = {"@type": "Person", "name": configured.name_in(view.code),
            "url": absolute(view.author_url(configured.key))}
    if same_as := [u for u in (configured.url, *configured.links) if u.startswith("http")]:
        data["sameAs"] = same_as
    return data


def _image_object(url: str, mime: str, width: int | None, height: int | None) -> dict:
    data: dict = {"@type": "ImageObject", "url": url, "encodingFormat": mime}
    if width and height:
        data.update(width=width, height=height)
    return data


def breadcrumbs(view: ContentView, absolute: Absolute,
                trail: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList from the language's home through `trail` ((name, target)…)."""
    steps = [(view.title, view.home_url), *trail]
    return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n, "name": name, "item": absolute(target)}
        for n, (name, target) in enumerate(steps, start=1)]}


def _reference(article: Article, absolute: Absolute) -> dict:
    url = absolute(article.url)
    return {"@type": "NewsArticle", "@id": _article_id(url), "url": url,
            "inLanguage": article.lang, "headline": _own(article.title)}


def _own(text: str) -> str:
    """An article's title or summary as its page's JSON-LD holds it: a copy when it is not
    ASCII. `msgspec` encodes a text from its UTF-8 form, which CPython then keeps in the
    text for good: the article's own would carry it to the end of the build (issue 19:
    ~90 bytes an article at 60,000 Russian, Persian and English ones)."""
    return unencoded(text)


def _article_id(url: str) -> str:
    return url + "#article"


def _description(view: ContentView, article: Article | None) -> str:
    if article is not None:
        return view.teaser(article)
    about = " ".join(view.about.split())
    if len(about) <= DESCRIPTION_LENGTH:
        return about
    return about[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")
