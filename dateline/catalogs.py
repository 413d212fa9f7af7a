"""UI strings from gettext catalogs in `locales/<lang>/LC_MESSAGES/messages.po`.

The build reads the `.po` files directly (compiled in memory), so an edited catalog shows
up in the next build without a manual compile. A string missing from a language falls back
to the default language's translation, then to the msgid, and each fallback is counted.
"""

from __future__ import annotations

import gettext as gettext_module
import hashlib
import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from .atomic import replacing
from .errors import Problems, SourceRef, display_path

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


def load_translations(locales_dir: Path, code: str, root: Path, problems: Problems,
                      cache_dir: Path | None = None) -> gettext_module.NullTranslations:
    """The compiled catalog of one language, or null translations when it has none.

    A catalog with a syntax error is reported and the last good version is used instead
    (kept in the build cache, else a compiled `.mo` beside it), so a translator's typo
    never breaks the whole site. The cache's `<code>.compiled` is that last good
    version: a 16-byte digest of the `.po` bytes it was compiled from (zeros when
    compiling it raised a warning, which must be reported again), then the `.mo` bytes."""
    po_path = catalog_path(locales_dir, code)
    mo_path = po_path.with_suffix(".mo")
    last_good = cache_dir / f"{code}.compiled" if cache_dir else None
    if not po_path.is_file():
        return _from_mo(mo_path) or gettext_module.NullTranslations()
    source = po_path.read_bytes()
    # Parsing and checking a catalog costs more than a page: a catalog compiled without
    # a problem from these very bytes is taken as it was compiled.
    made_from = _compiled_from(source)
    kept = _read(last_good) if last_good else None
    if kept is not None and kept[:_HEAD] == made_from:
        if (compiled := _translations(kept[_HEAD:])) is not None:
            return compiled
    # Babel's catalog modules are imported only when a catalog is compiled.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    warned = len(problems.warnings)
    try:
        catalog = read_po(BytesIO(source), locale=None, abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        line = (getattr(exc, "lineno", 0) or 0) + 1  # Babel counts parse errors from 0
        problems.warn(SourceRef(display_path(po_path, root), line),
                      f"catalog has a syntax error ({exc}); using the last good compiled "
                      "catalog for this language")
        return ((kept and _translations(kept[_HEAD:])) or _from_mo(mo_path)
                or gettext_module.NullTranslations())
    for message, errors in catalog.check():
        for error in errors:
            problems.warn(SourceRef(display_path(po_path, root), message.lineno or 1),
                          f"translation of {message.id!r}: {error}")
    for message in catalog:
        if missing := _missing_placeholders(message):
            problems.warn(SourceRef(display_path(po_path, root), message.lineno or 1),
                          f"translation of {message.id!r} leaves out "
                          f"{', '.join(missing)}; copy the placeholder into the msgstr")
    buffer = BytesIO()
    # Fuzzy entries are drafts: gettext must not show them, as msgfmt would not.
    write_mo(buffer, catalog, use_fuzzy=False)
    if last_good is not None:
        head = made_from if len(problems.warnings) == warned else bytes(_HEAD)
        _keep_last_good(last_good, head + buffer.getvalue())
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


_HEAD = 16


def _compiled_from(source: bytes) -> bytes:
    """What a compiled catalog depends on: the .po file's bytes and Babel's compiler."""
    from babel import __version__ as babel_version

    return hashlib.blake2b(source, digest_size=_HEAD,
                           person=babel_version.encode()[:16]).digest()


def _translations(compiled: bytes) -> gettext_module.GNUTranslations | None:
    try:
        return gettext_module.GNUTranslations(BytesIO(compiled))
    except OSError:
        return None  # damaged


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


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


def _missing_placeholders(message) -> list[str]:
    """Named placeholders of the msgid that no translated form uses (Babel's own check
    only catches unknown or mistyped ones)."""
    if not message.id or message.fuzzy or "python-format" not in message.flags:
        return []
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = [s for s in (message.string if isinstance(message.string, tuple | list)
                           else (message.string,)) if s]
    if not strings:
        return []
    wanted = set(_PLACEHOLDER.findall(ids[0]))
    used = set().union(*(_PLACEHOLDER.findall(s) for s in strings))
    return [f"%({name})s" for name in sorted(wanted - used)]


def _from_mo(mo_path: Path) -> gettext_module.GNUTranslations | None:
    data = _read(mo_path)
    return _translations(data) if data is not None else None


def template_ids(template: Path, cache_dir: Path | None = None) -> list[str]:
    """The msgids of a message template (the singular of plural entries); none if absent.
    Kept in `cache_dir` while the template's bytes are the same."""
    if not template.is_file():
        return []
    source = template.read_bytes()
    made_from = _compiled_from(source).hex()
    kept = cache_dir / f"{template.name}.ids" if cache_dir else None
    if kept is not None and (known := _read(kept)) is not None:
        lines = known.decode("utf-8").split("\n")
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
