"""`dateline check`: prove a built site folder's quality before it is published.

Four checks, each in `checks/`: `links` (internal links and fragment anchors),
`hreflang` (reciprocal language alternates), `html` (the Nu Html Checker; needs Java)
and `a11y` (axe-core in headless Chromium, on a sample of every page kind in each text
direction). The last two are slow and need more than Python, so `--skip html,a11y`
leaves them out. Every failure is printed as `page: problem`, the page relative to the
folder; the exit status is 1 when anything failed, 0 when the site is clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, SourceRef, UsageError, display_path
from .checks.a11y import check_accessibility
from .checks.folder import BuiltSite, Outcome, ToolMissing, is_dateline_output, read_site
from .checks.hreflang import check_hreflang
from .checks.links import check_links
from .checks.validate import validate_html

CHECKS: dict[str, Callable[[BuiltSite], Outcome]] = {
    "links": check_links, "hreflang": check_hreflang, "html": validate_html,
    "a11y": check_accessibility,
}
"""Every check by the name `--skip` uses, in the order they run (fast ones first).
The slow ones import their tools (the Nu checker's jar, Playwright) only when they run."""


@dataclass(frozen=True, slots=True)
class CheckRun:
    name: str
    outcome: Outcome
    seconds: float


def parse_skip(text: str | None) -> tuple[str, ...]:
    """The check names of `--skip a,b`; an unknown name is a usage error."""
    names = tuple(n.strip() for n in (text or "").split(",") if n.strip())
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise UsageError(Problem(SourceRef("--skip", 0), f"unknown check "
                         f"{', '.join(repr(n) for n in unknown)}; the checks are "
                         f"{', '.join(CHECKS)}"))
    return names


def open_site(folder: Path, base_url: str | None = None) -> BuiltSite:
    """Read a built site folder; a usage error unless Dateline made it."""
    where = SourceRef(display_path(folder.absolute(), Path.cwd()) + "/", 0)
    if not folder.is_dir():
        raise UsageError(Problem(where, "no such folder; build the "
                         "site first (python build.py), or name the folder with --out"))
    if not is_dateline_output(folder):
        raise UsageError(Problem(where, "not a site folder Dateline "
                         "built (it has no .dateline-output file); name one with --out"))
    return read_site(folder, base_url)


def run_checks(site: BuiltSite, skip: tuple[str, ...] = ()) -> list[CheckRun]:
    """Run every check not skipped; ToolMissing when one cannot run on this machine."""
    runs = []
    for name, check in CHECKS.items():
        if name in skip:
            continue
        started = time.perf_counter()
        try:
            outcome = check(site)
        except ToolMissing as exc:
            raise ToolMissing(f"{exc}; or leave it out with --skip {name}") from None
        runs.append(CheckRun(name, outcome, time.perf_counter() - started))
    return runs


def run(folder: Path, skip: tuple[str, ...] = (), base_url: str | None = None) -> int:
    """The command: check, print `page: problem` lines and a summary; the exit status."""
    site = open_site(folder, base_url)
    try:
        runs = run_checks(site, skip)
    except ToolMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failures = 0
    for check in runs:
        for finding in check.outcome.findings:
            print(finding)
        for finding in check.outcome.warnings:
            print(f"warning: {finding}", file=sys.stderr)
        failures += len(check.outcome.findings)
    for check in runs:
        found = len(check.outcome.findings)
        verdict = f"{found} problem{'s' if found != 1 else ''}" if found else "ok"
        print(f"{check.name:<9} {verdict:<12} {check.outcome.note} "
              f"({check.seconds:.1f} s)")
    if skip:
        print(f"skipped: {', '.join(skip)}")
    return 1 if failures else 0
