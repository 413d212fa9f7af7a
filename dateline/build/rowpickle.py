"""How the rows of the saved model are pickled (`modelrows`): each row on its own, so
that a build reads only the rows it needs, yet without pickling into every row what
many rows hold:

- the model's articles, which pages, feeds and the site row name by their key, as a
  call of `article_ref(key)` (the article's own row holds it);
- the values many articles or pages share, pickled once each into the `shared` table
  under the digest of their pickle: a photo's planned renditions (`Picture`,
  `SocialCrops`: every version of a story, and every story reusing the photo, shows the
  same ones; they were ~70 % of the article rows' bytes) and a listing's page URLs
  (`Pagination.urls`: each of a listing's n pages holds all n). A row names one as a
  call of `shared(key)`.

The row unpickler (`RowUnpickler`) answers both calls; any other unpickler fails on
them rather than read a wrong value. A reducer for the few kinds of values concerned
(the pickler's dispatch table) costs a Python call per such value only, where
`persistent_id` cost one per object pickled."""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable
from pathlib import Path, PurePath

from ..digests import digest
from ..incremental.cachedamage import CacheDamaged, reason
from ..model import Article
from ..outputs.pages import Pagination
from ..photos.photos import Picture
from ..photos.social import SocialCrops


def shared(key: str):
    """What a row names a shared value by. Only the row unpickler (`RowUnpickler`) can
    answer it: any other unpickler of a row fails here, never reads a wrong value."""
    raise pickle.UnpicklingError(f"a shared value ({key}) read without its table")


def article_ref(key: str):
    """What a row names an article of the model by (its key): answered, like `shared`,
    by the row unpickler alone."""
    raise pickle.UnpicklingError(f"a reference to {key!r} where none is kept")


def _path_reducer(path: PurePath):
    """A path as its string: pickled and loaded three times as fast as pathlib's parts
    (or as its folder and name, joined again when loaded)."""
    return type(path), (str(path),)


class _Ref:
    """Stands for a shared value inside a value's constructor arguments."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __reduce__(self):
        return shared, (self.key,)


class SharedValues:
    """The shared values of one save: key (the digest of its pickle) → its pickle. Each
    value is pickled once, however many rows hold it (found by identity: translations
    share their original's planned photo), and equal values get one key even when they
    are different objects (a model that read some articles back from the cache)."""

    def __init__(self):
        self.blobs: dict[str, bytes] = {}
        self._keys: dict[int, tuple[object, str]] = {}
        self._pickler = RowPickler()

    def key(self, value) -> str:
        known = self._keys.get(id(value))
        if known is not None:
            return known[1]
        blob = self._pickler.dumps(value)
        key = digest(blob)
        self.blobs.setdefault(key, blob)
        self._keys[id(value)] = (value, key)  # kept alive: its id is not reused
        return key

    def reducers(self) -> dict:
        def by_key(value):
            return shared, (self.key(value),)

        def pagination(value: Pagination):
            return type(value), tuple(_Ref(self.key(value.urls)) if name == "urls"
                                      else getattr(value, name)
                                      for name in value.__struct_fields__)

        return {Picture: by_key, SocialCrops: by_key, Pagination: pagination}


class RowPickler:
    """Pickles rows one after another: the articles among `refs` (key → article) as
    references to their rows, the values of `shared` once, in its table."""

    def __init__(self, refs: dict[str, Article] | None = None,
                 shared: SharedValues | None = None):
        table = dict(copyreg.dispatch_table)
        table[type(Path())] = _path_reducer
        if shared is not None:
            table.update(shared.reducers())
        if refs:
            # A reducer is called for the articles alone (a `persistent_id` would be
            # called for each of the ~200,000 objects of 3,000 articles' pages).
            def article(value: Article):
                key = value.source.path
                return ((article_ref, (key,)) if refs.get(key) is value
                        else value.__reduce__())

            table[Article] = article
        self._table = table

    def dumps(self, value) -> bytes:
        # A pickler per row: clearing one's memo costs as much as the largest row it saw.
        handle = io.BytesIO()
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self._table
        pickler.dump(value)
        return handle.getvalue()


class RowUnpickler(pickle.Unpickler):
    """Loads a row: `load_ref` gives the article of a key, `load_shared` the shared
    value of a key."""

    def __init__(self, handle, load_ref: Callable[[str], Article],
                 load_shared: Callable[[str], object]):
        super().__init__(handle)
        self.load_ref, self.load_shared = load_ref, load_shared

    def find_class(self, module, name):
        if module == __name__:
            if name == "article_ref":
                return self.load_ref
            if name == "shared":
                return self.load_shared
        return super().find_class(module, name)


def loads(blob: bytes, what: str, load_ref=None, load_shared=None):
    """A row's value, its references loaded by `load_ref` (key → Article) and its shared
    values by `load_shared` (key → value); CacheDamaged when it cannot be read."""
    try:
        return RowUnpickler(io.BytesIO(blob), load_ref or _no_refs,
                            load_shared or _no_shared).load()
    except CacheDamaged:
        raise
    except Exception as exc:  # noqa: BLE001 - every way a foreign pickle can fail
        raise CacheDamaged(f"{what}: {reason(exc)}") from exc


def _no_refs(pid):
    raise pickle.UnpicklingError(f"a reference to {pid!r} where none is kept")


def _no_shared(key):
    raise pickle.UnpicklingError(f"a shared value ({key!r}) where none is kept")
