"""Dateline at another git revision, benchmarked in the same run as this checkout.

`run.py --against REV` checks REV out into a worktree of this repository (`git worktree
add --detach`), writes that revision's own corpus with its own `bench/corpus.py` (so a
revision from before a feature builds the corpus it knew: the same stories, languages,
photos and seed, without what it could not build) and its own default theme, and runs
the same scenarios with its own `build.py`, round by round interleaved with this
checkout's builds. Both sides then see the same machine at the same moments, which is
what makes a ratio of a few per cent mean something on a machine whose speed drifts.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path


def checkout(repository: Path, revision: str, folder: Path) -> str:
    """A worktree of `revision` in `folder`; its short commit name."""
    commit = subprocess.run(["git", "-C", str(repository), "rev-parse", "--short",
                             f"{revision}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if folder.exists():
        remove(repository, folder)
    subprocess.run(["git", "-C", str(repository), "worktree", "add", "--detach", "--quiet",
                    str(folder), commit], check=True)
    # Compiled modules, as on a user's machine (see run.use_bytecode).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "dateline")],
                   check=True)
    return commit


def remove(repository: Path, folder: Path) -> None:
    subprocess.run(["git", "-C", str(repository), "worktree", "remove", "--force",
                    str(folder)], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def knows_search(tree: Path) -> bool:
    """Whether the revision has the `[search]` table (a revision from before the search
    index rejects it, and builds none anyway)."""
    return '"search"' in (tree / "dateline" / "config.py").read_text(encoding="utf-8")


def write_corpus(tree: Path, site: Path, stories: int, languages: int) -> dict:
    """The revision's own corpus and default theme in `site`, as run.prepare does for
    this checkout."""
    spec = importlib.util.spec_from_file_location("bench_corpus_against",
                                                  tree / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    described = module.write_corpus(site, stories, languages)
    theme = site / "themes" / "default"
    if theme.exists():
        shutil.rmtree(theme)
    shutil.copytree(tree / "themes" / "default", theme)
    described["sections"] = module.SECTIONS
    return described


def ratios(ours, theirs, scenarios) -> None:
    """This checkout over the revision per scenario: medians of wall and CPU seconds, and
    the median of the per-round ratios (round n of one against round n of the other, run
    back to back, so the machine's drift between rounds cancels out)."""
    import statistics

    print(f"\n{ours.name} / {theirs.name} (medians; per-round: the median of each round's "
          "ratio)")
    print(f"  {'scenario':<30}{'wall':>8}{'wall ratio':>12}{'per-round':>11}"
          f"{'CPU':>8}{'CPU ratio':>11}{'per-round':>11}")
    for scenario in scenarios:
        a, b = ours.runs.get(scenario), theirs.runs.get(scenario)
        if not a or not b:
            continue
        cells = ""
        for key in ("seconds", "cpu"):
            mine = statistics.median(getattr(r, key) for r in a)
            base = statistics.median(getattr(r, key) for r in b)
            paired = statistics.median(getattr(x, key) / getattr(y, key)
                                       for x, y in zip(a, b, strict=False) if getattr(y, key))
            cells += f"{mine:>8.2f}{mine / base if base else 0:>12.3f}{paired:>11.3f}"
        print(f"  {scenario:<30}{cells}")
