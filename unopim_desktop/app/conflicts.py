"""Conflicts: fields changed on both sides since they last agreed, and the merchant's choice for each
(Sync → Conflicts, `unopim-desktop conflicts`). A choice is carried out at once, by a pull or a push of just
that product."""

from __future__ import annotations

from typing import Any

from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import LOGS, changed
from unopim_desktop.state import conflicts_repo, repo, stores_repo
from unopim_desktop.sync.engine import JobOutcome, SyncEngine
from unopim_desktop.sync.events import EventBus

KEEP = ("unopim", "store")


class ConflictService:
    def __init__(self, ctx: AppContext, bus: EventBus, engine: SyncEngine) -> None:
        self.ctx = ctx
        self.bus = bus
        self.engine = engine

    async def _address(self) -> str:
        address = await self.ctx.lane.run(repo.active_address)
        if not address:
            raise LookupError("Connect to UnoPim first (Connection tab).")
        return address

    async def list(self, status: str | None = "open") -> list[dict[str, Any]]:
        return await self.ctx.lane.run(conflicts_repo.conflicts, await self._address(), status=status)

    async def resolve(self, ids: list[int], keep: str) -> list[JobOutcome]:
        """Keep UnoPim's value (a pull writes it into the store) or take the store's (a push writes it into
        UnoPim), for each conflict; then that pull or push runs for just those products."""
        if keep not in KEEP:
            raise ValueError(f"Choose unopim or store (got “{keep}”).")
        address = await self._address()
        by_store: dict[str, list[str]] = {}
        for conflict_id in ids:
            settled = await self.ctx.lane.run(conflicts_repo.resolve_conflict, conflict_id, keep)
            by_store.setdefault(settled["store"], []).append(settled["code"])
            await self.ctx.lane.run(repo.add_log, address, f"Conflict on {settled['kind']} {settled['code']}, field "
                                    f"{settled['field']}: {'UnoPim' if keep == 'unopim' else 'the store'}'s value "
                                    "kept by the merchant.", category="sync", entity_kind=settled["kind"],
                                    entity=settled["code"])
        channels = await self.ctx.lane.run(stores_repo.list_channels, address)
        outcomes = []
        for store, codes in by_store.items():
            channel = next((c.code for c in channels if c.store_label == store), None)
            if channel is None:
                continue  # the store no longer has a channel: the choice waits in the bases for the next one
            codes = list(dict.fromkeys(codes))
            if keep == "unopim":
                outcomes.append(await self.engine.pull(full=False, channel=channel, only=codes))
            else:
                outcomes.append(await self.engine.push(changed=True, channel=channel, only=codes))
        self.bus.emit(changed(LOGS))
        return outcomes
