"""The sandbox BigCommerce store's price lists, currencies and GraphQL Translations API, as i18n.md part D2
says a faithful fake must behave, over a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.bigcommerce_peer import BigCommercePeer, running_store
from unopim_desktop.sandbox.bigcommerce.i18n_state import set_up_i18n

WRITE = """mutation($input: UpdateTranslationsInput!) { translation { updateTranslations(input: $input) {
  errors { __typename ... on Error { message } ... on InvalidTranslationEntityFieldsError { fields } } } } }"""
READ = """query($ids: [ID!], $first: Int) { store { translations(filters: {resourceType: PRODUCTS,
  channelId: "bc/store/channel/1", localeId: "bc/store/locale/fr", resourceIds: $ids}, first: $first) {
  edges { node { resourceId fields { fieldName original translation } } } pageInfo { hasNextPage } } } }"""


@pytest.fixture
def store() -> Iterator[BigCommercePeer]:
    with running_store() as peer:
        set_up_i18n(peer.state, currencies=("EUR", "GBP"), price_lists=True, locales=("en", "fr"))
        yield peer


def _list(store: BigCommercePeer) -> int:
    r = store.http.post("v3/pricelists", json={"name": "UnoPim default", "active": True})
    assert r.status_code == 200, r.text
    return r.json()["data"]["id"]


def _gql(store: BigCommercePeer, query: str, variables: dict) -> dict:
    r = store.http.post("graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return r.json()


def test_currencies_and_a_unique_price_list_name(store: BigCommercePeer) -> None:
    rows = store.http.get("v2/currencies").json()
    assert [(c["currency_code"], c["is_default"]) for c in rows] == [("USD", True), ("EUR", False), ("GBP", False)]
    _list(store)
    assert store.http.post("v3/pricelists", json={"name": "UnoPim default"}).status_code == 409
    assert store.http.post("v3/pricelists", json={}).status_code == 422


def test_records_upsert_with_partial_success_and_the_catalog_price_as_fallback(store: BigCommercePeer) -> None:
    list_id = _list(store)
    mug = store.create_product(name="Mug", sku="MUG", price=10)
    variant_id = mug["base_variant_id"]
    r = store.http.put(f"v3/pricelists/{list_id}/records", json=[
        {"variant_id": variant_id, "currency": "EUR", "price": 8.5, "sale_price": 7},
        {"variant_id": variant_id, "currency": "JPY", "price": 900},
        {"variant_id": 999999, "currency": "EUR", "price": 1}])
    assert r.status_code == 422
    errors = r.json()["batch_errors"]
    assert [(e["data"]["currency"], list(e["field_errors"])) for e in errors] == [("JPY", ["currency"]),
                                                                                 ("EUR", ["variant_id"])]
    records = store.http.get(f"v3/pricelists/{list_id}/records", params={"variant_id:in": variant_id}).json()["data"]
    assert [(x["currency"], x["price"], x["calculated_price"], x["sku"]) for x in records] == [("EUR", 8.5, 7, "MUG")]
    # No GBP record: the storefront falls back to the catalog price (converted); nothing is copied across.
    assert store.http.get(f"v3/pricelists/{list_id}/records", params={"currency": "GBP"}).json()["data"] == []
    # By SKU, an upsert replaces the record.
    r = store.http.put(f"v3/pricelists/{list_id}/records", json=[{"sku": "MUG", "currency": "EUR", "price": 9}])
    assert r.status_code == 200 and r.json() == {"data": {}, "meta": {}}
    assert store.http.get(f"v3/pricelists/{list_id}/records").json()["data"][0]["price"] == 9


def test_the_upsert_caps_and_assignment_batches(store: BigCommercePeer) -> None:
    list_id = _list(store)
    r = store.http.put(f"v3/pricelists/{list_id}/records", json=[{"sku": "X", "currency": "EUR", "price": 1}] * 1001)
    assert r.status_code == 413
    r = store.http.post("v3/pricelists/assignments", json=[{"price_list_id": list_id, "channel_id": n}
                                                           for n in range(26)])
    assert r.status_code == 413
    r = store.http.post("v3/pricelists/assignments", json=[{"price_list_id": list_id, "channel_id": 1}])
    assert r.status_code == 204
    assert store.http.get("v3/pricelists/assignments", params={"channel_id": 1}).json()["data"][0][
        "price_list_id"] == list_id
    # More than two upserts at once: the third is refused (429) while the two hold their slots.
    store.state.i18n.upsert_hold_s = 0.3
    mug = store.create_product(name="Mug", sku="MUG", price=10)
    body = [{"variant_id": mug["base_variant_id"], "currency": "EUR", "price": 8}]

    def put() -> int:
        with httpx.Client(base_url=store.api_url, headers={"X-Auth-Token": store.state.access_token},
                          timeout=10) as c:
            return c.put(f"v3/pricelists/{list_id}/records", json=body).status_code

    with ThreadPoolExecutor(3) as pool:
        statuses = sorted(pool.map(lambda _: put(), range(3)))
    assert statuses == [200, 200, 429]


def test_a_plan_without_price_lists_answers_403(store: BigCommercePeer) -> None:
    store.state.i18n.price_lists = False
    r = store.http.get("v3/pricelists")
    assert r.status_code == 403 and "plan" in r.json()["title"]


def test_translations_with_typed_errors_partial_success_and_the_default_as_fallback(store: BigCommercePeer) -> None:
    mug = store.create_product(name="Mug", sku="MUG", price=10, description="A mug")
    answer = _gql(store, WRITE, {"input": {
        "resourceType": "PRODUCTS", "channelId": "bc/store/channel/1", "localeId": "bc/store/locale/fr",
        "entities": [
            {"resourceId": f"bc/store/product/{mug['id']}", "fields": [{"fieldName": "name", "value": "Tasse"}]},
            {"resourceId": "bc/store/product/999", "fields": [{"fieldName": "name", "value": "X"}]},
            {"resourceId": "bc/store/category/3", "fields": [{"fieldName": "name", "value": "X"}]},
            {"resourceId": f"bc/store/product/{mug['id']}", "fields": [{"fieldName": "colour", "value": "X"}]}]}})
    errors = answer["data"]["translation"]["updateTranslations"]["errors"]
    assert [e["__typename"] for e in errors] == ["EntityNotFoundError", "ValidationError",
                                                 "InvalidTranslationEntityFieldsError"]
    assert errors[0]["message"] == "Entity bc/store/product/999 not found." and errors[2]["fields"] == ["colour"]
    read = _gql(store, READ, {"ids": [f"bc/store/product/{mug['id']}"], "first": 50})
    fields = {f["fieldName"]: f for f in read["data"]["store"]["translations"]["edges"][0]["node"]["fields"]}
    assert fields["name"]["translation"] == "Tasse" and fields["name"]["original"] == "Mug"
    assert fields["description"]["translation"] == "A mug"  # not translated: the store's default value
    too_many = store.http.post("graphql", json={"query": READ, "variables": {"ids": None, "first": 51}}).json()
    assert too_many["data"] is None and "50" in too_many["errors"][0]["message"]
    bad = store.http.post("graphql", json={"query": "{ store { nonsense } }"}).json()
    assert "Cannot query field 'nonsense'" in bad["errors"][0]["message"]


def test_a_store_without_the_translations_api_says_so(store: BigCommercePeer) -> None:
    set_up_i18n(store.state, locales=())
    answer = store.http.post("graphql", json={"query": 'query { store { locales(input: {channelId: '
                                                       '"bc/store/channel/1"}) { edges { node { code } } } } }'}).json()
    assert answer["data"] is None and "Catalyst" in answer["errors"][0]["message"]
