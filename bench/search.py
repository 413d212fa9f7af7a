"""What search costs a build: a cold build and a one-article edit of the bench corpus,
timing the whole build and the search part of it (cutting the indexed part of the pages,
and Pagefind making each language's bundle).

    python bench/search.py [--stories 3000] [--languages 1] [--keep DIR]

Run from the repository: it builds with the Dateline beside it, in this process (one
worker, `--jobs 1`, so the timings add up), with the default theme.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import corpus  # noqa: E402

from dateline.build import output, search  # noqa: E402
from dateline.build.pipeline import BuildOptions, build  # noqa: E402
from dateline.config import load_config  # noqa: E402

TIMES: dict[str, float] = {}


def _timed(name: str, function):
    def run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TIMES[name] = TIMES.get(name, 0.0) + time.perf_counter() - started
    return run


def _build(site: Path, label: str) -> None:
    TIMES.clear()
    started = time.perf_counter()
    result = build(load_config(site / "dateline.toml"),
                   BuildOptions(jobs=1))
    total = time.perf_counter() - started
    groups = TIMES.get("groups", 0.0)
    bundles = TIMES.get("bundles", 0.0)
    search_files = sum(1 for f in result.changed_files if "/search/pagefind/" in f)
    print(f"{label:<22} {total:7.2f} s build | search {groups + bundles:6.2f} s "
          f"(indexed parts {groups:5.2f} s, Pagefind {bundles:5.2f} s) | "
          f"{result.written} files written, {search_files} of them search files", flush=True)


def _cold(site: Path) -> None:
    # A kept folder's photo renditions are kept (they cost minutes at --jobs 1 and
    # have nothing to do with search); the rest is made afresh.
    shutil.rmtree(site / "site", ignore_errors=True)
    cache = site / ".dateline-cache"
    for path in cache.iterdir() if cache.is_dir() else ():
        if path.name != "photos":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    _build(site, "cold" + (" (photos cached)" if (cache / "photos").is_dir() else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--languages", type=int, default=1)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--edits-only", action="store_true",
                        help="with --keep: no corpus, no cold build; two edits of the kept site")
    args = parser.parse_args()
    output.search_groups = _timed("groups", output.search_groups)
    search.bundle_files = _timed("bundles", search.bundle_files)
    with tempfile.TemporaryDirectory() as temporary:
        site = (args.keep or Path(temporary)) / "site"
        languages = corpus.LANGUAGES[:args.languages]
        if not args.edits_only:
            described = corpus.write_corpus(site, args.stories, args.languages)
            print(f"corpus: {described['articles']} articles in {', '.join(languages)}",
                  flush=True)
            _cold(site)
        n = args.stories // 2
        story = (site / "content" / languages[0] / corpus.SECTIONS[n % len(corpus.SECTIONS)]
                 / f"story-{n:05d}.md")
        for number in range(2 if args.edits_only else 1):
            with story.open("a", encoding="utf-8") as handle:
                handle.write(f"\nOne more sentence, added by the bench ({number}).\n")
            _build(site, "one article edited")
    return 0


if __name__ == "__main__":
    sys.exit(main())
