"""No content of a `.po` file produces a traceback: random mutations of Dateline's real
Russian catalog, used as a site's own, still build (each problem a `path:line: ...`
warning), `i18n status --strict` and `i18n compile` exit 0 or 1 with the same lines, and
the Russian pages render with the agencies' names."""

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline import shipped_path

RU_PO = "locales/ru/LC_MESSAGES/messages.po"
SHIPPED = (shipped_path("locales") / "ru/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
PROBLEM = re.compile(re.escape(RU_PO) + r":[1-9]\d*: \S.*")
# What a translator's slip (or a broken editor) puts in a catalog.
PIECES = ['"', "%", "(", ")", "s", "d", "{", "}", "\\", "\n", "#", "#, fuzzy\n", "msgstr",
          "msgid ", "msgid_plural ", "msgstr[1] ", "msgstr[3] ", "[", "]", "nplurals=",
          "plural=", "n", "/", "0", "%%", "%(", "%(agency)s", "\x00", "\ufeff", "é", " ",
          "msgctxt ", '""']

mutation = st.tuples(st.sampled_from(["delete", "insert", "drop line", "copy line", "cut"]),
                     st.floats(0, 1), st.floats(0, 1), st.sampled_from(PIECES))


def mutate(text: str, steps) -> str:
    for kind, where, other, piece in steps:
        at = int(where * len(text))
        lines = text.split("\n")
        line = min(int(where * len(lines)), len(lines) - 1)
        if kind == "delete":
            text = text[:at] + text[at + 1:]
        elif kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "drop line":
            text = "\n".join(lines[:line] + lines[line + 1:])
        elif kind == "copy line":
            text = "\n".join(lines[:line] + [lines[int(other * (len(lines) - 1))]]
                             + lines[line:])
        else:
            end = min(len(text), at + int(other * 40))
            text = text[:at] + text[end:]
    return text


# 20 catalogs of one to four mutations each (a build and two commands apiece, ~0.8 s).
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=st.lists(mutation, min_size=1, max_size=4))
def test_no_catalog_content_breaks_a_build_or_a_command(steps, make_site, article_text,
                                                        build_site, run_cli, parse_html):
    with tempfile.TemporaryDirectory() as folder:
        root = make_site(Path(folder), {
            "content/en/world/vote.md": article_text("Vote", reporting=["AP", "AFP"]),
            "content/ru/world/vote.md": article_text("Выборы", reporting=["AP", "AFP"]),
            RU_PO: mutate(SHIPPED, steps),
        })
        result = build_site(root)
        warnings = [str(w) for w in result.warnings]
        assert all(PROBLEM.fullmatch(w) for w in warnings), warnings

        for url in ("ru/world/vote", "ru", "en/world/vote"):
            page = parse_html(root / "site" / url / "index.html")
            assert page.one("h1").text
        attribution = parse_html(root / "site/ru/world/vote/index.html").one(
            "p", cls="attribution").text
        assert "AP" in attribution and "AFP" in attribution

        config = root / "dateline.toml"
        for command in (["status", "--strict"], ["compile"]):
            done = run_cli(["i18n", *command, "--config", config])
            assert done.code in (0, 1) and "Traceback" not in done.err, done.err
            shown = [line for line in done.err.splitlines() if line.startswith(RU_PO)]
            assert all(PROBLEM.fullmatch(line) for line in shown), shown
            if warnings:  # the same places (the build adds what it shows instead)
                assert done.code == 1 and _places(warnings) == _places(shown), done.err


def _places(lines: list[str]) -> set[str]:
    return {line.split(": ", 1)[0] for line in lines}
