"""A translator's catalog, read and checked before anything uses it.

Babel reads the `.po` file; this module adds what Babel lets through: a string left
unclosed (Babel drops its last character without a word), a translation whose
placeholders are not its msgid's (a `KeyError` in every page that shows it, or a value
silently lost), a stray `%` (the theme formats every string, as Jinja's newstyle gettext
does), plural forms missing for the language, and a Plural-Forms rule that cannot be
evaluated. A bad entry is reported and removed, so that it alone falls back to the
default language; a file that cannot be read at all is one problem at its line.
"""

from __future__ import annotations

import codecs
import gettext
import re
import string
from dataclasses import dataclass
from io import BytesIO

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message, TranslationError
from babel.messages.pofile import PoFileParser

from ..errors import Problem, SourceRef
from .plurals import DEFAULT_PLURAL, PluralRule

_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(rf"(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s*{_STRING}\s*")
_CONTINUATION_LINE = re.compile(rf"{_STRING}\s*")
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\b")


@dataclass
class CheckedCatalog:
    """A catalog with its bad entries removed, and what was wrong with the file."""

    catalog: Catalog | None
    """None when the file cannot be read (a syntax error): nothing of it may be used."""
    problems: list[Problem]
    plural: PluralRule
    """The rule the compiled catalog uses: the file's, unless it is unusable."""
    rejected: frozenset[str] = frozenset()
    """The msgids (singular) of the entries removed as bad."""


def read_checked(source: bytes, shown: str, expected: PluralRule | None) -> CheckedCatalog:
    """Parse and check a `.po` file's bytes; `shown` is its path in messages and
    `expected` the plural rule of the language (None when Babel has none)."""
    source = source.removeprefix(codecs.BOM_UTF8)
    try:
        catalog, notes = parse_with_notes(source)
    except CatalogSyntaxError as exc:
        return CheckedCatalog(None, [Problem(SourceRef(shown, exc.line), exc.message)],
                              expected or DEFAULT_PLURAL)
    return check(catalog, shown, expected, _header_line(source), notes)


def check(catalog: Catalog, shown: str, expected: PluralRule | None,
          header_line: int = 1, notes: dict[int, str] | None = None) -> CheckedCatalog:
    """Check a parsed catalog (from a `.po` or a `.mo` file) in place. `notes` are
    problems of entries (by their msgid's line) that parsing found."""
    problems = []
    plural, rule_problem = _plural_rule(catalog, expected)
    if rule_problem:
        problems.append(Problem(SourceRef(shown, header_line), rule_problem))
    bad = []
    for message in list(catalog)[1:]:
        found = entry_problems(message, plural[0])
        if note := (notes or {}).get(message.lineno or 0):
            found = [note, *found] if message.id and not message.fuzzy else []
        if found:
            problems.append(Problem(SourceRef(shown, message.lineno or 1),
                                    f"translation of {_shown_id(message)}: "
                                    f"{'; '.join(dict.fromkeys(found))}; the default "
                                    "language's string is shown instead"))
            bad.append(message)
    for message in bad:
        if catalog.get(message.id, message.context) is not None:
            catalog.delete(message.id, message.context)
    # The rule the compiled catalog carries (gettext evaluates it for every plural).
    catalog.mime_headers = [("Plural-Forms", f"nplurals={plural[0]}; plural={plural[1]};")]
    return CheckedCatalog(catalog, problems, plural,
                          frozenset(_singular(message.id) for message in bad))


class CatalogSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        # One line, whatever the file holds: Babel's messages quote msgids with newlines.
        message = message.replace("\r", "\\r").replace("\n", "\\n")
        super().__init__(message)
        self.line, self.message = line, message


def parse(source: bytes) -> Catalog:
    """A `.po` file's catalog, read strictly (CatalogSyntaxError with its line)."""
    return parse_with_notes(source)[0]


def parse_with_notes(source: bytes) -> tuple[Catalog, dict[int, str]]:
    """The catalog, and problems of single entries by their msgid's line (which Babel
    would take as the whole file's, or let through)."""
    from babel.messages.pofile import PoFileError

    source = source.removeprefix(codecs.BOM_UTF8)
    notes = _check_lines(source.decode("utf-8", "replace"))
    catalog = Catalog()
    parser = _Parser(catalog, notes)
    try:
        parser.parse(BytesIO(source))
    except PoFileError as exc:
        # Babel counts its parse errors' lines from 0, and says so in the message.
        line = (getattr(exc, "lineno", 0) or 0) + 1
        text = re.sub(r" on \d+$", "", str(exc))
        raise CatalogSyntaxError(line, f"catalog syntax error: {text}") from None
    except Exception as exc:  # noqa: BLE001 — Babel raises many kinds on odd bytes
        raise CatalogSyntaxError(1, f"catalog cannot be read: {exc}") from None
    return catalog, notes


class _Parser(PoFileParser):
    """Babel's parser, strict, except that more plural forms than the header's
    nplurals are one entry's problem (Babel would stop reading the file)."""

    def __init__(self, catalog: Catalog, notes: dict[int, str]):
        super().__init__(catalog, abort_invalid=True)
        self.notes = notes

    def _invalid_pofile(self, line, lineno, msg) -> None:
        if msg.startswith("msg has more translations than num_plurals"):
            self.notes[lineno + 1] = (f"more plural forms than the catalog's nplurals="
                                      f"{self.catalog.num_plurals}")
            return
        super()._invalid_pofile(line, lineno, msg)


def _check_lines(text: str) -> dict[int, str]:
    """Every line is a comment, blank, `keyword "string"` or `"string"`: what Babel reads
    leniently (a missing closing quote loses a character) is an error with its line.
    Returns the msgids (by line) given msgstr[N] forms without a msgid_plural, whose
    msgstr[0] Babel would take silently."""
    notes: dict[int, str] = {}
    entry, plural = 0, False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not (_KEYWORD_LINE.fullmatch(stripped) or _CONTINUATION_LINE.fullmatch(stripped)):
            _raise_line_error(number, stripped)
        if stripped.startswith("msgid "):
            entry, plural = number, False
        elif stripped.startswith("msgid_plural"):
            plural = True
        elif stripped.startswith("msgstr[") and not plural and entry:
            notes[entry] = "msgstr[…] forms given for a msgid without msgid_plural"
    return notes


def _raise_line_error(number: int, stripped: str) -> None:
    if _KEYWORD.match(stripped) or stripped.startswith('"'):
        raise CatalogSyntaxError(number, "catalog syntax error: the string is not "
                                 "closed, or text follows it; every string is written "
                                 'in double quotes, like msgid "Latest news"')
    raise CatalogSyntaxError(number, "catalog syntax error: expected msgid, "
                             'msgid_plural, msgstr, msgctxt, a "string" or a # comment')


def _header_line(source: bytes) -> int:
    for number, line in enumerate(source.split(b"\n"), 1):
        if line.lstrip().startswith(b'"Plural-Forms:'):
            return number
    return 1


# ----- the plural rule

def _plural_rule(catalog: Catalog, expected: PluralRule | None) -> tuple[PluralRule, str]:
    """The rule to compile with, and what is wrong with the file's own, if anything."""
    forms, expression = catalog.num_plurals, catalog.plural_expr
    usable = _is_usable_rule(forms, expression)
    if expected is None:
        return ((forms, expression), "") if usable else (
            DEFAULT_PLURAL, f"Plural-Forms: 'plural={expression}' is not a valid rule for "
                            f"nplurals={forms}; using {_rule_text(DEFAULT_PLURAL)}")
    if forms != expected[0]:
        return expected, (f"Plural-Forms says nplurals={forms}, the language has "
                          f"{expected[0]} plural forms; write {_rule_text(expected)}")
    if not usable:
        return expected, (f"Plural-Forms: 'plural={expression}' is not a valid rule; "
                          f"write {_rule_text(expected)}")
    return (forms, expression), ""


def _rule_text(rule: PluralRule) -> str:
    return f"'nplurals={rule[0]}; plural={rule[1]};'"


def _is_usable_rule(forms: int, expression: str) -> bool:
    """Whether gettext can compile the rule and it picks one of the forms for every n
    (checked for 0 to 1000, which covers every rule CLDR has: they look at n % 100)."""
    if not 1 <= forms <= 6:
        return False
    try:
        choose = gettext.c2py(expression)
        return all(0 <= choose(n) < forms for n in range(1001))
    except Exception:  # noqa: BLE001 — the expression is the translator's code
        return False


# ----- entries

def entry_problems(message: Message, forms: int) -> list[str]:
    """What is wrong with one translated entry (nothing for untranslated or fuzzy ones)."""
    if not message.id or message.fuzzy:
        return []
    strings = message.string if isinstance(message.string, tuple | list) else (
        message.string,)
    if not any(strings):
        return []
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    if len(ids) > 2:  # Babel keeps each; gettext cannot read such an entry back
        return ["msgid_plural given more than once; keep one"]
    if any("\0" in text for text in (*ids, *strings)):
        return ["a NUL character in the entry; delete it"]  # it ends strings in a .mo
    if not message.pluralizable:
        if len(strings) != 1:
            return ["msgstr[…] forms given for a msgid without msgid_plural; write one msgstr"]
    elif len(strings) != forms or not isinstance(message.string, tuple | list):
        return [f"{len(strings)} plural form{'s' if len(strings) != 1 else ''} given, the "
                f"language has {forms}: write msgstr[0] to msgstr[{forms - 1}]"]
    elif empty := [i for i, text in enumerate(strings) if not text]:
        return [f"msgstr[{empty[0]}] is empty; translate every plural form"]
    return _format_problems(message, strings)


def _format_problems(message: Message, strings: tuple[str, ...]) -> list[str]:
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    # A {name} format string is still %-formatted by the theme: both checks apply.
    problems = (_brace_problems(ids, strings) if "python-brace-format" in message.flags
                else [])
    named = [_names(msgid) for msgid in ids]
    allowed, required = set().union(*named), set.intersection(*named)
    # Babel's checker: unknown names, mismatched types, unbalanced positional %s.
    if "python-format" in message.flags or any(PYTHON_FORMAT.search(i) for i in ids):
        flagged = message.clone()
        flagged.flags = set(message.flags) | {"python-format"}
        # Importing Babel's checkers reads every installed package's metadata (for
        # plug-ins): only when an entry has placeholders to check.
        from babel.messages.checkers import python_format

        try:
            python_format(None, flagged)
        except TranslationError as exc:
            problems.append(f"{exc}")
    for index, text in enumerate(strings):
        form = f"msgstr[{index}]" if message.pluralizable else "msgstr"
        if missing := required - _names(text):
            problems.append(f"{form} leaves out "
                            f"{', '.join(f'%({n})s' for n in sorted(missing))}; copy the "
                            "placeholder into the translation")
        elif not problems and (error := _format_error(text, allowed,
                                                      _positional_count(ids[-1]))):
            problems.append(f"{form} is not a valid format string ({error}); write %% for "
                            "a percent sign")
    return problems


def _names(text: str) -> set[str]:
    return {m.group(1) for m in PYTHON_FORMAT.finditer(text) if m.group(1)}


def _positional_count(text: str) -> int:
    return sum(1 for m in PYTHON_FORMAT.finditer(text)
               if m.group(1) is None and m.group(3) != "%")


class _AnyValue:
    """Stands in for any value a template passes (a name, a number)."""

    def __str__(self) -> str:
        return "x"

    __repr__ = __str__

    def __int__(self) -> int:
        return 1

    __index__ = __int__

    def __float__(self) -> float:
        return 1.0


def _format_error(text: str, names: set[str], positional: int) -> str:
    """The error formatting `text` raises as the theme formats it (like Jinja's newstyle
    gettext, always, with the msgid's placeholders), or ""."""
    values = (tuple(_AnyValue() for _ in range(positional)) if positional and not names
              else {name: _AnyValue() for name in names})
    try:
        text % values  # noqa: B018 — only whether it raises matters
    except (KeyError, ValueError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def _brace_problems(ids: tuple[str, ...], strings: tuple[str, ...]) -> list[str]:
    try:
        wanted = set.intersection(*(_brace_names(msgid) for msgid in ids))
        allowed = set.union(*(_brace_names(msgid) for msgid in ids))
    except ValueError:
        return []  # the msgid itself is no brace format: nothing to hold the msgstr to
    for text in strings:
        try:
            names = _brace_names(text)
        except ValueError as exc:
            return [f"not a valid {{name}} format string ({exc}); write {{{{ for a brace"]
        if names - allowed:
            return [f"unknown placeholder {{{sorted(names - allowed)[0]}}}"]
        if wanted - names:
            return [f"leaves out {{{sorted(wanted - names)[0]}}}; copy the placeholder into "
                    "the translation"]
    return []


def _brace_names(text: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in
            string.Formatter().parse(text) if field is not None}


def _shown_id(message: Message) -> str:
    return repr(_singular(message.id))


def _singular(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, tuple | list) else msgid

