"""An inline confirmation (a sentence, a confirm button, a keep button) shown under what it asks about.

Inline rather than a dialog: a nested dialog loop inside a coroutine would re-enter the qasync loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class ConfirmBar(QFrame):
    def __init__(self, confirm_text: str, keep_text: str = "Keep", *, name: str = "confirmBar",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(f"QFrame#{name} {{ background: #fff4cc; border: 1px solid #8a6d00; border-radius: 4px; }}")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.confirm_button = QPushButton(confirm_text)
        self.keep_button = QPushButton(keep_text)
        self._then: Callable[[], object] | None = None
        self._otherwise: Callable[[], object] | None = None
        self.confirm_button.clicked.connect(lambda: self._answer(self._then))
        self.keep_button.clicked.connect(lambda: self._answer(self._otherwise))
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(self.confirm_button)
        row.addWidget(self.keep_button)
        self.hide()

    def ask(self, question: str, *, confirm: str | None = None, keep: str | None = None,
            then: Callable[[], object] | None = None, otherwise: Callable[[], object] | None = None) -> None:
        """Show the question; `then` runs on the confirm button, `otherwise` on the other (both hide it)."""
        self.text.setText(question)
        if confirm is not None:
            self.confirm_button.setText(confirm)
        if keep is not None:
            self.keep_button.setText(keep)
        self._then, self._otherwise = then, otherwise
        self.show()

    def _answer(self, action: Callable[[], object] | None) -> None:
        self._then = self._otherwise = None
        self.hide()
        if action is not None:
            action()
