"""config.py: dateline.toml into typed settings; every problem with its line."""

from __future__ import annotations

import pytest

from dateline.config import load_config
from dateline.errors import ConfigError


def load(tmp_path, text, **overrides):
    path = tmp_path / "dateline.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, **overrides)


def problems_of(tmp_path, text) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    return [str(p) for p in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_languages_keep_file_order_with_the_default_first(config_text, tmp_path):
    text = config_text().replace('default_language = "en"', 'default_language = "fa"')
    config = load(tmp_path, text)
    assert config.language_codes == ("fa", "en", "ru", "av")
    assert config.default.code == "fa"


def test_direction_comes_from_cldr(config_text, tmp_path):
    config = load(tmp_path, config_text())
    assert {lang.code: lang.direction for lang in config.languages} \
        == {"en": "ltr", "ru": "ltr", "fa": "rtl", "av": "ltr"}


def test_language_without_cldr_data_formats_with_its_locale(config_text, tmp_path):
    av = load(tmp_path, config_text()).language("av")
    assert (av.locale, av.name, av.title) == ("ru", "Авар мацӀ", "Мисалалъул Хабар")


def test_language_name_defaults_to_its_autonym(config_text, tmp_path):
    config = load(tmp_path, config_text())
    assert config.language("ru").name == "Русский"
    assert config.language("fa").name == "فارسی"
    assert config.language("en").name == "English"


def test_georgian_autonym_is_not_written_in_capital_letters(config_text, tmp_path):
    # Georgian has no capitalised forms in running text: 'Ქართული' mixes two scripts.
    text = config_text() + '\n[languages.ka]\ntitle = "T"\nabout = "A"\n'
    assert load(tmp_path, text).language("ka").name == "ქართული"


def test_language_with_locale_but_no_name_is_not_named_after_the_locale(config_text, tmp_path):
    text = config_text().replace('name = "Авар мацӀ"\n', "")
    av = load(tmp_path, text).language("av")
    assert av.name != "Русский"
    assert av.name == "Аварский"


def test_about_and_title_are_per_language(config_text, tmp_path):
    config = load(tmp_path, config_text())
    assert config.language("ru").title == "Вестник Примера"
    assert config.language("fa").about.startswith("پیک نمونه")


@pytest.mark.parametrize(("written", "stored"), [
    ("https://news.example.org", "https://news.example.org/"),
    ("https://org.github.io/newsroom", "https://org.github.io/newsroom/"),
    ("https://org.github.io/newsroom/", "https://org.github.io/newsroom/"),
])
def test_base_url_always_ends_with_a_slash(config_text, tmp_path, written, stored):
    text = config_text().replace("https://news.example.org/", written)
    assert load(tmp_path, text).site.base_url == stored


def test_command_line_base_url_wins_over_the_file(config_text, tmp_path):
    config = load(tmp_path, config_text(), base_url="https://org.github.io/newsroom")
    assert config.site.base_url == "https://org.github.io/newsroom/"


def test_paths_resolve_relative_to_the_config_folder(config_text, tmp_path, monkeypatch):
    site = tmp_path / "elsewhere"
    site.mkdir()
    (site / "dateline.toml").write_text(config_text() + '\n[paths]\noutput = "public"\n',
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = load_config(site / "dateline.toml")
    assert config.paths.content == site.resolve() / "content"
    assert config.paths.output == site.resolve() / "public"
    assert config.paths.root == site.resolve()


def test_site_options_have_documented_defaults(config_text, tmp_path):
    site = load(tmp_path, config_text()).site
    assert (site.theme, site.per_page, site.relative_urls) == ("default", 12, False)
    assert load(tmp_path, config_text(per_page=3)).site.per_page == 3


def test_unknown_site_key_is_an_error_naming_key_and_line(config_text, tmp_path):
    text = config_text().replace('timezone = "Europe/Prague"',
                                 'timezone = "Europe/Prague"\nper_pgae = 3')
    assert problems_of(tmp_path, text) == [
        f"dateline.toml:{line_of(text, 'per_pgae')}: unknown key 'site.per_pgae'; "
        "did you mean 'per_page'?"]


def test_unknown_language_key_is_an_error_naming_key_and_line(config_text, tmp_path):
    text = config_text().replace("[languages.ru]\n", '[languages.ru]\ntitel = "x"\n')
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, 'titel')}: ")
    assert "'languages.ru.titel'" in problem and "did you mean 'title'" in problem


def test_unknown_table_is_an_error(config_text, tmp_path):
    text = config_text() + "\n[extras]\nx = 1\n"
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, '[extras]')}: ")
    assert "'extras'" in problem


def test_language_without_cldr_data_or_locale_suggests_setting_locale(config_text, tmp_path):
    text = config_text().replace('locale = "ru"\n', "")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, '[languages.av]')}: ")
    assert "'av'" in problem and 'locale = "' in problem


def test_unknown_locale_is_an_error_at_its_line(config_text, tmp_path):
    text = config_text().replace('locale = "ru"', 'locale = "xx_YY"')
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, 'xx_YY')}: ")
    assert "'xx_YY' is not a locale" in problem


def test_missing_default_language_is_an_error(config_text, tmp_path):
    text = config_text().replace('default_language = "en"\n', "")
    assert problems_of(tmp_path, text) == [
        "dateline.toml:1: site.default_language is required"]


def test_default_language_must_be_configured(config_text, tmp_path):
    text = config_text().replace('default_language = "en"', 'default_language = "de"')
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, 'default_language')}: ")
    assert "'de'" in problem and "[languages.de]" in problem


def test_timezone_must_be_an_iana_zone(config_text, tmp_path):
    text = config_text().replace("Europe/Prague", "Mars/Olympus")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, 'Mars/Olympus')}: ")


def test_relative_base_url_without_slash_is_an_error(config_text, tmp_path):
    text = config_text().replace("https://news.example.org/", "news.example.org")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, 'base_url')}: ")
    assert "absolute" in problem


def test_invalid_toml_reports_its_line(config_text, tmp_path):
    text = config_text().replace("[languages.ru]", "[languages.ru")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, '[languages.ru')}: invalid TOML")


def test_all_config_problems_are_reported_together(config_text, tmp_path):
    text = (config_text(per_page=0)
            .replace("[languages.ru]\n", '[languages.ru]\ncolour = "red"\n')
            .replace('locale = "ru"\n', ""))
    problems = problems_of(tmp_path, text)
    assert [p.split(":")[1] for p in problems] == [
        str(line_of(text, "per_page")), str(line_of(text, "colour")),
        str(line_of(text, "[languages.av]"))]


def test_missing_title_of_a_language_is_an_error(config_text, tmp_path):
    text = config_text().replace('title = "Вестник Примера"\n', "")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"dateline.toml:{line_of(text, '[languages.ru]')}: ")
    assert "languages.ru.title is required" in problem


def test_missing_config_file_says_how_to_point_at_one(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "dateline.toml")
    assert str(caught.value).startswith("dateline.toml:1: config file not found")
    assert "--config" in str(caught.value)


@pytest.mark.parametrize(("line", "first"), [
    ('site = "news"', "dateline.toml:1: 'site' must be a table, written as [site]"),
    ("paths = 3", "dateline.toml:1: 'paths' must be a table, written as [paths]"),
    ('languages = ["en"]', "dateline.toml:1: 'languages' must be a table, written as "
                           "[languages.<code>]"),
])
def test_top_level_value_that_is_not_a_table_is_an_error(tmp_path, line, first):
    problems = problems_of(tmp_path, line + "\n")
    assert problems[0] == first


def test_what_babel_says_of_the_languages_is_remembered_and_read_back(
        config_text, tmp_path, monkeypatch):
    """Locale, autonym and direction come from each language's CLDR data (~8 ms each to
    load): a build remembers them, and later loads read them back, the same, unless
    Babel changed or the file is damaged."""
    from dateline import locale_facts

    text = config_text() + '\n[languages.ka]\ntitle = "T"\nabout = "A"\n'
    (tmp_path / ".dateline-cache").mkdir()
    asked = load(tmp_path, text)
    asked.locale_facts.save()
    real_ask = locale_facts._ask_babel

    def not_asked(*args):
        raise AssertionError("Babel asked again")

    monkeypatch.setattr(locale_facts, "_ask_babel", not_asked)
    assert load(tmp_path, text).languages == asked.languages
    # Another Babel: its files are not the ones that answered, nor its version.
    import babel

    monkeypatch.setattr(locale_facts, "_babel_origin", lambda: ["elsewhere", 1, 2])
    monkeypatch.setattr(babel, "__version__", "0.0-another-release")
    with pytest.raises(AssertionError, match="Babel asked again"):
        load(tmp_path, text)
    monkeypatch.setattr(locale_facts, "_ask_babel", real_ask)
    (tmp_path / ".dateline-cache" / locale_facts.FILE).write_text("{not json",
                                                                  encoding="utf-8")
    assert load(tmp_path, text).languages == asked.languages


def test_each_language_has_its_own_zone_defaulting_to_the_sites(config_text, tmp_path):
    text = config_text().replace('about = "پیک', 'timezone = "Asia/Kabul"\nabout = "پیک')
    config = load(tmp_path, text)
    assert config.language("fa").timezone == "Asia/Kabul"
    assert config.language("en").timezone == "Europe/Prague"
    assert config.language("av").timezone == "Europe/Prague"


@pytest.mark.parametrize(("zone", "hint"), [
    ('"Asia/Kabl"', "; did you mean 'Asia/Kabul'?"),
    ('"AFT"', ""),
    ('"../../etc/passwd"', ""),
    ('""', ""),
    ("4.5", ""),
])
def test_unknown_language_zone_is_an_error_at_its_line(config_text, tmp_path, zone, hint):
    text = config_text().replace('about = "پیک', f'timezone = {zone}\nabout = "پیک')
    assert problems_of(tmp_path, text) == [
        f"dateline.toml:{line_of(text, 'timezone = ' + zone)}: languages.fa.timezone "
        f"'{zone.strip(chr(34))}' is not an IANA time zone (e.g. 'Europe/Prague', "
        f"'Asia/Kabul', 'UTC'){hint}"]


def test_names_of_a_language_in_others_are_read(config_text, tmp_path):
    text = config_text() + '\n[languages.av.names]\nfa = "آواری"\nru = "аварский"\n'
    config = load(tmp_path, text)
    assert dict(config.language("av").names) == {"fa": "آواری", "ru": "аварский"}
    assert not config.language("av").has_own_locale
    assert config.language("fa").has_own_locale


def test_a_name_in_a_language_the_site_lacks_is_an_error(config_text, tmp_path):
    text = config_text() + '\n[languages.av.names]\nfas = "آواری"\n'
    assert problems_of(tmp_path, text) == [
        f"dateline.toml:{line_of(text, 'fas = ')}: languages.av.names.fas: 'fas' is not a "
        "configured language; did you mean 'fa'?"]


def test_remembered_facts_of_an_older_dateline_are_asked_again(config_text, tmp_path):
    """A cache written before the script was remembered holds three facts a language."""
    import json

    import babel

    from dateline import locale_facts

    (tmp_path / ".dateline-cache").mkdir()
    old = {"babel": babel.__version__, "facts": {"fa\0fa": ["fa", "فارسی", "rtl"]}}
    (tmp_path / ".dateline-cache" / locale_facts.FILE).write_text(json.dumps(old),
                                                                  encoding="utf-8")
    assert load(tmp_path, config_text()).language("fa").slug_style == "unicode"
