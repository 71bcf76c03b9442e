"""WooCommerce sandbox batch endpoints: order, per-item errors inside a 200, the 100-item limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.woocommerce_peer import (
    RunningWoo,
    error_of,
    running_woo,
)

TOO_LARGE = (413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request.")


@pytest.fixture
def woo(woo_cert: tuple[Path, Path]) -> Iterator[RunningWoo]:
    with running_woo(woo_cert) as running:
        yield running


def batch(woo: RunningWoo, path: str, body: dict) -> dict:
    response = woo.http.post(woo.api(path), json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_products_batch_creates_updates_and_deletes_with_item_errors(woo: RunningWoo) -> None:
    existing = batch(woo, "/products/batch", {"create": [
        {"name": "Keep", "sku": "K-1", "regular_price": "5.00"},
        {"name": "Drop", "sku": "D-1"},
    ]})["create"]
    keep, drop = existing
    result = batch(woo, "/products/batch", {
        "create": [{"name": "New", "sku": "N-1", "regular_price": 7.5}, {"name": "Clash", "sku": "k-1"}],
        "update": [{"id": keep["id"], "regular_price": "6.00"}, {"id": 999999, "name": "ghost"}, {"name": "no id"}],
        "delete": [drop["id"], 0, 424242],
    })
    assert list(result) == ["create", "update", "delete"]
    created, clash = result["create"]
    # Batch items skip schema validation: a number for a price is cast to a string, not refused.
    assert created["sku"] == "N-1" and created["regular_price"] == "7.5"
    assert clash == {"id": 0, "error": {"code": "product_invalid_sku", "message": "Invalid or duplicated SKU.",
                                        "data": {"status": 400, "resource_id": keep["id"], "unique_sku": "k-1-1"}}}
    updated, ghost, no_id = result["update"]
    assert updated["regular_price"] == "6.00"
    assert ghost["id"] == 999999 and ghost["error"]["code"] == "woocommerce_rest_product_invalid_id"
    assert no_id["id"] is None and no_id["error"]["data"] == {"status": 400}
    deleted, missing = result["delete"]  # id 0 is skipped
    assert deleted["id"] == drop["id"]
    assert missing == {"id": 424242, "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.",
                                               "data": {"status": 404}}}
    # Batch deletes are permanent, never the trash.
    assert woo.http.get(woo.api(f"/products/{drop['id']}")).status_code == 404
    assert woo.state.counts()["trashed"] == 0
    assert woo.state.write_count() == 2 + 1 + 1 + 1  # two seeds, one create, one update, one delete


def test_only_the_lists_sent_come_back(woo: RunningWoo) -> None:
    result = batch(woo, "/products/batch", {"update": [{"id": 5}]})
    assert list(result) == ["update"]
    assert batch(woo, "/products/batch", {"create": [], "delete": []}) == []


@pytest.mark.parametrize("path", [
    "/products/batch", "/products/categories/batch", "/products/tags/batch", "/products/attributes/batch",
])
def test_more_than_100_items_in_total_is_413(woo: RunningWoo, path: str) -> None:
    body = {"create": [{"name": f"n{i}"} for i in range(60)], "delete": list(range(1, 42))}
    assert error_of(woo.http.post(woo.api(path), json=body)) == TOO_LARGE
    assert woo.state.write_count() == 0
    exactly = {"create": [{"name": f"x{i}"} for i in range(50)], "delete": list(range(100000, 100050))}
    assert woo.http.post(woo.api(path), json=exactly).status_code == 200


def test_variations_batch_gets_the_product_id_from_the_route(woo: RunningWoo) -> None:
    parent = woo.http.post(woo.api("/products"), json={
        "name": "Tee", "type": "variable", "attributes": [{"name": "Size", "variation": True, "options": ["S", "M"]}],
    }).json()
    base = f"/products/{parent['id']}/variations"
    result = batch(woo, f"{base}/batch", {"create": [
        {"sku": "TEE-S", "regular_price": "10.00", "attributes": [{"name": "Size", "option": "S"}]},
        {"sku": "TEE-M", "regular_price": "11.00", "attributes": [{"name": "Size", "option": "M"}]},
        {"sku": "TEE-S"},
    ]})
    small, medium, dup = result["create"]
    assert small["parent_id"] == parent["id"] and small["attributes"] == [{"id": 0, "name": "Size", "option": "S"}]
    assert dup["error"]["code"] == "product_invalid_sku" and dup["error"]["data"]["resource_id"] == small["id"]
    result = batch(woo, f"{base}/batch", {"update": [{"id": medium["id"], "regular_price": "12.00"}],
                                          "delete": [small["id"]]})
    assert result["update"][0]["regular_price"] == "12.00"
    assert result["delete"][0]["id"] == small["id"]
    assert [v["sku"] for v in woo.state.variations(parent["id"])] == ["TEE-M"]
    assert woo.http.get(woo.api(f"/products/{parent['id']}")).json()["price"] == "12.00"


def test_term_batches_report_term_exists_per_item(woo: RunningWoo) -> None:
    result = batch(woo, "/products/categories/batch", {"create": [{"name": "Bags"}, {"name": "Bags"}, {"name": ""}]})
    bags, again, empty = result["create"]
    assert again == {"id": 0, "error": {"code": "term_exists",
                                        "message": "A term with the name provided already exists with this parent.",
                                        "data": {"status": 400, "resource_id": bags["id"]}}}
    assert empty["error"]["code"] == "empty_term_name"
    child = batch(woo, "/products/categories/batch", {"create": [{"name": "Totes", "parent": bags["id"]}]})["create"][0]
    assert child["parent"] == bags["id"]
    tags = batch(woo, "/products/tags/batch", {"create": [{"name": "eco"}, {"name": "ECO"}]})["create"]
    assert tags[1]["error"]["data"]["resource_id"] == tags[0]["id"]
    # Deleting a parent through a batch moves its children up, as WordPress does.
    batch(woo, "/products/categories/batch", {"delete": [bags["id"]]})
    assert woo.http.get(woo.api(f"/products/categories/{child['id']}")).json()["parent"] == 0


def test_attribute_and_term_batches(woo: RunningWoo) -> None:
    result = batch(woo, "/products/attributes/batch", {"create": [{"name": "Color"}, {"name": "Colour", "slug": "color"}]})
    color, clash = result["create"]
    assert color["slug"] == "pa_color"
    assert clash["error"] == {"code": "woocommerce_rest_cannot_create",
                              "message": 'Slug "color" is already in use. Change it, please.', "data": {"status": 400}}
    terms = batch(woo, f"/products/attributes/{color['id']}/terms/batch",
                  {"create": [{"name": "Red", "menu_order": 2}, {"name": "Blue", "menu_order": 1}, {"name": "red"}]})
    red, blue, dup = terms["create"]
    assert dup["error"]["code"] == "term_exists" and dup["error"]["data"]["resource_id"] == red["id"]
    assert red["_links"]["collection"][0]["href"].endswith(f"/products/attributes/{color['id']}/terms")
    ordered = woo.http.get(woo.api(f"/products/attributes/{color['id']}/terms"), params={"orderby": "id"}).json()
    assert [t["name"] for t in ordered] == ["Red", "Blue"]
    assert woo.state.counts()["terms"] == 2
