"""Language shards (`build --lang xx,yy --out DIR`) merged (`merge OUT SHARD...`) equal a
one-machine build byte for byte, the `.dateline-output` marker aside; shards built from
different sources are a merge error naming the file, leaving OUT as it was; a shard alone
links into the other languages only at URLs the whole site has; an unknown language code
is a usage error; a shard build and a whole build into the same folder never mix."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from dateline.build.options import BuildOptions
from dateline.build.pipeline import build
from dateline.build.write import MARKER
from dateline.config import load_config
from dateline.urls import output_file

REPO = Path(__file__).resolve().parents[1]

# One worker runs the whole module (`--dist loadgroup`, pyproject.toml), so its
# module fixtures are made once: the sample's and the corpus's whole builds, once per run.
pytestmark = pytest.mark.xdist_group("shards")
sys.path.insert(0, str(REPO / "bench"))
from corpus import write_corpus  # noqa: E402 - bench/ is no package

SHARDS = (("en", "ru"), ("fa", "ka"))
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)  # the sample's stories out


def _build(root: Path, out: Path, shard: tuple[str, ...] = (), clean: bool = False):
    config = load_config(root / "dateline.toml")
    return build(config, BuildOptions(output=out, now=NOW, jobs=1, shard=shard,
                                      clean=clean))


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and p.relative_to(folder).as_posix() != MARKER}


@pytest.fixture(scope="module")
def sample(tmp_path_factory, copy_sample) -> tuple[Path, dict[str, bytes]]:
    """The sample newsroom and its one-machine build."""
    root = copy_sample(tmp_path_factory.mktemp("shards") / "sample")
    _build(root, root / "full")
    return root, _tree(root / "full")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A generated site of 300 articles (75 stories in 4 languages) and its build. Its
    photos are small (two renditions each, not three): encoding them is most of a cold
    build's time, and their size is nothing the merge cares about."""
    root = tmp_path_factory.mktemp("shards") / "corpus"
    root.mkdir()
    write_corpus(root, 75, 4, photo_width=640)
    _build(root, root / "full")
    return root, _tree(root / "full")


def _merge(run_cli, out: Path, shards: list[Path]):
    return run_cli(["merge", out, *shards])


def test_sample_shards_merged_equal_the_whole_build(sample, run_cli):
    root, full = sample
    shards = []
    for codes in SHARDS:
        shard = root / f"shard-{'-'.join(codes)}"
        _build(root, shard, codes)  # the same site folder and cache as the whole build
        shards.append(shard)
    result = _merge(run_cli, root / "merged", shards)
    assert result.code == 0, result.err
    merged = _tree(root / "merged")
    assert sorted(merged) == sorted(full)
    assert [f for f in full if merged[f] != full[f]] == []
    # Each shard holds its languages' files and none of the others'.
    for codes, shard in zip(SHARDS, shards, strict=True):
        top = {path.split("/", 1)[0] for path in _tree(shard)}
        assert {"en", "ru", "fa", "ka"} & top == set(codes)


def test_corpus_shards_each_from_its_own_checkout_merged_equal_the_whole_build(corpus, run_cli,
                                                                  tmp_path):
    """As on separate CI runners: each shard from a copy of the sources, cold cache."""
    root, full = corpus
    shards = []
    for code in SHARDS:
        runner = tmp_path / f"runner-{'-'.join(code)}"
        runner.mkdir()
        shutil.copy(root / "dateline.toml", runner / "dateline.toml")
        shutil.copytree(root / "content", runner / "content")
        _build(runner, runner / "site", code)
        shards.append(runner / "site")
    result = _merge(run_cli, tmp_path / "merged", shards)
    assert result.code == 0, result.err
    merged = _tree(tmp_path / "merged")
    assert sorted(merged) == sorted(full)
    assert [f for f in full if merged[f] != full[f]] == []
    assert sum(1 for f in full if f.endswith(".html")) > 300


def test_cli_shard_equals_the_whole_builds_files(sample, run_cli, tmp_path):
    """`build --lang` on the command line (the clock's now, for both builds): its files
    are the whole build's."""
    root, _full = sample
    out = tmp_path / "fa"
    result = run_cli(["build", "--config", root / "dateline.toml", "--lang", "fa",
                      "--out", out])
    assert result.code == 0, result.err
    whole = tmp_path / "whole"
    assert run_cli(["build", "--config", root / "dateline.toml", "--out", whole]).code == 0
    shard, full = _tree(out), _tree(whole)
    assert shard and set(shard) <= set(full)
    assert [f for f in shard if shard[f] != full[f]] == []
    assert {f for f in full if f.startswith("fa/")} == {f for f in shard if f.startswith("fa/")}
    assert not any(f.startswith(("en/", "ru/", "ka/")) for f in shard)


def _links_elsewhere(folder: Path, lang: str, parse_html) -> set[tuple[str, str]]:
    """(page, linked file) of every link from `lang`'s pages into other languages'."""
    links = set()
    for page in sorted((folder / lang).rglob("*.html")):
        tree = parse_html(page)
        for node in tree.find_all("a") + tree.find_all("link"):
            parts = urlsplit(node.get("href") or "")
            if parts.netloc in ("", "news.example.org") and parts.path.startswith("/"):
                target = output_file(unquote(parts.path[1:]))
                if target.split("/", 1)[0] in ("en", "fa", "ka"):
                    links.add((page.relative_to(folder).as_posix(), target))
    return links


def test_a_shard_alone_links_other_languages_only_where_the_site_has_pages(
        sample, tmp_path, parse_html):
    root, full = sample
    shard = tmp_path / "shard"
    _build(root, shard, ("ru",))
    links = _links_elsewhere(shard, "ru", parse_html)
    assert len({target for _page, target in links}) > 20  # switchers, hreflang alternates
    assert sorted(target for _page, target in links if target not in full) == []
    assert not any((shard / target).exists() for _page, target in links)  # other shards'
    # ... and exactly the links the whole build's Russian pages have.
    assert links == _links_elsewhere(root / "full", "ru", parse_html)


def test_conflicting_shards_are_an_error_naming_the_file_and_out_is_untouched(
        sample, run_cli, tmp_path, copy_sample):
    root, _full = sample
    site = copy_sample(tmp_path / "site")
    _build(site, tmp_path / "a", ("en", "ru"))
    # The second shard is built from other sources: the English site's title edited.
    config = site / "dateline.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('title = "Radio Meridian"', 'title = "Radio Meridian 2"',
                                   1), encoding="utf-8")
    _build(site, tmp_path / "b", ("fa", "ka"))
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    differing = sorted(f for f in set(a) & set(b) if a[f] != b[f])
    assert "index.html" in differing  # the root chooser names every language's site
    assert not any(f.startswith(("en/", "ru/", "fa/", "ka/")) for f in differing)
    out = tmp_path / "out"
    assert _merge(run_cli, out, [root / "full"]).code == 0  # OUT holds a site already
    before = _tree(out), (out / MARKER).read_bytes()
    result = _merge(run_cli, out, [tmp_path / "a", tmp_path / "b"])
    assert result.code == 1
    for file in differing:
        assert f"the shards disagree about {file};" in result.err
    assert (_tree(out), (out / MARKER).read_bytes()) == before


@pytest.mark.parametrize("listed, unknown", [("en,xx", "xx"), ("zz,ru,qq", "zz, qq"),
                                             ("EN", "EN")])
def test_unknown_language_codes_exit_2_naming_them(sample, run_cli, tmp_path, listed,
                                                   unknown):
    root, _full = sample
    result = run_cli(["build", "--config", root / "dateline.toml", "--lang", listed,
                      "--out", tmp_path / "out"])
    assert result.code == 2
    assert f" {unknown}: dateline.toml has en, ru, fa, ka" in result.err
    assert not (tmp_path / "out").exists()


def test_shard_and_whole_builds_into_one_folder_never_mix(sample, tmp_path):
    """The incremental cache keeps one record per output folder; a folder that held a
    shard is built whole correctly, and the whole build's own folder is left alone."""
    root, full = sample
    out = tmp_path / "out"
    _build(root, out, ("ka",))
    fresh_shard = _tree(out)
    _build(root, out)  # incremental: the record is a shard's
    assert _tree(out) == full
    _build(root, out, ("ka",))
    assert _tree(out) == fresh_shard
    again = _build(root, root / "full")  # the whole build's folder, after all of these
    assert again.written == 0 and again.removed == 0
    assert _tree(root / "full") == full
