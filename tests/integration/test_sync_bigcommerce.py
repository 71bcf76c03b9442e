"""Pull and push with a BigCommerce store, where BigCommerce answers as its reference says (store-apis.md,
Corrections): category names of at most 50 characters, and write answers without images."""

from __future__ import annotations

import pytest

from tests.support.app import bc_api, connected_app, unopim_api
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=8, seed=4))
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox, store="bigcommerce", cooldown_s=0) as a:
        yield a


async def test_a_long_category_name_is_shortened_with_a_logs_row_and_never_pushed_back(app, sandbox):
    root = next(c for c in unopim_api(sandbox, "GET", "/channels").json()["data"] if c["code"] == "default")
    name = "Outdoor and camping equipment for the whole family, all seasons"
    r = unopim_api(sandbox, "POST", "/categories", json={"code": "outdoor_all", "parent": root["root_category"],
                                                          "additional_data": {"locale_specific": {"en_US": {"name": name}}}})
    assert r.status_code == 201, r.text
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"]
    made = [c for c in sandbox.bigcommerce.categories_by_id.values() if c["name"] == name[:50].rstrip()]
    assert len(made) == 1
    assert [r for r in app.logs if r.entity == "outdoor_all" and "shortened" in r.message]
    assert (await app.engine.push(changed=False, entity="categories")).status == "done"
    shown = unopim_api(sandbox, "GET", "/categories/outdoor_all").json()
    assert shown["additional_data"]["locale_specific"]["en_US"]["name"] == name  # not renamed to the short one



async def test_pulled_images_and_inherited_values_are_not_pushed_back_from_bigcommerce(app, sandbox):
    """BigCommerce's write answers carry no image ids (a variant's image has none at all, only its URL): the
    pull reads and records them, so the push knows the store's copies of UnoPim's pictures and uploads
    none of them back."""
    assert (await app.engine.pull(full=True)).status == "done"
    media = len(sandbox.unopim.storage)
    outcome = await app.engine.push(changed=False)
    assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"]
    assert outcome.totals().get("image", {}).get("updated", 0) == 0
    assert len(sandbox.unopim.storage) == media
    # Nor does a variant get UnoPim's values written back into it (3.x: they are its parent's): BigCommerce
    # gives 62.5 for "62.50" and 0 for a dimension never set, which are no edits.
    assert outcome.totals()["variant"]["updated"] == 0
    conf = sandbox.catalogue.configurable_products[0]
    assert all(set(sandbox.unopim.get_product(v["sku"])["values"]) == {"common"} for v in conf["variants"])


# -- BigCommerce's own fields ------------------------------------------------------------------------------
def _scoped(sandbox, sku):
    return sandbox.unopim.get_product(sku)["values"]


def _simple_skus(sandbox):
    return [p["sku"] for p in sandbox.catalogue.products if not p.get("parent")]


async def test_its_own_fields_land_and_a_store_edit_of_each_reaches_unopim(app, sandbox):
    """Page title, meta description and keywords, search keywords, custom URL, cost and retail price, featured
    and brand (Apply defaults maps them to the catalogue's meta_title, meta_description, meta_keywords, tags,
    url_key, cost, msrp, featured and brand); the brand is created in BigCommerce by name when missing."""
    core = await app.mapping.core("bigcommerce")
    assert core.rows["page_title"] == "meta_title" and core.rows["brand"] == "brand"
    assert (await app.engine.pull(full=True)).status == "done", [r.message for r in app.logs if r.level == "error"]
    sku = next(s for s in _simple_skus(sandbox) if _scoped(sandbox, s)["common"].get("brand"))
    values = _scoped(sandbox, sku)
    shown = values["channel_locale_specific"]["default"]["en_US"]
    p = sandbox.bigcommerce.product_by_sku(sku)
    assert p["page_title"] == shown["meta_title"] and p["meta_description"] == shown["meta_description"]
    assert p["meta_keywords"] == [w.strip() for w in shown["meta_keywords"].split(",")]
    assert p["search_keywords"] == ",".join(t.strip() for t in values["common"]["tags"].split(","))
    assert p["custom_url"] == {"url": f"/{values['common']['url_key']}/", "is_customized": True}
    brand = next(o for o in sandbox.catalogue.attribute_options["brand"] if o["code"] == values["common"]["brand"])
    brands = {b["id"]: b["name"] for b in sandbox.bigcommerce.brands_by_id.values()}
    assert brands[p["brand_id"]] == brand["labels"]["en_US"]  # created by name

    made = bc_api(sandbox, "POST", "/v3/catalog/brands", json={"name": "Brand new in the shop"})
    assert made.status_code == 200, made.text
    edit = {"page_title": "Edited title", "cost_price": 9.5, "is_featured": True, "brand_id": made.json()["data"]["id"],
            "meta_keywords": ["one", "two"]}
    assert bc_api(sandbox, "PUT", f"/v3/catalog/products/{p['id']}", json=edit).status_code == 200
    writes = sandbox.unopim.write_count()
    outcome = await app.engine.push(changed=True)
    assert outcome.status == "done", [r.message for r in app.logs if r.level in ("error", "warning")]
    assert sandbox.unopim.write_count() == writes + 2  # the new option, in the attributes step…
    after = _scoped(sandbox, sku)
    now = after["channel_locale_specific"]["default"]["en_US"]
    assert now["meta_title"] == "Edited title" and now["meta_keywords"] == "one, two"
    assert after["channel_specific"]["default"]["cost"]["USD"] == "9.5"
    assert after["channel_specific"]["default"]["featured"] == "true"
    options = {o["code"]: o for o in unopim_api(sandbox, "GET", "/attributes/brand/options").json()}
    assert options[after["common"]["brand"]]["labels"]["en_US"] == "Brand new in the shop"  # …and the product, in one PATCH


async def test_unmapped_rows_keep_the_stores_own_values(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    sku = _simple_skus(sandbox)[0]
    pid = sandbox.bigcommerce.product_by_sku(sku)["id"]
    own = {"warranty": "Two years", "condition": "Refurbished", "availability": "preorder", "is_free_shipping": True}
    assert bc_api(sandbox, "PUT", f"/v3/catalog/products/{pid}", json=own).status_code == 200
    r = unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Renamed in UnoPim"}}}}})
    assert r.status_code == 200, r.text
    assert (await app.engine.pull(full=False)).status == "done"
    p = sandbox.bigcommerce.product_by_sku(sku)
    assert p["name"] == "Renamed in UnoPim"
    assert {k: p[k] for k in own} == own
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=True)).status == "done"
    assert sandbox.unopim.write_count() == writes  # and nothing of them is pushed: no row maps them


async def test_a_name_clash_gets_the_sku_suffix_with_a_logs_row_and_later_updates_keep_it(app, sandbox):
    first, second = _simple_skus(sandbox)[:2]
    name = _scoped(sandbox, first)["channel_locale_specific"]["default"]["en_US"]["name"]
    r = unopim_api(sandbox, "PATCH", f"/products/{second}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": name}}}}})
    assert r.status_code == 200, r.text
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done" and outcome.totals()["product"]["failed"] == 0
    names = {s: sandbox.bigcommerce.product_by_sku(s)["name"] for s in (first, second)}
    clashed = next(s for s, n in names.items() if n != name)
    assert names[clashed] == f"{name} ({clashed})"
    assert [r for r in app.logs if r.entity == clashed and r.level == "warning" and f"({clashed})" in r.message]
    # A later update (its price changed in UnoPim) keeps the suffix, and the suffix is never pushed back.
    r = unopim_api(sandbox, "PATCH", f"/products/{clashed}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"price": {"USD": "42.00"}}}}}})
    assert r.status_code == 200, r.text
    delta = await app.engine.pull(full=False)
    assert delta.status == "done" and delta.totals()["product"]["updated"] == 1, [r.message for r in app.logs]
    p = sandbox.bigcommerce.product_by_sku(clashed)
    assert p["name"] == f"{name} ({clashed})" and p["price"] == 42
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=False)).status == "done"
    assert sandbox.unopim.write_count() == writes
    assert _scoped(sandbox, clashed)["channel_locale_specific"]["default"]["en_US"]["name"] == name


# -- the mapping knows the store kind ---------------------------------------------------------------------
async def test_the_mapping_offers_bigcommerce_rows_and_refuses_what_it_cannot_hold(app, sandbox):
    from unopim_desktop.app.mapping import MappingRefused
    from unopim_desktop.domain import AttributeRow

    core = await app.mapping.core("bigcommerce")
    assert "short_description" not in core.rows and "tags" not in core.rows and "brand" in core.rows
    core.rows["short_description"] = "short_description"
    with pytest.raises(MappingRefused) as refused:
        await app.mapping.save_core(core)
    assert "BigCommerce products have no Short Description" in str(refused.value)
    with pytest.raises(MappingRefused) as refused:
        await app.mapping.save_attribute_rows("default", "en_US", [AttributeRow("Material", "material", "attribute",
                                                                                False)])
    assert "custom field" in str(refused.value)
    # Saved behind the Mapping tab's back (an older version): the run refuses with the same reason.
    from unopim_desktop.state import mapping_repo

    await app.ctx.lane.run(mapping_repo.save_attribute_mapping, sandbox.unopim_url, "default", "en_US",
                           [AttributeRow("Material", "material", "attribute", False)])
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "refused" and sandbox.bigcommerce.write_count() == 0
    assert "custom field" in outcome.channels[0].message


# -- requests near the floor ----------------------------------------------------------------------------
async def test_a_new_product_is_one_request_with_its_variants_images_and_custom_fields(app, sandbox):
    from unopim_desktop.domain import AttributeRow

    await app.mapping.save_attribute_rows("default", "en_US", [AttributeRow("Material", "material", "meta", False)])
    sandbox.bigcommerce_stats.reset()
    assert (await app.engine.pull(full=True)).status == "done"
    routes = sandbox.bigcommerce_stats.snapshot()["by_route"]
    top = len(_simple_skus(sandbox)) + len(sandbox.catalogue.configurable_products)
    assert routes.get("POST /stores/{store_hash}/v3/catalog/products") == top
    assert not [r for r in routes if "/options" in r or "/variants" in r or "/images" in r or "custom-fields" in r]
    for conf in sandbox.catalogue.configurable_products:
        p = sandbox.bigcommerce.product_by_sku(conf["sku"])
        assert {v["sku"] for v in p["variants"] if v["option_values"]} == {v["sku"] for v in conf["variants"]}
        assert p["images"] and all(v["image_url"] for v in p["variants"] if v["option_values"])
    # Every variant price changed in UnoPim: the updates of all products share requests (50 variants each).
    variants = [v["sku"] for c in sandbox.catalogue.configurable_products for v in c["variants"]]
    for sku in variants:
        r = unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
            "default": {"en_US": {"price": {"USD": "11.00"}}}}}})
        assert r.status_code == 200, r.text
    sandbox.bigcommerce_stats.reset()
    delta = await app.engine.pull(full=False)
    assert delta.status == "done" and delta.totals()["variant"]["updated"] == len(variants)
    routes = sandbox.bigcommerce_stats.snapshot()["by_route"]
    assert routes.get("PUT /stores/{store_hash}/v3/catalog/variants", 0) < len(sandbox.catalogue.configurable_products)
    assert routes.get("GET /stores/{store_hash}/v3/catalog/variants", 0) < len(sandbox.catalogue.configurable_products)
