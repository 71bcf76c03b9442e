"""Scheduled jobs tab: per channel and job (Pull Delta, Push Changed) its interval, last run (time, result,
counts, a link to its Logs rows), next run, Run now and Pause/Resume; Pause all for every job at once.

It shows what the app's scheduler works out (`app.jobs`), the same words as `unopim-desktop jobs`; the
scheduler itself runs in the app (in this window, and on in the tray when the window is closed)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.events import CHANNELS, CONNECTION, LOGS, SCHEDULE, SETTINGS, STORES
from unopim_desktop.app.jobs import JOB_NAMES, JobStatus, schedule_summary
from unopim_desktop.ui.bridge import EventBridge
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.editing import CONNECT_FIRST, describe_error
from unopim_desktop.ui.widgets.run_history import STATUS_COLOURS

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)

COLUMNS = ("Channel", "Job", "Interval", "Last run", "Result", "Next run", "")
REFRESH_MS = 30_000  # "due now" and catching-up texts follow the clock between changes
NOTE = ("Each channel pulls (Pull Delta) then pushes (Push Changed) at its Sync interval (Channels & Stores), "
        "through every check a click goes through. It runs while this window is open, and in the tray when "
        "it is closed (General settings); `unopim-desktop run-scheduler` runs it without a window.")
STATE_COLOURS = {"active": "#1e7e34", "paused": "#8a6d00", "waiting": "#8a6d00", "off": "#555555",
                 "disabled": "#555555"}


class ScheduleTab(Tab):
    shows = frozenset({CONNECTION, CHANNELS, STORES, SETTINGS, SCHEDULE, LOGS})
    open_run_logs = Signal(int)  # the window shows that run's Logs rows

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.statuses: list[JobStatus] = []
        self.paused_all = False
        self.buttons: dict[tuple[str, str], tuple[QPushButton, QPushButton, QPushButton]] = {}
        self.banner = Banner()
        self.banner.setObjectName("scheduleBanner")
        self.summary = QLabel("")
        self.summary.setObjectName("scheduleSummary")
        self.summary.setWordWrap(True)
        self.pause_all_button = QPushButton("Pause all")
        self.pause_all_button.setObjectName("pauseAll")
        self.pause_all_button.clicked.connect(lambda: self.start(self._pause_all(not self.paused_all)))
        note = QLabel(NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("scheduledJobs")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.pause_all_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)

        self._clock = QTimer(self)
        self._clock.setInterval(REFRESH_MS)
        self._clock.timeout.connect(lambda: self.start(self.load()) if self.isVisible() else None)
        self._clock.start()
        # A run starting (here, on the Sync tab, or scheduled) changes its row's Next run to "running now".
        self.bridge = EventBridge(app.bus, self)
        self.bridge.run_started.connect(lambda _e: self.start(self.load()))

    def detach(self) -> None:
        super().detach()
        if shiboken6.isValid(self._clock):  # the window may be gone already
            self._clock.stop()
        self.bridge.close()

    # -- showing ------------------------------------------------------------------------------------------
    async def load(self) -> None:
        if not await self.app.connection.address():
            self.statuses = []
            self.banner.show_message("info", CONNECT_FIRST)
            self._render()
            return
        if self.banner.text() == CONNECT_FIRST:
            self.banner.clear_message()
        self.statuses = await self.app.scheduler.status()
        self.paused_all = await self.app.scheduler.paused_all()
        self._render()

    def _render(self) -> None:
        now = self.app.scheduler.clock.now()
        self.summary.setText(schedule_summary(self.statuses, now, paused_all=self.paused_all))
        self.pause_all_button.setText("Resume all" if self.paused_all else "Pause all")
        self.pause_all_button.setEnabled(bool(self.statuses))
        self.table.setRowCount(len(self.statuses))
        self.buttons = {}
        for i, s in enumerate(self.statuses):
            cells = (s.channel, s.name, s.interval_text(), s.last_text(), s.result_text(), s.next_text(now))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(s.reason or text)
                self.table.setItem(i, j, item)
            run = s.last_run
            if run and STATUS_COLOURS.get(run["status"]):
                self.table.item(i, 4).setForeground(QBrush(QColor(STATUS_COLOURS[run["status"]])))
            self.table.item(i, 5).setForeground(QBrush(QColor(STATE_COLOURS.get(s.state, "#000000"))))
            self.table.setCellWidget(i, 6, self._actions(s))
        self.table.resizeRowsToContents()

    def _actions(self, s: JobStatus) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(2, 0, 2, 0)
        logs = QPushButton("Logs")
        logs.setObjectName(f"logs-{s.channel}-{s.job}")
        logs.setToolTip("The Logs rows of its last run.")
        run_id = s.run_link()
        logs.setEnabled(run_id is not None)
        if run_id is not None:
            logs.clicked.connect(lambda _c=False, r=run_id: self.open_run_logs.emit(r))
        run = QPushButton("Run now")
        run.setObjectName(f"runNow-{s.channel}-{s.job}")
        runnable = s.state in ("active", "paused") and not self.app.engine.running
        run.setEnabled(runnable)
        run.setToolTip(f"Run {s.name} of {s.channel} now." if runnable else (s.reason or "A run is going."))
        run.clicked.connect(lambda _c=False, k=s.key: self.run_now(*k))
        pause = QPushButton("Resume" if s.paused else "Pause")
        pause.setObjectName(f"pause-{s.channel}-{s.job}")
        pause.clicked.connect(lambda _c=False, k=s.key, p=not s.paused: self.start(self._pause(*k, p)))
        for b in (logs, run, pause):
            row.addWidget(b)
        self.buttons[s.key] = (logs, run, pause)
        return box

    def row_texts(self, channel: str, job: str) -> dict[str, str]:
        i = next(i for i, s in enumerate(self.statuses) if s.key == (channel, job))
        return {COLUMNS[j]: self.table.item(i, j).text() for j in range(len(COLUMNS) - 1)}

    # -- acting -------------------------------------------------------------------------------------------
    def run_now(self, channel: str, job: str) -> None:
        for _logs, run, _pause in self.buttons.values():
            run.setEnabled(False)  # one at a time: the scheduler queues, but a second click is a mistake
        self.start(self._run_now(channel, job))

    async def _run_now(self, channel: str, job: str) -> None:
        name = JOB_NAMES[job]
        self.banner.show_message("info", f"{name} of {channel} running…")
        try:
            result = await self.app.scheduler.run_now(channel, job)
        except Exception as exc:  # noqa: BLE001 (shown to the merchant)
            self.banner.show_message("error", f"{name} of {channel} did not run: {describe_error(exc)}")
        else:
            kind = "success" if result.action == "ran" and result.status == "done" else \
                "warning" if result.action == "skipped" or result.status in ("partial", "held") else "error"
            self.banner.show_message(kind, result.line())
        await self.load()

    async def _pause(self, channel: str, job: str, paused: bool) -> None:
        try:
            await self.app.scheduler.pause(channel, job, paused=paused)
        except Exception as exc:  # noqa: BLE001 (shown to the merchant)
            self.banner.show_message("error", describe_error(exc))
        await self.load()

    async def _pause_all(self, paused: bool) -> None:
        try:
            await self.app.scheduler.pause_all(paused)
        except Exception as exc:  # noqa: BLE001 (shown to the merchant)
            self.banner.show_message("error", describe_error(exc))
        await self.load()

