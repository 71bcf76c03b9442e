"""The main window: a header with the connection badge, and one tab per area of the connector.

Every tab is built the same way (`Tab(app)`) and redraws itself on the app's changes; the window only
lays them out, keeps the header badge, and runs the demo's preparation and the shutdown."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import TYPE_CHECKING

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
from unopim_desktop.ui.tabs.sync import SyncTab
from unopim_desktop.ui.widgets.status_badge import StatusBadge

if TYPE_CHECKING:
    from unopim_desktop.app.application import App
    from unopim_desktop.sandbox.launcher import Sandbox

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, app: App, *, demo_note: str = "") -> None:
        super().__init__()
        self.app = app
        self._quit_confirmed = False  # the merchant chose "Stop and quit" while a run was going
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
        self.logs_tab = LogsTab(app)
        for tab, title_text in ((self.connection_tab, "Connection"), (self.channels_tab, "Channels && Stores"),
                                (self.mapping_tab, "Mapping"), (self.sync_tab, "Sync"), (self.logs_tab, "Logs")):
            self.tabs.addTab(tab, title_text)
        self.connection_tab.badge_changed.connect(self.set_badge)
        self.named_tabs: dict[str, Tab] = {"connection": self.connection_tab, "channels": self.channels_tab,
                                           "mapping": self.mapping_tab, "sync": self.sync_tab, "logs": self.logs_tab}
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
        return [self.connection_tab, self.channels_tab, self.mapping_tab, self.sync_tab, self.logs_tab]

    def start_loading(self) -> None:
        """Everything slow (DB, keychain) happens after the window is on screen."""
        for tab in self.all_tabs:
            tab.start(tab.load())

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
        if self.sync_tab.running and not self._quit_confirmed:
            # A run is going: ask (inline, on the Sync tab) instead of stopping it behind the merchant's back.
            event.ignore()
            self.tabs.setCurrentWidget(self.sync_tab)
            self.sync_tab.ask("A sync is running. Stop it after the current batch and quit? What is done stays, "
                              "and the next run resumes from there.", confirm="Stop and quit", keep="Keep running",
                              then=self._stop_and_quit)
            return
        self.app.engine.cancel()  # cooperative; `shutdown` gives the run a moment to reach its batch boundary
        for tab in self.all_tabs:
            if tab is not self.sync_tab:
                tab.cancel_all()
        super().closeEvent(event)

    def _stop_and_quit(self) -> None:
        self._quit_confirmed = True
        self.app.engine.cancel()
        self.close()
