"""Every locale and every currency on BigCommerce (#18): price lists per currency and the GraphQL
Translations API, against the sandbox store with an Enterprise plan and a Catalyst channel switched on (or
off, for the degrade paths), over loopback."""

from __future__ import annotations

import pytest

from tests.support.app import STORE, bc_api, connected_app
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

WRITE = """mutation($input: UpdateTranslationsInput!) { translation { updateTranslations(input: $input) {
  errors { __typename ... on Error { message } } } } }"""


def _options(**kw) -> SandboxOptions:
    return SandboxOptions(products=6, seed=5, **kw)


@pytest.fixture
def enterprise():
    sb = start_sandbox(_options(bigcommerce_currencies=("EUR", "GBP"), bigcommerce_price_lists=True,
                                bigcommerce_locales=("en", "fr", "de")))
    yield sb
    sb.stop()


async def _map(app, *, locales=None, currencies=None) -> None:
    rows = await app.channels.channels()
    for row in rows:
        if row.code == "default":
            row.locale_map, row.currency_map = dict(locales or {}), dict(currencies or {})
    await app.channels.save(rows)


@pytest.fixture
async def app(data_dir, enterprise):
    async with connected_app(data_dir, enterprise, store="bigcommerce", cooldown_s=0) as a:
        core = await a.mapping.core()
        core.rows["short_description"] = ""  # BigCommerce has no short description
        await a.mapping.save_core(core)
        await _map(a, locales={"fr_FR": "fr", "de_DE": "de"}, currencies={"EUR": "EUR", "GBP": "GBP"})
        yield a


def _errors(app) -> list[str]:
    return [r.message for r in app.logs if r.level == "error"]


def _simple(sb: Sandbox) -> str:
    return [p["sku"] for p in sb.catalogue.products if not p.get("parent")][0]


def _pim(sb: Sandbox, sku: str, code: str, locale: str = "en_US") -> object:
    return sb.unopim.get_product(sku)["values"]["channel_locale_specific"]["default"][locale][code]


def _records(sb: Sandbox) -> dict[tuple[str, str], float]:
    i18n = sb.bigcommerce.i18n
    return {(r["sku"], r["currency"]): r["price"] for r in i18n.records.values()}


def _translation(sb: Sandbox, kind: str, store_id: int, lang: str) -> dict[str, str]:
    return sb.bigcommerce.i18n.translations.get((kind, store_id, "bc/store/channel/1", lang), {})


async def test_prices_go_to_a_price_list_and_texts_to_the_translations_api(app, enterprise):
    sb = enterprise
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    lists = list(sb.bigcommerce.i18n.lists.values())
    assert [pl["name"] for pl in lists] == ["UnoPim default"]
    assert [(a["price_list_id"], a["channel_id"]) for a in sb.bigcommerce.i18n.assignments.values()] == [
        (lists[0]["id"], 1)]
    sku = _simple(sb)
    price = _pim(sb, sku, "price")
    records = _records(sb)
    assert records[(sku, "EUR")] == float(price["EUR"]) and records[(sku, "GBP")] == float(price["GBP"])
    assert not any(cur == "USD" for _, cur in records)  # the base currency is the catalog price
    product = sb.bigcommerce.product_by_sku(sku)
    assert _translation(sb, "PRODUCTS", product["id"], "fr")["name"] == _pim(sb, sku, "name", "fr_FR")
    assert _translation(sb, "PRODUCTS", product["id"], "de")["name"] == _pim(sb, sku, "name", "de_DE")
    assert any(k[0] == "CATEGORIES" for k in sb.bigcommerce.i18n.translations)
    # Every variant of a product with options has its own records; no record for such a product itself.
    conf = sb.catalogue.configurable_products[0]["sku"]
    assert not any(s == conf for s, _ in records)
    assert any(s.startswith(conf) for s, _ in records)


async def test_a_round_trip_writes_nothing_and_a_french_name_or_eur_price_comes_back_alone(app, enterprise):
    sb = enterprise
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    store_writes, pim_writes = sb.bigcommerce.write_count(), sb.unopim.write_count()
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    assert (await app.engine.push(changed=False)).status == "done", _errors(app)
    assert sb.bigcommerce.write_count() == store_writes and sb.unopim.write_count() == pim_writes

    sku = _simple(sb)
    product = sb.bigcommerce.product_by_sku(sku)
    before = sb.unopim.get_product(sku)["values"]
    r = bc_api(sb, "POST", "/graphql", json={"query": WRITE, "variables": {"input": {
        "resourceType": "PRODUCTS", "channelId": "bc/store/channel/1", "localeId": "bc/store/locale/fr",
        "entities": [{"resourceId": f"bc/store/product/{product['id']}",
                      "fields": [{"fieldName": "name", "value": "Chaise du magasin"}]}]}}})
    assert r.status_code == 200 and not r.json()["data"]["translation"]["updateTranslations"]["errors"], r.text
    list_id = next(iter(sb.bigcommerce.i18n.lists))
    r = bc_api(sb, "PUT", f"/v3/pricelists/{list_id}/records", json=[{"sku": sku, "currency": "EUR", "price": 77.7}])
    assert r.status_code == 200, r.text
    # BigCommerce moves no product date for either edit: Push All (or the reconciliation) compares them.
    pushed = await app.engine.push(changed=False)
    assert pushed.status == "done", _errors(app)
    after = sb.unopim.get_product(sku)["values"]
    assert _pim(sb, sku, "name", "fr_FR") == "Chaise du magasin"
    assert float(_pim(sb, sku, "price")["EUR"]) == 77.7
    before["channel_locale_specific"]["default"]["fr_FR"]["name"] = "Chaise du magasin"
    before["channel_locale_specific"]["default"]["en_US"]["price"]["EUR"] = after["channel_locale_specific"][
        "default"]["en_US"]["price"]["EUR"]
    assert after == before  # exactly those two values
    writes = sb.bigcommerce.write_count()
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    assert sb.bigcommerce.write_count() == writes


async def test_a_plan_without_price_lists_and_a_channel_without_translations_keep_one_of_each(data_dir):
    sb = start_sandbox(_options(bigcommerce_currencies=("EUR",)))
    try:
        async with connected_app(data_dir, sb, store="bigcommerce", cooldown_s=0) as app:
            core = await app.mapping.core()
            core.rows["short_description"] = ""
            await app.mapping.save_core(core)
            await _map(app, locales={"fr_FR": "fr"}, currencies={"EUR": "EUR"})
            assert (await app.engine.pull(full=True)).status == "done", _errors(app)
            messages = [r.message for r in app.logs]
            assert any("no price lists" in m and "Enterprise" in m for m in messages), messages[:12]
            assert any("Translations API is not available" in m for m in messages)
            assert {r.entity for r in app.logs if r.level == "warning" and r.entity in ("fr_FR", "EUR")} == {
                "fr_FR", "EUR"}
            assert not sb.bigcommerce.i18n.lists and not sb.bigcommerce.i18n.translations
    finally:
        sb.stop()


async def test_a_negative_price_in_another_currency_refuses_the_product_before_the_store(app, enterprise):
    sb = enterprise
    sku = _simple(sb)
    record = sb.unopim.find_product(sku)
    values = record["values"]
    values["channel_locale_specific"]["default"]["en_US"]["price"]["GBP"] = "-5"
    sb.unopim.set_values(record, values)
    assert (await app.engine.pull(full=True)).status == "partial"
    assert sb.bigcommerce.product_by_sku(sku) is None and not any(s == sku for s, _ in _records(sb))
    rows = [r for r in app.logs if r.entity == sku and r.level == "error"]
    assert len(rows) == 1 and "its price -5 GBP is negative; correct it in UnoPim" in rows[0].message


async def test_a_record_the_price_list_refuses_is_kept_on_that_item_alone(app, enterprise):
    """The 422 `batch_errors` of a records upsert (partial success): the refused currency lands on its item
    (the pull's Logs row names it), the others are saved."""
    from unopim_desktop.domain import StorePrice

    sb = enterprise
    assert (await app.engine.pull(full=True)).status == "done", _errors(app)
    sku = _simple(sb)
    adapter = await app.app.stores.adapter(STORE)
    async with adapter:
        await adapter.i18n_capabilities({}, currencies=("EUR", "GBP"))
        product = await adapter.get_product(sb.bigcommerce.product_by_sku(sku)["id"])
        assert product is not None
        product.prices = {"EUR": StorePrice("41.5", ""), "GBP": StorePrice("-5", "")}
        result = await adapter.upsert_products([product])
    answer = result.updated[0]
    assert answer.price_errors == {"GBP": "price: must not be negative"}
    assert _records(sb)[(sku, "EUR")] == 41.5


async def test_a_price_the_price_list_refused_is_written_by_the_next_delta(app, enterprise):
    """A record the store refuses though the connector's checks pass: a Logs row and a partial run, then the
    next delta (nothing changed in UnoPim) writes it, and the one after reads nothing again."""
    sb = enterprise
    sku = _simple(sb)
    gbp = str(_pim(sb, sku, "price")["GBP"])
    sb.bigcommerce.i18n.refuse_once[(sku.lower(), "GBP")] = "The price is outside the list's allowed range."
    first = await app.engine.pull(full=True)
    refused = [r for r in app.logs if r.level == "error"]
    assert first.status == "partial" and [(r.entity, r.message) for r in refused] == [
        (sku, f"The GBP price of product {sku} was not written: price: The price is outside the list's "
              "allowed range.")]
    assert (sku, "GBP") not in _records(sb) and (sku, "EUR") in _records(sb)
    app.logs.clear()
    delta = await app.engine.pull(full=False)
    assert delta.status == "done", _errors(app)
    assert _records(sb)[(sku, "GBP")] == float(gbp)
    assert delta.totals()["product"]["updated"] == 1
    again = await app.engine.pull(full=False)
    assert again.status == "done" and not again.totals().get("product", {}).get("updated")
