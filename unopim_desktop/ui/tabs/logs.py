"""Logs tab: what happened, to which entity, and why — newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

from unopim_desktop.app.events import CONNECTION, LOGS
from unopim_desktop.app.jobs import RUN_TITLES, when
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
        self.run_id: int | None = None  # showing only the rows of this run (a job's Logs link, a notification)
        self.run_label = QLabel("")
        self.run_label.setObjectName("logsRunFilter")
        self.all_button = QPushButton("Show all rows")
        self.all_button.setObjectName("logsShowAll")
        self.all_button.clicked.connect(lambda: self.show_run(None))
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
        top.addWidget(self.run_label)
        top.addWidget(self.all_button)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._show_filter(None)

    async def load(self) -> None:
        if self.run_id is not None:
            run = await self.app.activity.run(self.run_id)
            self._show_filter(run)
            self.rows = await self.app.activity.run_logs(self.run_id)
        else:
            self.rows = await self.app.activity.recent_logs(await self.app.connection.address(), 500)
        self._render()

    def show_run(self, run_id: int | None) -> None:
        """Only the rows of one run (None: every row again)."""
        self.run_id = run_id
        self._show_filter(None)
        self.start(self.load())

    def _show_filter(self, run: dict | None) -> None:
        filtered = self.run_id is not None
        self.run_label.setVisible(filtered)
        self.all_button.setVisible(filtered)
        if filtered:
            what = (f"{RUN_TITLES.get(run['job'], run['job'])} of {run['channel']}, {when(run['started_at'])}, "
                    f"{run['status']}") if run else "…"
            self.run_label.setText(f"Rows of run {self.run_id}: {what}")

    def _render(self) -> None:
        wanted = self.level.currentText()
        rows = [r for r in self.rows if wanted == LEVELS[0] or r["level"] == wanted]
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            entity = f"{r['entity_kind']} {r['entity']}".strip()
            for j, text in enumerate((r["created_at"], r["level"], r["category"], entity, r["message"])):
                self.table.setItem(i, j, QTableWidgetItem(text))
