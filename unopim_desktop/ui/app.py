"""Start the window: QApplication, the qasync loop, and an orderly shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from unopim_desktop import __version__
from unopim_desktop.app.application import App
from unopim_desktop.app.context import close_logging, configure_logging
from unopim_desktop.app.startup import explain_problem
from unopim_desktop.paths import data_root
from unopim_desktop.ui import event_loop
from unopim_desktop.ui.icon import app_icon

if TYPE_CHECKING:
    from unopim_desktop.app.demo import DemoSession
    from unopim_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

# The freedesktop id: the .desktop file's name (resources/linux/), which Wayland matches to the window.
DESKTOP_ID = "io.github.unopim.UnoPimDesktop"


def run_gui(*, data_dir: str | os.PathLike[str] | None = None, demo: bool = False, verbose: bool = False,
            quit_when_ready: bool = False, hidden: bool = False) -> int:
    # Qt first: if its platform cannot start, nothing exists yet that a crash would leave behind.
    qt_app = QApplication.instance() or QApplication(sys.argv)
    qt_app.setApplicationName("UnoPim Desktop")
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName(DESKTOP_ID)
    qt_app.setWindowIcon(app_icon())
    demo_session: DemoSession | None = None
    app: App | None = None
    try:
        if demo:
            from unopim_desktop.app.demo import DemoSession  # the sandbox only loads in demo mode

            demo_session = DemoSession.start()
            data_dir = demo_session.data_dir
        try:
            app = App.open(data_dir)
            configure_logging(app.paths, verbose=verbose)
        except Exception as exc:
            # The same sentence the commands print (data folder, database), instead of a traceback.
            explained = explain_problem(exc, data_root(data_dir))
            if explained is None:
                raise
            for line in explained:
                if line:
                    print(line, file=sys.stderr)
            return 2
        if demo_session is not None:
            app.desktop.blocked = ("Start at login is not available in the demo: its data folder is thrown away "
                                   "when the demo ends.")
        return _run_window(qt_app, app, demo_session, quit_when_ready=quit_when_ready, hidden=hidden)
    finally:
        # Also when start-up failed: the demo's sandbox stops and its throwaway folder goes.
        if app is not None:
            app.close()
        close_logging()  # the log file is in the data folder: closed before a demo's folder goes
        if demo_session is not None:
            demo_session.stop()


def _run_window(qt_app: QApplication, app: App, demo_session: DemoSession | None, *, quit_when_ready: bool,
                hidden: bool = False) -> int:
    from unopim_desktop.ui.main_window import MainWindow
    from unopim_desktop.ui.tray import Tray

    window = MainWindow(app, demo_note=demo_session.note if demo_session else "")
    tray = Tray(app, window)
    window.attach_tray(tray)
    if demo_session:
        window.connection_tab.prefill(**demo_session.unopim_form())
    exit_code = 0

    async def main() -> None:
        nonlocal exit_code
        closed = asyncio.Event()
        # Qt must not end its loop when the window closes: `main` still has to shut down (cancel a run at
        # its batch boundary, close the clients); the loop ends when `main` returns.
        qt_app.setQuitOnLastWindowClosed(False)
        qt_app.lastWindowClosed.connect(closed.set)
        qt_app.aboutToQuit.connect(closed.set)
        window.closing.connect(closed.set)  # also when the window was hidden in the tray (Quit from there)
        if hidden and tray.available and not quit_when_ready:
            log.info("started hidden in the tray")
        elif hidden and not quit_when_ready:
            log.info("started hidden, but there is no system tray: the window starts minimized")
            window.showMinimized()  # no tray to live in: the window, out of the way
        else:
            window.show()
        window.start_loading()
        # The scheduler runs as long as the app does: in this window, and on in the tray when it is closed.
        app.scheduler.start()
        window.sync_tab.start(app.desktop.refresh_autostart())
        settling = asyncio.ensure_future(window.settle())
        # Demo: connect, add the demo store, map: in the background, so the window is usable at once.
        preparing = window.start_demo(demo_session.sandbox) if demo_session else None
        quitting = None
        if quit_when_ready:
            async def report_and_quit() -> None:
                nonlocal exit_code
                exit_code = await _wait_until_ready(window, settling, preparing)
                window.request_quit()  # quit, not close to the tray

            quitting = asyncio.ensure_future(report_and_quit())
        await closed.wait()
        settling.cancel()
        if quitting is not None:
            quitting.cancel()
        await window.shutdown()
        log.info("window closed; shut down")

    try:
        event_loop.run(main())
    except RuntimeError as exc:  # qasync may complain when the loop stops under a pending future
        log.debug("event loop stopped: %s", exc)
    return exit_code


async def _wait_until_ready(window: MainWindow, settling: asyncio.Future[Any],
                            preparing: asyncio.Future[Any] | None) -> int:
    """`--quit-when-ready`: wait until the window is on screen and loaded (demo: prepared), print one line
    saying so, and return the exit code (1 when the demo could not be prepared)."""
    await settling
    ready = True if preparing is None else bool(await preparing)
    handle = window.windowHandle()
    while handle is None or not handle.isExposed():  # mapped and drawn by the platform
        await asyncio.sleep(0.02)
        handle = window.windowHandle()
    banner = window.sync_tab.banner.text() if preparing is not None else "loaded"
    line = (f"{'ready' if ready else 'not ready'}: platform {QGuiApplication.platformName()}, "
            f"window {window.width()}x{window.height()} shown; {banner}")
    log.info("quit when ready: %s", line)
    if sys.stdout is not None:  # a windowed Windows build has none
        print(line, flush=True)
    return 0 if ready else 1
