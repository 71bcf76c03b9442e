"""Category trees, legacy categories, brands, and seeding the store from a catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.bigcommerce_peer import BigCommercePeer, running_store
from unopim_desktop.sandbox.catalogue import generate_catalogue

TREE = "v3/catalog/trees/categories"


@pytest.fixture
def store() -> Iterator[BigCommercePeer]:
    with running_store() as peer:
        yield peer


def test_create_categories_in_a_batch(store: BigCommercePeer) -> None:
    response = store.http.post(
        TREE, json=[{"name": "Bath", "parent_id": 0, "tree_id": 1}, {"name": "Kitchen", "tree_id": 1}]
    )
    assert response.status_code == 201
    body = response.json()
    assert body["meta"] == {"total": 2, "success": 2, "failed": 0}
    bath = body["data"][0]
    assert (bath["name"], bath["parent_id"], bath["tree_id"]) == ("Bath", 0, 1)
    assert bath["url"] == {"path": "/bath/", "is_customized": False}
    assert isinstance(bath["category_uuid"], str) and bath["category_id"] > 0
    child = store.http.post(TREE, json=[{"name": "Towels", "parent_id": bath["category_id"]}]).json()["data"][
        0
    ]
    assert (child["parent_id"], child["tree_id"], child["url"]["path"]) == (
        bath["category_id"],
        1,
        "/bath/towels/",
    )


def test_partial_and_total_failures(store: BigCommercePeer) -> None:
    bath = store.create_category("Bath")
    partial = store.http.post(
        TREE,
        json=[
            {"name": "Soap", "parent_id": bath["category_id"]},
            {"name": "Orphan", "parent_id": 999999},
            {"name": "bath", "parent_id": 0, "tree_id": 1},  # a sibling of the same name
            {"name": "x" * 51, "tree_id": 1},
        ],
    )
    assert partial.status_code == 207
    body = partial.json()
    assert [c["name"] for c in body["data"]] == ["Soap"]
    assert body["meta"] == {"total": 4, "success": 1, "failed": 3}
    assert set(body["errors"]["errors"]) == {"1", "2", "3"}
    nothing = store.http.post(TREE, json=[{"name": "No place"}])
    assert nothing.status_code == 422 and nothing.json()["status"] == 422
    assert nothing.json()["meta"] == {"total": 1, "success": 0, "failed": 1}
    assert store.state.counts()["categories"] == 2


def test_list_filters_and_paginates_limit_first(store: BigCommercePeer) -> None:
    top = store.create_category("Top")
    for i in range(3):
        store.create_category(f"Child {i}", top["category_id"])
    children = store.http.get(TREE, params={"parent_id:in": str(top["category_id"])}).json()
    assert [c["name"] for c in children["data"]] == ["Child 0", "Child 1", "Child 2"]
    page = store.http.get(TREE, params={"limit": 1, "page": 2}).json()
    assert page["meta"]["pagination"]["links"] == {
        "previous": "?limit=1&page=1",
        "current": "?limit=1&page=2",
        "next": "?limit=1&page=3",
    }
    assert page["meta"]["pagination"]["total"] == 4
    liked = store.http.get(TREE, params={"name:like": "child"}).json()["data"]
    assert len(liked) == 3
    by_id = store.http.get(TREE, params={"category_id:in": str(top["category_id"])}).json()["data"]
    assert [c["name"] for c in by_id] == ["Top"]


def test_update_answers_with_meta_and_moves_categories(store: BigCommercePeer) -> None:
    a = store.create_category("A")
    b = store.create_category("B")
    response = store.http.put(
        TREE, json=[{"category_id": b["category_id"], "parent_id": a["category_id"], "name": "B2"}]
    )
    assert response.status_code == 200
    assert response.json() == {"meta": {"total": 1, "success": 1, "failed": 0}}
    moved = store.http.get(TREE, params={"category_id:in": str(b["category_id"])}).json()["data"][0]
    assert (moved["name"], moved["parent_id"]) == ("B2", a["category_id"])
    cycle = store.http.put(TREE, json=[{"category_id": a["category_id"], "parent_id": b["category_id"]}])
    assert cycle.status_code == 422


def test_delete_needs_a_filter_and_takes_the_subtree(store: BigCommercePeer) -> None:
    top = store.create_category("Top")
    child = store.create_category("Child", top["category_id"])
    keep = store.create_category("Keep")
    product = store.create_product(name="P", categories=[child["category_id"], keep["category_id"]])
    assert store.http.delete(TREE).status_code == 422
    response = store.http.delete(TREE, params={"category_id:in": str(top["category_id"])})
    assert response.status_code == 202
    assert [c["name"] for c in store.http.get(TREE).json()["data"]] == ["Keep"]
    assert store.http.get(f"v3/catalog/products/{product['id']}").json()["data"]["categories"] == [
        keep["category_id"]
    ]


def test_nested_tree(store: BigCommercePeer) -> None:
    top = store.create_category("Top")
    store.create_category("Child", top["category_id"])
    tree = store.http.get("v3/catalog/trees/1/categories").json()["data"]
    assert [(n["name"], [c["name"] for c in n["children"]]) for n in tree] == [("Top", ["Child"])]
    assert store.http.get("v3/catalog/trees").json()["data"] == [
        {"id": 1, "name": "Default", "channels": [1]}
    ]
    assert store.http.get("v3/catalog/trees/7/categories").status_code == 404


def test_legacy_categories_share_the_records(store: BigCommercePeer) -> None:
    missing_parent = store.http.post("v3/catalog/categories", json={"name": "Shoes"})
    assert missing_parent.status_code == 422
    created = store.http.post("v3/catalog/categories", json={"name": "Shoes", "parent_id": 0})
    assert created.status_code == 200
    shoes = created.json()["data"]
    assert shoes["custom_url"] == {"url": "/shoes/", "is_customized": False}
    assert store.http.get(TREE).json()["data"][0]["category_id"] == shoes["id"]
    assert store.http.post("v3/catalog/categories", json={"name": "shoes", "parent_id": 0}).status_code == 409
    store.create_product(name="Boot", categories=[shoes["id"]])
    assert (
        store.http.delete(f"v3/catalog/categories/{shoes['id']}").status_code == 422
    )  # still holds products
    assert (
        store.http.put(f"v3/catalog/categories/{shoes['id']}", json={"name": "Footwear"}).json()["data"][
            "name"
        ]
        == "Footwear"
    )


def test_brands(store: BigCommercePeer) -> None:
    assert store.http.post("v3/catalog/brands", json={}).status_code == 422
    acme = store.http.post("v3/catalog/brands", json={"name": "Acme"})
    assert acme.status_code == 200
    brand = acme.json()["data"]
    assert brand["name"] == "Acme" and isinstance(brand["custom_url"]["url"], str)
    assert store.http.post("v3/catalog/brands", json={"name": "ACME"}).status_code == 409
    store.http.post("v3/catalog/brands", json={"name": "Globex"})
    assert [
        b["name"] for b in store.http.get("v3/catalog/brands", params={"name": "Globex"}).json()["data"]
    ] == ["Globex"]
    product = store.create_product(name="Anvil", brand_id=brand["id"])
    assert store.http.delete("v3/catalog/brands", params={"name": "Acme"}).status_code == 204
    assert store.http.get(f"v3/catalog/products/{product['id']}").json()["data"]["brand_id"] == 0


def test_load_catalogue_fills_the_store(store: BigCommercePeer) -> None:
    catalogue = generate_catalogue(12, seed=3, configurable_share=0.25, variants_per_product=3)
    store.state.load_catalogue(catalogue)
    counts = store.state.counts()
    expected = catalogue.counts()
    assert counts["products"] == expected["products"] + expected["configurable_products"]
    assert counts["variants"] == expected["variants"]
    assert counts["categories"] == len(catalogue.categories) - 1  # UnoPim's root is the tree itself
    assert counts["brands"] == len(catalogue.attribute_options["brand"])
    assert counts["images"] == counts["products"]
    assert counts["custom_fields"] > 0
    assert store.state.write_count() == 0  # seeding is not client traffic

    simple = next(p for p in catalogue.products if p["parent"] is None)
    seeded = store.state.product_by_sku(simple["sku"])
    assert seeded is not None
    values = simple["values"]
    assert seeded["name"] == values["channel_locale_specific"]["default"]["en_US"]["name"]
    assert seeded["price"] == float(values["channel_locale_specific"]["default"]["en_US"]["price"]["USD"])
    assert seeded["weight"] == float(values["common"]["weight"])
    assert len(seeded["categories"]) == len(values["categories"])
    image = store.http.get(seeded["images"][0]["url_standard"])
    assert image.status_code == 200 and image.content == catalogue.image_bytes(values["common"]["image"])

    configurable = catalogue.configurable_products[0]
    listed = store.http.get(
        "v3/catalog/products", params={"sku": configurable["sku"], "include": "variants,options"}
    ).json()["data"][0]
    assert [o["display_name"] for o in listed["options"]] == ["Color", "Size"]
    assert sorted(v["sku"] for v in listed["variants"]) == sorted(v["sku"] for v in configurable["variants"])
    assert all(v["image_url"].startswith(store.server.url) for v in listed["variants"])
    tree = store.http.get("v3/catalog/trees/1/categories").json()["data"]
    assert all(node["children"] for node in tree)  # departments hold sub-categories
