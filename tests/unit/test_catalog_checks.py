"""A translator's typo in a real catalog (Dateline's Russian one): each kind of mistake is
reported at its entry's line, and that entry alone falls back to the default language."""

import re
from pathlib import Path

import pytest

from dateline import shipped_path
from dateline.errors import Problems
from dateline.i18n.catalogs import UiStrings, catalog_path, load_translations
from dateline.i18n.plurals import plural_rule_of

SHIPPED_RU = shipped_path("locales") / "ru" / "LC_MESSAGES" / "messages.po"
SHOWN = "locales/ru/LC_MESSAGES/messages.po"
RUSSIAN = plural_rule_of("ru")
AGENCIES = "With reporting by %(agencies)s"
ARTICLES = ("%(shown)s article", "%(shown)s articles")


def russian_text() -> str:
    return SHIPPED_RU.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    before, found, _ = text.partition(needle)
    assert found, needle
    return before.count("\n") + 1


def write_ru(root: Path, text: str) -> Path:
    path = catalog_path(root / "locales", "ru")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(root: Path, problems: Problems, cache: Path | None = None):
    own = load_translations(root / "locales", "ru", root, problems, cache, RUSSIAN)
    import gettext

    return UiStrings(own=own, fallback=gettext.NullTranslations())


# (case, the entry's msgid, text replaced in the shipped catalog, replacement)
ENTRY_MISTAKES = [
    ("renamed placeholder", AGENCIES, 'msgstr "При участии %(agencies)s"',
     'msgstr "При участии %(agency)s"'),
    ("dropped placeholder", AGENCIES, 'msgstr "При участии %(agencies)s"',
     'msgstr "При участии"'),
    ("placeholder of another type", AGENCIES, 'msgstr "При участии %(agencies)s"',
     'msgstr "При участии %(agencies)d"'),
    ("positional for named", AGENCIES, 'msgstr "При участии %(agencies)s"',
     'msgstr "При участии %s"'),
    ("unclosed placeholder", AGENCIES, 'msgstr "При участии %(agencies)s"',
     'msgstr "При участии %(agencies"'),
    ("stray percent sign", "Sections", 'msgstr "Разделы"', 'msgstr "Разделы на 100%"'),
    ("percent before a letter", "Sections", 'msgstr "Разделы"', 'msgstr "100%Разделы"'),
    ("placeholder the msgid lacks", "Sections", 'msgstr "Разделы"',
     'msgstr "Разделы %(count)s"'),
    ("plural forms for a singular msgid", "Sections", 'msgstr "Разделы"',
     'msgstr[0] "Раздел"\nmsgstr[1] "Разделы"'),
    ("plural form missing", ARTICLES[0], 'msgstr[2] "%(shown)s статей"\n', ""),
    ("plural form empty", ARTICLES[0], 'msgstr[1] "%(shown)s статьи"', 'msgstr[1] ""'),
    ("plural form too many", ARTICLES[0], 'msgstr[2] "%(shown)s статей"',
     'msgstr[2] "%(shown)s статей"\nmsgstr[3] "%(shown)s статеек"'),
    ("plural form drops the count", ARTICLES[0], 'msgstr[0] "%(shown)s статья"',
     'msgstr[0] "одна статья"'),
    ("plural form renames the count", ARTICLES[0], 'msgstr[1] "%(shown)s статьи"',
     'msgstr[1] "%(show)s статьи"'),
    # A copied line (found by tests/test_catalog_fuzz.py): Babel keeps both, and the
    # compiled catalog could not be read back, so the whole language fell back.
    ("msgid_plural written twice", ARTICLES[0], 'msgid_plural "%(shown)s articles"',
     'msgid_plural "%(shown)s articles"\nmsgid_plural "%(shown)s articles"'),
    ("single msgstr for a plural msgid", ARTICLES[0],
     'msgstr[0] "%(shown)s статья"\nmsgstr[1] "%(shown)s статьи"\n'
     'msgstr[2] "%(shown)s статей"', 'msgstr "%(shown)s статей"'),
]


def lookup(strings: UiStrings, msgid: str, n: int = 5) -> str:
    if msgid == ARTICLES[0]:
        return strings.ngettext(*ARTICLES, n)
    return strings.gettext(msgid)


@pytest.mark.parametrize(("case", "msgid", "old", "new"), ENTRY_MISTAKES,
                         ids=[m[0] for m in ENTRY_MISTAKES])
def test_a_bad_entry_is_reported_at_its_line_and_falls_back_alone(tmp_path, case, msgid,
                                                                   old, new):
    text = russian_text()
    assert text.count(old) == 1
    write_ru(tmp_path, text.replace(old, new))
    problems = Problems()
    strings = load(tmp_path, problems)

    assert [str(p) for p in problems.warnings] == [
        str(problems.warnings[0])] and problems.errors == []
    warning = problems.warnings[0]
    assert (warning.where.path, warning.where.line) == (SHOWN, line_of(text, f'msgid "{msgid}"'))
    assert warning.message.startswith(f"translation of {msgid!r}: ")
    assert re.fullmatch(r"\S+:\d+: translation of .+", str(warning))
    # The entry shows the default language's string; every other entry is still used.
    english = msgid if msgid != ARTICLES[0] else ARTICLES[1]
    assert lookup(strings, msgid) == english
    assert strings.fallbacks == {msgid}
    assert strings.gettext("Topics") == "Темы"
    if msgid != ARTICLES[0]:
        assert strings.ngettext(*ARTICLES, 5) == "%(shown)s статей"
    if msgid != AGENCIES:
        assert strings.gettext(AGENCIES) == "При участии %(agencies)s"


@pytest.mark.parametrize(("msgstr", "problem"), [
    ("Привет {nam}", "{nam}"), ("Привет", "leaves out {name}"),
    ("Привет {name", "not a valid {name} format string"),
    ("Привет {name} на 100%", "not a valid format string"),
])
def test_a_brace_format_entry_keeps_its_names(tmp_path, msgstr, problem):
    entry = f'\n#, python-brace-format\nmsgid "Hello {{name}}"\nmsgstr "{msgstr}"\n'
    write_ru(tmp_path, russian_text() + entry)
    problems = Problems()
    strings = load(tmp_path, problems)
    assert len(problems.warnings) == 1 and problem in problems.warnings[0].message
    assert strings.gettext("Hello {name}") == "Hello {name}"


@pytest.mark.parametrize(("header", "problem"), [
    ("nplurals=2; plural=(n != 1);", "nplurals=2, the language has 3 plural forms"),
    ("nplurals=3; plural=n/0;", "not a valid rule"),
    ("nplurals=3; plural=(n == 1 ? 0 : 7);", "not a valid rule"),
    ("nplurals=3; plural=n %% (;", "not a valid rule"),
], ids=["too few forms", "division by zero", "form out of range", "not an expression"])
def test_a_bad_plural_rule_is_reported_at_its_line_and_the_languages_rule_is_used(
        tmp_path, header, problem):
    text = russian_text()
    old = re.search(r'"Plural-Forms: .*?;\\n"\n', text, re.S).group(0)
    mutated = text.replace(old, f'"Plural-Forms: {header.replace("%%", "%")}\\n"\n')
    write_ru(tmp_path, mutated)
    problems = Problems()
    strings = load(tmp_path, problems)
    rule = [p for p in problems.warnings if "Plural-Forms" in p.message]
    assert len(rule) == 1 and problem in rule[0].message
    assert rule[0].where.line == line_of(mutated, '"Plural-Forms:')
    if "too few" not in problem and "nplurals=2" not in header:
        # Russian's own rule picks the forms: 1 статья, 2 статьи, 5 статей, 21 статья.
        assert [strings.ngettext(*ARTICLES, n) for n in (1, 2, 5, 21)] == [
            "%(shown)s статья", "%(shown)s статьи", "%(shown)s статей", "%(shown)s статья"]
    assert strings.gettext("Topics") == "Темы"


# (case, text replaced, replacement, the line reported: the needle's in the mutated text)
SYNTAX_MISTAKES = [
    ("msgid not closed", 'msgid "Latest news"', 'msgid "Latest news', 'msgid "Latest news'),
    ("msgstr not closed", 'msgstr "Последние новости"', 'msgstr "Последние новости',
     'msgstr "Последние новости'),
    ("text after the string", 'msgstr "Последние новости"', 'msgstr "Последние" новости"',
     'msgstr "Последние" новости"'),
    ("string without quotes", 'msgid "Latest news"', "msgid Latest news", "msgid Latest news"),
    ("misspelled keyword", 'msgid "Latest news"', 'msgdi "Latest news"', 'msgdi "Latest'),
    ("msgid without msgstr", 'msgstr "Последние новости"\n', "",
     'msgid "Latest news"'),
    # Babel quotes the msgid, newline and all: the message must stay one line.
    ("msgid with a newline, without msgstr", 'msgstr "Последние новости"\n', '"\\n"\n',
     'msgid "Latest news"'),
]


@pytest.mark.parametrize(("case", "old", "new", "at"), SYNTAX_MISTAKES,
                         ids=[m[0] for m in SYNTAX_MISTAKES])
def test_a_syntax_error_is_reported_with_its_line_and_the_last_good_catalog_is_used(
        tmp_path, case, old, new, at):
    cache = tmp_path / "cache"
    text = russian_text()
    write_ru(tmp_path, text)
    assert load(tmp_path, Problems(), cache).gettext("Latest news") == "Последние новости"
    mutated = text.replace(old, new, 1)
    write_ru(tmp_path, mutated)
    problems = Problems()
    strings = load(tmp_path, problems, cache)
    assert len(problems.warnings) == 1
    warning = problems.warnings[0]
    assert (warning.where.path, warning.where.line) == (SHOWN, line_of(mutated, at))
    assert "syntax error" in warning.message and "last good" in warning.message
    assert "\n" not in str(warning)
    assert strings.gettext("Latest news") == "Последние новости"
    assert strings.gettext("Topics") == "Темы"


def test_a_catalog_with_a_bad_entry_is_never_kept_as_the_last_good_one(tmp_path):
    cache = tmp_path / "cache"
    text = russian_text()
    write_ru(tmp_path, text)
    load(tmp_path, Problems(), cache)
    kept = (cache / "ru.compiled").read_bytes()

    typo = text.replace("%(agencies)s\"\n\n", "%(agency)s\"\n\n")
    assert typo != text
    write_ru(tmp_path, typo)
    problems = Problems()
    assert load(tmp_path, problems, cache).gettext(AGENCIES) == AGENCIES
    assert len(problems.warnings) == 1
    assert (cache / "ru.compiled").read_bytes() == kept

    # Then a syntax error: the last good catalog is the one without the typo.
    write_ru(tmp_path, typo.replace('msgid "Latest news"', 'msgid "Latest news'))
    problems = Problems()
    strings = load(tmp_path, problems, cache)
    assert strings.gettext(AGENCIES) == "При участии %(agencies)s"
    assert [p.where.line for p in problems.warnings] == [line_of(text, 'msgid "Latest news"')]
