"""bench/run.py --only: a big corpus measured in fewer builds (issue 19's 300,000)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _table(output: str) -> list[str]:
    """The scenarios of the final table (the lines after its header)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("build "))
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip())[0])
    return rows


def test_only_runs_the_cold_build_and_the_named_scenarios(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(REPO / "bench/run.py"), "--stories", "2", "--languages", "1",
         "--skip-peers", "--skip-serve", "--no-search", "--pss-budget", "0",
         "--only", "no-change,retitle", "--keep", str(tmp_path / "bench")],
        capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _table(done.stdout) == ["cold", "no change", "one article retitled"]


def test_only_refuses_an_unknown_name(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench/run.py"), "--only", "cold,warm"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown scenario warm; choose from cold, no-change, edit" in done.stderr
