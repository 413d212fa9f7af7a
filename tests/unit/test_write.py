"""write.py: which folders may be replaced, and the staged tree swapped in whole."""

from __future__ import annotations

import os

import pytest

from dateline.build.write import MARKER, StagedOutput, check_output_dir, read_unpublished
from dateline.errors import UsageError


def leftovers(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("out", ["content", "content/sub", ".", "themes"])
def test_output_overlapping_the_sources_is_refused(tmp_path, out):
    for folder in ("content", "themes"):
        (tmp_path / folder).mkdir()
    with pytest.raises(UsageError) as caught:
        check_output_dir(tmp_path / out, [tmp_path / "content", tmp_path / "themes"])
    assert caught.value.exit_code == 2
    assert "refusing to build into this folder" in str(caught.value)


def test_existing_folder_without_marker_is_refused(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        check_output_dir(tmp_path / "docs", [tmp_path / "content"])
    assert "was not made by Dateline" in str(caught.value)
    assert (tmp_path / "docs" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_existing_file_as_output_is_refused(tmp_path):
    (tmp_path / "site").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError):
        check_output_dir(tmp_path / "site", [tmp_path / "content"])


@pytest.mark.parametrize("state", ["missing", "empty", "dateline"])
def test_missing_empty_or_dateline_folder_is_accepted(tmp_path, state):
    out = tmp_path / "site"
    if state != "missing":
        out.mkdir()
    if state == "dateline":
        (out / MARKER).write_text("", encoding="utf-8")
        (out / "index.html").write_text("old", encoding="utf-8")
    assert check_output_dir(out, [tmp_path / "content"]) is None


def test_staged_tree_replaces_the_output_on_commit(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("", encoding="utf-8")
    (out / "old.html").write_text("old", encoding="utf-8")
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"jpeg")
    staged = StagedOutput(out)
    staged.write("en/world/vote/index.html", b"<p>new</p>")
    staged.copy("media/photo.jpg", source)
    assert (out / "old.html").exists()  # nothing visible before the commit
    staged.commit()
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [MARKER, "en/world/vote/index.html", "media/photo.jpg"]
    assert (out / "media/photo.jpg").read_bytes() == b"jpeg"
    assert leftovers(tmp_path) == []
    assert oct(out.stat().st_mode & 0o777) == oct(0o755)


def test_staged_tree_is_written_beside_the_output(tmp_path):
    staged = StagedOutput(tmp_path / "public")
    assert staged.folder.parent == tmp_path
    assert staged.folder.name.startswith(".public-new-")
    assert (staged.root / MARKER).is_file()
    owner = (staged.folder / ".dateline-staging").read_text(encoding="utf-8")
    assert f"pid: {os.getpid()}\n" in owner
    staged.discard()


def test_discard_removes_the_staged_tree_and_keeps_the_output(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    staged = StagedOutput(out)
    staged.write("index.html", b"new")
    staged.discard()
    assert (out / "index.html").read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_failed_swap_puts_the_previous_output_back(tmp_path, monkeypatch):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    staged = StagedOutput(out)
    staged.write("index.html", b"new")
    real_rename = os.rename

    def rename(src, dst):
        if os.fspath(src) == os.fspath(staged.root):
            raise OSError("disk full")
        real_rename(src, dst)

    monkeypatch.setenv("DATELINE_FAULT", "skip:exchange")  # the two-rename fallback
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError):
        staged.commit()
    monkeypatch.undo()
    staged.discard()
    assert (out / "index.html").read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("drafts, future", [(False, False), (True, False), (False, True),
                                            (True, True)])
def test_marker_records_a_build_with_drafts_or_future(tmp_path, make_site, article_text,
                                                      build_site, drafts, future):
    root = make_site(tmp_path, {"content/en/world/a.md": article_text("A")})
    out = root / "site"
    # A full build with the other options, then an incremental one with these that
    # changes no page (the site has neither drafts nor scheduled stories).
    for with_drafts, with_future in ((not drafts, not future), (drafts, future)):
        result = build_site(root, drafts=with_drafts, future=with_future)
        kinds = [kind for kind, on in (("drafts", with_drafts), ("future", with_future)) if on]
        lines = (out / MARKER).read_text(encoding="utf-8").splitlines()
        assert [x for x in lines if x.startswith("unpublished")] == (
            [f"unpublished: {', '.join(kinds)}"] if kinds else [])
        assert len([x for x in lines if x.startswith("build-id: ")]) == 1
        assert read_unpublished(out) == tuple(kinds)
    assert result.incremental and result.written == 0


def test_a_page_whose_folder_another_process_makes_meanwhile_is_written(tmp_path,
                                                                        monkeypatch):
    """Two processes write pages: one finds `ka/science/` missing for its listing while
    the other, writing a story below it, makes it before the first looks again. The
    first writes its page (CI at 70608a0: "No such file or directory" for
    ka/science/index.html, an internal error), and a copy whose source is gone still
    fails."""
    import builtins

    staged = StagedOutput(tmp_path / "site")
    real_open, raced = builtins.open, []

    def racing_open(path, *args, **kwargs):
        if str(path).endswith("ka/science/index.html") and not raced:
            raced.append(True)
            try:
                return real_open(path, *args, **kwargs)
            finally:  # (the other process, between this failure and the next look)
                staged.write("ka/science/story/index.html", b"story")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", racing_open)
    staged.write("ka/science/index.html", b"listing")
    monkeypatch.setattr(builtins, "open", real_open)
    assert raced == [True]
    assert (staged.root / "ka/science/index.html").read_bytes() == b"listing"
    assert (staged.root / "ka/science/story/index.html").read_bytes() == b"story"
    with pytest.raises(FileNotFoundError):
        staged.copy("ka/photo.jpg", tmp_path / "gone.jpg")
    staged.discard()
