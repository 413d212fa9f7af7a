"""A build killed at any moment of its commit leaves a whole site: a real `python
build.py` is stopped at each commit step (`DATELINE_FAULT=stop:commit#N`, see
`dateline/build/faults.py`) and its process group killed there with SIGKILL. Then `site/`
exists, every page a reader can reach links only to files it has, a full build's swap
left the whole old site or the whole new one, the next command (any of them) finishes
the commit, and the next build equals a clean one with no staging folder left."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from dateline import cli
from tests.conftest import parse_html_text

REPO = Path(__file__).resolve().parents[1]

# One worker runs the whole module (`--dist loadgroup`, pyproject.toml), so its
# module fixtures are made once: the old and new sites (three command-line builds), once per run.
pytestmark = pytest.mark.xdist_group("crash_safety")
BASE = "https://news.example.org/"

CONFIG = f"""\
[site]
base_url = "{BASE}"
default_language = "en"
timezone = "Europe/Prague"

[languages.en]
title = "The Example Herald"
about = "The Example Herald reports from places where the press is not free."
"""

LINKING = [("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
           ("source", "srcset"), ("img", "srcset")]


def story(title: str, date: str, body: str, tags: str = "[elections]") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n---\n\n{body}\n"


BEFORE = {
    "dateline.toml": CONFIG,
    "content/en/world/vote.md": story("Vote", "2025-03-01T10:00:00+01:00", "Polls closed."),
    "content/en/world/count.md": story("Count", "2025-03-02T10:00:00+01:00", "Counting.",
                                       "[elections, counting]"),
    "content/en/economy/budget.md": story("Budget", "2025-03-03T10:00:00+01:00", "Cuts."),
}
"""The site before; the edit below adds a story in a new section with a new tag, changes
one, and removes one (and with it the only use of a tag)."""

EDIT = {
    "content/en/world/vote.md": story("Vote", "2025-03-01T10:00:00+01:00",
                                      "Polls closed. See [the protest](/en/culture/march/)."),
    "content/en/culture/march.md": story("March", "2025-03-04T10:00:00+01:00", "Marchers.",
                                         "[protests]"),
}
REMOVED = "content/en/world/count.md"


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` but the output marker (whose build id differs)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".dateline-output"}


def staging_left(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site-"))


def dateline(root: Path, *args: str, fault: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("DATELINE_FAULT", None)
    if fault:
        env["DATELINE_FAULT"] = fault
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), *args], cwd=root,
                            env=env, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    process = dateline(root, *args)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def finish(root: Path, *args: str) -> None:
    """The command after a kill, in this process (`dateline.cli.main`, in `root`): what
    it does with the commit a killed build left is on disk, not in either process. Only
    the builds killed run as processes of their own (a subprocess costs a second each)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    assert code == 0, err.getvalue()


def killed_at(root: Path, fault: str, *args: str) -> bool:
    """Run a build that stops at `fault`; kill its process group there. False when the
    build never reached that step (it ran to the end)."""
    process = dateline(root, *args, fault=fault)
    _pid, status = os.waitpid(process.pid, os.WUNTRACED)
    if os.WIFSTOPPED(status):
        os.killpg(process.pid, signal.SIGKILL)
        os.waitpid(process.pid, 0)
        process.returncode = -9  # reaped here: Popen must not wait for it again
        process.stdout.close()
        process.stderr.close()
        return True
    process.returncode = os.waitstatus_to_exitcode(status)
    err = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == 0, err
    return False


def local_file(site: Path, page: str, url: str) -> str | None:
    """The file under `site` an internal link of `page` points at, or None (external)."""
    page_url = BASE + page.removesuffix("index.html")
    absolute = urljoin(page_url, url.strip())
    if not absolute.startswith(BASE):
        return None
    path = urlsplit(absolute).path.removeprefix(urlsplit(BASE).path)
    return path + "index.html" if path == "" or path.endswith("/") else path


def links_of(site: Path, page: str) -> set[str]:
    tree = parse_html_text((site / page).read_text(encoding="utf-8"))
    found = set()
    for tag, attribute in LINKING:
        for node in tree.find_all(tag):
            value = node.get(attribute)
            if not value:
                continue
            urls = [c.split()[0] for c in value.split(",")] if attribute == "srcset" \
                else [value]
            for url in urls:
                target = local_file(site, page, url)
                if target is not None:
                    found.add(target)
    return found


def assert_links_resolve(site: Path, entry_pages: set[str]) -> int:
    """Every internal link of every page a reader can reach from `entry_pages` resolves
    to a file the folder has. Returns the number of pages checked."""
    todo, seen = [p for p in sorted(entry_pages) if (site / p).is_file()], set()
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        for target in links_of(site, page):
            assert (site / target).is_file(), f"{page} links to missing {target}"
            if target.endswith(".html"):
                todo.append(target)
    return len(seen)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The old site (built), the new one (built clean elsewhere), and a pristine copy of
    the site folder with its cache to start each trial from."""
    base = tmp_path_factory.mktemp("crash")
    expected = base / "expected"
    write(expected, BEFORE)
    run(expected, "build")
    old = files_of(expected / "site")
    write(expected, EDIT)
    (expected / REMOVED).unlink()
    run(expected, "build", "--clean")
    new = files_of(expected / "site")
    # Built where the trials run (the cache knows the output folder by its path), then
    # put aside.
    trial, pristine = base / "trial", base / "pristine"
    write(trial, BEFORE)
    run(trial, "build")
    trial.rename(pristine)
    return pristine, old, new


def fresh(sites, tmp_path) -> Path:
    """The pristine site folder, copied to the same place every time (the cache knows
    the output folder by its path), with the edit applied."""
    pristine, _old, _new = sites
    root = pristine.parent / "trial"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(pristine, root, symlinks=True)
    write(root, EDIT)
    (root / REMOVED).unlink()
    return root


NEXT_COMMANDS = [("translations",), ("i18n", "status"),
                 ("check", "--skip", "html,a11y,hreflang"), ("build",)]


def test_a_build_killed_at_every_step_of_an_incremental_commit(sites, tmp_path):
    _pristine, old, new = sites
    changed = {f for f in new if old.get(f) != new[f]} | (set(old) - set(new))
    assert len(changed) >= 8  # the edit touches pages, listings, feeds and sitemaps
    # Pages of both sites, and every page reachable from them: a page only the new site
    # has is reached once a changed page links to it, and a removed one is unreachable
    # once every changed page is in place.
    lasting = {f for f in old if f.endswith(".html") and f in new}
    step = 0
    while True:
        step += 1
        root = fresh(sites, tmp_path)
        if not killed_at(root, f"stop:commit#{step}", "build"):
            break
        site = root / "site"
        assert site.is_dir(), f"step {step}: no site/"
        now = files_of(site)
        assert len(now) > 10, f"step {step}: {sorted(now)}"
        for file, data in now.items():
            assert data in (old.get(file), new.get(file)), f"step {step}: {file} is neither"
        assert assert_links_resolve(site, lasting) >= len(lasting)
        [staging] = staging_left(root)  # with the commit record, which survives the kill
        assert staging.startswith(".site-changes-"), "not an incremental build"
        # The next command, whichever it is, finishes the commit before anything else.
        command = NEXT_COMMANDS[step % len(NEXT_COMMANDS)]
        finish(root, *command)
        assert staging_left(root) == [], f"step {step}, after {command}"
        assert files_of(site) == new, f"step {step}: {command} did not finish the commit"
        if command != ("build",):
            finish(root, "build")
        assert files_of(site) == new
        assert staging_left(root) == []
    # A step after the record, after each file moved and each removed, after the marker
    # and after dropping the record.
    assert step == len(changed) + 4, "the build did not stop at each of its commit steps"


@pytest.mark.parametrize("swap", ["exchange", "two renames"])
def test_a_full_build_killed_at_every_step_of_its_swap(sites, tmp_path, swap):
    _pristine, old, new = sites
    extra = ",skip:exchange" if swap == "two renames" else ""
    step = 0
    while True:
        step += 1
        root = fresh(sites, tmp_path)
        if not killed_at(root, f"stop:commit#{step}{extra}", "build", "--clean"):
            break
        site = root / "site"
        if swap == "exchange" or step != 2:
            assert site.is_dir(), f"step {step}: no site/"
            assert files_of(site) in (old, new), f"step {step}: a mixed site"
        # else killed between the two renames: no site/ until the next command.
        finish(root, *NEXT_COMMANDS[step % len(NEXT_COMMANDS)])
        assert site.is_dir()
        assert files_of(site) in (old, new)
        finish(root, "build")
        assert files_of(site) == new
        assert staging_left(root) == []
    assert step == 3  # before the swap, and between its two steps


def test_a_running_build_keeps_its_staging_folder(sites, tmp_path):
    """A build started while another one is still rendering never touches its staging
    folder; the paused one then commits normally."""
    _pristine, _old, new = sites
    root = fresh(sites, tmp_path)
    paused = dateline(root, "build", "--clean", fault="stop:stage.writing")
    _pid, status = os.waitpid(paused.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)
    try:
        [staging] = staging_left(root)
        run(root, "translations")
        run(root, "build", "--out", "other")
        assert staging_left(root) == [staging]
    finally:
        os.killpg(paused.pid, signal.SIGCONT)
    _out, err = paused.communicate(timeout=120)
    assert paused.returncode == 0, err
    assert files_of(root / "site") == new
    assert staging_left(root) == []


def test_only_dateline_staging_folders_of_dead_builds_are_removed(sites, tmp_path):
    root = fresh(sites, tmp_path)
    mine = root / ".site-new-mine"  # a folder of the user's with a look-alike name
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    leftover = root / ".site-changes-abc123"
    (leftover / "tree/en").mkdir(parents=True)
    (leftover / ".dateline-staging").write_text(f"pid: {dead.stdout.strip()}\n",
                                                encoding="utf-8")
    (leftover / "tree/en/index.html").write_bytes(b"half")
    run(root, "build")
    assert staging_left(root) == [".site-new-mine"]
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep"
