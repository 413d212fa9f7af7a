"""Issue 19: the C heap's free memory goes back to the system after a stage that went
through the whole site (`build/heap.py`): glibc keeps freed memory below what is still
in use, and the next stages did not reuse all of it."""

import json
import platform
import subprocess
import sys

import pytest

FRAGMENTED = """
import json, sys
from dateline.build import heap

def rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status
                    if line.startswith("VmRSS"))

# 64 MiB in 4 KiB blocks (in the C heap: pymalloc takes 512 bytes at most), the last
# kept: it holds the top of the heap, so freeing the others gives nothing back by itself.
blocks = [bytes(4096) for _ in range(16384)]
last = blocks[-1]
del blocks
before = rss()
released = heap.release_free_memory()
print(json.dumps({"released": released, "before": before, "after": rss()}))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_free_heap_memory_below_what_is_in_use_goes_back_to_the_system():
    done = subprocess.run([sys.executable, "-c", FRAGMENTED], capture_output=True,
                          text=True, timeout=60, check=True)
    found = json.loads(done.stdout)
    assert found["released"] is True
    # (main's builds never trimmed: the 64 MiB stayed in the process)
    assert found["before"] - found["after"] >= 48, found


APART = """
import ctypes, json
from dateline.build import heap

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = Mallinfo2
apart = heap.keep_large_blocks_apart()
big = bytearray(30 << 20)  # a big result, freed: glibc's own threshold would rise to it
del big
found = {"apart": apart}
for kib in (300, 200):  # just above `LARGE_BLOCK`, and under it
    before = mallinfo2().hblks
    blocks = [bytearray(kib << 10) for _ in range(10)]
    found[f"own_pages_{kib}"] = mallinfo2().hblks - before
    del blocks
    found[f"held_{kib}"] = mallinfo2().hblks - before
print(json.dumps(found))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_blocks_from_256_kib_get_pages_of_their_own_given_back_when_freed():
    """Each block of 300 KiB is a mapping of its own, gone when it is freed, even after a
    30 MiB block was freed (glibc's own threshold rises to the size of such a block, up to
    32 MiB: blocks of megabytes then came from the heap, where growing one copied it and
    freeing one below a block in use gave nothing back); one of 200 KiB comes from the
    heap (glibc's own starts at 128 KiB). Without the setting, glibc's threshold depends
    on what the process freed before: no fixed answer to test."""
    done = subprocess.run([sys.executable, "-c", APART], capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == {"apart": True, "own_pages_300": 10, "held_300": 0,
                                       "own_pages_200": 0, "held_200": 0}


def test_without_glibc_nothing_is_done(monkeypatch):
    from dateline.build import heap

    monkeypatch.setattr(heap, "_malloc_trim", lambda: None)
    monkeypatch.setattr(heap, "_mallopt", lambda: None)
    assert heap.release_free_memory() is False
    assert heap.keep_large_blocks_apart() is False
