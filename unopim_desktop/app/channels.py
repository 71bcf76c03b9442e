"""Channels & Stores: refresh channels, locales and currencies from UnoPim, and the per-channel settings."""

from __future__ import annotations

from dataclasses import dataclass

from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import CHANNELS, LOGS, MAPPING, changed
from unopim_desktop.app.session import UnoPimSession
from unopim_desktop.domain import ChannelRow, StoreRow
from unopim_desktop.mapping.i18n import ChannelReach, caps_from_dict, channel_reach
from unopim_desktop.state import mapping_repo, repo, stores_repo
from unopim_desktop.sync.events import EventBus

SYNC_INTERVALS: dict[str, str] = {
    "off": "Disabled",
    "5m": "Every 5 minutes",
    "15m": "Every 15 minutes",
    "30m": "Every 30 minutes",
    "1h": "Hourly",
    "1d": "Daily",
}
INTERVAL_SECONDS = {"off": 0, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "1d": 86400}
DEFAULT_INTERVAL = "1h"
DEFAULT_DEBOUNCE_S = 60
MAX_DEBOUNCE_S = 86_400  # a day, as the Channels tab's spin box allows


def debounce_problem(value: int) -> str | None:
    """Why a cooldown cannot be saved, or None."""
    if not 0 <= value <= MAX_DEBOUNCE_S:
        return f"The cooldown must be from 0 to {MAX_DEBOUNCE_S} seconds (0 turns it off); got {value}."
    return None


class ChannelSettingsError(ValueError):
    pass


@dataclass
class RefreshResult:
    channels: int
    locales: int
    currencies: int
    attributes: int
    families: int
    categories: int


class ChannelService:
    def __init__(self, ctx: AppContext, session: UnoPimSession, bus: EventBus | None = None) -> None:
        self.ctx = ctx
        self.session = session
        self.bus = bus or EventBus()

    async def address(self) -> str:
        address = await self.ctx.lane.run(repo.active_address)
        if not address:
            raise LookupError("Connect to UnoPim first (Connection tab).")
        return address

    async def refresh(self) -> RefreshResult:
        """Channels, locales and currencies (cached per UnoPim address), and the attribute, family and
        category lists the mapping screens pick from."""
        address = await self.address()
        client = await self.session.client()
        channels = await client.channels()
        locales = await client.locales()
        currencies = await client.currencies()
        await self.ctx.lane.run(stores_repo.replace_settings_cache, address, channels, locales, currencies)
        attributes = await client.list_all("/attributes")
        families = await client.list_all("/families")
        categories = await client.list_all("/categories")
        await self.ctx.lane.run(mapping_repo.replace_catalog_cache, address, attributes, families, categories)
        result = RefreshResult(
            channels=len(channels),
            locales=sum(1 for loc in locales if loc.get("status")),
            currencies=sum(1 for c in currencies if c.get("status")),
            attributes=len(attributes),
            families=len(families),
            categories=len(categories),
        )
        message = (
            f"Refreshed {result.channels} channel(s), {result.locales} active locale(s), {result.currencies} "
            f"active currenc{'y' if result.currencies == 1 else 'ies'}, {result.attributes} attributes, "
            f"{result.families} families, {result.categories} categories."
        )
        if not channels:
            message += " No channels came back: give the UnoPim user a role with channel read access."
        await self.ctx.lane.run(repo.add_log, address, message, category="channels")
        self.bus.emit(changed(CHANNELS, MAPPING, LOGS))  # new attribute, family and category lists too
        return result

    async def summary(self) -> dict[str, int]:
        return await self.ctx.lane.run(stores_repo.settings_summary, await self.address())

    async def channels(self) -> list[ChannelRow]:
        return await self.ctx.lane.run(stores_repo.list_channels, await self.address())

    async def save(self, rows: list[ChannelRow]) -> None:
        address = await self.address()
        stores = {s.label: s for s in await self.ctx.lane.run(stores_repo.list_stores, address)}
        for r in rows:
            if r.sync_interval not in SYNC_INTERVALS:
                raise ChannelSettingsError(f"{r.code}: sync interval must be one of {', '.join(SYNC_INTERVALS)}.")
            problem = debounce_problem(r.debounce_s)
            if problem:
                raise ChannelSettingsError(f"{r.code}: {problem}")
            if r.store_label:
                store = stores.get(r.store_label)
                if store is None:
                    raise ChannelSettingsError(f"{r.code}: no store labelled “{r.store_label}”.")
                if not store.active:
                    raise ChannelSettingsError(f"{r.code}: store “{r.store_label}” is inactive; activate it first.")
            unknown = [loc for loc in r.locale_map if loc not in r.locales]
            if unknown:
                raise ChannelSettingsError(f"{r.code}: locale(s) {', '.join(unknown)} are not in this channel.")
            unknown = [cur for cur in r.currency_map if cur not in r.currencies]
            if unknown:
                raise ChannelSettingsError(f"{r.code}: currenc(ies) {', '.join(unknown)} are not in this channel.")
        await self.ctx.lane.run(stores_repo.save_channels, address, rows)
        await self.ctx.lane.run(repo.add_log, address, f"Saved settings of {len(rows)} channel(s).",
                                category="channels")
        self.bus.emit(changed(CHANNELS, LOGS))


def store_currency(store: StoreRow) -> str:
    return store.default_currency or str(store.info.get("currency") or "")


def reach_of(row: ChannelRow, stores: list[StoreRow]) -> tuple[ChannelReach | None, str]:
    """Which of the channel's locales and currencies reach its store and how, as far as the last store check
    (saving the store, or a run) found, and a line saying when that is not known yet."""
    store = next((s for s in stores if s.label == row.store_label), None)
    if store is None:
        return None, "No store: nothing of this channel reaches a store."
    known = isinstance(store.info.get("i18n"), dict)
    reach = channel_reach(row, caps_from_dict(store.info.get("i18n")), store_currency(store))
    note = "" if known else ("Not checked yet whether the store holds more than one language and currency: saving "
                             "the store or the next run asks it.")
    return reach, note
