"""The desk's commands on the command line: `new`, `translate` and `lint` (`cli` adds
them to its parser), and the HTML form of `translations`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

from ..atomic import replacing
from ..config import load_config
from ..errors import Problem, SourceRef, UsageError


def add_desk_commands(commands, add_config_option: Callable) -> None:
    new = commands.add_parser(
        "new", help="start a story: content/<lang>/<section>/<name>.md, a draft",
        description="Write content/<lang>/<section>/<name>.md with its front matter ready "
                    "to fill (dated now in the language's time zone; draft: true) and "
                    "print its path. Never overwrites a file.")
    new.add_argument("story", metavar="LANG/SECTION/NAME", help="e.g. en/world/budget-vote")
    new.add_argument("--title", help="the headline (default: empty, to fill in)")
    add_config_option(new)
    new.set_defaults(run=_run_new)
    translate = commands.add_parser(
        "translate", help="start a translation of a story into another language",
        description="Write the translation beside the original under content/<lang>/ "
                    "(or as --name, linked by the story's translation_key), with the "
                    "words to translate copied, the inherited fields left out, and "
                    "draft: true; print its path.")
    translate.add_argument("article", type=Path, metavar="ARTICLE.md")
    translate.add_argument("--lang", required=True, metavar="CODE",
                           help="the language to translate into")
    translate.add_argument("--name", help="the translation's file name (default: the "
                                          "original's)")
    add_config_option(translate)
    translate.set_defaults(run=_run_translate)
    lint = commands.add_parser(
        "lint", help="check the content without building: the build's problems and "
                     "editorial checks",
        description="Print every problem of the content as `path:line: message`: the "
                    "build's errors and warnings (drafts and scheduled stories included) "
                    "and the editorial checks. Exit status 1 when there is an error, 0 "
                    "when there are warnings only.")
    lint.add_argument("--format", choices=("text", "json"), default="text")
    add_config_option(lint)
    lint.set_defaults(run=_run_lint)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _run_new(args: argparse.Namespace) -> int:
    from .newstory import new_story

    config = load_config(args.config)
    print(_shown(new_story(config, args.story, args.title, _now())))
    return 0


def _run_translate(args: argparse.Namespace) -> int:
    from .translate import start_translation

    config = load_config(args.config)
    print(_shown(start_translation(config, args.article, args.lang, args.name, _now())))
    return 0


def _run_lint(args: argparse.Namespace) -> int:
    from .lint import ERROR, lint

    config = load_config(args.config)
    findings = lint(config, _now())
    if args.format == "json":
        print(json.dumps([f.as_json() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            print(finding)
    errors = sum(1 for f in findings if f.severity == ERROR)
    warnings = len(findings) - errors
    print(f"lint: {errors} error{'s' if errors != 1 else ''}, {warnings} "
          f"warning{'s' if warnings != 1 else ''}", file=sys.stderr)
    return 1 if errors else 0


def write_matrix_page(config, out: Path | None) -> Path:
    """`translations --format html --out FILE`."""
    from .editors import standalone_page

    if out is None:
        raise UsageError(Problem(SourceRef("--out", 0), "--format html writes a page: "
                                 "name it with --out FILE, e.g. --out translations.html"))
    page = standalone_page(config, _now()).encode()
    with replacing(out) as handle:
        handle.write(page)
    return out


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
