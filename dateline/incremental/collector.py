"""Keeping Python's cyclic garbage collector away from objects that live for the whole
build.

Loading the cache and importing the stages make hundreds of thousands of objects, all
long-lived and next to none in a reference cycle: the collector would scan them again
and again while they are made, and on every later full collection. `long_lived()` pauses
it while they are made, then leaves them out of its scans (`gc.freeze`); plain reference
counting still frees them.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def long_lived():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()
