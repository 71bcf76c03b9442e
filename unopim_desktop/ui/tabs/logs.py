"""Logs tab: every sync, skip and error as a row (time, level, channel, direction, kind, code/SKU, action,
message, run), filtered and paged on the database, newest first; a detail pane with the full message, the
HTTP status and what the server said; the history of one entity or one run in a click; a live tail while a
run is going; copy and CSV export of the filtered rows; the log folder.

Nothing here holds more than the pages scrolled through: with a million rows the first page and the count
(capped at 10,000) come back as fast as with a hundred."""

from __future__ import annotations

import asyncio
import html
import logging
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.activity import COUNT_CAP, DIRECTIONS, PAGE, local_time
from unopim_desktop.app.events import CHANNELS, CONNECTION, LOGS, SETTINGS
from unopim_desktop.ui.bridge import EventBridge
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.conventions import open_folder
from unopim_desktop.ui.widgets.empty_state import EmptyState
from unopim_desktop.ui.widgets.log_filters import LogFilters, run_text
from unopim_desktop.ui.widgets.log_table import MESSAGE, LogModel, rows_as_csv

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)

TAIL_MS = 1000  # while a run is going, newer rows are fetched this often
TAIL_PAGE = 500
NOTHING_YET = "Nothing logged yet. Rows appear here as you connect, refresh channels and sync."
NOTHING_MATCHES = "No row matches these filters."


class LogsTab(Tab):
    shows = frozenset({CONNECTION, CHANNELS, SETTINGS, LOGS})

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.total = 0
        self.retention_days = 30
        self._load_task: asyncio.Task[Any] | None = None
        self._more_task: asyncio.Task[Any] | None = None
        self._tail_task: asyncio.Task[Any] | None = None
        self._detail_task: asyncio.Task[Any] | None = None
        self.shown: dict[str, Any] | None = None  # the row in the detail pane

        self.filters = LogFilters()
        self.filters.changed.connect(self.reload_soon)
        self.model = LogModel(self._fetch_more)
        self.table = QTableView()
        self.table.setObjectName("logTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self._size_columns()
        self.table.selectionModel().currentRowChanged.connect(lambda current, _p: self._select(current.row()))
        self.table.doubleClicked.connect(lambda index: self.history_of_row(index.row()))
        QShortcut(QKeySequence.StandardKey.Copy, self.table, activated=self.copy_rows)

        self.empty = EmptyState(NOTHING_YET, [("Clear filters", self.filters.clear)], name="logsEmpty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.detail = QTextBrowser()
        self.detail.setObjectName("logDetail")
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText("Select a row to read it in full: the whole message, the HTTP status and "
                                       "what the server answered.")
        self.history_button = QPushButton("&History of this item")
        self.history_button.setObjectName("logHistory")
        self.history_button.clicked.connect(lambda: self.history_of_row(self.table.currentIndex().row()))
        self.run_button = QPushButton("This r&un only")
        self.run_button.setObjectName("logThisRun")
        self.run_button.clicked.connect(self.this_run_only)
        for b in (self.history_button, self.run_button):
            b.setEnabled(False)
        detail_buttons = QVBoxLayout()
        detail_buttons.addWidget(self.history_button)
        detail_buttons.addWidget(self.run_button)
        detail_buttons.addStretch(1)
        detail_box = QWidget()
        detail_row = QHBoxLayout(detail_box)
        detail_row.setContentsMargins(0, 0, 0, 0)
        detail_row.addWidget(self.detail, 1)
        detail_row.addLayout(detail_buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.stack)
        split.addWidget(detail_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        self.count_label = QLabel("")
        self.count_label.setObjectName("logCount")
        self.live_label = QLabel("")
        self.live_label.setObjectName("logLive")
        self.live_label.setStyleSheet("color: #1e7e34; font-weight: 600;")
        self.retention_label = QLabel("")
        self.retention_label.setStyleSheet("color: #555;")
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setObjectName("copyLogs")
        self.copy_button.setToolTip("Copy the selected rows (or every row shown) as CSV.")
        self.copy_button.clicked.connect(self.copy_rows)
        self.export_button = QPushButton("E&xport CSV…")
        self.export_button.setObjectName("exportLogs")
        self.export_button.setToolTip("Write every row these filters match to a CSV file.")
        self.export_button.clicked.connect(self.choose_export_file)
        self.folder_button = QPushButton("Open log &folder")
        self.folder_button.setObjectName("openLogFolder")
        self.folder_button.setToolTip("The app's own log file, for a support request.")
        self.folder_button.clicked.connect(self.open_log_folder)
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addWidget(self.live_label)
        bar.addStretch(1)
        bar.addWidget(self.retention_label)
        for b in (self.copy_button, self.export_button, self.folder_button):
            bar.addWidget(b)
        self.banner = Banner()
        self.banner.setObjectName("logsBanner")

        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)

        self._tail = QTimer(self)
        self._tail.setInterval(TAIL_MS)
        self._tail.timeout.connect(self.tail_soon)
        self.bridge = EventBridge(app.bus, self)
        self.bridge.run_started.connect(lambda _e: self._set_live(True))
        self.bridge.run_finished.connect(lambda _e: self._run_finished())
        self._dialog: QFileDialog | None = None
        self._stale = False  # rows were added while the tab was hidden

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        for column, sample in ((0, "2026-12-31 23:59:59"), (1, "warning"), (2, "channel_x"), (3, "store → UnoPim"),
                               (4, "attribute_opt"), (5, "SKU-12345-XL"), (6, "would update"), (8, "12345")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 18)

    # -- loading ---------------------------------------------------------------------------------------
    def on_changed(self, kinds: frozenset[str]) -> None:
        if CONNECTION in kinds or SETTINGS in kinds or CHANNELS in kinds:
            self.start(self.load())
        else:
            self.tail_soon()  # new rows: added at the top, the scroll position and the selection kept

    def detach(self) -> None:
        super().detach()
        if shiboken6.isValid(self._tail):
            self._tail.stop()
        self.bridge.close()

    async def load(self) -> None:
        """The filter choices (channels, recent runs), the retention, then the first page."""
        address = await self.app.connection.address()
        channels: list[str] = []
        runs: list[dict[str, Any]] = []
        if address:
            try:
                channels = [c.code for c in await self.app.channels.channels()]
                runs = await self.app.activity.recent_runs(address, 50)
            except Exception as exc:  # noqa: BLE001 (the rows still load)
                log.info("Logs filter choices not loaded: %s", exc)
        self.filters.set_channels(channels)
        self.filters.set_runs(runs)
        self.retention_days = await self.app.activity.retention_days()
        self.retention_label.setText(f"Kept {self.retention_days} days (Settings → Keep logs)")
        await self.reload()

    def reload_soon(self) -> None:
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()
        self._load_task = self.start(self.reload())

    async def reload(self) -> None:
        f = self.filters.value()
        rows = await self.app.activity.logs(f, limit=PAGE)
        self.total = await self.app.activity.count_logs(f)
        self.model.reset_rows(rows, more=len(rows) == PAGE)
        self._show_count()
        self.empty.text.setText(NOTHING_MATCHES if self.filters.active else NOTHING_YET)
        self.empty.buttons[0].setVisible(self.filters.active)
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        if rows:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        else:
            self._show_detail(None)

    def _show_count(self) -> None:
        total = "10,000+" if self.total > COUNT_CAP else f"{self.total:,}"
        self.count_label.setText(f"Showing {len(self.model.rows):,} of {total} row(s), newest first")

    def _fetch_more(self) -> None:
        if self._more_task is None or self._more_task.done():
            self._more_task = self.start(self.load_more())

    async def load_more(self) -> None:
        """The next page (Qt asks when the view nears the end of what is loaded)."""
        before = self.model.oldest_id
        if before is None:
            return
        rows = await self.app.activity.logs(self.filters.value(), before=before, limit=PAGE)
        if self.model.oldest_id != before:
            return  # the filter changed meanwhile
        self.model.append_rows(rows, more=len(rows) == PAGE)
        self._show_count()

    # -- the live tail -------------------------------------------------------------------------------------
    def _set_live(self, live: bool) -> None:
        self.live_label.setText("● Live: rows appear as the run goes" if live else "")
        if live:
            self._tail.start()
        else:
            self._tail.stop()

    def _run_finished(self) -> None:
        self._set_live(False)
        self.tail_soon()
        self.start(self._reload_runs())

    async def _reload_runs(self) -> None:
        address = await self.app.connection.address()
        if address:
            self.filters.set_runs(await self.app.activity.recent_runs(address, 50))

    @property
    def on_screen(self) -> bool:
        """The tab is the one shown (a hidden tab does not poll the database during a run)."""
        return self.isVisibleTo(self.window())

    def tail_soon(self) -> None:
        if not self.on_screen:
            self._stale = True  # caught up when the tab is shown
            return
        if self._tail_task is None or self._tail_task.done():
            self._tail_task = self.start(self.pull_newer())

    def brought_forward(self) -> None:
        if self._stale:
            self._stale = False
            self.tail_soon()

    async def pull_newer(self) -> int:
        """Rows newer than the newest shown, at the top; the view stays where the merchant is reading."""
        newest = self.model.newest_id
        if newest is None:
            await self.reload()
            return len(self.model.rows)
        rows = await self.app.activity.logs(self.filters.value(), after=newest, limit=TAIL_PAGE)
        if not rows or self.model.newest_id != newest:
            return 0
        if len(rows) == TAIL_PAGE:  # a burst larger than a page: start again from the newest
            await self.reload()
            return len(rows)
        bar = self.table.verticalScrollBar()
        reading = bar.value() > 0
        self.model.prepend_rows(rows)
        if reading:
            bar.setValue(bar.value() + len(rows))  # per-item scrolling: keep the same rows in view
        self.total += len(rows)
        self._show_count()
        self.stack.setCurrentWidget(self.table)
        return len(rows)

    # -- the detail pane -----------------------------------------------------------------------------------
    def _select(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            if self._detail_task is not None and not self._detail_task.done():
                self._detail_task.cancel()
            self._detail_task = self.start(self.show_detail(self.model.rows[row]["id"]))
        else:
            self._show_detail(None)

    async def show_detail(self, log_id: int) -> None:
        self._show_detail(await self.app.activity.log_entry(log_id))

    def _show_detail(self, row: dict[str, Any] | None) -> None:
        self.shown = row
        self.history_button.setEnabled(bool(row and row["entity"]))
        self.run_button.setEnabled(bool(row and row["run"]))
        if row is None:
            self.detail.clear()
            self.history_button.setText("&History of this item")
            return
        what = f"{row['entity_kind']} {row['entity']}".strip()
        self.history_button.setText(f"&History of {row['entity']}" if row["entity"] else "&History of this item")
        facts = [("Time", f"{local_time(row['created_at']):%Y-%m-%d %H:%M:%S} (UTC {row['created_at']})"),
                 ("Level", row["level"]), ("Channel", row["channel"]),
                 ("Direction", DIRECTIONS.get(row["direction"], row["direction"])), ("Item", what),
                 ("Action", row["action"]),
                 ("Run", f"#{row['run']} {row.get('run_job', '')} {row.get('run_status', '')} "
                         f"{('→ ' + row['run_store']) if row.get('run_store') else ''}".strip() if row["run"] else ""),
                 ("HTTP status", "" if row["http_status"] is None else str(row["http_status"]))]
        parts = [f"<p style='white-space: pre-wrap'>{html.escape(row['message'])}</p>", "<table>"]
        parts += [f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                  for k, v in facts if v]
        parts.append("</table>")
        if row["server_text"]:
            parts.append("<p><b>The server said:</b></p>"
                         f"<pre style='white-space: pre-wrap'>{html.escape(row['server_text'])}</pre>")
        self.detail.setHtml("".join(parts))

    def history_of_row(self, row: int) -> None:
        """Every row about this row's entity (all runs, all times)."""
        if 0 <= row < len(self.model.rows) and self.model.rows[row]["entity"]:
            r = self.model.rows[row]
            self.filters.show_entity(r["entity_kind"], r["entity"])

    def show_run(self, run_id: int) -> None:
        """Only the rows of one run (a scheduled job's Logs link, a clicked notification)."""
        self.start(self._show_run(run_id))

    async def _show_run(self, run_id: int) -> None:
        run = await self.app.activity.run(run_id)
        if run is not None:
            run = {**run, "started_at": str(run["started_at"])}  # as the Logs rows carry it (text)
        self.filters.show_run(run_id, run_text(run) if run else "")

    def this_run_only(self) -> None:
        if self.shown and self.shown["run"]:
            r = self.shown
            self.filters.show_run(r["run"], run_text({"id": r["run"], "job": r.get("run_job", ""),
                                                      "channel": r["channel"], "status": r.get("run_status", ""),
                                                      "started_at": r["created_at"]}))

    # -- copy, export, folder ------------------------------------------------------------------------------
    def selected_rows(self) -> list[dict[str, Any]]:
        picked = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[i] for i in picked if i < len(self.model.rows)]

    def copy_rows(self) -> int:
        rows = self.selected_rows() if len(self.selected_rows()) > 1 else list(self.model.rows)
        QGuiApplication.clipboard().setText(rows_as_csv(rows))
        self.banner.show_message("success", f"Copied {len(rows):,} row(s) as CSV." + (
            "" if self.selected_rows() and len(rows) > 1 else " Select rows to copy only those."))
        return len(rows)

    def choose_export_file(self) -> None:
        """A non-blocking save dialog; the export starts when a file is chosen."""
        dialog = QFileDialog(self, "Export the filtered Logs rows", str(self.app.paths.root / "logs.csv"),
                             "CSV files (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.setObjectName("exportLogsDialog")
        dialog.fileSelected.connect(lambda path: self.start(self.export(path)))
        self._dialog = dialog
        dialog.open()

    async def export(self, path: str) -> int:
        self.export_button.setEnabled(False)
        self.banner.show_message("info", "Exporting…")
        try:
            count = await self.app.activity.export_logs(self.filters.value(), path)
        except OSError as exc:
            self.banner.show_message("error", f"Not exported: {exc.strerror or exc} ({path}).")
            return 0
        finally:
            self.export_button.setEnabled(True)
        self.banner.show_message("success", f"Exported {count:,} row(s) to {path}.")
        return count

    def open_log_folder(self) -> None:
        folder = self.app.activity.log_folder
        if not open_folder(folder):
            self.banner.show_message("warning", f"The log folder could not be opened here; it is {folder}.")
