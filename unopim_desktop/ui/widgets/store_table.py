"""The list of store connections: label, kind, address, status and the channels that use each store.
One row selected at a time; the selection survives a refill (search, sort, save)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from unopim_desktop.app.stores import plain_http_warning
from unopim_desktop.domain import StoreRow

STORE_COLUMNS = ("Label", "Type", "Address", "Status", "Channels")


class StoreTable(QTableWidget):
    def __init__(self, kind_names: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(STORE_COLUMNS), parent)
        self.kind_names = kind_names
        self.rows: list[StoreRow] = []  # as shown
        self.setObjectName("storeTable")
        self.setHorizontalHeaderLabels(STORE_COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.setMinimumHeight(130)
        self.setWordWrap(False)  # one line per store; long labels widen their column
        header = self.horizontalHeader()
        for column in (0, 1, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSectionsClickable(True)

    def fill(self, rows: list[StoreRow]) -> None:
        selected = self.selected()
        self.rows = list(rows)
        self.setRowCount(len(rows))
        for i, r in enumerate(rows):
            status = "Active" if r.active else "Inactive"
            cells = (r.label, self.kind_names.get(r.kind, r.kind), r.url, status, ", ".join(r.channels) or "—")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 3 and not r.active:
                    item.setForeground(Qt.GlobalColor.darkGray)
                warning = plain_http_warning(r.url) if j == 2 else None
                if warning:  # the keys travel unencrypted: said where the address is shown
                    item.setText(f"⚠ {text} (not encrypted)")
                    item.setToolTip(warning)
                    item.setForeground(Qt.GlobalColor.darkYellow)
                self.setItem(i, j, item)
        if selected is not None:
            self.select(selected.label)

    def selected(self) -> StoreRow | None:
        picked = {i.row() for i in self.selectedIndexes()}
        if len(picked) != 1:
            return None
        index = picked.pop()
        return self.rows[index] if index < len(self.rows) else None

    def select(self, label: str) -> None:
        for i, r in enumerate(self.rows):
            if r.label == label:
                self.selectRow(i)
                return
        self.clearSelection()
