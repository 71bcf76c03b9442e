"""The tray: the scheduler's state and next run, Pull Delta now, Push Changed now, Cancel the run, Pause all,
Open and Quit; and the desktop notifications (a scheduled run that failed, finished with errors or was held;
optionally a long manual run that finished while the window was hidden). Clicking one opens its run's Logs
rows. Which runs deserve a notice is the app's rule (`app.notices`); this only shows them.

Where the desktop has no system tray (`QSystemTrayIcon.isSystemTrayAvailable()`: offscreen, some Wayland
sessions) the object still exists and records its notices, but shows nothing, and closing the window quits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from unopim_desktop.app.events import CHANNELS, CONNECTION, SCHEDULE, SETTINGS, STORES, Changed
from unopim_desktop.app.jobs import schedule_summary
from unopim_desktop.app.notices import Notice, NoticePolicy
from unopim_desktop.app.scheduler import ScheduledRunFinished
from unopim_desktop.sync.events import RunFinished, RunStarted
from unopim_desktop.ui.icon import app_icon

if TYPE_CHECKING:
    from unopim_desktop.app.application import App
    from unopim_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

EXPLAIN_CLOSE = ("UnoPim Desktop keeps running in the tray, so scheduled jobs go on. Quit from the tray's menu; "
                 "General settings → Desktop turns this off.")
ICONS = {"error": QSystemTrayIcon.MessageIcon.Critical, "warning": QSystemTrayIcon.MessageIcon.Warning,
         "info": QSystemTrayIcon.MessageIcon.Information}
SHOW_MS = 15_000
REFRESH_KINDS = frozenset({CONNECTION, CHANNELS, STORES, SETTINGS, SCHEDULE})


class Tray(QObject):
    def __init__(self, app: App, window: MainWindow, *, available: bool | None = None,
                 policy: NoticePolicy | None = None) -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.policy = policy or NoticePolicy()
        self.settings: dict[str, str] = {}
        self.shown: list[Notice] = []  # every notice given (tests; the last one is what a click opens)

        self.menu = QMenu()
        self.state_action = self.menu.addAction("Scheduler: starting…")
        self.state_action.setEnabled(False)
        self.next_action = self.menu.addAction("")
        self.next_action.setEnabled(False)
        self.menu.addSeparator()
        self.pull_action = self.menu.addAction("Pull Delta now")
        self.pull_action.triggered.connect(lambda: self._start(self._run_now("pull")))
        self.push_action = self.menu.addAction("Push Changed now")
        self.push_action.triggered.connect(lambda: self._start(self._run_now("push")))
        self.cancel_action = self.menu.addAction("Cancel the run")
        self.cancel_action.triggered.connect(self.app.engine.cancel)
        self.pause_action = self.menu.addAction("Pause all")
        self.pause_action.triggered.connect(lambda: self._start(self._toggle_pause_all()))
        self.menu.addSeparator()
        self.open_action = self.menu.addAction("Open")
        self.open_action.triggered.connect(self.window.show_window)
        self.quit_action = self.menu.addAction("Quit")
        self.quit_action.triggered.connect(self.window.request_quit)
        self.paused_all = False

        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip("UnoPim Desktop")
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self.open_last_notice)
        self._unsubscribe = app.bus.subscribe(self._on_event)
        if self.available:
            self.icon.show()
        self._show_running(False)

    # -- what the window asks --------------------------------------------------------------------------------
    def keeps_running(self) -> bool:
        """Closing the window hides it here (a tray exists, and General settings say so; on by default)."""
        return self.available and self.settings.get("close_to_tray", "") != "0"

    def explain_once(self) -> None:
        """The first close to the tray says what happened, once ever."""
        if self.settings.get("tray_explained") == "1":
            return
        self.settings["tray_explained"] = "1"
        self.notify(Notice("UnoPim Desktop is still running", EXPLAIN_CLOSE, "info"))
        self._start(self.app.desktop.mark("tray_explained"))

    # -- state ---------------------------------------------------------------------------------------------
    async def load(self) -> None:
        self.settings = await self.app.desktop.load()
        await self.refresh()

    async def refresh(self) -> None:
        statuses = await self.app.scheduler.status()
        self.paused_all = await self.app.scheduler.paused_all()
        now = self.app.scheduler.clock.now()
        summary = schedule_summary(statuses, now, paused_all=self.paused_all)
        state = "Scheduler: " + ("paused" if self.paused_all else "running" if self.app.scheduler.running
                                 else "off in this window")
        self.state_action.setText(state)
        self.next_action.setText(summary)
        self.icon.setToolTip(f"UnoPim Desktop — {summary}")
        self.pause_action.setText("Resume all" if self.paused_all else "Pause all")
        self.pause_action.setEnabled(bool(statuses))
        self._show_running(self.app.engine.running)

    def _show_running(self, running: bool) -> None:
        self.cancel_action.setEnabled(running)
        for action in (self.pull_action, self.push_action):
            action.setEnabled(not running)

    # -- notifications -------------------------------------------------------------------------------------
    def notify(self, notice: Notice) -> None:
        self.shown.append(notice)
        if self.available:
            self.icon.showMessage(notice.title, notice.text, ICONS.get(notice.level, ICONS["info"]), SHOW_MS)

    def open_last_notice(self) -> None:
        """A notification was clicked: the window, on its run's Logs rows (or just the window)."""
        notice = self.shown[-1] if self.shown else None
        if notice is not None and notice.run_id is not None:
            self.window.show_run_logs(notice.run_id)
        else:
            self.window.show_window()

    def _on_event(self, event: object) -> None:
        if not shiboken6.isValid(self):
            self.close()
            return
        if isinstance(event, ScheduledRunFinished):
            if event.result.trigger == "manual" and self.window.isVisible():
                return  # Run now in the open window: its banner says how it went
            notice = self.policy.scheduled(event.result)
            if notice is not None:
                self.notify(notice)
        elif isinstance(event, RunStarted):
            if event.run_id not in self.app.scheduler.scheduled_runs:
                self.policy.manual_started(event)
            self._show_running(True)
        elif isinstance(event, RunFinished):
            if event.run_id in self.app.scheduler.scheduled_runs:
                self.policy.forget(event.run_id)
            else:
                notice = self.policy.manual_finished(event, hidden=not self.window.isVisible(),
                                                     wanted=self.settings.get("notify_manual", "1") == "1")
                if notice is not None:
                    self.notify(notice)
            self._start(self.refresh())
        elif isinstance(event, Changed) and event.kinds & REFRESH_KINDS:
            self._start(self.load() if SETTINGS in event.kinds else self.refresh())

    # -- menu actions --------------------------------------------------------------------------------------
    async def _run_now(self, job: str) -> None:
        try:
            results = await self.app.scheduler.run_now_all(job)
        except Exception as exc:  # noqa: BLE001 (said in a notification; the Logs have the rest)
            self.notify(Notice("Nothing ran", str(exc), "warning"))
            return
        if not results:
            self.notify(Notice("Nothing ran", "No channel can run this job now: see Scheduled jobs.", "info"))
            return
        # A run in trouble gets its own notice (the policy); with the window hidden, a clean one is said here.
        if not self.window.isVisible() and not any(r.failed for r in results):
            self.notify(Notice(f"{results[0].name} now", " ".join(r.line() for r in results), "info",
                               results[-1].run_id, results[-1].channel))

    async def _toggle_pause_all(self) -> None:
        await self.app.scheduler.pause_all(not self.paused_all)
        await self.refresh()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.window.show_window()

    # -- lifetime --------------------------------------------------------------------------------------------
    def _start(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """On the Scheduled jobs tab's tasks: waited for and cancelled with the window's."""
        return self.window.schedule_tab.start(coro)

    def close(self) -> None:
        self._unsubscribe()
        if shiboken6.isValid(self.icon):
            self.icon.hide()

