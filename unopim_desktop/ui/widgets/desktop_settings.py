"""General settings → Desktop: keep running in the tray when the window closes, start at login, notify when a
long manual run finishes while the window is hidden. Each applies when ticked (Start at login writes or
removes the platform's autostart entry at once, and says where); `unopim-desktop settings` edits the same."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from unopim_desktop.app.desktop import TITLES, DesktopSettingsError
from unopim_desktop.ui.widgets.editing import describe_error

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

HINTS = {
    "close_to_tray": "Scheduled jobs go on in the tray; quit from the tray's menu.",
    "start_at_login": "The app starts hidden in the tray when you log in, so scheduled jobs run without opening it.",
    "notify_manual": "A notification when a run you started (a minute or longer) ends while the window is closed.",
}
NO_TRAY = "This desktop has no system tray: closing the window quits."


class DesktopSettingsBox(QGroupBox):
    def __init__(self, app: App, start: Callable[[Coroutine[Any, Any, Any]], Any], *, tray_available: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__("Desktop", parent)
        self.setObjectName("desktopSettings")
        self.app = app
        self._start = start
        self.tray_available = tray_available
        self.values: dict[str, str] = {}
        self.boxes: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        for key, title in TITLES.items():
            box = QCheckBox(title)
            box.setObjectName(f"setting_{key}")
            box.setToolTip(HINTS[key])
            box.toggled.connect(lambda on, k=key: self._start(self.save(k, on)))
            self.boxes[key] = box
            layout.addWidget(box)
        self.status = QLabel("")
        self.status.setObjectName("desktopSettingsStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #555;")
        layout.addWidget(self.status)
        self._show_tray()

    def _show_tray(self) -> None:
        box = self.boxes["close_to_tray"]
        box.setEnabled(self.tray_available)
        box.setToolTip(HINTS["close_to_tray"] if self.tray_available else NO_TRAY)

    def set_tray_available(self, available: bool) -> None:
        self.tray_available = available
        self._show_tray()
        if self.values:
            self._show(self.values)

    def checked(self, key: str, values: dict[str, str]) -> bool:
        if key == "close_to_tray":
            return self.tray_available and values.get(key, "") != "0"  # "" = on where a tray exists
        return values.get(key) == "1"

    def _show(self, values: dict[str, str]) -> None:
        for key, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(self.checked(key, values))
            box.blockSignals(False)

    async def load(self) -> None:
        self.values = await self.app.desktop.load()
        self._show(self.values)
        if self.app.desktop.blocked:
            self.boxes["start_at_login"].setEnabled(False)
            self.boxes["start_at_login"].setToolTip(self.app.desktop.blocked)

    async def save(self, key: str, on: bool) -> None:
        try:
            self.values, text = await self.app.desktop.save({key: "1" if on else "0"})
        except Exception as exc:  # noqa: BLE001 (shown to the merchant; the box goes back)
            self.status.setText(f"Not saved: {exc if isinstance(exc, DesktopSettingsError) else describe_error(exc)}")
            self._show(self.values)
            return
        self._show(self.values)
        self.status.setText(text)
