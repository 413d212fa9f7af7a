"""`build --strict` and `[build] strict = true`: every warning is an error, for CI
(issue 14). Nothing is written, and the exit status is 1; without it, the same site
builds with the warnings."""

from __future__ import annotations

import os
import time

import pytest

# Each input makes exactly one warning of its own kind.
WARNINGS = {
    "unknown front-matter key": (
        "content/en/world/x.md", "---\ntitle: X\ndate: 2025-01-01\ncolour: red\n---\nBody\n",
        "content/en/world/x.md:4: front matter: unknown key 'colour'"),
    "tag not in the config": (
        "content/en/world/x.md", "---\ntitle: X\ndate: 2025-01-01\ntags: [protets]\n---\nB\n",
        "content/en/world/x.md:4: tag 'protets' is not in [languages.en.tags]"),
    "misnamed source": (
        "content/en/world/Story.MD", "---\ntitle: X\ndate: 2025-01-01\n---\nBody\n",
        "content/en/world/Story.MD:1: not built"),
    "catalog entry": (
        "locales/ru/LC_MESSAGES/messages.po",
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=n % 10 == 1 && n % 100 != 11 ? 0 : n % 10 >= 2 '
        '&& n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : 2;\\n"\n\n'
        '#, python-format\nmsgid "By %(names)s"\nmsgstr "Автор"\n',
        "locales/ru/LC_MESSAGES/messages.po:7: translation of 'By %(names)s'"),
}
GOOD = "---\ntitle: Fine\ndate: 2025-01-01\n---\nBody\n"


@pytest.fixture(params=sorted(WARNINGS))
def warned(request, tmp_path, make_site, config_text):
    path, text, warning = WARNINGS[request.param]
    tags = '\n[languages.en.tags]\nprotests = "Protests"\n'
    root = make_site(tmp_path / "site", {"content/en/world/fine.md": GOOD,
                                         "dateline.toml": config_text() + tags})
    return root, path, text, warning


def test_without_strict_a_warning_builds(warned, run_cli):
    root, path, text, warning = warned
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 0, result.err
    assert any(line.startswith(f"warning: {warning}") for line in result.err.splitlines()), \
        result.err


@pytest.mark.parametrize("how", ["flag", "config"])
def test_strict_turns_the_warning_into_an_error_and_writes_nothing(warned, run_cli,
                                                                   snapshot, how):
    root, path, text, warning = warned
    config = root / "dateline.toml"
    assert run_cli(["build", "--config", config]).code == 0  # a good site to keep
    before = snapshot(root / "site")
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")
    args = ["build", "--config", config]
    if how == "flag":
        args.append("--strict")
        why = "--strict"
    else:
        config.write_text(config.read_text(encoding="utf-8") + "\n[build]\nstrict = true\n",
                          encoding="utf-8")
        why = "strict = true in dateline.toml"
    result = run_cli(args)
    assert result.code == 1
    lines = result.err.splitlines()
    assert any(line.startswith(warning) for line in lines), result.err
    assert lines[-1] == (f"error: 1 warning found, and {why} makes every warning an "
                         "error; nothing was written and the previous output is unchanged")
    assert snapshot(root / "site") == before


def test_strict_fails_on_the_warnings_of_a_build_with_nothing_to_do(tmp_path, make_site,
                                                                    run_cli):
    """The no-change shortcut repeats the last build's warnings, and --strict sees them."""
    path, text, warning = WARNINGS["unknown front-matter key"]
    root = make_site(tmp_path / "site", {path: text})
    an_hour_ago = time.time() - 3600
    for file in root.rglob("*"):
        os.utime(file, (an_hour_ago, an_hour_ago))
    assert run_cli(["build", "--config", root / "dateline.toml"]).code == 0
    again = run_cli(["build", "--config", root / "dateline.toml", "--strict"])
    assert again.code == 1
    assert again.err.splitlines()[0].startswith(warning)


def test_strict_must_be_true_or_false(tmp_path, make_site, run_cli, config_text):
    root = make_site(tmp_path / "site", {
        "dateline.toml": config_text() + "\n[build]\nstrict = \"yes\"\nstrickt = true\n"})
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 1
    assert "build.strict must be true or false" in result.err
    assert "unknown key 'build.strickt'; did you mean 'strict'?" in result.err
