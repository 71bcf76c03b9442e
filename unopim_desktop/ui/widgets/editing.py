"""Pieces shared by the editing tabs (Channels & Stores, Mapping): the searchable picker and the yellow
"unsaved" highlight. The sentence for an error comes from the app (`app.errors`)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from unopim_desktop.app.errors import CONNECT_FIRST, describe_error
from unopim_desktop.ui.widgets.conventions import guard_wheel

__all__ = ["CONNECT_FIRST", "INVALID_BG", "UNSAVED_BG", "SearchableCombo", "describe_error", "highlight"]

UNSAVED_BG = "#fff4cc"  # the connector's yellow "unsaved change"
INVALID_BG = "#fde8e8"


class SearchableCombo(QComboBox):
    """A picker the merchant can type into: matches anywhere in the text, case-insensitive.

    Items are (code, text); the empty code is the "unmapped" choice. `code()` also accepts a code typed
    by hand that is not in the list, so the save check can name it instead of silently dropping it."""

    code_changed = Signal(str)

    def __init__(self, empty_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_text = empty_text
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(18)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        guard_wheel(self)  # it sits in a scrolled table: the wheel scrolls the table unless it has the focus
        self.setCompleter(completer)
        if empty_text:
            self.lineEdit().setPlaceholderText(empty_text)
        self._last = ""
        self.currentIndexChanged.connect(lambda _i: self._emit_if_changed())
        self.lineEdit().editingFinished.connect(self._emit_if_changed)

    def set_choices(self, choices: Iterable[tuple[str, str]], current: str = "") -> None:
        self.blockSignals(True)
        self.clear()
        self.addItem(self.empty_text, "")
        for code, text in choices:
            self.addItem(text, code)
        self.blockSignals(False)
        self.set_code(current)

    def set_code(self, code: str) -> None:
        self.blockSignals(True)
        index = self.findData(code) if code else 0
        if index >= 0:
            self.setCurrentIndex(index)
            if not code:
                self.setEditText("")
        else:
            self.setCurrentIndex(-1)
            self.setEditText(code)
        self.blockSignals(False)
        self._last = self.code()

    def code(self) -> str:
        text = self.currentText()
        stripped = text.strip()
        if not stripped or stripped == self.empty_text:
            return ""
        index = self.currentIndex()
        if index >= 0 and self.itemText(index) == text:
            return str(self.itemData(index) or "")
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.itemData(index) or "")
        if self.findData(stripped) >= 0:
            return stripped
        # Text typed by hand: a code, or "code — label" edited around; the code is what comes first.
        return stripped.split(" — ", 1)[0].strip()

    def _emit_if_changed(self) -> None:
        code = self.code()
        if code != self._last:
            self._last = code
            self.code_changed.emit(code)


def highlight(widget: QWidget, colour: str | None) -> None:
    """Tint a row's widget; None removes the tint. Uses the object name so child widgets keep their look."""
    name = widget.objectName() or f"w{id(widget)}"
    widget.setObjectName(name)
    widget.setProperty("tint", colour or "")
    widget.setStyleSheet(f"#{name} {{ background: {colour}; }}" if colour else "")
