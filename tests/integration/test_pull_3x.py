"""Pull from UnoPim in its real 3.x modes (unopim-api.md §13): variants that inherit from their parent,
two-level variant structures no route exposes, and a server whose clock column is not UTC."""

from __future__ import annotations

import pytest

from tests.support.app import connected_app, unopim_api, woo_api
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.sandbox.unopim.variant_groups import make_two_level

WEST = "America/Los_Angeles"  # UnoPim's APP_TIMEZONE: its date filters compare in it


@pytest.fixture
def sandbox(request):
    opts = getattr(request, "param", None) or SandboxOptions(products=12, seed=3, unopim_timezone=WEST)
    sb = start_sandbox(opts)
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as a:
        yield a


def _variation_prices(sandbox, parent_sku: str) -> dict[str, str]:
    parent = sandbox.woocommerce.product_by_sku(parent_sku)
    return {v["sku"]: v["regular_price"] for v in sandbox.woocommerce.variations(parent["id"])}


async def test_a_parent_edit_reaches_its_inheriting_variants_on_a_delta(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    conf = sandbox.catalogue.configurable_products[0]
    own = conf["variants"][0]["sku"]  # this one overrides the price; the others inherit it
    r = unopim_api(sandbox, "PATCH", f"/products/{own}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"price": {"USD": "11.00"}}}}}})
    assert r.status_code == 200, r.text
    assert (await app.engine.pull(full=False)).status == "done"
    # The parent's price moves; its variants' own `updated_at` does not.
    r = unopim_api(sandbox, "PATCH", f"/configurable-products/{conf['sku']}", json={"values": {
        "channel_locale_specific": {"default": {"en_US": {"price": {"USD": "88.00"}}}}}})
    assert r.status_code == 200, r.text
    before = {v["sku"]: sandbox.unopim.get_product(v["sku"])["updated_at"] for v in conf["variants"]}
    outcome = await app.engine.pull(full=False)
    assert outcome.status == "done"
    assert {v["sku"]: sandbox.unopim.get_product(v["sku"])["updated_at"] for v in conf["variants"]} == before
    prices = _variation_prices(sandbox, conf["sku"])
    assert prices == {v["sku"]: "11.00" if v["sku"] == own else "88.00" for v in conf["variants"]}
    assert outcome.totals()["variant"]["updated"] == len(conf["variants"]) - 1  # the override did not move


@pytest.fixture
async def pushing_app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox, cooldown_s=0) as a:
        yield a


async def test_a_variation_edit_is_pushed_as_an_override_and_nothing_inherited_is_copied(pushing_app, sandbox):
    app = pushing_app
    assert (await app.engine.pull(full=True)).status == "done"
    conf = sandbox.catalogue.configurable_products[0]
    parent = sandbox.woocommerce.product_by_sku(conf["sku"])
    variations = sandbox.woocommerce.variations(parent["id"])
    edited = variations[0]
    r = woo_api(sandbox, "PUT", f"/products/{parent['id']}/variations/{edited['id']}", json={"regular_price": "61.25"})
    assert r.status_code == 200, r.text
    outcome = await app.engine.push(changed=True)
    assert outcome.status == "done", outcome.channels[0].message
    variant = next(p for p in sandbox.catalogue.products if p["sku"] == edited["sku"])
    axes = {a: variant["values"]["common"][a] for a in conf["super_attributes"]}
    # The price is one value in UnoPim: the override holds every currency (3.x's resolver takes the nearer
    # node's whole value), the ones the store did not change as the parent has them (#18).
    inherited = sandbox.unopim.get_product(conf["sku"])["values"]["channel_locale_specific"]["default"]["en_US"]
    assert sandbox.unopim.get_product(edited["sku"])["values"] == {
        "common": {**axes, "sku": edited["sku"]},
        "channel_locale_specific": {"default": {"en_US": {"price": {**inherited["price"], "USD": "61.25"}}}}}
    for other in variations[1:]:  # untouched: still inheriting everything
        assert set(sandbox.unopim.get_product(other["sku"])["values"]) == {"common"}
    # Compared with UnoPim once more (Push All): the store shows what UnoPim shows, so nothing is written.
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=False)).status == "done"
    assert sandbox.unopim.write_count() == writes


async def test_a_two_level_product_is_reported_and_none_of_it_is_written(app, sandbox):
    two_level, *others = sandbox.catalogue.configurable_products
    groups = make_two_level(sandbox.unopim, two_level["sku"])
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert sandbox.woocommerce.product_by_sku(two_level["sku"]) is None
    assert all(sandbox.woocommerce.product_by_sku(v["sku"]) is None for v in two_level["variants"])
    rows = [r for r in app.logs if r.level == "warning" and "two-level variant structure" in r.message]
    assert {r.entity for r in rows} >= {two_level["sku"]}
    assert all(sandbox.woocommerce.product_by_sku(c["sku"])["type"] == "variable" for c in others)
    totals = outcome.totals()
    assert totals["product"]["failed"] == 0 and totals["variant"]["skipped"] == len(two_level["variants"])
    # A leaf edited later, on a delta: its parent is a group no route returns; still nothing written.
    leaf = two_level["variants"][0]["sku"]
    r = unopim_api(sandbox, "PATCH", f"/products/{leaf}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"price": {"USD": "5.00"}}}}}})
    assert r.status_code == 200, r.text
    app.logs.clear()
    delta = await app.engine.pull(full=False)
    assert delta.status == "done"
    assert sandbox.woocommerce.product_by_sku(leaf) is None
    assert [r for r in app.logs if r.level == "warning" and r.entity in groups and "variant group" in r.message]


async def test_a_product_made_two_level_in_unopim_is_not_pushed_into(pushing_app, sandbox):
    app = pushing_app
    assert (await app.engine.pull(full=True)).status == "done"
    conf = sandbox.catalogue.configurable_products[0]
    make_two_level(sandbox.unopim, conf["sku"])  # restructured in UnoPim's admin after the pull
    parent = sandbox.woocommerce.product_by_sku(conf["sku"])
    variation = sandbox.woocommerce.variations(parent["id"])[0]
    r = woo_api(sandbox, "PUT", f"/products/{parent['id']}/variations/{variation['id']}", json={"regular_price": "3.00"})
    assert r.status_code == 200, r.text
    writes = sandbox.unopim.write_count()
    outcome = await app.engine.push(changed=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert sandbox.unopim.write_count() == writes
    assert [r for r in app.logs if r.entity == conf["sku"] and "two-level variant structure" in r.message]


async def test_a_delta_on_a_server_west_of_utc_misses_nothing_changed_since_the_last_pull(app, sandbox):
    """UnoPim compares the `updated_at` filter with a column in its APP_TIMEZONE while its answers show UTC: a
    watermark sent as UTC hides, west of UTC, every change of the last hours before it (unopim-api §13.3)."""
    assert sandbox.unopim.zone.key == WEST
    assert (await app.engine.pull(full=True)).status == "done"
    plain = [p["sku"] for p in sandbox.catalogue.products if not p.get("parent")]
    for sku in plain[:2]:
        r = unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
            "default": {"en_US": {"name": f"Renamed {sku}"}}}}})
        assert r.status_code == 200, r.text
    writes = sandbox.woocommerce.write_count()
    outcome = await app.engine.pull(full=False)
    assert outcome.status == "done"
    assert [sandbox.woocommerce.product_by_sku(s)["name"] for s in plain[:2]] == [f"Renamed {s}" for s in plain[:2]]
    # The wider window re-reads what changed before the watermark too; the UTC stamps leave it out.
    totals = outcome.totals()["product"]
    assert (totals["updated"], totals["unchanged"]) == (2, 0) and sandbox.woocommerce.write_count() == writes + 2
