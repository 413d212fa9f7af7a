#!/usr/bin/env python3
"""Benchmark Dateline against Hugo and Pelican on one generated newsroom corpus.

    python bench/run.py [--stories 1000] [--languages 3] [--jobs 0] [--repeat 1]
                        [--cluster local:2]
                        [--keep DIR] [--skip-peers] [--skip-serve]
                        [--peer-photos process|copy] [--pss-budget 0.05]
                        [--only cold,no-change,edit,retitle,fresh-clone,template,cached]

Every build runs as a separate process, timed with time.perf_counter, while a sampler
reads /proc every ~10 ms and sums, over the process and all its descendants, the resident
memory (VmRSS; the peak of that sum is "peak tree") and the proportional set size (Pss
from smaps_rollup, which splits shared pages among the processes sharing them; its peak
is "peak tree PSS"); the largest VmHWM of any one of them is "max proc". Scenarios, each
on the same corpus: cold (no output, no cache), rebuild with nothing changed, rebuild
after appending a sentence to one article, rebuild after appending an HTML comment to the
card template; for Dateline also after changing one article's title in its front matter
("one article retitled"); for Dateline, and for Hugo when it makes the photo renditions too
(--peer-photos process, the default), also a cold build whose photo renditions are still
cached. With --repeat N every scenario runs N times (tools interleaved within each round)
and the median counts. --only runs a subset (the cold build always runs).
Then, once, the one-file rebuild inside `hugo server` and inside `dateline serve`.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
MAIN = BENCH.parent
# bench/pelican.py would shadow the real Pelican package: keep bench/ off the import path
# and load the helpers by file name.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _load("bench_corpus", "corpus.py")
hugo_site = _load("bench_hugo", "hugo.py")
pelican_site = _load("bench_pelican", "pelican.py")
baseline = _load("bench_against", "against.py")

MIB = 1024 * 1024
TIMEOUT = 1800
SCENARIOS = ("cold", "no change", "one article edited", "one template edited")
PHOTOS_CACHED = "cold, renditions cached"


# ----- measuring one process tree


PSS = os.path.exists("/proc/self/smaps_rollup")
"""Linux 4.14 or later: one read gives a process's Pss (else the PSS column stays empty)."""
PSS_BUDGET = 0.05
"""Default share of one core the Pss reads may take (--pss-budget). Reading smaps_rollup
walks the process's page tables: ~12 µs per resident MiB on the 2-core bench machine
(7 ms for a 600 MiB process), against ~16 µs for a whole status file. A tree read that
took t seconds of CPU is not read again for t / budget seconds (~40 ms apart for a tree
of 150 MiB, ~140 ms for 600 MiB), so the sampler does not slow the build it measures;
VmRSS is still read every sample."""


class TreeSampler(threading.Thread):
    """Peak summed VmRSS and Pss of a process and its descendants, sampled every
    `interval`; also how often it really sampled and the CPU time it took."""

    pss_budget = PSS_BUDGET
    """Share of one core for the Pss reads; 0: none."""

    def __init__(self, root: int, interval: float = 0.01):
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.parents: dict[int, int] = {}
        self.peak_tree = 0
        self.peak_pss = 0
        self.peak_single = 0
        self.most_processes = 0
        self.samples = 0
        self.pss_samples = 0
        self.pss_next = 0.0
        self.longest_gap = 0.0
        self.seconds = 0.0
        self.cpu = 0.0
        self.stopping = threading.Event()

    def run(self) -> None:
        cpu, begun = time.thread_time(), time.perf_counter()
        last = begun
        while not self.stopping.is_set():
            self.sample()
            now = time.perf_counter()
            if self.samples:
                self.longest_gap = max(self.longest_gap, now - last)
            self.samples += 1
            last = now
            self.stopping.wait(self.interval)
        self.seconds = time.perf_counter() - begun
        self.cpu = time.thread_time() - cpu

    def stop(self) -> None:
        self.stopping.set()
        self.join()

    def sample(self) -> None:
        alive = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        known = self.parents
        for pid in set(known) - set(alive):
            del known[pid]
        for pid in alive:
            if pid not in known:
                try:
                    with open(f"/proc/{pid}/stat", "rb") as handle:
                        known[pid] = int(handle.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        children: dict[int, list[int]] = {}
        for pid, parent in known.items():
            children.setdefault(parent, []).append(pid)
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        total, members = 0, []
        for pid in tree:
            try:
                with open(f"/proc/{pid}/status", "rb") as handle:
                    status = handle.read()
                rss = int(status.split(b"VmRSS:", 1)[1].split()[0]) * 1024
                hwm = int(status.split(b"VmHWM:", 1)[1].split()[0]) * 1024
            except (OSError, IndexError, ValueError):
                continue  # gone, or a zombie without memory
            total += rss
            members.append(pid)
            # VmHWM restarts at exec, unlike ru_maxrss, which would include the forked
            # copy of this script that the child was before it became the build.
            self.peak_single = max(self.peak_single, hwm)
        self.peak_tree = max(self.peak_tree, total)
        self.most_processes = max(self.most_processes, len(tree))
        # Pss <= Rss in every process, so a tree whose RSS sum is not above the PSS peak
        # cannot make a new one: skip the costly read then.
        now = time.perf_counter()
        if self.pss_budget > 0 and total > self.peak_pss and now >= self.pss_next:
            cpu = time.thread_time()
            pss = 0
            for pid in members:
                # Each page counts 1/n in each of the n processes that map it: pages a
                # forked worker still shares with its parent count once over the tree.
                try:
                    with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
                        rollup = handle.read()
                    pss += int(rollup.split(b"\nPss:", 1)[1].split()[0]) * 1024
                except (OSError, IndexError, ValueError):
                    pass  # gone since its status was read
            self.peak_pss = max(self.peak_pss, pss)
            self.pss_samples += 1
            self.pss_next = now + (time.thread_time() - cpu) / self.pss_budget


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    cpu: float = 0.0
    """User and system CPU seconds of the build and every process it waited for (its
    workers): steadier than wall time on a machine shared with other work."""
    peak_tree: int = 0
    peak_pss: int = 0
    peak_single: int = 0
    processes: int = 0
    pages: int = 0
    written: int = 0
    samples: int = 0
    """Memory samples taken (Pss read in `pss_samples` of them), over `sampled` seconds;
    the longest gap between two; the sampler thread's CPU seconds."""
    pss_samples: int = 0
    sampled: float = 0.0
    longest_gap: float = 0.0
    sampler_cpu: float = 0.0
    store: int = 0
    """Bytes of the tool's build cache on disk after the build, its photo renditions left
    out (`Tool.store`)."""


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Relative path → (mtime_ns, size, inode) of every file under `folder`."""
    found = {}
    if folder.is_dir():
        for directory, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                found[os.path.relpath(path, folder)] = (stat.st_mtime_ns, stat.st_size,
                                                        stat.st_ino)
    return found


def count_pages(folder: Path) -> int:
    """index.html files under `folder`, less redirect stubs (Hugo's page/1/ aliases)."""
    pages = 0
    for directory, _, files in os.walk(folder):
        if "index.html" not in files:
            continue
        path = Path(directory, "index.html")
        if path.stat().st_size < 2048 and b'http-equiv="refresh"' in path.read_bytes():
            continue
        pages += 1
    return pages


def measure(command: list[str], cwd: Path, output: Path, log: Path) -> Run:
    """Run `command` once in `cwd`; time it and sample its memory."""
    before = snapshot(output)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log.with_suffix(".out"), "w+b") as out, open(log.with_suffix(".err"), "w+b") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        sampler = TreeSampler(process.pid)
        sampler.start()
        deadline = threading.Timer(TIMEOUT, _kill_group, (process.pid,))
        deadline.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            seconds = time.perf_counter() - started
            deadline.cancel()
            sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    after = snapshot(output)
    written = sum(1 for name, key in after.items() if before.get(name) != key)
    return Run(seconds, process.returncode, stdout, stderr,
               cpu=usage.ru_utime + usage.ru_stime,
               peak_tree=sampler.peak_tree, peak_pss=sampler.peak_pss,
               peak_single=sampler.peak_single,
               processes=sampler.most_processes,
               pages=count_pages(output) if output.is_dir() else 0, written=written,
               samples=sampler.samples, pss_samples=sampler.pss_samples,
               sampled=sampler.seconds,
               longest_gap=sampler.longest_gap, sampler_cpu=sampler.cpu)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # our own child's session, started above
    except ProcessLookupError:
        pass


def tail(text: str, lines: int = 15) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines()[-lines:])


# ----- the three generators


@dataclass
class Tool:
    name: str
    root: Path
    command: list[str]
    output: Path
    cold: tuple[str, ...]
    template: Path
    photo_cache: str = ""
    """The tool's own cache of photo renditions, inside something `cold` removes; "" when
    the tool makes no renditions."""
    store: str = ""
    """The tool's build cache folder, whose size the table shows (less `photo_cache`)."""
    version: str = ""
    runs: dict[str, list[Run]] = field(default_factory=dict)
    failed: str = ""
    serve: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    """server label → [(ms the tool reports, ms from the edit to its log line)]."""

    def remove(self, names, keep: str = "") -> None:
        """Remove `names` (relative paths), all but `keep` and the folders leading to it."""
        for name in names:
            _remove_except(self.root / name, self.root / keep if keep else None)

    def build(self, scenario: str, logs: Path, round_: int) -> Run | None:
        if self.failed:
            return None
        slug = re.sub(r"\W+", "-", scenario)
        result = measure(self.command, self.root, self.output,
                         logs / f"{self.name.lower()}-{slug}-{round_}")
        if result.returncode != 0:
            self.failed = f"{scenario}: exit status {result.returncode}"
            print(f"  ! {self.name} {scenario} failed (exit {result.returncode}); stderr tail:")
            print(tail(result.stderr or result.stdout))
            return None
        result.store = store_bytes(self.root / self.store,
                                   self.root / self.photo_cache) if self.store else 0
        self.runs.setdefault(scenario, []).append(result)
        print(f"  {self.name:<8} {scenario:<24} {result.seconds:8.2f} s {result.cpu:7.2f} s CPU  "
              f"{result.pages:6d} pages  {result.written:6d} files written  "
              f"{result.peak_tree / MIB:7.0f} MiB tree"
              + (f" {result.peak_pss / MIB:6.0f} MiB PSS" if TreeSampler.pss_budget > 0 else ""),
              flush=True)
        return result


def store_bytes(folder: Path, leave_out: Path) -> int:
    """The bytes of the files under `folder`, those under `leave_out` left out."""
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and leave_out not in p.parents)


def _remove_except(path: Path, keep: Path | None) -> None:
    if path == keep:
        return
    if path.is_dir() and not path.is_symlink():
        if keep is not None and keep.is_relative_to(path):
            for child in path.iterdir():
                _remove_except(child, keep)
        else:
            shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


FRESH_CLONE = "fresh clone, one edit"
RETITLE = "one article retitled"
"""Its title changed in its front matter: listings, feeds and sitemaps show it."""


def touch_all(folder: Path, skip: tuple[str, ...] = ()) -> None:
    """Give every file under `folder` (but the top-level folders in `skip`) a new
    modification time, as `git clone` does."""
    now = time.time()
    for path in folder.rglob("*"):
        if path.is_file() and path.relative_to(folder).parts[0] not in skip:
            os.utime(path, (now, now))


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


class Edits:
    """The same edits for every tool: a sentence appended to one article, an HTML comment
    appended to the card template."""

    def __init__(self, article: str):
        self.article = article
        self.count = 0

    def article_edit(self, tool: Tool) -> Path:
        self.count += 1
        path = tool.root / self.article
        append(path, f"\nEditor's note {self.count}: the ministry confirmed the figures "
                     "on Tuesday.\n")
        return path

    def retitle(self, tool: Tool) -> None:
        self.count += 1
        path = tool.root / self.article
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('title: "', f'title: "Update {self.count}: ', 1),
                        encoding="utf-8")

    def template_edit(self, tool: Tool) -> None:
        self.count += 1
        append(tool.template, f"<!-- benchmark edit {self.count} -->\n")


ALL_SCENARIOS = (*SCENARIOS[:3], RETITLE, FRESH_CLONE, SCENARIOS[3], PHOTOS_CACHED)


def round_of(tool: Tool, edits: Edits, logs: Path, number: int,
             only: frozenset[str] = frozenset(ALL_SCENARIOS)) -> None:
    """Every scenario in `only` (the cold build always runs: the others start from it),
    each after its edit; an edit whose build is left out is not made."""
    tool.remove(tool.cold)
    tool.build("cold", logs, number)
    if "no change" in only:
        tool.build("no change", logs, number)
    if "one article edited" in only:
        edits.article_edit(tool)
        tool.build("one article edited", logs, number)
    if tool.name.startswith("Dateline"):
        if RETITLE in only:
            edits.retitle(tool)
            tool.build(RETITLE, logs, number)
        if FRESH_CLONE in only:
            # A CI runner's fresh `git clone` with the cache and site/ restored: every
            # file's modification time is new (content, theme, catalogs, config), one
            # article's bytes are.
            touch_all(tool.root, skip=tool.cold)
            edits.article_edit(tool)
            tool.build(FRESH_CLONE, logs, number)
    if "one template edited" in only:
        edits.template_edit(tool)
        tool.build("one template edited", logs, number)
    if PHOTOS_CACHED not in only:
        return
    if tool.photo_cache and (tool.root / tool.photo_cache).is_dir():
        # What a cold build removes, less the photo renditions the tool has cached.
        tool.remove(tool.cold, keep=tool.photo_cache)
        tool.build(PHOTOS_CACHED, logs, number)


# ----- servers: one-file rebuild inside `hugo server` and `dateline serve`


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A preview server as a child process whose output lines arrive on a queue."""

    def __init__(self, command: list[str], cwd: Path):
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        text=True, encoding="utf-8", errors="replace",
                                        start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pattern: str, timeout: float) -> re.Match | None:
        expression = re.compile(pattern)
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            self.seen.append(line)
            if match := expression.search(line):
                return match
        return None

    def drain(self) -> None:
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return
            if line is None:
                return
            self.seen.append(line)

    def stop(self, label: str) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                print(f"  ! {label}: still running 15 s after Ctrl+C (SIGINT); killed")
                _kill_group(self.process.pid)
                self.process.wait()


def server_edits(tool: Tool, label: str, command: list[str], ready: str, rebuilt: str,
                 edits: Edits, url: str | None, times: int = 3) -> None:
    """Start a server, edit one article `times` times, read each rebuild's duration."""
    server = Server(command, tool.root)
    try:
        if server.wait_for(ready, 600) is None:
            print(f"  ! {label}: never became ready; skipped. Output tail:")
            print(tail("\n".join(server.seen)))
            return
        time.sleep(1.0)
        server.drain()
        if url is not None:  # the page an editor has open (Hugo's fast render needs it)
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
        results = []
        for _ in range(times):
            time.sleep(1.5)
            server.drain()
            edited = time.perf_counter()
            edits.article_edit(tool)
            match = server.wait_for(rebuilt, 120)
            if match is None:
                print(f"  ! {label}: no rebuild line within 120 s; skipped. Output tail:")
                print(tail("\n".join(server.seen)))
                return
            observed = (time.perf_counter() - edited) * 1000
            results.append((float(match.group(1)), observed))
        tool.serve[label] = results
        reported = statistics.median(r[0] for r in results)
        observed = statistics.median(r[1] for r in results)
        print(f"  {label:<42} {reported:8.0f} ms reported, {observed:6.0f} ms from the "
              f"edit to the log line (median of {times})", flush=True)
    finally:
        server.stop(label)


# ----- report


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 100 else f"{seconds:.1f}"


def median_run(runs: list[Run]) -> tuple[float, Run]:
    seconds = statistics.median(r.seconds for r in runs)
    return seconds, runs[-1]


def table(tool: Tool, repeat: int) -> None:
    print(f"\n{tool.name} {tool.version}".rstrip())
    header = (f"  {'build':<26}{'seconds':>9}{'CPU s':>8}{'pages':>8}{'pages/s':>9}{'written':>9}"
              f"{'peak tree MiB':>15}{'peak tree PSS MiB':>19}{'max proc MiB':>14}"
              f"{'procs':>7}{'store MiB':>11}")
    print(header)
    for scenario, runs in tool.runs.items():
        seconds, last = median_run(runs)
        tree = statistics.median(r.peak_tree for r in runs) / MIB
        pss = (f"{statistics.median(r.peak_pss for r in runs) / MIB:.0f}"
               if TreeSampler.pss_budget > 0 else "—")
        single = statistics.median(r.peak_single for r in runs) / MIB
        spread = ("  [" + " ".join(fmt_s(r.seconds) for r in runs) + "]") if repeat > 1 else ""
        cpu = statistics.median(r.cpu for r in runs)
        print(f"  {scenario:<26}{fmt_s(seconds):>9}{fmt_s(cpu):>8}{last.pages:>8}"
              f"{last.pages / seconds:>9.0f}{last.written:>9}{tree:>15.0f}{pss:>19}"
              f"{single:>14.0f}{max(r.processes for r in runs):>7}"
              f"{(f'{last.store / MIB:.1f}' if last.store else '—'):>11}{spread}")
    if tool.failed:
        print(f"  (stopped after a failure: {tool.failed})")


def ratios(dateline: Tool, peers: list[Tool]) -> None:
    peers = [p for p in peers if p.runs]
    if not peers:
        return
    print("\nDateline / peer (wall time and memory, medians; below 1 means Dateline is "
          "faster or smaller)")
    names = "".join(f"{p.name + ' s':>12}" for p in peers)
    over = "".join(f"{'D/' + p.name:>11}" for p in peers)
    print(f"  {'scenario':<30}{'Dateline s':>11}{names}{over}")

    def value(tool: Tool, scenario: str) -> float | None:
        runs = tool.runs.get(scenario)
        return statistics.median(r.seconds for r in runs) if runs else None

    for scenario in SCENARIOS:
        ours = value(dateline, scenario)
        theirs = [value(p, scenario) for p in peers]
        cells = "".join(f"{fmt_s(t) if t else '—':>12}" for t in theirs)
        parts = "".join(f"{ours / t:>11.2f}" if ours and t else f"{'—':>11}" for t in theirs)
        print(f"  {scenario:<30}{fmt_s(ours) if ours else '—':>11}{cells}{parts}")
    ours = value(dateline, PHOTOS_CACHED)
    if ours:
        # Against the peer's own build with its renditions cached where it makes them,
        # else against its cold build (it makes no renditions).
        theirs = [value(p, PHOTOS_CACHED) or value(p, "cold") for p in peers]
        cells = "".join(f"{fmt_s(t) if t else '—':>12}" for t in theirs)
        parts = "".join(f"{ours / t:>11.2f}" if t else f"{'—':>11}" for t in theirs)
        print(f"  {'cold, renditions cached*':<30}{fmt_s(ours):>11}{cells}{parts}")

    def peak(tool: Tool, key: str) -> float:
        return max(statistics.median(getattr(r, key) for r in runs)
                   for runs in tool.runs.values()) / MIB

    for label, key in (("peak tree RSS sum MiB, max†", "peak_tree"),
                       ("peak tree PSS sum MiB, max†", "peak_pss")):
        if key == "peak_pss" and TreeSampler.pss_budget <= 0:
            continue
        ours = peak(dateline, key)
        cells = "".join(f"{peak(p, key):>12.0f}" for p in peers)
        parts = "".join(f"{ours / peak(p, key):>11.2f}" if peak(p, key) else f"{'—':>11}"
                        for p in peers)
        print(f"  {label:<30}{ours:>11.0f}{cells}{parts}")
    if value(dateline, PHOTOS_CACHED):
        against = "; ".join(
            f"{p.name}: its build with its renditions cached" if value(p, PHOTOS_CACHED)
            else f"{p.name}: its cold build" for p in peers)
        print(f"  * Dateline's cold build with its photo renditions cached, against\n"
              f"    {against}")
    print("  † the largest median peak over the scenarios; RSS sum counts pages shared by "
          "forked\n    workers once per process, PSS sum splits them among the sharers")

    hugo = next((p for p in peers if p.name == "Hugo"), None)
    if dateline.serve and hugo is not None and hugo.serve:
        print("\nOne-file rebuild inside the preview server (median ms: reported / edit → log)")
        servers = [("dateline serve", dateline)] + [
            (f"{p.name} serve", p) for p in peers if p.name.startswith("Dateline@") and p.serve]
        for name, tool in servers:
            mine = next(iter(tool.serve.values()))
            m_rep = statistics.median(r[0] for r in mine)
            m_obs = statistics.median(r[1] for r in mine)
            for label, results in hugo.serve.items():
                h_rep = statistics.median(r[0] for r in results)
                h_obs = statistics.median(r[1] for r in results)
                print(f"  {name} {m_rep:.0f} / {m_obs:.0f}  vs  {label} {h_rep:.0f} / "
                      f"{h_obs:.0f}  →  D/Hugo {m_rep / h_rep:.2f} reported, "
                      f"{m_obs / h_obs:.2f} edit → log")


PHOTO_NOTES = {
    "process": """\
  - Photos: for every lead photo Dateline encodes (Pillow, Lanczos, quality 80, metadata
    stripped) WebP and JPEG renditions 480, 960 and 1600 px wide for the article (never
    wider than the photo) and 16:9 centre crops 480 and 960 px wide for listing cards,
    decoding each photo once, into .dateline-cache/photos. Hugo makes the same renditions
    with its own image processing from assets/images/ (resources.Get, .Resize/.Fill with
    webp/jpg q80, Hugo's default Box resampling, anchor Center) into resources/_gen/images, and
    publishes only the renditions; both emit <picture> with WebP and JPEG srcsets. Hugo's
    JPEG encoder (Go's) writes baseline JPEG, Dateline's Pillow writes progressive,
    Huffman-optimized JPEG. Pelican has no built-in image processing: it copies the
    original photos. Cold builds remove each tool's rendition cache; the other builds
    reuse it. "cold, renditions cached" is a cold build whose renditions are still cached
    (Dateline and Hugo).""",
    "copy": """\
  - Photos (--peer-photos copy): Dateline decodes each photo once and encodes resized JPEG
    and WebP renditions (Pillow) into its cache; Hugo and Pelican only copy the original
    photos here. The "cold, renditions cached" row is Dateline's cold build whose
    renditions are still in the cache, against the peers' cold builds.""",
}

NOTES = """
  - Heads: Dateline writes Open Graph, Twitter card and JSON-LD (NewsArticle, breadcrumbs);
    Hugo uses its built-in _internal/opengraph.html, twitter_cards.html and schema.html
    (schema.org microdata meta tags) plus og:image and twitter:image lines of its own.
  - pages = index.html files in the output, less redirect stubs (Hugo's page/1/ aliases and
    root redirect); written = files whose mtime, size or inode changed during the build.
  - peak tree = largest sum of VmRSS over the process and all its descendants (sampled
    every ~10 ms); forked workers share pages with their parent, so the sum counts shared
    pages more than once. peak tree PSS = largest sum of Pss (/proc/<pid>/smaps_rollup)
    over the same processes: a page mapped by n processes counts 1/n in each, so the
    shared pages count once (shared libraries also split with processes outside the tree).
    Reading Pss walks page tables (~12 µs per resident MiB), so it is read less often than
    VmRSS, within --pss-budget of one core, and only when the RSS sum is above the PSS
    peak so far (Pss <= Rss); the sampler line above says how often it was read.
    max proc = largest VmHWM (peak RSS) of any one process.
  - Hugo: `hugo --quiet`; cold removes public/ and resources/. Pelican: `pelican --quiet`
    with CACHE_CONTENT and LOAD_CONTENT_CACHE on (reader layer) and i18n_subsites; cold
    removes output/ and cache/; Pelican renders and writes every page on every run.
  - Servers: `hugo server` runs in its default fast-render mode with the edited page
    requested once (as if open in a browser), and with --disableFastRender; the time is its
    own "Total in N ms". `dateline serve` reports "written in N ms". Both also timed from
    the file write to the log line (includes the file watcher's delay).
"""


def notes(peer_photos: str) -> str:
    return "\nNotes\n" + PHOTO_NOTES[peer_photos] + NOTES.rstrip()


def sampler_summary(tools: list[Tool]) -> None:
    """How often the memory sampler really read /proc, and what it cost."""
    runs = [r for t in tools for rs in t.runs.values() for r in rs if r.samples > 1]
    if not runs:
        return
    intervals = [r.sampled / r.samples * 1000 for r in runs]
    gap = max(r.longest_gap for r in runs) * 1000
    seconds = sum(r.sampled for r in runs)
    cpu = sum(r.sampler_cpu for r in runs) / seconds * 100
    pss = sum(r.pss_samples for r in runs)
    print(f"\nMemory sampler: {sum(r.samples for r in runs)} samples in {len(runs)} builds, "
          f"mean interval {statistics.median(intervals):.1f} ms (median of the builds, "
          f"worst {max(intervals):.1f} ms), longest gap {gap:.0f} ms; Pss read in {pss} of "
          f"them (one per {seconds / max(pss, 1) * 1000:.0f} ms on average, only while the "
          f"RSS sum was above the PSS peak, within {TreeSampler.pss_budget:.0%} of a core); "
          f"sampler CPU {cpu:.1f} % of one core")


# ----- main


def dateline_tool(name: str, site: Path, command: list[str], out_dir: Path | None) -> Tool:
    """A Dateline build of `site`; with `out_dir`, writing its output there (`--out`)
    rather than in the corpus's `site/`."""
    output = out_dir / re.sub(r"\W+", "-", name) if out_dir else site / "site"
    if out_dir:
        command = [*command, "--out", str(output)]
    return Tool(name, site, command, output, ("site", ".dateline-cache", str(output)),
                site / "themes" / "default" / "templates" / "partials" / "card.html",
                photo_cache=".dateline-cache/photos", store=".dateline-cache")


def against_tool(root: Path, args, edits: Edits) -> Tool:
    """Dateline at git revision `args.against`, on that revision's own corpus."""
    tree = root / "against"
    commit = baseline.checkout(MAIN, args.against, tree)
    site = root / "dateline-against"
    started = time.perf_counter()
    described = baseline.write_corpus(tree, site, args.stories, args.languages)
    if args.no_search and baseline.knows_search(tree):
        with open(site / "dateline.toml", "a", encoding="utf-8") as config:
            config.write("\n[search]\nenabled = false\n")
    if not (site / edits.article).is_file():
        raise SystemExit(f"--against {args.against}: its corpus has no {edits.article}, "
                         "the article the benchmark edits")
    print(f"corpus of {commit}: {described['articles']} articles in {site} "
          f"({time.perf_counter() - started:.1f} s)", flush=True)
    command = [sys.executable, str(tree / "build.py"), "build", "--config",
               str(site / "dateline.toml")]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    tool = dateline_tool(f"Dateline@{commit}", site, command, args.out_dir)
    tool.version = f"(git {commit}, its own corpus and theme)"
    return tool


def prepare(root: Path, args) -> tuple[Tool, list[Tool], Edits]:
    site = root / "dateline"
    started = time.perf_counter()
    described = corpus.write_corpus(site, args.stories, args.languages)
    if args.no_search:
        with open(site / "dateline.toml", "a", encoding="utf-8") as config:
            config.write("\n[search]\nenabled = false\n")
    theme = site / "themes" / "default"
    if theme.exists():
        shutil.rmtree(theme)
    shutil.copytree(MAIN / "themes" / "default", theme)
    print(f"corpus: {described['articles']} articles ({described['stories']} stories × "
          f"{', '.join(described['languages'])}) in {site} "
          f"({time.perf_counter() - started:.1f} s)", flush=True)
    command = [sys.executable, str(MAIN / "build.py"), "build", "--config",
               str(site / "dateline.toml")]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    if args.cluster:  # every Dateline build renders on the cluster (local:N starts one)
        command += ["--cluster", args.cluster]
    dateline = dateline_tool("Dateline", site, command, args.out_dir)
    jobs = args.jobs or len(os.sched_getaffinity(0))
    where = f"cluster={args.cluster}" if args.cluster else f"jobs={jobs}"
    dateline.version = f"({where}, Python {sys.version.split()[0]})"
    n = args.stories // 2
    edits = Edits(f"content/{described['languages'][0]}/"
                  f"{corpus.SECTIONS[n % len(corpus.SECTIONS)]}/story-{n:05d}.md")
    peers = [against_tool(root, args, edits)] if args.against else []
    if args.skip_peers:
        return dateline, peers, edits
    executable = shutil.which("hugo")
    if executable is None:
        print("hugo: not on PATH, skipped (apt-get install hugo)")
    else:
        version = subprocess.run([executable, "version"], capture_output=True, text=True)
        folder = root / "hugo"
        if folder.exists():
            shutil.rmtree(folder)
        hugo_site.write_site(site, folder, photos=args.peer_photos)
        tool = Tool("Hugo", folder, hugo_site.command(executable), folder / hugo_site.OUTPUT,
                    hugo_site.COLD, folder / hugo_site.TEMPLATE,
                    photo_cache=hugo_site.PHOTO_CACHE if args.peer_photos == "process" else "")
        tool.version = version.stdout.strip().split(" BuildDate")[0] + (
            " (photos: renditions by Hugo)" if args.peer_photos == "process"
            else " (photos: originals copied)")
        peers.append(tool)
    probe = subprocess.run([sys.executable, "-c", "import pelican.plugins.i18n_subsites; "
                            "import pelican; print(pelican.__version__)"],
                           capture_output=True, text=True, cwd=root)
    if probe.returncode != 0:
        print("pelican: not importable with pelican.plugins.i18n_subsites, skipped "
              "(pip install pelican pelican-i18n-subsites)")
    else:
        folder = root / "pelican"
        if folder.exists():
            shutil.rmtree(folder)
        pelican_site.write_site(site, folder)
        tool = Tool("Pelican", folder, pelican_site.command(), folder / pelican_site.OUTPUT,
                    pelican_site.COLD, folder / pelican_site.TEMPLATE)
        tool.version = (f"{probe.stdout.strip()} (i18n_subsites, content cache on; "
                        "photos: originals copied)")
        peers.append(tool)
    print(f"peers written in {time.perf_counter() - started:.1f} s", flush=True)
    return dateline, peers, edits


ONLY = {"cold": "cold", "no-change": "no change", "edit": "one article edited",
        "retitle": RETITLE, "fresh-clone": FRESH_CLONE, "template": "one template edited",
        "cached": PHOTOS_CACHED}
"""`--only`'s names of the scenarios."""


def scenario_names(text: str) -> frozenset[str]:
    """`--only`'s value: short scenario names separated by commas."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ONLY]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown scenario {', '.join(unknown)}; choose from {', '.join(ONLY)}")
    return frozenset(ONLY[name] for name in names) | {"cold"}


def use_bytecode() -> None:
    """Run the Python builds as on a user's machine: with compiled modules. Some
    environments set PYTHONDONTWRITEBYTECODE, which makes every run compile Dateline's
    modules from source again (~0.1 s per process); pip compiles installed libraries
    at install time, so only the project's own package is compiled here, once."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(MAIN / "dateline")],
                   check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--languages", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0,
                        help="Dateline's --jobs (default 0: one per core)")
    parser.add_argument("--cluster", metavar="ADDRESS", default="",
                        help="Dateline's --cluster: render on a Dask cluster (local:2 "
                             "starts a LocalCluster of 2 workers for each build)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of builds; medians are reported")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--skip-peers", action="store_true", help="Dateline only")
    parser.add_argument("--no-search", action="store_true",
                        help="build without the Pagefind search index ([search] enabled = "
                             "false), to compare with builds from before it")
    parser.add_argument("--against", metavar="REV",
                        help="also build with Dateline at this git revision (a worktree "
                             "of it, its own corpus and theme), interleaved round by round, "
                             "and print the ratios of the two")
    parser.add_argument("--out-dir", type=Path, metavar="DIR",
                        help="Dateline builds write their output here (--out) instead of "
                             "the corpus's site/, e.g. a tmpfs to measure the build rather "
                             "than the file system")
    parser.add_argument("--skip-serve", action="store_true",
                        help="skip the preview-server measurements")
    parser.add_argument("--pss-budget", type=float, default=PSS_BUDGET, metavar="FRACTION",
                        help="share of one core the memory sampler may spend reading Pss "
                             f"(default {PSS_BUDGET}; 1: every sample; 0: no PSS)")
    parser.add_argument("--peer-photos", choices=hugo_site.PHOTOS, default="process",
                        help="Hugo: make the photo renditions Dateline makes with Hugo's "
                             "image processing (process, the default), or only copy the "
                             "originals (copy); Pelican always copies")
    parser.add_argument("--only", type=scenario_names, default=frozenset(ALL_SCENARIOS),
                        metavar="NAMES",
                        help="run only these scenarios, comma-separated, of "
                             f"{','.join(ONLY)} (the cold build always runs: the others "
                             "start from it), to measure a big corpus in less time; "
                             "default: all")
    args = parser.parse_args()
    TreeSampler.pss_budget = args.pss_budget if PSS else 0.0
    begun = time.perf_counter()
    use_bytecode()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        root = args.keep.resolve()
    else:
        root = Path(tempfile.mkdtemp(prefix="dateline-bench-"))
    try:
        dateline, peers, edits = prepare(root, args)
        logs = root / "logs"
        for number in range(1, args.repeat + 1):
            print(f"round {number} of {args.repeat}", flush=True)
            round_of(dateline, edits, logs, number, args.only)
            for peer in peers:
                round_of(peer, edits, logs, number, args.only)
        if not args.skip_serve:
            print("preview servers", flush=True)
            if not dateline.failed:
                port = free_port()
                server_edits(
                    dateline, "dateline serve",
                    [sys.executable, str(MAIN / "build.py"), "serve", "--config",
                     str(dateline.root / "dateline.toml"), "--port", str(port)],
                    r"^serving http", r"\.md → .* written in (\d+) ms", edits, None)
            old = peers[0] if args.against and peers and not peers[0].failed else None
            if old is not None:  # the other revision's server, in the same conditions
                port = free_port()
                server_edits(
                    old, f"{old.name} serve",
                    [sys.executable, str(root / "against" / "build.py"), "serve", "--config",
                     str(old.root / "dateline.toml"), "--port", str(port)],
                    r"^serving http", r"\.md → .* written in (\d+) ms", edits, None)
            hugo = next((p for p in peers if p.name == "Hugo" and not p.failed), None)
            if hugo is not None:
                page = "/" + edits.article.removeprefix("content/").removesuffix(".md") + "/"
                for label, extra in (("hugo server (fast render, page open)", []),
                                     ("hugo server --disableFastRender", ["--disableFastRender"])):
                    port = free_port()
                    server_edits(
                        hugo, label,
                        [hugo.command[0], "server", "--port", str(port), "--bind", "127.0.0.1",
                         "--disableLiveReload=false", *extra],
                        r"Web Server is available", r"^Total in (\d+(?:\.\d+)?) ms", edits,
                        f"http://127.0.0.1:{port}{page}" if not extra else None)
        print(f"\nDateline benchmark: {args.stories} stories × {args.languages} languages, "
              f"repeat {args.repeat} (medians), peer photos: {args.peer_photos}, machine: "
              f"{os.cpu_count()} cores; total {time.perf_counter() - begun:.0f} s")
        for tool in (dateline, *peers):
            table(tool, args.repeat)
        ratios(dateline, peers)
        if args.against and peers and peers[0].runs:
            baseline.ratios(dateline, peers[0], (*SCENARIOS[:3], RETITLE, FRESH_CLONE,
                                                 SCENARIOS[3], PHOTOS_CACHED))
        sampler_summary([dateline, *peers])
        print(notes(args.peer_photos))
        print(f"\nwork folder: {root}" + ("" if args.keep else " (removed)"))
        failed = [t.name for t in (dateline, *peers) if t.failed]
        return 1 if failed else 0
    finally:
        if args.against and not args.keep:
            baseline.remove(MAIN, root / "against")
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
