"""A site's own catalogs on a built site: a translator's typo costs one string, not the
build; the site's catalogs add to Dateline's; `i18n init` in a fresh site; commands
writing into a closed pipe."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from dateline import shipped_path
from dateline.i18n.plurals import plural_rule_of

REPO = Path(__file__).resolve().parents[1]
RU_PO = "locales/ru/LC_MESSAGES/messages.po"
AGENCIES = "With reporting by %(agencies)s"


def shipped(code: str):
    with (shipped_path("locales") / code / "LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.fixture
def typo_site(tmp_path, make_site, article_text):
    """A site whose own Russian catalog has the typo of the report: %(agency)s."""
    text = (shipped_path("locales") / "ru/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    return make_site(tmp_path / "newsroom", {
        "content/en/world/vote.md": article_text("Vote", reporting=["AP", "AFP"]),
        "content/ru/world/vote.md": article_text("Выборы", reporting=["AP", "AFP"]),
        RU_PO: text.replace("При участии %(agencies)s", "При участии %(agency)s"),
    })


def test_a_translators_typo_costs_one_string_not_the_build(typo_site, build_site,
                                                           parse_html, run_cli):
    line = (typo_site / RU_PO).read_text(encoding="utf-8").split("\n").index(
        f'msgid "{AGENCIES}"') + 1
    result = build_site(typo_site)
    where = f"{RU_PO}:{line}"
    warnings = [str(w) for w in result.warnings]
    assert [w for w in warnings if w.startswith(where)] == warnings and len(warnings) == 1
    assert "'agency'" in warnings[0] and repr(AGENCIES) in warnings[0]
    assert result.fallbacks["ru"] == 1

    page = parse_html(typo_site / "site/ru/world/vote/index.html")
    # The one entry shows the default language's words, with the agencies' names...
    assert page.one("p", cls="attribution").text == "With reporting by AP и AFP"
    # ...and the rest of the Russian catalog is used.
    assert page.one("nav", cls="languages").get("aria-label") == shipped("ru")[
        "Languages"].string

    # The translators' commands say the same, and fail for CI.
    strict = run_cli(["i18n", "status", "--strict", "--config", typo_site / "dateline.toml"])
    assert strict.code == 1 and warnings[0] in strict.err.splitlines()
    lenient = run_cli(["i18n", "status", "--config", typo_site / "dateline.toml"])
    assert lenient.code == 0 and f"warning: {warnings[0]}" in lenient.err.splitlines()
    compiled = run_cli(["i18n", "compile", "--config", typo_site / "dateline.toml"])
    assert compiled.code == 1 and warnings[0] in compiled.err.splitlines()
    assert not (typo_site / RU_PO).with_suffix(".mo").exists()
    assert "Traceback" not in strict.err + lenient.err + compiled.err


def test_a_catalog_that_cannot_be_read_is_reported_by_every_command(typo_site, build_site,
                                                                   run_cli):
    po = typo_site / RU_PO
    text = po.read_text(encoding="utf-8").replace("%(agency)s", "%(agencies)s")
    po.write_text(text.replace('msgid "Latest news"', 'msgid "Latest news'),
                  encoding="utf-8")
    line = text.split("\n").index('msgid "Latest news"') + 1
    where = f"{RU_PO}:{line}: "
    result = build_site(typo_site)
    assert [str(w)[:len(where)] for w in result.warnings] == [where]
    for command in (["status", "--strict"], ["compile"], ["update"]):
        printed = run_cli(["i18n", *command, "--config", typo_site / "dateline.toml"])
        assert printed.code != 0 and any(line.startswith(where)
                                         for line in printed.err.splitlines()), command
    assert po.read_text(encoding="utf-8").count('msgid "Latest news\n') == 1  # not rewritten


@pytest.fixture
def pashto_site(tmp_path, make_site, article_text):
    root = make_site(tmp_path / "newsroom", {
        "content/en/world/vote.md": article_text("Vote"),
        "content/ru/world/vote.md": article_text("Выборы"),
        "content/fa/world/vote.md": article_text("انتخابات"),
        "content/ps/world/vote.md": article_text("ټاکنې"),
    })
    toml = root / "dateline.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[languages.ps]\ntitle = "P"\n'
                    'about = "P about."\n', encoding="utf-8")
    return root


def test_init_in_a_fresh_site_and_the_sites_catalog_adds_to_dateline_s(pashto_site, run_cli,
                                                                      build_site,
                                                                      parse_html):
    config = pashto_site / "dateline.toml"
    assert not (pashto_site / "locales").exists()
    init = run_cli(["i18n", "init", "--lang", "ps", "--config", config])
    assert init.code == 0, init.err
    assert (pashto_site / "locales/messages.pot").is_file()
    po = pashto_site / "locales/ps/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        pashto = read_po(handle)
    assert str(pashto.locale) == "ps" and pashto.plural_forms == (
        "nplurals=2; plural=(n != 1);")
    pashto["Latest news"].string = "وروستي خبرونه"
    with po.open("wb") as handle:
        write_po(handle, pashto)

    result = build_site(pashto_site)
    heading = {code: parse_html(pashto_site / f"site/{code}/index.html").one("h1").text
               for code in ("ps", "ru", "fa", "en")}
    assert heading == {"ps": "وروستي خبرونه", "ru": shipped("ru")["Latest news"].string,
                       "fa": shipped("fa")["Latest news"].string, "en": "Latest news"}
    assert set(result.fallbacks) == {"ps", "av"}

    status = run_cli(["i18n", "status", "--config", config])
    rows = {line.split()[0]: line.split()[1:] for line in status.out.splitlines()[1:]}
    assert rows["ps"][:2] == ["site", "1"] and rows["ru"][0] == rows["fa"][0] == "shipped"
    assert rows["ru"][-1] == "100.0%" and rows["av"][0] == "none"

    # A site catalog for a language Dateline ships starts from Dateline's translations.
    assert run_cli(["i18n", "init", "--lang", "ru", "--config", config]).code == 0
    with (pashto_site / RU_PO).open("rb") as handle:
        assert read_po(handle)["Latest news"].string == shipped("ru")["Latest news"].string
    again = run_cli(["i18n", "status", "--config", config])
    assert re.search(r"^ru\s+site\+shipped\s+(\d+)\s+0\s+0\s+100\.0%", again.out, re.M)


@pytest.mark.parametrize(("code", "name", "locale"), [
    ("crh", "Qırımtatarca", "tr"), ("av", "Авар мацӀ", "ru")])
def test_init_names_a_language_without_cldr_data_by_its_own_code(tmp_path, make_site,
                                                                 run_cli, code, name, locale):
    root = make_site(tmp_path / "newsroom", {})
    toml = root / "dateline.toml"
    if code == "crh":
        toml.write_text(toml.read_text(encoding="utf-8") + f'\n[languages.crh]\nname = '
                        f'"{name}"\nlocale = "{locale}"\ntitle = "C"\nabout = "C."\n',
                        encoding="utf-8")
    assert run_cli(["i18n", "init", "--lang", code, "--config", toml]).code == 0
    text = (root / f"locales/{code}/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    with (root / f"locales/{code}/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert f'"Language: {code}\\n"' in text and catalog.locale_identifier == code
    assert f"{name} ({code}) translations" in text
    assert not re.search(r"(Turkish|Russian) translations", text)
    assert (catalog.num_plurals, catalog.plural_expr) == plural_rule_of(locale)


# ----- a closed pipe

def _command(*args: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), *args]


@pytest.mark.parametrize("args", [
    ("translations", "--format", "json"), ("translations",), ("i18n", "status"),
    ("i18n", "status", "--strict"), ("build",)])
def test_writing_into_a_closed_pipe_ends_quietly(typo_site, args):
    reader, writer = os.pipe()
    os.close(reader)  # what `| head -1` leaves once it has its line
    try:
        done = subprocess.run(_command(*args), stdout=writer, stderr=subprocess.PIPE,
                              cwd=typo_site, timeout=120, env={**os.environ,
                                                               "PYTHONUNBUFFERED": "1"})
    finally:
        os.close(writer)
    err = done.stderr.decode()
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err
    assert done.returncode == 1, err  # not everything could be said


def test_translations_into_head_ends_quietly(tmp_path, make_site, article_text):
    # More than a pipe holds (64 KiB), so the writer is still writing when head exits.
    stories = {f"content/en/world/story-{n:04}.md": article_text(f"Story {n}")
               for n in range(700)}
    root = make_site(tmp_path / "newsroom", stories)
    shell = f"{' '.join(map(str, _command('translations', '--format', 'json')))} | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True,
                          cwd=root, timeout=300)
    assert done.stdout.decode() == "{\n"
    assert done.stderr.decode() == "" and done.returncode == 1
