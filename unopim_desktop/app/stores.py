"""Store connections (a WooCommerce site, a BigCommerce store, any kind in `stores.registry`): add,
edit, delete, list.

Credentials are verified against the store before anything is saved; on failure the merchant gets the
reason and the fix, and nothing is stored. Secrets go to the keychain under the UnoPim address and the
store's label; on edit, a blank field or `**********` keeps the stored value.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import LOGS, STORES, changed
from unopim_desktop.clients.addresses import field_problem
from unopim_desktop.clients.errors import ApiError
from unopim_desktop.domain import StoreConnection, StoreInfo, StoreRow
from unopim_desktop.mapping.i18n import caps_dict, currency_list, settings_problem, store_settings
from unopim_desktop.redact import MASK
from unopim_desktop.state import repo, stores_repo
from unopim_desktop.stores.base import StoreAdapter, StoreVerificationError
from unopim_desktop.stores.kind import SECRET_FIELDS, StoreKind
from unopim_desktop.stores.registry import KINDS, explain_store_error, make_adapter, store_kind
from unopim_desktop.sync.events import EventBus

log = logging.getLogger(__name__)

DELETE_NOTE = (
    "Nothing was deleted in the store itself: the products and categories already synced stay there. "
    "Only future syncs through this connection stop."
)


@dataclass
class StoreForm:
    """A store connection as typed in the form (or on the command line). Which of the connection fields a
    kind asks for, and under which labels, its registry entry says."""

    kind: str
    label: str
    url: str
    key: str = ""
    secret: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    wp_user: str = ""
    wp_app_password: str = field(default="", repr=False)
    active: bool = True
    default_currency: str = ""
    default_locale: str = ""
    # Per-store i18n settings (`mapping.i18n.STORE_SETTINGS`).
    translations: str = "auto"
    multi_currency: str = "auto"
    plugin_currencies: str = ""

    def settings(self) -> dict[str, str]:
        return {"translations": self.translations or "auto", "multi_currency": self.multi_currency or "auto",
                "plugin_currencies": ", ".join(currency_list(self.plugin_currencies))}


@dataclass
class StoreOutcome:
    ok: bool
    reason: str = ""
    fix: str = ""
    field: str = ""
    store: StoreRow | None = None
    info: StoreInfo | None = None

    @property
    def text(self) -> str:
        return f"{self.reason} {self.fix}".strip()


def _keeps(value: str) -> bool:
    return value == "" or value == MASK or set(value) == {"*"}


def normalize_store_url(kind: str, raw: str) -> str:
    """The address as the kind stores it (ValueError with the reason and an example)."""
    return store_kind(kind).normalize_url(raw)


# A label is shown in tables, menus and log lines; a key, user or code is never this long. A longer
# value is a paste gone wrong: refused with its length rather than stored (or echoed back whole).
MAX_LABEL_CHARS = 100
MAX_FIELD_CHARS = 255


def _field_label(spec: StoreKind, name: str) -> str:
    if name == "label":
        return "Label"
    declared = spec.field(name)
    return declared.label if declared else name.replace("_", " ").capitalize()


PLAIN_HTTP_WARNING = ("Not encrypted: this address is plain http://, so the store's keys and every product travel "
                      "readable by anyone on the way. Use https:// if the store supports it.")


def plain_http_warning(url: str) -> str | None:
    """The warning for a store reached over plain HTTP, except on this computer (a local test shop)."""
    try:
        parts = urlsplit((url or "").strip())
        hostname = parts.hostname
    except ValueError:  # half typed (an open [): the form says what is wrong on save
        return None
    if parts.scheme.lower() != "http" or not hostname:
        return None
    host = hostname.lower()
    if host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return PLAIN_HTTP_WARNING


def check_store_form(form: StoreForm, *, editing: bool) -> tuple[str, str] | None:
    """(field, message) for the first problem found before any request, else None."""
    if not form.label.strip():
        return "label", "Give the store a label, e.g. Production Store."
    spec = store_kind(form.kind)
    for name in ("label", "key", "wp_user", "default_currency", "default_locale"):
        limit = MAX_LABEL_CHARS if name == "label" else MAX_FIELD_CHARS
        problem = field_problem(_field_label(spec, name), getattr(form, name), limit)
        if problem:
            return name, problem
    try:
        spec.normalize_url(form.url)
    except ValueError as exc:
        return "url", str(exc)
    settings = form.settings()
    for name in ("translations", "multi_currency", "plugin_currencies"):
        problem = settings_problem({name: settings[name]})
        if problem:
            return name, problem
    for f in spec.fields:
        if not f.required:
            continue
        value = getattr(form, f.name)
        empty = _keeps(value) if f.secret else not value.strip()
        if empty and not (f.secret and editing):
            return f.name, f.missing or f"Enter the {f.label.lower()}."
    return None


class StoreService:
    def __init__(self, ctx: AppContext, bus: EventBus | None = None, *,
                 adapter_factory: Callable[[StoreConnection], StoreAdapter] | None = None) -> None:
        self.ctx = ctx
        self.bus = bus or EventBus()
        self._adapter_factory = adapter_factory or make_adapter

    @staticmethod
    def kinds() -> list[StoreKind]:
        """The store kinds a merchant can add, in the order the window offers them."""
        return list(KINDS.values())

    @staticmethod
    def kind(name: str) -> StoreKind:
        return store_kind(name)

    def make_adapter(self, connection: StoreConnection) -> StoreAdapter:
        return self._adapter_factory(connection)

    async def adapter(self, label: str) -> StoreAdapter:
        """A new adapter for a saved store (the caller closes it)."""
        return self.make_adapter(await self.connection(label))

    async def _address(self) -> str:
        address = await self.ctx.lane.run(repo.active_address)
        if not address:
            raise LookupError("Connect to UnoPim first (Connection tab).")
        return address

    @staticmethod
    def secret_scope(address: str, label: str) -> str:
        return f"{address}|store:{label}"

    async def list(self, *, search: str = "", sort: str = "label", descending: bool = False) -> list[StoreRow]:
        address = await self._address()
        return await self.ctx.lane.run(stores_repo.list_stores, address, search=search, sort=sort, descending=descending)

    async def connection(self, label: str) -> StoreConnection:
        """The stored connection with its secrets, for the engine."""
        address = await self._address()
        row = await self.ctx.lane.run(stores_repo.get_store, address, label)
        if row is None:
            raise LookupError(f"No store labelled “{label}”.")
        scope = self.secret_scope(address, label)
        secrets = {name: await self.ctx.secrets.aget(scope, name) or "" for name in SECRET_FIELDS}
        return StoreConnection(
            kind=row.kind, label=row.label, url=row.url, key=row.key, secret=secrets["secret"],
            access_token=secrets["access_token"], wp_user=row.wp_user, wp_app_password=secrets["wp_app_password"],
        )

    async def save(self, form: StoreForm, *, previous_label: str | None = None) -> StoreOutcome:
        """Add (previous_label None) or edit a store. Verifies first; stores nothing on failure."""
        address = await self._address()
        editing = previous_label is not None
        problem = check_store_form(form, editing=editing)
        if problem:
            return StoreOutcome(False, reason=problem[1], field=problem[0])
        label = form.label.strip()
        existing = await self.ctx.lane.run(stores_repo.get_store, address, label)
        if existing is not None and label != previous_label:
            return StoreOutcome(False, reason=f"A store labelled “{label}” already exists.", field="label")
        if editing and await self.ctx.lane.run(stores_repo.get_store, address, previous_label) is None:
            return StoreOutcome(False, reason=f"No store labelled “{previous_label}”.", field="label")
        url = normalize_store_url(form.kind, form.url)
        # One store under two labels would get every product twice over (two links, two pushes).
        twin = next((r for r in await self.ctx.lane.run(stores_repo.list_stores, address)
                     if r.kind == form.kind and r.url == url and r.label != previous_label), None)
        if twin is not None:
            return StoreOutcome(False, reason=f"The {store_kind(form.kind).noun} at {url} is already connected as "
                                f"“{twin.label}”; edit that connection instead.", field="url")
        old_scope = self.secret_scope(address, previous_label) if editing else None
        secrets: dict[str, str] = {}
        for name in SECRET_FIELDS:
            typed = getattr(form, name)
            if _keeps(typed) and old_scope:
                secrets[name] = await self.ctx.secrets.aget(old_scope, name) or ""
            else:
                secrets[name] = "" if _keeps(typed) else typed
        connection = StoreConnection(
            kind=form.kind, label=label, url=url, key=form.key.strip(), secret=secrets["secret"],
            access_token=secrets["access_token"], wp_user=form.wp_user.strip(),
            wp_app_password=secrets["wp_app_password"],
        )
        adapter = self.make_adapter(connection)
        try:
            info = await adapter.verify()
            caps = await _capabilities(adapter, form)
        except StoreVerificationError as exc:
            return StoreOutcome(False, reason=exc.reason, fix=exc.fix)
        except ApiError as exc:
            reason, fix = explain_store_error(form.kind, exc)
            return StoreOutcome(False, reason=reason, fix=fix)
        finally:
            await adapter.aclose()
        # Verified: secrets first, then the row, then drop secrets left under an old label.
        new_scope = self.secret_scope(address, label)
        for name, value in secrets.items():
            if value:
                await self.ctx.secrets.aset(new_scope, name, value)
            else:
                await self.ctx.secrets.adelete(new_scope, name)
        row = StoreRow(
            id=0, label=label, kind=form.kind, url=url, key=connection.key, wp_user=connection.wp_user,
            active=form.active, default_currency=form.default_currency or info.currency,
            default_locale=form.default_locale or info.locale,
            info={**_info_dict(info), "settings": form.settings(), **({"i18n": caps} if caps is not None else {})},
        )
        saved = await self.ctx.lane.run(stores_repo.save_store, address, row, previous_label=previous_label)
        if old_scope and previous_label != label:
            for name in SECRET_FIELDS:
                await self.ctx.secrets.adelete(old_scope, name)
        verb = "updated" if editing else "added"
        await self.ctx.lane.run(repo.add_log, address, f"Store “{label}” ({form.kind}, {url}) {verb}.",
                                category="stores", entity_kind="store", entity=label)
        self.bus.emit(changed(STORES, LOGS))
        return StoreOutcome(True, store=saved, info=info)

    async def delete(self, label: str) -> StoreOutcome:
        address = await self._address()
        removed = await self.ctx.lane.run(stores_repo.delete_store, address, label)
        if not removed:
            return StoreOutcome(False, reason=f"No store labelled “{label}”.")
        for name in SECRET_FIELDS:
            await self.ctx.secrets.adelete(self.secret_scope(address, label), name)
        await self.ctx.lane.run(repo.add_log, address, f"Store “{label}” removed. {DELETE_NOTE}",
                                category="stores", entity_kind="store", entity=label)
        self.bus.emit(changed(STORES, LOGS))
        return StoreOutcome(True, reason=f"Store “{label}” removed.", fix=DELETE_NOTE)

    async def set_settings(self, label: str, **changes: str) -> StoreRow:
        """Change a store's i18n settings (translations, multi_currency, plugin_currencies) without
        verifying it again; ValueError with the reason for a value it cannot take."""
        address = await self._address()
        row = await self.ctx.lane.run(stores_repo.get_store, address, label)
        if row is None:
            raise LookupError(f"No store labelled “{label}”.")
        settings = {**store_settings(row.info), **{k: v for k, v in changes.items() if v is not None}}
        settings["plugin_currencies"] = ", ".join(currency_list(settings["plugin_currencies"]))
        problem = settings_problem(settings)
        if problem:
            raise ValueError(problem)
        saved = await self.ctx.lane.run(stores_repo.save_store, address,
                                        replace(row, info={**row.info, "settings": settings}), previous_label=label)
        await self.ctx.lane.run(repo.add_log, address, f"Store “{label}” settings: " + ", ".join(
            f"{k.replace('_', ' ')} {v or '(blank)'}" for k, v in settings.items()) + ".", category="stores",
            entity_kind="store", entity=label)
        self.bus.emit(changed(STORES, LOGS))
        return saved

    async def set_active(self, label: str, active: bool) -> None:
        address = await self._address()
        await self.ctx.lane.run(stores_repo.set_store_active, address, label, active)
        self.bus.emit(changed(STORES))


async def _capabilities(adapter: StoreAdapter, form: StoreForm) -> dict | None:
    """What the store holds beyond one language and currency, for the Channels tab (a run asks again);
    None when the store would not say (the connection is saved all the same)."""
    try:
        return caps_dict(await adapter.i18n_capabilities(form.settings()))
    except ApiError as exc:
        log.info("store %s: languages and currencies not checked: %s", form.label, exc)
        return None


def _info_dict(info: StoreInfo) -> dict:
    return {
        "name": info.name, "currency": info.currency, "locale": info.locale, "version": info.version,
        "product_count": info.product_count, "media_upload": info.media_upload, "multilingual": info.multilingual,
        "notes": list(info.notes),
    }


def form_from_row(row: StoreRow) -> StoreForm:
    """An edit form for a stored store: each secret the kind asks for shown as the mask, which keeps it."""
    settings = store_settings(row.info)
    form = StoreForm(kind=row.kind, label=row.label, url=row.url, key=row.key, wp_user=row.wp_user,
                     active=row.active, default_currency=row.default_currency, default_locale=row.default_locale,
                     translations=settings["translations"], multi_currency=settings["multi_currency"],
                     plugin_currencies=settings["plugin_currencies"])
    for f in store_kind(row.kind).fields:
        if f.secret and (not f.masked_if or getattr(form, f.masked_if)):
            setattr(form, f.name, MASK)
    return replace(form)
