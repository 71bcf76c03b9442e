"""What a pull and a push job share: the run's parties, its links, and the mapping view both build."""

from __future__ import annotations

import datetime as dt
from typing import Any

from unopim_desktop.clients.unopim import UnoPimClient
from unopim_desktop.domain import AttributeDef, ChannelRow
from unopim_desktop.mapping.fields import STATUS_PSEUDO_ATTRIBUTE
from unopim_desktop.state import mapping_repo, sync_repo
from unopim_desktop.state.sync_repo import LinkRow, LinkTable, LinkWrite
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.sync.run import RunContext
from unopim_desktop.sync.transform import PullMapping


class SyncJob:
    def __init__(self, run: RunContext, client: UnoPimClient, adapter: StoreAdapter, *, store_label: str,
                 channel: ChannelRow, options: Any, debounce_s: int, store_currency: str = "") -> None:
        self.run = run
        self.client = client
        self.adapter = adapter
        self.label = store_label
        self.channel = channel
        self.options = options
        self.debounce_s = debounce_s
        self.store_currency = store_currency
        self.links = LinkTable()
        self.started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    @property
    def lane(self):  # type: ignore[no-untyped-def]
        return self.run.ctx.lane

    @property
    def address(self) -> str:
        return self.run.address

    def link(self, kind: str, code: str) -> LinkRow | None:
        return self.links.get((kind, code))

    async def record(self, writes: list[LinkWrite], deletes: list[tuple[str, str]], *, job: str,
                     step: str | None = None, cursor: Any = None, skip_kinds: frozenset[str] = frozenset()) -> None:
        """Links (and the checkpoint) in one transaction, then the same in memory."""
        await self.lane.run(sync_repo.commit_batch, self.address, self.label, writes, channel=self.channel.code,
                            job=job, step=step, cursor=cursor, run_id=self.run.run_id, deletes=deletes)
        self.links.apply(writes, deletes, now=dt.datetime.now(dt.UTC).replace(tzinfo=None), skip_kinds=skip_kinds)

    # -- the mapping view ------------------------------------------------------------------------------
    def currency(self) -> str:
        """The UnoPim currency whose amounts the store shows: the one mapped onto the store's default
        currency, else the store default itself when the channel has it, else the channel's first."""
        for unopim, store in self.channel.currency_map.items():
            if self.store_currency and store == self.store_currency:
                return unopim
        if self.store_currency in self.channel.currencies:
            return self.store_currency
        return (self.channel.currencies or ["USD"])[0]

    async def mapping_view(self, attributes: dict[str, AttributeDef]) -> PullMapping:
        """The channel's mapping over these attributes: its default locale first in the fallback chain,
        then its other locales, then en_US."""
        core = await self.lane.run(mapping_repo.core_mapping, self.address)
        locale = self.channel.default_locale or (self.channel.locales or ["en_US"])[0]
        rows = await self.lane.run(mapping_repo.attribute_mapping, self.address, self.channel.code, locale)
        chain = [locale, *[loc for loc in self.channel.locales if loc != locale]]
        if "en_US" not in chain:
            chain.append("en_US")
        attrs = dict(attributes)
        attrs.setdefault("status", STATUS_PSEUDO_ATTRIBUTE)
        return PullMapping(channel=self.channel.code, locales=chain, currency=self.currency(), core=core, rows=rows,
                           attributes=attrs, media_url=f"{self.address}/storage/")


def attribute_defs(raw: list[dict[str, Any]]) -> dict[str, AttributeDef]:
    """UnoPim's `/attributes` listing as the mapping sees it."""
    return {
        a["code"]: AttributeDef(
            code=a["code"], type=a.get("type") or "text",
            value_per_locale=bool(int(a.get("value_per_locale") or 0)),
            value_per_channel=bool(int(a.get("value_per_channel") or 0)),
            validation=a.get("validation") or "", labels=a.get("labels") or {},
        )
        for a in raw
    }
