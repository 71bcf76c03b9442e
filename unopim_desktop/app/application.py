"""The running app, built once: the local state, the event bus, the services the window and the CLI share,
and the sync engine. No Qt here: the window, the CLI, the demo, the tests and the benchmarks all start
from `App.open(data_dir)`."""

from __future__ import annotations

import os
import random
from collections.abc import Callable

from unopim_desktop.app.activity import ActivityService
from unopim_desktop.app.autostart import Autostart, for_platform
from unopim_desktop.app.channels import ChannelService
from unopim_desktop.app.conflicts import ConflictService
from unopim_desktop.app.connection import ClientFactory, ConnectionService
from unopim_desktop.app.context import AppContext
from unopim_desktop.app.desktop import DesktopService
from unopim_desktop.app.guide import GuideService
from unopim_desktop.app.mapping import MappingService
from unopim_desktop.app.scheduler import Clock, Scheduler
from unopim_desktop.app.session import UnoPimSession
from unopim_desktop.app.settings import SettingsService
from unopim_desktop.app.stores import StoreService
from unopim_desktop.domain import StoreConnection
from unopim_desktop.paths import AppPaths
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.sync.engine import SyncEngine
from unopim_desktop.sync.events import EventBus
from unopim_desktop.sync.locks import RunLocks


class App:
    def __init__(self, ctx: AppContext, *, client_factory: ClientFactory | None = None,
                 adapter_factory: Callable[[StoreConnection], StoreAdapter] | None = None,
                 in_flight: int = 8, page_size: int = 100, clock: Clock | None = None,
                 rng: random.Random | None = None, autostart: Autostart | None = None) -> None:
        self.ctx = ctx
        self.bus = EventBus()
        self.connection = ConnectionService(ctx, self.bus, client_factory=client_factory)
        self.session = UnoPimSession(ctx, self.bus, self.connection.credentials)
        # New credentials: the next job builds a fresh client from them.
        self.connection.on_saved = self.session.reset
        self.stores = StoreService(ctx, self.bus, adapter_factory=adapter_factory)
        self.channels = ChannelService(ctx, self.session, self.bus)
        self.mapping = MappingService(ctx, self.channels, self.stores, self.bus)
        self.settings = SettingsService(ctx, self.bus)
        self.activity = ActivityService(ctx)
        self.guide = GuideService(ctx)
        # Runs of one channel exclude each other across processes (window, CLI, scheduler) on this folder.
        self.engine = SyncEngine(ctx.lane, self.bus, self.session.client, self.stores.adapter,
                                 locks=RunLocks(ctx.paths.root / "locks"), in_flight=in_flight, page_size=page_size)
        self.conflicts = ConflictService(ctx, self.bus, self.engine)
        # Built here, started only by the window and `run-scheduler` (other commands never run jobs on their own).
        self.scheduler = Scheduler(ctx.lane, self.bus, self.engine, clock=clock, rng=rng)
        self.desktop = DesktopService(ctx, self.bus, autostart or for_platform())

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, **options: object) -> App:
        """Open (and migrate) the data folder's database and the secret store, and build the app on them."""
        return cls(AppContext.open(data_dir), **options)  # type: ignore[arg-type]

    @property
    def paths(self) -> AppPaths:
        return self.ctx.paths

    async def aclose(self) -> None:
        """Close the network side (the UnoPim client); the database stays open until `close`."""
        await self.session.aclose()

    def close(self) -> None:
        self.scheduler.close()
        self.ctx.close()
