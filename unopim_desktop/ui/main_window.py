"""The main window: a header with the connection badge, and one tab per area of the connector.

Every tab is built the same way (`Tab(app)`) and redraws itself on the app's changes; the window only
lays them out, keeps the header badge, and runs the demo's preparation and the shutdown. With a tray
(`ui/tray.py`), closing the window hides it and the scheduler goes on; Quit (the tray's) ends the app."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from unopim_desktop import __version__
from unopim_desktop.app.connection import Badge
from unopim_desktop.app.events import CHANNELS, Changed
from unopim_desktop.sync.events import Event
from unopim_desktop.ui.bridge import EventBridge
from unopim_desktop.ui.icon import app_icon
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.tabs.channels import ChannelsTab
from unopim_desktop.ui.tabs.connection import ConnectionTab
from unopim_desktop.ui.tabs.logs import LogsTab
from unopim_desktop.ui.tabs.mapping import MappingTab
from unopim_desktop.ui.tabs.schedule import ScheduleTab
from unopim_desktop.ui.tabs.sync import SyncTab
from unopim_desktop.ui.widgets.desktop_settings import DesktopSettingsBox
from unopim_desktop.ui.widgets.status_badge import StatusBadge

if TYPE_CHECKING:
    from unopim_desktop.app.application import App
    from unopim_desktop.sandbox.launcher import Sandbox
    from unopim_desktop.ui.tray import Tray

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    # The window really closes (the app quits): not when it only hides in the tray.
    closing = Signal()

    def __init__(self, app: App, *, demo_note: str = "") -> None:
        super().__init__()
        self.app = app
        self._quit_confirmed = False  # the merchant chose "Stop and quit" while a run was going
        self.tray: Tray | None = None
        self.quitting = False  # Quit (not a close to the tray) was asked for
        self.setWindowTitle("UnoPim Desktop")
        self.setWindowIcon(app_icon())
        self.resize(960, 680)
        self.bridge = EventBridge(app.bus, self)
        self.bridge.status_changed.connect(self._on_status_changed)
        # Pull and Push off on every channel turns the badge grey.
        self._unsubscribe = app.bus.subscribe(self._on_event)

        self.badge = StatusBadge()
        title = QLabel("<b>UnoPim Desktop</b>")
        header = QHBoxLayout()
        header.addWidget(title)
        if demo_note:
            demo = QLabel(demo_note)
            demo.setStyleSheet("color: #1b4f8a;")
            header.addWidget(demo)
        header.addStretch(1)
        header.addWidget(self.badge)

        self.tabs = QTabWidget()
        self.connection_tab = ConnectionTab(app)
        self.channels_tab = ChannelsTab(app)
        self.mapping_tab = MappingTab(app)
        self.sync_tab = SyncTab(app)
        self.schedule_tab = ScheduleTab(app)
        self.logs_tab = LogsTab(app)
        for tab, title_text in ((self.connection_tab, "Connection"), (self.channels_tab, "Channels && Stores"),
                                (self.mapping_tab, "Mapping"), (self.sync_tab, "Sync"),
                                (self.schedule_tab, "Scheduled jobs"), (self.logs_tab, "Logs")):
            self.tabs.addTab(tab, title_text)
        self.connection_tab.badge_changed.connect(self.set_badge)
        self.schedule_tab.open_run_logs.connect(self.show_run_logs)
        self.named_tabs: dict[str, Tab] = {"connection": self.connection_tab, "channels": self.channels_tab,
                                           "mapping": self.mapping_tab, "sync": self.sync_tab,
                                           "schedule": self.schedule_tab, "logs": self.logs_tab}
        # General settings → Desktop (tray, start at login, notifications), under the Sync tab's settings.
        self.desktop_settings = DesktopSettingsBox(app, self.sync_tab.start, tray_available=False)
        self.sync_tab.settings.add_section(self.desktop_settings)
        for tab in self.all_tabs:
            tab.navigate.connect(self.go_to)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(header)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"Version {__version__} · data in {app.paths.root}")

    def go_to(self, name: str) -> None:
        tab = self.named_tabs.get(name)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)

    def set_badge(self, badge: Badge) -> None:
        self.badge.set_badge(badge)

    def _on_event(self, event: Event | Changed) -> None:
        if isinstance(event, Changed) and CHANNELS in event.kinds:
            self.connection_tab.start(self._show_signed_in_badge())

    def _on_status_changed(self, address: str, state: str) -> None:
        if state == "refreshing":
            self.set_badge(Badge.REFRESHING)
        elif state == "failed":
            self.set_badge(Badge.NOT_CONNECTED)
        else:
            self.connection_tab.start(self._show_signed_in_badge())

    async def _show_signed_in_badge(self) -> None:
        info = await self.app.connection.saved()
        self.set_badge(Badge.DISABLED if info and info.channels_all_off else Badge.CONNECTED)

    @property
    def all_tabs(self) -> list[Tab]:
        return [self.connection_tab, self.channels_tab, self.mapping_tab, self.sync_tab, self.schedule_tab,
                self.logs_tab]

    def start_loading(self) -> None:
        """Everything slow (DB, keychain) happens after the window is on screen."""
        for tab in self.all_tabs:
            tab.start(tab.load())
        self.sync_tab.start(self.desktop_settings.load())
        if self.tray is not None:
            self.sync_tab.start(self.tray.load())

    # -- the tray ------------------------------------------------------------------------------------
    def attach_tray(self, tray: Tray) -> None:
        """Before `start_loading`, which loads it (on the running loop)."""
        self.tray = tray
        self.desktop_settings.set_tray_available(tray.available)

    def show_window(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def show_run_logs(self, run_id: int) -> None:
        """A run's Logs rows (a job's Logs link, a clicked notification)."""
        self.show_window()
        self.go_to("logs")
        self.logs_tab.show_run(run_id)

    def request_quit(self) -> None:
        """Quit (the tray's menu): really close; during a run, the window shows and asks first."""
        self.quitting = True
        if self.sync_tab.running and not self._quit_confirmed:
            self.show_window()
        self.close()

    async def settle(self) -> None:
        """Once the tabs have loaded, take what is alive now (modules, Qt wrappers, caches) out of the
        garbage collector's scans: full collections during a large sync then cover only the run's own
        objects, and stay short enough not to stall the window."""
        for tab in self.all_tabs:
            await tab.wait_idle()
        gc.collect()
        gc.freeze()

    # -- demo ----------------------------------------------------------------------------------------
    def start_demo(self, sandbox: Sandbox) -> asyncio.Task[bool]:
        """Demo mode: make the app ready to pull in the background; the window stays usable meanwhile.
        The task's result says whether the demo is ready."""
        return self.sync_tab.start(self.prepare_demo(sandbox))

    async def prepare_demo(self, sandbox: Sandbox) -> bool:
        from unopim_desktop.app.demo import DEMO_CHANNEL, DEMO_READY, DemoSetupError, prepare_demo

        # Let the first loads finish, so none of them paints the state from before the demo connected.
        others = [tab for tab in self.all_tabs if tab is not self.sync_tab]
        for tab in others:
            await tab.wait_idle()
        self.sync_tab.banner.show_message(
            "info", "Preparing the demo: signing in to the sandbox UnoPim, adding the demo store, mapping…")
        self.sync_tab.hold(True)  # no Pull before the store and the mapping exist
        try:
            try:
                await prepare_demo(self.app, sandbox)
            except Exception as exc:  # noqa: BLE001 (shown to the merchant, logged for us)
                log.warning("demo preparation failed: %s", exc, exc_info=not isinstance(exc, DemoSetupError))
                self.sync_tab.banner.show_message(
                    "error", f"The demo could not be prepared: {exc}\nYou can still set it up by hand, starting "
                             "with Connection → Test & Save (the form is filled in).")
                return False
            address = await self.app.connection.address()
            self.connection_tab.banner.show_message("success", f"Connected to {address}. Secrets saved.")
            # The preparation changed everything: every tab shows the final state.
            for tab in others:
                await tab.wait_idle()
                tab.start(tab.load())
            for tab in others:
                await tab.wait_idle()
            await self.sync_tab.load()
        finally:
            self.sync_tab.hold(False)
        self.sync_tab.select_channel(DEMO_CHANNEL)  # the one channel with a store: a clean first result
        self.tabs.setCurrentWidget(self.sync_tab)
        self.sync_tab.banner.show_message("success", DEMO_READY)
        return True

    async def shutdown(self) -> None:
        # No scheduled job starts from now on; one in progress stops at its batch boundary like a click's.
        await self.app.scheduler.stop(timeout=5)
        if self.tray is not None:
            self.tray.close()
        # A running pull stops at its next batch boundary, so its run row and checkpoint are written.
        self.app.engine.cancel()
        if self.sync_tab.run_task is not None and not self.sync_tab.run_task.done():
            await asyncio.wait([self.sync_tab.run_task], timeout=5)
        for tab in self.all_tabs:
            tab.cancel_all()
        pending = [t for tab in self.all_tabs for t in tab.pending]
        if pending:
            await asyncio.wait(pending, timeout=5)
        for tab in self.all_tabs:
            tab.detach()
        self._unsubscribe()
        await self.app.aclose()
        self.bridge.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self.quitting and self.tray is not None and self.tray.keeps_running():
            # Close to the tray: the window goes, the scheduler (and a run in progress) goes on.
            event.ignore()
            self.hide()
            self.tray.explain_once()
            return
        if self.sync_tab.running and not self._quit_confirmed:
            # A run is going: ask (inline, on the Sync tab) instead of stopping it behind the merchant's back.
            event.ignore()
            self.tabs.setCurrentWidget(self.sync_tab)
            self.sync_tab.ask("A sync is running. Stop it after the current batch and quit? What is done stays, "
                              "and the next run resumes from there.", confirm="Stop and quit", keep="Keep running",
                              then=self._stop_and_quit, on_keep=self._keep_running)
            return
        self.app.scheduler.request_stop()  # no scheduled job starts while the window closes
        self.app.engine.cancel()  # cooperative; `shutdown` gives the run a moment to reach its batch boundary
        for tab in self.all_tabs:
            if tab is not self.sync_tab:
                tab.cancel_all()
        super().closeEvent(event)
        self.closing.emit()

    def _keep_running(self) -> None:
        self.quitting = False  # a later close goes to the tray again

    def _stop_and_quit(self) -> None:
        self._quit_confirmed = True
        self.app.engine.cancel()
        self.close()
