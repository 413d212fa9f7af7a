"""UI strings: plural forms, fallbacks to the default language, broken catalogs."""

from pathlib import Path

from dateline import shipped_path
from dateline.errors import Problems
from dateline.i18n.catalogs import UiStrings, catalog_path, load_translations

ARTICLES = ("%(shown)s article", "%(shown)s articles")


def po(header_plural: str, entries: str) -> str:
    return (
        'msgid ""\nmsgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Plural-Forms: {header_plural}\\n"\n\n' + entries
    )


def write_catalog(locales: Path, code: str, text: str) -> Path:
    path = catalog_path(locales, code)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_russian_catalog_has_one_few_many_plurals():
    problems = Problems()
    russian = load_translations(shipped_path("locales"), "ru", Path.cwd(), problems)
    strings = UiStrings(own=russian, fallback=russian)
    forms = {n: strings.ngettext(*ARTICLES, n) for n in (1, 2, 5, 21)}
    assert forms == {1: "%(shown)s статья", 2: "%(shown)s статьи", 5: "%(shown)s статей",
                     21: "%(shown)s статья"}
    assert problems.errors == [] and problems.warnings == []


def test_missing_string_falls_back_to_default_language_and_is_counted(tmp_path):
    default = load_translations(tmp_path, "fa", tmp_path, Problems())
    write_catalog(tmp_path, "fa", po("nplurals=2; plural=(n > 1);",
                                     'msgid "Sections"\nmsgstr "بخش‌ها"\n\n'
                                     'msgid "Topics"\nmsgstr "موضوع‌ها"\n'))
    write_catalog(tmp_path, "ps", po("nplurals=2; plural=(n != 1);",
                                     'msgid "Topics"\nmsgstr "موضوعات"\n\n'
                                     'msgid "Sections"\nmsgstr ""\n'))
    problems = Problems()
    default = load_translations(tmp_path, "fa", tmp_path, problems)
    pashto = UiStrings(own=load_translations(tmp_path, "ps", tmp_path, problems),
                       fallback=default)
    assert pashto.gettext("Topics") == "موضوعات"
    assert pashto.gettext("Sections") == "بخش‌ها"  # the default language's, not the msgid
    assert pashto.gettext("Sections") == "بخش‌ها"
    assert pashto.fallbacks == {"Sections"}


def test_source_language_does_not_count_fallbacks(tmp_path):
    english = UiStrings(own=load_translations(tmp_path, "en", tmp_path, Problems()),
                        fallback=load_translations(tmp_path, "en", tmp_path, Problems()),
                        count_fallbacks=False)
    assert english.gettext("Sections") == "Sections"
    assert english.fallbacks == set()


def test_fuzzy_translations_are_not_shown(tmp_path):
    write_catalog(tmp_path, "ru", po("nplurals=3; plural=0;",
                                     '#, fuzzy\nmsgid "Topics"\nmsgstr "Темы?"\n'))
    russian = load_translations(tmp_path, "ru", tmp_path, Problems())
    assert russian.gettext("Topics") == "Topics"


def test_syntax_error_is_reported_with_line_and_last_good_catalog_is_used(tmp_path):
    cache = tmp_path / "cache"
    path = write_catalog(tmp_path, "ru", po("nplurals=3; plural=0;",
                                            'msgid "Topics"\nmsgstr "Темы"\n'))
    assert load_translations(tmp_path, "ru", tmp_path, Problems(), cache).gettext(
        "Topics") == "Темы"
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "Sections"\n\n'
                    'msgid "Other"\nmsgstr "Другое"\n',
                    encoding="utf-8")
    problems = Problems()
    russian = load_translations(tmp_path, "ru", tmp_path, problems, cache)
    assert russian.gettext("Topics") == "Темы"
    assert len(problems.warnings) == 1
    warning = problems.warnings[0]
    assert warning.where.path.endswith("ru/LC_MESSAGES/messages.po")
    assert warning.where.line == 9  # the msgid that has no msgstr
    assert "syntax error" in warning.message


def test_format_string_that_does_not_match_its_msgid_is_reported(tmp_path):
    write_catalog(tmp_path, "ru", po("nplurals=3; plural=0;",
                                     'msgid "About %(outlet)s"\nmsgstr "О нас"\n\n'
                                     'msgid "Updated %(when)s"\nmsgstr "Обновлено %(whem)s"\n'))
    problems = Problems()
    load_translations(tmp_path, "ru", tmp_path, problems)
    messages = sorted(str(p) for p in problems.warnings)
    about = [m for m in messages if "'About %(outlet)s'" in m]
    updated = [m for m in messages if "'Updated %(when)s'" in m]
    assert len(about) == 1 and "leaves out %(outlet)s" in about[0]
    assert len(updated) == 1 and "'whem'" in updated[0] and "leaves out %(when)s" in updated[0]
    assert len(messages) == 2
    assert all(p.where.line > 1 for p in problems.warnings)


def test_a_catalog_compiled_from_the_same_bytes_is_not_parsed_again(tmp_path, monkeypatch):
    from babel.messages import pofile

    locales, cache = tmp_path / "locales", tmp_path / "cache"
    path = write_catalog(locales, "fa", po("nplurals=2; plural=(n > 1);",
                                           'msgid "Sections"\nmsgstr "بخش‌ها"\n'))
    assert load_translations(locales, "fa", tmp_path, Problems(), cache).gettext(
        "Sections") == "بخش‌ها"
    parsed = []
    real_parse = pofile.PoFileParser.parse
    monkeypatch.setattr(pofile.PoFileParser, "parse", lambda *a, **k: parsed.append(1) or
                        real_parse(*a, **k))
    again = load_translations(locales, "fa", tmp_path, Problems(), cache)
    assert again.gettext("Sections") == "بخش‌ها" and parsed == []

    path.write_text(po("nplurals=2; plural=(n > 1);", 'msgid "Sections"\nmsgstr "بخش"\n'),
                    encoding="utf-8")
    edited = load_translations(locales, "fa", tmp_path, Problems(), cache)
    assert edited.gettext("Sections") == "بخش" and parsed == [1]


def test_a_catalog_with_a_warning_is_checked_and_reported_every_time(tmp_path):
    locales, cache = tmp_path / "locales", tmp_path / "cache"
    write_catalog(locales, "ru", po("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
                                    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
                                    '#, python-format\nmsgid "%(count)s new"\n'
                                    'msgstr "новых"\n'))
    for _ in range(2):
        problems = Problems()
        load_translations(locales, "ru", tmp_path, problems, cache)
        assert any("%(count)s" in p.message for p in problems.warnings)


def test_template_ids_are_kept_while_the_template_is_the_same(tmp_path):
    from dateline.i18n.catalogs import template_ids

    pot, cache = tmp_path / "messages.pot", tmp_path / "cache"
    pot.write_text('msgid ""\nmsgstr ""\n\nmsgid "Sections"\nmsgstr ""\n\n'
                   'msgid "%(n)s article"\nmsgid_plural "%(n)s articles"\nmsgstr[0] ""\n',
                   encoding="utf-8")
    assert template_ids(pot, cache) == ["Sections", "%(n)s article"]
    assert template_ids(pot, cache) == ["Sections", "%(n)s article"]  # from the cache
    pot.write_text('msgid ""\nmsgstr ""\n\nmsgid "Topics"\nmsgstr ""\n', encoding="utf-8")
    assert template_ids(pot, cache) == ["Topics"]
