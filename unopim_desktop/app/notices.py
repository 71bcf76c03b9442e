"""Which runs deserve a desktop notification, and what it says (Qt-free: the tray only shows them).

- A scheduled run that failed, finished with errors, was held by a guard or refused: one notification for
  that run. The same trouble again on the next tick of the same job is not said again (a channel failing
  every five minutes all night is one notification, not a hundred); once the job runs clean, a later
  failure is said again.
- Optionally, a long manual run (a minute or more) that finished while the window was hidden.

Each notice carries the run's id: clicking it opens that run's Logs rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from unopim_desktop.app.jobs import JOB_NAMES, RUN_TITLES, counts_text
from unopim_desktop.app.scheduler import JobResult
from unopim_desktop.sync.events import RunFinished, RunStarted

LONG_RUN_S = 60.0
TITLE_OF = {"failed": "failed", "partial": "finished with errors", "held": "is held: it needs your confirmation",
            "refused": "was refused"}


@dataclass(frozen=True)
class Notice:
    title: str
    text: str
    level: str  # error | warning | info
    run_id: int | None = None
    channel: str = ""


class NoticePolicy:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic, long_run_s: float = LONG_RUN_S) -> None:
        self.monotonic = monotonic
        self.long_run_s = long_run_s
        self._said: dict[tuple[str, str], tuple[str, str]] = {}  # job → the trouble last said
        self._started: dict[int, float] = {}

    def scheduled(self, result: JobResult) -> Notice | None:
        """A notice for a job the scheduler ran, or None."""
        key = (result.channel, result.job)
        if result.action != "ran" or result.status == "cancelled":
            return None
        if result.status == "done":
            self._said.pop(key, None)
            return None
        trouble = (result.status, result.message)
        if self._said.get(key) == trouble:
            return None
        self._said[key] = trouble
        counts = counts_text(result.summary)
        text = " ".join(part for part in (result.message, f"({counts})" if counts else "") if part) or \
            "See the Logs."
        return Notice(f"Scheduled {JOB_NAMES[result.job]} of {result.channel} {TITLE_OF.get(result.status, result.status)}",
                      text, "error" if result.status in ("failed", "refused") else "warning", result.run_id,
                      result.channel)

    def manual_started(self, event: RunStarted) -> None:
        self._started[event.run_id] = self.monotonic()

    def manual_finished(self, event: RunFinished, *, hidden: bool, wanted: bool) -> Notice | None:
        """A notice for a manual run that finished, when it was long and the window hidden (and wanted)."""
        started = self._started.pop(event.run_id, None)
        if started is None or not hidden or not wanted or self.monotonic() - started < self.long_run_s:
            return None
        counts = counts_text(event.summary) or "nothing to do"
        text = f"{event.status}: {counts}." + (f" {event.message}" if event.message and event.status != "done" else "")
        level = {"done": "info", "partial": "warning", "held": "warning", "cancelled": "info"}.get(event.status, "error")
        return Notice(f"{RUN_TITLES.get(event.job, event.job)} of {event.channel} finished", text, level, event.run_id,
                      event.channel)

    def forget(self, run_id: int) -> None:
        self._started.pop(run_id, None)

