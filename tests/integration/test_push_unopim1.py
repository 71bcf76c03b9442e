"""Pushing into UnoPim 1.x, whose routes differ from 3.x (unopim-api.md §13.4): no option DELETE (the
router's 404 is not "already gone"), no configurable DELETE route (a 405 rendered as 500), and SKUs
validated as slugs (no underscores)."""

from __future__ import annotations

import pytest

from tests.support.app import connected_app, unopim_api, woo_api
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import sync_repo


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=10, seed=3, unopim_version=1))
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox, cooldown_s=0) as a:
        await a.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url, {"writeback_delete": "1"})
        yield a


def _logged(app, needle: str, entity: str | None = None) -> list:
    return [r for r in app.logs if r.category == "push" and needle in r.message
            and (entity is None or r.entity == entity)]


async def test_a_deleted_term_is_never_said_deleted_where_unopim_cannot_delete_options(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    assert (await app.engine.push(changed=False)).status == "done"  # links the terms to their options
    color = next(a for a in woo_api(sandbox, "GET", "/products/attributes").json() if a["name"] == "Color")
    used = {v["attributes"]["color"] for c in sandbox.catalogue.configurable_products for v in c["variants"]}
    terms = woo_api(sandbox, "GET", f"/products/attributes/{color['id']}/terms", params={"per_page": 100}).json()
    options = unopim_api(sandbox, "GET", "/attributes/color/options").json()
    label_of = {o["labels"].get("en_US"): o["code"] for o in options}
    term = next(t for t in terms if label_of.get(t["name"]) not in used)
    option = label_of[term["name"]]
    r = woo_api(sandbox, "DELETE", f"/products/attributes/{color['id']}/terms/{term['id']}", params={"force": "true"})
    assert r.status_code == 200, r.text
    app.logs.clear()
    outcome = await app.engine.push(changed=True, entity="attributes")
    assert outcome.status == "done", outcome.channels[0].message
    assert option in {o["code"] for o in unopim_api(sandbox, "GET", "/attributes/color/options").json()}
    key = f"color/{option}"
    assert not _logged(app, "deleted in UnoPim", key)
    assert _logged(app, "cannot delete an option", key)
    links = await app.ctx.lane.run(sync_repo.load_links, sandbox.unopim_url, "Shop")
    assert ("attribute_option", key) in links  # still in UnoPim: the link stays, the next push says so again


async def test_a_product_already_gone_from_unopim_is_not_looked_for_on_the_configurable_route(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    assert (await app.engine.push(changed=False)).status == "done"
    wc = sandbox.woocommerce
    plain = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    conf = sandbox.catalogue.configurable_products[0]
    assert unopim_api(sandbox, "DELETE", f"/products/{plain}").status_code == 200  # gone in UnoPim already
    for sku in (plain, conf["sku"]):
        r = woo_api(sandbox, "DELETE", f"/products/{wc.product_by_sku(sku)['id']}", params={"force": "true"})
        assert r.status_code == 200, r.text
    app.logs.clear()
    # Two of a small catalogue's products at once is over Max delete: confirmed here, as the merchant would.
    outcome = await app.engine.push(changed=False, entity="products", allow_deletes=True)
    assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"]
    assert _logged(app, "already gone from UnoPim", plain)
    # 1.x has no configurable DELETE route; `/products/{sku}` finds a configurable product too.
    assert sandbox.unopim.get_product(conf["sku"]) is None
    assert all(sandbox.unopim.get_product(v["sku"]) is None for v in conf["variants"])
    assert _logged(app, "deleted in UnoPim", conf["sku"])


async def test_a_sku_with_an_underscore_is_warned_about_before_it_is_sent(app, sandbox):
    core = await app.mapping.core()
    core.default_family = "default"
    await app.mapping.save_core(core)
    assert (await app.engine.pull(full=True)).status == "done"
    r = woo_api(sandbox, "POST", "/products", json={"name": "Under score", "sku": "NEW_ONE", "regular_price": "5.00"})
    assert r.status_code == 201, r.text
    app.logs.clear()
    outcome = await app.engine.push(changed=True, entity="products")
    assert outcome.status == "partial"
    warned = [r for r in _logged(app, "underscore", "NEW_ONE") if r.level == "warning"]
    assert warned, [r.message for r in app.logs]
    failed = [r for r in app.logs if r.entity == "NEW_ONE" and r.level == "error"]
    assert failed and app.logs.index(warned[0]) < app.logs.index(failed[0])
