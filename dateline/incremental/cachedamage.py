"""What a cache file that cannot be read means: the cache is dropped and the site built
afresh, said in one warning line, never a traceback. A cache is written by one version
of Dateline and may be read by another (an upgrade, a class moved to another module) or
be damaged on disk; whatever unpickling it raises, it is only ever an optimisation lost.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, SourceRef, display_path


class CacheDamaged(Exception):
    """A file of the build cache could not be read; the message says which and why."""


def unpickled(blob: bytes, what: str):
    """`pickle.loads(blob)`, or CacheDamaged naming `what` whatever loading it raised
    (a class that moved or is gone, cut-off or random bytes, a garbage length)."""
    import pickle  # not on a build with nothing to do, which unpickles nothing

    try:
        return pickle.loads(blob)
    except Exception as exc:  # noqa: BLE001 - every way a foreign pickle can fail
        raise CacheDamaged(f"{what}: {reason(exc)}") from exc


def reason(exc: BaseException) -> str:
    """An exception as one short line."""
    text = " ".join(str(exc).split())
    if len(text) > 120:
        text = text[:117] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def damage_warning(cache_folder: Path, root: Path, why: str) -> Problem:
    """The one line a build says when it dropped a cache it could not read."""
    where = SourceRef(display_path(cache_folder, root) + "/", 0)
    return Problem(where, f"the build cache could not be read ({why}); it was dropped and "
                   "the site built afresh (nothing to do)")
