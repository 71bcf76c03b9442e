"""Turns engine events into Qt signals. The engine never touches a widget."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from unopim_desktop.sync.events import Event, EventBus, LogRow, StatusChanged


class EventBridge(QObject):
    status_changed = Signal(str, str)  # address, state
    log_row = Signal(object)  # LogRow

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        # qasync runs the engine on the GUI thread, so a direct emit is safe and immediate.
        if isinstance(event, StatusChanged):
            self.status_changed.emit(event.address, event.state)
        elif isinstance(event, LogRow):
            self.log_row.emit(event)

    def close(self) -> None:
        self._unsubscribe()
