"""Units of work for store connections and channels (run them on the DbLane)."""

from __future__ import annotations

import json
from typing import Any

from unopim_desktop.domain import ChannelRow, StoreRow
from unopim_desktop.state.models import Channel, Currency, Instance, Locale, Store, database_proxy, utcnow


def _instance(address: str) -> Instance:
    inst = Instance.get_or_none(Instance.address == address)
    if inst is None:
        raise LookupError(f"No saved UnoPim connection for {address}")
    return inst


def _store_row(s: Store) -> StoreRow:
    channels = tuple(c.code for c in Channel.select(Channel.code).where(Channel.store == s).order_by(Channel.code))
    return StoreRow(
        id=s.id, label=s.label, kind=s.kind, url=s.url, key=s.key, wp_user=s.wp_user, active=s.active,
        default_currency=s.default_currency, default_locale=s.default_locale, info=json.loads(s.info or "{}"),
        channels=channels,
    )


def list_stores(address: str, *, search: str = "", sort: str = "label", descending: bool = False) -> list[StoreRow]:
    inst = _instance(address)
    q = Store.select().where(Store.instance == inst)
    if search.strip():
        q = q.where(Store.label.contains(search.strip()))
    rows = [_store_row(s) for s in q]
    key = {"label": lambda r: r.label.lower(), "kind": lambda r: (r.kind, r.label.lower()),
           "url": lambda r: r.url, "status": lambda r: (not r.active, r.label.lower())}.get(sort)
    if key is None:
        raise ValueError(f"Cannot sort stores by {sort!r}")
    return sorted(rows, key=key, reverse=descending)


def get_store(address: str, label: str) -> StoreRow | None:
    s = Store.get_or_none((Store.instance == _instance(address)) & (Store.label == label))
    return _store_row(s) if s else None


def save_store(address: str, row: StoreRow, *, previous_label: str | None = None) -> StoreRow:
    inst = _instance(address)
    with database_proxy.atomic():
        s = None
        if previous_label is not None:
            s = Store.get_or_none((Store.instance == inst) & (Store.label == previous_label))
        if s is None:
            s = Store(instance=inst)
        s.label, s.kind, s.url, s.key = row.label, row.kind, row.url, row.key
        s.wp_user, s.active = row.wp_user, row.active
        s.default_currency, s.default_locale = row.default_currency, row.default_locale
        s.info = json.dumps(row.info)
        s.verified_at = utcnow()
        s.updated_at = utcnow()
        s.save()
    return _store_row(s)


def delete_store(address: str, label: str) -> bool:
    inst = _instance(address)
    with database_proxy.atomic():
        s = Store.get_or_none((Store.instance == inst) & (Store.label == label))
        if s is None:
            return False
        Channel.update(store=None).where(Channel.store == s).execute()
        s.delete_instance()
    return True


def remember_capabilities(address: str, label: str, caps: dict[str, Any]) -> None:
    """What a run found the store can hold beyond one language and currency (the Channels tab shows it)."""
    s = Store.get_or_none((Store.instance == _instance(address)) & (Store.label == label))
    if s is None:
        return
    info = json.loads(s.info or "{}")
    if info.get("i18n") != caps:
        info["i18n"] = caps
        Store.update(info=json.dumps(info)).where(Store.id == s.id).execute()


def set_store_active(address: str, label: str, active: bool) -> None:
    Store.update(active=active, updated_at=utcnow()).where(
        (Store.instance == _instance(address)) & (Store.label == label)
    ).execute()


# -- channels, locales, currencies -------------------------------------------------------------------
def replace_settings_cache(
    address: str, channels: list[dict[str, Any]], locales: list[dict[str, Any]], currencies: list[dict[str, Any]]
) -> None:
    """Store what Refresh channels fetched. Existing channels keep their switches and mappings;
    channels gone from UnoPim are removed."""
    inst = _instance(address)
    with database_proxy.atomic():
        seen = set()
        for ch in channels:
            code = ch["code"]
            seen.add(code)
            row = Channel.get_or_none((Channel.instance == inst) & (Channel.code == code))
            if row is None:
                row = Channel(instance=inst, code=code)
            row.labels = json.dumps(ch.get("labels") or {})
            row.root_category = ch.get("root_category") or ""
            row.locales = json.dumps(list(ch.get("locales") or []))
            row.currencies = json.dumps(list(ch.get("currencies") or []))
            if not row.default_locale or row.default_locale not in (ch.get("locales") or []):
                row.default_locale = (ch.get("locales") or [""])[0]
            row.refreshed_at = utcnow()
            row.save()
        Channel.delete().where((Channel.instance == inst) & (Channel.code.not_in(seen or {""}))).execute()
        Locale.delete().where(Locale.instance == inst).execute()
        Currency.delete().where(Currency.instance == inst).execute()
        for loc in locales:
            Locale.create(instance=inst, code=loc["code"], active=bool(loc.get("status")))
        for cur in currencies:
            Currency.create(instance=inst, code=cur["code"], label=cur.get("label") or "",
                            active=bool(cur.get("status")))


def list_channels(address: str) -> list[ChannelRow]:
    inst = _instance(address)
    out = []
    for c in Channel.select().where(Channel.instance == inst).order_by(Channel.id):
        store = Store.get_or_none(Store.id == c.store_id) if c.store_id else None
        out.append(ChannelRow(
            code=c.code, labels=json.loads(c.labels), root_category=c.root_category,
            locales=json.loads(c.locales), currencies=json.loads(c.currencies),
            store_label=store.label if store else None, pull_enabled=c.pull_enabled,
            push_enabled=c.push_enabled, sync_interval=c.sync_interval, debounce_s=c.debounce_s,
            default_locale=c.default_locale or (json.loads(c.locales) or [""])[0],
            locale_map=json.loads(c.locale_map or "{}"), currency_map=json.loads(c.currency_map or "{}"),
        ))
    return out


def save_channels(address: str, rows: list[ChannelRow]) -> None:
    inst = _instance(address)
    with database_proxy.atomic():
        for r in rows:
            c = Channel.get_or_none((Channel.instance == inst) & (Channel.code == r.code))
            if c is None:
                raise LookupError(f"Channel {r.code} is not known; click Refresh channels first.")
            store = None
            if r.store_label:
                store = Store.get_or_none((Store.instance == inst) & (Store.label == r.store_label))
                if store is None:
                    raise LookupError(f"No store labelled “{r.store_label}”.")
            c.store = store
            c.pull_enabled, c.push_enabled = r.pull_enabled, r.push_enabled
            c.sync_interval, c.debounce_s = r.sync_interval, r.debounce_s
            c.default_locale = r.default_locale
            c.locale_map = json.dumps(r.locale_map)
            c.currency_map = json.dumps(r.currency_map)
            c.save()


def settings_summary(address: str) -> dict[str, int]:
    inst = _instance(address)
    return {
        "channels": Channel.select().where(Channel.instance == inst).count(),
        "stores_mapped": Channel.select(Channel.store).where(
            (Channel.instance == inst) & Channel.store.is_null(False)
        ).distinct().count(),
        "locales": Locale.select().where((Locale.instance == inst) & (Locale.active == True)).count(),  # noqa: E712
        "currencies": Currency.select().where((Currency.instance == inst) & (Currency.active == True)).count(),  # noqa: E712
    }
