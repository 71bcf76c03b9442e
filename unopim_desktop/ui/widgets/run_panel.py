"""The Sync tab's live view of a run: its title with the run's ETA, one bar per step (scrollable, so the
window fits a small screen), and the tail of its log rows (all but the plain successes, which the Logs tab
lists).

Engine events only update plain state here; a 100 ms timer repaints the bars, the title and the tail while
anything changed, so a 10,000-product pull costs a few repaints a second, not one per product."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from unopim_desktop.sync.events import LogRow, RunFinished, RunStarted, StepProgress, eta_text
from unopim_desktop.ui.widgets.log_tail import LogTail
from unopim_desktop.ui.widgets.run_history import job_title
from unopim_desktop.ui.widgets.step_progress import StepProgressPanel

REPAINT_MS = 100
# Each entity a run writes is a Logs row; the tail leaves out the plain successes (thousands in a large
# run, each an HTML line to lay out) and keeps run messages, skips, adoptions, dry-run rows and problems.
QUIET_ACTIONS = frozenset({"created", "updated"})
IDLE_TITLE = "No run yet."


class RunPanel(QSplitter):
    def __init__(self, steps: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.run_id: int | None = None
        self.heading = IDLE_TITLE  # the title without its ETA
        self.run_eta: float | None = None
        self._eta_dirty = False
        self.title = QLabel(IDLE_TITLE)
        self.title.setObjectName("runTitle")
        self.title.setWordWrap(True)
        self.progress = StepProgressPanel(steps)
        self.tail = LogTail()
        self.tail.setObjectName("logTail")
        bars = QScrollArea()
        bars.setObjectName("stepBars")
        bars.setWidgetResizable(True)
        bars.setFrameShape(QFrame.Shape.NoFrame)
        bars.setWidget(self.progress)
        bars.setMinimumHeight(80)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(bars, 1)
        self.addWidget(left)
        self.addWidget(self.tail)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)
        self.setChildrenCollapsible(False)
        self._repaint = QTimer(self)
        self._repaint.setInterval(REPAINT_MS)
        self._repaint.timeout.connect(self.flush)
        self.running = lambda: False  # the Sync tab says whether a run is going (the timer stops when not)

    # -- a run from the tab ----------------------------------------------------------------------------
    def begin(self, name: str) -> None:
        self.run_id = None
        self.tail.clear_rows()
        self.progress.reset()
        self._title(f"{name}: starting…")

    def did_not_run(self, text: str) -> None:
        """Refused before it started (another run holds the channel, a setting is missing): nothing to show
        but why."""
        self.progress.reset()
        self._title(text)

    # -- engine events -----------------------------------------------------------------------------------
    def started(self, event: RunStarted) -> None:
        self.run_id = event.run_id
        self.progress.set_steps(event.steps)
        self.progress.reset()
        mode = " · dry run" if event.dry_run else ""
        self._title(f"<b>{job_title(event.job)}</b> · channel {event.channel} → {event.store}{mode}")
        self.poke()

    def step(self, event: StepProgress) -> None:
        if self.run_id is not None and event.run_id != self.run_id:
            return
        self.progress.update(event)
        if event.run_eta_s != self.run_eta:
            self.run_eta, self._eta_dirty = event.run_eta_s, True
        self.poke()

    def row(self, row: LogRow) -> None:
        if row.level == "info" and row.extra.get("action") in QUIET_ACTIONS:
            return  # one row per product written is the Logs tab's (the tail keeps what needs reading)
        self.tail.add(row)
        self.poke()

    def finished(self, event: RunFinished) -> None:
        self.flush()
        if event.status != "done":
            self.progress.stop_spinning()
        self.run_eta = None
        self._title(f"{self.heading} — <b>{event.status}</b>")

    # -- painting ------------------------------------------------------------------------------------------
    def _title(self, text: str) -> None:
        self.heading = text
        self.run_eta, self._eta_dirty = None, False
        self.title.setText(text)

    def poke(self) -> None:
        if not self._repaint.isActive():
            self._repaint.start()

    def stop_spinning(self) -> None:
        self.progress.stop_spinning()

    @property
    def dirty(self) -> bool:
        return self.progress.dirty or self.tail.dirty or self._eta_dirty

    def flush(self) -> None:
        """Repaint what changed since the last tick; the timer stops once a quiet tick finds nothing."""
        if not self.dirty:
            if not self.running():
                self._repaint.stop()
            return
        self.progress.flush()
        self.tail.flush()
        if self._eta_dirty:
            self._eta_dirty = False
            eta = f" · {eta_text(self.run_eta).replace('left', 'left in this run')}" if self.run_eta else ""
            self.title.setText(self.heading + eta)
