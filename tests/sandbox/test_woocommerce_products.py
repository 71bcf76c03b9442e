"""WooCommerce sandbox products, variations and taxonomies over a real HTTPS socket."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.woocommerce_peer import (
    RunningWoo,
    error_of,
    running_woo,
    trust,
)
from unopim_desktop.sandbox.catalogue import generate_catalogue
from unopim_desktop.sandbox.woocommerce import WooState

DATE = "%Y-%m-%dT%H:%M:%S"


@pytest.fixture
def woo(woo_cert: tuple[Path, Path]) -> Iterator[RunningWoo]:
    with running_woo(woo_cert) as running:
        yield running


def create(woo: RunningWoo, **body: object) -> dict:
    response = woo.http.post(woo.api("/products"), json=body)
    assert response.status_code == 201, response.text
    return response.json()


# --- create, read, update ------------------------------------------------------------------------


def test_create_answers_201_with_location_strings_and_offset_free_dates(woo: RunningWoo) -> None:
    response = woo.http.post(woo.api("/products"), json={
        "name": "Premium Quality", "type": "simple", "regular_price": "21.99", "sku": "PQ-1",
        "description": "Line one\n\nLine two", "manage_stock": True, "stock_quantity": 7,
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"{woo.url}/wp-json/wc/v3/products/{body['id']}"
    assert body["regular_price"] == "21.99" and body["price"] == "21.99" and body["sale_price"] == ""
    assert body["stock_quantity"] == 7 and body["stock_status"] == "instock"
    assert body["permalink"] == f"{woo.url}/product/premium-quality/"
    assert body["_links"]["self"][0]["href"] == f"{woo.url}/wp-json/wc/v3/products/{body['id']}"
    local = datetime.strptime(body["date_modified"], DATE)
    gmt = datetime.strptime(body["date_modified_gmt"], DATE)
    assert local - gmt == timedelta(hours=2)  # site time vs UTC, neither with an offset suffix
    assert abs(datetime.utcnow() - gmt) < timedelta(minutes=1)
    assert body["categories"] == [{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}]
    # The create answer is in edit context (raw); a GET is in view context (wpautop'ed).
    assert body["description"] == "Line one\n\nLine two"
    fetched = woo.http.get(woo.api(f"/products/{body['id']}")).json()
    assert fetched["description"] == "<p>Line one</p>\n<p>Line two</p>\n"


def test_json_numbers_for_string_fields_are_rejected(woo: RunningWoo) -> None:
    response = woo.http.post(woo.api("/products"), json={"name": "x", "regular_price": 9.5})
    assert error_of(response) == (400, "rest_invalid_param", "Invalid parameter(s): regular_price")
    assert response.json()["data"]["params"] == {"regular_price": "regular_price is not of type string."}
    response = woo.http.post(woo.api("/products"), json={"name": "x", "type": "bundle"})
    assert response.json()["data"]["params"]["type"] == "type is not one of simple, grouped, external, and variable."


def test_names_and_tags_come_back_as_wordpress_stores_them(woo: RunningWoo) -> None:
    body = create(woo, name="Salt & Pepper <b>Set</b>", tags=[{"name": "Kitchen & Dining"}])
    assert body["name"] == "Salt &amp; Pepper <b>Set</b>"
    assert body["tags"][0]["name"] == "Kitchen &amp; Dining"
    again = create(woo, name="Other", tags=[{"name": "Kitchen & Dining"}])
    assert again["tags"][0]["id"] == body["tags"][0]["id"]  # an existing tag is reused by name


def test_update_by_put_post_and_patch_moves_date_modified(woo: RunningWoo) -> None:
    product = create(woo, name="Editable", regular_price="1.00")
    record = woo.state.product_records[product["id"]]
    record["date_modified"] -= timedelta(seconds=30)
    before = record["date_modified"].strftime(DATE)
    for method, price in (("PUT", "2.00"), ("POST", "3.00"), ("PATCH", "4.00")):
        response = woo.http.request(method, woo.api(f"/products/{product['id']}"), json={"regular_price": price})
        assert response.status_code == 200, response.text
        assert response.json()["regular_price"] == price
    updated = woo.http.get(woo.api(f"/products/{product['id']}")).json()
    assert updated["date_modified_gmt"] > before and updated["regular_price"] == "4.00"
    assert woo.state.write_count() == 4


def test_unknown_ids(woo: RunningWoo) -> None:
    assert error_of(woo.http.get(woo.api("/products/999"))) == (404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
    assert error_of(woo.http.put(woo.api("/products/999"), json={"name": "x"}))[:2] == (
        400, "woocommerce_rest_product_invalid_id")
    assert error_of(woo.http.post(woo.api("/products"), json={"id": 5, "name": "x"})) == (
        400, "woocommerce_rest_product_exists", "Cannot create existing product.")


def test_duplicate_sku_on_create_and_update_names_the_holder(woo: RunningWoo) -> None:
    first = create(woo, name="A", sku="DUP-1")
    response = woo.http.post(woo.api("/products"), json={"name": "B", "sku": "dup-1"})
    assert error_of(response) == (400, "product_invalid_sku", "Invalid or duplicated SKU.")
    assert response.json()["data"] == {"status": 400, "resource_id": first["id"], "unique_sku": "dup-1-1"}
    second = create(woo, name="C", sku="DUP-2")
    response = woo.http.put(woo.api(f"/products/{second['id']}"), json={"sku": "DUP-1"})
    assert response.json()["data"]["resource_id"] == first["id"]
    assert woo.state.product_by_sku("DUP-2")["id"] == second["id"]


# --- listing -------------------------------------------------------------------------------------


def test_pagination_headers_links_and_past_the_end(woo: RunningWoo) -> None:
    for i in range(5):
        create(woo, name=f"P{i}", sku=f"PG-{i}")
    response = woo.http.get(woo.api("/products"), params={"per_page": 2, "page": 2})
    assert response.headers["X-WP-Total"] == "5" and response.headers["X-WP-TotalPages"] == "3"
    links = response.headers["Link"]
    assert f'<{woo.url}/wp-json/wc/v3/products?per_page=2&page=1>; rel="prev"' in links
    assert f'<{woo.url}/wp-json/wc/v3/products?per_page=2&page=3>; rel="next"' in links
    assert [p["sku"] for p in response.json()] == ["PG-2", "PG-1"]  # newest first by default
    past = woo.http.get(woo.api("/products"), params={"per_page": 2, "page": 9})
    assert past.json() == [] and past.headers["X-WP-Total"] == "5"
    too_many = woo.http.get(woo.api("/products"), params={"per_page": 101})
    assert too_many.json()["data"]["params"]["per_page"] == "per_page must be between 1 (inclusive) and 100 (inclusive)"


def test_filters_sku_include_search_type_status(woo: RunningWoo) -> None:
    a = create(woo, name="Blue Mug", sku="MUG-1")
    b = create(woo, name="Red Cup", sku="CUP-1", status="draft")
    create(woo, name="Shelf", sku="SHF-1", type="variable")

    def skus(**params: object) -> list[str]:
        response = woo.http.get(woo.api("/products"), params=params)
        assert response.status_code == 200, response.text
        return sorted(p["sku"] for p in response.json())

    assert skus(sku="mug-1") == ["MUG-1"]
    assert skus(sku="MUG-1,CUP-1") == ["CUP-1", "MUG-1"]
    assert skus(include=f"{a['id']},{b['id']}") == ["CUP-1", "MUG-1"]
    assert skus(search="mug") == ["MUG-1"]
    assert skus(type="variable") == ["SHF-1"]
    assert skus(status="draft") == ["CUP-1"]
    assert woo.http.get(woo.api(f"/products/{b['id']}")).json()["permalink"].endswith(f"?post_type=product&p={b['id']}")


def test_incremental_pull_with_modified_after_and_dates_are_gmt(woo: RunningWoo) -> None:
    old = create(woo, name="Old", sku="OLD-1")
    fresh = create(woo, name="Fresh", sku="NEW-1")
    records = woo.state.product_records
    records[old["id"]]["date_modified"] -= timedelta(hours=5)
    records[fresh["id"]]["date_modified"] -= timedelta(hours=1)
    woo.state.changed()
    since = (datetime.utcnow() - timedelta(hours=4)).strftime(DATE)
    params = {"modified_after": since, "dates_are_gmt": "true", "orderby": "modified", "order": "asc"}
    assert [p["sku"] for p in woo.http.get(woo.api("/products"), params=params).json()] == ["NEW-1"]
    # Without dates_are_gmt the bound is compared with site time (UTC+2), so OLD-1 (3 hours ago there) matches.
    local = woo.http.get(woo.api("/products"), params={"modified_after": since, "orderby": "id", "order": "asc"})
    assert [p["sku"] for p in local.json()] == ["OLD-1", "NEW-1"]
    woo.state.touch_product(old["id"], name="Old, edited by the merchant")
    after = woo.http.get(woo.api("/products"), params=params).json()
    assert [p["sku"] for p in after] == ["NEW-1", "OLD-1"]
    assert after[1]["name"] == "Old, edited by the merchant"


def test_a_utc_offset_in_the_bound_is_moved_to_site_time_even_for_gmt_columns(woo: RunningWoo) -> None:
    product = create(woo, name="Edge", sku="EDGE-1")
    woo.state.product_records[product["id"]]["date_modified"] -= timedelta(hours=1)
    woo.state.changed()
    since = datetime.utcnow() - timedelta(hours=2)
    plain = {"modified_after": since.strftime(DATE), "dates_are_gmt": "true"}
    assert len(woo.http.get(woo.api("/products"), params=plain).json()) == 1
    with_z = {"modified_after": since.strftime(DATE) + "Z", "dates_are_gmt": "true"}
    # WordPress turns "...Z" into site time (+2h) and compares that with the GMT column: the change is missed.
    assert woo.http.get(woo.api("/products"), params=with_z).json() == []


# --- delete and trash ----------------------------------------------------------------------------


def test_delete_trashes_by_default_then_410_then_force_deletes(woo: RunningWoo) -> None:
    product = create(woo, name="Trash me", sku="TR-1")
    response = woo.http.delete(woo.api(f"/products/{product['id']}"))
    assert response.status_code == 200 and response.json()["status"] == "publish"  # the object before deletion
    trashed = woo.http.get(woo.api(f"/products/{product['id']}")).json()
    assert trashed["status"] == "trash"
    assert woo.http.get(woo.api("/products")).json() == []
    assert [p["id"] for p in woo.http.get(woo.api("/products"), params={"status": "trash"}).json()] == [product["id"]]
    assert woo.state.counts()["trashed"] == 1
    assert error_of(woo.http.delete(woo.api(f"/products/{product['id']}"))) == (
        410, "woocommerce_rest_already_trashed", "The product has already been deleted.")
    create(woo, name="Same SKU again", sku="TR-1")  # a trashed product no longer holds its SKU
    assert woo.http.delete(woo.api(f"/products/{product['id']}"), params={"force": "true"}).status_code == 200
    assert woo.http.get(woo.api(f"/products/{product['id']}")).status_code == 404


# --- variations ----------------------------------------------------------------------------------


def test_variable_product_with_global_attribute_and_variations(woo: RunningWoo) -> None:
    color = woo.http.post(woo.api("/products/attributes"), json={"name": "Color"}).json()
    assert color["slug"] == "pa_color"
    parent = create(woo, name="Ship Your Idea", type="variable", sku="SYI", regular_price="5.00", attributes=[
        {"id": color["id"], "variation": True, "visible": True, "options": ["Black", "Green"]},
        {"name": "Size", "variation": True, "options": ["S", "M"]},
    ])
    assert parent["regular_price"] == "" and parent["price"] == ""  # ignored for variable products
    assert [a["options"] for a in parent["attributes"]] == [["Black", "Green"], ["S", "M"]]
    terms = woo.http.get(woo.api(f"/products/attributes/{color['id']}/terms")).json()
    assert sorted(t["name"] for t in terms) == ["Black", "Green"]  # created from the option names

    base = f"/products/{parent['id']}/variations"
    response = woo.http.post(woo.api(base), json={"sku": "SYI-BLK-S", "regular_price": "9.00", "attributes": [
        {"id": color["id"], "option": "Black"}, {"name": "Size", "option": "S"}, {"name": "Ghost", "option": "x"}]})
    assert response.status_code == 201, response.text
    variation = response.json()
    assert response.headers["Location"].endswith(f"/wp-json/wc/v3{base}/{variation['id']}")
    assert variation["attributes"] == [{"id": color["id"], "name": "Color", "option": "Black"},
                                       {"id": 0, "name": "Size", "option": "S"}]
    assert variation["permalink"].endswith("/product/ship-your-idea/?attribute_pa_color=black&attribute_size=S")
    assert variation["image"] is None
    assert variation["_links"]["up"][0]["href"].endswith(f"/wp-json/wc/v3/products/{parent['id']}")

    dup = woo.http.post(woo.api(base), json={"sku": "SYI"})
    assert dup.json()["code"] == "product_invalid_sku" and dup.json()["data"]["resource_id"] == parent["id"]

    refreshed = woo.http.get(woo.api(f"/products/{parent['id']}")).json()
    assert refreshed["variations"] == [variation["id"]] and refreshed["price"] == "9.00"
    assert refreshed["date_modified_gmt"] >= parent["date_modified_gmt"]
    listed = woo.http.get(woo.api(base))
    assert listed.headers["X-WP-Total"] == "1" and listed.json()[0]["sku"] == "SYI-BLK-S"
    by_sku = woo.http.get(woo.api("/products"), params={"sku": "SYI-BLK-S"}).json()
    assert by_sku[0]["id"] == variation["id"] and by_sku[0]["type"] == "variation"
    assert [v["sku"] for v in woo.state.variations(parent["id"])] == ["SYI-BLK-S"]

    other = create(woo, name="Other parent")
    assert error_of(woo.http.get(woo.api(f"/products/{other['id']}/variations/{variation['id']}")))[:2] == (
        403, "woocommerce_rest_cannot_edit")
    assert error_of(woo.http.put(woo.api(f"/products/{variation['id']}"), json={"name": "x"}))[:2] == (
        404, "woocommerce_rest_invalid_product_id")
    assert error_of(woo.http.delete(woo.api(f"{base}/{variation['id']}")))[:2] == (
        501, "woocommerce_rest_trash_not_supported")
    gone = woo.http.delete(woo.api(f"{base}/{variation['id']}"), params={"force": "true"})
    assert gone.status_code == 200 and gone.json()["id"] == variation["id"]
    assert woo.state.counts()["variations"] == 0


# --- categories, tags, attributes ------------------------------------------------------------------


def test_categories_with_parents_and_term_exists(woo: RunningWoo) -> None:
    clothing = woo.http.post(woo.api("/products/categories"), json={"name": "Clothing"})
    assert clothing.status_code == 201 and clothing.headers["Location"].endswith(
        f"/products/categories/{clothing.json()['id']}")
    parent_id = clothing.json()["id"]
    men = woo.http.post(woo.api("/products/categories"), json={"name": "Shirts", "parent": parent_id}).json()
    women = woo.http.post(woo.api("/products/categories"), json={"name": "Women"}).json()
    women_shirts = woo.http.post(woo.api("/products/categories"), json={"name": "Shirts", "parent": women["id"]}).json()
    assert men["parent"] == parent_id and men["slug"] == "shirts"
    assert women_shirts["slug"] == "shirts-women"  # WordPress suffixes a sibling slug with the parent's
    again = woo.http.post(woo.api("/products/categories"), json={"name": "shirts", "parent": parent_id})
    assert error_of(again)[:2] == (400, "term_exists")
    assert again.json()["data"] == {"status": 400, "resource_id": men["id"]}
    children = woo.http.get(woo.api("/products/categories"), params={"parent": parent_id}).json()
    assert [c["id"] for c in children] == [men["id"]]
    assert error_of(woo.http.delete(woo.api(f"/products/categories/{men['id']}"))) == (
        501, "woocommerce_rest_trash_not_supported", "Resource does not support trashing.")
    assert error_of(woo.http.delete(woo.api("/products/categories/15"), params={"force": "true"})) == (
        500, "woocommerce_rest_cannot_delete", "Default product category cannot be deleted.")
    assert error_of(woo.http.get(woo.api("/products/categories/99999"))) == (
        404, "woocommerce_rest_term_invalid", "Resource doesn't exist.")


def test_tags_are_flat_and_attribute_slugs_are_unique(woo: RunningWoo) -> None:
    tag = woo.http.post(woo.api("/products/tags"), json={"name": "Leather"}).json()
    assert error_of(woo.http.post(woo.api("/products/tags"), json={"name": "Suede", "parent": tag["id"]}))[:2] == (
        400, "woocommerce_rest_taxonomy_not_hierarchical")
    assert woo.http.post(woo.api("/products/tags"), json={"name": "leather"}).json()["data"]["resource_id"] == tag["id"]
    assert woo.http.post(woo.api("/products/attributes"), json={"name": "Size"}).status_code == 201
    clash = woo.http.post(woo.api("/products/attributes"), json={"name": "Size 2", "slug": "pa_size"})
    assert error_of(clash) == (400, "woocommerce_rest_cannot_create", 'Slug "size" is already in use. Change it, please.')
    listing = woo.http.get(woo.api("/products/attributes"))
    assert listing.headers["X-WP-Total"] == "1" and listing.headers["X-WP-TotalPages"] == "1"
    missing = woo.http.get(woo.api("/products/attributes/99/terms"))
    assert error_of(missing) == (404, "woocommerce_rest_taxonomy_invalid", "Taxonomy does not exist.")


# --- the state API and catalogue seeding ---------------------------------------------------------


def test_load_catalogue_fills_the_store_and_serves_its_images(woo_cert: tuple[Path, Path]) -> None:
    catalogue = generate_catalogue(8, seed=5, configurable_share=0.5, variants_per_product=3)
    state = WooState()
    state.load_catalogue(catalogue)
    counts = state.counts()
    expected = catalogue.counts()
    assert counts["products"] == expected["products"] + expected["configurable_products"]
    assert counts["variations"] == expected["variants"]
    assert counts["categories"] == expected["categories"]  # the root is left out, Uncategorized added
    assert counts["media"] == counts["products"] + counts["variations"]
    with running_woo(woo_cert, state=state) as woo:
        simple = next(p for p in catalogue.products if p["parent"] is None)
        listed = woo.http.get(woo.api("/products"), params={"sku": simple["sku"]}).json()[0]
        name = simple["values"]["channel_locale_specific"]["default"]["en_US"]["name"]
        price = simple["values"]["channel_locale_specific"]["default"]["en_US"]["price"]["USD"]
        assert listed["name"] == name.replace("&", "&amp;") and listed["regular_price"] == price
        assert listed["stock_quantity"] == int(simple["values"]["common"]["quantity"])
        image = httpx.get(listed["images"][0]["src"], verify=trust(woo_cert))
        assert image.content == catalogue.image_bytes(simple["values"]["common"]["image"])
        configurable = catalogue.configurable_products[0]
        variable = woo.http.get(woo.api("/products"), params={"sku": configurable["sku"]}).json()[0]
        assert variable["type"] == "variable" and len(variable["variations"]) == len(configurable["variants"])
        axes = {a["name"] for a in variable["attributes"] if a["variation"]}
        assert axes == {"Color", "Size"}
        first = woo.http.get(woo.api(f"/products/{variable['id']}/variations/{variable['variations'][0]}")).json()
        assert first["sku"] in {v["sku"] for v in configurable["variants"]} and first["image"] is not None
        assert woo.state.write_count() == 0


def test_fields_filter_and_trailing_slash(woo: RunningWoo) -> None:
    product = create(woo, name="Lean", sku="LEAN-1", regular_price="3.00", sale_price="2.50")
    response = woo.http.get(woo.api("/products/"), params={"_fields": "sku,price,dimensions.width"})
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": product["id"], "sku": "LEAN-1", "price": "2.50", "dimensions": {"width": ""}}]


def test_a_scheduled_sale_only_counts_inside_its_window(woo: RunningWoo) -> None:
    later = (datetime.utcnow() + timedelta(days=2)).strftime(DATE)
    product = create(woo, name="Later", regular_price="10.00", sale_price="8.00", date_on_sale_from_gmt=later)
    assert product["price"] == "10.00" and product["on_sale"] is False
    assert product["date_on_sale_from_gmt"] == later
    running = woo.http.put(woo.api(f"/products/{product['id']}"), json={"date_on_sale_from": ""}).json()
    assert running["price"] == "8.00" and running["on_sale"] is True


def test_orderby_modified_has_no_tie_break_and_ties_may_move_between_pages(woo: RunningWoo) -> None:
    """`get_catalog_ordering_args` adds `ID` for `date` only: `ORDER BY post_modified` leaves rows saved in the
    same second in whatever order MySQL returns, which `shuffle_ties` makes differ for each page query."""
    made = [create(woo, name=f"Tie {i}", sku=f"TIE-{i}") for i in range(12)]
    same = datetime(2031, 1, 1, 12, 0, 0)
    for product in made:
        woo.state.product_records[product["id"]]["date_modified"] = same
    woo.state.changed()
    woo.state.shuffle_ties = True

    def walk(orderby: str) -> list[str]:
        return [p["sku"] for page in (1, 2, 3) for p in woo.http.get(woo.api("/products"), params={
            "orderby": orderby, "order": "asc", "per_page": 4, "page": page}).json()]

    assert walk("id") == [f"TIE-{i}" for i in range(12)]
    assert any(len(set(walk("modified"))) < 12 for _ in range(5))  # some rows seen twice, some never
