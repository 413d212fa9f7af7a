"""Inputs that hang, leak or slip through: only regular files are read (a named pipe,
a socket or a device is named in a warning), symbolic links are followed only inside
the site folder, and characters HTML and XML forbid are refused. The no-change
shortcut, the saved model and the preview server's session see the same inputs as a
full build."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.errors import ContentError

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return server


@pytest.fixture
def site(tmp_path, make_site, article_text):
    return make_site(tmp_path / "site", {
        "content/en/world/a.md": article_text(title="A"),
    })


def _build_cli(root: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """A command-line build in its own process: a read of a FIFO would hang it, which the
    timeout turns into a failure instead of a hung test run."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from dateline.cli import run; run()", "build",
         "--config", str(root / "dateline.toml"), *extra],
        capture_output=True, text=True, timeout=timeout, cwd=root)


def _device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        pytest.skip("making a device file needs root")


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_a_special_file_named_like_a_source_is_a_warning_and_never_opened(site, kind):
    path = site / "content/en/world/x.md"
    keep = {"fifo": _fifo, "socket": _socket, "device": _device}[kind](path)
    try:
        for attempt in ("full", "no change", "after an edit"):
            if attempt == "after an edit":  # the saved model's path (body edits alone)
                a = site / "content/en/world/a.md"
                a.write_text(a.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
            result = _build_cli(site)
            assert result.returncode == 0, (attempt, result.stderr)
            what = {"fifo": "named pipe (FIFO)", "socket": "socket", "device": "device"}[kind]
            assert (f"content/en/world/x.md:1: not read: a {what}, not a regular file"
                    in result.stderr), (attempt, result.stderr)
            assert (site / "site/en/world/a/index.html").is_file()
            assert not (site / "site/en/world/x").exists()
        # A source replaced by a pipe: the saved model's path must not read it either.
        a = site / "content/en/world/a.md"
        a.unlink()
        _fifo(a)
        result = _build_cli(site)
        assert result.returncode == 0, result.stderr
        assert "content/en/world/a.md:1: not read: a named pipe (FIFO)" in result.stderr
        assert not (site / "site/en/world/a").exists()
    finally:
        if keep is not None:
            keep.close()


def test_a_special_file_in_a_preview_session_is_never_opened(site, make_site):
    from dateline.incremental.session import BuildSession

    path = site / "content/en/world/x.md"
    config = load_config(site / "dateline.toml")
    session = BuildSession()
    options = BuildOptions(output=site / "preview", now=NOW, jobs=1, session=session)
    build(config, options)
    _fifo(path)
    # The watcher reports the new "source": the session must look at what it is.
    done = {}

    def run():
        done["result"] = build(config, BuildOptions(
            output=site / "preview", now=NOW, jobs=1, session=session,
            changed=frozenset({path})))

    import threading

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():  # unblock the reader so the test run can end
        with open(path, "wb"):
            pass
        pytest.fail("the build opened the named pipe")
    warnings = [str(w) for w in done["result"].warnings]
    assert any("x.md:1: not read: a named pipe (FIFO)" in w for w in warnings), warnings
    session.close()


def _link(link: Path, target: Path | str) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


def test_links_inside_the_site_folder_are_followed(tmp_path, make_site, article_text,
                                                   build_site):
    root = make_site(tmp_path / "site", {
        "content/en/world/a.md": article_text(title="A"),
        "shared/story.md": article_text(title="Shared story"),
        "shared/politics/p.md": article_text(title="Shared politics"),
    })
    _link(root / "content/en/world/story.md", root / "shared/story.md")
    _link(root / "content/en/politics", Path("../../shared/politics"))
    result = build_site(root)
    assert result.warnings == []
    assert (root / "site/en/world/story/index.html").is_file()
    assert (root / "site/en/politics/p/index.html").is_file()
    # The no-change shortcut sees an edit made through the link's target.
    edited = root / "shared/politics/p.md"
    time.sleep(0.01)
    edited.write_text(article_text(title="Shared politics, edited"), encoding="utf-8")
    os.utime(edited, ns=(time.time_ns() + 5_000_000_000,) * 2)
    assert _build_cli(root).returncode == 0
    assert "Shared politics, edited" in (root / "site/en/politics/p/index.html").read_text(
        encoding="utf-8")


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_link_leading_outside_the_site_folder_is_an_error_naming_it(
        tmp_path, make_site, article_text, build_site, kind):
    outside = tmp_path / "elsewhere"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.md").write_text(article_text(title="Secret"), encoding="utf-8")
    (outside / "folder/secret.md").write_text(article_text(title="Secret"), encoding="utf-8")
    root = make_site(tmp_path / "site", {"content/en/world/a.md": article_text(title="A")})
    link = root / ("content/en/world/secret.md" if kind == "file" else "content/en/leak")
    _link(link, outside / ("secret.md" if kind == "file" else "folder"))
    shown = link.relative_to(root).as_posix()
    with pytest.raises(ContentError) as caught:
        build_site(root)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [f"{shown}:1: symbolic link to '{os.path.realpath(link)}', outside "
                        "the site folder; copy what it points to into the site, or set "
                        "follow_external_symlinks = true in [build]"]
    assert not (root / "site").exists()
    # The command line's stat walk (and its no-change shortcut) refuses it too.
    result = _build_cli(root)
    assert result.returncode == 1 and f"{shown}:1: symbolic link to" in result.stderr
    assert _build_cli(root).returncode == 1  # nothing recorded: never "up to date"
    # The documented setting allows it.
    config = root / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "\n[build]\nfollow_external_symlinks = true\n", encoding="utf-8")
    build_site(root)
    published = "en/world/secret" if kind == "file" else "en/leak/secret"
    assert (root / "site" / published / "index.html").is_file()


@pytest.mark.parametrize("kind", ["loop", "broken"])
def test_a_skipped_link_is_a_warning(tmp_path, make_site, article_text, build_site, kind):
    root = make_site(tmp_path / "site", {"content/en/world/a.md": article_text(title="A")})
    link = root / "content/en/world/again"
    _link(link, root / "content/en" if kind == "loop" else root / "content/gone")
    result = build_site(root)
    warnings = [str(w) for w in result.warnings]
    expected = ("folder skipped: the symbolic link leads back into a folder that contains it"
                if kind == "loop" else "broken symbolic link")
    assert len(warnings) == 1 and warnings[0].startswith(
        f"content/en/world/again:1: {expected}"), warnings
    assert (root / "site/en/world/a/index.html").is_file()


def test_follow_external_symlinks_must_be_true_or_false(site):
    config = site / "dateline.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "\n[build]\nfollow_external_symlinks = \"yes\"\nfollow = 1\n",
                      encoding="utf-8")
    from dateline.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_config(config)
    text = str(caught.value)
    assert "build.follow_external_symlinks must be true or false" in text
    assert "unknown key 'build.follow'" in text


FORBIDDEN = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f",
             "\ufdd0", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"]


@pytest.mark.parametrize("char", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_characters_html_and_xml_forbid_are_an_error_at_their_line(
        tmp_path, make_site, article_text, build_site, char):
    root = make_site(tmp_path, {"content/en/world/a.md": article_text(
        title="A", body=f"First line.\n\nThe vote{char} was close.\n")})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        f"content/en/world/a.md:8: column 9: the character U+{ord(char):04X} is not allowed "
        "in HTML or XML (feeds); remove it (it is often left by copying from another "
        "program)"]


@pytest.mark.parametrize("char", ["\u00a0", "\u200f", "\ufeff", "\U0001f600"])
def test_allowed_characters_are_published(tmp_path, make_site, article_text, build_site,
                                          char):
    root = make_site(tmp_path, {"content/en/world/a.md": article_text(
        title="A", body=f"The vote{char}was close.\n")})
    build_site(root)
    assert f"vote{char}was" in (root / "site/en/world/a/index.html").read_text(
        encoding="utf-8")


def test_the_preview_server_sees_edits_made_through_links_and_never_opens_a_pipe(
        tmp_path, make_site, article_text):
    from dateline.preview.serve import PreviewServer

    root = make_site(tmp_path / "site", {
        "content/en/world/a.md": article_text(title="A"),
        "shared/story.md": article_text(title="Shared story"),
        "shared/politics/p.md": article_text(title="Shared politics"),
    })
    _link(root / "content/en/world/story.md", root / "shared/story.md")
    _link(root / "content/en/politics", Path("../../shared/politics"))
    server = PreviewServer(load_config(root / "dateline.toml"), BuildOptions(),
                           "127.0.0.1", 0, quiet=0.05)
    server.start()
    try:
        for source, page in (("shared/story.md", "en/world/story/index.html"),
                             ("shared/politics/p.md", "en/politics/p/index.html")):
            builds = server.builds
            (root / source).write_text(article_text(title=f"Edited {source}"),
                                       encoding="utf-8")
            server.wait_for_build(builds)
            assert f"Edited {source}" in (server.output / page).read_text(encoding="utf-8")
        builds = server.builds
        _fifo(root / "content/en/world/pipe.md")
        server.wait_for_build(builds, timeout=20)
        assert server.builds > builds and not server.is_building
    finally:
        with contextlib.suppress(OSError):  # unblock a reader, if a bug made one
            fd = os.open(root / "content/en/world/pipe.md", os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        server.stop()


def test_photos_in_a_linked_folder_are_found_by_their_path(tmp_path, make_site,
                                                           article_text, image_bytes,
                                                           build_site, parse_html):
    root = make_site(tmp_path / "site", {
        "shared/politics/p.md": article_text(title="P", body="![A crowd](crowd.jpg)\n",
                                             image={"src": "crowd.jpg", "alt": "A crowd"}),
        "shared/politics/crowd.jpg": image_bytes(),
    })
    _link(root / "content/en/politics", Path("../../shared/politics"))
    build_site(root)
    page = parse_html(root / "site/en/politics/p/index.html")
    sources = [img.get("src") for img in page.find_all("img")]
    assert sources and all(s.startswith("/media/en/politics/crowd") for s in sources), sources
    for src in sources:
        assert (root / "site" / src.lstrip("/")).is_file()
