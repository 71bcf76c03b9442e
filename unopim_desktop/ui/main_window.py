"""The main window: a header with the connection badge, and one tab per area of the connector."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from unopim_desktop import __version__
from unopim_desktop.channels import ChannelService
from unopim_desktop.connection import Badge, ConnectionService
from unopim_desktop.context import AppContext
from unopim_desktop.mapping.service import MappingService
from unopim_desktop.session import UnoPimSession
from unopim_desktop.state import repo
from unopim_desktop.store_connections import StoreService
from unopim_desktop.sync.engine import SyncEngine
from unopim_desktop.sync.events import EventBus
from unopim_desktop.ui.bridge import EventBridge
from unopim_desktop.ui.tabs.base import AsyncTab
from unopim_desktop.ui.tabs.channels import ChannelsTab
from unopim_desktop.ui.tabs.connection import ConnectionTab
from unopim_desktop.ui.tabs.logs import LogsTab
from unopim_desktop.ui.tabs.mapping import MappingTab
from unopim_desktop.ui.tabs.sync import SyncTab
from unopim_desktop.ui.widgets.status_badge import StatusBadge

if TYPE_CHECKING:
    from unopim_desktop.sandbox.launcher import Sandbox

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, *, demo_note: str = "") -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("UnoPim Desktop")
        self.resize(960, 680)
        self.bus = EventBus()
        self.session = UnoPimSession(ctx, self.bus)
        self.bridge = EventBridge(self.bus, self)
        self.bridge.status_changed.connect(self._on_status_changed)
        self.connection_service = ConnectionService(ctx)
        self.store_service = StoreService(ctx)
        self.channel_service = ChannelService(ctx, self.session)
        self.mapping_service = MappingService(ctx, self.channel_service, self.store_service)
        self.engine = SyncEngine(ctx, self.session, self.bus, stores=self.store_service)

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
        self.connection_tab = ConnectionTab(self.connection_service)
        self.channels_tab = ChannelsTab(self.store_service, self.channel_service)
        self.mapping_tab = MappingTab(self.mapping_service)
        self.sync_tab = SyncTab(self.engine)
        self.logs_tab = LogsTab(ctx)
        self.tabs.addTab(self.connection_tab, "Connection")
        self.tabs.addTab(self.channels_tab, "Channels && Stores")
        self.tabs.addTab(self.mapping_tab, "Mapping")
        self.tabs.addTab(self.sync_tab, "Sync")
        self.tabs.addTab(self.logs_tab, "Logs")
        mapping = self.mapping_tab
        self.channels_tab.channels_changed.connect(lambda: mapping.start(mapping.on_channels_changed()))
        self.channels_tab.stores_changed.connect(lambda: mapping.start(mapping.reload_channels()))
        # Pull and Push off on every channel turns the badge grey.
        self.channels_tab.channels_changed.connect(lambda: self.connection_tab.start(self._show_signed_in_badge()))
        self.connection_tab.badge_changed.connect(self.set_badge)
        self.connection_tab.connected.connect(self._on_connected)
        self.connection_tab.badge_changed.connect(lambda _b: self.logs_tab.start(self.logs_tab.reload()))
        sync = self.sync_tab
        self.channels_tab.channels_changed.connect(lambda: sync.start(sync.reload_channels()))
        self.channels_tab.stores_changed.connect(lambda: sync.start(sync.reload_channels()))
        self.bridge.run_started.connect(sync.on_run_started)
        self.bridge.step_progress.connect(sync.on_step_progress)
        self.bridge.log_row.connect(sync.on_log_row)
        self.bridge.run_finished.connect(sync.on_run_finished)
        self.bridge.run_finished.connect(lambda _e: self.logs_tab.start(self.logs_tab.reload()))

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(header)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"Version {__version__} · data in {ctx.paths.root}")

    def set_badge(self, badge: Badge) -> None:
        self.badge.set_badge(badge)

    def _on_connected(self, address: str) -> None:
        # New credentials: jobs must build a fresh client from them.
        self.connection_tab.start(self.session.reset())
        self.logs_tab.start(self.logs_tab.reload(address))
        self.channels_tab.start(self.channels_tab.load())
        self.mapping_tab.start(self.mapping_tab.load())
        self.sync_tab.start(self.sync_tab.load(address))

    def _on_status_changed(self, address: str, state: str) -> None:
        if state == "refreshing":
            self.set_badge(Badge.REFRESHING)
        elif state == "failed":
            self.set_badge(Badge.NOT_CONNECTED)
        else:
            self.connection_tab.start(self._show_signed_in_badge())

    async def _show_signed_in_badge(self) -> None:
        info = await self.ctx.lane.run(repo.instance_info, None)
        self.set_badge(Badge.DISABLED if info and info.channels_all_off else Badge.CONNECTED)

    @property
    def async_tabs(self) -> list[AsyncTab]:
        return [self.connection_tab, self.channels_tab, self.mapping_tab, self.sync_tab, self.logs_tab]

    def start_loading(self) -> None:
        """Everything slow (DB, keychain) happens after the window is on screen."""
        self.connection_tab.start(self.connection_tab.load())
        self.logs_tab.start(self.logs_tab.reload())
        self.channels_tab.start(self.channels_tab.load())
        self.mapping_tab.start(self.mapping_tab.load())
        self.sync_tab.start(self.sync_tab.load())

    async def settle(self) -> None:
        """Once the tabs have loaded, take what is alive now (modules, Qt wrappers, caches) out of the
        garbage collector's scans: full collections during a large sync then cover only the run's own
        objects, and stay short enough not to stall the window."""
        for tab in self.async_tabs:
            await tab.wait_idle()
        gc.collect()
        gc.freeze()

    # -- demo ----------------------------------------------------------------------------------------
    def start_demo(self, sandbox: Sandbox) -> None:
        """Demo mode: make the app ready to pull in the background; the window stays usable meanwhile."""
        self.sync_tab.start(self.prepare_demo(sandbox))

    async def prepare_demo(self, sandbox: Sandbox) -> bool:
        from unopim_desktop.demo import DEMO_CHANNEL, DEMO_READY, DemoSetupError, prepare_demo

        # Let the first loads finish, so none of them paints the state from before the demo connected.
        for tab in self.async_tabs:
            if tab is not self.sync_tab:
                await tab.wait_idle()
        self.sync_tab.banner.show_message(
            "info", "Preparing the demo: signing in to the sandbox UnoPim, adding the demo store, mapping…")
        self.sync_tab.hold(True)  # no Pull before the store and the mapping exist
        try:
            try:
                await prepare_demo(self.ctx, self.session, sandbox)
            except Exception as exc:  # noqa: BLE001 (shown to the merchant, logged for us)
                log.warning("demo preparation failed: %s", exc, exc_info=not isinstance(exc, DemoSetupError))
                self.sync_tab.banner.show_message(
                    "error", f"The demo could not be prepared: {exc}\nYou can still set it up by hand, starting "
                             "with Connection → Test & Save (the form is filled in).")
                return False
            address = await self.ctx.lane.run(repo.active_address)
            self.connection_tab.banner.show_message("success", f"Connected to {address}. Secrets saved.")
            self.connection_tab.start(self.connection_tab.load())
            self._on_connected(address)
            for tab in self.async_tabs:
                if tab is not self.sync_tab:
                    await tab.wait_idle()
            await self.sync_tab.load(address)
        finally:
            self.sync_tab.hold(False)
        self.sync_tab.select_channel(DEMO_CHANNEL)  # the one channel with a store: a clean first result
        self.tabs.setCurrentWidget(self.sync_tab)
        self.sync_tab.banner.show_message("success", DEMO_READY)
        return True

    async def shutdown(self) -> None:
        # A running pull stops at its next batch boundary, so its run row and checkpoint are written.
        self.engine.cancel()
        if self.sync_tab.run_task is not None and not self.sync_tab.run_task.done():
            await asyncio.wait([self.sync_tab.run_task], timeout=5)
        for tab in self.async_tabs:
            tab.cancel_all()
        pending = [t for tab in self.async_tabs for t in tab.pending]
        if pending:
            await asyncio.wait(pending, timeout=5)
        await self.session.aclose()
        self.bridge.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.engine.cancel()  # cooperative; `shutdown` gives the run a moment to reach its batch boundary
        for tab in self.async_tabs:
            if tab is not self.sync_tab:
                tab.cancel_all()
        super().closeEvent(event)
