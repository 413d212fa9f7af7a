"""The last command-line build's model saved in the build cache (`last-build-*.pickle`)
and its head (`last-build-*.head`): their format, saving and loading. How a build uses
them: `savedstore` and docs/incremental.md."""

from __future__ import annotations

import copyreg
import datetime as dt
import functools
import io
import operator
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from msgspec import structs

from ..atomic import replacing
from ..digests import digest
from ..errors import Problem
from ..incremental.cache import layout_digest
from ..incremental.cachedamage import CacheDamaged, reason, unpickled
from ..model import Article, Site
from ..outputs.pages import Page

MODEL = "last-build-{}.pickle"
HEAD = "last-build-{}.head"
"""One pair per output folder (named by a digest of its path): a clean build into
another folder, or a second site built beside the first, leaves this one's alone."""
FORMAT = 1
MOST_KEPT_EDITS = 64
"""Edited articles the head carries before the next build saves the whole model again."""


@dataclass
class SavedHead:
    key: str
    """The cache key and the options that shape the site: another key, another site."""
    generation: str
    """Names the model file this head goes with."""
    output: str
    build_id: str
    """The output folder's build, which the cache's record of it must name too."""
    written_ns: int
    valid_until: dt.datetime
    """When the clock alone changes the site (`schedule.next_change`)."""
    stats: dict[str, tuple[int, int, int]]
    """Every input file's stat (sources, photos, theme, catalogs, config)."""
    warnings: tuple[Problem, ...]
    """What reading, assembling and the photos reported (the catalogs report theirs
    again every build)."""
    site_fingerprint: str
    templates: dict[str, str]
    edits: dict[str, Article] = field(default_factory=dict)
    """Source path → its version edited since the model was saved."""


@dataclass
class SavedModel:
    generation: str
    site: Site
    """Without its config (the build's own is put back)."""
    pages: tuple[Page, ...]
    fingerprints: tuple[str, ...]
    shared: dict[str, dict[str, str]]
    """Article and card fingerprints by URL (`PageFingerprints`)."""


def key_of(cache_key: str, shape: tuple) -> str:
    """`cache_key` (Dateline's version, settings, the layout of the values the cache
    holds), the layout of the model's values and the options that shape the site."""
    return f"{FORMAT}|{cache_key}|{_layout()}|{shape!r}"


@functools.cache
def _layout() -> str:
    # Values are pickled as their constructor's arguments: a model saved before a field
    # was added, removed or moved would load with values in the wrong fields.
    return layout_digest(model_kinds())


def save(folder: Path, output: Path, head: SavedHead, model: SavedModel | None) -> None:
    """Write the head, and the model when given (a build that planned afresh). Only an
    optimisation: when the disk refuses (full, read-only), the next build takes the full
    path, and this one still succeeds."""
    try:
        if model is not None:
            site = structs.replace(model.site, config=None)
            _write(_file(folder, MODEL, output), f"{head.key}|{head.generation}",
                   replace(model, site=site))
        _write(_file(folder, HEAD, output), head.key, head)
    except OSError:
        _file(folder, HEAD, output).unlink(missing_ok=True)


def load(folder: Path, pattern: str, output: Path, key: str, kind: type):
    """The head (`HEAD`) or model (`MODEL`) saved for `output` under `key` (see
    `_load`)."""
    return _load(_file(folder, pattern, output), key, kind)


def _file(folder: Path, pattern: str, output: Path) -> Path:
    name = digest(str(output), size=8)
    return folder / pattern.format(name)


def _write(path: Path, key: str, value) -> None:
    with replacing(path) as handle:
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _path_reducers()
        pickler.dump(key)  # read first: values of another layout are never unpickled
        pickler.clear_memo()  # each is read by an unpickler of its own
        pickler.dump(value)


def _path_reducers() -> dict:
    """How the model's paths are pickled: as their folder (one object for all its files)
    and their name, joined again when loaded, twice as fast as parsing each whole path.
    (The model's values are msgspec Structs, pickled as their constructor's arguments.)"""
    folders: dict[str, PurePath] = {}

    def path_reducer(path: PurePath):
        folder = path.parent
        if folder == path:
            return type(path), (str(path),)
        return operator.truediv, (folders.setdefault(str(folder), folder), path.name)

    table = dict(copyreg.dispatch_table)
    table[type(Path())] = path_reducer
    return table


def model_kinds() -> tuple[type, ...]:
    """Every class of Dateline's whose values the saved model pickles."""
    from .. import errors, model
    from ..outputs import pages
    from ..photos import photos
    from ..photos.social import SocialCrops

    return (model.Article, model.Correction, model.Image, model.Asset, model.Site, model.Timeline,
            pages.Page,
            pages.Pagination, errors.SourceRef, errors.Problem, photos.Picture,
            photos.Rendition, photos.Job, photos.SourceInfo, SavedHead, SavedModel,
            SocialCrops)


def _load(path: Path, key: str, kind: type):
    """The value saved in `path` for `key`; None when there is none or it was saved for
    another key (another version, layout or settings); CacheDamaged when it cannot be
    read (cut off, random bytes, a class that moved, a value of another kind)."""
    what = f"its saved model ({path.name})"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheDamaged(f"{what}: {reason(exc)}") from exc
    handle = io.BytesIO(data)
    try:
        saved_key = pickle.load(handle)
    except Exception as exc:  # noqa: BLE001 - every way a foreign pickle can fail
        raise CacheDamaged(f"{what}: {reason(exc)}") from exc
    if saved_key != key:
        return None  # values of another layout are never unpickled
    value = unpickled(memoryview(data)[handle.tell():], what)
    if not isinstance(value, kind):
        raise CacheDamaged(f"{what}: a {type(value).__name__}, not a {kind.__name__}")
    return value


def discard(folder: Path) -> None:
    """Remove every saved model (the cache they go with was found damaged)."""
    for pattern in (MODEL, HEAD):
        for path in folder.glob(pattern.format("*")):
            path.unlink(missing_ok=True)

