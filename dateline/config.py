"""Load and validate `dateline.toml` into frozen, typed settings.

Every problem in the file is gathered and reported together as `path:line: message`.
Paths resolve relative to the file's folder, so one Dateline builds any number of sites.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from . import shipped_path
from .authors import AuthorSettings, read_authors
from .errors import ConfigError, Problems, SourceRef
from .lintsettings import LintSettings, read_lint
from .locale_facts import LocaleFacts
from .photos.photos import PhotoSettings
from .site_files import check_site_files
from .tomllines import TomlLines

CALENDARS = ("gregorian", "persian")
SLUG_STYLES = ("transliterate", "unicode")
UNTRANSLATED_POLICIES = ("hide", "show")
EXPIRED_POLICIES = ("archive", "remove")


@dataclass(frozen=True, slots=True)
class SiteSettings:
    base_url: str
    """Absolute URL of the site's root, always ending in '/'; may carry a path."""
    default_language: str
    """Code of the language served at `/index.html` and used for fallbacks."""
    timezone: str
    """IANA zone for dates written without an offset, and the default zone of every
    language's pages."""
    theme: str = "default"
    """Theme folder name under `themes/` (the site's own, else Dateline's)."""
    per_page: int = 12
    """Articles per listing page (home, section, tag)."""
    relative_urls: bool = False
    """Mirror mode: every internal link is relative, so the files work on any host."""
    feed_size: int = 20
    """How many of the newest articles a feed carries."""
    feed_full_content: bool = True
    """Feeds carry the whole article body (true) or only the summary (false)."""
    expired: str = "archive"
    """What becomes of an article past its `expires`: "archive" (default) keeps its page,
    marked archived and kept out of search results, in no list; "remove" deletes the page
    and lists its URL in `_redirects` and `_gone` for the host to answer 410 Gone."""
    breaking_hours: int = 12
    """How long a breaking story stays in the banner after its date (or its `updated`
    time, if later) when it sets no `breaking_until`. Default: 12."""
    related: int = 4
    """Related stories shown under each article (0: none)."""
    image: str = ""
    """A JPEG, PNG or WebP under the site folder that pages without a photo of their own
    show when shared (og:image); default: a card with the outlet's name."""
    logo: str = ""
    """The outlet's logo, an SVG or PNG under the site folder: shown in the header, the
    JSON-LD publisher's logo and the favicon; default: none (the theme's favicon)."""


@dataclass(frozen=True, slots=True)
class BuildSettings:
    """The [build] table: how `dateline build` treats what it finds."""

    follow_external_symlinks: bool = False
    """Read symbolic links under content/ that lead outside the site folder (default:
    such a link is an error, so that nothing from elsewhere is published by mistake)."""
    strict: bool = False
    """Every warning is an error (exit 1, nothing written), for CI; as `build --strict`."""
    cluster: str = ""  # a Dask cluster to render on (tcp://host:8786, local:N): --cluster


@dataclass(frozen=True, slots=True)
class SearchSettings:
    """The [search] table: full-text search with Pagefind (README: Search)."""

    enabled: bool = True
    """A search page per language, linked from every page's header, and an index of the
    language's articles; false leaves all of it out. Default: true."""


@dataclass(frozen=True, slots=True)
class Paths:
    """Folders the site uses, all absolute."""

    root: Path
    content: Path
    output: Path
    themes: Path
    locales: Path
    cache: Path


@dataclass(frozen=True, slots=True)
class LanguageSettings:
    code: str
    """The language code used in URLs and `lang` attributes (e.g. `fa`)."""
    title: str
    """The outlet's name in this language."""
    about: str
    """The outlet's about section, shown in every page's footer and on the about page."""
    name: str
    """The language's own name, for the language switcher (default: CLDR's autonym)."""
    locale: str
    """Babel locale for dates, numbers and lists (default: the code itself)."""
    direction: str
    """`ltr` or `rtl`, from CLDR's character order for `locale`."""
    calendar: str = "gregorian"
    """`gregorian` or `persian` (Solar Hijri) for displayed dates."""
    slug_style: str = "transliterate"
    """Slugs for non-ASCII file names: `transliterate` to ASCII, or `unicode`."""
    untranslated: str = "hide"
    """Listings: `hide` stories not translated into this language, or `show` the original."""
    timezone: str = "UTC"
    """IANA zone of the times on this language's pages (default: the site's `timezone`)."""
    names: tuple[tuple[str, str], ...] = ()
    """Language code → this language's name in that language (`[languages.crh.names]`)."""
    has_own_locale: bool = True
    """False for a language CLDR has no data for, shown with a borrowed `locale`."""
    sections: tuple[tuple[str, str], ...] = ()
    """Section key → label in this language."""
    tags: tuple[tuple[str, str], ...] = ()
    """Tag key → label in this language."""

    def section_label(self, key: str) -> str:
        return dict(self.sections).get(key, key.replace("-", " ").capitalize())

    def tag_label(self, key: str) -> str:
        return dict(self.tags).get(key, key)


@dataclass(frozen=True, slots=True)
class Config:
    site: SiteSettings
    paths: Paths
    languages: tuple[LanguageSettings, ...]
    """In the order of the config file; the default language first."""
    config_path: Path
    source_text: str = field(repr=False, default="")
    images: PhotoSettings = PhotoSettings()
    """The [images] table: rendition widths, quality, metadata policy."""
    build: BuildSettings = BuildSettings()
    """The [build] table."""
    lint: LintSettings = LintSettings()
    """The [lint] table: thresholds of `dateline lint`."""
    search: SearchSettings = SearchSettings()
    """The [search] table."""
    authors: tuple[AuthorSettings, ...] = ()
    """The [authors.<key>] tables: the staff, for bylines and author pages."""
    locale_facts: LocaleFacts | None = field(default=None, repr=False, compare=False)
    """What Babel said of the languages, for a successful build to remember."""

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> LanguageSettings:
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)

    @property
    def default(self) -> LanguageSettings:
        return self.language(self.site.default_language)

    @property
    def theme_dir(self) -> Path:
        """The site's own theme folder if it has one, else the one shipped with Dateline."""
        own = self.paths.themes / self.site.theme
        return own if own.is_dir() else shipped_path("themes") / self.site.theme


_SITE_KEYS = {
    "base_url", "default_language", "timezone", "theme", "per_page", "relative_urls",
    "feed_size", "feed_full_content", "related", "image", "logo", "expired",
    "breaking_hours",
}
_PATH_KEYS = {"content", "output", "themes", "locales", "cache"}
_LANGUAGE_KEYS = {
    "title", "about", "name", "locale", "calendar", "slug_style", "untranslated",
    "sections", "tags", "timezone", "names",
}
_PATH_DEFAULTS = {
    "content": "content", "output": "site", "themes": "themes", "locales": "locales",
    "cache": ".dateline-cache",
}


def load_config(path: Path, base_url: str | None = None,
                relative_urls: bool | None = None) -> Config:
    """Read and validate the config file; command-line overrides win over the file."""
    path = path.resolve()
    shown = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(_at(shown, 1, "config file not found; pass --config PATH "
                                        "or run from the site's folder")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_at(shown, 1, f"cannot read the config file: {exc}")) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        raise ConfigError(_at(shown, line, f"invalid TOML: {exc}")) from None

    problems = Problems()
    lines = TomlLines(text)
    where = lambda *keys: SourceRef(shown, lines.find(*keys))  # noqa: E731

    for key in data.keys() - {"site", "languages", "paths", "images", "build", "lint",
                              "search", "authors"}:
        problems.error(where(key), f"unknown table or key '{key}' (expected [site], "
                                   "[paths], [images], [build], [lint], [search], "
                                   "[languages.<code>] and [authors.<key>])")
    images = _read_images(data.get("images", {}), where, problems)
    build = _read_flags(data.get("build", {}), "build", BuildSettings(), where, problems)
    search = _read_flags(data.get("search", {}), "search", SearchSettings(), where, problems)
    lint = read_lint(data.get("lint", {}), where, problems)
    for key in ("site", "paths", "languages"):
        if not isinstance(data.get(key, {}), dict):
            problems.error(where(key), f"'{key}' must be a table, written as "
                           f"[{'languages.<code>' if key == 'languages' else key}]")
            data[key] = {}
    site = _read_site(data.get("site", {}), where, problems)
    if base_url is not None:
        site = replace(site, base_url=_normalise_base_url(base_url, where, problems))
    if relative_urls is not None:
        site = replace(site, relative_urls=relative_urls)
    paths = _read_paths(data.get("paths", {}), path.parent, where, problems)
    site = check_site_files(site, data.get("site", {}), paths.root, where, problems)
    locale_facts = LocaleFacts(paths.cache)
    languages = _read_languages(data.get("languages", {}), where, problems, locale_facts,
                                site.timezone)
    codes = [lang.code for lang in languages]
    if languages and site.default_language not in codes:
        problems.error(where("site", "default_language"),
                       f"site.default_language '{site.default_language}' is not one of the "
                       f"configured languages ({', '.join(codes)}); add [languages."
                       f"{site.default_language}] or change it")
    _check_names(languages, where, problems)
    authors = read_authors(data.get("authors", {}), set(codes), where, problems)
    problems.raise_if_any(ConfigError)
    # The default language goes first: it leads the switcher and the root index.
    languages.sort(key=lambda lang: lang.code != site.default_language)
    return Config(site=site, paths=paths, languages=tuple(languages), config_path=path,
                  source_text=text, images=images, locale_facts=locale_facts, build=build,
                  lint=lint, search=search, authors=authors)


def _at(path: str, line: int, message: str):
    from .errors import Problem

    return Problem(SourceRef(path, line), message)


def _read_site(table: dict, where, problems: Problems) -> SiteSettings:
    for key in table.keys() - _SITE_KEYS:
        problems.error(where("site", key), f"unknown key 'site.{key}'"
                       f"{_suggest(key, _SITE_KEYS)}")
    for key in ("base_url", "default_language", "timezone"):
        if key not in table:
            problems.error(where("site"), f"site.{key} is required")
    base_url = _normalise_base_url(str(table.get("base_url", "/")), where, problems)
    timezone = _read_zone(table, "UTC", ("site",), where, problems)
    settings = SiteSettings(
        base_url=base_url,
        default_language=str(table.get("default_language", "en")),
        timezone=timezone,
        theme=str(table.get("theme", "default")),
    )
    if "expired" in table:
        if table["expired"] not in EXPIRED_POLICIES:
            problems.error(where("site", "expired"), f"site.expired must be "
                           f"{' or '.join(repr(p) for p in EXPIRED_POLICIES)}")
        else:
            settings = replace(settings, expired=table["expired"])
    for key, kind in (("per_page", int), ("relative_urls", bool), ("feed_size", int),
                      ("feed_full_content", bool), ("breaking_hours", int)):
        if key in table:
            value = table[key]
            if type(value) is not kind or (kind is int and value < 1):
                problems.error(where("site", key), f"site.{key} must be "
                               f"{'a positive whole number' if kind is int else 'true or false'}")
            else:
                settings = replace(settings, **{key: value})
    if "related" in table:
        value = table["related"]
        if type(value) is not int or value < 0:
            problems.error(where("site", "related"),
                           "site.related must be a whole number, 0 or more (0: none)")
        else:
            settings = replace(settings, related=value)
    return settings


def _read_zone(table: dict, default: str, keys: tuple[str, ...], where,
               problems: Problems) -> str:
    """The table's `timezone`, checked against the IANA database; `default` when absent
    or wrong (the wrong one is an error)."""
    if "timezone" not in table:
        return default
    zone = table["timezone"]
    try:
        # A path-like name ('../x') or a non-string is refused by zoneinfo as well.
        if not isinstance(zone, str) or not zone:
            raise ValueError(zone)
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        close = _suggest(str(zone), zoneinfo.available_timezones())
        problems.error(where(*keys, "timezone"), f"{'.'.join(keys)}.timezone '{zone}' is not "
                       f"an IANA time zone (e.g. 'Europe/Prague', 'Asia/Kabul', 'UTC'){close}")
        return default
    return zone


def _normalise_base_url(url: str, where, problems: Problems) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        if url.startswith("/"):
            return url if url.endswith("/") else url + "/"
        problems.error(where("site", "base_url"), f"base_url '{url}' must be an absolute "
                       "http(s) URL such as 'https://news.example.org/'")
        return "/"
    return url if url.endswith("/") else url + "/"


_IMAGE_KEYS = {"widths", "card_widths", "quality", "keep_metadata"}


def _read_images(table: dict, where, problems: Problems) -> PhotoSettings:
    settings = PhotoSettings()
    for key in table.keys() - _IMAGE_KEYS:
        problems.error(where("images", key), f"unknown key 'images.{key}'"
                       f"{_suggest(key, _IMAGE_KEYS)}")
    for key in ("widths", "card_widths"):
        if key in table:
            value = table[key]
            if not (isinstance(value, list) and value and all(
                    type(w) is int and 16 <= w <= 8192 for w in value)):
                problems.error(where("images", key), f"images.{key} must be a list of "
                               "widths in pixels, e.g. [480, 960, 1600]")
            else:
                settings = replace(settings, **{key: tuple(sorted(set(value)))})
    if "quality" in table:
        if type(table["quality"]) is not int or not 1 <= table["quality"] <= 100:
            problems.error(where("images", "quality"), "images.quality must be 1 to 100")
        else:
            settings = replace(settings, quality=table["quality"])
    if "keep_metadata" in table:
        if type(table["keep_metadata"]) is not bool:
            problems.error(where("images", "keep_metadata"), "images.keep_metadata must be "
                           "true or false")
        else:
            settings = replace(settings, keep_metadata=table["keep_metadata"])
    return settings


def _read_flags(table: dict, name: str, settings, where, problems: Problems):
    """A table of true/false settings (`[build]`, `[search]`): `settings` holds the
    defaults, and its fields are the table's only keys."""
    if not isinstance(table, dict):
        problems.error(where(name), f"'{name}' must be a table, written as [{name}]")
        return settings
    keys = set(settings.__slots__)
    for key in table.keys() - keys:
        problems.error(where(name, key), f"unknown key '{name}.{key}'{_suggest(key, keys)}")
    for key in sorted(keys & table.keys()):
        if type(table[key]) is not type(getattr(settings, key)):  # bool, or str (cluster)
            problems.error(where(name, key), f"{name}.{key} must be " + (
                "a string" if type(getattr(settings, key)) is str else "true or false"))
        else:
            settings = replace(settings, **{key: table[key]})
    return settings


def _read_paths(table: dict, root: Path, where, problems: Problems) -> Paths:
    for key in table.keys() - _PATH_KEYS:
        problems.error(where("paths", key), f"unknown key 'paths.{key}'"
                       f"{_suggest(key, _PATH_KEYS)}")
    resolved = {key: (root / str(table.get(key, default))).resolve()
                for key, default in _PATH_DEFAULTS.items()}
    return Paths(root=root, **resolved)


def _read_languages(table: dict, where, problems: Problems, locale_facts: LocaleFacts,
                    site_zone: str) -> list[LanguageSettings]:
    if not table:
        problems.error(where("languages"), "no languages configured; add at least one "
                       "[languages.<code>] table with title and about")
    languages = []
    for code, entry in table.items():
        if not isinstance(entry, dict):
            problems.error(where("languages", code), f"languages.{code} must be a table")
            continue
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
            problems.error(where("languages", code), f"'{code}' is not a language code "
                           "(use a BCP 47 code such as 'en', 'fa', 'pt-BR')")
        languages.append(_read_language(code, entry, where, problems, locale_facts,
                                        site_zone))
    return languages


def _read_language(code: str, entry: dict, where, problems: Problems,
                   locale_facts: LocaleFacts, site_zone: str) -> LanguageSettings:
    table = ("languages", code)
    for key in entry.keys() - _LANGUAGE_KEYS:
        problems.error(where(*table, key), f"unknown key 'languages.{code}.{key}'"
                       f"{_suggest(key, _LANGUAGE_KEYS)}")
    for key in ("title", "about"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            problems.error(where(*table, key), f"languages.{code}.{key} is required: "
                           "the outlet's " + ("name" if key == "title" else "about section")
                           + " in this language")
    locale_name = str(entry.get("locale", code))
    facts = locale_facts.of(code, locale_name)
    if facts is None:
        if "locale" in entry:
            problems.error(where(*table, "locale"), f"languages.{code}.locale: "
                           f"'{locale_name}' is not a locale Babel knows")
        else:
            problems.error(where(*table), f"language '{code}' has no CLDR data; set "
                           f"locale = \"…\" in [languages.{code}] to the closest language "
                           "whose dates and lists it should use (e.g. locale = \"ru\")")
        facts = ("en", code, "ltr", "")
    locale, autonym, direction, script = facts
    name = entry.get("name") or autonym
    choices = {"calendar": CALENDARS, "slug_style": SLUG_STYLES,
               "untranslated": UNTRANSLATED_POLICIES}
    for key, allowed in choices.items():
        if key in entry and entry[key] not in allowed:
            problems.error(where(*table, key), f"languages.{code}.{key} must be one of "
                           + ", ".join(f"'{a}'" for a in allowed))
    return LanguageSettings(
        code=code,
        title=str(entry.get("title", code)),
        about=str(entry.get("about", "")),
        name=str(name),
        locale=locale,
        direction=direction,
        calendar=entry.get("calendar", "gregorian") if entry.get("calendar") in CALENDARS
        else "gregorian",
        slug_style=entry["slug_style"] if entry.get("slug_style") in SLUG_STYLES
        else default_slug_style(script),
        untranslated=entry.get("untranslated", "hide")
        if entry.get("untranslated") in UNTRANSLATED_POLICIES else "hide",
        sections=_labels(entry, "sections", code, where, problems),
        tags=_labels(entry, "tags", code, where, problems),
        timezone=_read_zone(entry, site_zone, table, where, problems),
        names=_labels(entry, "names", code, where, problems),
        has_own_locale=_is_own_locale(code, locale),
    )


def default_slug_style(script: str) -> str:
    """`unicode` for languages written in Arabic script, else `transliterate`.

    Arabic script leaves most vowels unwritten, so every romanisation a machine can make
    (unidecode's or ICU's BGN/PCGN transforms alike) gives consonant strings such as
    'd-khbl-d-njwnw-swwnhy'; the words themselves read better, and browsers show them."""
    return "unicode" if script == "Arab" else "transliterate"


def _is_own_locale(code: str, locale: str) -> bool:
    return locale.split("_")[0].lower() == code.split("-")[0].lower()


def _check_names(languages: list[LanguageSettings], where, problems: Problems) -> None:
    """A name given for a language the site does not have is a typo, never shown."""
    codes = {lang.code for lang in languages}
    for lang in languages:
        for other, _ in lang.names:
            if other not in codes:
                problems.error(where("languages", lang.code, "names", other),
                               f"languages.{lang.code}.names.{other}: '{other}' is not a "
                               f"configured language{_suggest(other, codes)}")


def _labels(entry: dict, key: str, code: str, where, problems: Problems):
    table = entry.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        example = "ps = \"…\" (its name in Pashto)" if key == "names" else 'world = "World"'
        problems.error(where("languages", code, key), f"languages.{code}.{key} must map "
                       f"keys to labels, e.g. {example}")
        return ()
    return tuple((str(k), v) for k, v in table.items())


def _suggest(key: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
