"""Start the window: QApplication, the qasync loop, and an orderly shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from PySide6.QtWidgets import QApplication

from unopim_desktop.app.application import App
from unopim_desktop.app.context import configure_logging
from unopim_desktop.app.startup import explain_problem
from unopim_desktop.paths import data_root
from unopim_desktop.ui import event_loop

log = logging.getLogger(__name__)


def run_gui(*, data_dir: str | os.PathLike[str] | None = None, demo: bool = False, verbose: bool = False) -> int:
    demo_session = None
    if demo:
        from unopim_desktop.app.demo import DemoSession  # the sandbox only loads in demo mode

        demo_session = DemoSession.start()
        data_dir = demo_session.data_dir
    app: App | None = None
    try:
        app = App.open(data_dir)
        configure_logging(app.paths, verbose=verbose)
    except Exception as exc:
        # Before Qt starts: the same sentence the commands print (data folder, database), then exit.
        if app is not None:
            app.close()
        explained = explain_problem(exc, data_root(data_dir))
        if demo_session:
            demo_session.stop()
        if explained is None:
            raise
        for line in explained:
            if line:
                print(line, file=sys.stderr)
        return 2
    qt_app = QApplication.instance() or QApplication(sys.argv)
    qt_app.setApplicationName("UnoPim Desktop")
    from unopim_desktop.ui.main_window import MainWindow

    window = MainWindow(app, demo_note=demo_session.note if demo_session else "")
    if demo_session:
        window.connection_tab.prefill(**demo_session.unopim_form())

    async def main() -> None:
        closed = asyncio.Event()
        qt_app.aboutToQuit.connect(closed.set)
        window.show()
        window.start_loading()
        settling = asyncio.ensure_future(window.settle())
        if demo_session:
            # Connect, add the demo store, map: in the background, so the window is usable at once.
            window.start_demo(demo_session.sandbox)
        await closed.wait()
        settling.cancel()
        await window.shutdown()

    try:
        event_loop.run(main())
    except RuntimeError as exc:  # qasync may complain when the loop stops under a pending future
        log.debug("event loop stopped: %s", exc)
    finally:
        app.close()
        if demo_session:
            demo_session.stop()
    return 0
