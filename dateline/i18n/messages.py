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
from babel.messages.pofile import write_po

from .. import __version__, locales_dirs_for, shipped_path
from ..config import Config
from ..errors import ContentError, Problem, SourceRef, UsageError, display_path
from .catalog_checks import CatalogSyntaxError, parse, read_checked
from .catalogs import (
    DOMAIN,
    SOURCE_LANGUAGE,
    catalog_layers,
    catalog_path,
    checked_layer,
    is_translated,
    merged_entries,
    template_in,
)
from .plurals import plural_rule_of

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


def init(config: Config, code: str) -> tuple[Path, Path | None]:
    """Start a catalog for a language, with its plural rule in the header, from the
    translations Dateline ships for it if any. Extracts the template first when the site
    has none. Returns the catalog and the template it extracted, if it did."""
    locale = _babel_locale(config, code)
    path = catalog_path(config.paths.locales, code)
    if path.exists():
        raise UsageError(Problem(SourceRef(display_path(path, config.paths.root), 1),
                         f"a catalog for '{code}' exists already; use `i18n update`"))
    extracted = None if template_path(config).is_file() else extract(config)[0]
    template = _read(template_path(config), config)
    catalog = new_catalog(config, code, locale)
    shipped = catalog_path(shipped_path("locales"), code)
    if shipped.is_file() and shipped.resolve() != path.resolve():
        for message in _read(shipped, config):
            if message.id and not message.fuzzy:
                catalog[message.id] = message
    catalog.update(template)
    _write(path, catalog)
    return path, extracted


def new_catalog(config: Config, code: str, locale: Locale) -> Catalog:
    """An empty catalog that names the language by its own code, with the plural rule of
    its locale (a borrowed one for a language Babel has no data for)."""
    catalog = Catalog(locale=code.replace("-", "_"), domain=DOMAIN, fuzzy=False,
                      project="Dateline theme", version=__version__,
                      creation_date=_fixed_date())
    forms, expression = plural_rule_of(str(locale)) or (2, "(n != 1)")
    catalog.mime_headers = [("Plural-Forms", f"nplurals={forms}; plural={expression};")]
    if catalog.locale is None or str(catalog.locale) != str(locale):
        name = (config.language(code).name if code in config.language_codes else code)
        catalog.header_comment = (
            f"# {name} ({code}) translations for PROJECT.\n"
            f"# Plural rule and formats borrowed from {locale.english_name} ({locale}).\n"
            "# This file is distributed under the same license as the PROJECT project.\n#")
    return catalog


def update(config: Config) -> list[Path]:
    """Merge messages.pot (the site's, else Dateline's) into every catalog of the site:
    keep translations, mark changed ones fuzzy."""
    template = _read(template_in(locales_dirs_for(config.paths.locales)), config)
    written = []
    for path in _catalog_files(config):
        catalog = _read(path, config)
        catalog.update(template)
        _write(path, catalog)
        written.append(path)
    return written


def compile_catalogs(config: Config) -> list[Path]:
    """Write a .mo beside every catalog of the site (the build does not need them; other
    tools may). Every catalog is checked first as the build checks it: with any problem,
    nothing is written (exit 1, each problem with its line)."""
    checked, problems = [], []
    for path in _catalog_files(config):
        plural = plural_rule_of(config.language(path.parent.parent.name).locale)
        one = read_checked(path.read_bytes(), display_path(path, config.paths.root), plural)
        checked.append((path, one))
        problems.extend(one.problems)
    if problems:
        raise ContentError(problems)
    written = []
    for path, one in checked:
        for message in list(one.catalog)[1:]:
            if not is_translated(message, one.plural[0]):
                one.catalog.delete(message.id, message.context)  # as msgfmt leaves them out
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, one.catalog)
        written.append(path.with_suffix(".mo"))
    return written


@dataclass(frozen=True)
class Status:
    code: str
    translated: int
    fuzzy: int
    untranslated: int
    note: str = ""
    source: str = "none"
    """Where the language's strings come from: site, shipped, site+shipped or none."""

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def status(config: Config) -> tuple[list[Status], list[Problem]]:
    """Per configured language: where its strings come from and how many of the theme's
    are translated, fuzzy or untranslated (as the build would use them); and the problems
    of its catalogs, as the build would report them."""
    folders = locales_dirs_for(config.paths.locales)
    template = template_in(folders)
    ids = ({_singular(m.id) for m in _read(template, config) if m.id}
           if template.is_file() else None)
    rows, problems = [], []
    for language in config.languages:
        note = "" if language.locale == language.code else f"formats as {language.locale}"
        if language.code == SOURCE_LANGUAGE:
            rows.append(Status(language.code, len(ids or ()), 0, 0, "source language"))
            continue
        layers = catalog_layers(folders, language.code)
        plural = plural_rule_of(language.locale)
        checked = [checked_layer(path, path.read_bytes(), config.paths.root, plural)
                   for path in layers]
        problems.extend(p for one in checked for p in one.problems)
        readable = [one for one in checked if one.catalog is not None]
        if not readable:
            notes = ["no catalog" if not layers else "catalog unreadable", note]
            rows.append(Status(language.code, 0, 0, len(ids or ()),
                               "; ".join(n for n in notes if n)))
            continue
        translated = {msgid for msgid, _ in merged_entries(readable)}
        fuzzy = {_singular(m.id) for one in readable for m in one.catalog
                 if m.id and m.fuzzy} - translated
        wanted = ids if ids is not None else translated | fuzzy | {
            _singular(m.id) for one in readable for m in one.catalog if m.id}
        rows.append(Status(language.code, len(translated & wanted), len(fuzzy & wanted),
                           len(wanted - translated - fuzzy), note,
                           _source(layers, config)))
    return rows, problems


def _source(layers: list[Path], config: Config) -> str:
    site = config.paths.locales.resolve()
    kinds = ["site" if path.resolve().is_relative_to(site) else "shipped" for path in layers]
    return "+".join(dict.fromkeys(kinds))


def _singular(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple | list) else msgid


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
        return parse(path.read_bytes())
    except CatalogSyntaxError as exc:
        raise UsageError(Problem(SourceRef(shown, exc.line), exc.message)) from None


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=88, sort_output=True)


def _fixed_date() -> dt.datetime:
    # A constant creation date keeps regenerated catalogs free of meaningless diffs.
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
