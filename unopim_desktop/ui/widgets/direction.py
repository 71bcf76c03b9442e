"""The Direction picker of a mapping row: both ways (default), pull only (UnoPim owns the field), push only
(the store owns it). See `sync.merge` for what a run does with it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from unopim_desktop.domain import DIRECTIONS

DIRECTION_TITLES = {"both": "Both ways", "pull": "Pull only", "push": "Push only"}
DIRECTION_TIPS = {
    "both": "A change on either side flows to the other; a change on both sides is a conflict (General settings).",
    "pull": "UnoPim owns it: its value is written into the store, and a store edit is never pushed.",
    "push": "The store owns it: its value is written into UnoPim, and a UnoPim edit is never pulled.",
}
COLUMN_TIP = "Which way the field flows, and so which side owns it."


class DirectionCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for value in DIRECTIONS:
            self.addItem(DIRECTION_TITLES[value], value)
            self.setItemData(self.count() - 1, DIRECTION_TIPS[value], Qt.ItemDataRole.ToolTipRole)
        self.setToolTip(COLUMN_TIP)

    def direction(self) -> str:
        return str(self.currentData())

    def set_direction(self, value: str) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(max(0, self.findData(value)))
        self.blockSignals(False)
