"""Turns engine events into Qt signals. The engine never touches a widget."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from unopim_desktop.sync.events import (
    Event,
    EventBus,
    LogRow,
    RunFinished,
    RunStarted,
    StatusChanged,
    StepProgress,
)


class EventBridge(QObject):
    status_changed = Signal(str, str)  # address, state
    log_row = Signal(object)  # LogRow
    run_started = Signal(object)  # RunStarted
    # One per engine event; receivers only record the numbers and repaint on a timer (Sync tab).
    step_progress = Signal(object)  # StepProgress
    run_finished = Signal(object)  # RunFinished

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        # qasync runs the engine on the GUI thread, so a direct emit is safe and immediate.
        if isinstance(event, StepProgress):  # by far the most frequent: test it first
            self.step_progress.emit(event)
        elif isinstance(event, LogRow):
            self.log_row.emit(event)
        elif isinstance(event, StatusChanged):
            self.status_changed.emit(event.address, event.state)
        elif isinstance(event, RunStarted):
            self.run_started.emit(event)
        elif isinstance(event, RunFinished):
            self.run_finished.emit(event)

    def close(self) -> None:
        self._unsubscribe()
