"""Issue 19: a build that renders the whole site forks its rendering helpers afresh for
each segment of pages (`output.SEGMENT_PAGES`). A forked helper copies every memory page
of the model whose objects it touches, so one helper for a whole archive ends up with a
copy of the model; one per segment holds what its segment touched, then exits.

The build runs in a process of its own with the segment made small, each page rendered
noting the process that rendered it; the helpers must each have rendered one segment at
most, and the site must be byte for byte the site of one segment."""

import json
import subprocess
import sys
from pathlib import Path

from test_bounded_edit import generated

NOW = "2026-06-01T12:00:00+00:00"
SEGMENT = 120
BUILD = """
import json, os, sys
from dateline.build import output, rendering
from dateline.cli import main

segment, log = int(sys.argv[3]), sys.argv[4]
if segment:
    output.SEGMENT_PAGES = segment
render_one = rendering._render_one

def noted(job, index):
    with open(log, "a", encoding="utf-8") as file:
        file.write(f"{os.getpid()}\\n")
    return render_one(job, index)

rendering._render_one = noted
code = main(["build", "--config", sys.argv[1], "--out", sys.argv[2], "--jobs", "2",
             "--now", sys.argv[5]])
print(json.dumps({"code": code, "pid": os.getpid()}))
"""


def build(config: Path, out: Path, segment: int, log: Path) -> dict[int, int]:
    """Pages rendered by each helper process (not the building process itself)."""
    done = subprocess.run([sys.executable, "-c", BUILD, str(config), str(out), str(segment),
                           str(log), NOW], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0, done.stderr[-3000:]
    counts: dict[int, int] = {}
    for line in log.read_text(encoding="utf-8").split():
        counts[int(line)] = counts.get(int(line), 0) + 1
    counts.pop(found["pid"], None)
    return counts


def tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*")
            if path.is_file() and path.name != ".dateline-output"}


def test_helpers_are_forked_afresh_for_each_segment(tmp_path):
    generated(tmp_path / "site", 300)
    config = tmp_path / "site/dateline.toml"
    whole = build(config, tmp_path / "whole", 0, tmp_path / "whole.log")
    segmented = build(config, tmp_path / "segmented", SEGMENT, tmp_path / "segmented.log")
    # One helper rendered its share of every page (this site is one segment by default):
    # more than a segment, even on a loaded machine, where the building process takes
    # more of the pages itself (a loaded CI run: 223 of ~530). (A segment smaller than
    # 96 pages forks no helper: `parallel.MIN_ITEMS_PER_WORKER`.)
    assert len(whole) == 1 and max(whole.values()) > SEGMENT, whole
    # With segments, a helper per segment, none rendering more than one.
    assert len(segmented) >= 3 and max(segmented.values()) <= SEGMENT, segmented
    assert tree(tmp_path / "segmented") == tree(tmp_path / "whole")
