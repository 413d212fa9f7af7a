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


GROWN = """
import json, sys
from dateline.build import heap

def rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status
                    if line.startswith("VmRSS"))

apart = heap.keep_large_blocks_apart() if sys.argv[1] == "apart" else None
big = bytearray(30 << 20)  # a big result, freed: glibc's own threshold rises to its size
del big
# A buffer grown to 20 MiB while small blocks are made beside it (a sitemap as it is
# written, results coming in), then freed.
grown, beside = bytearray(), []
for _ in range(40):
    grown += bytes(512 << 10)
    beside.append(bytes(4096))
before = rss()
del grown
print(json.dumps({"apart": apart, "given_back": before - rss()}))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
@pytest.mark.parametrize("how", ["apart", "glibc's own"])
def test_a_big_buffer_freed_goes_back_to_the_system_with_its_own_pages(how):
    done = subprocess.run([sys.executable, "-c", GROWN, how], capture_output=True,
                          text=True, timeout=60, check=True)
    found = json.loads(done.stdout)
    if how == "apart":
        assert found == {"apart": True, "given_back": found["given_back"]}
        assert found["given_back"] >= 18, found
    else:  # what a build did before: the 20 MiB stay in the process
        assert found["given_back"] < 4, found


def test_without_glibc_nothing_is_done(monkeypatch):
    from dateline.build import heap

    monkeypatch.setattr(heap, "_malloc_trim", lambda: None)
    monkeypatch.setattr(heap, "_mallopt", lambda: None)
    assert heap.release_free_memory() is False
    assert heap.keep_large_blocks_apart() is False
