"""Pull: which UnoPim products a run reads. A full pull pages through everything; a delta asks UnoPim
3.x for what changed since the last successful pull (1.x/2.x have no date filter: it lists everything and
compares dates here); a run for a few products (a conflict settled) reads just those."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Any

from unopim_desktop.clients.errors import NotFound, Validation
from unopim_desktop.state import checkpoints_repo
from unopim_desktop.sync.job import JobPart
from unopim_desktop.sync.transform.values import item_sku

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob

# The largest offset of any time zone from UTC (UTC+14, Kiribati): how far a server's wall clock may be
# from the UTC watermark, either way.
MAX_UTC_OFFSET = dt.timedelta(hours=14)


class ProductListing(JobPart):
    job: PullJob

    def __init__(self, job: PullJob) -> None:
        super().__init__(job)
        self.delta_listed: bool | None = None  # a delta knew its listing's total (3.x) before reading it

    async def pages(self, path: str):  # type: ignore[no-untyped-def]
        """(page number, items) of a listing: everything on a full pull, what changed since the last
        successful pull on a delta (3.x: `updated_at` filter + cursor; 1.x/2.x: compare on our side)."""
        client = self.job.client
        size = self.job.options.page_size
        if self.job.options.only:
            self.job.state.complete_listing = False  # a few products: nothing can be told about the rest
            items = await self._read(path, self.job.options.only)
            if items:
                yield 1, items
            return
        if self.job.options.full:
            first, last = await client.page(path, 1, limit=size)
            yield 1, first
            for n in range(2, last + 1):
                self.run.cancel.check()
                items, _ = await client.page(path, n, limit=size)
                yield n, items
            return
        since, filters = await self._delta_filters()
        listed: set[str] = set()
        n = 0
        async for n, items in self._delta_pages(path, since, filters):
            listed.update(item_sku(i) for i in items)
            yield n, items
        retried = await self.retries(path, listed)
        if retried:
            yield n + 1, retried

    async def _delta_pages(self, path: str, since: dt.datetime, filters: dict[str, Any]):  # type: ignore[no-untyped-def]
        client = self.job.client
        size = self.job.options.page_size
        try:
            n = 0
            if self.job.features.date_filters:  # 3.x; 1.x/2.x have neither the filter nor the cursor
                async for items in client.iter_cursor(path, filters=filters, limit=size):
                    n += 1
                    yield n, self._changed_since(items, since)
                return
        except (NotFound, Validation) as exc:  # 1.x answers 404, 2.x 422: no date filter there
            if "filter" not in exc.message.lower() and "pagination" not in exc.message.lower():
                raise
        self.run.log("This UnoPim has no updated_at filter (1.x/2.x): listing everything and comparing dates.")
        n = 0
        async for items in client.iter_pages(path, limit=size):
            n += 1
            yield n, [i for i in items if _parse_ts(i.get("updated_at")) > since]

    async def _delta_filters(self) -> tuple[dt.datetime, dict[str, Any]]:
        job = self.job
        mark = await job.lane.run(checkpoints_repo.watermark, job.address, job.label, job.channel.code)
        if not mark:
            raise LookupError("No earlier pull to compare with: run Pull Full first.")
        since = _parse_ts(mark)
        # 3.x compares the value with a column in its APP_TIMEZONE, which the API does not tell (its answers
        # show UTC): ask from the mark minus the largest UTC offset, then keep what the answers' UTC stamps
        # say changed after the mark (unopim-api §13.3). A change is never missed; a few are re-read.
        wide = (since - MAX_UTC_OFFSET).strftime("%Y-%m-%d %H:%M:%S")
        return since, {"updated_at": [{"operator": ">", "value": wide}]}

    def _changed_since(self, items: list[dict[str, Any]], since: dt.datetime) -> list[dict[str, Any]]:
        """What the widened listing holds that really changed after the mark; the rest leaves the total."""
        kept = [i for i in items if _parse_ts(i.get("updated_at")) > since]
        if self.delta_listed and len(kept) < len(items):
            clock = self.run.steps["products"]
            self.run.step_total("products", max(0, (clock.total or 0) - (len(items) - len(kept))))
        return kept

    async def delta_totals(self) -> None:
        """A delta's totals before its first page: the changed configurable products (read already) and what
        UnoPim 3.x says the changed listing holds; variants are told apart page by page (`retotal`)."""
        configurables = sum(len(items) for items in self.job.state.changed_configurables or [])
        listed = None
        with contextlib.suppress(NotFound, Validation):  # 1.x/2.x: no date filter; the totals grow page by page
            listed = await self.job.client.list_total("/products", filters=(await self._delta_filters())[1])
        self.delta_listed = listed is not None
        self.run.step_total("products", configurables + (listed or 0))
        self.run.step_total("variants", 0)

    async def _read(self, path: str, skus: list[str]) -> list[dict[str, Any]]:
        """These products, those of this listing's kind (configurable or not). One read per SKU (UnoPim's
        `sku IN` filter matches only the first SKU, unopim-api §5), a few side by side."""
        configurable = path == self.job.configurable_path
        sem = asyncio.Semaphore(self.job.options.in_flight)

        async def read(sku: str) -> dict[str, Any] | None:
            async with sem:
                return await self.job.client.get_product(sku, configurable_path=path if configurable else None)

        found = await asyncio.gather(*(read(sku) for sku in skus))
        return [item for item in found
                if item is not None and (configurable or item.get("type") != "configurable")]

    async def retries(self, path: str, listed: set[str]) -> list[dict[str, Any]]:
        """A delta's second look at what earlier pulls could not write (failed, or a translation or price
        refused), UnoPim having not changed them: read again, as if listed (those listed already aside)."""
        skus = [s for s in self.job.state.retry_earlier if s not in listed]
        items = await self._read(path, skus) if skus else []
        if items and self.delta_listed:
            clock = self.run.steps["products"]
            self.run.step_total("products", (clock.total or 0) + len(items))
        return items

    def retotal(self, plain: int, variants: int) -> None:
        if self.job.options.full or self.delta_listed is None:
            return
        if self.delta_listed:  # the listing's total counted this page's variants as products
            clock = self.run.steps["products"]
            self.run.step_total("products", (clock.total or 0) - variants)
        else:
            self.run.grow("products", plain)
        self.run.grow("variants", variants)


def _parse_ts(value: Any) -> dt.datetime:
    if not value:
        return dt.datetime.min
    text = str(value).replace("T", " ").rstrip("Z")
    text = text.split(".")[0]
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.min
