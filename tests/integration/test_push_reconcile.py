"""Changed push vs. periodic reconciliation: a variation-only edit, a renamed term (compared on every
push), what dates miss (deletes, a variation saved without its parent), and a reconciliation of an
unchanged catalogue."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.app import connected_app, make_app, unopim_api, woo_api
from unopim_desktop.app.application import App
from unopim_desktop.cli import main
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import sync_repo


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=10, seed=3))
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox, cooldown_s=0) as a:  # these tests are about what a push sees, not echoes
        yield a


def _unopim_products(sb) -> dict[str, dict]:
    """Every product UnoPim holds (simple, variants, configurable), by SKU, as the API shows it."""
    cat = sb.catalogue
    skus = [p["sku"] for p in cat.products] + [c["sku"] for c in cat.configurable_products]
    return {sku: sb.unopim.get_product(sku) for sku in skus}


def _changed_skus(before: dict[str, dict], after: dict[str, dict]) -> set[str]:
    def comparable(item):  # the write time moves with any write; the content is what counts
        return None if item is None else {k: v for k, v in item.items() if k not in ("updated_at",)}
    return {sku for sku in before.keys() | after.keys() if comparable(before.get(sku)) != comparable(after.get(sku))}


async def _pulled_and_reconciled(app, sb) -> None:
    """A pull, then the first changed push (a reconciliation: none happened yet): the baseline. Then
    every store date is moved an hour back, as if all that happened long before the next push (the
    changed push re-reads a few seconds before its watermark, which would hide what dates miss)."""
    assert (await app.engine.pull(full=True)).status == "done"
    first = await app.engine.push(changed=True)
    assert first.status == "done", first.channels[0].message
    assert _logged(app, "Reconciliation: comparing everything (never done before")
    app.logs.clear()
    with sb.woocommerce.lock:
        for record in (*sb.woocommerce.product_records.values(), *sb.woocommerce.variation_records.values()):
            record["date_modified"] -= dt.timedelta(hours=1)


def _logged(app, needle: str, entity: str | None = None) -> list:
    return [r for r in app.logs if r.category == "push" and needle in r.message
            and (entity is None or r.entity == entity)]


def _a_variation(sb) -> tuple[dict, dict]:
    parent = sb.woocommerce.product_by_sku(sb.catalogue.configurable_products[0]["sku"])
    return parent, sb.woocommerce.variations(parent["id"])[1]


async def test_a_variation_only_edit_reaches_unopim_on_a_plain_changed_push(app, sandbox):
    await _pulled_and_reconciled(app, sandbox)
    parent, variation = _a_variation(sandbox)
    before = _unopim_products(sandbox)
    writes = sandbox.unopim.write_count()
    # The merchant edits only the variation (WooCommerce saves its parent with it: the parent's date moves).
    r = woo_api(sandbox, "PUT", f"/products/{parent['id']}/variations/{variation['id']}",
                json={"regular_price": "61.25"})
    assert r.status_code == 200, r.text
    outcome = await app.engine.push(changed=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert not _logged(app, "Reconciliation")  # the dates found it
    after = _unopim_products(sandbox)
    assert _changed_skus(before, after) == {variation["sku"]}
    assert after[variation["sku"]]["values"]["channel_locale_specific"]["default"]["en_US"]["price"]["USD"] == "61.25"
    assert sandbox.unopim.write_count() == writes + 1
    assert outcome.totals()["variant"]["updated"] == 1 and outcome.totals()["product"]["updated"] == 0


async def test_a_variation_saved_without_its_parent_waits_for_the_reconciliation(app, sandbox):
    await _pulled_and_reconciled(app, sandbox)
    parent, variation = _a_variation(sandbox)
    # A direct database edit (or an older store): the variation changes, its parent's date does not.
    sandbox.woocommerce.touch_product(variation["id"], regular_price="62.50")
    assert sandbox.woocommerce.product_by_sku(parent["sku"])["date_modified_gmt"] == parent["date_modified_gmt"]

    def price():  # what UnoPim shows (3.x: the variant's own price, else its parent's)
        got = sandbox.unopim.displayed_values(variation["sku"])
        return got["channel_locale_specific"]["default"]["en_US"]["price"]["USD"]

    old = price()
    assert (await app.engine.push(changed=True)).status == "done"
    assert price() == old
    outcome = await app.engine.push(changed=True, reconcile=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert _logged(app, "Reconciliation: comparing everything (asked for with --reconcile; last one 0 h ago)")
    assert price() == "62.50"


async def test_a_renamed_term_reaches_unopim_on_a_plain_changed_push(app, sandbox):
    await _pulled_and_reconciled(app, sandbox)
    attributes = woo_api(sandbox, "GET", "/products/attributes").json()
    color = next(a for a in attributes if a["name"] == "Color")  # a variant axis: the pull made it global
    term = woo_api(sandbox, "GET", f"/products/attributes/{color['id']}/terms").json()[0]
    options = unopim_api(sandbox, "GET", "/attributes/color/options").json()
    option = next(o for o in options if o["labels"].get("en_US") == term["name"])
    r = woo_api(sandbox, "PUT", f"/products/attributes/{color['id']}/terms/{term['id']}", json={"name": "Sunset Renamed"})
    assert r.status_code == 200, r.text

    def label():
        found = unopim_api(sandbox, "GET", "/attributes/color/options").json()
        return next(o for o in found if o["code"] == option["code"])["labels"]["en_US"]

    writes = sandbox.unopim.write_count()
    # No product date moved and no reconciliation is due: terms are compared on every push anyway.
    outcome = await app.engine.push(changed=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert not _logged(app, "Reconciliation")
    assert label() == "Sunset Renamed"
    assert sandbox.unopim.write_count() == writes + 1  # the option, nothing else
    # the term's store hash is recorded: the next push does not write it again
    assert (await app.engine.push(changed=True)).totals().get("attribute_option", {}).get("updated", 0) == 0
    assert sandbox.unopim.write_count() == writes + 1


@pytest.mark.parametrize("writeback", [False, True])
async def test_a_permanent_delete_is_found_by_the_reconciliation(app, sandbox, writeback):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url,
                           {"writeback_delete": "1" if writeback else "0"})
    await _pulled_and_reconciled(app, sandbox)
    plain_skus = [p["sku"] for p in sandbox.catalogue.products if not p.get("parent")]
    deleted, trashed = plain_skus[0], plain_skus[1]
    wc = sandbox.woocommerce
    assert woo_api(sandbox, "DELETE", f"/products/{wc.product_by_sku(deleted)['id']}",
                   params={"force": "true"}).status_code == 200
    assert woo_api(sandbox, "DELETE", f"/products/{wc.product_by_sku(trashed)['id']}").status_code == 200
    parent, variation = _a_variation(sandbox)  # variations have no trash: a delete is permanent
    assert woo_api(sandbox, "DELETE", f"/products/{parent['id']}/variations/{variation['id']}",
                   params={"force": "true"}).status_code == 200
    writes = sandbox.unopim.write_count()
    assert (await app.engine.push(changed=True)).status == "done"
    assert sandbox.unopim.write_count() == writes and not _logged(app, "deleted", deleted)  # dates miss deletes
    outcome = await app.engine.push(changed=True, reconcile=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert sandbox.unopim.get_product(trashed) is not None and _logged(app, "trash", trashed)  # intent only
    if writeback:
        assert sandbox.unopim.get_product(deleted) is None and sandbox.unopim.get_product(variation["sku"]) is None
        assert _logged(app, "deleted in UnoPim", deleted) and _logged(app, "deleted in UnoPim", variation["sku"])
        assert sandbox.unopim.write_count() == writes + 2
    else:
        assert sandbox.unopim.get_product(deleted) is not None and sandbox.unopim.get_product(variation["sku"])
        assert _logged(app, "Write-back deletes is off", deleted)
        assert _logged(app, "Write-back deletes is off", variation["sku"])
        assert sandbox.unopim.write_count() == writes


async def test_reconciling_an_unchanged_catalogue_writes_nothing_and_reads_no_product(app, sandbox):
    await _pulled_and_reconciled(app, sandbox)
    writes = sandbox.unopim.write_count()
    stats = sandbox.unopim_stats
    reads = stats.count("GET", "/api/v1/rest/products/{sku}") + stats.count("GET", "/api/v1/rest/configurable-products/{sku}")
    outcome = await app.engine.push(changed=True, reconcile=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert sandbox.unopim.write_count() == writes
    totals = outcome.totals()
    assert totals["product"]["unchanged"] == 10 and totals["product"]["updated"] == 0
    assert totals["category"]["updated"] == 0 and totals["attribute_option"]["updated"] == 0
    # Every store record matched its link's store hash: UnoPim was not asked for a single product.
    after = stats.count("GET", "/api/v1/rest/products/{sku}") + stats.count("GET", "/api/v1/rest/configurable-products/{sku}")
    assert after == reads


def test_cli_reconcile_hours_setting_and_flag(data_dir, sandbox, capsys):
    import asyncio

    async def setup() -> None:
        ctx = App.open(data_dir)
        a = await make_app(ctx, sandbox)
        await a.close()
        ctx.close()

    asyncio.run(setup())
    d = ["--data-dir", str(data_dir)]
    capsys.readouterr()
    assert main([*d, "settings"]) == 0
    assert "Reconcile every:  24 h" in capsys.readouterr().out
    assert main([*d, "settings", "--reconcile-hours", "6"]) == 0
    assert "Reconcile every:  6 h" in capsys.readouterr().out
    assert main([*d, "settings", "--reconcile-hours", "-1"]) == 2
    assert "whole number" in capsys.readouterr().err
    assert main([*d, "settings", "--reconcile-hours", "0"]) == 0
    assert "every changed push" in capsys.readouterr().out
    assert main([*d, "sync", "push", "--all", "--reconcile"]) == 2
    assert main([*d, "sync", "push", "--changed", "--reconcile", "--dry-run", "--json"]) == 0
