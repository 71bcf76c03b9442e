"""The running app's UnoPim client for the active connection, shared by every job.

It turns the client's token states into `StatusChanged` events (the badge's yellow "Token expired —
refreshing") and records them, so the GUI and the CLI see the same state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from unopim_desktop.app.context import AppContext
from unopim_desktop.clients.unopim import UnoPimClient, UnoPimCredentials
from unopim_desktop.state import repo
from unopim_desktop.sync.events import EventBus, StatusChanged

log = logging.getLogger(__name__)


class NotConnected(RuntimeError):
    """No saved connection (or its secrets are gone): the merchant must Test & Save first."""


# The saved connection with its secrets (None when it is not fully saved).
CredentialSource = Callable[[], Awaitable[UnoPimCredentials | None]]


class UnoPimSession:
    def __init__(self, ctx: AppContext, bus: EventBus, credentials: CredentialSource) -> None:
        self.ctx = ctx
        self.bus = bus
        self._credentials = credentials
        self._client: UnoPimClient | None = None
        self._address: str | None = None
        self._lock = asyncio.Lock()
        self._status_tasks: set[asyncio.Task[None]] = set()

    async def client(self) -> UnoPimClient:
        async with self._lock:
            if self._client is None:
                creds = await self._credentials()
                if creds is None:
                    raise NotConnected("Not connected: save the Connection tab (Test & Save) first.")
                self._client = self._make_client(creds)
                self._address = creds.address
            return self._client

    def _make_client(self, creds: UnoPimCredentials) -> UnoPimClient:
        return UnoPimClient(creds, on_token_state=self._on_token_state)

    def _on_token_state(self, state: str) -> None:
        address = self._address or ""
        self.bus.emit(StatusChanged(address, state))
        stored = {"refreshing": "refreshing", "connected": "connected", "failed": "not_connected"}[state]
        task = asyncio.ensure_future(self.ctx.lane.run(repo.set_status, address, stored))
        self._status_tasks.add(task)
        task.add_done_callback(self._status_tasks.discard)

    async def reset(self) -> None:
        """Forget the client (after new credentials were saved); the next job builds a fresh one."""
        async with self._lock:
            if self._client is not None:
                await self._client.aclose()
            self._client = None
            self._address = None

    async def aclose(self) -> None:
        await self.reset()
        if self._status_tasks:
            await asyncio.gather(*self._status_tasks, return_exceptions=True)
