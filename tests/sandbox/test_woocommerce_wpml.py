"""The WooCommerce sandbox with WPML + WooCommerce Multilingual, CURCY and WCML multi-currency switched on:
what i18n.md part D1 says a faithful fake must do, over a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.woocommerce_peer import RunningWoo, running_woo
from unopim_desktop.sandbox.woocommerce import WooState


@pytest.fixture
def woo(woo_cert: tuple[Path, Path]) -> Iterator[RunningWoo]:
    state = WooState()
    state.enable_wcml_multicurrency(("EUR",))
    state.enable_wpml("en", ("en", "fr", "de"))
    with running_woo(woo_cert, state=state) as running:
        yield running


def post(woo: RunningWoo, path: str, body: dict, status: int = 201) -> dict:
    r = woo.http.post(woo.api(path), json=body)
    assert r.status_code == status, r.text
    return r.json()


def get(woo: RunningWoo, path: str, **params: object) -> object:
    r = woo.http.get(woo.api(path), params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _chair(woo: RunningWoo, **extra: object) -> dict:
    return post(woo, "/products", {"name": "Chair", "type": "simple", "sku": "CH-1", "regular_price": "9.99",
                                   "manage_stock": True, "stock_quantity": 5, **extra})


def test_a_translation_gets_lang_translations_and_the_originals_copied_fields(woo: RunningWoo) -> None:
    original = _chair(woo)
    assert original["lang"] == "en" and original["translations"] == {"en": original["id"]}
    fr = post(woo, "/products", {"name": "Chaise", "description": "Une chaise", "lang": "fr",
                                 "translation_of": original["id"]})
    assert fr["lang"] == "fr" and fr["translations"] == {"en": original["id"], "fr": fr["id"]}
    # SKU, price and stock come from the original (WCML's copy), not from the request.
    assert (fr["sku"], fr["regular_price"], fr["stock_quantity"]) == ("CH-1", "9.99", 5)
    assert fr["name"] == "Chaise"
    again = get(woo, f"/products/{original['id']}")
    assert again["translations"] == {"en": original["id"], "fr": fr["id"]}


def test_lists_show_the_default_language_unless_lang_says_and_include_is_adjusted(woo: RunningWoo) -> None:
    original = _chair(woo)
    fr = post(woo, "/products", {"name": "Chaise", "lang": "fr", "translation_of": original["id"]})
    assert [p["id"] for p in get(woo, "/products")] == [original["id"]]
    assert [p["id"] for p in get(woo, "/products", lang="fr")] == [fr["id"]]
    assert sorted(p["id"] for p in get(woo, "/products", lang="all")) == sorted([original["id"], fr["id"]])
    # include= without lang is rewritten to the default language's ids (autoAdjustIncludedIds).
    assert [p["id"] for p in get(woo, "/products", include=str(fr["id"]))] == [original["id"]]
    assert [p["id"] for p in get(woo, "/products", include=str(fr["id"]), lang="all")] == [fr["id"]]
    # A SKU look-up finds the original only, and the whole group with lang=all.
    assert [p["id"] for p in get(woo, "/products", sku="CH-1")] == [original["id"]]
    assert len(get(woo, "/products", sku="CH-1", lang="all")) == 2


def test_wcml_errors_are_422_with_an_integer_code_and_the_posted_product_is_trashed(woo: RunningWoo) -> None:
    original = _chair(woo)
    cases = [
        ({"name": "X", "lang": "xx", "translation_of": original["id"]}, 'Invalid language parameter: "xx"'),
        ({"name": "X", "translation_of": original["id"]},
         'Using "translation_of" requires providing a "lang" parameter too'),
        ({"name": "X", "lang": "fr", "translation_of": 999999}, "Product not found: 999999"),
    ]
    for body, message in cases:
        r = woo.http.post(woo.api("/products"), json=body)
        assert r.status_code == 422, r.text
        assert r.json() == {"code": 422, "message": message, "data": {"status": 422}}
    trashed = get(woo, "/products", status="trash", lang="all")
    assert len(trashed) == 3 and all(p["name"] == "X" for p in trashed)


def test_a_sku_on_a_new_translation_is_refused_a_duplicate_across_groups_too(woo: RunningWoo) -> None:
    original = _chair(woo)
    r = woo.http.post(woo.api("/products"), json={"name": "Chaise", "sku": "CH-1", "lang": "fr",
                                                  "translation_of": original["id"]})
    assert r.status_code == 400 and r.json()["code"] == "product_invalid_sku"
    other = post(woo, "/products", {"name": "Table", "sku": "TB-1"})
    r = woo.http.put(woo.api(f"/products/{other['id']}"), json={"sku": "CH-1"})
    assert r.status_code == 400 and r.json()["data"]["resource_id"] == original["id"]
    # Within the group the shared SKU is fine: a translation saved with it is accepted.
    fr = post(woo, "/products", {"name": "Chaise", "lang": "fr", "translation_of": original["id"]})
    r = woo.http.put(woo.api(f"/products/{fr['id']}"), json={"sku": "CH-1", "name": "Chaise!"})
    assert r.status_code == 200, r.text


def test_prices_are_recopied_onto_a_saved_translation_and_stock_syncs_across_the_group(woo: RunningWoo) -> None:
    original = _chair(woo)
    fr = post(woo, "/products", {"name": "Chaise", "lang": "fr", "translation_of": original["id"]})
    r = woo.http.put(woo.api(f"/products/{fr['id']}"), json={"regular_price": "1.00", "stock_quantity": 2})
    assert r.status_code == 200
    assert r.json()["regular_price"] == "9.99"  # WCML's sync puts the original's price back
    assert get(woo, f"/products/{original['id']}")["stock_quantity"] == 2  # stock from whichever side
    woo.http.put(woo.api(f"/products/{original['id']}"), json={"regular_price": "12.00"})
    assert get(woo, f"/products/{fr['id']}")["regular_price"] == "12.00"


def test_wcml_creates_the_translated_variations_and_deletes_orphans(woo: RunningWoo) -> None:
    color = post(woo, "/products/attributes", {"name": "Color"})
    red = post(woo, f"/products/attributes/{color['id']}/terms", {"name": "Red"})
    post(woo, f"/products/attributes/{color['id']}/terms", {"name": "Rouge", "lang": "fr", "translation_of": red["id"]})
    parent = post(woo, "/products", {"name": "Shirt", "type": "variable", "sku": "SH", "attributes": [
        {"id": color["id"], "options": ["Red"], "variation": True}]})
    v = post(woo, f"/products/{parent['id']}/variations", {"sku": "SH-R", "regular_price": "5",
                                                           "attributes": [{"id": color["id"], "option": "Red"}]})
    fr = post(woo, "/products", {"name": "Chemise", "lang": "fr", "translation_of": parent["id"]})
    copies = get(woo, f"/products/{fr['id']}/variations")
    assert len(copies) == 1 and copies[0]["sku"] == "SH-R" and copies[0]["lang"] == "fr"
    assert copies[0]["attributes"][0]["option"] == "Rouge"  # the term mapped to its translation
    assert copies[0]["translations"] == {"en": v["id"], "fr": copies[0]["id"]}
    assert any(m["key"] == "_wcml_duplicate_of_variation" for m in copies[0]["meta_data"])
    woo.http.delete(woo.api(f"/products/{parent['id']}/variations/{v['id']}"), params={"force": "true"})
    assert get(woo, f"/products/{fr['id']}/variations") == []


def test_term_translations_and_their_errors(woo: RunningWoo) -> None:
    chairs = post(woo, "/products/categories", {"name": "Chairs"})
    fr = post(woo, "/products/categories", {"name": "Chaises", "lang": "fr", "translation_of": chairs["id"]})
    assert fr["lang"] == "fr" and fr["translations"] == {"en": chairs["id"], "fr": fr["id"]}
    assert [c["name"] for c in get(woo, "/products/categories", lang="fr")] == ["Chaises"]
    # A translation may carry the original's name (the duplicate check is per language).
    post(woo, "/products/categories", {"name": "Chairs", "lang": "de", "translation_of": chairs["id"]})
    # The terms controller catches nothing: the term stays, in the default language, and the answer is a 500.
    before = len(get(woo, "/products/categories", per_page=100))
    r = woo.http.post(woo.api("/products/categories"), json={"name": "Tables", "lang": "xx"})
    assert r.status_code == 500
    assert len(get(woo, "/products/categories", per_page=100)) == before + 1
    r = woo.http.get(woo.api("/products/categories"), params={"lang": "xx"})
    assert r.status_code == 500


def test_plugins_are_listed_and_custom_prices_ignored_meta_kept_as_strings(woo: RunningWoo) -> None:
    plugins = {p["plugin"] for p in get(woo, "/system_status")["active_plugins"]}
    assert "woocommerce-multilingual/wpml-woocommerce.php" in plugins
    original = _chair(woo, custom_prices={"EUR": {"regular_price": "8.50"}}, meta_data=[
        {"key": "_regular_price_wmcp", "value": '{"EUR":"8.50"}'}, {"key": "_wcml_custom_prices_status", "value": "1"},
        {"key": "_regular_price_EUR", "value": "8.50"}])
    assert "custom_prices" not in original
    meta = {m["key"]: m["value"] for m in original["meta_data"]}
    assert meta["_regular_price_wmcp"] == '{"EUR":"8.50"}'
    fr = post(woo, "/products", {"name": "Chaise", "lang": "fr", "translation_of": original["id"]})
    fr_meta = {m["key"]: m["value"] for m in fr["meta_data"]}
    # WCML's custom prices are copied into the translation; CURCY's meta is not (it has no WPML config).
    assert fr_meta.get("_regular_price_EUR") == "8.50" and "_regular_price_wmcp" not in fr_meta
