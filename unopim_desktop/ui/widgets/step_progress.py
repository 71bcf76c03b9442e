"""One progress row per pull step: name, bar, done/total and an ETA.

Progress events only update plain Python state (`update`, O(1)); the bars repaint on `flush`, which the
Sync tab calls from a 100 ms timer. A pull of 10,000 products sends tens of thousands of events and
must not turn each into a repaint.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from unopim_desktop.sync.events import StepProgress, eta_text


def step_title(step: str) -> str:
    return step.replace("_", " ").capitalize()


@dataclass
class StepState:
    started: bool = False
    done: int = 0
    total: int | None = None
    eta_s: float | None = None
    finished: bool = False
    stopped: bool = False  # the run ended before this step did
    message: str = ""


class StepRow:
    """The widgets of one step; `paint` shows a `StepState`."""

    def __init__(self, step: str) -> None:
        self.step = step
        self.name = QLabel(step_title(step))
        self.bar = QProgressBar()
        self.bar.setObjectName(f"step_{step}")
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.count = QLabel("")
        self.count.setMinimumWidth(90)
        self.eta = QLabel("")
        self.eta.setMinimumWidth(110)
        self.eta.setStyleSheet("color: #555;")
        self.paint(StepState())

    def paint(self, s: StepState, *, current: bool = False) -> None:
        font = self.name.font()
        font.setBold(current)
        self.name.setFont(font)
        self.bar.setToolTip(s.message)
        if not s.started:
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
            self.count.setText("")
            self.eta.setText("")
        elif s.total is None:
            # Indeterminate while the step has not said how much there is; frozen once the run ended.
            self.bar.setRange(0, 1 if s.stopped else 0)
            self.bar.setValue(0)
            self.count.setText(f"{s.done}")
            self.eta.setText("stopped" if s.stopped else "counting…")
        elif s.total == 0:
            # Nothing to do; a (0, 0) range would spin forever, so show a full bar instead.
            self.bar.setRange(0, 1)
            self.bar.setValue(1 if s.finished else 0)
            self.count.setText("0/0")
            self.eta.setText("done" if s.finished else "")
        else:
            self.bar.setRange(0, s.total)
            self.bar.setValue(min(s.done, s.total))
            self.count.setText(f"{s.done}/{s.total}")
            if s.finished:
                self.eta.setText("done")
            elif s.stopped:
                self.eta.setText("stopped")
            elif s.eta_s:
                self.eta.setText(eta_text(s.eta_s))
            else:
                self.eta.setText("")


class StepProgressPanel(QWidget):
    def __init__(self, steps: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps = steps
        self.rows: dict[str, StepRow] = {}
        self.states: dict[str, StepState] = {}
        self._dirty: set[str] = set()
        self._current = ""
        self.repaints = 0  # rows repainted since creation: what the coalescing saves is visible here
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(2)
        self._build(steps)
        self.grid.setColumnStretch(1, 1)

    def _build(self, steps: tuple[str, ...]) -> None:
        self.steps = tuple(steps)
        for i, step in enumerate(self.steps):
            row = StepRow(step)
            self.rows[step] = row
            self.states[step] = StepState()
            self.grid.addWidget(row.name, i, 0)
            self.grid.addWidget(row.bar, i, 1)
            self.grid.addWidget(row.count, i, 2)
            self.grid.addWidget(row.eta, i, 3)

    def set_steps(self, steps: tuple[str, ...]) -> None:
        """A pull and a push have different steps: show the bars of the job that runs."""
        if tuple(steps) == self.steps:
            return
        for row in self.rows.values():
            for widget in (row.name, row.bar, row.count, row.eta):
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.rows, self.states, self._dirty, self._current = {}, {}, set(), ""
        self._build(steps)

    def reset(self) -> None:
        for step in self.rows:
            self.states[step] = StepState()
        self._current = ""
        self._dirty = set(self.rows)
        self.flush()

    def update(self, event: StepProgress) -> None:
        """Record the latest numbers of a step; nothing repaints until `flush`."""
        state = self.states.get(event.step)
        if state is None:
            return  # a step this panel does not show
        state.started = True
        state.done = event.done
        state.total = event.total
        state.eta_s = event.eta_s
        # The engine marks a finished step with a zero ETA and done == total.
        state.finished = event.eta_s == 0.0 and event.total is not None and event.done >= event.total
        if event.message:
            state.message = event.message
        if not state.finished:
            self._current = event.step
        elif self._current == event.step:
            self._current = ""
        self._dirty.add(event.step)

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for step in self.rows:
            row = self.rows[step]
            current = step == self._current
            if step in dirty or row.name.font().bold() != current:
                row.paint(self.states[step], current=current)
                self.repaints += 1

    def stop_spinning(self) -> None:
        """The run ended (cancelled or failed) with a step still counting: freeze it instead of spinning."""
        for step, state in self.states.items():
            if state.started and not state.finished:
                state.stopped = True
                self._dirty.add(step)
        self._current = ""
        self.flush()
