"""No traceback, ever: a bug of Dateline's in any stage of a build is one line, a log
of the traceback in the cache folder and exit status 70 (`--debug` prints the
traceback); a full or read-only disk is one line naming the folder and the system's
reason, exit status 1, and nothing half-written left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

STAGES = ["stage.reading", "stage.photos", "stage.rendering", "stage.writing",
          "stage.commit", "stage.cache"]


@pytest.fixture
def newsroom(tmp_path, make_site, article_text, image_bytes, run_cli, snapshot):
    root = make_site(tmp_path / "newsroom", {
        "content/images/vote.jpg": image_bytes("JPEG", 48, 32),
        "content/en/world/vote.md": article_text(
            "Vote", image={"src": "/images/vote.jpg", "alt": "Voters"}),
        "content/ru/world/vote.md": article_text("Выборы"),
    })
    assert run_cli(["build", "--config", root / "dateline.toml"]).code == 0
    return root


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site-"))


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("debug", [False, True])
def test_an_exception_in_any_stage_is_one_line_a_log_and_exit_70(
        newsroom, run_cli, snapshot, monkeypatch, stage, debug):
    before = snapshot(newsroom / "site")
    monkeypatch.setenv("DATELINE_FAULT", f"raise:{stage}")
    options = ["--debug"] if debug else []
    result = run_cli(["build", "--clean", *options], cwd=newsroom)
    assert result.code == 70
    lines = result.err.splitlines()
    line = lines[-1]
    assert line.startswith(f"internal error: RuntimeError: fault injected at {stage} — "
                           "please report it, with the command (details: "), line
    log = newsroom / line.rsplit("(details: ", 1)[1].rstrip(")")
    assert log.parent == newsroom / ".dateline-cache" and log.name.startswith("crash-")
    text = log.read_text(encoding="utf-8")
    assert text.startswith("command: dateline build --clean")
    assert "Traceback (most recent call last)" in text and f"at {stage}" in text
    if debug:
        assert lines[0] == "Traceback (most recent call last):"
        assert "RuntimeError: fault injected" in "\n".join(lines[:-1])
    else:
        assert len(lines) == 1
    if stage != "stage.cache":  # the site is committed by then
        assert snapshot(newsroom / "site") == before
    assert leftovers(newsroom) == []


def test_debug_works_before_the_command_and_on_every_command(newsroom, run_cli,
                                                             monkeypatch):
    monkeypatch.setenv("DATELINE_FAULT", "raise:stage.reading")
    for args in (["--debug", "build", "--clean"], ["build", "--clean", "--debug"],
                 ["--clean", "--debug"]):
        result = run_cli(args, cwd=newsroom)
        assert result.code == 70 and "Traceback" in result.err, args
    for args in (["translations", "--debug"], ["i18n", "status", "--debug"],
                 ["check", "--debug", "--skip", "html,a11y"], ["serve", "--debug", "--help"]):
        result = run_cli(args, cwd=newsroom)
        assert result.code == 0, (args, result.err)


def test_an_exception_in_a_command_line_build_process_exits_70(newsroom):
    env = dict(os.environ, DATELINE_FAULT="raise:stage.rendering")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--clean"], cwd=newsroom,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 70
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


# ----- a full or read-only disk, on a small tmpfs mounted by the test


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs at tmp_path/disk (root only: CI runs the tests as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        reason = "needs root to mount a tmpfs (CI runs as root)"
        print(f"skipped: {reason}")
        pytest.skip(reason)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs here: {done.stderr.strip()}"
        print(f"skipped: {reason}")
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill the disk but `leave` bytes."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with open(disk / "ballast", "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


def remount(disk: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True)


def build_process(root: Path, *args: str, fault: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("DATELINE_FAULT", None)
    if fault:
        env["DATELINE_FAULT"] = fault
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), *args], cwd=root,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def stopped_then(process: subprocess.Popen, action) -> tuple[int, str]:
    """Wait until the build stops at its fault, do `action`, let it go on; its exit
    status and stderr."""
    _pid, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), "the build never reached its stop"
    action()
    os.killpg(process.pid, signal.SIGCONT)
    _out, err = process.communicate(timeout=120)
    return process.returncode, err


def disk_site(newsroom: Path, disk: Path, run_cli, snapshot, cache: bool = True):
    """The newsroom built into `disk/site`, with its cache on the disk too (unless the
    test remounts the disk read-only under a running build: its open cache would keep
    the disk busy)."""
    toml = newsroom / "dateline.toml"
    paths = f'\n[paths]\noutput = "{disk}/site"\n' + (f'cache = "{disk}/cache"\n'
                                                       if cache else "")
    toml.write_text(toml.read_text(encoding="utf-8") + paths, encoding="utf-8")
    assert run_cli(["build"], cwd=newsroom).code == 0
    return snapshot(disk / "site")


def assert_one_disk_line(code: int, err: str, disk: Path, reason: str) -> None:
    """One line: a folder on `disk` (written as a folder, with its slash), the reason."""
    assert code == 1, err
    [line] = err.splitlines()
    folder, _, said = line.partition("/: ")
    assert Path(folder).is_relative_to(disk) and said == f"cannot write: {reason}", line


def edit(newsroom: Path, article_text) -> None:
    (newsroom / "content/en/world/new.md").write_text(article_text("New"), encoding="utf-8")


@pytest.mark.parametrize("kind", ["clean", "incremental"])
def test_a_full_disk_while_staging_is_one_line_and_leaves_nothing(
        newsroom, small_disk, run_cli, snapshot, article_text, kind):
    before = disk_site(newsroom, small_disk, run_cli, snapshot)
    edit(newsroom, article_text)
    fill(small_disk, 0)
    args = ["--clean"] if kind == "clean" else []
    result = run_cli(["build", *args], cwd=newsroom)
    assert_one_disk_line(result.code, result.err, small_disk, "No space left on device")
    assert snapshot(small_disk / "site") == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["ballast", "cache", "site"]


def test_a_full_disk_at_the_commit_of_an_incremental_build(
        newsroom, small_disk, run_cli, snapshot, article_text):
    """The disk fills after the files are staged: the new folders or the commit record
    cannot be written, and nothing has moved."""
    before = disk_site(newsroom, small_disk, run_cli, snapshot)
    edit(newsroom, article_text)
    process = build_process(newsroom, fault="stop:stage.commit")
    code, err = stopped_then(process, lambda: fill(small_disk, 0))
    assert_one_disk_line(code, err, small_disk, "No space left on device")
    assert snapshot(small_disk / "site") == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["ballast", "cache", "site"]


@pytest.mark.parametrize("kind", ["clean", "incremental"])
def test_a_read_only_disk_at_the_commit_is_one_line_and_the_site_unchanged(
        newsroom, small_disk, run_cli, snapshot, article_text, kind):
    before = disk_site(newsroom, small_disk, run_cli, snapshot, cache=False)
    edit(newsroom, article_text)
    args = ["--clean"] if kind == "clean" else []
    process = build_process(newsroom, *args, fault="stop:stage.commit")
    code, err = stopped_then(process, lambda: remount(small_disk, "ro"))
    try:
        assert code == 1 and len(err.splitlines()) == 1, err
        assert err.endswith(": cannot write: Read-only file system\n"), err
        assert snapshot(small_disk / "site") == before
    finally:
        remount(small_disk, "rw")
    # What the build could not remove on a read-only disk, the next one does.
    assert run_cli(["build"], cwd=newsroom).code == 0
    assert sorted(p.name for p in small_disk.iterdir()) == ["site"]


def test_a_read_only_disk_before_the_build_is_one_line(newsroom, small_disk, run_cli,
                                                       snapshot, article_text):
    before = disk_site(newsroom, small_disk, run_cli, snapshot, cache=False)
    edit(newsroom, article_text)
    remount(small_disk, "ro")
    try:
        result = run_cli(["build"], cwd=newsroom)
        assert result.code == 1 and len(result.err.splitlines()) == 1, result.err
        assert result.err.endswith(": cannot write: Read-only file system\n")
        assert snapshot(small_disk / "site") == before
    finally:
        remount(small_disk, "rw")


def test_a_full_disk_when_saving_the_cache_keeps_the_new_site_and_says_so(
        newsroom, small_disk, run_cli, snapshot, article_text):
    disk_site(newsroom, small_disk, run_cli, snapshot)
    edit(newsroom, article_text)
    process = build_process(newsroom, fault="stop:stage.cache")
    code, err = stopped_then(process, lambda: fill(small_disk, 0))
    assert code == 0, err
    assert "Traceback" not in err
    assert "the build cache could not be written (No space left on device)" in err
    assert (small_disk / "site/en/world/new/index.html").is_file()
    assert not [p for p in small_disk.rglob("*.tmp")], "a half-written cache file"
    (small_disk / "ballast").unlink()
    assert run_cli(["build"], cwd=newsroom).code == 0


@pytest.mark.parametrize("kind", ["clean", "incremental"])
def test_a_full_disk_under_the_cache_while_the_sources_are_read_still_builds_the_site(
        newsroom, small_disk, run_cli, snapshot, article_text, tmp_path, kind):
    """The cache's disk fills as a build starts reading its sources, whose front matter
    and settled rows wait in temporary files beside the store (issue 19): they stay in
    memory instead, the site is built whole, and the cache's failure is one warning
    (main: the build failed with "error: cannot write: No space left on device", no
    folder named)."""
    toml = newsroom / "dateline.toml"
    toml.write_text(toml.read_text(encoding="utf-8")
                    + f'\n[paths]\ncache = "{small_disk}/cache"\n', encoding="utf-8")
    assert run_cli(["build"], cwd=newsroom).code == 0
    edit(newsroom, article_text)
    args = ["--clean"] if kind == "clean" else []
    process = build_process(newsroom, *args, fault="stop:stage.read")
    code, err = stopped_then(process, lambda: fill(small_disk, 0))
    assert code == 0, err
    [warning] = err.splitlines()
    assert warning == (f"warning: {small_disk}/cache/: the build cache could not be written "
                       "(No space left on device); the site is complete, and the next "
                       "build starts afresh"), err
    (small_disk / "ballast").unlink()
    expected = tmp_path / "expected"
    assert run_cli(["build", "--clean", "--out", expected], cwd=newsroom).code == 0
    built, made = snapshot(newsroom / "site"), snapshot(expected)
    for files in (built, made):  # (each build's own id)
        files.pop(".dateline-output")
    assert "en/world/new/index.html" in built and built == made
