"""A first Push All cancelled half way ends, after the next Push All, in the same UnoPim state as an
uninterrupted run: nothing lost, nothing duplicated (UnoPim keys products by SKU, and the push reads a
product before it writes it, so a product written just before the stop is updated, not created twice)."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.support.app import make_app
from unopim_desktop.app.application import App
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.sync.events import StepProgress

OPTS = dict(products=24, seed=5, latency_ms=10, seed_side="store")
VOLATILE = ("created_at", "updated_at")
# BigCommerce keeps one related-products list, so the order UnoPim's sections get depends on which products
# were already there when a product was first pushed: compared as sets.
ASSOCIATION_LISTS = ("up_sells", "cross_sells", "related_products")


def _comparable(value):
    """UnoPim files an upload under its own product id (`product/<id>/…`), which follows the order the
    products were created in; the rest of the path (but the number BigCommerce puts in its image file names) and
    every other value must match."""
    if isinstance(value, dict):
        return {k: sorted(map(str, _comparable(v))) if k in ASSOCIATION_LISTS and isinstance(v, list) else _comparable(v)
                for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, str):
        # BigCommerce's copies of an image carry a number of its own in the file name (per store, not per run).
        return re.sub(r"__\d+(\.\w+)$", r"__*\1", re.sub(r"^product/\d+/", "product/*/", value))
    return value


def _store_skus(sb: Sandbox, kind: str) -> list[str]:
    if kind == "bigcommerce":
        return [s for p in sb.bigcommerce.products()
                for s in [p["sku"], *(v["sku"] for v in p["variants"] if v["option_values"])]]
    skus = [p["sku"] for p in sb.woocommerce.products()]
    return skus + [v["sku"] for p in sb.woocommerce.products() if p["type"] == "variable"
                   for v in sb.woocommerce.variations(p["id"])]


def unopim_state(sb: Sandbox, kind: str = "woocommerce") -> dict:
    """What UnoPim holds, by SKU, without the write times; plus the option and category counts."""
    skus = _store_skus(sb, kind)
    products = {}
    for sku in skus:
        item = sb.unopim.get_product(sku)
        products[sku] = None if item is None else _comparable(item)
    counts = sb.unopim.counts()
    return {"products": products, "counts": {k: counts[k] for k in ("products", "attribute_options", "categories")
                                             if k in counts}}


async def _app(data_dir, sb: Sandbox, kind: str = "woocommerce"):
    ctx = App.open(data_dir, in_flight=1)
    app = await make_app(ctx, sb, cooldown_s=0, store=kind)
    mapping = app.mapping
    core = await mapping.core()
    core.default_family = "default"  # a fresh UnoPim: new products go to the Default family
    await mapping.save_core(core)
    return ctx, app


async def _reference(tmp_path, kind: str = "woocommerce") -> dict:
    sb = await asyncio.to_thread(start_sandbox, SandboxOptions(**OPTS))
    try:
        ctx, app = await _app(tmp_path / "reference", sb, kind)
        outcome = await app.engine.push(changed=False)
        assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"][:5]
        await app.close()
        ctx.close()
        _assert_associations_arrived(sb, kind)
        return unopim_state(sb, kind)
    finally:
        sb.stop()


def _assert_associations_arrived(sb: Sandbox, kind: str = "woocommerce") -> None:
    """Every upsell and cross-sell the store names is in UnoPim, including those naming a product listed
    after the one that holds them (which did not exist in UnoPim yet when that one was written)."""
    if kind == "bigcommerce":  # one related-products list: each of them is an up-sell or a cross-sell
        sku_of = {p["id"]: p["sku"] for p in sb.bigcommerce.products()}
        checked = 0
        for p in sb.bigcommerce.products():
            assoc = (sb.unopim.get_product(p["sku"])["values"].get("associations") or {})
            want = {sku_of[i] for i in p["related_products"] if i in sku_of}
            assert want <= set(assoc.get("up_sells") or []) | set(assoc.get("cross_sells") or []), (p["sku"], want)
            checked += len(want)
        assert checked, "the catalogue should have associations to check"
        return
    wc = sb.woocommerce
    sku_of = {p["id"]: p["sku"] for p in wc.products()}
    checked = 0
    for p in wc.products():
        assoc = (sb.unopim.get_product(p["sku"])["values"].get("associations") or {})
        for field, section in (("upsell_ids", "up_sells"), ("cross_sell_ids", "cross_sells")):
            want = {sku_of[i] for i in p[field] if i in sku_of}
            assert want <= set(assoc.get(section) or []), (p["sku"], section, want, assoc)
            checked += len(want)
    assert checked, "the catalogue should have associations to check"


@pytest.mark.parametrize("kind", ["woocommerce", "bigcommerce"])
async def test_cancelled_push_all_resumes_to_the_same_unopim_state(tmp_path, kind):
    expected = await _reference(tmp_path, kind)
    assert all(expected["products"].values())  # the reference pushed every store product
    sb = await asyncio.to_thread(start_sandbox, SandboxOptions(**OPTS))
    ctx, app = await _app(tmp_path / "app", sb, kind)
    app.engine.push_batch_size = 4  # several batches, so the cancel lands between two of them
    try:
        def cancel_mid_way(event):
            if isinstance(event, StepProgress) and event.step == "products" and event.done >= 6:
                app.engine.cancel()

        unsubscribe = app.bus.subscribe(cancel_mid_way)
        first = await app.engine.push(changed=False)
        unsubscribe()
        assert first.status == "cancelled"
        partial = unopim_state(sb, kind)
        assert 0 < sum(1 for p in partial["products"].values() if p) < len(expected["products"])
        second = await app.engine.push(changed=False)
        assert second.status == "done", second.channels[0].message
        assert unopim_state(sb, kind) == expected
        await app.close()
    finally:
        ctx.close()
        sb.stop()
