"""Where a table or key of a TOML file is written, for messages naming file and line."""

from __future__ import annotations

import re


class TomlLines:
    """Finds the line of a table or key in TOML text, for messages.

    tomllib keeps no positions, so this scans table headers and `key =` lines; it
    only has to be right for the simple layouts people write by hand.
    """

    def __init__(self, text: str):
        self.lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if m := re.match(r"^\[+\s*([^\]]+?)\s*\]+", line):
                table = tuple(p.strip().strip('"') for p in m.group(1).split("."))
                self.lines.setdefault(table, number)
            elif m := re.match(r'^("?[^=\s"]+"?)\s*=', line):
                self.lines.setdefault(table + (m.group(1).strip('"'),), number)

    def find(self, *keys: str) -> int:
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return 1
