"""The Logs table: a model over the rows loaded so far (a page at a time, newest first; Qt asks for the next
page when the view scrolls near the end), local times with UTC on hover, one line per row (the detail pane
holds the full message)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from unopim_desktop.app.activity import CSV_COLUMNS, DIRECTIONS, csv_row, local_time

COLUMNS = ("Time", "Level", "Channel", "Direction", "Kind", "Code / SKU", "Action", "Message", "Run")
MESSAGE = COLUMNS.index("Message")
LEVEL_COLOURS = {"error": "#a61b1b", "warning": "#8a6d00"}
SHOWN_MESSAGE = 400  # characters in the table; the detail pane shows all of it
Index = QModelIndex | QPersistentModelIndex


def time_text(utc: str) -> str:
    return local_time(utc).strftime("%Y-%m-%d %H:%M:%S")


def cell(row: dict[str, Any], column: int) -> str:
    if column == 0:
        return time_text(row["created_at"])
    if column == 1:
        return row["level"]
    if column == 2:
        return row["channel"]
    if column == 3:
        return DIRECTIONS.get(row["direction"], row["direction"])
    if column == 4:
        return row["entity_kind"]
    if column == 5:
        return row["entity"]
    if column == 6:
        return row["action"]
    if column == MESSAGE:
        first = row["message"].splitlines()[0] if row["message"] else ""
        return first if len(first) <= SHOWN_MESSAGE else first[:SHOWN_MESSAGE] + "…"
    return "" if row["run"] is None else str(row["run"])


def rows_as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(r) for r in rows)
    return out.getvalue()


class LogModel(QAbstractTableModel):
    def __init__(self, fetch_more: Callable[[], None]) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.more = False  # older rows exist beyond the last one loaded
        self._fetch_more = fetch_more

    # -- Qt's side -------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole and section == 0:
            return "This computer's local time; hover a time for UTC."
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"UTC {row['created_at']}"
            if column == MESSAGE:
                return row["message"][:1500]
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row["level"] in LEVEL_COLOURS and column in (1, MESSAGE):
            return QBrush(QColor(LEVEL_COLOURS[row["level"]]))
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        return None

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and self.more

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if not parent.isValid() and self.more:
            self._fetch_more()

    # -- the tab's side -----------------------------------------------------------------------------------
    def reset_rows(self, rows: list[dict[str, Any]], *, more: bool) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.more = more
        self.endResetModel()

    def append_rows(self, rows: list[dict[str, Any]], *, more: bool) -> None:
        """Older rows, at the end."""
        self.more = more
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def prepend_rows(self, rows: list[dict[str, Any]]) -> None:
        """Newer rows (the live tail), at the top."""
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self.rows[:0] = rows
            self.endInsertRows()

    @property
    def newest_id(self) -> int | None:
        return self.rows[0]["id"] if self.rows else None

    @property
    def oldest_id(self) -> int | None:
        return self.rows[-1]["id"] if self.rows else None
