"""Pull pipeline end to end: UnoPim sandbox → WooCommerce sandbox over loopback, through the engine."""

from __future__ import annotations

import pytest

from tests.support.app import connected_app, make_app, store_state, unopim_api, woo_api
from unopim_desktop.app.application import App
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import sync_repo
from unopim_desktop.state.sync_repo import LinkWrite

WEST = "America/New_York"


@pytest.fixture
def sandbox(request):
    # UnoPim's APP_TIMEZONE west of UTC, as many real installs: its date filters compare in that zone.
    opts = getattr(request, "param", None) or SandboxOptions(products=12, seed=3, unopim_timezone=WEST)
    sb = start_sandbox(opts)
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as a:
        yield a


def _label(cat, attr_code, option, locale="en_US"):
    opts = {o["code"]: o for o in cat.attribute_options[attr_code]}
    return opts[option]["labels"].get(locale, option)


async def test_full_pull_lands_every_entity_kind_field_by_field(app, sandbox):
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done", outcome.channels[0].message
    cat = sandbox.catalogue
    wc = sandbox.woocommerce
    # attributes as global attributes with their options as terms
    names = {a["name"] for a in wc.products()[0]["attributes"]} | set()
    assert wc.counts()["attributes"] >= 2 and wc.counts()["terms"] >= 4
    # categories as a tree with parents
    by_id = {c["id"]: c for p in wc.products() for c in p["categories"]}
    assert by_id
    # every product, with the mapped fields as UnoPim has them (channel default, en_US, USD)
    plain = [p for p in cat.products if not p.get("parent")]
    for up in plain:
        sku = up["sku"]
        p = wc.product_by_sku(sku)
        assert p is not None, sku
        cls = up["values"]["channel_locale_specific"]["default"]["en_US"]
        assert p["name"] == cls["name"]
        assert p["regular_price"] == cls["price"]["USD"]
        assert p["type"] == "simple"
        assert p["status"] == ("publish" if up["status"] else "draft")
        tags = [t for t in (up["values"]["common"].get("tags") or "").split(",") if t]
        assert sorted(t["name"] for t in p["tags"]) == sorted(tags)
        assert len(p["images"]) == 1 + len(up["values"]["common"].get("gallery", "").split(",")) \
            if up["values"]["common"].get("gallery") else len(p["images"]) == 1
        assert p["stock_quantity"] == int(up["values"]["common"]["quantity"])
        assert p["weight"] == up["values"]["common"]["weight"]
        cats = {c["slug"] for c in p["categories"]}
        assert cats == {c.replace("_", "-") for c in up["values"]["categories"]}
    # configurable → variable with every variation (price, SKU, stock, image, axis values)
    for conf in cat.configurable_products:
        p = wc.product_by_sku(conf["sku"])
        assert p["type"] == "variable"
        axes = {a["name"]: a for a in p["attributes"] if a["variation"]}
        assert set(axes) == {"Color", "Size"}
        variations = {v["sku"]: v for v in wc.variations(p["id"])}
        assert set(variations) == {v["sku"] for v in conf["variants"]}
        for v in conf["variants"]:
            # What UnoPim shows for the variant: on 3.x it stores only its axes and SKU, the rest is its
            # parent's (the API returns the stored values; the store must get what UnoPim shows).
            shown = sandbox.unopim.displayed_values(v["sku"])
            got = variations[v["sku"]]
            assert got["regular_price"] == shown["channel_locale_specific"]["default"]["en_US"]["price"]["USD"]
            assert got["weight"] == shown["common"]["weight"]
            stem = shown["common"]["image"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
            assert got["image"] and stem in got["image"]["src"]  # WordPress may add "-1" to a second copy
            got_axes = {a["name"]: a["option"] for a in got["attributes"]}
            assert got_axes == {"Color": _label(cat, "color", v["attributes"]["color"]),
                                "Size": _label(cat, "size", v["attributes"]["size"])}
    # associations as upsells / cross-sells
    with_up = [p for p in plain + cat.configurable_products if p["values"].get("associations", {}).get("up_sells")]
    for up in with_up:
        p = wc.product_by_sku(up["sku"])
        want = {wc.product_by_sku(s)["id"] for s in up["values"]["associations"]["up_sells"]}
        assert set(p["upsell_ids"]) == want
    assert names is not None


async def test_rerun_and_delta_write_nothing_and_duplicate_nothing(app, sandbox):
    await app.engine.pull(full=True)
    first = store_state(sandbox)
    writes = sandbox.woocommerce.write_count()
    again = await app.engine.pull(full=True)
    assert again.status == "done"
    assert sandbox.woocommerce.write_count() == writes
    delta = await app.engine.pull(full=False)
    assert delta.status == "done"
    assert sandbox.woocommerce.write_count() == writes
    assert store_state(sandbox) == first
    skus = [p["sku"] for p in sandbox.woocommerce.products()]
    assert len(skus) == len(set(skus))


async def test_delta_pulls_only_what_changed(app, sandbox):
    await app.engine.pull(full=True)
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    r = unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Renamed in UnoPim"}}}}})
    assert r.status_code == 200, r.text
    writes = sandbox.woocommerce.write_count()
    outcome = await app.engine.pull(full=False)
    assert outcome.status == "done"
    assert sandbox.woocommerce.product_by_sku(sku)["name"] == "Renamed in UnoPim"
    assert sandbox.woocommerce.write_count() == writes + 1
    assert outcome.totals()["product"]["updated"] == 1


async def test_delta_of_a_variant_alone_reads_its_parent_not_every_configurable(app, sandbox):
    await app.engine.pull(full=True)
    variant = next(p for p in sandbox.catalogue.products if p.get("parent"))
    r = unopim_api(sandbox, "PATCH", f"/products/{variant['sku']}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"price": {"USD": "77.70"}}}}}})
    assert r.status_code == 200, r.text
    sandbox.unopim_stats.reset()
    outcome = await app.engine.pull(full=False)
    assert outcome.status == "done"
    parent = sandbox.woocommerce.product_by_sku(variant["parent"])
    prices = {v["sku"]: v["regular_price"] for v in sandbox.woocommerce.variations(parent["id"])}
    assert prices[variant["sku"]] == "77.70"
    assert outcome.totals()["variant"]["updated"] == 1
    routes = sandbox.unopim_stats.snapshot()["by_route"]
    # The configurable listing is read once, filtered to what changed (plus the one-item probe for its
    # spelling), not once in full for the axes and again for the products; the parent is read alone.
    assert sum(n for route, n in routes.items() if route.startswith("GET ") and "configurable-products" in route
               and "{" not in route) == 2
    assert sum(n for route, n in routes.items() if route.startswith("GET ") and "configurable-products/{" in route) == 1


async def test_dry_run_writes_nothing_and_previews_each_entity(app, sandbox):
    outcome = await app.engine.pull(full=True, dry_run=True)
    assert outcome.status == "done"
    assert sandbox.woocommerce.write_count() == 0
    previews = [row.message for row in app.logs if row.message.startswith("dry-run")]
    sku = sandbox.catalogue.products[0]["sku"]
    assert any(f"would create product {sku}" in m for m in previews)
    assert any("would create category" in m for m in previews)


@pytest.mark.parametrize("policy", ["trash", "delete", "skip"])
async def test_on_delete_policy_for_products_removed_in_unopim(app, sandbox, policy):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url, {"on_delete": policy})
    await app.engine.pull(full=True)
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    assert unopim_api(sandbox, "DELETE", f"/products/{sku}").status_code == 200
    await app.engine.pull(full=True)
    kept = sandbox.woocommerce.product_by_sku(sku)
    trashed = [p for p in sandbox.woocommerce.products(include_trashed=True) if p["sku"] == sku or
               p.get("status") == "trash"]
    if policy == "skip":
        assert kept is not None and kept["status"] != "trash"
    elif policy == "trash":
        assert trashed and trashed[0]["status"] == "trash"
    else:
        assert kept is None and not trashed


async def test_cooldown_skips_a_product_just_pushed(app, sandbox):
    await app.engine.pull(full=True)
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    link = sandbox.woocommerce.product_by_sku(sku)
    await app.ctx.lane.run(sync_repo.commit_batch, sandbox.unopim_url, "Shop",
                           [LinkWrite("product", sku, link["id"], pushed=True)])
    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Edited during cooldown"}}}}})
    outcome = await app.engine.pull(full=False)
    assert sandbox.woocommerce.product_by_sku(sku)["name"] != "Edited during cooldown"
    assert outcome.totals()["product"]["skipped"] == 1
    assert any("echo suppress" in r.message and r.entity == sku for r in app.logs)


async def test_pull_off_for_the_channel_skips_it(app, sandbox):
    rows = await app.channels.channels()
    for r in rows:
        r.pull_enabled = False
    await app.channels.save(rows)
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "skipped" and sandbox.woocommerce.write_count() == 0
    assert "Pull is off" in outcome.channels[0].message


async def test_existing_store_product_with_the_sku_is_adopted_not_duplicated(app, sandbox):
    victim = next(p for p in sandbox.catalogue.products if not p.get("parent"))
    r = woo_api(sandbox, "POST", "/products", json={"name": "Made by hand", "sku": victim["sku"]})
    assert r.status_code == 201, r.text
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done"
    matching = [p for p in sandbox.woocommerce.products() if p["sku"] == victim["sku"]]
    assert len(matching) == 1 and matching[0]["id"] == r.json()["id"]
    assert matching[0]["name"] != "Made by hand"
    assert any("Adopted the existing store product" in row.message for row in app.logs)


async def test_one_failing_product_is_logged_and_the_rest_goes_on(app, sandbox):
    # A variation elsewhere in the store already holds one product's SKU: that product cannot be created.
    plain = [p for p in sandbox.catalogue.products if not p.get("parent")]
    victim = plain[0]
    squatter = woo_api(sandbox, "POST", "/products", json={"name": "Squatter", "type": "variable"}).json()
    r = woo_api(sandbox, "POST", f"/products/{squatter['id']}/variations", json={"sku": victim["sku"]})
    assert r.status_code == 201, r.text
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "partial"
    errors = [row for row in app.logs if row.level == "error" and row.entity == victim["sku"]]
    assert errors and "SKU" in errors[0].message
    for other in plain[1:] + sandbox.catalogue.configurable_products:
        assert sandbox.woocommerce.product_by_sku(other["sku"]) is not None
    assert outcome.totals()["product"]["failed"] == 1


@pytest.mark.parametrize("sandbox", [SandboxOptions(products=8, seed=5, fault_rate=0.15)], indirect=True)
async def test_faults_are_retried_and_the_result_is_complete(app, sandbox):
    # A fault can land on a create (never blindly re-sent) or an image; each run picks up what the last one
    # missed, so a few runs converge on the complete store.
    for _ in range(5):
        outcome = await app.engine.pull(full=True)
        if outcome.status == "done":
            break
    assert outcome.status == "done", outcome.channels[0].message
    skus = [p["sku"] for p in sandbox.woocommerce.products()]
    assert len(skus) == len(set(skus))
    skus = {p["sku"] for p in sandbox.woocommerce.products()}
    assert skus == {p["sku"] for p in sandbox.catalogue.products if not p.get("parent")} | {
        p["sku"] for p in sandbox.catalogue.configurable_products}


@pytest.mark.parametrize("sandbox", [SandboxOptions(products=10, seed=7, unopim_version=1)], indirect=True)
async def test_full_pull_and_delta_on_unopim_1(app, sandbox):
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert len(sandbox.woocommerce.products()) == 10
    writes = sandbox.woocommerce.write_count()
    delta = await app.engine.pull(full=False)
    assert delta.status == "done" and sandbox.woocommerce.write_count() == writes
    assert any("comparing dates" in r.message for r in app.logs)


async def test_full_pull_into_bigcommerce_through_the_same_interface(data_dir):
    sb = start_sandbox(SandboxOptions(products=10, seed=4))
    ctx = App.open(data_dir)
    try:
        app = await make_app(ctx, sb, store="bigcommerce")
        outcome = await app.engine.pull(full=True)
        assert outcome.status == "done", outcome.channels[0].message
        cat = sb.catalogue
        for conf in cat.configurable_products:
            p = sb.bigcommerce.product_by_sku(conf["sku"])
            assert {v["sku"] for v in p["variants"] if v.get("option_values")} == {v["sku"] for v in conf["variants"]}
        for up in (p for p in cat.products if not p.get("parent")):
            p = sb.bigcommerce.product_by_sku(up["sku"])
            assert p["name"] == up["values"]["channel_locale_specific"]["default"]["en_US"]["name"]
            assert float(p["price"]) == float(up["values"]["channel_locale_specific"]["default"]["en_US"]["price"]["USD"])
        writes = sb.bigcommerce.write_count()
        assert (await app.engine.pull(full=False)).status == "done"
        assert sb.bigcommerce.write_count() == writes
        await app.close()
    finally:
        ctx.close()
        sb.stop()
