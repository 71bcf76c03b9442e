"""Driving the real window in GUI tests: run a coroutine on the test loop, wait until every tab is idle,
click and wait, connect the app, open the window."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt

from unopim_desktop.app.application import App
from unopim_desktop.app.connection import ConnectionForm
from unopim_desktop.ui.main_window import MainWindow

TIMEOUT_S = 30


def run(qloop, coro: Coroutine[Any, Any, Any]) -> Any:
    return qloop.run_until_complete(asyncio.wait_for(coro, TIMEOUT_S))


def settle(qloop, window: MainWindow) -> None:
    async def idle() -> None:
        # A finished task may start another (a sub-tab loading after its channel list): loop until quiet.
        for _ in range(5):
            for tab in window.all_tabs:
                await tab.wait_idle()
            await asyncio.sleep(0)
            if not any(tab.pending for tab in window.all_tabs):
                return

    run(qloop, idle())


def click(qtbot, qloop, window: MainWindow, button) -> tuple[str, bool]:
    """Click, note how the button looked right after the click, then wait for the work to finish."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    seen = (button.text(), button.isEnabled())
    settle(qloop, window)
    return seen


def connect_unopim(qloop, app: App, sandbox) -> None:
    creds = sandbox.credentials()["unopim"]
    form = ConnectionForm(address=creds["url"], client_id=creds["client_id"], client_secret=creds["client_secret"],
                          username=creds["username"], password=creds["password"])
    outcome = run(qloop, app.connection.test_and_save(form))
    assert outcome.ok, outcome.reason


def open_window(qtbot, qloop, app: App) -> MainWindow:
    window = MainWindow(app)
    qtbot.addWidget(window)
    window.start_loading()
    settle(qloop, window)
    return window
