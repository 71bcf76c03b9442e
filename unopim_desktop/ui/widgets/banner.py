"""A notice strip for errors, warnings and confirmations inside a tab."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

_KINDS = {
    "error": ("#a61b1b", "#fde8e8"),
    "warning": ("#8a6d00", "#fff4cc"),
    "success": ("#1e7e34", "#e6f4ea"),
    "info": ("#1b4f8a", "#e8f0fd"),
}


class Banner(QLabel):
    shown = Signal()  # a message was shown (a scrolled page brings it into view)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, kind: str, text: str) -> None:
        fg, bg = _KINDS[kind]
        self.kind = kind
        self.setText(text)
        self.setStyleSheet(
            f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg}; border-radius: 4px; padding: 8px; }}"
        )
        self.show()
        self.shown.emit()

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()
