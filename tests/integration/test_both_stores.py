"""What both store kinds share, run against each: pull, delta, push, the round trip, deletes both ways, the
cooldown and dry runs. UnoPim and the store are sandbox servers over loopback; the store is edited through its
own API, as a merchant would (`tests.support.stores.Shop`)."""

from __future__ import annotations

import pytest

from tests.support.app import connected_app, unopim_api
from tests.support.stores import KINDS, Shop, attribute_rows
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import sync_repo
from unopim_desktop.state.models import Link


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=10, seed=3))
    yield sb
    sb.stop()


@pytest.fixture(params=KINDS)
async def app(request, data_dir, sandbox):
    async with connected_app(data_dir, sandbox, store=request.param, cooldown_s=0) as a:
        a.shop = Shop(sandbox, request.param)
        await a.mapping.save_attribute_rows("default", "en_US", attribute_rows(request.param))
        yield a


async def _debounce(app, seconds: int) -> None:
    rows = await app.channels.channels()
    for r in rows:
        r.debounce_s = seconds
    await app.channels.save(rows)


def _simple(sb, n: int = 0) -> str:
    return [p["sku"] for p in sb.catalogue.products if not p.get("parent")][n]


def _scoped(sb, sku: str) -> dict:
    return sb.unopim.get_product(sku)["values"]["channel_locale_specific"]["default"]["en_US"]


def _leaves(obj, prefix=()):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(_leaves(v, (*prefix, str(k))))
        return out
    return {prefix: obj}


def _forget_store_hashes(address):
    Link.update(store_hash="").where(Link.kind.in_(["product", "variant"])).execute()


def _errors(app) -> list[str]:
    return [r.message for r in app.logs if r.level == "error"]


# -- round trip ---------------------------------------------------------------------------------------------
async def test_pull_then_push_changed_and_push_all_write_nothing_for_every_mapped_type(app, sandbox):
    """Every mapped attribute type (select, multiselect, checkbox, boolean, per channel, per locale, text, date),
    the core fields and, on BigCommerce, its own rows (SEO, prices, flags, brand, URL): UnoPim gets no write."""
    pulled = await app.engine.pull(full=True)
    assert pulled.status == "done", _errors(app)
    writes, media = sandbox.unopim.write_count(), len(sandbox.unopim.storage)
    changed = await app.engine.push(changed=True)
    assert changed.status == "done", _errors(app)
    assert sandbox.unopim.write_count() == writes, [r.message for r in app.logs if "Updated" in r.message]
    every = await app.engine.push(changed=False)
    assert every.status == "done", _errors(app)
    assert sandbox.unopim.write_count() == writes
    # Saved in the store without a change: every record is compared with UnoPim, and still nothing moves.
    await app.ctx.lane.run(_forget_store_hashes, sandbox.unopim_url)
    app.shop.touch_all()
    again = await app.engine.push(changed=True)
    assert again.status == "done", _errors(app)
    assert sandbox.unopim.write_count() == writes, [r.message for r in app.logs if "Updated" in r.message]
    totals = again.totals()
    assert totals["product"]["unchanged"] == 10 and totals["product"]["updated"] == 0
    assert totals["variant"]["updated"] == 0
    assert totals.get("image", {}).get("updated", 0) == 0 and len(sandbox.unopim.storage) == media


async def test_a_store_edit_lands_exactly_and_nothing_else_moves(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    sku = _simple(sandbox)
    conf = sandbox.catalogue.configurable_products[0]
    variant = conf["variants"][0]["sku"]
    before = {s: sandbox.unopim.get_product(s) for s in (sku, variant)}
    app.shop.edit(sku, name="Renamed in the shop", price="123.45")
    app.shop.edit_variation_price(conf["sku"], variant, "77.5")
    writes = sandbox.unopim.write_count()
    outcome = await app.engine.push(changed=True)
    assert outcome.status == "done", _errors(app)
    assert sandbox.unopim.write_count() == writes + 2  # the product and the variation, nothing else
    diff = {k: v for k, v in _leaves(sandbox.unopim.get_product(sku)).items() if _leaves(before[sku]).get(k) != v}
    assert set(diff) <= {("values", "channel_locale_specific", "default", "en_US", "name"),
                         ("values", "channel_locale_specific", "default", "en_US", "price", "USD"),
                         ("updated_at",)}, diff
    assert _scoped(sandbox, sku)["name"] == "Renamed in the shop"
    assert float(_scoped(sandbox, sku)["price"]["USD"]) == 123.45
    price = sandbox.unopim.get_product(variant)["values"]["channel_locale_specific"]["default"]["en_US"]["price"]
    assert float(price["USD"]) == 77.5


# -- pull -----------------------------------------------------------------------------------------------------
async def test_a_rerun_and_a_delta_write_nothing_and_a_delta_carries_one_edit(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    shop = app.shop
    every = {p["sku"] for p in sandbox.catalogue.products if not p.get("parent")} | {
        p["sku"] for p in sandbox.catalogue.configurable_products}
    assert set(shop.skus()) == every
    writes = shop.write_count()
    assert (await app.engine.pull(full=True)).status == "done" and shop.write_count() == writes
    assert (await app.engine.pull(full=False)).status == "done" and shop.write_count() == writes
    sku = _simple(sandbox, 1)
    r = unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Renamed in UnoPim"}}}}})
    assert r.status_code == 200, r.text
    delta = await app.engine.pull(full=False)
    assert delta.status == "done" and delta.totals()["product"]["updated"] == 1
    assert shop.product(sku)["name"] == "Renamed in UnoPim"
    assert shop.write_count() == writes + 1
    assert sorted(shop.skus()) == sorted(every)  # nothing duplicated


async def test_dry_runs_write_nothing_and_preview_each_entity(app, sandbox):
    shop = app.shop
    dry = await app.engine.pull(full=True, dry_run=True)
    assert dry.status == "done" and shop.write_count() == 0
    assert any(f"would create product {_simple(sandbox)}" in r.message for r in app.logs)
    assert (await app.engine.pull(full=True)).status == "done"
    shop.edit(_simple(sandbox), name="Edited in the shop")
    writes = sandbox.unopim.write_count()
    preview = await app.engine.push(changed=True, dry_run=True)
    assert preview.status == "done" and sandbox.unopim.write_count() == writes
    assert any(f"would update product {_simple(sandbox)}" in r.message for r in app.logs)
    assert _scoped(sandbox, _simple(sandbox))["name"] != "Edited in the shop"


@pytest.mark.parametrize("policy", ["trash", "delete"])
async def test_a_product_removed_in_unopim_leaves_the_store_by_the_on_delete_policy(app, sandbox, policy):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url, {"on_delete": policy})
    assert (await app.engine.pull(full=True)).status == "done"
    sku = _simple(sandbox)
    assert unopim_api(sandbox, "DELETE", f"/products/{sku}").status_code == 200
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    left = app.shop.product(sku)
    if policy == "delete":
        assert left is None
    elif app.shop.kind == "woocommerce":
        assert left is None and any(p["sku"] == sku for p in sandbox.woocommerce.products(include_trashed=True))
    else:  # BigCommerce has no trash: hidden, with a Logs row saying so
        assert left is not None and not left["visible"]


# -- push -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("writeback", [False, True])
async def test_a_product_deleted_in_the_store_is_found_by_the_reconciliation(app, sandbox, writeback):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url,
                           {"writeback_delete": "1" if writeback else "0"})
    assert (await app.engine.pull(full=True)).status == "done"
    assert (await app.engine.push(changed=True)).status == "done"  # the first one reconciles
    gone = _simple(sandbox, 2)
    app.shop.delete(gone)
    outcome = await app.engine.push(changed=True, reconcile=True)
    assert outcome.status == "done", _errors(app)
    if writeback:
        assert sandbox.unopim.get_product(gone) is None
        assert any("deleted in UnoPim" in r.message and r.entity == gone for r in app.logs)
    else:
        assert sandbox.unopim.get_product(gone) is not None
        assert any("Write-back deletes is off" in r.message and r.entity == gone for r in app.logs)


async def test_the_cooldown_holds_back_echoes_both_ways(app, sandbox):
    await _debounce(app, 60)
    assert (await app.engine.pull(full=True)).status == "done"
    sku = _simple(sandbox)
    app.shop.edit(sku, name="Edited during cooldown")
    writes = sandbox.unopim.write_count()
    outcome = await app.engine.push(changed=True, entity="products")
    assert sandbox.unopim.write_count() == writes and outcome.totals()["product"]["skipped"] >= 1
    assert any("echo suppress" in r.message and r.entity == sku for r in app.logs)
    await _debounce(app, 0)
    assert (await app.engine.push(changed=True, entity="products")).totals()["product"]["updated"] == 1
    await _debounce(app, 60)
    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Edited in UnoPim meanwhile"}}}}})
    pulled = await app.engine.pull(full=False)
    assert app.shop.product(sku)["name"] == "Edited during cooldown"
    assert pulled.totals()["product"]["skipped"] == 1


@pytest.fixture
def store_side():
    sb = start_sandbox(SandboxOptions(products=12, seed=6, seed_side="store"))
    yield sb
    sb.stop()


@pytest.mark.parametrize("kind", KINDS)
async def test_push_all_from_a_full_store_into_a_fresh_unopim_then_again_writes_nothing(data_dir, store_side, kind):
    async with connected_app(data_dir, store_side, store=kind, cooldown_s=0) as app:
        first = await app.engine.push(changed=False)
        assert first.status == "done", _errors(app)
        shop = Shop(store_side, kind)
        for sku in shop.skus():
            assert store_side.unopim.get_product(sku) is not None, sku
        totals = first.totals()
        assert totals["product"]["created"] == len(shop.skus()) and totals["variant"]["created"] > 0
        writes = store_side.unopim.write_count()
        again = await app.engine.push(changed=False)
        assert again.status == "done", _errors(app)
        assert store_side.unopim.write_count() == writes, [r.message for r in app.logs if "Updated" in r.message]
