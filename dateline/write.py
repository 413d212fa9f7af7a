"""Write the built site: into a fresh folder beside the output, swapped in only when
everything is written, so a failed build never leaves a half-written site behind.

Dateline only ever deletes or replaces a folder it made itself: each output folder
carries a marker file, and an existing folder without it is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import Problem, SourceRef, UsageError

MARKER = ".dateline-output"
"""A file in the root of every output folder; its presence allows Dateline to replace it."""


def check_output_dir(output: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder that is, contains or lies inside the site's sources, or
    that exists with other files in it and was not made by Dateline."""
    output = output.resolve()
    for folder in protected:
        folder = folder.resolve()
        if output == folder or folder.is_relative_to(output) or output.is_relative_to(folder):
            raise UsageError(Problem(SourceRef(str(output), 1), "refusing to build into this "
                             f"folder: it overlaps {folder}, which holds the site's sources; "
                             "choose an output folder of its own, such as site/"))
    if output.exists() and (not output.is_dir() or (
            any(output.iterdir()) and not (output / MARKER).is_file())):
        raise UsageError(Problem(SourceRef(str(output), 1), "refusing to replace this folder: "
                         "it exists and was not made by Dateline (no .dateline-output file); "
                         "remove it yourself or choose another --out"))


class StagedOutput:
    """A new output tree being written beside the real one; `commit()` swaps it in."""

    def __init__(self, output: Path):
        self.output = output.resolve()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.output.name}-new-",
                                          dir=self.output.parent))
        (self.root / MARKER).write_text("Built by Dateline. This folder is replaced on "
                                        "every build.\n", encoding="utf-8")
        self._made_dirs: set[Path] = {self.root}

    def write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        self._ensure_dir(path.parent)
        with open(path, "wb") as handle:
            handle.write(data)

    def copy(self, relative: str, source: Path) -> None:
        path = self.root / relative
        self._ensure_dir(path.parent)
        shutil.copyfile(source, path)

    def _ensure_dir(self, folder: Path) -> None:
        if folder not in self._made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(folder)

    def commit(self) -> None:
        """Swap the new tree in: two renames, so readers see the old or the new site."""
        os.chmod(self.root, 0o755)  # mkdtemp makes it private; a web server must read it
        old = None
        if self.output.exists():
            old = self.output.with_name(f".{self.output.name}-old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.rename(self.output, old)
        os.rename(self.root, self.output)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
