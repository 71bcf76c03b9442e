"""Push pipeline end to end: WooCommerce sandbox → UnoPim sandbox over loopback, through the engine."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support.app import STORE, connected_app, make_app, unopim_api, woo_api
from unopim_desktop.app.application import App
from unopim_desktop.cli import main
from unopim_desktop.domain import AttributeRow
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import sync_repo

# Attribute rows carried by the mapping, one per attribute type the catalogue has beyond the core fields.
ROWS = [
    AttributeRow("Brand", "brand", "attribute", False),  # select, common
    AttributeRow("Material", "material", "attribute", False),  # select, common
    AttributeRow("Seasons", "seasons", "attribute", False),  # multiselect, common
    AttributeRow("Certifications", "certifications", "meta", False),  # checkbox, common
    AttributeRow("Gift wrap", "gift_wrap", "attribute", False),  # boolean, common
    AttributeRow("Featured", "featured", "meta", False),  # boolean, per channel
    AttributeRow("Subtitle", "subtitle", "meta", False),  # text, per locale
    AttributeRow("Release date", "release_date", "meta", False),  # date, common
]


@pytest.fixture
def sandbox(request):
    opts = getattr(request, "param", None) or SandboxOptions(products=10, seed=3)
    sb = start_sandbox(opts)
    yield sb
    sb.stop()


async def _channel(app, **changes):
    rows = await app.channels.channels()
    for r in rows:
        if r.code == "default":
            for k, v in changes.items():
                setattr(r, k, v)
    await app.channels.save(rows)


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as a:
        yield a


async def _map_rows(app, rows=ROWS):
    mapping = app.mapping
    await mapping.save_attribute_rows("default", "en_US", rows)


async def _set_default_family(app, family):
    mapping = app.mapping
    core = await mapping.core()
    core.default_family = family
    await mapping.save_core(core)


def _leaves(obj, prefix=()):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(_leaves(v, (*prefix, str(k))))
        return out
    return {prefix: obj}


def _diff(before, after):
    a, b = _leaves(before), _leaves(after)
    return {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}


def _touch_all(sb):
    """Save every product and variation without changing anything (their modified dates move)."""
    for p in sb.woocommerce.products():
        sb.woocommerce.touch_product(p["id"])
        for v in sb.woocommerce.variations(p["id"]):
            sb.woocommerce.touch_product(v["id"])


def _push_logs(app, needle, entity=None):
    return [r for r in app.logs if r.category == "push" and needle in r.message and (entity is None or r.entity == entity)]


async def test_round_trip_pull_then_push_all_writes_nothing(app, sandbox):
    await _map_rows(app)
    await _channel(app, debounce_s=0)
    assert (await app.engine.pull(full=True)).status == "done"
    writes = sandbox.unopim.write_count()
    first = await app.engine.push(changed=False)
    assert first.status == "done", first.channels[0].message
    assert sandbox.unopim.write_count() == writes
    # Saved in the store without a change: every record is compared with UnoPim, and still nothing moves.
    await app.ctx.lane.run(_forget_store_hashes, sandbox.unopim_url)
    _touch_all(sandbox)
    again = await app.engine.push(changed=True)
    assert again.status == "done", again.channels[0].message
    assert sandbox.unopim.write_count() == writes, [r.message for r in _push_logs(app, "Updated")]
    totals = again.totals()
    assert totals["product"]["unchanged"] == 10 and totals["product"]["updated"] == 0
    assert totals["variant"]["unchanged"] == sum(len(c["variants"]) for c in sandbox.catalogue.configurable_products)


def _forget_store_hashes(address):
    from unopim_desktop.state.models import Link

    # Product and variant content only: the image links say which pictures came from UnoPim.
    Link.update(store_hash="").where(Link.kind.in_(["product", "variant"])).execute()


def _option_label(sb, attr, code):
    return next(o for o in sb.catalogue.attribute_options[attr] if o["code"] == code)["labels"]["en_US"]


async def test_store_edit_lands_exactly_and_nothing_else_moves(app, sandbox):
    await _map_rows(app)
    await _channel(app, debounce_s=0)
    assert (await app.engine.pull(full=True)).status == "done"
    cat = sandbox.catalogue
    up = next(p for p in cat.products if not p.get("parent") and p["values"]["common"].get("seasons")
              and p["values"]["common"].get("brand") and p["values"]["common"].get("gift_wrap"))
    sku = up["sku"]
    before = sandbox.unopim.get_product(sku)
    wc = sandbox.woocommerce.product_by_sku(sku)
    brand_codes = [o["code"] for o in cat.attribute_options["brand"]]
    new_brand = next(c for c in brand_codes if c != before["values"]["common"]["brand"])
    season_codes = [o["code"] for o in cat.attribute_options["seasons"]]
    new_seasons = [c for c in season_codes if c not in before["values"]["common"]["seasons"].split(",")][:2]
    gift = before["values"]["common"]["gift_wrap"]
    attributes = []
    for a in wc["attributes"]:
        item = {"id": a["id"], "name": a["name"], "options": a["options"], "visible": True, "variation": False}
        if a["name"] == "Brand":
            item["options"] = [_option_label(sandbox, "brand", new_brand)]
        elif a["name"] == "Seasons":
            item["options"] = [_option_label(sandbox, "seasons", c) for c in new_seasons]
        elif a["name"] == "Gift wrap":
            item["options"] = ["No" if gift == "true" else "Yes"]
        attributes.append(item)
    meta = [{"key": "Subtitle", "value": "Edited subtitle"}, {"key": "Featured", "value": "Yes"}]
    r = woo_api(sandbox, "PUT", f"/products/{wc['id']}", json={
        "name": "Edited in the store", "regular_price": "123.45", "attributes": attributes, "meta_data": meta})
    assert r.status_code == 200, r.text
    outcome = await app.engine.push(changed=True, entity="products")
    assert outcome.status == "done", outcome.channels[0].message
    after = sandbox.unopim.get_product(sku)
    changes = _diff(before["values"], after["values"])
    clv = ("channel_locale_specific", "default", "en_US")
    expected = {
        (*clv, "name"): "Edited in the store",
        (*clv, "price", "USD"): "123.45",
        ("common", "brand"): new_brand,
        ("common", "seasons"): ",".join(new_seasons),
        ("common", "gift_wrap"): "false" if gift == "true" else "true",
        ("locale_specific", "en_US", "subtitle"): "Edited subtitle",
        ("channel_specific", "default", "featured"): "true",
    }
    if before["values"].get("channel_specific", {}).get("default", {}).get("featured") == "true":
        expected.pop(("channel_specific", "default", "featured"))
    assert {k: v[1] for k, v in changes.items()} == expected
    # every other channel, locale and currency of the edited attributes is as it was
    for channel, locales in before["values"]["channel_locale_specific"].items():
        for locale, vals in locales.items():
            if (channel, locale) != ("default", "en_US"):
                assert after["values"]["channel_locale_specific"][channel][locale] == vals
    for cur, amount in before["values"]["channel_locale_specific"]["default"]["en_US"]["price"].items():
        if cur != "USD":
            assert after["values"]["channel_locale_specific"]["default"]["en_US"]["price"][cur] == amount
    assert outcome.totals()["product"]["updated"] == 1
    # the edit does not bounce back: the next pull leaves the store alone
    writes = sandbox.woocommerce.write_count()
    await _channel(app, debounce_s=60)
    pulled = await app.engine.pull(full=False)
    assert pulled.status == "done" and sandbox.woocommerce.write_count() == writes


async def test_variation_edit_and_category_assignment_push(app, sandbox):
    await _channel(app, debounce_s=0)
    assert (await app.engine.pull(full=True)).status == "done"
    conf = sandbox.catalogue.configurable_products[0]
    parent = sandbox.woocommerce.product_by_sku(conf["sku"])
    variation = sandbox.woocommerce.variations(parent["id"])[0]
    before_v = sandbox.unopim.get_product(variation["sku"])
    r = woo_api(sandbox, "PUT", f"/products/{parent['id']}/variations/{variation['id']}", json={"regular_price": "77.70"})
    assert r.status_code == 200, r.text
    plain = next(p for p in sandbox.catalogue.products if not p.get("parent") and p["values"].get("categories"))
    wc = sandbox.woocommerce.product_by_sku(plain["sku"])
    before_p = sandbox.unopim.get_product(plain["sku"])
    keep = wc["categories"][:1]
    r = woo_api(sandbox, "PUT", f"/products/{wc['id']}", json={"categories": [{"id": c["id"]} for c in keep]})
    assert r.status_code == 200, r.text
    outcome = await app.engine.push(changed=False)
    assert outcome.status == "done", outcome.channels[0].message
    after_v = sandbox.unopim.get_product(variation["sku"])
    # A 3.x variant's price override holds every currency (the resolver takes the nearer node's whole value):
    # USD as the store says, the others as the variant inherited them (#18).
    inherited = sandbox.unopim.get_product(conf["sku"])["values"]["channel_locale_specific"]["default"]["en_US"]
    path = ("channel_locale_specific", "default", "en_US", "price")
    assert {k: v[1] for k, v in _diff(before_v["values"], after_v["values"]).items()} == {
        **{(*path, cur): amount for cur, amount in inherited["price"].items()}, (*path, "USD"): "77.70"}
    after_p = sandbox.unopim.get_product(plain["sku"])
    assert after_p["values"]["categories"] == [keep[0]["slug"].replace("-", "_")]
    assert _diff({k: v for k, v in before_p["values"].items() if k != "categories"},
                 {k: v for k, v in after_p["values"].items() if k != "categories"}) == {}


@pytest.mark.parametrize("sandbox", [SandboxOptions(products=8, seed=4, seed_side="store")], indirect=True)
async def test_first_push_from_a_full_store_into_a_fresh_unopim(app, sandbox):
    await _set_default_family(app, "default")
    before = sandbox.unopim.counts()
    outcome = await app.engine.push(changed=False)
    assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"][:5]
    wc = sandbox.woocommerce
    for p in wc.products():
        got = sandbox.unopim.get_product(p["sku"])
        assert got is not None, p["sku"]
        assert got["family"] == "default"
        name = got["values"]["channel_locale_specific"]["default"]["en_US"]["name"]
        assert name == p["name"]
        if p["type"] == "variable":
            assert got["type"] == "configurable"
            assert sorted(got["super_attributes"]) == ["color", "size"]
            assert {v["sku"] for v in got["variants"]} == {v["sku"] for v in wc.variations(p["id"])}
            v0 = wc.variations(p["id"])[0]
            gv = sandbox.unopim.get_product(v0["sku"])
            assert gv["parent"] == p["sku"]
            assert gv["values"]["channel_locale_specific"]["default"]["en_US"]["price"]["USD"] == v0["regular_price"]
        else:
            assert got["values"]["channel_locale_specific"]["default"]["en_US"]["price"]["USD"] == p["regular_price"]
            cats = {c["slug"].replace("-", "_") for c in p["categories"] if c["slug"] != "uncategorized"}
            assert set(got["values"].get("categories") or []) == cats
    after = sandbox.unopim.counts()
    assert after["categories"] > before["categories"]
    assert after["attributes"] == before["attributes"] + 1  # Material is new; Color, Size, Brand exist
    assert after["attribute_options"] > before["attribute_options"]
    # and a second push changes nothing
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=False)).status == "done"
    assert sandbox.unopim.write_count() == writes


@pytest.mark.parametrize("sandbox", [SandboxOptions(products=4, seed=4, seed_side="store")], indirect=True)
async def test_missing_family_skips_with_an_info_row_and_leaves_the_store(app, sandbox):
    await _set_default_family(app, "")
    store_writes = sandbox.woocommerce.write_count()
    outcome = await app.engine.push(changed=False, entity="products")
    assert outcome.totals()["product"]["skipped"] == 4
    assert sandbox.unopim.counts()["products"] == 0 and sandbox.woocommerce.write_count() == store_writes
    rows = _push_logs(app, "missing family")
    assert len(rows) == 4 and all(r.level == "info" for r in rows)


async def test_push_off_for_the_channel_skips_it(app, sandbox):
    await _channel(app, push_enabled=False)
    outcome = await app.engine.push(changed=False)
    assert outcome.status == "skipped" and "Push is off" in outcome.channels[0].message
    assert sandbox.unopim.write_count() == 0


async def test_cooldown_both_ways(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"  # debounce stays at the default 60 s
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    wc = sandbox.woocommerce.product_by_sku(sku)
    woo_api(sandbox, "PUT", f"/products/{wc['id']}", json={"name": "Edited during cooldown"})
    writes = sandbox.unopim.write_count()
    outcome = await app.engine.push(changed=True, entity="products")
    assert sandbox.unopim.write_count() == writes
    assert outcome.totals()["product"]["skipped"] >= 1
    assert any(r.level == "info" for r in _push_logs(app, "echo suppress", sku))
    # the other way: once pushed, the next pull leaves that product alone for the cooldown
    await _channel(app, debounce_s=0)
    assert (await app.engine.push(changed=True, entity="products")).totals()["product"]["updated"] == 1
    await _channel(app, debounce_s=60)
    from tests.support.app import unopim_api

    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Edited in UnoPim meanwhile"}}}}})
    pulled = await app.engine.pull(full=False)
    assert sandbox.woocommerce.product_by_sku(sku)["name"] == "Edited during cooldown"
    assert pulled.totals()["product"]["skipped"] == 1


async def test_a_mapping_that_cannot_work_refuses_the_push_before_any_write(app, sandbox):
    # Saved behind the Mapping tab's back (an older version, a hand edit): only the SKU is mapped.
    mapping = app.mapping
    core = await mapping.core()
    core.rows = {k: (v if k == "sku" else "") for k, v in core.rows.items()}
    await app.ctx.lane.run(_save_core_raw, sandbox.unopim_url, core.rows)
    outcome = await app.engine.push(changed=False, entity="products")
    assert sandbox.unopim.write_count() == 0
    channel = outcome.channels[0]
    assert (outcome.status, channel.status, channel.action) == ("refused", "refused", "mapping")
    assert "Name: Name must be mapped" in channel.message and "nothing was written" in channel.message


def _save_core_raw(address, rows):
    from unopim_desktop.state import mapping_repo

    mapping_repo.save_core_mapping(address, rows, "default")


async def test_422_is_logged_with_sku_attribute_and_message_and_the_rest_goes_on(app, sandbox):
    await _channel(app, debounce_s=0)
    assert (await app.engine.pull(full=True)).status == "done"
    plain = [p for p in sandbox.catalogue.products if not p.get("parent")]
    bad, good = plain[0]["sku"], plain[1]["sku"]
    sandbox.woocommerce.touch_product(sandbox.woocommerce.product_by_sku(bad)["id"], weight="heavy")
    woo_api(sandbox, "PUT", f"/products/{sandbox.woocommerce.product_by_sku(good)['id']}", json={"name": "Fine"})
    outcome = await app.engine.push(changed=True, entity="products")
    assert outcome.status == "partial"
    errors = [r for r in app.logs if r.level == "error" and r.entity == bad]
    assert errors and "422" in errors[0].message and "weight" in errors[0].message and bad in errors[0].message
    assert sandbox.unopim.get_product(good)["values"]["channel_locale_specific"]["default"]["en_US"]["name"] == "Fine"


@pytest.mark.parametrize("writeback", [False, True])
async def test_writeback_deletes(app, sandbox, writeback):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url,
                           {"writeback_delete": "1" if writeback else "0"})
    await _channel(app, debounce_s=0)
    assert (await app.engine.pull(full=True)).status == "done"
    plain = [p["sku"] for p in sandbox.catalogue.products if not p.get("parent")]
    trashed, deleted = plain[0], plain[1]
    wc = sandbox.woocommerce
    assert woo_api(sandbox, "DELETE", f"/products/{wc.product_by_sku(trashed)['id']}").status_code == 200
    assert woo_api(sandbox, "DELETE", f"/products/{wc.product_by_sku(deleted)['id']}",
                   params={"force": "true"}).status_code == 200
    outcome = await app.engine.push(changed=False, entity="products")
    assert outcome.status == "done", outcome.channels[0].message
    assert sandbox.unopim.get_product(trashed) is not None  # trash = intent only
    assert _push_logs(app, "trash", trashed)
    if writeback:
        assert sandbox.unopim.get_product(deleted) is None
        assert _push_logs(app, "deleted in UnoPim", deleted)
    else:
        assert sandbox.unopim.get_product(deleted) is not None
        assert _push_logs(app, "Write-back deletes is off", deleted)


@pytest.mark.parametrize("writeback", [False, True])
async def test_writeback_deletes_for_categories(app, sandbox, writeback):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url,
                           {"writeback_delete": "1" if writeback else "0"})
    await _channel(app, debounce_s=0)
    assert (await app.engine.pull(full=True)).status == "done"
    used = {c for p in sandbox.catalogue.products for c in p["values"].get("categories", [])}
    parents = {c.get("parent") for c in sandbox.catalogue.categories}
    leaf = next(c["code"] for c in sandbox.catalogue.categories
                if c["code"] not in parents and c["code"] not in used and c.get("parent"))
    store_id = next(c for c in woo_api(sandbox, "GET", "/products/categories", params={"per_page": 100}).json()
                    if c["slug"] == leaf.replace("_", "-"))["id"]
    assert woo_api(sandbox, "DELETE", f"/products/categories/{store_id}", params={"force": "true"}).status_code == 200
    outcome = await app.engine.push(changed=False, entity="categories")
    assert outcome.status == "done", outcome.channels[0].message
    codes = {c["code"] for c in unopim_api(sandbox, "GET", "/categories", params={"limit": 100}).json()["data"]}
    assert (leaf not in codes) == writeback
    assert _push_logs(app, "deleted in UnoPim too" if writeback else "UnoPim keeps it", leaf)


async def test_dry_run_writes_nothing(app, sandbox):
    await _channel(app, debounce_s=0)
    assert (await app.engine.pull(full=True)).status == "done"
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    woo_api(sandbox, "PUT", f"/products/{sandbox.woocommerce.product_by_sku(sku)['id']}", json={"name": "Dry"})
    writes = sandbox.unopim.write_count()
    outcome = await app.engine.push(changed=True, dry_run=True)
    assert outcome.status == "done" and sandbox.unopim.write_count() == writes
    assert _push_logs(app, f"dry-run: would update product {sku}")


def test_cli_push_all_json_summary_and_exit_codes(data_dir, capsys):
    sb = start_sandbox(SandboxOptions(products=4, seed=4, seed_side="store"))
    try:
        async def setup() -> None:
            ctx = App.open(data_dir)
            a = await make_app(ctx, sb)
            await _set_default_family(a, "default")
            await a.close()
            ctx.close()

        asyncio.run(setup())
        d = ["--data-dir", str(data_dir)]
        capsys.readouterr()
        assert main([*d, "sync", "push", "--all", "--json"]) == 0
        summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert summary["job"] == "push_all" and summary["status"] == "done"
        assert summary["totals"]["product"]["created"] == 4
        assert summary["channels"][0]["store"] == STORE
        assert main([*d, "sync", "push", "--changed", "--entity", "products", "--json"]) == 0
        again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert again["job"] == "push_changed" and again["totals"].get("product", {}).get("created", 0) == 0
        assert main([*d, "sync", "push", "--all", "--channel", "nope"]) == 2
    finally:
        sb.stop()
