"""The Preview of a dry run: every entity it would change, field by field (old beside new), filtered by
action and entity kind, with Apply to run that change set for real."""

from __future__ import annotations

import json
import re
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
DEFAULT = "Default locale and currency"
# A field's language or currency: `name@fr`, `regular_price@EUR` (pull); `….fr_FR.name`, `….price.EUR` (push).
_SCOPED = re.compile(r"@(\w+)$")
_LOCALE = re.compile(r"\.([a-z]{2}_[A-Z]{2})\.")
_CURRENCY = re.compile(r"\.([A-Z]{3})$")


def field_scope(field: str, default_locales: set[str]) -> str:
    """The language or currency a change is in (DEFAULT for the channel's own)."""
    found = _SCOPED.search(field) or _CURRENCY.search(field)
    if found:
        return found.group(1)
    locale = _LOCALE.search(field)
    return locale.group(1) if locale and locale.group(1) not in default_locales else DEFAULT
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
        self.scope = QComboBox()
        self.scope.setObjectName("previewScope")
        self.scope.setToolTip("Only the changes in one language or currency (translations, other currencies).")
        self.default_locales: set[str] = set()  # the channels' default locales (their changes are DEFAULT)
        for combo in (self.action, self.kind, self.scope):
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
        top.addWidget(QLabel("Language / currency"))
        top.addWidget(self.scope)
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
        for r in self.rows:
            r["scope"] = field_scope(r["field"], self.default_locales) if r["field"] else ""
        scopes = {r["scope"] for r in self.rows if r["field"]}
        for combo, values in ((self.action, {r["action"] for r in entities}), (self.kind, {r["kind"] for r in entities}),
                              (self.scope, scopes if scopes - {DEFAULT} else set())):
            chosen = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL)
            combo.addItems(sorted(values, key=lambda v: (v != DEFAULT, v)))
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
        action, kind, scope = self.action.currentText(), self.kind.currentText(), self.scope.currentText()
        rows = [r for r in self.rows if action in (ALL, r["action"]) and kind in (ALL, r["kind"])]
        if scope not in (ALL, ""):
            # The entity rows stay, each followed by its changes in that language or currency only.
            keep = {(r["channel"], r["kind"], r["code"]) for r in rows if r["field"] and r.get("scope") == scope}
            rows = [r for r in rows if (r["channel"], r["kind"], r["code"]) in keep
                    and (not r["field"] or r.get("scope") == scope)]
        return rows

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
