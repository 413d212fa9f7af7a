"""Giving the C heap's free memory back to the system after a stage that made and
dropped much (glibc's `malloc_trim`).

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


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; whether that could be done."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


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
