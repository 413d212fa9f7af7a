"""Read content files into `Document`s: decoded text, parsed front matter and body.

Nothing here knows what the keys mean; `assemble` does. This stage only guarantees that
every front-matter value comes with the line it was written on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problems, SourceRef, display_path

# PyYAML's C loader is several times faster; the pure-Python one is the fallback.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterLoader(_SafeLoader):
    """Safe YAML that leaves timestamps as text, so `assemble` can parse dates itself
    and report an impossible date with its line instead of a constructor traceback."""

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


@dataclass(frozen=True, slots=True)
class Document:
    """One content file, split into front matter and Markdown body."""

    path: Path
    """Absolute path of the file."""
    ref: str
    """The path as shown in messages, relative to the site folder."""
    parts: tuple[str, ...]
    """Path parts below `content/`, e.g. ('en', 'world', 'vote.md')."""
    meta: dict = field(hash=False, compare=False)
    """The front matter as loaded (timestamps left as text)."""
    key_lines: dict = field(hash=False, compare=False)
    """Dotted key ('title', 'image.src') → 1-based line in the file."""
    body: str
    body_line: int
    """1-based line of the file where the body starts."""
    digest: str
    """Hash of the file's bytes, for caches."""
    front: str = ""
    """Hash of the front-matter block and where the body starts (`front_digest`): equal
    when an edit changed the body alone, whose metadata is then known without YAML."""

    def at(self, key: str | None = None) -> SourceRef:
        """Where `key` was written (or where the front matter starts)."""
        return SourceRef(self.ref, self.key_lines.get(key, 1) if key else 1)


def find_sources(content_dir: Path, misnamed: list[Path] | None = None) -> list[Path]:
    """Every Markdown file under the content folder, in a stable order. Files that look
    meant to be sources but are not built (`Story.MD`) are added to `misnamed`."""
    found = []
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            _sort(Path(folder, name), found, misnamed)
    return found


def sources_among(walked: Iterable[str], content_dir: Path,
                  misnamed: list[Path] | None = None) -> list[Path]:
    """`find_sources` from paths already walked in the same order (files of every folder
    under `content_dir`, hidden ones included)."""
    prefix = str(content_dir) + os.sep
    found: list[Path] = []
    for text in walked:
        if text.startswith(prefix) and not any(
                part.startswith(".") for part in text[len(prefix):].split(os.sep)[:-1]):
            if text.lower().endswith(".md"):  # a Path only for what may be a source
                _sort(Path(text), found, misnamed)
    return found


def _sort(path: Path, found: list[Path], misnamed: list[Path] | None) -> None:
    name = path.name
    if name.startswith("."):
        return
    if name.endswith(".md"):
        found.append(path)
    elif misnamed is not None and name.lower().endswith(".md"):
        misnamed.append(path)


def read_document(path: Path, content_dir: Path, root: Path,
                  problems: Problems) -> Document | None:
    """Read one file; on a problem, record it and return None."""
    ref = display_path(path, root)
    raw = path.read_bytes()
    split = split_source(raw, ref, problems)
    if split is None:
        return None
    yaml_text, body, body_line = split
    loaded = _load_yaml(yaml_text, ref, problems)
    if loaded is None:
        return None
    meta, key_lines = loaded
    return Document(
        path=path, ref=ref, parts=path.relative_to(content_dir).parts, meta=meta,
        key_lines=key_lines, body=body, body_line=body_line,
        digest=hashlib.blake2b(raw, digest_size=16).hexdigest(),
        front=front_digest(yaml_text, body_line),
    )


def split_source(raw: bytes, ref: str, problems: Problems) -> tuple[str, str, int] | None:
    """A file's bytes as (front-matter text, body, the body's first line); None with a
    problem recorded when they are not UTF-8 text starting with a front-matter block."""
    text = _decode(raw, ref, problems)
    return None if text is None else _split_front_matter(text, ref, problems)


def front_digest(yaml_text: str, body_line: int) -> str:
    return hashlib.blake2b(f"{body_line}\0{yaml_text}".encode(), digest_size=16).hexdigest()


def _decode(raw: bytes, ref: str, problems: Problems) -> str | None:
    try:
        text = raw.decode("utf-8-sig")  # editors on Windows add a BOM: accept it
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.error(SourceRef(ref, line), f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                       "save the file with UTF-8 encoding")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _split_front_matter(text: str, ref: str, problems: Problems):
    """Return (yaml text, body, body's first line) or None with a problem recorded."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        problems.error(SourceRef(ref, 1), "no front matter: the file must start with a line "
                       "'---', then YAML keys (title, date, ...), then a closing '---'")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return yaml_text, body, index + 2
    problems.error(SourceRef(ref, 1), "front matter is not closed: add a line '---' after "
                   "the last front-matter key")
    return None


def _load_yaml(yaml_text: str, ref: str, problems: Problems):
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
        key = prefix + str(key_node.value)
        line = key_node.start_mark.line + offset
        if key in lines and repeated is not None and key_node.tag != "tag:yaml.org,2002:merge":
            repeated.append((key, lines[key], line))
        lines.setdefault(key, line)
        if isinstance(value_node, yaml.MappingNode) and id(value_node) not in seen:
            lines.update(_key_lines(value_node, offset, key + ".", seen, repeated))
    return lines
