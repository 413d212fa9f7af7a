"""Translators' tools for the theme's UI strings, built on Babel's message API:
extract → messages.pot, init a language, update every catalog, compile to .mo, status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

from . import __version__
from .catalogs import DOMAIN, SOURCE_LANGUAGE, catalog_path
from .config import Config
from .errors import Problem, SourceRef, UsageError, display_path

# Jinja2 templates are read by Jinja2's own Babel extractor; `trimmed` folds the
# whitespace of multi-line {% trans %} blocks the way the templates render it.
_METHODS = [("**.html", "jinja2.ext:babel_extract")]
_OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true",
                        "trim_blocks": "true", "lstrip_blocks": "true"}}


def template_path(config: Config) -> Path:
    return config.paths.locales / f"{DOMAIN}.pot"


def extract(config: Config) -> tuple[Path, int]:
    """Collect every marked string of the theme's templates into messages.pot."""
    catalog = Catalog(project="Dateline theme", version=__version__, fuzzy=False,
                      creation_date=_fixed_date(), msgid_bugs_address="")
    templates = config.theme_dir / "templates"
    for filename, lineno, message, comments, context in extract_from_dir(
            templates, _METHODS, _OPTIONS, comment_tags=("Translators:",)):
        location = (f"templates/{filename}", lineno)
        catalog.add(message, None, [location], auto_comments=comments, context=context)
    path = template_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=88, sort_output=True, omit_header=False)
    return path, len(catalog)


def init(config: Config, code: str) -> Path:
    """Start a catalog for a new language, with its plural rule in the header."""
    locale = _babel_locale(config, code)
    template = _read(template_path(config), config)
    catalog = Catalog(locale=locale, domain=DOMAIN, fuzzy=False, creation_date=_fixed_date())
    catalog.update(template)
    path = catalog_path(config.paths.locales, code)
    if path.exists():
        raise UsageError(Problem(SourceRef(display_path(path, config.paths.root), 1),
                         f"a catalog for '{code}' exists already; use `i18n update`"))
    _write(path, catalog)
    return path


def update(config: Config) -> list[Path]:
    """Merge messages.pot into every catalog: keep translations, mark changed ones fuzzy."""
    template = _read(template_path(config), config)
    written = []
    for path in _catalog_files(config):
        catalog = _read(path, config)
        catalog.update(template)
        _write(path, catalog)
        written.append(path)
    return written


def compile_catalogs(config: Config) -> list[Path]:
    """Write a .mo beside every .po (the build does not need them; other tools may)."""
    written = []
    for path in _catalog_files(config):
        catalog = _read(path, config)
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
        written.append(path.with_suffix(".mo"))
    return written


@dataclass(frozen=True)
class Status:
    code: str
    translated: int
    fuzzy: int
    untranslated: int
    note: str = ""

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def status(config: Config) -> list[Status]:
    """Per configured language: translated, fuzzy and untranslated UI strings."""
    template = _read(template_path(config), config) if template_path(config).is_file() else None
    ids = {m.id for m in template if m.id} if template else None
    result = []
    for language in config.languages:
        note = "" if language.locale == language.code else f"formats as {language.locale}"
        if language.code == SOURCE_LANGUAGE:
            count = len(ids) if ids is not None else 0
            result.append(Status(language.code, count, 0, 0, "source language"))
            continue
        path = catalog_path(config.paths.locales, language.code)
        if not path.is_file():
            result.append(Status(language.code, 0, 0, len(ids or ()), "no catalog"
                                 + (f"; {note}" if note else "")))
            continue
        catalog = _read(path, config)
        messages = [m for m in catalog if m.id and (ids is None or m.id in ids)]
        translated = sum(1 for m in messages if _has_string(m) and not m.fuzzy)
        fuzzy = sum(1 for m in messages if m.fuzzy)
        missing = (len(ids - {m.id for m in messages}) if ids is not None else 0)
        untranslated = len(messages) - translated - fuzzy + missing
        result.append(Status(language.code, translated, fuzzy, untranslated, note))
    return result


def _has_string(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def _babel_locale(config: Config, code: str) -> Locale:
    if code in config.language_codes:
        name = config.language(code).locale
    else:
        name = code
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise UsageError(Problem(SourceRef(config.config_path.name, 1),
                         f"unknown language '{code}': Babel has no locale data for it; add "
                         f"[languages.{code}] with locale = \"…\" (the closest language) "
                         "to the config first")) from None


def _catalog_files(config: Config) -> list[Path]:
    return [path for language in config.languages
            if (path := catalog_path(config.paths.locales, language.code)).is_file()]


def _read(path: Path, config: Config) -> Catalog:
    shown = display_path(path, config.paths.root)
    if not path.is_file():
        hint = " run `python build.py i18n extract` first" if path.suffix == ".pot" else ""
        raise UsageError(Problem(SourceRef(shown, 1), f"{path.name} not found;{hint}"))
    try:
        with path.open("rb") as handle:
            return read_po(handle, abort_invalid=True)
    except PoFileError as exc:
        raise UsageError(Problem(SourceRef(shown, (getattr(exc, "lineno", 0) or 0) + 1),
                                 f"catalog syntax error: {exc}")) from None


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=88, sort_output=True)


def _fixed_date() -> dt.datetime:
    # A constant creation date keeps regenerated catalogs free of meaningless diffs.
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
