"""`build --now ISO-8601-DATETIME`: the build's clock is that instant (embargoes, expiries,
breaking banners, the news sitemap's window), so that language shards built either side
of a scheduled change agree; `--next-change` answers from it; a datetime without a UTC
offset, or no datetime at all, is a usage error in one line. And a shard's summary line
counts the pages the shard built, not every language's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dateline.build.write import MARKER

REPO = Path(__file__).resolve().parents[1]
SCHEDULED = "en/economy/new-crown-launch/index.html"
"""The sample's story scheduled for 2031-01-01T08:00:00+00:00."""
BEFORE, AFTER = "2031-01-01T07:00:00+00:00", "2031-01-01T09:00:00+00:00"
AFTER_ELSEWHERE = "2031-01-01T12:30:00+03:30"  # the same instant as AFTER, in Tehran


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and p.relative_to(folder).as_posix() != MARKER}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("now") / "sample"
    root.mkdir()
    shutil.copy(REPO / "dateline.toml", root / "dateline.toml")
    shutil.copytree(REPO / "content", root / "content")
    photos = REPO / ".dateline-cache/photos"  # renditions by content hash: skip the encoding
    if photos.is_dir():
        shutil.copytree(photos, root / ".dateline-cache/photos")
    return root


def _build(run_cli, root: Path, out: Path, *args: str):
    result = run_cli(["build", "--config", root / "dateline.toml", "--out", out, *args])
    assert result.code == 0, result.err
    return result


def test_shards_built_with_one_now_across_a_scheduled_change_merge_as_the_whole_build(
        sample, run_cli, tmp_path):
    _build(run_cli, sample, tmp_path / "whole", "--now", AFTER)
    whole = _tree(tmp_path / "whole")
    assert SCHEDULED in whole  # published at --now, though the machine's clock is earlier
    # The shards name the instant in two time zones: the same clock.
    _build(run_cli, sample, tmp_path / "a", "--lang", "en,ru", "--now", AFTER)
    _build(run_cli, sample, tmp_path / "b", "--lang", "fa,ka", "--now", AFTER_ELSEWHERE)
    merged = run_cli(["merge", tmp_path / "out", tmp_path / "a", tmp_path / "b"])
    assert merged.code == 0, merged.err
    assert _tree(tmp_path / "out") == whole
    # A shard built before the change disagrees with one built after: --now is the clock.
    _build(run_cli, sample, tmp_path / "early", "--lang", "fa,ka", "--now", BEFORE)
    clash = run_cli(["merge", tmp_path / "clash", tmp_path / "a", tmp_path / "early"])
    assert clash.code == 1
    assert "the shards disagree about" in clash.err


def test_next_change_answers_from_now(sample, run_cli, tmp_path):
    before = _build(run_cli, sample, tmp_path / "out", "--next-change", "--now", BEFORE)
    assert before.out == "2031-01-01T08:00:00+00:00\n"
    after = _build(run_cli, sample, tmp_path / "out", "--next-change", "--now", AFTER)
    assert after.out.strip() != "2031-01-01T08:00:00+00:00"
    assert (tmp_path / "out" / SCHEDULED).is_file()


def test_a_build_at_an_earlier_now_is_not_the_last_builds_site(sample, run_cli, tmp_path):
    """Nothing changed but the instant: neither the record of the last build's inputs
    nor its saved model stands for a site at another instant, earlier or later."""
    out = tmp_path / "out"
    _build(run_cli, sample, out, "--now", AFTER)
    assert (out / SCHEDULED).is_file()
    _build(run_cli, sample, out, "--now", BEFORE)
    assert not (out / SCHEDULED).exists()
    _build(run_cli, sample, tmp_path / "clean", "--now", BEFORE)
    assert _tree(out) == _tree(tmp_path / "clean")
    again = _build(run_cli, sample, out, "--now", BEFORE)  # the same instant: up to date
    assert re.search(r"— 0 written, \d+ unchanged, 0 removed", again.out)


@pytest.mark.parametrize(("given", "said"), [
    ("2031-01-01T07:00:00", "has no UTC offset"),
    ("2031-01-01", "has no UTC offset"),
    ("tomorrow", "is not an ISO 8601 date and time"),
    ("2031-13-01T00:00:00+00:00", "is not an ISO 8601 date and time"),
    ("", "is not an ISO 8601 date and time"),
])
def test_a_now_without_offset_or_unreadable_is_a_usage_error_in_one_line(
        sample, run_cli, tmp_path, given, said):
    result = run_cli(["build", "--config", sample / "dateline.toml", "--out",
                      tmp_path / "out", "--now", given])
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith(f"--now: '{given}' {said}")
    assert "write it as 2030-01-01T06:00+00:00" in result.err
    assert not (tmp_path / "out").exists()


def test_a_shards_summary_counts_the_pages_it_built(sample, run_cli, tmp_path):
    counted = {}
    for name, args in (("whole", ()), ("fa", ("--lang", "fa")), ("en-ru", ("--lang", "en,ru"))):
        out = tmp_path / name
        result = _build(run_cli, sample, out, "--now", AFTER, *args)
        [pages] = re.findall(r"^built: (\d+) pages, ", result.out, re.M)
        counted[name] = int(pages)
        assert counted[name] == sum(1 for _ in out.rglob("*.html"))
    assert counted["fa"] < counted["en-ru"] < counted["whole"]
