"""The one-line progress display a terminal shows while a build runs."""

from __future__ import annotations

import sys
import time

from . import faults


class Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.name = ""
        self.total = 0
        self.count = 0
        self._last = 0.0

    def stage(self, name: str) -> None:
        faults.point(f"stage.{name}")
        self.name, self.count, self.total = name, 0, 0
        self._show()

    def advance(self) -> None:
        self.count += 1
        if time.perf_counter() - self._last > 0.1 or self.count == self.total:
            self._show()

    def _show(self) -> None:
        if not self.enabled:
            return
        self._last = time.perf_counter()
        if self.total:
            width = 30
            filled = width * self.count // self.total
            bar = "█" * filled + "·" * (width - filled)
            text = f"{self.name:<9} {bar} {self.count}/{self.total} pages"
        else:
            text = f"{self.name}…"
        sys.stderr.write("\r\x1b[2K" + text)
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
