"""What every tab shares: one constructor `Tab(app)`, one `load()`, coroutines started from clicks without
freezing the window, and a redraw when the app announces a change of a kind the tab shows.

A tab talks to the app's services only (never to repositories). It declares the `Changed` kinds it shows
in `shows`; the default reaction is `load()`, and a tab that can keep unsaved edits overrides
`on_changed` and says what is unsaved (`unsaved_changes`, `save_changes`, `discard_changes`), so the
window can ask before the merchant leaves it. A finished run counts as a change of the Logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Iterator
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from unopim_desktop.app.events import LOGS, Changed
from unopim_desktop.sync.events import Event, RunFinished

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)


class Tab(QWidget):
    shows: frozenset[str] = frozenset()
    # Asks the window to bring another tab forward ("mapping", "channels", …): a button in a banner.
    navigate = Signal(str)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self._tasks: set[asyncio.Task[Any]] = set()
        self._quiet = 0
        self._unsubscribe = app.bus.subscribe(self._on_event) if self.shows else None

    async def load(self) -> None:
        """Show what is saved now."""

    def on_changed(self, kinds: frozenset[str]) -> None:
        """The app saved something of these kinds (those this tab shows): redraw."""
        self.start(self.load())

    def brought_forward(self) -> None:
        """The window made this the current tab (a tab that skipped work while hidden catches up)."""

    # -- unsaved edits (the window asks before leaving a tab or closing) ---------------------------------
    def unsaved_changes(self) -> list[str]:
        """What the merchant changed and did not save, in their words ([] when nothing)."""
        return []

    async def save_changes(self) -> bool:
        """Save what `unsaved_changes` lists; False (and a banner saying why) when it could not be saved."""
        return True

    def discard_changes(self) -> None:
        """Put the saved values back on screen."""

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Around a service call whose change this tab already shows: its own echo does not redraw it."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _on_event(self, event: Event | Changed) -> None:
        if not shiboken6.isValid(self):  # the window is gone; stop listening
            self.detach()
            return
        if self._quiet:
            return
        if isinstance(event, Changed):
            kinds = event.kinds & self.shows
        elif isinstance(event, RunFinished):
            kinds = frozenset({LOGS}) & self.shows
        else:
            return
        if kinds:
            self.on_changed(kinds)

    def detach(self) -> None:
        """Stop redrawing on the app's changes (the window is closing)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # -- background work ---------------------------------------------------------------------------
    def scroll_page(self, content: QWidget) -> None:
        """The tab's whole content in a frameless scroll area (`self.scroll`): a long form stays usable in a
        small window instead of squeezing its rows."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.scroll = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def start(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the qasync loop; kept so tests and shutdown can await or cancel it.
        Exceptions are logged instead of vanishing into the loop."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    @property
    def pending(self) -> list[asyncio.Task[Any]]:
        return list(self._tasks)

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
