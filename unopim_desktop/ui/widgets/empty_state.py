"""What an empty list says instead of being blank: what is missing, and a button that does the next step."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QFrame):
    def __init__(self, text: str, actions: list[tuple[str, Callable[[], object]]] = (),  # type: ignore[assignment]
                 *, name: str = "emptyState", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(f"QFrame#{name} {{ border: 1px dashed #9aa5b1; border-radius: 6px; background: #f7f9fc; }}")
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.buttons: list[QPushButton] = []
        row = QHBoxLayout()
        row.addStretch(1)
        for title, action in actions:
            button = QPushButton(title)
            button.clicked.connect(lambda _c=False, action=action: action())
            self.buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        if self.buttons:
            layout.addLayout(row)
