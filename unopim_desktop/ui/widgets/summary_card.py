"""A row of big numbers with their titles (the Channels & Stores summary: channels, stores mapped, …)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


class SummaryCard(QFrame):
    def __init__(self, fields: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryCard")
        self.setStyleSheet("QFrame#summaryCard { border: 1px solid #c8c8c8; border-radius: 6px; background: #f7f9fc; }")
        card = QHBoxLayout(self)
        self.values: dict[str, QLabel] = {}
        for key, title in fields:
            value = QLabel("–")
            value.setObjectName(f"summary_{key}")
            value.setStyleSheet("font-size: 18px; font-weight: 600;")
            cell = QVBoxLayout()
            cell.addWidget(value, alignment=Qt.AlignmentFlag.AlignHCenter)
            cell.addWidget(QLabel(title), alignment=Qt.AlignmentFlag.AlignHCenter)
            card.addLayout(cell)
            self.values[key] = value

    def show_values(self, values: Mapping[str, int]) -> None:
        for key, label in self.values.items():
            label.setText(str(values.get(key, 0)))
