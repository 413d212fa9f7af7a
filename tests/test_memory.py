"""Bounded memory (issue 19): a build of a site twice the size of another does not hold
twice the working memory. What a build holds on top of its model — rendered bodies on
their way to the body store, every page's HTML, the parts of every page that search
indexes, Pagefind's bundles — must be bounded by the chunk sizes (bodies flushed every
`FLUSH_EVERY`, one search bucket at a time), not grow with the archive.

The model itself (the site, the page plan, the fingerprints) is still in memory for the
whole build: it grows with the archive until the indexed store replaces it, so it is
measured apart and left out of the ratio. Measured with tracemalloc, in this process
(`jobs=1`: the one process is the largest), so the figures are exact and not a timing:
the chunk sizes are made small so that small sites hold many chunks.
"""

from __future__ import annotations

import datetime as dt
import sys
import tracemalloc
from pathlib import Path

import pytest

from dateline.build import prepare, search, stages
from dateline.build.options import BuildOptions
from dateline.build.pipeline import build
from dateline.config import load_config

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from corpus import write_corpus  # noqa: E402 - bench/ is no package

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
MIB = 1 << 20


def _working_set(root: Path, monkeypatch) -> tuple[float, float]:
    """(memory the model holds after planning, the most the build held on top of it
    while reading and while rendering and writing the site), in MiB. (What the build
    leaves for the next one — the cache and the saved model, made in memory and
    written at the end — belongs to the store that replaces them.)"""
    marks: dict[str, float] = {}

    def measured(name: str, function):
        def run(*args, **kwargs):
            current, peak = tracemalloc.get_traced_memory()
            marks[f"{name} peak"], marks[f"{name} current"] = peak, current
            tracemalloc.reset_peak()
            return function(*args, **kwargs)
        monkeypatch.setattr(stages, name, run)

    measured("check_strict", stages.check_strict)  # the model is planned
    measured("remember_build", stages.remember_build)  # the site is written
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        build(load_config(root / "dateline.toml"),
              BuildOptions(output=root / "site", now=NOW, jobs=1))
    finally:
        tracemalloc.stop()
    model = marks["check_strict current"]
    above = max(marks["check_strict peak"], marks["remember_build peak"]) - model
    return (model - start) / MIB, above / MIB


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(search, "BUCKET_MOST", 10)
    monkeypatch.setattr(prepare, "FLUSH_EVERY", 8)


def test_twice_the_articles_do_not_take_twice_the_working_memory(
        tmp_path, monkeypatch, small_chunks):
    figures = {}
    for stories in (1, 50, 100):
        root = tmp_path / f"site-{stories}"
        write_corpus(root, stories, 1)
        figures[stories] = _working_set(root, monkeypatch)
    (_, base), (model_1, above_1), (model_2, above_2) = figures.values()
    shown = {n: f"model {m:.1f} MiB, working set {w:.1f} MiB" for n, (m, w) in figures.items()}
    # The model grows with the archive (left to the indexed store): the sizes are large
    # enough to be measured.
    assert model_2 > model_1 > 1.0, shown
    # What the build holds on top of it grows far less than the articles.
    growth = (above_2 - base) / (above_1 - base)
    assert growth < 1.4, (growth, shown)
