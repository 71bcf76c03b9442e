"""The coloured pill at the top of the window: Connected, Token expired — refreshing, Not connected, Disabled."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from unopim_desktop.app.connection import Badge

_STYLES = {
    Badge.CONNECTED: ("#1e7e34", "#e6f4ea"),
    Badge.REFRESHING: ("#8a6d00", "#fff4cc"),
    Badge.NOT_CONNECTED: ("#a61b1b", "#fde8e8"),
    Badge.DISABLED: ("#555555", "#ececec"),
}


class StatusBadge(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBadge")
        self.badge = Badge.NOT_CONNECTED
        self.set_badge(Badge.NOT_CONNECTED)

    def set_badge(self, badge: Badge) -> None:
        self.badge = badge
        fg, bg = _STYLES[badge]
        self.setText(f"● {badge.value}")
        self.setToolTip(
            {
                Badge.CONNECTED: "Your last sign-in succeeded.",
                Badge.REFRESHING: "Your session is being refreshed in the background.",
                Badge.NOT_CONNECTED: "You haven't connected yet, or the last sign-in failed.",
                Badge.DISABLED: "Connection saved, but pull and push are off on every channel.",
            }[badge]
        )
        self.setAccessibleName(f"Connection status: {badge.value}")
        self.setStyleSheet(
            f"QLabel#statusBadge {{ color: {fg}; background: {bg}; border: 1px solid {fg};"
            " border-radius: 10px; padding: 2px 10px; font-weight: 600; }"
        )
