"""Products of the BigCommerce sandbox: create/422/409, list/include/filters, batch 413/207, images."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.bigcommerce_peer import (
    BigCommercePeer,
    image_host,
    png_bytes,
    running_store,
)

REQUIRED = {
    "name": "Please provide a name.",
    "price": "Please provide a price.",
    "type": "Please provide a type.",
    "weight": "Please provide a weight.",
}


class FakeClock:
    """A clock for `BigCommerceState.clock` that moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime(2031, 1, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: int = 1) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def store() -> Iterator[BigCommercePeer]:
    with running_store() as peer:
        yield peer


def test_create_answers_200_with_data_and_empty_meta(store: BigCommercePeer) -> None:
    response = store.http.post(
        "v3/catalog/products",
        json={"name": "Coffee Mug", "type": "physical", "weight": 0, "price": "10.00", "sku": "MUG-1"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {}
    product = body["data"]
    assert product["id"] > 0 and product["sku"] == "MUG-1"
    assert product["price"] == 10 and product["weight"] == 0  # numbers, even when sent as a string
    assert product["custom_url"] == {"url": "/coffee-mug/", "is_customized": False}
    assert datetime.fromisoformat(product["date_created"]).utcoffset() is not None
    assert product["date_created"].endswith("+00:00")
    # A product without options has one base variant carrying its SKU.
    variants = store.http.get(f"v3/catalog/products/{product['id']}/variants").json()["data"]
    assert [(v["id"], v["sku"], v["option_values"]) for v in variants] == [
        (product["base_variant_id"], "MUG-1", [])
    ]


def test_missing_required_fields_is_422_with_a_field_map(store: BigCommercePeer) -> None:
    response = store.http.post("v3/catalog/products", json={"sku": "X"})
    assert response.status_code == 422
    assert response.json()["title"] == "Missing Required Fields"
    assert response.json()["errors"] == REQUIRED
    partly = store.http.post("v3/catalog/products", json={"name": "A", "type": "physical"})
    assert partly.json()["errors"] == {"price": REQUIRED["price"], "weight": REQUIRED["weight"]}
    bad_type = store.http.post(
        "v3/catalog/products", json={"name": "A", "type": "boat", "weight": 1, "price": 1}
    )
    assert bad_type.status_code == 422 and "type" in bad_type.json()["errors"]
    assert store.state.counts()["products"] == 0


def test_malformed_body_is_400_and_wrong_content_type_is_415(store: BigCommercePeer) -> None:
    broken = store.http.post(
        "v3/catalog/products", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["status"] == 400
    form = store.http.post("v3/catalog/products", data={"name": "A"})
    assert form.status_code == 415


def test_duplicate_name_or_sku_is_409_case_insensitive(store: BigCommercePeer) -> None:
    store.create_product(name="Blue Mug", sku="MUG-BLUE")
    dup_name = store.http.post(
        "v3/catalog/products", json={"name": "blue mug", "type": "physical", "weight": 1, "price": 1}
    )
    assert dup_name.status_code == 409
    assert dup_name.json()["title"] == "The product name is a duplicate"
    dup_sku = store.http.post(
        "v3/catalog/products",
        json={"name": "Other", "sku": "mug-blue", "type": "physical", "weight": 1, "price": 1},
    )
    assert dup_sku.status_code == 409
    assert dup_sku.json()["status"] == 409 and "sku" in dup_sku.json()["title"]
    assert store.state.counts()["products"] == 1


def test_product_sku_may_not_reuse_a_variant_sku(store: BigCommercePeer) -> None:
    store.create_product(
        name="Tee",
        sku="TEE",
        variants=[{"sku": "TEE-RED", "option_values": [{"option_display_name": "Color", "label": "Red"}]}],
    )
    response = store.http.post(
        "v3/catalog/products",
        json={"name": "Other", "sku": "TEE-RED", "type": "physical", "weight": 1, "price": 1},
    )
    assert response.status_code == 409


def test_unknown_category_or_brand_is_409(store: BigCommercePeer) -> None:
    base = {"name": "A", "type": "physical", "weight": 1, "price": 1}
    assert store.http.post("v3/catalog/products", json={**base, "categories": [4242]}).status_code == 409
    assert store.http.post("v3/catalog/products", json={**base, "brand_id": 4242}).status_code == 409


def test_brand_name_gets_or_creates_the_brand(store: BigCommercePeer) -> None:
    first = store.create_product(name="A", brand_name="Acme")
    second = store.create_product(name="B", brand_name="acme")
    assert first["brand_id"] == second["brand_id"] != 0
    brands = store.http.get("v3/catalog/brands").json()["data"]
    assert [b["name"] for b in brands] == ["Acme"]


def test_list_paginates_with_relative_links(store: BigCommercePeer) -> None:
    for i in range(5):
        store.create_product(name=f"P{i}", sku=f"P-{i}")
    first = store.http.get("v3/catalog/products", params={"limit": 2}).json()
    assert first["meta"]["pagination"] == {
        "total": 5,
        "count": 2,
        "per_page": 2,
        "current_page": 1,
        "total_pages": 3,
        "links": {"current": "?page=1&limit=2", "next": "?page=2&limit=2"},
    }
    last = store.http.get("v3/catalog/products", params={"limit": 2, "page": 3}).json()
    assert [p["sku"] for p in last["data"]] == ["P-4"]
    assert last["meta"]["pagination"]["links"] == {
        "previous": "?page=2&limit=2",
        "current": "?page=3&limit=2",
    }
    default = store.http.get("v3/catalog/products").json()["meta"]["pagination"]
    assert default["per_page"] == 50
    assert store.http.get("v3/catalog/products", params={"limit": 250}).status_code == 200
    too_many = store.http.get("v3/catalog/products", params={"limit": 251})
    assert too_many.status_code == 413 and too_many.json()["status"] == 413


def test_include_embeds_sub_resources(store: BigCommercePeer) -> None:
    product = store.create_product(
        name="Tee",
        sku="TEE",
        custom_fields=[{"name": "Fabric", "value": "Cotton"}],
        variants=[
            {"sku": "TEE-S", "option_values": [{"option_display_name": "Size", "label": "S"}]},
            {"sku": "TEE-M", "option_values": [{"option_display_name": "Size", "label": "M"}]},
        ],
    )
    plain = store.http.get(f"v3/catalog/products/{product['id']}").json()["data"]
    assert "variants" not in plain and "custom_fields" not in plain
    full = store.http.get(
        f"v3/catalog/products/{product['id']}", params={"include": "variants,images,custom_fields,options"}
    ).json()["data"]
    assert [v["sku"] for v in full["variants"]] == ["TEE-S", "TEE-M"]
    assert full["images"] == []
    assert [(f["name"], f["value"]) for f in full["custom_fields"]] == [("Fabric", "Cotton")]
    assert [o["display_name"] for o in full["options"]] == ["Size"]
    listed = store.http.get("v3/catalog/products", params={"include": "variants"}).json()["data"]
    assert len(listed[0]["variants"]) == 2


def test_include_options_drops_the_page_size_to_10(store: BigCommercePeer) -> None:
    for i in range(12):
        store.create_product(name=f"P{i}")
    page = store.http.get("v3/catalog/products", params={"include": "options", "limit": 50}).json()
    assert len(page["data"]) == 10
    assert page["meta"]["pagination"]["per_page"] == 10 and page["meta"]["pagination"]["total_pages"] == 2


def test_filters(store: BigCommercePeer) -> None:
    a = store.create_product(name="Alpha", sku="A-1")
    b = store.create_product(name="Beta", sku="B-1", is_visible=False)
    store.create_product(name="Gamma", sku="G-1")

    def skus(**params: str) -> list[str]:
        response = store.http.get("v3/catalog/products", params=params)
        assert response.status_code == 200, response.text
        return [p["sku"] for p in response.json()["data"]]

    assert skus(sku="b-1") == ["B-1"]
    assert skus(**{"sku:in": "A-1,G-1"}) == ["A-1", "G-1"]
    assert skus(**{"id:in": f"{a['id']},{b['id']}"}) == ["A-1", "B-1"]
    assert skus(name="Gamma") == ["G-1"]
    assert skus(is_visible="false") == ["B-1"]
    assert skus(sort="name", direction="desc") == ["G-1", "B-1", "A-1"]
    assert skus(**{"date_modified:min": "2000-01-01T00:00:00+00:00"}) == ["A-1", "B-1", "G-1"]
    assert skus(**{"date_modified:max": "2000-01-01T00:00:00+00:00"}) == []


def test_update_is_partial_and_bumps_date_modified(store: BigCommercePeer) -> None:
    clock = FakeClock()
    store.state.clock = clock
    category = store.create_category("Mugs")
    product = store.create_product(name="Mug", sku="MUG", price=5)
    assert product["date_created"] == product["date_modified"] == "2031-01-01T12:00:00+00:00"
    clock.tick()  # dates have one-second resolution
    response = store.http.put(
        f"v3/catalog/products/{product['id']}", json={"price": 7.5, "categories": [category["category_id"]]}
    )
    assert response.status_code == 200
    updated = response.json()["data"]
    assert (updated["name"], updated["sku"], updated["price"]) == ("Mug", "MUG", 7.5)
    assert updated["categories"] == [category["category_id"]]
    assert updated["date_modified"] == "2031-01-01T12:00:01+00:00" > product["date_modified"]
    assert updated["date_created"] == product["date_created"]
    newer = store.http.get(
        "v3/catalog/products", params={"date_modified:min": updated["date_modified"]}
    ).json()
    assert [p["id"] for p in newer["data"]] == [product["id"]]
    assert store.http.put("v3/catalog/products/424242", json={"price": 1}).status_code == 404


def test_update_to_a_taken_name_is_409(store: BigCommercePeer) -> None:
    store.create_product(name="One")
    two = store.create_product(name="Two")
    assert store.http.put(f"v3/catalog/products/{two['id']}", json={"name": "ONE"}).status_code == 409


def test_batch_update_more_than_10_is_413(store: BigCommercePeer) -> None:
    response = store.http.put("v3/catalog/products", json=[{"id": i, "price": 1} for i in range(11)])
    assert response.status_code == 413
    assert response.json() == {
        "errors": {},
        "status": 413,
        "title": "The request payload is too large. The maximum items allowed in the array is 10.",
        "type": "/api-docs/getting-started/api-status-codes",
    }


def test_batch_update_all_ok_is_200(store: BigCommercePeer) -> None:
    ids = [store.create_product(name=f"P{i}")["id"] for i in range(3)]
    response = store.http.put("v3/catalog/products", json=[{"id": pid, "price": 9} for pid in ids])
    assert response.status_code == 200
    assert [p["price"] for p in response.json()["data"]] == [9, 9, 9]


def test_batch_update_partial_failure_is_207(store: BigCommercePeer) -> None:
    one = store.create_product(name="One")
    two = store.create_product(name="Two")
    response = store.http.put(
        "v3/catalog/products",
        json=[{"id": one["id"], "price": 3}, {"id": 987654, "price": 3}, {"id": two["id"], "name": "One"}],
    )
    assert response.status_code == 207
    body = response.json()
    assert [p["id"] for p in body["data"]] == [one["id"]]
    assert set(body["errors"]["errors"]) == {"1", "2"}
    assert {"status", "title", "type"} <= body["errors"].keys()
    assert store.http.get(f"v3/catalog/products/{one['id']}").json()["data"]["price"] == 3
    assert store.http.get(f"v3/catalog/products/{two['id']}").json()["data"]["name"] == "Two"


def test_batch_items_without_id_fail_the_request(store: BigCommercePeer) -> None:
    response = store.http.put("v3/catalog/products", json=[{"name": "test1"}, {"name": "test2"}])
    assert response.status_code == 422
    assert response.json()["errors"] == REQUIRED


def test_delete_one_and_by_filter(store: BigCommercePeer) -> None:
    ids = [store.create_product(name=f"P{i}", sku=f"S{i}")["id"] for i in range(4)]
    assert store.http.delete(f"v3/catalog/products/{ids[0]}").status_code == 204
    assert store.http.get(f"v3/catalog/products/{ids[0]}").status_code == 404
    assert store.http.delete("v3/catalog/products").status_code == 422  # a filter is mandatory
    assert store.http.delete("v3/catalog/products", params={"id:in": f"{ids[1]},{ids[2]}"}).status_code == 204
    assert [p["id"] for p in store.state.products()] == [ids[3]]
    # The SKU is free again once its product is gone.
    assert (
        store.http.post(
            "v3/catalog/products",
            json={"name": "P1", "sku": "S1", "type": "physical", "weight": 1, "price": 1},
        ).status_code
        == 200
    )


def test_image_by_url_is_downloaded_and_served_back(store: BigCommercePeer) -> None:
    product = store.create_product(name="Mug")
    with image_host() as host:
        response = store.http.post(
            f"v3/catalog/products/{product['id']}/images",
            json={"image_url": f"{host}/img/mug.png", "description": "front"},
        )
        assert response.status_code == 200, response.text
        image = response.json()["data"]
        assert image["product_id"] == product["id"] and image["is_thumbnail"] is True
        for key in ("url_zoom", "url_standard", "url_thumbnail", "url_tiny", "image_url"):
            assert image[key].startswith(store.server.url), key
        served = store.http.get(image["url_standard"])
        assert served.status_code == 200 and served.content == png_bytes(shade=sum(b"mug") % 256)
        second = store.http.post(
            f"v3/catalog/products/{product['id']}/images",
            json={"image_url": f"{host}/img/back.png", "is_thumbnail": True},
        ).json()["data"]
    images = store.http.get(f"v3/catalog/products/{product['id']}/images").json()["data"]
    assert [(i["id"], i["is_thumbnail"]) for i in images] == [(image["id"], False), (second["id"], True)]
    assert store.http.delete(f"v3/catalog/products/{product['id']}/images/{image['id']}").status_code == 204
    assert store.state.counts()["images"] == 1


def test_failed_image_download_is_the_real_422(store: BigCommercePeer) -> None:
    product = store.create_product(name="Mug")
    with image_host() as host:
        for url in (f"{host}/img/missing", f"{host}/text.png", "http://127.0.0.1:9/none.png"):
            response = store.http.post(f"v3/catalog/products/{product['id']}/images", json={"image_url": url})
            assert response.status_code == 422, url
            assert response.json()["title"] == "The field 'image_url' is invalid."
        create = store.http.post(
            "v3/catalog/products",
            json={
                "name": "New",
                "type": "physical",
                "weight": 1,
                "price": 1,
                "images": [{"image_url": f"{host}/nope"}],
            },
        )
    assert create.status_code == 422
    assert store.state.counts()["products"] == 1
    long_url = store.http.post(
        f"v3/catalog/products/{product['id']}/images", json={"image_url": "http://127.0.0.1/" + "a" * 260}
    )
    assert long_url.status_code == 422


def test_images_in_the_product_body(store: BigCommercePeer) -> None:
    with image_host() as host:
        product = store.create_product(
            name="Mug", images=[{"image_url": f"{host}/img/a.png", "is_thumbnail": True}]
        )
    full = store.http.get(
        f"v3/catalog/products/{product['id']}", params={"include": "images,primary_image"}
    ).json()
    assert len(full["data"]["images"]) == 1
    assert full["data"]["primary_image"]["id"] == full["data"]["images"][0]["id"]


def test_custom_fields_crud(store: BigCommercePeer) -> None:
    product = store.create_product(name="Book")
    path = f"v3/catalog/products/{product['id']}/custom-fields"
    created = store.http.post(path, json={"name": "ISBN", "value": "1234567890123"})
    assert created.status_code == 200
    field = created.json()["data"]
    assert field == {"id": field["id"], "name": "ISBN", "value": "1234567890123"}
    missing = store.http.post(path, json={"name": "Pages"})
    assert missing.status_code == 422 and "value" in missing.json()["errors"]
    assert store.http.put(f"{path}/{field['id']}", json={"value": "999"}).json()["data"]["value"] == "999"
    assert store.http.get(path).json()["meta"]["pagination"]["total"] == 1
    assert store.http.delete(f"{path}/{field['id']}").status_code == 204
    assert store.http.get(path).json()["data"] == []


def test_summary_counts_the_catalogue(store: BigCommercePeer) -> None:
    category = store.create_category("Kitchen")
    store.create_product(name="A", price=4, inventory_level=3, categories=[category["category_id"]])
    store.create_product(name="B", price=8, categories=[category["category_id"]])
    summary = store.http.get("v3/catalog/summary").json()["data"]
    assert summary["variant_count"] == 2
    assert summary["inventory_count"] == 3 and summary["inventory_value"] == 12
    assert summary["highest_variant_price"] == 8 and summary["average_variant_price"] == 6
    assert summary["primary_category_id"] == category["category_id"]
    assert summary["primary_category_name"] == "Kitchen"


def test_product_by_sku_and_products_helpers(store: BigCommercePeer) -> None:
    store.create_product(name="A", sku="A-1")
    found = store.state.product_by_sku("a-1")
    assert found is not None and found["name"] == "A" and len(found["variants"]) == 1
    assert store.state.product_by_sku("nope") is None
    copy_of = store.state.products()[0]
    copy_of["name"] = "changed"
    assert store.state.products()[0]["name"] == "A"


def test_write_answers_have_no_sub_resources_whatever_include_says(store: BigCommercePeer) -> None:
    """createProduct and updateProducts document `include_fields` only; updateProduct (one product) takes
    `include` as the reads do (store-apis.md, Corrections)."""
    body = {"name": "Mug", "type": "physical", "weight": 0, "price": 5, "sku": "MUG-INC"}
    made = store.http.post("v3/catalog/products", params={"include": "images,variants"}, json=body).json()["data"]
    assert "images" not in made and "variants" not in made
    batch = store.http.put("v3/catalog/products", params={"include": "images"}, json=[{"id": made["id"], "price": 6}])
    assert batch.status_code == 200 and "images" not in batch.json()["data"][0]
    one = store.http.put(f"v3/catalog/products/{made['id']}", params={"include": "images"}, json={"price": 7})
    assert one.json()["data"]["images"] == []


def test_tied_sort_values_come_in_a_new_order_for_each_page_when_shuffling(store: BigCommercePeer) -> None:
    """No documented tie-break for `sort=date_modified`: with `shuffle_ties` tied rows move between pages."""
    for i in range(12):
        body = {"name": f"Tie {i}", "type": "physical", "weight": 0, "price": 5, "sku": f"TIE-{i}"}
        assert store.http.post("v3/catalog/products", json=body).status_code == 200
    with store.state.lock:
        for record in store.state.products_by_id.values():
            record["date_modified"] = datetime(2031, 1, 1, tzinfo=UTC)
    store.state.shuffle_ties = True

    def walk(sort: str) -> list[str]:
        return [p["sku"] for page in (1, 2, 3) for p in store.http.get(
            "v3/catalog/products", params={"sort": sort, "limit": 4, "page": page}).json()["data"]]

    assert sorted(walk("id")) == sorted(f"TIE-{i}" for i in range(12)) == sorted(set(walk("id")))
    assert any(len(set(walk("date_modified"))) < 12 for _ in range(5))  # some rows seen twice, some never
