"""Read content files into `Document`s: decoded text, parsed front matter and body.

Nothing here knows what the keys mean; `assemble` does. This stage only guarantees that
every front-matter value comes with the line it was written on.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .digests import digest
from .errors import Problems, SourceRef, display_path
from .inputs import Confinement, is_readable, walk, why_unread


@dataclass(frozen=True, slots=True)
class Document:
    """One content file, split into front matter and Markdown body."""

    path: str
    """Absolute path of the file, as text: a `Path` object and its parts list were ~310
    bytes a source, held by every source until the model is made (issue 19)."""
    ref: str
    """The path as shown in messages, relative to the site folder."""
    below: int
    """Where in `path` the part below `content/` starts (`parts`)."""
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

    @property
    def parts(self) -> tuple[str, ...]:
        """Path parts below `content/`, e.g. ('en', 'world', 'vote.md'). Made when asked
        for: a tuple held by every source until the model was made was one more small
        block between the articles' own, and a hole once the sources were settled
        (issue 19)."""
        return tuple(self.path[self.below:].split(os.sep))

    def at(self, key: str | None = None) -> SourceRef:
        """Where `key` was written (or where the front matter starts)."""
        return SourceRef(self.ref, self.key_lines.get(key, 1) if key else 1)


Unread = tuple[Path, str, bool]
"""A walked entry that is not read: its path, why, and whether that is an error."""


def find_sources(content_dir: Path, misnamed: list[Path] | None = None,
                 unread: list[Unread] | None = None,
                 confinement: Confinement | None = None) -> list[Path]:
    """Every Markdown file under the content folder, in a stable order. Files that look
    meant to be sources but are not built (`Story.MD`) are added to `misnamed`; entries
    that are not read (a named pipe, a link leading outside the site: `inputs.walk`)
    to `unread`."""
    return sources_among(walk(str(content_dir), confinement), content_dir, misnamed,
                         unread, confinement)


def sources_among(walked: dict[str, os.stat_result], content_dir: Path,
                  misnamed: list[Path] | None = None, unread: list[Unread] | None = None,
                  confinement: Confinement | None = None) -> list[Path]:
    """`find_sources` from entries already walked (`inputs.walk`, in its order) with
    their stats: those of the folders under `content_dir`."""
    prefix = str(content_dir) + os.sep
    found: list[Path] = []
    for text, stat in walked.items():
        if not text.startswith(prefix):
            continue
        if not is_readable(stat):
            if unread is not None:
                unread.append((Path(text), *why_unread(text, stat, confinement)))
        elif text.lower().endswith(".md"):  # a Path only for what may be a source
            _sort(Path(text), found, misnamed)
    return found


def report_unread(misnamed: list[Path], unread: list[Unread], root: Path,
                  problems: Problems) -> None:
    """Record what `find_sources` left out: misnamed files (a warning) and entries it
    could not read (an error or a warning, as `inputs.why_unread` decided)."""
    for path in misnamed:
        problems.warn(SourceRef(display_path(path, root), 1),
                      f"not built: Markdown files must end in '.md' in lower case; rename "
                      f"it to {path.stem}.md")
    for path, message, is_error in unread:
        report = problems.error if is_error else problems.warn
        report(SourceRef(display_path(path, root), 1), message)


def _sort(path: Path, found: list[Path], misnamed: list[Path] | None) -> None:
    name = path.name
    if name.startswith("."):
        return
    if name.endswith(".md"):
        found.append(path)
    elif misnamed is not None and name.lower().endswith(".md"):
        misnamed.append(path)


def read_document(path: Path, content_dir: Path, root: Path,
                  problems: Problems, raw: bytes | None = None) -> Document | None:
    """Read one file (or take its bytes, `raw`, read elsewhere); on a problem, record it
    and return None."""
    ref = display_path(path, root)
    if raw is None:
        raw = path.read_bytes()
    split = split_source(raw, ref, problems)
    if split is None:
        return None
    yaml_text, body, body_line = split
    from .front_matter import load_yaml  # PyYAML only when there is YAML to read

    loaded = load_yaml(yaml_text, ref, problems)
    if loaded is None:
        return None
    meta, key_lines = loaded
    return Document(
        path=str(path), ref=ref, below=below_of(path, content_dir), meta=meta,
        key_lines=key_lines, body=body, body_line=body_line,
        digest=digest(raw),
        front=front_digest(yaml_text, body_line),
    )


def below_of(path: Path, content_dir: Path) -> int:
    """`Document.below` of a file in the content folder."""
    prefix = str(content_dir) + os.sep
    if not str(path).startswith(prefix):
        raise ValueError(f"{path} is not in {content_dir}")
    return len(prefix)


def split_source(raw: bytes, ref: str, problems: Problems) -> tuple[str, str, int] | None:
    """A file's bytes as (front-matter text, body, the body's first line); None with a
    problem recorded when they are not UTF-8 text starting with a front-matter block."""
    text = _decode(raw, ref, problems)
    return None if text is None else _split_front_matter(text, ref, problems)


def front_digest(yaml_text: str, body_line: int) -> str:
    return digest(f"{body_line}\0{yaml_text}")


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
    if (found := _FORBIDDEN.search(text)) is not None:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - text.rfind("\n", 0, found.start())
        problems.error(SourceRef(ref, line), f"column {column}: the character "
                       f"U+{ord(found.group()):04X} is not allowed in HTML or XML (feeds); "
                       "remove it (it is often left by copying from another program)")
        return None
    return text


_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xfffe)}{chr(plane << 16 | 0xffff)}"
              for plane in range(1, 17)) + "]")
"""Characters XML 1.0 forbids (C0 controls but tab and newline; U+FFFE, U+FFFF) and
those HTML calls parse errors (C1 controls, noncharacters): none can be published."""


def forbidden_character(text: str) -> str | None:
    """The first character of `text` that no page or feed may carry, or None."""
    found = _FORBIDDEN.search(text)
    return found.group() if found else None


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
