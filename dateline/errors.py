"""Errors and warnings that point at a file and line, and say what to do."""

from __future__ import annotations

from pathlib import Path

import msgspec


class SourceRef(msgspec.Struct, frozen=True, gc=False):
    """A place in an input file: the path as the user knows it, and a 1-based line; 0
    for a folder, a command-line option or a whole file, which have no line to name."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong (or worth a warning) in the input."""

    where: SourceRef
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DatelineError(Exception):
    """A failure the user can fix; carries every problem found, not just the first."""

    exit_code = 1
    counted = True
    """The command line adds a line counting the problems (False: the one problem's
    line says all, as when the cluster failed, not the site)."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = list(problems) if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(DatelineError):
    """The configuration file is unreadable or invalid."""


class ContentError(DatelineError):
    """One or more content files are invalid."""


class UsageError(DatelineError):
    """The command line asks for something that cannot be done."""

    exit_code = 2


def display_path(path: Path, root: Path) -> str:
    """A path relative to the site folder when it is inside it, for short messages."""
    text, prefix = str(path), str(root).rstrip("/") + "/"
    if text.startswith(prefix) and "/." not in text:  # the common case, without pathlib
        return text[len(prefix):]
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class Problems:
    """Collects problems across a stage so that all of them are reported at once."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, where: SourceRef, message: str) -> None:
        self.errors.append(Problem(where, message))

    def warn(self, where: SourceRef, message: str) -> None:
        self.warnings.append(Problem(where, message))

    def count(self) -> int:
        return len(self.errors) + len(self.warnings)

    def extend(self, other: Problems) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def raise_if_any(self, kind: type[DatelineError] = ContentError) -> None:
        if self.errors:
            raise kind(sorted(self.errors, key=_problem_order))


def _problem_order(problem: Problem) -> tuple[str, int]:
    return (problem.where.path, problem.where.line)
