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
import ctypes, json, sys
from dateline.build import heap

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = Mallinfo2
apart = heap.keep_large_blocks_apart() if sys.argv[1] == "apart" else None
big = bytearray(30 << 20)  # a big result, freed: glibc's own threshold rises to its size
del big
before = mallinfo2().hblks
blocks = [bytearray(1 << 20) for _ in range(10)]  # ten blocks of 1 MiB (a sitemap, a batch)
made = mallinfo2().hblks - before
del blocks
print(json.dumps({"apart": apart, "own_pages": made, "held": mallinfo2().hblks - before}))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
@pytest.mark.parametrize("how", ["apart", "glibc's own"])
def test_big_blocks_get_pages_of_their_own_given_back_when_freed(how):
    """With `keep_large_blocks_apart`, each block of 1 MiB is a mapping of its own, gone
    when it is freed; with glibc's own threshold, raised by the 30 MiB block freed before
    them, they come from the heap (what a build did before: growing one copied it, and
    freeing one below a block in use gave nothing back)."""
    done = subprocess.run([sys.executable, "-c", APART, how], capture_output=True,
                          text=True, timeout=60, check=True)
    found = json.loads(done.stdout)
    if how == "apart":
        assert found == {"apart": True, "own_pages": 10, "held": 0}, found
    else:
        assert found == {"apart": None, "own_pages": 0, "held": 0}, found


def test_without_glibc_nothing_is_done(monkeypatch):
    from dateline.build import heap

    monkeypatch.setattr(heap, "_malloc_trim", lambda: None)
    monkeypatch.setattr(heap, "_mallopt", lambda: None)
    assert heap.release_free_memory() is False
    assert heap.keep_large_blocks_apart() is False
