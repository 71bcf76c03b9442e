"""The Preview of a dry run: every entity it would change, field by field (old beside new), filtered by
action and entity kind, with Apply to run that change set for real."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Channel", "Entity", "Code", "Action", "Field", "Now", "After")
ALL = "All"
EMPTY = "Run a dry run (Dry run (this run) + Pull Full, Pull Delta or Push) to see here what it would change."


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


class PreviewPanel(QWidget):
    apply_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.rows: list[dict[str, Any]] = []  # every change of the previewed run(s), with its channel
        self.runs: dict[str, int] = {}  # channel → the dry run shown
        self.title = QLabel(EMPTY)
        self.title.setWordWrap(True)
        self.action = QComboBox()
        self.action.setObjectName("previewAction")
        self.kind = QComboBox()
        self.kind.setObjectName("previewKind")
        for combo in (self.action, self.kind):
            combo.addItem(ALL)
            combo.currentIndexChanged.connect(lambda _i: self._render())
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("applyPreview")
        self.apply_button.setToolTip("Run the same job for real; it says whether it did exactly these changes.")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_requested.emit)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("previewTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Action"))
        top.addWidget(self.action)
        top.addWidget(QLabel("Entity"))
        top.addWidget(self.kind)
        top.addStretch(1)
        top.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def show_changes(self, name: str, changes: dict[str, tuple[int, list[dict[str, Any]]]]) -> None:
        """`changes`: channel → (its dry run's id, that run's changes)."""
        self.runs = {channel: run_id for channel, (run_id, _) in changes.items()}
        self.rows = [{**c, "channel": channel} for channel, (_, rows) in changes.items() for c in rows]
        entities = [r for r in self.rows if not r["field"]]
        self.title.setText(f"{name} (dry run) would change {len(entities)} item(s). Nothing was written."
                           if entities else f"{name} (dry run): nothing would change.")
        for combo, key in ((self.action, "action"), (self.kind, "kind")):
            chosen = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL)
            combo.addItems(sorted({r[key] for r in entities}))
            combo.setCurrentIndex(max(0, combo.findText(chosen)))
            combo.blockSignals(False)
        self.apply_button.setEnabled(bool(entities))
        self._render()

    def clear(self) -> None:
        self.runs, self.rows = {}, []
        self.title.setText(EMPTY)
        self.apply_button.setEnabled(False)
        self._render()

    def visible_rows(self) -> list[dict[str, Any]]:
        action, kind = self.action.currentText(), self.kind.currentText()
        return [r for r in self.rows if action in (ALL, r["action"]) and kind in (ALL, r["kind"])]

    def _render(self) -> None:
        rows = self.visible_rows()
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            # The entity's own row says what happens to it; its field rows follow with old beside new.
            cells = (r["channel"], r["kind"], r["code"], r["action"], r["field"] or "(the item)",
                     _shown(r["old"]) if r["field"] else "", _shown(r["new"]) if r["field"] else "")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, j, item)
