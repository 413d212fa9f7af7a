"""The preview server's alarm clock: a scheduled story is published when its moment
comes, with no edit to set off a rebuild (the command line's no-change shortcut knows
the same moment: `build.schedule.next_change`, the build's `valid_until`)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Alarm:
    """Calls `action()` on its own thread once `clock()` reaches the moment last given
    to `set` (then forgets it until the next `set`).

    It looks at the clock at least every `longest` seconds instead of sleeping until
    the moment: a clock that jumps (a laptop waking from sleep, a changed system time)
    is followed within that time."""

    def __init__(self, action: Callable[[], None], clock: Clock = system_clock,
                 longest: float = 1.0, name: str = "dateline-alarm"):
        self._action = action
        self._clock = clock
        self._longest = longest
        self._moment: dt.datetime | None = None
        self._stopping = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def set(self, moment: dt.datetime | None) -> None:
        with self._cond:
            self._moment = moment
            self._cond.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _due(self) -> bool:
        """Wait until the moment comes (True) or the alarm stops (False)."""
        with self._cond:
            while not self._stopping:
                if self._moment is None:
                    self._cond.wait()
                    continue
                remaining = (self._moment - self._clock()).total_seconds()
                if remaining <= 0:
                    self._moment = None
                    return True
                self._cond.wait(min(remaining, self._longest))
            return False

    def _run(self) -> None:
        while self._due():
            self._action()
