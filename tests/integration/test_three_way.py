"""Never lose an edit: a run writes only the fields its side changed since both sides last agreed (the
link's base), a field changed on both sides is a conflict settled by the General setting (or the merchant),
and a field's mapping direction names its owner. Against both store kinds, over loopback."""

from __future__ import annotations

import json

import pytest

from tests.support.app import bc_api, connected_app, unopim_api, woo_api
from unopim_desktop.cli import main
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import sync_repo
from unopim_desktop.state.models import Link

KINDS = ["woocommerce", "bigcommerce"]


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=8, seed=5))
    yield sb
    sb.stop()


@pytest.fixture(params=KINDS)
async def app(request, data_dir, sandbox):
    async with connected_app(data_dir, sandbox, store=request.param, cooldown_s=0) as a:
        a.kind = request.param  # the mapping knows BigCommerce has no short description: nothing to unmap
        yield a


@pytest.fixture
async def woo(data_dir, sandbox):
    async with connected_app(data_dir, sandbox, cooldown_s=0) as a:
        a.kind = "woocommerce"
        yield a


# -- both sides, as a merchant edits them ------------------------------------------------------------------
def _simple(sb: Sandbox, n: int = 0) -> str:
    return [p["sku"] for p in sb.catalogue.products if not p.get("parent")][n]


def _pim(sb: Sandbox, sku: str, field: str) -> str:
    values = sb.unopim.get_product(sku)["values"]["channel_locale_specific"]["default"]["en_US"]
    return values["price"]["USD"] if field == "price" else values[field]


def _pim_edit(sb: Sandbox, sku: str, **values: str) -> None:
    scoped = {k: ({"USD": v} if k == "price" else v) for k, v in values.items()}
    r = unopim_api(sb, "PATCH", f"/products/{sku}",
                   json={"values": {"channel_locale_specific": {"default": {"en_US": scoped}}}})
    assert r.status_code == 200, r.text


def _shop(sb: Sandbox, kind: str, sku: str) -> dict:
    if kind == "woocommerce":
        p = sb.woocommerce.product_by_sku(sku)
        return {"id": p["id"], "name": p["name"], "price": float(p["regular_price"] or 0)}
    p = sb.bigcommerce.product_by_sku(sku)
    return {"id": p["id"], "name": p["name"], "price": float(p["price"] or 0)}


def _shop_edit(sb: Sandbox, kind: str, sku: str, *, name: str | None = None, price: str | None = None) -> None:
    pid = _shop(sb, kind, sku)["id"]
    if kind == "woocommerce":
        body = {k: v for k, v in (("name", name), ("regular_price", price)) if v is not None}
        r = woo_api(sb, "PUT", f"/products/{pid}", json=body)
    else:
        body = {k: v for k, v in (("name", name), ("price", float(price) if price else None)) if v is not None}
        r = bc_api(sb, "PUT", f"/v3/catalog/products/{pid}", json=body)
    assert r.status_code == 200, r.text


def _errors(app) -> list[str]:
    return [r.message for r in app.logs if r.level == "error"]


# -- one side changed ------------------------------------------------------------------------------------
async def test_a_unopim_edit_is_not_reverted_by_the_first_changed_push(app, sandbox):
    """The issue's report: Pull Full, rename in UnoPim, Push Changed (the first: it compares everything)."""
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    sku = _simple(sandbox)
    old = _shop(sandbox, app.kind, sku)["name"]
    _pim_edit(sandbox, sku, name="Renamed in UnoPim")
    writes = sandbox.unopim.write_count()
    pushed = await app.engine.push(changed=True)
    assert pushed.status == "done", _errors(app)
    assert _pim(sandbox, sku, "name") == "Renamed in UnoPim"
    assert sandbox.unopim.write_count() == writes and pushed.totals()["product"]["updated"] == 0, (
        pushed.totals(), [r.message for r in app.logs if r.category == "push"])
    assert _shop(sandbox, app.kind, sku)["name"] == old  # the push writes UnoPim, never the store
    # The next pull carries the rename into the store.
    assert (await app.engine.pull(full=False)).status == "done"
    assert _shop(sandbox, app.kind, sku)["name"] == "Renamed in UnoPim"


async def test_a_store_edit_is_not_reverted_by_a_pull_and_reaches_unopim_on_the_push(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    sku = _simple(sandbox)
    _shop_edit(sandbox, app.kind, sku, name="Renamed in the shop")
    _pim_edit(sandbox, sku, price="41.00")  # so the pull has the product to write
    pulled = await app.engine.pull(full=False)
    assert pulled.status == "done", _errors(app)
    shop = _shop(sandbox, app.kind, sku)
    assert shop == {**shop, "name": "Renamed in the shop", "price": 41.0}
    assert pulled.totals()["product"]["updated"] == 1 and not pulled.totals()["product"].get("conflicts")
    pushed = await app.engine.push(changed=True)
    assert pushed.status == "done", _errors(app)
    assert _pim(sandbox, sku, "name") == "Renamed in the shop" and _pim(sandbox, sku, "price") == "41.00"


# -- both sides changed ----------------------------------------------------------------------------------
async def test_a_field_edited_on_both_sides_is_a_conflict_unopim_wins_by_default(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    sku = _simple(sandbox)
    _shop_edit(sandbox, app.kind, sku, name="Shop name")
    _pim_edit(sandbox, sku, name="PIM name")
    pulled = await app.engine.pull(full=False)
    assert pulled.status == "done", _errors(app)
    assert _shop(sandbox, app.kind, sku)["name"] == "PIM name"
    assert pulled.totals()["product"]["conflicts"] == 1
    (row,) = [r for r in app.logs if r.entity == sku and r.message.startswith("Conflict")]
    assert row.level == "warning" and "'Shop name'" in row.message and "UnoPim's value was kept" in row.message
    (conflict,) = await app.app.conflicts.list(status=None)
    assert (conflict["code"], conflict["field"], conflict["unopim"], conflict["store_value"], conflict["status"]) == (
        sku, "name", "PIM name", "Shop name", "unopim")
    # Nothing of the store's losing value comes back on the push.
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=True)).status == "done"
    assert sandbox.unopim.write_count() == writes and _pim(sandbox, sku, "name") == "PIM name"


async def _rule(app, rule: str) -> None:
    await app.app.settings.save({"on_conflict": rule})


async def test_store_wins_keeps_the_shop_value_and_the_push_carries_it(woo, sandbox):
    await _rule(woo, "store")
    assert (await woo.engine.pull(full=True)).status == "done", _errors(woo)
    sku = _simple(sandbox)
    _shop_edit(sandbox, "woocommerce", sku, name="Shop name")
    _pim_edit(sandbox, sku, name="PIM name")
    pulled = await woo.engine.pull(full=False)
    assert pulled.totals()["product"]["conflicts"] == 1
    assert _shop(sandbox, "woocommerce", sku)["name"] == "Shop name"
    assert (await woo.engine.push(changed=True)).status == "done", _errors(woo)
    assert _pim(sandbox, sku, "name") == "Shop name"


async def test_ask_leaves_both_values_until_the_merchant_chooses_in_the_conflicts_view(woo, sandbox):
    await _rule(woo, "ask")
    assert (await woo.engine.pull(full=True)).status == "done", _errors(woo)
    keep_pim, take_shop = _simple(sandbox, 0), _simple(sandbox, 1)
    for sku in (keep_pim, take_shop):
        _shop_edit(sandbox, "woocommerce", sku, name=f"Shop {sku}")
        _pim_edit(sandbox, sku, name=f"PIM {sku}")
    assert (await woo.engine.pull(full=False)).totals()["product"]["conflicts"] == 2
    assert (await woo.engine.push(changed=True)).status == "done"
    for sku in (keep_pim, take_shop):  # neither run wrote the field
        assert (_shop(sandbox, "woocommerce", sku)["name"], _pim(sandbox, sku, "name")) == (f"Shop {sku}", f"PIM {sku}")
    shown = {c["code"]: c for c in await woo.app.conflicts.list()}
    assert set(shown) == {keep_pim, take_shop} and all(c["status"] == "open" for c in shown.values())

    (pulled,) = await woo.app.conflicts.resolve([shown[keep_pim]["id"]], "unopim")
    assert pulled.status == "done", _errors(woo)
    assert _shop(sandbox, "woocommerce", keep_pim)["name"] == f"PIM {keep_pim}"
    assert _shop(sandbox, "woocommerce", take_shop)["name"] == f"Shop {take_shop}"  # only the chosen one
    (pushed,) = await woo.app.conflicts.resolve([shown[take_shop]["id"]], "store")
    assert pushed.status == "done", _errors(woo)
    assert _pim(sandbox, take_shop, "name") == f"Shop {take_shop}"
    assert _pim(sandbox, keep_pim, "name") == f"PIM {keep_pim}"
    assert await woo.app.conflicts.list() == []
    # Settled: later runs move nothing back.
    shop_writes, pim_writes = sandbox.woocommerce.write_count(), sandbox.unopim.write_count()
    assert (await woo.engine.pull(full=False)).status == "done" and (await woo.engine.push(changed=True)).status == "done"
    assert (sandbox.woocommerce.write_count(), sandbox.unopim.write_count()) == (shop_writes, pim_writes)


# -- owners --------------------------------------------------------------------------------------------
async def test_a_fields_owner_is_the_only_side_that_writes_it(app, sandbox):
    core = await app.mapping.core()
    core.directions = {"regular_price": "pull", "name": "push"}  # UnoPim owns the price, the store the name
    await app.mapping.save_core(core)
    assert (await app.mapping.core()).directions == {"regular_price": "pull", "name": "push"}
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    sku = _simple(sandbox)
    price, name = _pim(sandbox, sku, "price"), _shop(sandbox, app.kind, sku)["name"]
    _shop_edit(sandbox, app.kind, sku, price="1.11")
    _pim_edit(sandbox, sku, name="PIM name")
    assert (await app.engine.pull(full=False)).status == "done", _errors(app)
    shop = _shop(sandbox, app.kind, sku)
    assert (shop["name"], shop["price"]) == (name, float(price))  # UnoPim's price back, the shop's name kept
    pushed = await app.engine.push(changed=False)  # Push All too
    assert pushed.status == "done", _errors(app)
    assert (_pim(sandbox, sku, "name"), _pim(sandbox, sku, "price")) == (name, price)
    assert not [r for r in app.logs if r.message.startswith("Conflict")]


async def test_a_direction_that_cannot_work_is_refused_on_save(woo):
    from unopim_desktop.app.mapping import MappingRefused

    core = await woo.mapping.core()
    core.directions = {"sku": "pull"}
    with pytest.raises(MappingRefused, match="SKU links both sides"):
        await woo.mapping.save_core(core)


# -- links from before the bases -------------------------------------------------------------------------
def _forget_bases() -> int:
    return Link.update(base=None).where(Link.kind.in_(["product", "variant"])).execute()


async def test_links_from_before_the_upgrade_get_their_base_without_writes_and_say_so_once(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    assert await app.ctx.lane.run(_forget_bases) > 0
    sku = _simple(sandbox)
    _pim_edit(sandbox, sku, name="PIM name")  # made before the upgrade's first run: must survive it
    writes = sandbox.unopim.write_count()
    app.logs.clear()
    pushed = await app.engine.push(changed=True)
    assert pushed.status == "done", _errors(app)
    assert sandbox.unopim.write_count() == writes and _pim(sandbox, sku, "name") == "PIM name"
    said = [r for r in app.logs if "had no field base yet" in r.message]
    assert len(said) == 1 and "nothing was written" in said[0].message
    assert await app.ctx.lane.run(sync_repo.count_missing_bases, sandbox.unopim_url, "Shop") == 0
    app.logs.clear()
    assert (await app.engine.push(changed=True)).status == "done"
    assert not [r for r in app.logs if "had no field base yet" in r.message]  # once
    assert (await app.engine.pull(full=False)).status == "done"
    assert _shop(sandbox, app.kind, sku)["name"] == "PIM name"


def _shift_pulled_at(seconds: int, kinds: tuple[str, ...] = ("product", "variant")) -> int:
    import datetime as dt

    rows = list(Link.select(Link.id, Link.pulled_at).where(Link.pulled_at.is_null(False) & Link.kind.in_(kinds)))
    for row in rows:
        Link.update(pulled_at=row.pulled_at + dt.timedelta(seconds=seconds)).where(Link.id == row.id).execute()
    return len(rows)


async def test_old_links_untouched_since_the_pull_get_their_base_too(app, sandbox):
    """A record the push skips as untouched since the pull still gets its base when it has none: otherwise
    the link stays without one, and whether it got one hung on the second the pull's write fell in."""
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    assert await app.ctx.lane.run(_forget_bases) > 0
    assert await app.ctx.lane.run(_shift_pulled_at, 2) > 0
    sku = _simple(sandbox)
    _pim_edit(sandbox, sku, name="PIM name")
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=True)).status == "done", _errors(app)
    assert sandbox.unopim.write_count() == writes
    assert await app.ctx.lane.run(sync_repo.count_missing_bases, sandbox.unopim_url, "Shop") == 0
    assert (await app.engine.pull(full=False)).status == "done", _errors(app)
    assert _shop(sandbox, app.kind, sku)["name"] == "PIM name"  # UnoPim's edit arrives, not a conflict
    assert not [r for r in app.logs if r.message.startswith("Conflict")]


# -- 3.x inheritance -------------------------------------------------------------------------------------
async def test_a_variants_inherited_value_is_never_a_store_side_change(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    conf = sandbox.catalogue.configurable_products[0]
    inheriting = [v["sku"] for v in conf["variants"]
                  if "price" not in json.dumps(sandbox.unopim.get_product(v["sku"])["values"])]
    assert inheriting
    r = unopim_api(sandbox, "PATCH", f"/configurable-products/{conf['sku']}", json={"values": {
        "channel_locale_specific": {"default": {"en_US": {"price": {"USD": "88.00"}}}}}})
    assert r.status_code == 200, r.text
    pushed = await app.engine.push(changed=True)  # before the pull: the store still has the old price
    assert pushed.status == "done", _errors(app)
    assert pushed.totals()["variant"]["updated"] == 0
    for sku in inheriting:  # still inheriting: no own price was written into the variant
        assert "price" not in json.dumps(sandbox.unopim.get_product(sku)["values"])
    assert (await app.engine.pull(full=False)).status == "done"
    if app.kind == "woocommerce":
        parent = sandbox.woocommerce.product_by_sku(conf["sku"])
        prices = {v["sku"]: v["regular_price"] for v in sandbox.woocommerce.variations(parent["id"])}
    else:
        prices = {v["sku"]: f"{v['price']:.2f}" for v in sandbox.bigcommerce.product_by_sku(conf["sku"])["variants"]}
    assert all(prices[sku] == "88.00" for sku in inheriting), prices


# -- the command line ------------------------------------------------------------------------------------
def test_cli_counts_lists_and_resolves_conflicts(data_dir, sandbox, capsys):
    import asyncio

    async def prepare() -> None:
        async with connected_app(data_dir, sandbox, cooldown_s=0) as a:
            assert (await a.engine.pull(full=True)).status == "done"

    asyncio.run(prepare())
    d = ["--data-dir", str(data_dir)]
    assert main([*d, "settings", "--on-conflict", "ask"]) == 0
    assert "On conflict:      Ask" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main([*d, "settings", "--on-conflict", "maybe"])
    assert refused.value.code == 2 and "unopim, store, ask" in capsys.readouterr().err.replace("'", "")
    assert main([*d, "mapping", "direction", "regular_price", "pull"]) == 0
    assert main([*d, "mapping", "direction", "sku", "push"]) == 2
    assert "SKU links both sides" in capsys.readouterr().err
    assert main([*d, "mapping", "show"]) == 0
    shown = capsys.readouterr().out
    assert any("Regular Price" in line and "pull only" in line for line in shown.splitlines())
    sku = _simple(sandbox)
    _shop_edit(sandbox, "woocommerce", sku, name="Shop name")
    _pim_edit(sandbox, sku, name="PIM name")
    assert main([*d, "sync", "pull", "--delta", "--json"]) == 0
    out, said = capsys.readouterr()
    summary = json.loads(out.strip().splitlines()[-1])
    assert "changed on both sides" in said and "conflicts list" in said
    assert summary["totals"]["product"]["conflicts"] == 1
    assert main([*d, "conflicts", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["code"], row["field"], row["unopim"], row["store_value"]) == (sku, "name", "PIM name", "Shop name")
    assert main([*d, "conflicts", "list"]) == 0
    listed = capsys.readouterr().out
    assert sku in listed and "Shop name" in listed and "PIM name" in listed
    assert main([*d, "conflicts", "resolve", str(row["id"]), "--keep", "store"]) == 0
    capsys.readouterr()
    assert _pim(sandbox, sku, "name") == "Shop name"
    assert main([*d, "conflicts", "resolve", str(row["id"]), "--keep", "unopim"]) == 2  # already settled
    assert "already" in capsys.readouterr().err


async def test_old_variant_links_get_their_base_when_only_the_parent_is_compared(app, sandbox):
    """A parent the store shows as touched after the pull (compared) with variations that are not (left
    alone): the variations' links get their base too, or the next push says "no field base yet" again."""
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    assert await app.ctx.lane.run(_forget_bases) > 0
    assert await app.ctx.lane.run(_shift_pulled_at, -5, ("product",)) > 0  # the parents: compared
    assert await app.ctx.lane.run(_shift_pulled_at, 5, ("variant",)) > 0  # their variations: untouched
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=True)).status == "done", _errors(app)
    assert sandbox.unopim.write_count() == writes
    assert await app.ctx.lane.run(sync_repo.count_missing_bases, sandbox.unopim_url, "Shop") == 0
    app.logs.clear()
    assert (await app.engine.push(changed=True)).status == "done", _errors(app)
    assert not [r for r in app.logs if "had no field base yet" in r.message]
