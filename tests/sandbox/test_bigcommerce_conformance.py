"""Every `bc-*.json` example from BigCommerce's docs against the sandbox's answer to the same request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.bigcommerce_peer import BigCommercePeer, running_store
from tests.support.conformance import assert_same_shape, load_example


@pytest.fixture(scope="module")
def store() -> Iterator[BigCommercePeer]:
    with running_store() as peer:
        yield peer


@pytest.fixture(scope="module")
def towel(store: BigCommercePeer) -> dict[str, Any]:
    """Like the docs' product 77: in a category, with a brand and a SKU."""
    category = store.create_category("Bath")
    return store.create_product(
        name="Fog Linen Chambray Towel - Beige Stripe",
        sku="SLCTBS",
        price=49,
        weight=1,
        categories=[category["category_id"]],
        brand_name="Fog Linen",
        description="<p>The perfect beach towel.</p>",
    )


@pytest.fixture(scope="module")
def mitten(store: BigCommercePeer) -> dict[str, Any]:
    """Like the docs' product 192: three colour variants."""
    return store.create_product(
        name="Smith Mitten",
        sku="SMIT-P",
        price=10,
        weight=4,
        variants=[
            {
                "sku": sku,
                "price": price,
                "sale_price": sale,
                "option_values": [{"option_display_name": "Color", "label": color}],
            }
            for sku, price, sale, color in (
                ("SMIT", 10, 8, "Beige"),
                ("SMIT-1", 25, 20, "Grey"),
                ("SMIT-2", 25, 20, "Black"),
            )
        ],
    )


def test_get_product_matches_bc_product(store: BigCommercePeer, towel: dict[str, Any]) -> None:
    response = store.http.get(f"v3/catalog/products/{towel['id']}")
    assert response.status_code == 200
    assert_same_shape(load_example("store/bc-product.json"), response.json())


def test_product_list_items_match_bc_product(store: BigCommercePeer, towel: dict[str, Any]) -> None:
    example = load_example("store/bc-product.json")["data"]
    listed = store.http.get("v3/catalog/products", params={"sku": "SLCTBS"}).json()
    assert len(listed["data"]) == 1
    assert_same_shape(example, listed["data"][0])
    assert_same_shape(load_example("store/bc-product-variants.json")["meta"], listed["meta"])


def test_product_variants_match_bc_product_variants(store: BigCommercePeer, mitten: dict[str, Any]) -> None:
    response = store.http.get(f"v3/catalog/products/{mitten['id']}/variants")
    assert response.status_code == 200
    body = response.json()
    assert_same_shape(load_example("store/bc-product-variants.json"), body)
    assert [v["option_values"][0]["label"] for v in body["data"]] == ["Beige", "Grey", "Black"]


def test_included_variants_match_the_variant_items(store: BigCommercePeer, mitten: dict[str, Any]) -> None:
    # README: with include=variants the variant objects appear under data.variants.
    example_variant = load_example("store/bc-product-variants.json")["data"][0]
    product = store.http.get(f"v3/catalog/products/{mitten['id']}", params={"include": "variants"}).json()
    assert_same_shape(load_example("store/bc-product.json"), product)
    for variant in product["data"]["variants"]:
        assert_same_shape(example_variant, variant)


def test_tree_categories_match_bc_tree_categories(store: BigCommercePeer, towel: dict[str, Any]) -> None:
    for name in ("Kitchen", "Garden"):
        store.create_category(name)
    response = store.http.get("v3/catalog/trees/categories", params={"limit": 1, "page": 2})
    assert response.status_code == 200
    body = response.json()
    assert_same_shape(load_example("store/bc-tree-categories.json"), body)
    assert set(body["meta"]["pagination"]["links"]) == {"previous", "current", "next"}


def test_batch_update_without_ids_matches_bc_error_422(store: BigCommercePeer) -> None:
    # The exact request of the docs' example (docs/start/migration/4_errors.md).
    response = store.http.put("v3/catalog/products", json=[{"name": "test1"}, {"name": "test2"}])
    assert response.status_code == 422
    example = load_example("store/bc-error-422.json")
    assert_same_shape(example, response.json())
    assert response.json() == example


def test_create_without_fields_matches_bc_error_422(store: BigCommercePeer) -> None:
    response = store.http.post("v3/catalog/products", json={})
    assert response.status_code == 422
    assert response.json() == load_example("store/bc-error-422.json")
