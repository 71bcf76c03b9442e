"""A connected app with the WooCommerce sandbox store mapped to channel `default`, for pull tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from unopim_desktop.app.channels import ChannelService
from unopim_desktop.app.connection import ConnectionForm, ConnectionService
from unopim_desktop.app.context import AppContext
from unopim_desktop.domain import StoreKind
from unopim_desktop.app.mapping import MappingService
from unopim_desktop.sandbox.launcher import Sandbox
from unopim_desktop.app.session import UnoPimSession
from unopim_desktop.app.stores import StoreForm, StoreService
from unopim_desktop.sync.engine import SyncEngine
from unopim_desktop.sync.events import EventBus, LogRow

STORE = "Shop"


@dataclass
class App:
    ctx: AppContext
    bus: EventBus
    session: UnoPimSession
    engine: SyncEngine
    channels: ChannelService
    logs: list[LogRow]

    async def close(self) -> None:
        await self.session.aclose()


async def make_app(ctx: AppContext, sandbox: Sandbox, *, channel: str = "default", in_flight: int = 8,
                   store: str = "woocommerce", cooldown_s: int | None = None) -> App:
    """A connected app with the store added and `channel` pointed at it (pull and push on); `cooldown_s`
    replaces every channel's debounce (0: tests about what a push sees, not about echo suppression)."""
    creds = sandbox.credentials()
    u, w, b = creds["unopim"], creds["woocommerce"], creds["bigcommerce"]
    outcome = await ConnectionService(ctx).test_and_save(
        ConnectionForm(u["url"], u["client_id"], u["client_secret"], u["username"], u["password"]))
    assert outcome.ok, outcome.text
    stores = StoreService(ctx)
    if store == "woocommerce":
        form = StoreForm(kind=StoreKind.WOOCOMMERCE, label=STORE, url=w["url"], key=w["consumer_key"],
                         secret=w["consumer_secret"])
    else:
        form = StoreForm(kind=StoreKind.BIGCOMMERCE, label=STORE, url=b["api_url"], key=b["client_id"],
                         secret=b["client_secret"], access_token=b["access_token"])
    saved = await stores.save(form)
    assert saved.ok, saved.text
    bus = EventBus()
    logs: list[LogRow] = []
    bus.subscribe(lambda e: logs.append(e) if isinstance(e, LogRow) else None)
    session = UnoPimSession(ctx, bus)
    channels = ChannelService(ctx, session)
    await channels.refresh()
    rows = await channels.channels()
    for row in rows:
        row.store_label = STORE if row.code == channel else None
        row.pull_enabled = row.code == channel
        if cooldown_s is not None:
            row.debounce_s = cooldown_s
    await channels.save(rows)
    mapping = MappingService(ctx, channels, stores)
    await mapping.save_core(await mapping.automap_core())
    engine = SyncEngine(ctx, session, bus, stores=stores, in_flight=in_flight)
    return App(ctx, bus, session, engine, channels, logs)


@contextlib.asynccontextmanager
async def connected_app(data_dir: Any, sandbox: Sandbox, **kw: Any) -> AsyncIterator[App]:
    """`make_app` over a fresh context in `data_dir`, closed afterwards (what the `app` fixtures yield)."""
    ctx = AppContext.open(data_dir)
    app = await make_app(ctx, sandbox, **kw)
    try:
        yield app
    finally:
        await app.close()
        ctx.close()


def unopim_api(sandbox: Sandbox, method: str, path: str, **kw: Any) -> httpx.Response:
    """Edit UnoPim as a merchant would, through its own API."""
    u = sandbox.credentials()["unopim"]
    tok = httpx.post(f"{u['url']}/oauth/token", auth=(u["client_id"], u["client_secret"]),
                     data={"grant_type": "password", "username": u["username"], "password": u["password"]},
                     headers={"Accept": "application/json"}).json()["access_token"]
    return httpx.request(method, f"{u['url']}/api/v1/rest{path}",
                         headers={"Accept": "application/json", "Authorization": f"Bearer {tok}"}, **kw)


def store_state(sandbox: Sandbox) -> dict[str, Any]:
    """What a merchant sees in the store: products by SKU with their variations, comparable across runs."""
    out = {}
    for p in sandbox.woocommerce.products():
        out[p["sku"]] = {
            "name": p["name"], "type": p["type"], "status": p["status"], "regular_price": p["regular_price"],
            "categories": sorted(c["name"] for c in p["categories"]), "tags": sorted(t["name"] for t in p["tags"]),
            "images": len(p["images"]), "attributes": sorted((a["name"], tuple(a["options"])) for a in p["attributes"]),
            "variations": sorted((v["sku"], v["regular_price"], tuple(sorted((a["name"], a["option"]) for a in v["attributes"])))
                                 for v in sandbox.woocommerce.variations(p["id"])),
        }
    return out


def woo_api(sandbox: Sandbox, method: str, path: str, **kw: Any) -> httpx.Response:
    """Edit the store as a merchant would in wp-admin, through its REST API (OAuth 1.0a over HTTP)."""
    from unopim_desktop.stores.woocommerce.auth import auth_for

    w = sandbox.credentials()["woocommerce"]
    return httpx.request(method, f"{w['url']}/wp-json/wc/v3{path}",
                         auth=auth_for(w["url"], w["consumer_key"], w["consumer_secret"]), **kw)
