"""A connected app with a sandbox store mapped to channel `default` (pull and push tests), and ways to
edit UnoPim and the store as a merchant would, through their own APIs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from unopim_desktop.app.application import App
from unopim_desktop.app.channels import ChannelService
from unopim_desktop.app.connection import ConnectionForm
from unopim_desktop.app.context import AppContext
from unopim_desktop.app.mapping import MappingService
from unopim_desktop.app.session import UnoPimSession
from unopim_desktop.app.stores import StoreForm
from unopim_desktop.sandbox.launcher import Sandbox
from unopim_desktop.sync.engine import SyncEngine
from unopim_desktop.sync.events import EventBus, LogRow

STORE = "Shop"


@dataclass
class Connected:
    """An app connected to the sandbox, with the Logs rows its engine emitted (for assertions)."""

    app: App
    logs: list[LogRow]

    @property
    def engine(self) -> SyncEngine:
        return self.app.engine

    @property
    def session(self) -> UnoPimSession:
        return self.app.session

    @property
    def channels(self) -> ChannelService:
        return self.app.channels

    @property
    def mapping(self) -> MappingService:
        return self.app.mapping

    @property
    def ctx(self) -> AppContext:
        return self.app.ctx

    @property
    def bus(self) -> EventBus:
        return self.app.bus

    async def close(self) -> None:
        await self.app.aclose()


def store_form(sandbox: Sandbox, kind: str = "woocommerce", label: str = STORE) -> StoreForm:
    """The sandbox store of this kind, as a merchant would type it into the store form."""
    creds = sandbox.credentials()
    if kind == "woocommerce":
        w = creds["woocommerce"]
        return StoreForm(kind="woocommerce", label=label, url=w["url"], key=w["consumer_key"],
                         secret=w["consumer_secret"])
    b = creds["bigcommerce"]
    return StoreForm(kind="bigcommerce", label=label, url=b["api_url"], key=b["client_id"],
                     secret=b["client_secret"], access_token=b["access_token"])


async def connect(app: App, sandbox: Sandbox) -> None:
    """Test & Save against the sandbox UnoPim."""
    u = sandbox.credentials()["unopim"]
    outcome = await app.connection.test_and_save(
        ConnectionForm(u["url"], u["client_id"], u["client_secret"], u["username"], u["password"]))
    assert outcome.ok, outcome.text


async def make_app(app: App, sandbox: Sandbox, *, channel: str = "default", store: str = "woocommerce",
                   cooldown_s: int | None = None) -> Connected:
    """`app` connected, with the store added and `channel` pointed at it (pull and push on); `cooldown_s`
    replaces every channel's debounce (0: tests about what a push sees, not about echo suppression)."""
    await connect(app, sandbox)
    saved = await app.stores.save(store_form(sandbox, store))
    assert saved.ok, saved.text
    logs: list[LogRow] = []
    app.bus.subscribe(lambda e: logs.append(e) if isinstance(e, LogRow) else None)
    await app.channels.refresh()
    rows = await app.channels.channels()
    for row in rows:
        row.store_label = STORE if row.code == channel else None
        row.pull_enabled = row.code == channel
        if cooldown_s is not None:
            row.debounce_s = cooldown_s
    await app.channels.save(rows)
    await app.mapping.save_core(await app.mapping.automap_core())
    return Connected(app, logs)


@contextlib.asynccontextmanager
async def connected_app(data_dir: Any, sandbox: Sandbox, *, in_flight: int = 8, **kw: Any) -> AsyncIterator[Connected]:
    """`make_app` over a fresh app on `data_dir`, closed afterwards (what the `app` fixtures yield)."""
    app = App.open(data_dir, in_flight=in_flight)
    try:
        connected = await make_app(app, sandbox, **kw)
        yield connected
    finally:
        await app.aclose()
        app.close()


def unopim_api(sandbox: Sandbox, method: str, path: str, **kw: Any) -> httpx.Response:
    """Edit UnoPim as a merchant would, through its own API."""
    u = sandbox.credentials()["unopim"]
    tok = httpx.post(f"{u['url']}/oauth/token", auth=(u["client_id"], u["client_secret"]),
                     data={"grant_type": "password", "username": u["username"], "password": u["password"]},
                     headers={"Accept": "application/json"}).json()["access_token"]
    return httpx.request(method, f"{u['url']}/api/v1/rest{path}",
                         headers={"Accept": "application/json", "Authorization": f"Bearer {tok}"}, **kw)


def store_state(sandbox: Sandbox, kind: str = "woocommerce") -> dict[str, Any]:
    """What a merchant sees in the store: products by SKU with their variations, images and associations,
    comparable across runs."""
    if kind == "bigcommerce":
        return _bigcommerce_state(sandbox)
    products = sandbox.woocommerce.products()
    sku_of = {p["id"]: p["sku"] for p in products}
    out = {}
    for p in products:
        out[p["sku"]] = {
            "name": p["name"], "type": p["type"], "status": p["status"], "regular_price": p["regular_price"],
            "categories": sorted(c["name"] for c in p["categories"]), "tags": sorted(t["name"] for t in p["tags"]),
            "images": len(p["images"]), "attributes": sorted((a["name"], tuple(a["options"])) for a in p["attributes"]),
            "upsells": sorted(sku_of.get(i, f"#{i}") for i in p.get("upsell_ids") or []),
            "cross_sells": sorted(sku_of.get(i, f"#{i}") for i in p.get("cross_sell_ids") or []),
            "variations": sorted((v["sku"], v["regular_price"], bool(v.get("image")),
                                  tuple(sorted((a["name"], a["option"]) for a in v["attributes"])))
                                 for v in sandbox.woocommerce.variations(p["id"])),
        }
    return out


def _bigcommerce_state(sandbox: Sandbox) -> dict[str, Any]:
    big = sandbox.bigcommerce
    products = big.products()
    sku_of = {p["id"]: p["sku"] for p in products}
    names = {c["id"]: c["name"] for c in big.categories_by_id.values()}
    return {p["sku"]: {
        "name": p["name"], "visible": p["is_visible"], "price": p["price"], "images": len(p["images"]),
        "categories": sorted(names.get(c, f"#{c}") for c in p["categories"]), "keywords": p["search_keywords"],
        "custom_fields": sorted((f["name"], f["value"]) for f in p["custom_fields"]),
        "related": sorted(sku_of.get(i, f"#{i}") for i in p["related_products"] if i > 0),
        "variations": sorted((v["sku"], v["price"], bool(v["image_url"]),
                              tuple(sorted((o["option_display_name"], o["label"]) for o in v["option_values"])))
                             for v in p["variants"] if v["option_values"]),
    } for p in products}


def woo_api(sandbox: Sandbox, method: str, path: str, **kw: Any) -> httpx.Response:
    """Edit the store as a merchant would in wp-admin, through its REST API (OAuth 1.0a over HTTP)."""
    from unopim_desktop.stores.woocommerce.auth import auth_for

    w = sandbox.credentials()["woocommerce"]
    return httpx.request(method, f"{w['url']}/wp-json/wc/v3{path}",
                         auth=auth_for(w["url"], w["consumer_key"], w["consumer_secret"]), **kw)


def bc_api(sandbox: Sandbox, method: str, path: str, **kw: Any) -> httpx.Response:
    """Edit the BigCommerce store as a merchant would in its control panel, through its API."""
    b = sandbox.credentials()["bigcommerce"]
    return httpx.request(method, b["api_url"].rstrip("/") + path,
                         headers={"X-Auth-Token": b["access_token"], "Accept": "application/json"}, **kw)
