"""Giving the C heap's free memory back to the system after a stage that made and
dropped much (glibc's `malloc_trim`), and big blocks pages of their own, given back
when they are freed (`keep_large_blocks_apart`).

What a stage frees in the C heap (a segment's card memo, the sources as read, pickled
results) stays in the process: glibc gives back only the top of its heap by itself,
and what later stages keep sits above what was freed. The next stages reuse some of it,
not all, so the process's peak grew with each big stage (issue 19: at 60,000 articles,
~40 MiB free after rendering, ~20 MiB after the sources were settled). `malloc_trim`
returns every wholly free page of the heap, and costs a walk of its free chunks
(milliseconds), so it is called only after stages that went through the whole site.
With another C library (macOS, musl) nothing is done."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

WHOLE_SITE = 2000
"""Pages from which a stage that went through them all is worth a trim after it."""


LARGE_BLOCK = 256 * 1024
"""Bytes from which an allocation of the C heap gets memory pages of its own."""

_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def keep_large_blocks_apart() -> bool:
    """From now on in this process (and the helpers it forks), every allocation of
    `LARGE_BLOCK` or more gets pages of its own: given back to the system when it is
    freed, grown in place (glibc's `mallopt(M_MMAP_THRESHOLD)`); whether that could be
    set. glibc's own threshold starts at 128 KiB but rises to the size of each such
    block freed, up to 32 MiB: after the first big pickled result, blocks of megabytes
    (a language's sitemap grown as it is written, the saved model's batches) come from
    the heap, where growing one copies it and freeing one below what is still in use
    gives nothing back until a trim (issue 19: at 60,000 articles, `save_model`
    378 -> 358 MiB, the feeds' and sitemaps' high-water mark 387 -> 378)."""
    mallopt = _mallopt()
    return mallopt is not None and mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK) == 1


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; whether that could be done."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@cache
def _mallopt() -> Callable[[int, int], int] | None:
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # only here: a build with little to do never needs it

    try:
        trim = ctypes.CDLL(None).malloc_trim  # this process's own C library
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim
