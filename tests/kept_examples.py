"""The property tests' saved examples (`tests/.hypothesis-examples/`) and fixed seed in CI."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import seed, settings
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

CI = bool(os.environ.get("CI"))
KEPT_EXAMPLES = DirectoryBasedExampleDatabase(Path(__file__).parent / ".hypothesis-examples")
"""Examples of the property tests kept in the repository: each once made a test fail.

Hypothesis replays a test's saved examples before it makes new ones, and deletes those that
pass: so this folder is read-only by default (a fixed bug's example stays, to catch the bug
coming back), and Hypothesis writes only to the untracked .hypothesis/ of a checkout. In CI
nothing is written at all (the checkout is thrown away). To keep a failing example, run the
failing test once with DATELINE_KEEP_EXAMPLES=1 (the failure is then written here) and commit
the new files with the fix."""


def property_settings(**options) -> settings:
    """Settings for a property test that replays `KEPT_EXAMPLES` first. `derandomize` (the
    CI profile's fixed seed) would turn every example database off, so in CI the test is
    given a fixed seed instead (`property_seed`): CI draws the same examples on every run,
    and a failure there reproduces anywhere with the same seed."""
    if os.environ.get("DATELINE_KEEP_EXAMPLES"):
        database = KEPT_EXAMPLES
    elif CI:
        database = ReadOnlyDatabase(KEPT_EXAMPLES)
    else:
        database = MultiplexedDatabase(ReadOnlyDatabase(KEPT_EXAMPLES),
                                       DirectoryBasedExampleDatabase(".hypothesis/examples"))
    return settings(derandomize=False, database=database, **options)


def property_seed(test):
    """A fixed seed in CI (see `property_settings`); a random one elsewhere."""
    return seed(16)(test) if CI else test
