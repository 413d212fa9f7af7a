"""A digest of the layout of the classes a store pickles (`cache.cached_kinds`,
`savedbuild.model_kinds`): a store written by a Dateline whose classes had other fields,
or lived elsewhere, is dropped by its key instead of loading values into wrong fields."""

from __future__ import annotations

import dataclasses

from ..digests import digest


def layout_digest(kinds: tuple[type, ...]) -> str:
    """A digest of where each kind (dataclasses and msgspec Structs) lives and of its
    fields, in order: a pickle names a class by module and qualified name, so a cache
    written before one moved would fail to load (it is dropped by its key instead). Whether
    instances have a dict counts too: a dataclass given slots cannot load the dict a
    pickle of it without them holds."""
    text = repr([(kind.__module__, kind.__qualname__, _field_names(kind),
                  kind.__dictoffset__ != 0) for kind in kinds])
    return digest(text, size=8)


def _field_names(kind: type) -> tuple[str, ...]:
    names = getattr(kind, "__struct_fields__", None)
    return names if names is not None else tuple(f.name for f in dataclasses.fields(kind))
