"""A build imports only what its path uses: Python's imports are most of what a small
rebuild costs (issue 17), and every `build.py` the tests run pays them again.

Each build runs as `python build.py` does, in a process of its own, and names as it exits
(`cli.run` ends with `os._exit`) the modules it imported."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build.py"

_WRAPPER = """
import os, runpy, sys
sys.argv = sys.argv[1:]
_exit = os._exit

def report(code):
    print("MODULES", " ".join(sorted(m for m, v in sys.modules.items() if v is not None)),
          file=sys.stderr, flush=True)
    _exit(code)

os._exit = report
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exc:  # argparse's --help
    report(exc.code or 0)
"""

NEVER_ON_A_BUILD = ("babel.messages", "importlib.metadata",
                    "dateline.desk.lint", "dateline.desk.survey", "dateline.desk.editors",
                    "dateline.preview", "dateline.publish", "asyncio", "PIL",
                    "dateline.i18n.catalog_checks", "dateline.build.cluster")
"""Not on a build whose catalogs, photos and search are as the last build left them:
the checks of a changed catalog and Babel's catalog tools (its checkers scan every
installed package's metadata for plug-ins; a kept catalog is known by its locale's name,
not by Babel's plural rule for it), the desk's commands, serve, check and deploy, the
search index's writer, Pillow, the Dask seam. (`dateline.desk.commands`, the desk's part
of the parser, is small and imports nothing the build does not.)"""

NOT_WITHOUT_CHANGES = ("jinja2", "markdown", "yaml", "dateline.build.stages",
                       "dateline.outputs", "dateline.model", "dateline.incremental.cache",
                       "concurrent.futures", "babel", "pickle", "sqlite3",
                       "dateline.buildstore", "signal")
"""Not on a build that finds nothing changed: it answers from a walk of `stat` calls and
the last build's summary, without the cache's tables or the model they hold, the store
they are in (SQLite), anything unpickled, or Babel (the config's facts about each
language are the cache's, `locale_facts`, while Babel's files are the ones that answered),
and it writes nothing (`signal`: a test's fault injection at a step of the writing)."""

NOT_ON_A_BODY_EDIT = ("icu",)
"""Not on a build after a body edit (the partial path): ICU sorts the sections, tags and
staff, which the language's saved row holds in order (the footer's link to the staff
list loaded it to sort the authors)."""


def _imported(root: Path, *args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(BUILD), *args, "--config",
                           str(root / "dateline.toml")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Which of `names` (a module or package) `modules` holds."""
    return sorted({name for m in modules for name in names
                   if m == name or m.startswith(name + ".")})


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_site, config_text, article_text, image_bytes) -> Path:
    root = make_site(tmp_path_factory.mktemp("imports") / "site", {
        "dateline.toml": config_text() + "\n[search]\nenabled = false\n",
        "content/en/world/a.md": article_text("Votes counted", tags=["vote"], image={
            "src": "/images/p.jpg", "alt": "Ballot boxes", "credit": "Photo: Herald"}),
        "content/en/world/b.md": article_text("Roads closed", tags=["vote"]),
        "content/ru/world/a.md": article_text("Голоса подсчитаны", translation_key="a"),
        "content/images/p.jpg": image_bytes(width=900, height=600),
        "locales/ru/LC_MESSAGES/messages.po": _CATALOG,
    })
    # Inputs written just now are too new for a build's stat walk to vouch for them (the
    # racy-stat rule): aged, the next build can find nothing changed from stats alone.
    aged = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (aged, aged))
    cold = _imported(root, "build")
    # The cold build did use them: what the later builds leave out is theirs to skip.
    assert {"PIL", "jinja2", "markdown", "babel.messages.checkers"} <= cold
    return root


def test_a_build_with_nothing_changed_imports_none_of_the_stages(site):
    modules = _imported(site, "build")
    assert "dateline.build.pipeline" in modules  # the report names what was imported
    assert not (found := _loaded(modules, NEVER_ON_A_BUILD + NOT_WITHOUT_CHANGES)), found


def test_one_edited_body_imports_no_checks_photos_desk_or_search(site):
    article = site / "content/en/world/b.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new paragraph.\n",
                       encoding="utf-8")
    modules = _imported(site, "build")
    assert {"jinja2", "markdown", "dateline.build.stages"} <= modules  # it did rebuild
    assert not (found := _loaded(modules, NEVER_ON_A_BUILD + NOT_ON_A_BODY_EDIT)), found
    page = (site / "site/en/world/b/index.html").read_text(encoding="utf-8")
    assert "A new paragraph." in page


def test_a_changed_catalog_is_checked_again(site):
    catalog = site / "locales/ru/LC_MESSAGES/messages.po"
    catalog.write_text(_CATALOG.replace("Новости", "Все новости"), encoding="utf-8")
    modules = _imported(site, "build")
    assert "babel.messages.checkers" in modules


def test_help_imports_no_build_stage(site):
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(BUILD), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert "usage: dateline" in done.stdout
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    modules = set(line.split()[1:])
    assert "dateline.cli" in modules
    assert not (found := _loaded(modules, NEVER_ON_A_BUILD + NOT_WITHOUT_CHANGES)), found


_CATALOG = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && \
(n%100<10 || n%100>=20) ? 1 : 2);\\n"

#, python-format
msgid "Page %(number)s"
msgstr "Страница %(number)s"

msgid "News"
msgstr "Новости"
"""
