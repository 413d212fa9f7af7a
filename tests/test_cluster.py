"""`build --cluster`: Markdown and pages rendered on a real Dask `LocalCluster` (worker
processes that share nothing with the build but what the tasks carry) make the same site
as local processes; a cluster that fails ends the build cleanly; and without `--cluster`
nothing of Dask is imported."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build.py"
TIMEOUT = 240  # seconds: a build that waits on a lost cluster must end, never hang
distributed = pytest.importorskip("distributed")
WorkerPlugin = pytest.importorskip("distributed.diagnostics.plugin").WorkerPlugin

# One worker runs the whole module (`--dist loadgroup`, pyproject.toml), so its
# module fixtures are made once: the Dask cluster and the generated site, once per run.
pytestmark = pytest.mark.xdist_group("cluster")


def _corpus():
    spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "bench/corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        with distributed.Client(local.scheduler_address, set_as_default=False) as client:
            yield local.scheduler_address, client


def build(root: Path, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD), "build", "--config",
                           str(root / "dateline.toml"), *args],
                          capture_output=True, text=True, timeout=timeout)


def tree(folder: Path) -> dict[str, bytes]:
    files = {p.relative_to(folder).as_posix(): p.read_bytes()
             for p in folder.rglob("*") if p.is_file()}
    files.pop(".dateline-output", None)  # the record of the build itself (times, paths)
    return files


def chunks_run(client) -> int:
    """How many chunks of work the cluster's scheduler has finished so far."""
    def count(dask_scheduler) -> int:
        # Tasks are named after their function (`parallel._run_chunk`, for Markdown,
        # `rendering._render_chunk`, for pages), less the "_"; the counts are of
        # transitions so far, so "memory" is every result ever made.
        prefixes = (dask_scheduler.task_prefixes.get(name)
                    for name in ("run_chunk", "render_chunk"))
        return sum(p.state_counts.get("memory", 0) for p in prefixes if p is not None)
    return client.run_on_scheduler(count)


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory, copy_sample) -> Path:
    return copy_sample(tmp_path_factory.mktemp("newsroom") / "sample")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    # Small photos (two renditions each, not three): they are encoded locally, not on
    # the cluster, and most of a cold build's time.
    described = _corpus().write_corpus(root, stories=100, languages=3, photo_width=640)
    assert described["articles"] == 300
    return root


@pytest.mark.parametrize("site", ["newsroom", "generated"])
def test_cluster_build_equals_local_build(site, cluster, request):
    root = request.getfixturevalue(site)
    address, client = cluster
    local = build(root, "--out", str(root / "local"))
    assert local.returncode == 0, local.stderr
    before = chunks_run(client)
    # --clean: every body is rendered again (on the cluster), not taken from the cache.
    remote = build(root, "--clean", "--cluster", address, "--out", str(root / "remote"))
    assert remote.returncode == 0, remote.stderr
    assert chunks_run(client) > before, "the cluster rendered nothing"
    expected, made = tree(root / "local"), tree(root / "remote")
    assert len(expected) > 100
    assert sorted(made) == sorted(expected)
    different = [name for name in expected if made[name] != expected[name]]
    assert different == []


def test_a_worker_killed_mid_build_is_retried(generated, cluster):
    address, client = cluster
    out = generated / "killed"
    previous = build(generated, "--out", str(out))
    assert previous.returncode == 0, previous.stderr
    kept = tree(out)
    process = subprocess.Popen([sys.executable, str(BUILD), "build", "--clean", "--config",
                                str(generated / "dateline.toml"), "--cluster", address,
                                "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        before = chunks_run(client)
        deadline = time.monotonic() + TIMEOUT
        # Once the cluster has finished a chunk, kill one worker's process outright (what
        # a lost machine looks like): its chunk in hand is lost with it.
        while chunks_run(client) == before and process.poll() is None:
            assert time.monotonic() < deadline, "the build never reached the cluster"
            time.sleep(0.05)
        pids = client.run(os.getpid)
        assert process.poll() is None, "the build ended before a worker could be killed"
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        out_text, err_text = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
    if process.returncode == 0:  # the scheduler gave the lost chunk to another worker
        assert tree(out) == kept
    else:  # or the build failed cleanly: one line, the previous site as it was
        assert process.returncode == 1, err_text
        assert len(err_text.strip().splitlines()) == 1, err_text
        assert tree(out) == kept


class ChunkWatch(WorkerPlugin):
    """A worker plugin: what each chunk of pages carried (its bodies, and those its
    pages show, from the pages it carried) and how many pages the worker sent back
    unrendered. Read from the task's own arguments as the worker runs it."""

    name = "chunk-watch"

    def setup(self, worker):
        self.worker, self.chunks, self.unrendered = worker, [], 0

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing":
            for chunk in _found(self.worker.state.tasks[key].run_spec, "PageChunk"):
                shown = set()
                for page in chunk.pages:
                    shown |= {item.body_id for item in page.items}
                    shown |= {page.article.body_id} if page.article else set()
                self.chunks.append((set(chunk.bodies), shown - {""}))
        elif finish == "memory" and "render_chunk" in str(key):
            results = self.worker.data[key]
            self.unrendered += sum(type(r).__name__ == "Unrendered" for r in results)

    def take(self) -> tuple[list, int]:
        taken, self.chunks, count, self.unrendered = self.chunks, [], self.unrendered, 0
        return taken, count


def _found(value, name: str, depth: int = 0):
    """The objects of the class `name` among a task's arguments (nested in dask's task
    spec: its `args`, tuples and lists, data nodes' `value`)."""
    if type(value).__name__ == name:
        yield value
    elif depth < 4:
        inner = getattr(value, "args", None) or getattr(value, "value", None)
        if isinstance(value, list | tuple):
            inner = value
        for item in inner if isinstance(inner, list | tuple) else ():
            yield from _found(item, name, depth + 1)


@pytest.fixture(scope="module")
def watched(cluster):
    """The cluster's address and a function taking what its workers saw since."""
    import cloudpickle

    address, client = cluster
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers lack tests/
    client.register_plugin(ChunkWatch())

    def take() -> tuple[list, int]:
        seen = client.run(lambda dask_worker: dask_worker.plugins[ChunkWatch.name].take())
        chunks = [chunk for taken, _ in seen.values() for chunk in taken]
        return chunks, sum(count for _, count in seen.values())

    take()
    return address, take


def test_a_chunk_carries_only_the_bodies_its_pages_show(generated, watched, tmp_path):
    address, take = watched
    take()
    result = build(generated, "--clean", "--cluster", address, "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    chunks, unrendered = take()
    assert len(chunks) > 4, "no chunk of pages reached the cluster"
    assert unrendered == 0
    # Each chunk: exactly the bodies of its pages' articles and listed items, no other.
    assert [carried - shown for carried, shown in chunks] == [set()] * len(chunks)
    assert [shown - carried for carried, shown in chunks] == [set()] * len(chunks)
    # ... so that none holds the archive's 300: the root chooser's chunk shows few.
    assert min(len(carried) for carried, _ in chunks) < 150


# A card that shows, beside each item, the length of the language's newest story's body:
# a body that the chunks of most listing pages do not carry.
_GREEDY_CARD = '<p class="card__newest">{{ view.listing[0].body_html|length }}</p>\n'


def test_a_theme_reading_bodies_a_chunk_lacks_builds_the_same_site(copy_sample, watched,
                                                                  tmp_path):
    address, take = watched
    root = copy_sample(tmp_path / "site")
    theme = root / "themes/default"
    shutil.copytree(REPO / "themes/default", theme)
    card = theme / "templates/partials/card.html"
    card.write_text(card.read_text(encoding="utf-8") + _GREEDY_CARD, encoding="utf-8")
    local = build(root, "--out", str(root / "local"))
    assert local.returncode == 0, local.stderr
    take()
    remote = build(root, "--clean", "--cluster", address, "--out", str(root / "remote"))
    assert remote.returncode == 0, remote.stderr
    chunks, unrendered = take()
    assert chunks, "no chunk of pages reached the cluster"
    assert unrendered > 0, "every page's chunk carried the newest story's body"
    expected, made = tree(root / "local"), tree(root / "remote")
    assert b"card__newest" in expected["en/index.html"]
    assert sorted(made) == sorted(expected)
    assert [name for name in expected if made[name] != expected[name]] == []


def test_an_unreachable_cluster_is_one_line_and_the_site_stays(newsroom, tmp_path):
    out = tmp_path / "site"
    assert build(newsroom, "--out", str(out)).returncode == 0
    kept = tree(out)
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # --clean: every page to render, so the cluster is asked (it is reached on first use)
    result = build(newsroom, "--clean", "--cluster", f"tcp://127.0.0.1:{port}",
                   "--out", str(out))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"cannot reach the cluster at tcp://127.0.0.1:{port}" in lines[0]
    assert tree(out) == kept


def test_the_config_names_the_cluster(newsroom, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = tmp_path / "site"
    shutil.copytree(newsroom / "content", root / "content")
    # The renditions only: every body is still to render, so the cluster is asked.
    shutil.copytree(newsroom / ".dateline-cache/photos", root / ".dateline-cache/photos")
    (root / "dateline.toml").write_text(
        (newsroom / "dateline.toml").read_text(encoding="utf-8")
        + f'\n[build]\ncluster = "tcp://127.0.0.1:{port}"\n', encoding="utf-8")
    result = build(root)  # a cold build: enough to render for the cluster to be asked
    assert result.returncode == 1, result.stderr
    assert f"cannot reach the cluster at tcp://127.0.0.1:{port}" in result.stderr
    assert not (root / "site").exists()


def test_a_cluster_that_is_not_text_is_a_config_error(tmp_path, make_site, config_text,
                                                       article_text):
    root = make_site(tmp_path, {"dateline.toml": config_text() + "\n[build]\ncluster = 2\n",
                                "content/en/world/a.md": article_text()})
    result = build(root)
    assert result.returncode != 0
    assert "build.cluster must be a string" in result.stderr


# Runs build.py as `python build.py` does and, as it exits (`cli.run` ends with
# `os._exit`), names the Dask modules it imported.
_WRAPPER = """
import os, runpy, sys
sys.argv = sys.argv[1:]
{block}
_exit = os._exit

def report(code):
    loaded = sorted(m for m, v in sys.modules.items()
                    if v is not None and m.split(".")[0] in ("dask", "distributed"))
    print("CODE", code, "DASK", ",".join(loaded) or "-", file=sys.stderr, flush=True)
    _exit(code)

os._exit = report
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _wrapped(root: Path, *args: str, block: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _WRAPPER.format(block=block), str(BUILD),
                           "build", "--config", str(root / "dateline.toml"), *args],
                          capture_output=True, text=True, timeout=TIMEOUT)


def test_a_build_without_cluster_imports_nothing_of_dask(tmp_path, make_site, config_text,
                                                         article_text):
    root = make_site(tmp_path, {"dateline.toml": config_text(),
                                "content/en/world/a.md": article_text()})
    result = _wrapped(root)
    assert "CODE 0 DASK -" in result.stderr, result.stderr
    assert (root / "site/index.html").is_file()


def test_a_missing_extra_is_one_line(tmp_path, make_site, config_text, article_text):
    root = make_site(tmp_path, {"dateline.toml": config_text(),
                                "content/en/world/a.md": article_text()})
    # Dask not installed: importing it fails, as it would without the extra.
    result = _wrapped(root, "--cluster", "local:2",
                      block='sys.modules["distributed"] = None')
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "CODE 2 DASK -", result.stderr
    assert len(lines) == 2, result.stderr
    assert "pip install 'dateline[cluster]'" in lines[0]
    assert not (root / "site").exists()
