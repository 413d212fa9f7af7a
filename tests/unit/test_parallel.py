"""parallel.run_chunked: forked helpers share the work, and never run the signal
handlers of the process that forked them."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from dateline.build.parallel import run_chunked


def _whose(item: int) -> tuple[int, int, object, object]:
    time.sleep(0.001)  # long enough that the helpers get a share
    return (item, os.getpid(), signal.getsignal(signal.SIGINT),
            signal.getsignal(signal.SIGTERM))


def _refuse(signum, frame) -> None:
    raise KeyboardInterrupt  # what the preview server installs


@pytest.fixture
def server_handlers():
    """SIGINT and SIGTERM handled as the preview server handles them."""
    previous = {sig: signal.signal(sig, _refuse) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def test_every_item_is_done_once_by_this_process_and_its_helpers():
    results = list(run_chunked(_whose, list(range(400)), jobs=3, min_per_worker=10))
    assert sorted(item for item, *_ in results) == list(range(400))
    assert len({pid for _, pid, *_ in results}) >= 2


def test_helpers_reset_the_handlers_they_inherit(server_handlers):
    results = list(run_chunked(_whose, list(range(400)), jobs=3, min_per_worker=10))
    helpers = [(sigint, sigterm) for _, pid, sigint, sigterm in results
               if pid != os.getpid()]
    assert helpers, "no helper process did any work"
    # Ctrl+C reaches the whole group: the parent decides; its terminate() ends a helper.
    assert set(helpers) == {(signal.SIG_IGN, signal.SIG_DFL)}
    assert signal.getsignal(signal.SIGINT) is _refuse  # the parent's own are kept
    assert signal.getsignal(signal.SIGTERM) is _refuse


def test_ctrl_c_in_the_parent_ends_every_helper_quietly(server_handlers, capfd):
    parent = os.getpid()

    def interrupted(item: int) -> int:
        time.sleep(0.001)
        if os.getpid() == parent:
            os.kill(parent, signal.SIGINT)
        return item

    with pytest.raises(KeyboardInterrupt):
        list(run_chunked(interrupted, list(range(400)), jobs=3, min_per_worker=10))
    assert multiprocessing.active_children() == []
    assert "Traceback" not in capfd.readouterr().err
