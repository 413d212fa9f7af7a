"""Digests by the hundred thousand, packed: each 32-hex digest held as its 16 bytes in
one bytearray. The planned pages' fingerprints, in page order, as a list of strings held
~89 bytes a page, in the coordinator and, touched by reading, in every helper forked
from it (300,000 articles: ~527,000 pages, ~45 MiB); packed, 16 bytes a page in one
object that no read writes to. The same for the bodies a build's sources render to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSequence

_WIDTH = 16


class PackedDigests(MutableSequence):
    """A list of digests. A value that is not a lower-case 32-hex digest (none today) is
    kept as it is, beside its packed place."""

    __slots__ = ("_packed", "_odd")

    def __init__(self, digests: Iterable[str] = ()):
        self._packed = bytearray()
        self._odd: dict[int, str] = {}
        for value in digests:
            self.append(value)

    def __len__(self) -> int:
        return len(self._packed) // _WIDTH

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = self._place(index)
        if self._odd and index in self._odd:
            return self._odd[index]
        return self._packed[index * _WIDTH:(index + 1) * _WIDTH].hex()

    def __setitem__(self, index, value: str) -> None:
        if isinstance(index, slice):
            raise TypeError("PackedDigests takes one digest at a time")
        index = self._place(index)
        self._odd.pop(index, None)
        self._packed[index * _WIDTH:(index + 1) * _WIDTH] = self._pack(index, value)

    def __delitem__(self, index) -> None:
        raise TypeError("a digest is replaced, never removed")

    def insert(self, index: int, value: str) -> None:
        if index < len(self):
            raise TypeError("digests are appended, in their order")
        self._packed += self._pack(len(self), value)

    def __iter__(self) -> Iterator[str]:
        for index in range(len(self)):
            yield self[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedDigests | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __repr__(self) -> str:
        return f"PackedDigests({list(self)!r})"

    def __reduce__(self):
        return PackedDigests, (list(self),)

    def _pack(self, index: int, value: str) -> bytes:
        try:
            packed = bytes.fromhex(value)
        except ValueError:
            packed = b""
        if len(packed) == _WIDTH and packed.hex() == value:
            return packed
        self._odd[index] = value  # (upper case, spaces, another length: not packed)
        return bytes(_WIDTH)

    def _place(self, index: int) -> int:
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("digest index out of range")
        return index
