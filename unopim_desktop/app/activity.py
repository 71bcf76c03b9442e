"""What happened: the Logs rows and the recent runs, read for the Logs and Sync tabs."""

from __future__ import annotations

from typing import Any

from unopim_desktop.app.context import AppContext
from unopim_desktop.state import repo, schedule_repo, sync_repo


class ActivityService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def recent_logs(self, address: str | None, limit: int = 500) -> list[dict[str, Any]]:
        if address is None:
            address = await self.ctx.lane.run(repo.active_address)
        return await self.ctx.lane.run(repo.recent_logs, address, limit)

    async def recent_runs(self, address: str, limit: int = 20) -> list[Any]:
        return await self.ctx.lane.run(sync_repo.recent_runs, address, limit)

    async def run_changes(self, run_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        """What a dry run would change (the Preview), entity by entity and field by field."""
        return await self.ctx.lane.run(sync_repo.run_changes, run_id, limit=limit)

    async def run_logs(self, run_id: int) -> list[dict[str, Any]]:
        """The Logs rows of one run, newest first (a scheduled job's "Logs" link, a notification's click)."""
        return await self.ctx.lane.run(schedule_repo.run_logs, run_id)

    async def run(self, run_id: int) -> dict[str, Any] | None:
        return await self.ctx.lane.run(schedule_repo.get_run, run_id)
