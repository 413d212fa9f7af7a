"""`dateline merge OUT SHARD...`: one site from language shards built on separate machines.

A CI matrix builds each language on its own runner (`build --lang xx --out DIR`); every
shard carries its languages' pages plus the files the whole site shares (the root
chooser, the sitemap index, robots.txt, 404 page, headers, theme assets, photos), which a
shard build makes for every language. Merging copies every shard's files into one tree;
a file present in several shards must have the same bytes in each (anything else means
the shards were built from different sources or settings, and the merge stops naming the
file). The merged tree is staged beside OUT and swapped in whole, like a build's.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..build.write import MARKER, StagedOutput, read_build_id, read_unpublished
from ..errors import DatelineError, Problem, SourceRef, UsageError


@dataclass(frozen=True, slots=True)
class MergeResult:
    output: Path
    files: int
    """Files in the merged site."""
    shared: int
    """Files found in more than one shard (each with the same bytes)."""


def merge(output: Path, shards: Sequence[Path]) -> MergeResult:
    """Merge the built `shards` into `output` (replaced whole); raise a DatelineError
    naming the file when two shards disagree about one."""
    shards = [Path(shard) for shard in shards]
    _check_shards(output, shards)
    sources = _plan(shards)
    ids = sorted(read_build_id(shard) or "" for shard in shards)
    unpublished = sorted({kind for shard in shards for kind in read_unpublished(shard)})
    staged = StagedOutput(output, build_id=_digest_of("\n".join(ids).encode()),
                          unpublished=tuple(unpublished))
    try:
        for relative, source in sorted(sources.items()):
            staged.copy(relative, source.path)
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    shared = sum(1 for source in sources.values() if source.copies > 1)
    return MergeResult(output=output, files=len(sources), shared=shared)


@dataclass(slots=True)
class _Source:
    path: Path
    digest: str
    copies: int = 1


def _plan(shards: list[Path]) -> dict[str, _Source]:
    """Every file of the merged site and the shard file it is copied from."""
    sources: dict[str, _Source] = {}
    conflicts: list[Problem] = []
    for shard in shards:
        for relative in _files(shard):
            path = shard / relative
            known = sources.get(relative)
            if known is None:
                sources[relative] = _Source(path, "")
                continue
            if not known.digest:
                known.digest = _file_digest(known.path)
            if _file_digest(path) != known.digest:
                conflicts.append(Problem(SourceRef(str(path), 0), (
                    f"differs from {known.path}: the shards disagree about {relative}; "
                    "build every shard from the same commit and config")))
            known.copies += 1
    if conflicts:
        raise DatelineError(conflicts)
    return sources


def _files(shard: Path) -> Iterator[str]:
    for folder, dirs, names in os.walk(shard):
        dirs.sort()
        for name in sorted(names):
            relative = Path(folder, name).relative_to(shard).as_posix()
            if relative != MARKER:  # each shard's own; the merge writes its own
                yield relative


def _check_shards(output: Path, shards: list[Path]) -> None:
    if not shards:
        raise UsageError(Problem(SourceRef("merge", 0), "name at least one shard folder"))
    problems = []
    for shard in shards:
        if not (shard / MARKER).is_file():
            problems.append(Problem(SourceRef(str(shard), 0), (
                "is not a built Dateline site (no .dateline-output file); build each "
                "shard with `build --lang xx --out DIR` first")))
        elif _overlap(shard.resolve(), output.resolve()):
            problems.append(Problem(SourceRef(str(shard), 0), (
                f"overlaps the merge's output folder {output}; merge into a folder apart "
                "from every shard")))
    if problems:
        raise UsageError(problems)


def _digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)
