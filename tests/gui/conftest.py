"""GUI tests drive the real window offscreen on a qasync loop (click → task → UI)."""

from __future__ import annotations

import asyncio

import pytest

import unopim_desktop.ui  # noqa: F401  (pins qasync to PySide6)


@pytest.fixture(scope="session")
def _session_qloop(qapp):
    # One loop for the whole session: creating and closing one per test crashes PySide6 at exit. The
    # app's own loop (qasync's, with cancelled timers dropped), so every GUI test runs on it.
    from unopim_desktop.ui.event_loop import AppEventLoop

    loop = AppEventLoop(qapp)
    yield loop
    loop.close()


@pytest.fixture
def qloop(_session_qloop):
    asyncio.set_event_loop(_session_qloop)
    yield _session_qloop
    _session_qloop.run_until_complete(asyncio.sleep(0))
    asyncio.set_event_loop(None)


@pytest.fixture
def app(data_dir):
    """The app on a fresh data folder (what `unopim-desktop` opens), closed after the test."""
    from unopim_desktop.app.application import App

    app = App.open(data_dir)
    yield app
    app.close()
