"""Logs tab: what happened, to which entity, and why — newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.events import CONNECTION, LOGS
from unopim_desktop.ui.tabs.base import Tab

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

COLUMNS = ("Time (UTC)", "Level", "Area", "Entity", "Message")
LEVELS = ("All levels", "error", "warning", "info")


class LogsTab(Tab):
    shows = frozenset({CONNECTION, LOGS})

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.rows: list[dict] = []
        self.level = QComboBox()
        self.level.addItems(LEVELS)
        self.level.currentIndexChanged.connect(lambda _i: self._render())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(lambda: self.start(self.load()))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.level)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    async def load(self) -> None:
        self.rows = await self.app.activity.recent_logs(await self.app.connection.address(), 500)
        self._render()

    def _render(self) -> None:
        wanted = self.level.currentText()
        rows = [r for r in self.rows if wanted == LEVELS[0] or r["level"] == wanted]
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            entity = f"{r['entity_kind']} {r['entity']}".strip()
            for j, text in enumerate((r["created_at"], r["level"], r["category"], entity, r["message"])):
                self.table.setItem(i, j, QTableWidgetItem(text))
