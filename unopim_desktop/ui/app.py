"""Start the window: QApplication, the qasync loop, and an orderly shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from PySide6.QtWidgets import QApplication

from unopim_desktop.context import AppContext, configure_logging
from unopim_desktop.ui import event_loop

log = logging.getLogger(__name__)


def run_gui(*, data_dir: str | os.PathLike[str] | None = None, demo: bool = False, verbose: bool = False) -> int:
    session = None
    if demo:
        from unopim_desktop.demo import DemoSession  # the sandbox only loads in demo mode

        session = DemoSession.start()
        data_dir = session.data_dir
    ctx = AppContext.open(data_dir)
    configure_logging(ctx.paths, verbose=verbose)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("UnoPim Desktop")
    from unopim_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx, demo_note=session.note if session else "")
    if session:
        window.connection_tab.prefill(**session.unopim_form())

    async def main() -> None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        window.show()
        window.start_loading()
        settling = asyncio.ensure_future(window.settle())
        if session:
            # Connect, add the demo store, map: in the background, so the window is usable at once.
            window.start_demo(session.sandbox)
        await closed.wait()
        settling.cancel()
        await window.shutdown()

    try:
        event_loop.run(main())
    except RuntimeError as exc:  # qasync may complain when the loop stops under a pending future
        log.debug("event loop stopped: %s", exc)
    finally:
        ctx.close()
        if session:
            session.stop()
    return 0
