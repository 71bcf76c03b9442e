"""What happened: the Logs (a page at a time, filtered, counted, one row in detail, exported to CSV, trimmed
to the retention the General settings keep) and the recent runs, for the Logs and Sync tabs and the CLI."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from unopim_desktop.app.context import AppContext
from unopim_desktop.domain import LogFilter
from unopim_desktop.state import logs_repo, repo, schedule_repo, sync_repo

log = logging.getLogger(__name__)

PAGE = logs_repo.PAGE
COUNT_CAP = logs_repo.COUNT_CAP
TRIMMED_AT = "logs_trimmed_at"  # app-wide: when the Logs were last trimmed
TRIM_EVERY = dt.timedelta(days=1)
CSV_COLUMNS = ("Time", "Time (UTC)", "Level", "Channel", "Direction", "Kind", "Code / SKU", "Action", "Message",
               "Run", "HTTP status", "Server said")
DIRECTIONS = {"pull": "UnoPim → store", "push": "store → UnoPim"}
# Entity kinds a Logs row can name (the filter's choices), in the order a merchant thinks of them.
ENTITY_KINDS = ("product", "variant", "category", "attribute", "attribute_option", "association", "image", "tag",
                "channel", "reference")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_time(utc_text: str) -> dt.datetime:
    """A stored (naive UTC) time as this computer's local time."""
    return dt.datetime.fromisoformat(utc_text).replace(tzinfo=dt.UTC).astimezone()


def csv_row(r: dict[str, Any]) -> list[str]:
    return [local_time(r["created_at"]).strftime("%Y-%m-%d %H:%M:%S"), r["created_at"], r["level"], r["channel"],
            DIRECTIONS.get(r["direction"], r["direction"]), r["entity_kind"], r["entity"], r["action"], r["message"],
            "" if r["run"] is None else str(r["run"]), "" if r["http_status"] is None else str(r["http_status"]),
            r["server_text"]]


class ActivityService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def _address(self, address: str | None = None) -> str | None:
        return address or await self.ctx.lane.run(repo.active_address)

    @property
    def log_folder(self) -> Path:
        """Where the app's own log file lives (the Logs tab's Open log folder)."""
        return self.ctx.paths.logs

    # -- the Logs ------------------------------------------------------------------------------------
    async def recent_logs(self, address: str | None, limit: int = 500) -> list[dict[str, Any]]:
        return await self.logs(LogFilter(), limit=limit, address=address)

    async def logs(self, f: LogFilter = LogFilter(), *, before: int | None = None,  # noqa: B008 (frozen, shared)
                   after: int | None = None, limit: int = PAGE, address: str | None = None) -> list[dict[str, Any]]:
        """A page of rows, newest first: older than id `before` (scrolling), or newer than `after` (the live
        tail), or the newest."""
        address = await self._address(address)
        return await self.ctx.lane.run(logs_repo.page, address, f, before=before, after=after, limit=limit)

    async def count_logs(self, f: LogFilter = LogFilter(), *, cap: int = COUNT_CAP) -> int:  # noqa: B008
        """How many rows match, up to `cap` + 1 ("10,000+")."""
        return await self.ctx.lane.run(logs_repo.count, await self._address(), f, cap=cap)

    async def log_entry(self, log_id: int) -> dict[str, Any] | None:
        """One row in full, with its run's job, status and store."""
        return await self.ctx.lane.run(logs_repo.entry, await self._address(), log_id)

    async def export_logs(self, f: LogFilter, path: str | Path) -> int:
        """Every row the filter matches, newest first, to a CSV file (UTF-8 with a BOM, so spreadsheets
        read the accents); how many. Read a chunk at a time, written off the database's thread."""
        address = await self._address()
        target = Path(path)
        written = 0
        before: int | None = None
        handle = await asyncio.to_thread(target.open, "w", newline="", encoding="utf-8-sig")
        try:
            writer = csv.writer(handle)
            await asyncio.to_thread(writer.writerow, CSV_COLUMNS)
            while True:
                rows = await self.ctx.lane.run(logs_repo.page, address, f, before=before, limit=2000)
                if not rows:
                    break
                await asyncio.to_thread(writer.writerows, [csv_row(r) for r in rows])
                written += len(rows)
                before = rows[-1]["id"]
        finally:
            await asyncio.to_thread(handle.close)
        return written

    # -- retention -----------------------------------------------------------------------------------
    async def retention_days(self) -> int:
        address = await self._address()
        if not address or not await self.ctx.lane.run(repo.instance_info, address):
            return int(sync_repo.GENERAL_DEFAULTS["log_retention_days"])
        values = await self.ctx.lane.run(sync_repo.general_settings, address)
        try:
            return sync_repo.log_retention_value(values.get("log_retention_days", "30"))
        except ValueError:
            return int(sync_repo.GENERAL_DEFAULTS["log_retention_days"])

    async def trim_logs(self, *, now: dt.datetime | None = None) -> int:
        """Delete the rows older than the retention (General settings → Keep logs); how many went."""
        now = now or utcnow()
        days = await self.retention_days()
        address, cutoff, removed = await self._address(), now - dt.timedelta(days=days), 0
        while gone := await self.ctx.lane.run(logs_repo.trim_chunk, address, cutoff):
            removed += gone  # one chunk per unit of work: the window's own reads go in between
        await self.ctx.lane.run(repo.set_app_values, {TRIMMED_AT: now.isoformat(sep=" ", timespec="seconds")})
        if removed:
            log.info("trimmed %d Logs row(s) older than %d days", removed, days)
        return removed

    async def trim_logs_if_due(self, *, now: dt.datetime | None = None) -> int | None:
        """Trim once a day (at start and then daily, window or command); None when it was not due."""
        now = now or utcnow()
        last = await self.ctx.lane.run(repo.app_value, TRIMMED_AT)
        try:
            due = not last or now - dt.datetime.fromisoformat(last) >= TRIM_EVERY
        except ValueError:
            due = True
        return await self.trim_logs(now=now) if due else None

    # -- runs ------------------------------------------------------------------------------------------
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
