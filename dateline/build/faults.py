"""Named steps where tests make a build stop or fail, to prove what a crash or a full
disk at that moment leaves behind (`DATELINE_FAULT`).

`DATELINE_FAULT="stop:commit#3"` stops the process (SIGSTOP) the third time it reaches
the step `commit`, so that a test can kill it there and nowhere else;
`raise:stage.render` raises a RuntimeError (an internal error) at that step and
`nospace:commit#1` an OSError(ENOSPC), and `skip:exchange` makes the step report that
it was skipped (the caller takes its fallback). Several entries are separated by commas; a step
without `#N` matches every time. Unset, a step costs one dictionary lookup.
"""

from __future__ import annotations

import errno
import os

ENV = "DATELINE_FAULT"

_reached: dict[str, int] = {}


def point(step: str) -> bool:
    """Mark `step`; does nothing unless `DATELINE_FAULT` names it. True: skip the step."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return False
    count = _reached[step] = _reached.get(step, 0) + 1
    for entry in wanted.split(","):
        action, _, where = entry.strip().partition(":")
        if where not in (step, f"{step}#{count}"):
            continue
        if action == "stop":
            import signal  # only a test's fault needs it

            os.kill(os.getpid(), signal.SIGSTOP)
        elif action == "raise":
            raise RuntimeError(f"fault injected at {step}")
        elif action == "nospace":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), step)
        elif action == "skip":
            return True
    return False
