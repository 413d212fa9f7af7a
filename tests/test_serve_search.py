"""`python build.py serve` with search on (the default), stopped after an edit: by Ctrl+C
sent to the server alone (a script's `kill -INT`), or to its whole process group (a
terminal's Ctrl+C, which reaches Pagefind too) while the edit's bucket is being indexed.
Either way the command ends within a bound, says one line, and leaves no process of its
group (Pagefind included) and no preview or staging folder behind."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dateline
from dateline import shipped_path

BUILD_PY = Path(dateline.__file__).resolve().parent.parent / "build.py"
EDITED = "content/en/world/story-0.md"
STOPPED = "stopped; preview folder removed"
BOUND = 10.0
"""Seconds the command may take to end after the signal (it takes well under one)."""


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_site, article_text) -> Path:
    """Enough articles that indexing the edit's bucket takes a while (~0.1 to 0.3 s)."""
    stories = {f"content/en/world/story-{n}.md": article_text(
        title=f"Story {n}", body=f"Paragraph {n} about the count in Karsk.\n" * 40)
        for n in range(150)}
    root = make_site(tmp_path_factory.mktemp("search") / "site", stories)
    shutil.copytree(shipped_path("themes") / "default", root / "themes" / "default")
    return root


def start(root: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, str(BUILD_PY), "serve", "--config", str(root / "dateline.toml"),
         "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    lines = []
    while line := process.stdout.readline():
        lines.append(line)
        if re.search(r"^serving http://127\.0\.0\.1:\d+/", line):
            return process
    process.kill()
    pytest.fail(f"never served: {lines} {process.stderr.read()}")


def edit(root: Path, number: int) -> None:
    with open(root / EDITED, "a", encoding="utf-8") as source:
        source.write(f"\nEditor's note {number}: the ministry confirmed the figures.\n")


def wait_for_rebuild(process: subprocess.Popen) -> str:
    while line := process.stdout.readline():
        if " written in " in line or "build failed" in line:
            return line
    pytest.fail(f"no rebuild reported: {process.stderr.read()}")


def group(pgid: int) -> list[str]:
    """The processes of a process group, as `pid command`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            found.append(f"{pid} {command.decode(errors='replace')}")
    return found


def stopped(process: subprocess.Popen, root: Path) -> tuple[float, str, str, list[str]]:
    """(seconds to end, what it printed after the signal, its errors, what is left of its
    group): killed, with its group, after `BOUND`."""
    started = time.monotonic()
    try:
        out, err = process.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        out, err = f"still running {BOUND} s after the signal", ""
    took = time.monotonic() - started
    deadline = time.monotonic() + 2  # a process ending is reaped by its parent
    while (left := group(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if process.poll() is None or left:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    return took, out, err, left


def preview_leftovers(root: Path) -> list[str]:
    preview = root / ".dateline-preview"
    return sorted(p.name for p in preview.iterdir()) if preview.exists() else []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_to_the_server_after_an_edit_ends_every_process(site):
    process = start(site)
    edit(site, 0)
    assert " written in " in wait_for_rebuild(process)
    process.send_signal(signal.SIGINT)
    took, out, err, left = stopped(process, site)
    assert took < BOUND and not left, (took, out, left)
    assert out.strip() == STOPPED and err == "", (out, err)
    assert process.returncode == 0
    assert preview_leftovers(site) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("attempt", range(4))
def test_ctrl_c_to_the_group_while_the_edit_is_indexed_says_one_line(site, attempt):
    """The terminal's Ctrl+C ends Pagefind mid-index too: the build it fails is not
    news. At a different moment of the rebuild each attempt (its debounce is 0.1 s)."""
    process = start(site)
    edit(site, attempt)
    time.sleep(0.12 + 0.06 * attempt)
    os.killpg(process.pid, signal.SIGINT)
    took, out, err, left = stopped(process, site)
    assert took < BOUND and not left, (took, out, left)
    assert "Traceback" not in err
    assert out.strip().splitlines()[-1] == STOPPED, out
    assert "build failed" not in out + err and "Pagefind" not in err, (out, err)
    assert process.returncode == 0
    assert preview_leftovers(site) == []
