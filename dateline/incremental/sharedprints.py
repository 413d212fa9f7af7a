"""The article and card fingerprints every language's pages share (`PageFingerprints`),
by article URL, in the shape the build passes around: {"articles": ..., "cards": ...}.

Each is kept to the end of a build (the saved model writes them), one of each per
article: as two dicts of hex strings they were ~250 bytes an article (300,000 articles:
~70 MiB of the coordinator through rendering, the feeds and the saved model). Here an
article's two fingerprints are one 33-byte value in one dict (~125 bytes), read back
as the hex strings they were given as (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

KINDS = ("articles", "cards")

_DIGEST = 16
"""Bytes of a fingerprint (`digests.digest`: 32 hex digits)."""

_EMPTY = bytes(1 + 2 * _DIGEST)


def shared_fingerprints() -> dict[str, MutableMapping[str, str]]:
    """An empty table of both kinds."""
    pairs = _Pairs()
    return {kind: _Column(pairs, n) for n, kind in enumerate(KINDS)}


class _Pairs:
    """URL → a flags byte (which of the two is given) and the two fingerprints' bytes;
    a value that is not 32 lower-case hex digits is held as it is (`odd`)."""

    __slots__ = ("packed", "odd")

    def __init__(self) -> None:
        self.packed: dict[str, bytes] = {}
        self.odd: dict[tuple[str, int], str] = {}


class _Column(MutableMapping):
    """One kind of fingerprint by URL: a view of the table shared with the other kind."""

    __slots__ = ("_pairs", "_n", "_count")

    def __init__(self, pairs: _Pairs, n: int):
        self._pairs = pairs
        self._n = n
        self._count = 0

    def __getitem__(self, url: str) -> str:
        held = self._pairs.packed.get(url)
        if held is not None and held[0] >> self._n & 1:
            start = 1 + self._n * _DIGEST
            return held[start:start + _DIGEST].hex()
        return self._pairs.odd[(url, self._n)]

    def __setitem__(self, url: str, fingerprint: str) -> None:
        had = url in self
        packed = _packed(fingerprint)
        pairs, bit = self._pairs, 1 << self._n
        held = pairs.packed.get(url, _EMPTY)
        if packed is None:
            pairs.odd[(url, self._n)] = fingerprint
            if held[0] & bit:
                self._unset(url, held)
        else:
            pairs.odd.pop((url, self._n), None)
            start = 1 + self._n * _DIGEST
            pairs.packed[url] = (bytes((held[0] | bit,)) + held[1:start] + packed
                                 + held[start + _DIGEST:])
        if not had:
            self._count += 1

    def __delitem__(self, url: str) -> None:
        pairs = self._pairs
        held = pairs.packed.get(url)
        if held is not None and held[0] >> self._n & 1:
            self._unset(url, held)
        else:
            del pairs.odd[(url, self._n)]
        self._count -= 1

    def __contains__(self, url: object) -> bool:
        held = self._pairs.packed.get(url)  # type: ignore[call-overload]
        return ((held is not None and bool(held[0] >> self._n & 1))
                or (url, self._n) in self._pairs.odd)

    def __iter__(self) -> Iterator[str]:
        bit = 1 << self._n
        yield from (url for url, held in self._pairs.packed.items() if held[0] & bit)
        yield from (url for url, n in self._pairs.odd if n == self._n)

    def __len__(self) -> int:
        return self._count

    def _unset(self, url: str, held: bytes) -> None:
        flags = held[0] & ~(1 << self._n)
        if flags:
            self._pairs.packed[url] = bytes((flags,)) + held[1:]
        else:
            del self._pairs.packed[url]


def _packed(fingerprint: str) -> bytes | None:
    """The fingerprint's bytes, when it reads back as the same text."""
    if len(fingerprint) != 2 * _DIGEST:
        return None
    try:
        packed = bytes.fromhex(fingerprint)
    except ValueError:
        return None
    return packed if packed.hex() == fingerprint else None
