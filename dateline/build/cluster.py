"""Rendering on a Dask distributed cluster (`build --cluster ADDRESS`, `[build] cluster`).

The cluster is reached through `Client.get_executor()`, a `concurrent.futures.Executor`:
`parallel.run_chunked` takes it where it takes a number of local processes, so the build
has one seam for both. Workers need Dateline installed and nothing else: each task carries
its inputs, and what a worker makes comes back as bytes that this process writes.

Dask is imported here only, and only when a cluster is asked for: it is an optional extra
(`pip install 'dateline[cluster]'`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError, Executor, Future
from contextlib import contextmanager, nullcontext
from typing import Any

from ..errors import DatelineError, Problem, SourceRef, UsageError

LOCAL = "local:"
"""`local:N` starts a LocalCluster with N worker processes on this machine."""
CONNECT_TIMEOUT = "10s"


class ClusterError(DatelineError):
    """The cluster could not be reached, or lost the work it was given."""

    counted = False


class ClusterExecutor(Executor):
    """The client's executor, plus `share`: a value every worker holds once (broadcast),
    instead of a copy pickled into every task, and `threads`, how many tasks to keep
    in flight (`parallel.run_tasks`). The cluster is reached (or started) on
    first use: a build with nothing to render never waits for it."""

    def __init__(self, address: str):
        self.address = address
        self.client = None
        self._cluster = None
        self._executor = None
        self._counted = (-math.inf, 0)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._connected().submit(fn, *args, **kwargs)

    def share(self, value: Any) -> Any:
        """A future of `value` on every worker; tasks given it receive the value."""
        self._connected()
        return self.client.scatter(value, broadcast=True, hash=False)

    def threads(self) -> int:
        """How many tasks the cluster's workers run at once (`parallel.in_flight`);
        asked again each second at most, as workers come and go."""
        self._connected()
        now = time.monotonic()
        if now - self._counted[0] > 1.0:
            self._counted = (now, sum(self.client.nthreads().values()))
        return self._counted[1]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def _connected(self):
        if self._executor is None:
            self.client, self._cluster = _connect(self.address)
            self._executor = self.client.get_executor(pure=False)
        return self._executor


def _where(address: str) -> SourceRef:
    return SourceRef("--cluster", 0)


def build_executor(address: str):
    """A context giving the executor of the cluster at `address`, or None (local
    processes) when there is no address: Dask is then never imported."""
    return open_cluster(address) if address else nullcontext(None)


def _is_cluster_failure(exc: BaseException) -> bool:
    """Lost workers, a lost scheduler: the cluster's failure, not the site's. (What a
    task raised, a site's problem, comes back as itself.)"""
    module = type(exc).__module__ or ""
    return (module.split(".")[0] == "distributed"
            or isinstance(exc, OSError | TimeoutError | CancelledError))


@contextmanager
def open_cluster(address: str) -> Iterator[ClusterExecutor]:
    """An executor on the cluster at `address` (`tcp://host:8786`, or `local:N`)."""
    try:
        import distributed  # noqa: F401 - said now, before the build begins
    except ImportError:
        raise UsageError(Problem(_where(address), "rendering on a cluster needs Dask: "
                                 "pip install 'dateline[cluster]'")) from None
    if address.startswith(LOCAL):
        _local_count(address)
    executor = ClusterExecutor(address)
    try:
        yield executor
    except Exception as exc:
        if isinstance(exc, DatelineError) or not _is_cluster_failure(exc):
            raise
        raise ClusterError(Problem(_where(address), f"the cluster failed: {exc!r}; the "
                                   "previous output is unchanged")) from None
    finally:
        executor.shutdown()


def _connect(address: str):
    """(client, the LocalCluster started for `local:N` or None)."""
    import distributed

    cluster = None
    try:
        if address.startswith(LOCAL):
            # One thread per worker: rendering holds the GIL, so processes are what scale.
            cluster = distributed.LocalCluster(n_workers=_local_count(address),
                                               threads_per_worker=1, processes=True,
                                               dashboard_address=None)
        client = distributed.Client(cluster.scheduler_address if cluster else address,
                                    timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(Problem(_where(address), f"cannot reach the cluster at "
                                   f"{address}: {exc}; the previous output is unchanged")
                           ) from None
    return client, cluster


def _local_count(address: str) -> int:
    count = address[len(LOCAL):]
    if not count.isdigit() or int(count) < 1:
        raise UsageError(Problem(_where(address), f"--cluster {address}: write local:N, "
                                 "N the number of worker processes (local:2)"))
    return int(count)
