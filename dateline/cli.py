"""The command line: `dateline build`, and the commands later stages add.

Exit status: 0 done, 1 content or config errors (or a full or read-only disk), 2 usage
errors, 70 an internal error (a bug: one line, the traceback in a log file).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from contextlib import nullcontext
from pathlib import Path

from .build import failures
from .build.options import NOW_HELP, parse_now
from .build.pipeline import BuildOptions, BuildResult, StrictWarnings, build
from .build.write import recover
from .config import load_config
from .desk.commands import add_desk_commands
from .errors import DatelineError, Problem, SourceRef, UsageError


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _make_parser()
    # `python build.py` and `python build.py --drafts` mean `build` (also after --debug).
    lead = 1 if argv[:1] == ["--debug"] else 0
    if len(argv) == lead or (argv[lead].startswith("-") and argv[lead] not in ("-h", "--help")):
        argv.insert(lead, "build")
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except DatelineError as exc:
        for problem in exc.problems:
            print(f"{problem}", file=sys.stderr)
        if exc.exit_code == 1 and exc.counted:
            count = len(exc.problems)
            print(f"error: {count} problem{'s' if count != 1 else ''} found; nothing was "
                  "written and the previous output is unchanged", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except Exception as exc:  # noqa: BLE001 (never a traceback: one line, and a log)
        return _failure(exc, args, argv)


def _failure(exc: Exception, args: argparse.Namespace, argv: list[str]) -> int:
    root = args.config.absolute().parent
    message = failures.disk_message(exc, root) if isinstance(exc, OSError) else None
    if message is not None:
        print(message, file=sys.stderr)
        return 1
    try:
        cache_dir = load_config(args.config).paths.cache
    except Exception:  # noqa: BLE001 (the config itself may be what failed)
        cache_dir = root / ".dateline-cache"
    print(failures.internal_error(exc, argv, cache_dir, args.debug), file=sys.stderr)
    return failures.INTERNAL_ERROR


def _reader_gone() -> int:
    """`dateline translations | head -1`: the reader closed the pipe. Stop without a
    word (stdout goes to /dev/null, so that no later flush complains); exit 1, as for
    a closed pipe at the final flush (`run`), since not everything was said."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file (captured in a test)
        pass
    return 1


def run() -> None:
    """The program's entry point (`build.py`, the `dateline` command): `main`, then exit
    at once. Everything is written and closed by then; tearing the interpreter down would
    only free, one by one, the hundreds of thousands of objects a build of a large site
    leaves (~0.1 s at 3,000 articles)."""
    # What importing made lives as long as the process (`build.py` paused the collector
    # while it imported): leave it out of every later collection.
    gc.freeze()
    gc.enable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`build | head`): nothing more can be said
        code = code or 1
    os._exit(code)


def _make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dateline", description="Build a multilingual news site from Markdown articles.")
    parser.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_cmd = commands.add_parser("build", help="build the site (the default command)",
                                    description="Build the site into the output folder.")
    add_config_option(build_cmd)
    add_build_options(build_cmd)
    build_cmd.add_argument("--out", type=Path, metavar="DIR",
                           help="output folder (default: paths.output, usually site/)")
    build_cmd.add_argument("--lang", metavar="xx,yy",
                           help="build a shard: only these languages' pages and feeds, plus "
                                "the files every shard shares, each as the whole build makes "
                                "it; `dateline merge` joins the shards into the site")
    build_cmd.add_argument("--now", metavar="ISO-8601-DATETIME", help=NOW_HELP)
    build_cmd.add_argument("--jobs", type=int, default=0, metavar="N",
                           help="worker processes (default: one per core; 1 to debug)")
    build_cmd.add_argument("--cluster", metavar="ADDRESS", default="",
                           help="render on a Dask cluster (tcp://host:8786), or local:N for "
                                "N local worker processes; needs pip install "
                                "'dateline[cluster]'")
    build_cmd.add_argument("--relative", action="store_true",
                           help="mirror mode: every internal link relative, so the files "
                                "work on any host and from disk (sets relative_urls)")
    build_cmd.add_argument("--strict", action="store_true",
                           help="treat every warning as an error (exit 1, nothing written), "
                                "for CI; [build] strict = true in the config does the same")
    build_cmd.add_argument("--clean", action="store_true",
                           help="ignore the build cache: read and render every file "
                                "and write the whole output afresh")
    build_cmd.add_argument("--next-change", action="store_true",
                           help="build, then print only the next moment the site changes "
                                "by itself (an embargo, an expiry, a breaking banner's end; "
                                "ISO 8601), or nothing: for cron jobs and CI schedules")
    build_cmd.set_defaults(run=_run_build)
    _add_i18n_commands(commands)
    _add_translations_command(commands)
    _add_serve_command(commands)
    _add_check_command(commands)
    _add_deploy_command(commands)
    _add_merge_command(commands)
    add_desk_commands(commands, add_config_option)
    return parser


def _add_i18n_commands(commands) -> None:
    i18n = commands.add_parser("i18n", help="translators' tools for the theme's UI strings",
                               description="Maintain the gettext catalogs in locales/.")
    actions = i18n.add_subparsers(dest="action", required=True, metavar="ACTION")
    helps = {
        "extract": "collect the marked strings of the templates into locales/messages.pot",
        "init": "start a catalog for a new language",
        "update": "merge messages.pot into every catalog (keeps translations, marks fuzzy)",
        "compile": "write .mo files beside the catalogs",
        "status": "translated, fuzzy and untranslated strings per language",
    }
    for name, text in helps.items():
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:])
        add_config_option(action)
        action.set_defaults(run=_run_i18n)
        if name == "init":
            action.add_argument("--lang", required=True, metavar="CODE",
                                help="the language code, e.g. ps")
        if name == "status":
            action.add_argument("--strict", action="store_true",
                                help="exit 1 when a configured language is below --min "
                                     "or a catalog has a problem")
            action.add_argument("--min", type=float, default=100.0, metavar="PERCENT",
                                help="the lowest acceptable percentage (default: 100)")


def _add_translations_command(commands) -> None:
    cmd = commands.add_parser(
        "translations", help="which stories are missing or stale in which language",
        description="Per story, the languages that have it, miss it or have a stale "
                    "translation; per language, the totals.")
    add_config_option(cmd)
    cmd.add_argument("--format", choices=("text", "json", "html"), default="text",
                     help="html: the editors' translation matrix as a page (with --out)")
    cmd.add_argument("--out", type=Path, metavar="FILE", help="where --format html writes")
    cmd.add_argument("--drafts", action="store_true", help="count drafts too")
    cmd.add_argument("--future", action="store_true", help="count scheduled articles too")
    cmd.set_defaults(run=_run_translations)


def _add_serve_command(commands) -> None:
    cmd = commands.add_parser(
        "serve", help="preview the site on this machine, rebuilding as you edit",
        description="Build the site into a preview folder of its own (never the output "
                    "folder), serve it, and rebuild and reload the open pages whenever "
                    "content, theme, locales or the config change.")
    add_config_option(cmd)
    add_build_options(cmd)
    cmd.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only)")
    cmd.add_argument("--port", type=int, default=8000,
                     help="port to listen on (default: 8000; 0 picks a free one)")
    cmd.add_argument("--lang", metavar="xx,yy",
                     help="build and watch only these languages, for speed")
    cmd.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from .preview import serve  # imports watchdog, which the other commands do not need

    if not 0 <= args.port <= 65535:
        raise UsageError(Problem(SourceRef("--port", 0), "--port must be 0 to 65535"))
    languages = _codes(args.lang)
    config = load_config(args.config)
    recover(config.paths.output)  # a build killed while committing: finish that first
    options = BuildOptions(drafts=args.drafts, future=args.future, languages=languages)
    return serve.run(config, options, args.host, args.port, base_url=args.base_url)


def _codes(listed: str | None) -> tuple[str, ...]:
    """`--lang en,ru` → ("en", "ru")."""
    return tuple(dict.fromkeys(c.strip() for c in (listed or "").split(",") if c.strip()))


def _add_check_command(commands) -> None:
    cmd = commands.add_parser(
        "check", help="check a built site: links, hreflang, HTML validity, accessibility",
        description="Check a built site folder: internal links and #anchors, hreflang "
                    "reciprocity, HTML validity (Nu Html Checker; needs Java) and "
                    "accessibility (axe-core in headless Chromium, on a sample of every "
                    "page kind in each text direction). Prints `page: problem` lines; exit "
                    "status 1 when anything fails.")
    add_config_option(cmd)
    _add_built_site_option(cmd)
    cmd.add_argument("--skip", metavar="CHECKS",
                     help="comma-separated checks to leave out: links, hreflang, html, a11y "
                          "(html and a11y are the slow ones; they need Java and Chromium)")
    cmd.set_defaults(run=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    from .publish import check

    skip = check.parse_skip(args.skip)
    # With --out, a config is optional: the site folder knows its own base URL.
    config = None if args.out is not None and not args.config.exists() \
        else load_config(args.config)
    folder = args.out if args.out is not None else config.paths.output
    recover(folder)
    return check.run(folder, skip, base_url=config.site.base_url if config else None)


def _add_deploy_command(commands) -> None:
    cmd = commands.add_parser(
        "deploy", help="publish the built site to a web root atomically (or roll back)",
        description="Copy the built site into DIR/releases/<time>/ (hard-linking the files "
                    "that did not change) and make it live by switching the DIR/current "
                    "symlink in one step; point the web server at DIR/current.")
    add_config_option(cmd)
    cmd.add_argument("--to", type=Path, required=True, metavar="DIR",
                     help="the web root that holds releases/ and the current symlink")
    _add_built_site_option(cmd)
    cmd.add_argument("--keep", type=int, default=5, metavar="N",
                     help="releases to keep (default: 5); the live one is always kept, "
                          "rolled-back ones go first")
    cmd.add_argument("--allow-unpublished", action="store_true",
                     help="deploy a site built with --drafts or --future")
    action = cmd.add_mutually_exclusive_group()
    action.add_argument("--rollback", action="store_true",
                        help="make the release that was live before the live one live again")
    action.add_argument("--list", action="store_true",
                        help="list the releases: time, build id, which is live, which were "
                             "rolled back")
    cmd.set_defaults(run=_run_deploy)


def _run_deploy(args: argparse.Namespace) -> int:
    from .publish import deploy

    try:
        if args.list:
            _print_releases(deploy.list_history(args.to), args.to)
        elif args.rollback:
            release = deploy.rollback(args.to)
            print(f"rolled back: {_shown(args.to / deploy.CURRENT)} → releases/{release.name}")
        else:
            _deploy(args)
        return 0
    except DatelineError as exc:  # one line each: what a deploy changed is said in it
        for problem in exc.problems:
            print(f"{problem}", file=sys.stderr)
        return exc.exit_code


def _deploy(args: argparse.Namespace) -> None:
    from .publish import deploy

    config = load_config(args.config) if args.out is None or args.config.is_file() else None
    folder = args.out if args.out is not None else config.paths.output
    recover(folder)  # a build killed while committing: finish that first
    protected = [] if config is None else [
        ("the output folder", config.paths.output), ("the content folder",
        config.paths.content), ("the cache folder", config.paths.cache)]
    result = deploy.deploy(folder, args.to, keep=args.keep, protected=protected,
                           allow_unpublished=args.allow_unpublished)
    removed = f", removed {len(result.removed)} old" if result.removed else ""
    print(f"deployed releases/{result.release.name}: {result.copied} files copied, "
          f"{result.linked} unchanged (hard-linked){removed} → "
          f"{_shown(args.to / deploy.CURRENT)} is live")


def _add_merge_command(commands) -> None:
    cmd = commands.add_parser(
        "merge", help="combine language shards built on separate machines into one site",
        description="Copy every shard folder (each built with `build --lang xx --out DIR`) "
                    "into OUT, replaced whole; a file found in several shards must have the "
                    "same bytes in each, or nothing is written.")
    cmd.add_argument("output", type=Path, metavar="OUT", help="the merged site folder")
    cmd.add_argument("shards", type=Path, nargs="+", metavar="SHARD",
                     help="the built shard folders")
    cmd.set_defaults(run=_run_merge, config=Path("dateline.toml"), debug=False)


def _run_merge(args: argparse.Namespace) -> int:
    from .build.write import check_output_dir
    from .publish import merge

    for folder in (args.output, *args.shards):
        recover(folder)
    check_output_dir(args.output.absolute(), ())
    result = merge.merge(args.output, args.shards)
    print(f"merged {len(args.shards)} shards: {result.files} files ({result.shared} found "
          f"in several shards, each the same) → {_shown(result.output)}/")
    return 0


def _print_releases(listed, web_root: Path) -> None:
    if not listed:
        print(f"nothing is deployed in {_shown(web_root)}")
        return
    for item in listed:  # newest first
        release = item.release
        state = "live" if item.live else (
            f"rolled back {_when(release.rolled_back)}" if release.rolled_back else "")
        print(f"releases/{release.name}  deployed {_when(release.deployed)}  "
              f"build {release.build_id or 'unknown'}  {state}".rstrip())


def _when(iso: str) -> str:
    """An ISO UTC time as `2026-01-15 12:00:00 UTC`."""
    return f"{iso[:10]} {iso[11:19]} UTC" if len(iso) >= 19 else iso or "unknown"


def _run_i18n(args: argparse.Namespace) -> int:
    from .i18n import messages

    config = load_config(args.config)
    recover(config.paths.output)
    if args.action == "extract":
        path, count = messages.extract(config)
        print(f"extracted {count} messages → {_shown(path)}")
    elif args.action == "init":
        path, extracted = messages.init(config, args.lang)
        if extracted is not None:
            print(f"extracted the theme's messages → {_shown(extracted)}")
        print(f"created {_shown(path)}")
    elif args.action == "update":
        for path in messages.update(config):
            print(f"updated {_shown(path)}")
    elif args.action == "compile":
        for path in messages.compile_catalogs(config):
            print(f"compiled {_shown(path)}")
    else:
        return _print_status(*messages.status(config), args)
    return 0


def _print_status(rows, problems, args: argparse.Namespace) -> int:
    print(f"{'language':<9} {'source':<13} {'translated':>10} {'fuzzy':>6} "
          f"{'untranslated':>12} {'done':>7}")
    failing = []
    for row in rows:
        print(f"{row.code:<9} {row.source:<13} {row.translated:>10} {row.fuzzy:>6} "
              f"{row.untranslated:>12} {row.percent:>6.1f}%"
              + (f"  ({row.note})" if row.note else ""))
        if row.percent < args.min:
            failing.append(row.code)
    for problem in problems:
        print(f"{'' if args.strict else 'warning: '}{problem}", file=sys.stderr)
    if args.strict and failing:
        print(f"below {args.min:g}%: {', '.join(failing)}", file=sys.stderr)
    return 1 if args.strict and (failing or problems) else 0


def _run_translations(args: argparse.Namespace) -> int:
    import datetime as dt
    import json

    from .build.pipeline import load_site
    from .errors import Problems
    from .i18n import coverage

    config = load_config(args.config)
    recover(config.paths.output)
    if args.format == "html":
        from .desk.commands import write_matrix_page

        print(f"wrote {_shown(write_matrix_page(config, args.out))}")
        return 0
    problems = Problems()
    site = load_site(config, BuildOptions(drafts=args.drafts, future=args.future),
                     dt.datetime.now(dt.UTC), problems)
    stories = coverage.story_coverage(site, config)
    if args.format == "json":
        print(json.dumps(coverage.as_json(stories, config.language_codes), indent=2,
                         ensure_ascii=False))
    else:
        print(coverage.as_table(stories, config.language_codes))
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_DEBUG_HELP = "on an internal error, print the traceback too (it is always logged)"


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("dateline.toml"), metavar="PATH",
                        help="the site's config file (default: ./dateline.toml); every path "
                             "in it is relative to its folder")
    # Every command takes --config, so every command takes --debug too, before or after
    # its name (SUPPRESS: the command's default must not undo `dateline --debug build`).
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=_DEBUG_HELP)


def _add_built_site_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="the built site folder (default: paths.output, usually site/)")


def add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include drafts")
    parser.add_argument("--future", action="store_true",
                        help="include articles dated in the future")
    parser.add_argument("--base-url", metavar="URL", help="override site.base_url")


def _run_build(args: argparse.Namespace) -> int:
    config = load_config(args.config, base_url=args.base_url,
                         relative_urls=True if args.relative else None)
    if args.jobs < 0:
        raise UsageError(Problem(SourceRef("--jobs", 0), "--jobs must be 0 or more"))
    strict, now = args.strict or config.build.strict, parse_now(args.now)
    if address := args.cluster or config.build.cluster:  # else Dask's seam is not imported
        from .build.cluster import build_executor
    try:
        with build_executor(address) if address else nullcontext() as cluster:
            result = build(config, BuildOptions(output=args.out, drafts=args.drafts,
                                                future=args.future, jobs=args.jobs,
                                                clean=args.clean, progress=True,
                                                strict=strict, cluster=cluster,
                                                shard=_codes(args.lang), now=now,
                                                pinned=now is not None))
    except StrictWarnings as exc:
        for problem in exc.problems:
            print(f"{problem}", file=sys.stderr)
        why = "--strict" if args.strict else f"strict = true in {config.config_path.name}"
        count = len(exc.problems)
        print(f"error: {count} warning{'s' if count != 1 else ''} found, and {why} makes "
              "every warning an error; nothing was written and the previous output is "
              "unchanged", file=sys.stderr)
        return 1
    if args.next_change:
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if result.next_change is not None:
            print(result.next_change.iso())
        return 0
    print_summary(result, config.paths.root)
    return 0


def print_summary(result: BuildResult, root: Path) -> None:
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for where, reason in result.held_back:
        print(f"held back: {where.path} ({reason})")
    if result.fallbacks:
        counts = ", ".join(f"{code} {n}" for code, n in sorted(result.fallbacks.items()))
        print(f"untranslated UI strings (default language shown instead): {counts}")
    if result.label_fallbacks:
        counts = ", ".join(f"{code} {n}" for code, n in sorted(result.label_fallbacks.items()))
        print(f"section and tag labels missing (default language's shown instead): {counts}")
    if result.next_change is not None:
        print(f"next scheduled change: {result.next_change.shown()}")
    try:
        shown = result.output.relative_to(Path.cwd())
    except ValueError:
        shown = result.output
    kind = "incremental build" if result.incremental else "built"
    print(f"{kind}: {result.pages} pages, {result.files} files — {result.written} written, "
          f"{result.unchanged} unchanged, {result.removed} removed — in "
          f"{result.seconds * 1000:.0f} ms → {shown}/")
