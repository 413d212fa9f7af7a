"""Front matter's YAML: safe loading, with the line of every key, and errors that say
where and what to do. Imported by `read` only when a file's front matter must be read
(a build after body-only edits reads none: see `savedbuild`)."""

from __future__ import annotations

import sys

import yaml

from .errors import Problems, SourceRef

# PyYAML's C loader is several times faster; the pure-Python one is the fallback.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterLoader(_SafeLoader):
    """Safe YAML that leaves timestamps as text, so `assemble` can parse dates itself
    and report an impossible date with its line instead of a constructor traceback."""

    def construct_short_str(self, node):
        text = self.construct_scalar(node)
        # Every file repeats the same keys ('title', 'date', 'tags') and many values (a
        # tag, an author, a photo's credit): one string each, not one per file (a cold
        # build holds every document until the model is made; issue 19).
        return sys.intern(text) if len(text) <= SHARED_MOST else text

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, RecursionError) as exc:
            # An explicit tag with a bad value (`!!int abc`, `!!timestamp 2026-02-30`; a
            # `!!timestamp` its pattern does not match fails inside PyYAML with an
            # AttributeError) or a mapping merged into itself: report it at its node like
            # any other YAML error.
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value ({exc})", node.start_mark) from None


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}


SHARED_MOST = 64
"""The longest text of the front matter shared between files (`sys.intern`); longer is
a title or a summary, seldom repeated."""

FrontMatterLoader.add_constructor("tag:yaml.org,2002:str", FrontMatterLoader.construct_short_str)


def shared_strings(value):
    """Front matter unpickled, with its short texts shared as `construct_short_str`
    shares them when the file is read (a pickle made in another process brings its own
    copy of every 'title' key and tag)."""
    return texts_mapped(value, _shared)


def _shared(text: str) -> str:
    return sys.intern(text) if len(text) <= SHARED_MOST else text


def texts_mapped(value, change, made: dict | None = None):
    """Front matter with `change(text)` for each of its texts (keys too), its dicts and
    lists new. A list or dict met twice (a YAML alias, which may hold itself) stays one
    object."""
    kind = type(value)
    if kind is str:
        return change(value)
    if kind is not dict and kind is not list:
        return value
    made = {} if made is None else made
    if id(value) in made:
        return made[id(value)]
    copy = made[id(value)] = kind()
    if kind is dict:
        for key, item in value.items():
            copy[texts_mapped(key, change, made)] = texts_mapped(item, change, made)
    else:
        copy.extend(texts_mapped(item, change, made) for item in value)
    return copy


def load_yaml(yaml_text: str, ref: str, problems: Problems):
    # The YAML block starts on the file's second line.
    offset = 2
    loader = FrontMatterLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.error(SourceRef(ref, 1), "front matter is empty: add at least title "
                           "and date")
            return None
        if not isinstance(node, yaml.MappingNode):
            problems.error(SourceRef(ref, node.start_mark.line + offset), "front matter "
                           "must be a set of 'key: value' lines")
            return None
        repeated: list[tuple[str, int, int]] = []
        key_lines = _key_lines(node, offset, repeated=repeated)
        if repeated:
            # YAML keeps the last value without a word: a second `date:` pasted below the
            # first would silently change when the story is published.
            for key, first, again in repeated:
                problems.error(SourceRef(ref, again), f"front matter: '{key}' is given twice "
                               f"(lines {first} and {again}); keep one of them")
            return None
        key_lines = _shared_lines(key_lines)
        meta = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark else 1
        problems.error(SourceRef(ref, line), f"front matter is not valid YAML: "
                       f"{_yaml_reason(exc)}")
        return None
    except yaml.YAMLError as exc:
        problems.error(SourceRef(ref, 1), f"front matter is not valid YAML: {exc}")
        return None
    finally:
        loader.dispose()
    return meta, key_lines


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    reason = " ".join(str(p) for p in (exc.context, exc.problem) if p)
    if "constructor" in reason and "tag" in reason:
        return (f"{exc.problem}; YAML tags such as !!python/object are not allowed, "
                "write plain values")
    if "mapping values" in reason:
        reason += " (put quotes around a value that contains ': ')"
    return reason


LAYOUTS_SHARED = 4096
"""Layouts of front matter (its keys and their lines) shared at most."""

_layouts: dict[tuple, dict[str, int]] = {}


def _shared_lines(lines: dict[str, int]) -> dict[str, int]:
    """One dict for the files whose front matter is laid out alike (the same keys on the
    same lines, as a desk's template writes them): a cold build holds every file's until
    the model is made (~0.4 kB each; issue 19). Never changed once made."""
    layout = tuple(lines.items())
    shared = _layouts.get(layout)
    if shared is not None:
        return shared
    if len(_layouts) < LAYOUTS_SHARED:
        _layouts[layout] = lines
    return lines


def _key_lines(node: yaml.MappingNode, offset: int, prefix: str = "",
               seen: set[int] | None = None,
               repeated: list[tuple[str, int, int]] | None = None) -> dict[str, int]:
    """Key (dotted below the top level) → line; a key written twice in one mapping is
    added to `repeated` as (key, first line, second line)."""
    # An alias makes the node tree a graph: visit each mapping once, so a mapping that
    # contains itself, or aliases nested many times over, cannot loop or explode.
    seen = set() if seen is None else seen
    seen.add(id(node))
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = sys.intern(prefix + str(key_node.value))  # (as the mapping's keys)
        line = key_node.start_mark.line + offset
        if key in lines and repeated is not None and key_node.tag != "tag:yaml.org,2002:merge":
            repeated.append((key, lines[key], line))
        lines.setdefault(key, line)
        if isinstance(value_node, yaml.MappingNode) and id(value_node) not in seen:
            lines.update(_key_lines(value_node, offset, key + ".", seen, repeated))
        elif isinstance(value_node, yaml.SequenceNode):
            # Tables in a list ('corrections.0', 'corrections.0.date'), for messages.
            for index, item in enumerate(value_node.value):
                if isinstance(item, yaml.MappingNode) and id(item) not in seen:
                    lines.setdefault(f"{key}.{index}", item.start_mark.line + offset)
                    lines.update(_key_lines(item, offset, f"{key}.{index}.", seen, repeated))
    return lines
