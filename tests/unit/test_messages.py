"""The translators' commands: extract, init, update, compile, status."""

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from dateline import shipped_path
from dateline.config import load_config

THEME_TEMPLATES = shipped_path("themes") / "default" / "templates"


@pytest.fixture
def site(tmp_path, make_site):
    return make_site(tmp_path, {})


def catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_extract_finds_every_marked_string_of_the_theme(site, run_cli):
    result = run_cli(["i18n", "extract", "--config", site / "dateline.toml"])
    assert result.code == 0, result.err
    ids = {m.id if isinstance(m.id, str) else m.id[0]
           for m in catalog(site / "locales" / "messages.pot") if m.id}
    # Every _("...") and {% trans %} of the templates, counted independently of Babel.
    sources = "\n".join(p.read_text(encoding="utf-8") for p in THEME_TEMPLATES.rglob("*.html"))
    called = set(re.findall(r'_\("([^"]+)"', sources)) | set(re.findall(r"_\('([^']+)'",
                                                                        sources))
    assert called and called <= ids
    assert "With reporting by %(agencies)s" in ids
    assert "%(shown)s article" in ids


def test_init_writes_the_plural_rule_of_the_language(site, run_cli):
    config = site / "dateline.toml"
    assert run_cli(["i18n", "extract", "--config", config]).code == 0
    assert run_cli(["i18n", "init", "--lang", "ru", "--config", config]).code == 0
    russian = catalog(site / "locales/ru/LC_MESSAGES/messages.po")
    assert russian.num_plurals == 3
    assert russian.plural_expr.startswith("n % 10 == 1")


def test_init_of_an_unknown_language_is_a_clear_error(site, run_cli):
    config = site / "dateline.toml"
    run_cli(["i18n", "extract", "--config", config])
    result = run_cli(["i18n", "init", "--lang", "xx", "--config", config])
    assert result.code == 2
    assert "unknown language 'xx'" in result.err and "locale =" in result.err
    assert "Traceback" not in result.err


def test_update_keeps_translations_and_marks_changed_ones_fuzzy(site, run_cli):
    config = site / "dateline.toml"
    run_cli(["i18n", "extract", "--config", config])
    run_cli(["i18n", "init", "--lang", "ru", "--config", config])
    po_path = site / "locales/ru/LC_MESSAGES/messages.po"
    russian = catalog(po_path)
    russian["Sections"].string = "Разделы"
    russian["Latest news"].string = "Последние новости"
    with po_path.open("wb") as handle:
        write_po(handle, russian)
    # The theme changes a msgid slightly: the old translation becomes a fuzzy suggestion.
    pot = site / "locales" / "messages.pot"
    template = catalog(pot)
    template.delete("Latest news")
    template.add("Latest news!", locations=[("templates/home.html", 1)])
    with pot.open("wb") as handle:
        write_po(handle, template)
    assert run_cli(["i18n", "update", "--config", config]).code == 0
    updated = catalog(po_path)
    assert updated["Sections"].string == "Разделы" and not updated["Sections"].fuzzy
    assert updated["Latest news!"].fuzzy
    assert updated["Latest news!"].string == "Последние новости"


def test_status_counts_translated_fuzzy_and_untranslated(site, run_cli):
    config = site / "dateline.toml"
    run_cli(["i18n", "extract", "--config", config])
    run_cli(["i18n", "init", "--lang", "av", "--config", config])
    po_path = site / "locales/av/LC_MESSAGES/messages.po"
    avar = catalog(po_path)
    total = sum(1 for m in avar if m.id)
    avar["Sections"].string = "Бакъал"
    avar["Topics"].string = "Темаби"
    avar["Languages"].string = "МацӀал?"
    avar["Languages"].flags.add("fuzzy")
    with po_path.open("wb") as handle:
        write_po(handle, avar)

    from dateline.i18n.messages import status

    rows, problems = status(load_config(config))
    rows = {row.code: row for row in rows}
    assert problems == []
    assert (rows["av"].translated, rows["av"].fuzzy, rows["av"].untranslated) == (
        2, 1, total - 3)
    assert rows["av"].percent == pytest.approx(200 / total)
    assert rows["av"].note.endswith("formats as ru") and rows["av"].source == "site"
    # The site's own catalog hides no other language's: Dateline's are still used.
    assert (rows["fa"].source, rows["fa"].translated, rows["fa"].untranslated) == (
        "shipped", total, 0)

    printed = run_cli(["i18n", "status", "--config", config])
    assert printed.code == 0
    line = next(row for row in printed.out.splitlines() if row.startswith("av "))
    assert line.split()[1:5] == ["site", "2", "1", str(total - 3)]
    strict = run_cli(["i18n", "status", "--strict", "--min", "50", "--config", config])
    assert strict.code == 1 and "av" in strict.err
    assert run_cli(["i18n", "status", "--strict", "--min", "0", "--config", config]).code == 0


def test_compile_writes_mo_files_gettext_can_read(site, run_cli):
    import gettext

    config = site / "dateline.toml"
    locales = site / "locales"
    shutil.copytree(shipped_path("locales"), locales, dirs_exist_ok=True)
    result = run_cli(["i18n", "compile", "--config", config])
    assert result.code == 0, result.err
    with (locales / "ru/LC_MESSAGES/messages.mo").open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Sections") == "Разделы"


def test_shipped_catalogs_are_complete_for_the_sample_newsroom(run_cli):
    root = Path(__file__).resolve().parents[2]
    result = run_cli(["i18n", "status", "--strict", "--config", root / "dateline.toml"])
    assert result.code == 0, result.out + result.err


def test_committed_template_matches_the_theme(tmp_path, make_site, run_cli):
    """Whoever marks a new string must run `i18n extract` and translate it."""
    site = make_site(tmp_path, {})
    run_cli(["i18n", "extract", "--config", site / "dateline.toml"])
    fresh = {m.id for m in catalog(site / "locales" / "messages.pot") if m.id}
    committed = {m.id for m in catalog(shipped_path("locales") / "messages.pot") if m.id}
    assert fresh == committed
