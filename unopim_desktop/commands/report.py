"""What a sync command tells a person: progress while it runs (on a terminal one updating line per step, with
done/total and an ETA; piped, one line per finished step) and, at the end, a short summary (per entity kind
created / updated / unchanged / deleted / trashed / failed, the channels skipped and why, where the Logs
are)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from unopim_desktop.app.jobs import RUN_TITLES
from unopim_desktop.sync.engine import JobOutcome
from unopim_desktop.sync.events import LogRow, RunFinished, RunStarted, StepProgress, eta_text

SHOWN = ("created", "updated", "unchanged", "deleted", "trashed", "skipped", "failed", "conflicts")
REDRAW_S = 0.1  # a terminal line is rewritten at most 10 times a second


def step_line(event: StepProgress) -> str:
    name = event.step.replace("_", " ")
    count = f"{event.done:,}/{event.total:,}" if event.total is not None else f"{event.done:,}"
    if event.eta_s == 0.0 and event.total is not None and event.done >= event.total:
        return f"  {name}: {count} done"
    eta = eta_text(event.run_eta_s if event.run_eta_s is not None else event.eta_s)
    return f"  {name}: {count}" + (f" · {eta}" if eta else "")


def _finished(event: StepProgress) -> bool:
    return event.eta_s == 0.0 and event.total is not None and event.done >= event.total


class ProgressPrinter:
    """Subscribed to the app's bus by a sync command. On a terminal (`tty`), the step under way is one line
    rewritten in place (at most every `REDRAW_S`); each finished step leaves one line, and so does each
    warning. Piped, only those lines: one per step, when it finishes. `clock` is for tests."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.order: tuple[str, ...] = ()
        self.latest: dict[str, StepProgress] = {}
        self.finished: set[str] = set()
        self.drawn_at: float | None = None
        self.open_line = False  # a terminal line is drawn and not yet ended

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _say(self, line: str) -> None:
        """A whole line: the open progress line (terminal) is cleared first."""
        if self.open_line:
            self._write("\r\033[K")
            self.open_line = False
        self._write(line + "\n")

    def _current(self) -> StepProgress | None:
        """The earliest step of the job that has started and not finished (products while images trail it)."""
        for step in (*self.order, *self.latest):
            if step in self.latest and step not in self.finished:
                return self.latest[step]
        return None

    def _draw(self, *, force: bool = False) -> None:
        if not self.tty:
            return
        now = self.clock()
        if not force and self.drawn_at is not None and now - self.drawn_at < REDRAW_S:
            return
        current = self._current()
        if current is None:
            return
        self.drawn_at = now
        self._write("\r\033[K" + step_line(current))
        self.open_line = True

    def __call__(self, event: object) -> None:
        if isinstance(event, StepProgress):
            self.latest[event.step] = event
            if _finished(event):
                if event.step not in self.finished:
                    self.finished.add(event.step)
                    self._say(step_line(event))
                    self._draw(force=True)
            else:
                self._draw()
        elif isinstance(event, RunStarted):
            self.order, self.latest, self.finished = tuple(event.steps), {}, set()
            self._say(f"{'[dry run] ' if event.dry_run else ''}{RUN_TITLES.get(event.job, event.job)} of channel "
                      f"{event.channel} → {event.store}")
        elif isinstance(event, LogRow) and event.level in ("warning", "error"):
            self._say(f"  {event.level}: {event.message}")
            self._draw(force=True)
        elif isinstance(event, RunFinished):
            self._say(f"{RUN_TITLES.get(event.job, event.job)} of channel {event.channel}: {event.status}"
                      + (f" — {event.message}" if event.message else ""))


def summary_lines(outcome: JobOutcome, *, log_file: str = "", dry_run: bool = False) -> list[str]:
    """The end of a run, for a person: what happened per entity kind, what did not run and why, the Logs."""
    title = RUN_TITLES.get(outcome.job, outcome.job) + (" (dry run: nothing was written)" if dry_run else "")
    lines = [f"{title}: {outcome.status}"]
    ran = [c for c in outcome.channels if c.status != "skipped"]
    for c in ran:
        lines.append(f"  {c.channel} → {c.store}: {c.status}" + (f" (run {c.run_id})" if c.run_id else ""))
        kinds = [(kind, counts) for kind, counts in c.summary.items() if any(counts.get(k) for k in SHOWN)]
        width = max((len(kind) for kind, _ in kinds), default=0)
        for kind, counts in kinds:
            shown = ", ".join(f"{counts[k]:,} {k}" for k in SHOWN if counts.get(k))
            lines.append(f"    {kind.replace('_', ' '):<{width}}  {shown}")
        if not kinds:
            lines.append("    nothing to do")
        if c.message:
            lines.append(f"    {c.message}")
    for c in outcome.channels:
        if c.status == "skipped":
            lines.append(f"  {c.channel}: skipped — {c.message}")
    runs = [str(c.run_id) for c in ran if c.run_id]
    where = "Logs: the window's Logs tab"
    if runs:
        where += f", or `unopim-desktop logs --run {runs[0]}`" + (f" (runs {', '.join(runs)})" if len(runs) > 1 else "")
    if log_file:
        where += f"; the log file {log_file}"
    lines.append(where + ".")
    return lines
