"""Every locale and every currency on WooCommerce (#18): WPML/WCML translations and CURCY or WCML prices,
against the sandbox store with those plugins switched on, over loopback. Round trips per locale and
currency, resume without duplicated translations, and the degrade paths (no plugin, unknown currency)."""

from __future__ import annotations

import json

import pytest

from tests.support.app import connected_app, unopim_api, woo_api
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

LANGS = ("en", "fr", "de")


def _options(**kw) -> SandboxOptions:
    return SandboxOptions(products=6, seed=5, **kw)


@pytest.fixture
def wpml_curcy():
    sb = start_sandbox(_options(wpml_languages=LANGS, curcy_currencies=("EUR", "GBP")))
    yield sb
    sb.stop()


async def _map(app, *, locales: dict[str, str] | None = None, currencies: dict[str, str] | None = None) -> None:
    rows = await app.channels.channels()
    for row in rows:
        if row.code == "default":
            row.locale_map = dict(locales or {})
            row.currency_map = dict(currencies or {})
    await app.channels.save(rows)


def _simple(sb: Sandbox, n: int = 0) -> str:
    return [p["sku"] for p in sb.catalogue.products if not p.get("parent")][n]


def _configurable(sb: Sandbox) -> str:
    return sb.catalogue.configurable_products[0]["sku"]


def _pim_value(sb: Sandbox, sku: str, code: str, locale: str = "en_US") -> object:
    return sb.unopim.get_product(sku)["values"]["channel_locale_specific"]["default"][locale][code]


def _group(sb: Sandbox, sku: str) -> dict[str, dict]:
    """The store's original product with this SKU and its translations, by language."""
    original = sb.woocommerce.product_by_sku(sku)
    with sb.woocommerce.lock:
        from unopim_desktop.sandbox.woocommerce.render import render_product

        return {lang: render_product(sb.woocommerce, sb.woocommerce.product_records[pid], sb.woocommerce.site_url)
                for lang, pid in original["translations"].items()}


def _meta(product: dict, key: str) -> object:
    return next((m["value"] for m in product["meta_data"] if m["key"] == key), None)


def _errors(app) -> list[str]:
    return [r.message for r in app.logs if r.level == "error"]


@pytest.fixture
async def app(data_dir, wpml_curcy):
    async with connected_app(data_dir, wpml_curcy, cooldown_s=0) as a:
        await a.app.stores.set_settings("Shop", plugin_currencies="EUR, GBP")
        await _map(a, locales={"fr_FR": "fr", "de_DE": "de"}, currencies={"EUR": "EUR", "GBP": "GBP"})
        yield a


async def test_every_locale_and_currency_reaches_a_wpml_and_curcy_store(app, wpml_curcy):
    sb = wpml_curcy
    pulled = await app.engine.pull(full=True)
    assert pulled.status == "done", _errors(app)
    sku = _simple(sb)
    group = _group(sb, sku)
    assert sorted(group) == ["de", "en", "fr"]
    assert group["fr"]["name"] == _pim_value(sb, sku, "name", "fr_FR")
    assert group["de"]["name"] == _pim_value(sb, sku, "name", "de_DE")
    assert group["en"]["name"] == _pim_value(sb, sku, "name")
    # WCML copied the SKU and the price into the translations; the app never sent them there.
    assert group["fr"]["sku"] == sku and group["fr"]["regular_price"] == group["en"]["regular_price"]
    price = _pim_value(sb, sku, "price")
    assert json.loads(_meta(group["en"], "_regular_price_wmcp")) == {"EUR": price["EUR"], "GBP": price["GBP"]}
    # CURCY ships no WPML config: its prices are on every language's product.
    assert _meta(group["fr"], "_regular_price_wmcp") == _meta(group["en"], "_regular_price_wmcp")
    # Only the originals count as products; their translations are linked, not duplicated.
    counts = sb.woocommerce.counts()
    originals = len([p for p in sb.catalogue.products if not p.get("parent")]) + len(sb.catalogue.configurable_products)
    assert counts["products"] == originals * 3
    # Categories and attribute terms were translated first.
    fr_categories = woo_api(sb, "GET", "/products/categories", params={"lang": "fr", "per_page": 100}).json()
    assert len(fr_categories) > 1 and all(c["lang"] == "fr" for c in fr_categories)
    # A variable product's translation has WCML's translated variations, each linked.
    conf = _group(sb, _configurable(sb))
    assert len(sb.woocommerce.variations(conf["fr"]["id"])) == len(sb.woocommerce.variations(conf["en"]["id"])) > 0


async def test_a_round_trip_writes_nothing_and_a_french_name_or_eur_price_comes_back_alone(app, wpml_curcy):
    sb = wpml_curcy
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    store_writes, pim_writes = sb.woocommerce.write_count(), sb.unopim.write_count()
    again = await app.engine.pull(full=True)
    assert again.status == "done", _errors(app)
    pushed = await app.engine.push(changed=False)
    assert pushed.status == "done", _errors(app)
    assert sb.woocommerce.write_count() == store_writes and sb.unopim.write_count() == pim_writes, (
        [r.message for r in app.logs if "dry-run" in r.message or "Updated" in r.message][:10])

    sku = _simple(sb)
    group = _group(sb, sku)
    before = sb.unopim.get_product(sku)["values"]
    r = woo_api(sb, "PUT", f"/products/{group['fr']['id']}", json={"name": "Chaise du magasin"})
    assert r.status_code == 200, r.text
    curcy = json.loads(_meta(group["en"], "_regular_price_wmcp"))
    curcy["EUR"] = "77.70"
    r = woo_api(sb, "PUT", f"/products/{group['en']['id']}",
                json={"meta_data": [{"key": "_regular_price_wmcp", "value": json.dumps(curcy)}]})
    assert r.status_code == 200, r.text
    pushed = await app.engine.push(changed=True)
    assert pushed.status == "done", _errors(app)
    after = sb.unopim.get_product(sku)["values"]
    assert _pim_value(sb, sku, "name", "fr_FR") == "Chaise du magasin"
    assert _pim_value(sb, sku, "price")["EUR"] == "77.70"
    # Exactly those two values changed.
    cls_before, cls_after = before["channel_locale_specific"], after["channel_locale_specific"]
    cls_before["default"]["fr_FR"]["name"] = "Chaise du magasin"
    cls_before["default"]["en_US"]["price"]["EUR"] = "77.70"
    assert cls_after == cls_before and {k: v for k, v in after.items() if k != "channel_locale_specific"} == {
        k: v for k, v in before.items() if k != "channel_locale_specific"}
    # And the next pull writes nothing back.
    store_writes = sb.woocommerce.write_count()
    assert (await app.engine.pull(full=False)).status == "done", _errors(app)
    assert sb.woocommerce.write_count() == store_writes


# -- WCML multi-currency: custom prices per variation --------------------------------------------------
async def test_wcml_prices_go_on_each_variation_and_a_eur_edit_comes_back(data_dir):
    sb = start_sandbox(_options(wcml_currencies=("EUR", "GBP")))
    try:
        async with connected_app(data_dir, sb, cooldown_s=0) as app:
            await _map(app, currencies={"EUR": "EUR", "GBP": "GBP"})
            assert (await app.engine.pull(full=True)).status == "done", _errors(app)
            assert any("WCML multi-currency" in r.message for r in app.logs), [r.message for r in app.logs][:8]
            parent = sb.woocommerce.product_by_sku(_configurable(sb))
            variation = sb.woocommerce.variations(parent["id"])[0]
            pim = sb.unopim.get_product(variation["sku"])
            # 3.x variants inherit their parent's price: what UnoPim shows for the variant.
            price = _pim_value(sb, _configurable(sb), "price") if "channel_locale_specific" not in pim["values"] \
                else pim["values"]["channel_locale_specific"]["default"]["en_US"].get("price") \
                or _pim_value(sb, _configurable(sb), "price")
            assert _meta(variation, "_wcml_custom_prices_status") == "1"
            assert _meta(variation, "_regular_price_EUR") == price["EUR"]
            assert _meta(variation, "_price_GBP") == price["GBP"]
            writes = sb.unopim.write_count()
            assert (await app.engine.push(changed=False)).status == "done", _errors(app)
            assert sb.unopim.write_count() == writes
            r = woo_api(sb, "PUT", f"/products/{parent['id']}/variations/{variation['id']}",
                        json={"meta_data": [{"key": "_regular_price_EUR", "value": "55.50"}]})
            assert r.status_code == 200, r.text
            assert (await app.engine.push(changed=True)).status == "done", _errors(app)
            values = sb.unopim.get_product(variation["sku"])["values"]
            # The variant now holds its own price (3.x: an override of the parent's whole value): EUR as the
            # store says, the other currencies as it inherited them.
            assert values["channel_locale_specific"]["default"]["en_US"]["price"] == {**price, "EUR": "55.50"}
            assert sb.unopim.write_count() == writes + 1
    finally:
        sb.stop()


# -- the degrade paths -----------------------------------------------------------------------------------
async def test_without_plugins_one_locale_and_one_currency_reach_the_store_with_a_note(data_dir):
    sb = start_sandbox(_options())
    try:
        async with connected_app(data_dir, sb, cooldown_s=0) as app:
            await _map(app, locales={"fr_FR": "fr"}, currencies={"EUR": "EUR"})
            assert (await app.engine.pull(full=True)).status == "done", _errors(app)
            notes = [r for r in app.logs if r.entity in ("fr_FR", "EUR")]
            assert {r.entity for r in notes} == {"fr_FR", "EUR"} and all(r.level == "warning" for r in notes)
            assert "one locale per channel" in next(r.message for r in notes if r.entity == "fr_FR")
            sku = _simple(sb)
            product = sb.woocommerce.product_by_sku(sku)
            assert "lang" not in product and not any(m["key"].endswith("wmcp") for m in product["meta_data"])
            assert sb.woocommerce.counts()["products"] == len(sb.woocommerce.products())
    finally:
        sb.stop()


async def test_a_currency_the_plugin_does_not_know_is_skipped_with_a_warning(data_dir):
    sb = start_sandbox(_options(curcy_currencies=("EUR",)))
    try:
        async with connected_app(data_dir, sb, cooldown_s=0) as app:
            await app.app.stores.set_settings("Shop", plugin_currencies="EUR")
            await _map(app, currencies={"EUR": "EUR", "GBP": "GBP"})
            assert (await app.engine.pull(full=True)).status == "done", _errors(app)
            skipped = [r for r in app.logs if r.entity == "GBP"]
            assert skipped and skipped[0].level == "warning" and "do not know GBP" in skipped[0].message
            meta = json.loads(_meta(sb.woocommerce.product_by_sku(_simple(sb)), "_regular_price_wmcp"))
            assert set(meta) == {"EUR"}
    finally:
        sb.stop()


async def test_translations_switched_off_in_the_store_settings_send_one_locale(data_dir, wpml_curcy):
    async with connected_app(data_dir, wpml_curcy, cooldown_s=0) as app:
        await app.app.stores.set_settings("Shop", translations="off")
        await _map(app, locales={"fr_FR": "fr"})
        assert (await app.engine.pull(full=True)).status == "done", _errors(app)
        assert all(set(p["translations"]) == {"en"} for p in wpml_curcy.woocommerce.products())
        assert any("switched off" in r.message for r in app.logs)


async def test_an_inactive_store_language_is_left_out_before_any_write(data_dir, wpml_curcy):
    async with connected_app(data_dir, wpml_curcy, cooldown_s=0) as app:
        await _map(app, locales={"fr_FR": "fr", "de_DE": "es"})  # es is not active in WPML
        assert (await app.engine.pull(full=True)).status == "done", _errors(app)
        assert any(r.entity == "de_DE" and "not an active language" in r.message for r in app.logs)
        langs = {lang for p in wpml_curcy.woocommerce.products() for lang in p["translations"]}
        assert langs == {"en", "fr"}
        # No stray term from a refused translation: every category is in a language WPML has.
        cats = woo_api(wpml_curcy, "GET", "/products/categories", params={"lang": "all", "per_page": 100}).json()
        assert {c["lang"] for c in cats} == {"en", "fr"}


# -- resume: translations the app made but never linked ----------------------------------------------------
def _forget_links() -> int:
    from unopim_desktop.state.models import Link

    return Link.delete().where(Link.kind.in_(["product", "variant", "translation", "association"])).execute()


async def test_translations_made_but_never_linked_are_adopted_not_created_again(app, wpml_curcy):
    """A run that stopped after the store saved products and translations, before linking them: the next run
    finds the originals by SKU and each translation through its original's map."""
    sb = wpml_curcy
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    posts = sb.woocommerce.counts()["products"]
    terms = sb.woocommerce.counts()["categories"]
    assert await app.ctx.lane.run(_forget_links) > 0
    sku = _simple(sb)
    r = unopim_api(sb, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {"default": {
        "fr_FR": {"name": "Chaise renommée"}}}}})
    assert r.status_code == 200, r.text
    again = await app.engine.pull(full=True)
    assert again.status == "done", _errors(app)
    assert sb.woocommerce.counts()["products"] == posts and sb.woocommerce.counts()["categories"] == terms
    assert _group(sb, sku)["fr"]["name"] == "Chaise renommée"
    assert again.totals()["product"].get("created", 0) == 0


async def test_a_french_name_changed_on_both_sides_is_a_conflict_unopim_wins(app, wpml_curcy):
    sb = wpml_curcy
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    sku = _simple(sb)
    r = woo_api(sb, "PUT", f"/products/{_group(sb, sku)['fr']['id']}", json={"name": "Nom du magasin"})
    assert r.status_code == 200, r.text
    r = unopim_api(sb, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {"default": {
        "fr_FR": {"name": "Nom de UnoPim"}}}}})
    assert r.status_code == 200, r.text
    pushed = await app.engine.push(changed=True)
    assert pushed.status == "done", _errors(app)
    assert _pim_value(sb, sku, "name", "fr_FR") == "Nom de UnoPim"  # never reverted by the push
    conflict = [r for r in app.logs if r.entity == sku and "Conflict" in r.message]
    assert conflict and "field name@fr" in conflict[0].message
    assert (await app.engine.pull(full=False)).status == "done", _errors(app)
    assert _group(sb, sku)["fr"]["name"] == "Nom de UnoPim"
    open_ = await app.app.conflicts.list(status=None)
    assert [c["field"] for c in open_] == ["name@fr"]


async def test_a_translation_the_store_refused_is_written_by_the_next_run(app, wpml_curcy):
    """A refused translation is a Logs row and a partial run, and the next delta writes it: the product is
    neither recorded as synced nor left out until UnoPim changes it."""
    from tests.support.faults import scripted
    from unopim_desktop.sandbox.faults import FaultRule

    sb = wpml_curcy
    refusal = FaultRule("answer", method="POST", path="/wp-json/wc/v3/products$", status=400, times=1,
                        body=json.dumps({"code": "wpml_refused", "message": "The translation was refused.",
                                         "data": {"status": 400}}).encode())
    with scripted(sb, "woocommerce", refusal):
        first = await app.engine.pull(full=True)
    assert refusal.hits == 1
    refused = [r for r in app.logs if r.level == "error" and "translation of" in r.message]
    assert first.status == "partial" and len(refused) == 1, _errors(app)
    sku = refused[0].entity
    lang = refused[0].message.split("The ", 1)[1].split(" ", 1)[0]
    assert lang not in _group(sb, sku)
    app.logs.clear()
    again = await app.engine.pull(full=False)  # a delta, though UnoPim did not change the product
    assert again.status == "done", _errors(app)
    assert lang in _group(sb, sku)
    assert again.totals()["product"]["updated"] == 1  # that product alone: the others are synced
    assert sorted(_group(sb, sku)) == sorted(LANGS)
    # The original and one translation per language, none made twice (WCML gives translations the SKU).
    assert len([p for p in sb.woocommerce.products() if p["sku"] == sku]) == len(LANGS)


async def test_a_changed_translation_the_store_refused_is_written_by_the_next_delta(app, wpml_curcy):
    """An update, not a create: the store keeps its old French name when it refuses the new one, and the
    next delta writes UnoPim's (the refused name is not recorded as agreed, nor the old one taken for a
    store edit), while a push in between leaves UnoPim's new name alone."""
    from tests.support.faults import scripted
    from unopim_desktop.sandbox.faults import FaultRule

    sb = wpml_curcy
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    sku = _simple(sb)
    french = _group(sb, sku)["fr"]
    r = unopim_api(sb, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {"default": {
        "fr_FR": {"name": "Chaise renommée"}}}}})
    assert r.status_code == 200, r.text
    refusal = FaultRule("answer", method="PUT", path=f"/wp-json/wc/v3/products/{french['id']}$", status=400,
                        times=1, body=json.dumps({"code": "wpml_refused", "message": "The translation was refused.",
                                                  "data": {"status": 400}}).encode())
    app.logs.clear()
    with scripted(sb, "woocommerce", refusal):
        first = await app.engine.pull(full=False)
    assert refusal.hits == 1 and first.status == "partial"
    assert [r.entity for r in app.logs if r.level == "error"] == [sku]
    assert _group(sb, sku)["fr"]["name"] == french["name"]
    assert (await app.engine.push(changed=True)).status == "done", _errors(app)
    assert _pim_value(sb, sku, "name", "fr_FR") == "Chaise renommée"
    app.logs.clear()
    again = await app.engine.pull(full=False)
    assert again.status == "done", _errors(app)
    assert _group(sb, sku)["fr"]["name"] == "Chaise renommée"
    assert not [r for r in app.logs if "Conflict" in r.message]
