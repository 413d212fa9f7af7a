"""UI strings from gettext catalogs in `locales/<lang>/LC_MESSAGES/messages.po`.

The build reads the `.po` files directly (compiled in memory), so an edited catalog shows
up in the next build without a manual compile. A string missing from a language falls back
to the default language's translation, then to the msgid, and each fallback is counted.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import replacing
from ..digests import digest_bytes
from ..errors import Problem, Problems, SourceRef, display_path
from .plurals import DEFAULT_PLURAL, PluralRule, plural_rule_of

if TYPE_CHECKING:
    from .catalog_checks import CheckedCatalog

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
"""The language the theme's msgids are written in."""


def catalog_path(locales_dir: Path, code: str) -> Path:
    return locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass
class UiStrings:
    """gettext for one language, counting the msgids it had to take from elsewhere."""

    own: gettext_module.NullTranslations
    fallback: gettext_module.NullTranslations
    count_fallbacks: bool = True
    """False for the language the msgids are written in (English)."""
    fallbacks: set[str] = field(default_factory=set)

    def gettext(self, message: str) -> str:
        if _has(self.own, message):
            return self.own.gettext(message)
        if self.count_fallbacks:
            self.fallbacks.add(message)
        return self.fallback.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if _has(self.own, singular):
            return self.own.ngettext(singular, plural, n)
        if self.count_fallbacks:
            self.fallbacks.add(singular)
        return self.fallback.ngettext(singular, plural, n)


def _has(translations: gettext_module.NullTranslations, msgid: str) -> bool:
    catalog = getattr(translations, "_catalog", {})
    return msgid in catalog or (msgid, 0) in catalog


def load_translations(locales_dirs: Path | Sequence[Path], code: str, root: Path,
                      problems: Problems, cache_dir: Path | None = None,
                      plural: PluralRule | None = None,
                      locale: str | None = None) -> gettext_module.NullTranslations:
    """The compiled catalogs of one language, or null translations when it has none.

    With several folders (the site's, then Dateline's: `locales_dirs_for`), each string
    comes from the first catalog that translates it. Every entry is checked
    (`catalog_checks`): a bad one is reported and left out, so it alone falls back to the
    default language. A catalog with a syntax error is reported and the last good
    version is used instead: the cache's `<code>.compiled`, a 16-byte digest of what it
    was compiled from, then the `.mo` bytes. Only a catalog without any problem is kept
    there. `plural` is the language's plural rule (default: Babel's for `locale`, the
    language's locale, else for `code`)."""
    layers = catalog_layers(locales_dirs, code)
    if not layers:
        return gettext_module.NullTranslations()
    sources = [(path, _read(path) or b"") for path in layers]
    last_good = cache_dir / f"{code}.compiled" if cache_dir else None
    # Parsing and checking a catalog costs more than a page: catalogs compiled without
    # a problem from these very bytes are taken as they were compiled. (Babel's rule
    # for a locale is known by the locale's name and Babel's version, in the digest.)
    rule = plural if plural is not None else ("locale", locale or code)
    made_from = _compiled_from(b"\0".join([repr((rule, layers)).encode(),
                                            *(data for _, data in sources)]))
    kept = _read(last_good) if last_good else None
    if kept is not None and kept[:_HEAD] == made_from:
        if (compiled := _translations(kept[_HEAD:])) is not None:
            return compiled
    expected = plural if plural is not None else plural_rule_of(locale or code)
    checked = [checked_layer(path, data, root, expected) for path, data in sources]
    found = [problem for one in checked for problem in one.problems]
    if any(one.catalog is None for one in checked):
        return _last_good(checked, kept, root, problems)
    for problem in found:
        problems.warn(problem.where, problem.message)
    compiled = _compile(checked)
    if (translations := _translations(compiled)) is None:
        # Not seen after the checks; if it happens, the language still builds.
        problems.warn(SourceRef(display_path(layers[0], root), 1), "catalog cannot be "
                      "compiled; the default language's strings are shown instead")
        return gettext_module.NullTranslations()
    if last_good is not None and not found:
        _keep_last_good(last_good, made_from + compiled)
    return translations


def catalog_layers(locales_dirs: Path | Sequence[Path], code: str) -> list[Path]:
    """Each folder's catalog of `code`: its `.po` file, else a compiled `.mo`."""
    folders = [locales_dirs] if isinstance(locales_dirs, Path) else list(locales_dirs)
    found = []
    for folder in folders:
        po_path = catalog_path(folder, code)
        if po_path.is_file():
            found.append(po_path)
        elif po_path.with_suffix(".mo").is_file():
            found.append(po_path.with_suffix(".mo"))
    return found


def checked_layer(path: Path, data: bytes, root: Path,
             expected: PluralRule | None) -> CheckedCatalog:
    from babel.messages.mofile import read_mo

    # Imported here: a catalog changed. A build whose catalogs did not (the compiled
    # ones are kept in the cache) needs none of the checks, nor Babel's parser.
    from .catalog_checks import CheckedCatalog, check, read_checked

    shown = display_path(path, root)
    if path.suffix == ".po":
        return read_checked(data, shown, expected)

    try:
        catalog = read_mo(BytesIO(data))
    except Exception as exc:  # noqa: BLE001 — any bytes may sit in a .mo file
        return CheckedCatalog(None, [Problem(SourceRef(shown, 1), "compiled catalog cannot "
                                             f"be read ({exc}); compile it again")],
                              expected or DEFAULT_PLURAL)
    return check(catalog, shown, expected)


def _last_good(checked: list[CheckedCatalog], kept: bytes | None, root: Path,
               problems: Problems) -> gettext_module.NullTranslations:
    """What a language shows while one of its catalogs cannot be read."""
    compiled = _translations(kept[_HEAD:]) if kept is not None else None
    readable = [one for one in checked if one.catalog is not None]
    instead = ("the last good version of this language's catalogs is used" if compiled
               else "its strings come from the other catalogs of the language"
               if readable else "the default language's strings are shown")
    for one in checked:
        for problem in one.problems:
            problems.warn(problem.where, problem.message + (
                f"; until it is fixed, {instead}" if one.catalog is None else ""))
    if compiled is not None:
        return compiled
    if readable:
        return gettext_module.GNUTranslations(BytesIO(_compile(readable)))
    return gettext_module.NullTranslations()


def _compile(checked: list[CheckedCatalog]) -> bytes:
    """One `.mo` of the translated entries, each from the first catalog that has it."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    forms, expression = checked[0].plural
    merged = Catalog(locale=None, fuzzy=False, charset="utf-8")
    merged.mime_headers = [("Plural-Forms", f"nplurals={forms}; plural={expression};")]
    for message in merged_entries(checked).values():
        merged[message.id] = message
    buffer = BytesIO()
    write_mo(buffer, merged)
    return buffer.getvalue()


def merged_entries(checked: list[CheckedCatalog]) -> dict:
    """(msgid, msgctxt) → the translated entry gettext shows, taken from the first
    catalog that translates it (the singular msgid stands for a plural entry)."""
    forms = checked[0].plural[0]
    entries: dict = {}
    hidden: set[str] = set()
    for one in checked:
        for message in list(one.catalog)[1:]:
            key = (_singular(message.id), message.context)
            if key not in entries and key[0] not in hidden and is_translated(message, forms):
                entries[key] = message
        # A bad entry falls back to the default language, not to a catalog below it:
        # what the warning says, and what the translator sees.
        hidden |= one.rejected
    return entries


def _singular(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple | list) else msgid


def is_translated(message, forms: int) -> bool:
    """Whether gettext may show this entry: not fuzzy (a draft, as msgfmt has it), and
    every form translated."""
    if not message.id or message.fuzzy:
        return False
    if message.pluralizable:
        return (isinstance(message.string, tuple | list) and len(message.string) == forms
                and all(message.string))
    return isinstance(message.string, str) and bool(message.string)


_HEAD = 16


def _compiled_from(source: bytes) -> bytes:
    """What a compiled catalog depends on: the .po file's bytes and Babel's compiler."""
    from babel import __version__ as babel_version

    return digest_bytes(source, size=_HEAD, person=babel_version.encode()[:16])


def _translations(compiled: bytes) -> gettext_module.GNUTranslations | None:
    try:
        return gettext_module.GNUTranslations(BytesIO(compiled))
    except Exception:  # noqa: BLE001 — a damaged cache file, whatever its bytes
        return None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _keep_last_good(path: Path, compiled: bytes) -> None:
    try:
        if not path.is_file() or path.read_bytes() != compiled:
            path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(path) as handle:
                handle.write(compiled)
    except OSError:
        pass  # the cache is an optimisation for bad days; never fail a build over it


def template_in(locales_dirs: Sequence[Path]) -> Path:
    """The message template of the first folder that has one (the site's own theme's
    strings, when it extracted them; else Dateline's)."""
    for folder in locales_dirs:
        if (folder / f"{DOMAIN}.pot").is_file():
            return folder / f"{DOMAIN}.pot"
    return Path(locales_dirs[0] if locales_dirs else ".") / f"{DOMAIN}.pot"


def template_ids(template: Path, cache_dir: Path | None = None) -> list[str]:
    """The msgids of a message template (the singular of plural entries); none if absent.
    Kept in `cache_dir` while the template's bytes are the same."""
    if not template.is_file():
        return []
    source = template.read_bytes()
    made_from = _compiled_from(source).hex()
    kept = cache_dir / f"{template.name}.ids" if cache_dir else None
    if kept is not None and (known := _read(kept)) is not None:
        lines = known.decode("utf-8", "replace").split("\n")  # damaged: its digest differs
        if lines[0] == made_from:
            return lines[1:]
    from babel.messages.pofile import read_po

    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(BytesIO(source))
           if m.id]
    if kept is not None and not any("\n" in msgid for msgid in ids):
        _keep_last_good(kept, "\n".join([made_from, *ids]).encode("utf-8"))
    return ids


def count_untranslated(msgids: list[str], translations: gettext_module.NullTranslations) -> int:
    """How many of `msgids` `translations` has no string for."""
    return sum(1 for msgid in msgids if not _has(translations, msgid))
