"""A preview server that stops removes its own output and its own builds' staging
folders, never those of another server previewing the same site: stopping the first of
two servers (it holds `.dateline-preview/site`) while the second (`site-<pid>-<n>`)
ran its first build made that build fail on a vanished file (found in a trial: a
restart where the old server was still stopping)."""

from pathlib import Path

from dateline.build import staging
from dateline.preview.serve import _release_output


def staged(output: Path, kind: str) -> Path:
    folder = staging.make(output, kind)
    (folder / staging.TREE / "en").mkdir(parents=True)
    (folder / staging.TREE / "en" / "feed.xml").write_text("<feed/>", encoding="utf-8")
    return folder


def test_stopping_one_server_leaves_the_other_servers_build_alone(tmp_path):
    preview = tmp_path / ".dateline-preview"
    mine, theirs = preview / "site", preview / "site-4242-1"
    for output in (mine, theirs):
        (output / "en").mkdir(parents=True)
    my_leftovers = [staged(mine, kind) for kind in staging.KINDS]
    their_builds = [staged(theirs, kind) for kind in staging.KINDS]

    _release_output(mine)

    assert not mine.exists()
    assert [folder.exists() for folder in my_leftovers] == [False, False]
    assert [(folder / staging.TREE / "en" / "feed.xml").is_file()
            for folder in their_builds] == [True, True]
    assert theirs.is_dir()
