"""Variant options, option values and variants of the BigCommerce sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.bigcommerce_peer import BigCommercePeer, image_host, running_store


@pytest.fixture
def store() -> Iterator[BigCommercePeer]:
    with running_store() as peer:
        yield peer


def _tee(store: BigCommercePeer) -> dict[str, Any]:
    """A product with Color × Size variants made through the product POST (options auto-created)."""
    combos = [("Red", "S"), ("Red", "M"), ("Blue", "S")]
    return store.create_product(
        name="Tee",
        sku="TEE",
        price=20,
        variants=[
            {
                "sku": f"TEE-{color}-{size}",
                "price": 22 if size == "M" else None,
                "option_values": [
                    {"option_display_name": "Color", "label": color},
                    {"option_display_name": "Size", "label": size},
                ],
            }
            for color, size in combos
        ],
    )


def test_product_post_auto_creates_options_and_variants(store: BigCommercePeer) -> None:
    tee = _tee(store)
    assert tee["base_variant_id"] is None
    options = store.http.get(f"v3/catalog/products/{tee['id']}/options").json()["data"]
    assert [(o["display_name"], [v["label"] for v in o["option_values"]]) for o in options] == [
        ("Color", ["Red", "Blue"]),
        ("Size", ["S", "M"]),
    ]
    response = store.http.get(f"v3/catalog/products/{tee['id']}/variants")
    assert response.status_code == 200
    variants = response.json()["data"]
    assert [v["sku"] for v in variants] == ["TEE-Red-S", "TEE-Red-M", "TEE-Blue-S"]
    first = variants[0]
    assert first["price"] is None and first["calculated_price"] == 20  # null inherits the product price
    assert variants[1]["calculated_price"] == 22
    color = options[0]
    assert first["option_values"][0] == {
        "id": color["option_values"][0]["id"],
        "label": "Red",
        "option_id": color["id"],
        "option_display_name": "Color",
    }
    assert store.state.counts()["variants"] == 3 and store.state.counts()["options"] == 2


def test_variant_skus_are_unique_across_products_and_variants(store: BigCommercePeer) -> None:
    store.create_product(name="Mug", sku="MUG")
    response = store.http.post(
        "v3/catalog/products",
        json={
            "name": "Tee",
            "type": "physical",
            "weight": 1,
            "price": 1,
            "variants": [{"sku": "mug", "option_values": [{"option_display_name": "Color", "label": "Red"}]}],
        },
    )
    assert response.status_code == 409
    assert store.state.counts()["products"] == 1  # nothing of the failed product was kept


def test_create_option_requires_fields_and_values(store: BigCommercePeer) -> None:
    product = store.create_product(name="Shoe")
    path = f"v3/catalog/products/{product['id']}/options"
    missing = store.http.post(path, json={"display_name": "Size"})
    assert missing.status_code == 422 and {"type", "option_values"} <= missing.json()["errors"].keys()
    bad_type = store.http.post(
        path,
        json={"display_name": "Size", "type": "wheel", "option_values": [{"label": "9", "sort_order": 0}]},
    )
    assert bad_type.status_code == 422
    created = store.http.post(
        path,
        json={
            "display_name": "Size",
            "type": "rectangles",
            "option_values": [{"label": "9", "sort_order": 0}],
        },
    )
    assert created.status_code == 200
    option = created.json()["data"]
    assert option["product_id"] == product["id"] and option["type"] == "rectangles"
    assert option["name"] and option["config"] == {}
    values_path = f"{path}/{option['id']}/values"
    no_sort = store.http.post(values_path, json={"label": "10"})
    assert no_sort.status_code == 422
    value = store.http.post(values_path, json={"label": "10", "sort_order": 1}).json()["data"]
    assert set(value) >= {"id", "label", "sort_order", "value_data", "is_default"}
    assert [v["label"] for v in store.http.get(values_path).json()["data"]] == ["9", "10"]


def test_variant_post_by_option_value_ids(store: BigCommercePeer) -> None:
    product = store.create_product(name="Shoe", sku="SHOE")
    option = store.http.post(
        f"v3/catalog/products/{product['id']}/options",
        json={
            "display_name": "Size",
            "type": "dropdown",
            "option_values": [{"label": "9", "sort_order": 0}, {"label": "10", "sort_order": 1}],
        },
    ).json()["data"]
    nine, ten = option["option_values"]
    path = f"v3/catalog/products/{product['id']}/variants"
    created = store.http.post(
        path,
        json={"sku": "SHOE-9", "price": 50, "option_values": [{"id": nine["id"], "option_id": option["id"]}]},
    )
    assert created.status_code == 200, created.text
    variant = created.json()["data"]
    assert variant["option_values"][0]["label"] == "9" and variant["sku_id"] is not None
    # The base variant gives way to the option variants.
    assert store.http.get(f"v3/catalog/products/{product['id']}").json()["data"]["base_variant_id"] is None
    same_combo = store.http.post(
        path, json={"sku": "SHOE-9B", "option_values": [{"id": nine["id"], "option_id": option["id"]}]}
    )
    assert same_combo.status_code == 409
    assert same_combo.json()["title"] == "Variant with the same option values set exists"
    same_sku = store.http.post(
        path, json={"sku": "shoe-9", "option_values": [{"id": ten["id"], "option_id": option["id"]}]}
    )
    assert same_sku.status_code == 409
    wrong_value = store.http.post(
        path, json={"sku": "SHOE-X", "option_values": [{"id": 999999, "option_id": option["id"]}]}
    )
    assert wrong_value.status_code == 422
    no_sku = store.http.post(path, json={"option_values": [{"id": ten["id"], "option_id": option["id"]}]})
    assert no_sku.status_code == 422
    assert (
        store.http.post(
            "v3/catalog/products/999999/variants", json={"sku": "Z", "option_values": []}
        ).status_code
        == 404
    )


def test_update_and_delete_variant(store: BigCommercePeer) -> None:
    tee = _tee(store)
    variants = store.http.get(f"v3/catalog/products/{tee['id']}/variants").json()["data"]
    path = f"v3/catalog/products/{tee['id']}/variants/{variants[0]['id']}"
    updated = store.http.put(path, json={"price": 30, "inventory_level": 5, "upc": "12345"})
    assert updated.status_code == 200
    assert (updated.json()["data"]["price"], updated.json()["data"]["inventory_level"]) == (30, 5)
    taken = store.http.put(path, json={"sku": "TEE-Blue-S"})
    assert taken.status_code == 409
    assert store.http.delete(path).status_code == 204
    assert store.http.get(path).status_code == 404
    assert store.state.counts()["variants"] == 2


def test_base_variant_follows_the_product(store: BigCommercePeer) -> None:
    mug = store.create_product(name="Mug", sku="MUG", price=5)
    path = f"v3/catalog/products/{mug['id']}/variants/{mug['base_variant_id']}"
    updated = store.http.put(path, json={"price": 6, "purchasing_disabled": True})
    assert updated.status_code == 200 and updated.json()["data"]["purchasing_disabled"] is True
    assert store.http.get(f"v3/catalog/products/{mug['id']}").json()["data"]["price"] == 6
    store.http.put(f"v3/catalog/products/{mug['id']}", json={"sku": "MUG-2"})
    assert store.http.get(path).json()["data"]["sku"] == "MUG-2"
    assert store.http.delete(path).status_code == 422  # the base variant cannot go


def test_deleting_an_option_removes_its_variants_and_restores_the_base_variant(
    store: BigCommercePeer,
) -> None:
    product = store.create_product(
        name="Cap",
        sku="CAP",
        variants=[{"sku": "CAP-R", "option_values": [{"option_display_name": "Color", "label": "Red"}]}],
    )
    option = store.http.get(f"v3/catalog/products/{product['id']}/options").json()["data"][0]
    assert store.http.delete(f"v3/catalog/products/{product['id']}/options/{option['id']}").status_code == 204
    variants = store.http.get(f"v3/catalog/products/{product['id']}/variants").json()["data"]
    assert [(v["sku"], v["option_values"]) for v in variants] == [("CAP", [])]
    # The variant's SKU is free again.
    assert (
        store.http.post(
            "v3/catalog/products",
            json={"name": "Other", "sku": "CAP-R", "type": "physical", "weight": 1, "price": 1},
        ).status_code
        == 200
    )


def test_renaming_a_value_shows_on_the_variants(store: BigCommercePeer) -> None:
    tee = _tee(store)
    color = store.http.get(f"v3/catalog/products/{tee['id']}/options").json()["data"][0]
    red = color["option_values"][0]
    response = store.http.put(
        f"v3/catalog/products/{tee['id']}/options/{color['id']}/values/{red['id']}", json={"label": "Crimson"}
    )
    assert response.status_code == 200
    labels = [
        v["option_values"][0]["label"]
        for v in store.http.get(f"v3/catalog/products/{tee['id']}/variants").json()["data"]
    ]
    assert labels == ["Crimson", "Crimson", "Blue"]


def test_variant_image_url_is_fetched(store: BigCommercePeer) -> None:
    tee = _tee(store)
    variant = store.http.get(f"v3/catalog/products/{tee['id']}/variants").json()["data"][0]
    path = f"v3/catalog/products/{tee['id']}/variants/{variant['id']}"
    with image_host() as host:
        updated = store.http.put(path, json={"image_url": f"{host}/img/red.png"})
        assert updated.status_code == 200
        image_url = updated.json()["data"]["image_url"]
        assert image_url.startswith(store.server.url)
        assert store.http.get(image_url).status_code == 200
        posted = store.http.post(f"{path}/image", json={"image_url": f"{host}/img/red2.png"})
        assert posted.status_code == 200 and posted.json()["data"]["image_url"] != image_url
        bad = store.http.put(path, json={"image_url": f"{host}/missing"})
    assert bad.status_code == 422 and bad.json()["title"] == "The field 'image_url' is invalid."


def test_variants_lookup_by_sku_across_products(store: BigCommercePeer) -> None:
    tee = _tee(store)
    store.create_product(name="Mug", sku="MUG")
    found = store.http.get("v3/catalog/variants", params={"sku": "tee-blue-s"}).json()["data"]
    assert [(v["sku"], v["product_id"]) for v in found] == [("TEE-Blue-S", tee["id"])]
    everything = store.http.get("v3/catalog/variants").json()
    assert everything["meta"]["pagination"]["total"] == 4  # three option variants and the mug's base variant
    by_product = store.http.get("v3/catalog/variants", params={"product_id:in": str(tee["id"])}).json()[
        "data"
    ]
    assert len(by_product) == 3


def test_variant_batch(store: BigCommercePeer) -> None:
    tee = _tee(store)
    variants = store.http.get(f"v3/catalog/products/{tee['id']}/variants").json()["data"]
    too_many = store.http.put("v3/catalog/variants", json=[{"id": variants[0]["id"], "price": 1}] * 51)
    assert too_many.status_code == 413
    assert "50" in too_many.json()["title"]
    ok = store.http.put("v3/catalog/variants", json=[{"id": v["id"], "inventory_level": 7} for v in variants])
    assert ok.status_code == 200
    assert [v["inventory_level"] for v in ok.json()["data"]] == [7, 7, 7]
    color, size = store.http.get(f"v3/catalog/products/{tee['id']}/options").json()["data"]
    blue = next(v for v in color["option_values"] if v["label"] == "Blue")
    medium = next(v for v in size["option_values"] if v["label"] == "M")
    partial = store.http.put(
        "v3/catalog/variants",
        json=[
            {
                "product_id": tee["id"],
                "sku": "TEE-Blue-M",
                "option_values": [
                    {"id": blue["id"], "option_id": color["id"]},
                    {"id": medium["id"], "option_id": size["id"]},
                ],
            },
            {"id": 999999, "price": 1},
        ],
    )
    # PUT /catalog/variants answers 422 with `batch_errors[]` (its OpenAPI file), not a 207 envelope.
    assert partial.status_code == 422
    body = partial.json()
    assert list(body) == ["batch_errors"] and [e["status"] for e in body["batch_errors"]] == [404]
    assert body["batch_errors"][0]["title"] == "Variant 999999 was not found."
