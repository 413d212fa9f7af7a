"""Rendering on a Dask distributed cluster (`build --cluster ADDRESS`, `[build] cluster`).

The cluster is reached through `Client.get_executor()`, a `concurrent.futures.Executor`:
`parallel.run_chunked` takes it where it takes a number of local processes, so the build
has one seam for both. Workers need Dateline installed and nothing else: each task carries
its inputs, and what a worker makes comes back as bytes that this process writes.

Dask is imported here only, and only when a cluster is asked for: it is an optional extra
(`pip install 'dateline[cluster]'`).
"""

from __future__ import annotations

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
    instead of a copy pickled into every task."""

    def __init__(self, client):
        self.client = client
        self._executor = client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def share(self, value: Any) -> Any:
        """A future of `value` on every worker; tasks given it receive the value."""
        return self.client.scatter(value, broadcast=True, hash=False)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)


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
        import distributed
    except ImportError:
        raise UsageError(Problem(_where(address), "rendering on a cluster needs Dask: "
                                 "pip install 'dateline[cluster]'")) from None
    cluster = None
    try:
        if address.startswith(LOCAL):
            cluster = _local_cluster(distributed, address)
            address = cluster.scheduler_address
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT,
                                    set_as_default=False)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(Problem(_where(address), f"cannot reach the cluster at "
                                   f"{address}: {exc}; nothing was written")) from None
    try:
        yield ClusterExecutor(client)
    except Exception as exc:
        if isinstance(exc, DatelineError) or not _is_cluster_failure(exc):
            raise
        raise ClusterError(Problem(_where(address), f"the cluster failed: {exc!r}; the "
                                   "previous output is unchanged")) from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _local_cluster(distributed, address: str):
    count = address[len(LOCAL):]
    if not count.isdigit() or int(count) < 1:
        raise UsageError(Problem(_where(address), f"--cluster {address}: write local:N, "
                                 "N the number of worker processes (local:2)"))
    # One thread per worker: rendering holds the GIL, so processes are what scale.
    return distributed.LocalCluster(n_workers=int(count), threads_per_worker=1,
                                    processes=True, dashboard_address=None)
