"""The command line: `dateline build`, and the commands later stages add.

Exit status: 0 done, 1 content or config errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import load_config
from .errors import DatelineError
from .pipeline import BuildOptions, BuildResult, build

COMMANDS = ("build",)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _make_parser()
    # `python build.py` and `python build.py --drafts` mean `build`.
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except DatelineError as exc:
        for problem in exc.problems:
            print(f"{problem}", file=sys.stderr)
        if exc.exit_code == 1:
            count = len(exc.problems)
            print(f"error: {count} problem{'s' if count != 1 else ''} found; nothing was "
                  "written and the previous output is unchanged", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dateline", description="Build a multilingual news site from Markdown articles.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_cmd = commands.add_parser("build", help="build the site (the default command)",
                                    description="Build the site into the output folder.")
    add_config_option(build_cmd)
    add_build_options(build_cmd)
    build_cmd.add_argument("--out", type=Path, metavar="DIR",
                           help="output folder (default: paths.output, usually site/)")
    build_cmd.set_defaults(run=_run_build)
    return parser


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("dateline.toml"), metavar="PATH",
                        help="the site's config file (default: ./dateline.toml); every path "
                             "in it is relative to its folder")


def add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include drafts")
    parser.add_argument("--future", action="store_true",
                        help="include articles dated in the future")
    parser.add_argument("--base-url", metavar="URL", help="override site.base_url")


def _run_build(args: argparse.Namespace) -> int:
    config = load_config(args.config, base_url=args.base_url)
    result = build(config, BuildOptions(output=args.out, drafts=args.drafts,
                                        future=args.future))
    print_summary(result, config.paths.root)
    return 0


def print_summary(result: BuildResult, root: Path) -> None:
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for article, reason in result.held_back:
        print(f"held back: {article.source.path} ({reason})")
    if result.fallbacks:
        counts = ", ".join(f"{code} {n}" for code, n in sorted(result.fallbacks.items()))
        print(f"untranslated UI strings (default language shown instead): {counts}")
    try:
        shown = result.output.relative_to(Path.cwd())
    except ValueError:
        shown = result.output
    print(f"built {result.pages} pages ({result.files} files) in "
          f"{result.seconds * 1000:.0f} ms → {shown}/")
