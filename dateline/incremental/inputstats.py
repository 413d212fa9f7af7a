"""Every input file's stat as a few arrays of machine integers, in walking order: what the
no-change key hashes (`state.inputs_key`) and what the saved head keeps of the inputs
(`build/savedbuild.py`, its `<slot>/inputs` row), so that a build after an edit finds
the few files whose stat changed by comparing bytes, not 60,000 tuples one at a time.

Two walks of the same files give the same names in the same order (`inputs.walk` sorts
each folder), so when the digests of their names agree, the i-th integer of each array
is the same file's."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from operator import attrgetter

_LEAF = 32
"""Integers compared one by one once a slice of the arrays differs (`differing`)."""

_TIMES, _SIZES, _INODES, _MODES = (attrgetter(name) for name in (
    "st_mtime_ns", "st_size", "st_ino", "st_mode"))


@dataclass(frozen=True, slots=True)
class InputStats:
    """The stats of a walk, field by field (8 bytes an integer, native order)."""

    names: str
    """A digest of every input's path, in walking order."""
    times: bytes
    """Each input's `st_mtime_ns` (signed)."""
    sizes: bytes
    inodes: bytes
    modes: bytes = b""
    """`st_mode`: hashed into the no-change key, not kept in the head (a file whose
    mode alone changed is as it was)."""

    def __len__(self) -> int:
        return len(self.times) // 8

    def newest(self) -> int:
        times = array("q", self.times)
        return max(times, default=0)

    def changed_from(self, old: InputStats) -> list[int]:
        """The positions whose time, size or inode differ from `old`'s (the same names:
        the caller checked), in walking order."""
        found: set[int] = set()
        for mine, theirs in ((self.times, old.times), (self.sizes, old.sizes),
                             (self.inodes, old.inodes)):
            found.update(differing(theirs, mine))
        return sorted(found)

    def unpacked(self) -> tuple[array, array, array]:
        """The times, sizes and inodes as arrays: `(times[i], sizes[i], inodes[i])` is
        what `digests.stat_key` says of the input at `i`."""
        return array("q", self.times), array("Q", self.sizes), array("Q", self.inodes)

    def racy_from(self, since_ns: int) -> list[int]:
        """The positions of the inputs modified at or after `since_ns`."""
        times = array("q", self.times)
        if max(times, default=since_ns - 1) < since_ns:
            return []  # the common case: one comparison in C
        return [i for i, t in enumerate(times) if t >= since_ns]


def stat_arrays(stats, names: str) -> InputStats:
    """`InputStats` of `stats` (path → `os.stat_result`, in walking order); `names`, the
    digest of their paths."""
    values = stats.values()
    return InputStats(names, *(array("q" if field is _TIMES else "Q",
                                     map(field, values)).tobytes()
                               for field in (_TIMES, _SIZES, _INODES, _MODES)))


def differing(old: bytes, new: bytes) -> list[int]:
    """The positions of the 8-byte integers that differ between two arrays of the same
    length: slices compared whole (`memcmp`), halved only where they differ, so that a
    few changed files among 60,000 cost a few dozen comparisons."""
    if len(old) != len(new):
        raise ValueError("arrays of different lengths")
    found: list[int] = []
    spans = [(0, len(new) // 8)]
    while spans:
        low, high = spans.pop()
        if old[low * 8:high * 8] == new[low * 8:high * 8]:
            continue
        if high - low <= _LEAF:
            found.extend(i for i in range(low, high)
                         if old[i * 8:i * 8 + 8] != new[i * 8:i * 8 + 8])
            continue
        middle = (low + high) // 2
        spans.append((middle, high))
        spans.append((low, middle))
    found.sort()
    return found
