"""The main window: a menu bar, a header with the connection badge, the first-run guide, and one tab per area
of the connector.

Every tab is built the same way (`Tab(app)`) and redraws itself on the app's changes; the window lays them
out, keeps the header badge and the guide, remembers its size, place and last tab, asks before a tab with
unsaved edits is left or the window closed, and runs the demo's preparation and the shutdown. With a tray
(`ui/tray.py`), closing the window hides it and the scheduler goes on; Quit (the tray's) ends the app."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop import __version__
from unopim_desktop.app.connection import Badge
from unopim_desktop.app.events import CHANNELS, Changed
from unopim_desktop.sync.events import Event, RunFinished
from unopim_desktop.ui import help as help_windows
from unopim_desktop.ui.bridge import EventBridge
from unopim_desktop.ui.icon import app_icon
from unopim_desktop.ui.menus import build_menus
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.tabs.channels import ChannelsTab
from unopim_desktop.ui.tabs.connection import ConnectionTab
from unopim_desktop.ui.tabs.logs import LogsTab
from unopim_desktop.ui.tabs.mapping import MappingTab
from unopim_desktop.ui.tabs.schedule import ScheduleTab
from unopim_desktop.ui.tabs.settings import SettingsTab
from unopim_desktop.ui.tabs.sync import SyncTab
from unopim_desktop.ui.widgets.conventions import guard_wheels, open_folder
from unopim_desktop.ui.widgets.desktop_settings import DesktopSettingsBox
from unopim_desktop.ui.widgets.guide import GuideStrip
from unopim_desktop.ui.widgets.status_badge import StatusBadge

if TYPE_CHECKING:
    from unopim_desktop.app.application import App
    from unopim_desktop.sandbox.launcher import Sandbox
    from unopim_desktop.ui.tray import Tray

log = logging.getLogger(__name__)

# The tabs in order: the name other code uses, and the title with its mnemonic (Alt+letter).
TABS = (("connection", "Co&nnection"), ("channels", "Channels && &Stores"), ("mapping", "&Mapping"),
        ("sync", "S&ync"), ("schedule", "S&cheduled jobs"), ("logs", "&Logs"), ("settings", "Se&ttings"))
DEFAULT_SIZE = (1280, 800)
MIN_HEIGHT = 640  # a 1366×768 laptop shows ~700 px of window below its panels
MIN_WIDTH = 900
TRIM_CHECK_MS = 60 * 60 * 1000  # the Logs' daily trim is due at most once a day; look hourly


class MainWindow(QMainWindow):
    # The window really closes (the app quits): not when it only hides in the tray.
    closing = Signal()

    def __init__(self, app: App, *, demo_note: str = "") -> None:
        super().__init__()
        self.app = app
        self._quit_confirmed = False  # the merchant chose "Stop and quit" while a run was going
        self._discard_confirmed = False  # the merchant answered the unsaved-changes question on closing
        self._leave_confirmed = False  # … or on leaving a tab
        self.prompt: QMessageBox | None = None  # the open unsaved-changes question (tests answer it)
        self.tray: Tray | None = None
        self.quitting = False  # Quit (not a close to the tray) was asked for
        self.setWindowTitle("UnoPim Desktop")
        self.setWindowIcon(app_icon())
        self.bridge = EventBridge(app.bus, self)
        self.bridge.status_changed.connect(self._on_status_changed)
        # Pull and Push off on every channel turns the badge grey; every change may tick a guide step.
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
        self.guide = GuideStrip()
        self.guide.hide()
        self.guide.go.connect(self.do_guide_step)
        self.guide.hidden_by_user.connect(lambda: self._remember({"guide_hidden": "1"}))

        self.tabs = QTabWidget()
        self.connection_tab = ConnectionTab(app)
        self.channels_tab = ChannelsTab(app)
        self.mapping_tab = MappingTab(app)
        self.sync_tab = SyncTab(app)
        self.schedule_tab = ScheduleTab(app)
        self.logs_tab = LogsTab(app)
        self.settings_tab = SettingsTab(app)
        self.named_tabs: dict[str, Tab] = {"connection": self.connection_tab, "channels": self.channels_tab,
                                           "mapping": self.mapping_tab, "sync": self.sync_tab,
                                           "schedule": self.schedule_tab, "logs": self.logs_tab,
                                           "settings": self.settings_tab}
        for name, title_text in TABS:
            self.tabs.addTab(self.named_tabs[name], title_text)
        self.connection_tab.badge_changed.connect(self.set_badge)
        self.schedule_tab.open_run_logs.connect(self.show_run_logs)
        # Settings → Desktop (tray, start at login, notifications): this computer's, saved as they change.
        self.desktop_settings = DesktopSettingsBox(app, self.settings_tab.start, tray_available=False)
        self.settings_tab.add_section(self.desktop_settings)
        for tab in self.all_tabs:
            tab.navigate.connect(self.go_to)
            guard_wheels(tab)
        self._current = self.tabs.currentIndex()
        self.tabs.currentChanged.connect(self._on_tab_changed)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(header)
        layout.addWidget(self.guide)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"Version {__version__} · data in {app.paths.root}")
        self.menus = build_menus(self)
        self._trim = QTimer(self)
        self._trim.setInterval(TRIM_CHECK_MS)
        self._trim.timeout.connect(lambda: self.logs_tab.start(self._trim_logs()))
        self._restore()

    # -- size, place, last tab -------------------------------------------------------------------------
    def _restore(self) -> None:
        state = self.app.settings.window_state_sync()
        self._guide_hidden = state.get("guide_hidden") == "1"
        geometry = state.get("window_geometry") or ""
        restored = bool(geometry) and self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        if not restored:
            screen = QGuiApplication.primaryScreen()
            room = screen.availableGeometry() if screen is not None else None
            width, height = DEFAULT_SIZE
            if room is not None:
                width, height = min(width, room.width() - 40), min(height, room.height() - 40)
            self.resize(max(width, MIN_WIDTH), max(height, MIN_HEIGHT))  # the layout may need a little more
        tab = self.named_tabs.get(state.get("window_tab") or "")
        if tab is not None:
            self.tabs.blockSignals(True)
            self.tabs.setCurrentWidget(tab)
            self.tabs.blockSignals(False)
            self._current = self.tabs.currentIndex()

    def window_state(self) -> dict[str, str]:
        name = next((n for n, t in self.named_tabs.items() if t is self.tabs.currentWidget()), "connection")
        return {"window_geometry": bytes(self.saveGeometry().toBase64().data()).decode("ascii"), "window_tab": name}

    def _remember(self, values: dict[str, str]) -> None:
        try:
            self.app.settings.save_window_state_sync(values)
        except Exception as exc:  # noqa: BLE001 (not remembering the size is no reason to fail)
            log.info("window state not saved: %s", exc)

    # -- tabs ------------------------------------------------------------------------------------------
    def go_to(self, name: str) -> None:
        tab = self.named_tabs.get(name)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)

    def _on_tab_changed(self, index: int) -> None:
        previous = self.tabs.widget(self._current)
        unsaved = previous.unsaved_changes() if isinstance(previous, Tab) else []
        if unsaved and not self._leave_confirmed:
            # Back to the tab with the edits, and ask; the answer moves on (or stays).
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(self._current)
            self.tabs.blockSignals(False)
            self.ask_unsaved([previous], then=lambda: self._leave_to(index))  # type: ignore[list-item]
            return
        self._leave_confirmed = False
        self._current = index
        current = self.tabs.widget(index)
        if isinstance(current, Tab):
            current.brought_forward()

    def _leave_to(self, index: int) -> None:
        self._leave_confirmed = True
        self.tabs.setCurrentIndex(index)
        self._leave_confirmed = False
        self._current = self.tabs.currentIndex()
        current = self.tabs.currentWidget()
        if isinstance(current, Tab):
            current.brought_forward()

    def ask_unsaved(self, tabs: list[Tab], *, then) -> QMessageBox:  # type: ignore[no-untyped-def]
        """Save, discard or stay: a window-modal question that does not block the loop (`open()`)."""
        names = {t: self.tabs.tabText(self.tabs.indexOf(t)).replace("&&", "\0").replace("&", "").replace("\0", "&")
                 for t in tabs}
        lines = [f"{names[t]}: {', '.join(t.unsaved_changes())}" for t in tabs]
        box = QMessageBox(self)
        box.setObjectName("unsavedPrompt")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText("You have changes that are not saved:\n" + "\n".join(lines))
        box.setInformativeText("Save them now, discard them, or stay here?")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.button(QMessageBox.StandardButton.Cancel).setText("Stay")

        def answered(button: QAbstractButton) -> None:
            choice = box.standardButton(button)
            self.prompt = None
            if choice == QMessageBox.StandardButton.Save:
                self.sync_tab.start(self._save_then(tabs, then))
            elif choice == QMessageBox.StandardButton.Discard:
                for t in tabs:
                    t.discard_changes()
                then()

        box.buttonClicked.connect(answered)
        self.prompt = box
        box.open()
        return box

    async def _save_then(self, tabs: list[Tab], then) -> bool:  # type: ignore[no-untyped-def]
        for t in tabs:
            if not await t.save_changes():
                self.tabs.setCurrentWidget(t)  # its banner says why; the merchant stays with the edits
                return False
        then()
        return True

    def run_from_menu(self, button: QAbstractButton) -> None:
        """A Sync menu action: the Sync tab comes forward and its button is clicked (if it may run now)."""
        if button.isEnabled():
            self.go_to("sync")
            button.click()

    # -- badge and guide ----------------------------------------------------------------------------------
    def set_badge(self, badge: Badge) -> None:
        self.badge.set_badge(badge)

    def _on_event(self, event: Event | Changed) -> None:
        if isinstance(event, Changed) and CHANNELS in event.kinds:
            self.connection_tab.start(self._show_saved_badge())
        if isinstance(event, (Changed, RunFinished)):
            self.connection_tab.start(self.refresh_guide())

    def _on_status_changed(self, address: str, state: str) -> None:
        if state == "refreshing":
            self.set_badge(Badge.REFRESHING)
        elif state == "failed":
            self.set_badge(Badge.NOT_CONNECTED)
        else:
            self.connection_tab.start(self._show_signed_in_badge())

    async def _show_signed_in_badge(self) -> None:
        """A sign-in just succeeded (its status is being recorded): Connected, or Disabled."""
        info = await self.app.connection.saved()
        self.set_badge(Badge.DISABLED if info and info.channels_all_off else Badge.CONNECTED)

    async def _show_saved_badge(self) -> None:
        self.set_badge(await self.app.connection.badge())

    async def refresh_guide(self, *, show: bool = False) -> None:
        self.guide.show_steps(await self.app.guide.steps())
        if show:
            self._guide_hidden = False
            self._remember({"guide_hidden": "0"})
        # Shown until every step is done or the merchant hides it; Help → Getting started shows it again.
        self.guide.setVisible(show or (not self._guide_hidden and not self.guide.all_done)
                              or (not self.guide.isHidden() and not self._guide_hidden))

    def show_guide(self) -> None:
        self.connection_tab.start(self.refresh_guide(show=True))

    def do_guide_step(self, key: str) -> None:
        """The guide's button: bring the step's tab forward and do what it says (or put the cursor there)."""
        if key == "connection":
            self.go_to("connection")
            self.connection_tab.address.setFocus()
        elif key == "channels":
            self.go_to("channels")
            self.channels_tab.on_refresh()
        elif key == "stores":
            self.go_to("channels")
            if not self.channels_tab.store_rows:
                self.channels_tab.on_add(next(iter(self.channels_tab.kinds)))
            else:
                self.channels_tab.focus_channels()
        elif key == "mapping":
            self.go_to("mapping")
            self.mapping_tab.inner.setCurrentWidget(self.mapping_tab.core)
            self.mapping_tab.core.apply_button.click()
        elif key == "preview":
            self.go_to("sync")
            self.sync_tab.request_pull(full=True, dry=True, confirmed=True)
        elif key == "pull":
            self.go_to("sync")
            self.sync_tab.request_pull(full=True)

    # -- Help -------------------------------------------------------------------------------------------
    def show_troubleshooting(self) -> None:
        self._troubleshooting = help_windows.show_troubleshooting(self)

    def show_about(self) -> None:
        self._about = help_windows.show_about(self, str(self.app.paths.root))

    def open_data_folder(self) -> None:
        if not open_folder(self.app.paths.root):
            self.statusBar().showMessage(f"The data folder could not be opened here; it is {self.app.paths.root}")

    # -- loading -----------------------------------------------------------------------------------------
    @property
    def all_tabs(self) -> list[Tab]:
        return list(self.named_tabs.values())

    def start_loading(self) -> None:
        """Everything slow (DB, keychain) happens after the window is on screen."""
        for tab in self.all_tabs:
            tab.start(tab.load())
        self.connection_tab.start(self.refresh_guide())
        self.logs_tab.start(self._trim_logs())
        self._trim.start()
        self.settings_tab.start(self.desktop_settings.load())
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

    async def _trim_logs(self) -> None:
        removed = await self.app.activity.trim_logs_if_due()
        if removed:
            self.logs_tab.start(self.logs_tab.reload())

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
        if shiboken6.isValid(self._trim):  # the window (and its timer) may be deleted already
            self._trim.stop()
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
        unsaved = [t for t in self.all_tabs if t.unsaved_changes()]
        if unsaved and not self._discard_confirmed:
            event.ignore()
            self.tabs.blockSignals(True)
            self.tabs.setCurrentWidget(unsaved[0])
            self.tabs.blockSignals(False)
            self._current = self.tabs.currentIndex()
            self.ask_unsaved(unsaved, then=self._quit_now)
            return
        self._remember(self.window_state())
        self.app.scheduler.request_stop()  # no scheduled job starts while the window closes
        self.app.engine.cancel()  # cooperative; `shutdown` gives the run a moment to reach its batch boundary
        for tab in self.all_tabs:
            if tab is not self.sync_tab:
                tab.cancel_all()
        super().closeEvent(event)
        self.closing.emit()

    def _keep_running(self) -> None:
        self.quitting = False  # a later close goes to the tray again

    def _quit_now(self) -> None:
        self._discard_confirmed = True
        QTimer.singleShot(0, self.close)

    def _stop_and_quit(self) -> None:
        self._quit_confirmed = True
        self.app.engine.cancel()
        self.close()

