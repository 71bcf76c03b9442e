"""Store payload conversions (WooCommerce and BigCommerce), the OAuth 1.0a signer and quota pacing."""

from __future__ import annotations

import asyncio
import datetime as dt
import urllib.parse
from types import SimpleNamespace

import httpx
import pytest
from oauthlib.oauth1.rfc5849 import signature as oauthlib_signature

from tests.support.conformance import load_example
from unopim_desktop.domain import (
    ProductAttributeValue,
    StoreCategory,
    StoreImage,
    StoreProduct,
    StoreVariant,
)
from unopim_desktop.stores.bigcommerce import payloads as bc
from unopim_desktop.stores.bigcommerce.quota import QuotaPacer, wait_after_429
from unopim_desktop.stores.woocommerce import payloads as wc
from unopim_desktop.stores.woocommerce.auth import (
    QueryStringAuth,
    WooCommerceOAuth1,
    auth_for,
    base_string_uri,
    normalize_parameters,
    sign,
    signature_base_string,
)

# --- WooCommerce: read side on the real example payloads ----------------------------------------


def test_wc_simple_product_from_docs_example() -> None:
    product = wc.product_from_wc(load_example("store/wc-product.json"))
    assert product.store_id == 794
    assert product.type == "simple"
    assert product.regular_price == "21.99" and product.sale_price == ""
    assert product.category_ids == [9, 14]
    assert product.date_modified_gmt == "2017-03-23T20:01:14"
    assert product.images[0].store_id == 792 and product.images[0].src.endswith(".jpg")
    assert product.stock_quantity is None  # manage_stock false: the quantity means nothing


def test_wc_variable_product_keeps_global_and_local_attributes() -> None:
    variable, simple = load_example("store/wc-products-list.json")
    product = wc.product_from_wc(variable)
    assert product.type == "variable"
    color, size = product.attributes
    assert (color.name, color.store_id, color.options, color.variation, color.visible) == (
        "Color", 6, ["Black", "Green"], True, False)
    assert (size.name, size.store_id, size.options) == ("Size", None, ["S", "M"])  # local: id 0
    assert wc.product_from_wc(simple).type == "simple"


def test_wc_variation_from_docs_example() -> None:
    variant = wc.variant_from_wc(load_example("store/wc-product-variation.json"))
    assert variant.store_id == 732
    assert variant.regular_price == "9.00"
    assert variant.axes == {"Color": "Black"}
    assert variant.image is not None and variant.image.store_id == 423
    assert variant.stock_quantity is None


def test_wc_variation_placeholder_image_is_no_image() -> None:
    raw = load_example("store/wc-product-variation.json")
    raw["image"] = {"id": 0, "src": "https://example.com/wp-content/uploads/woocommerce-placeholder.png"}
    assert wc.variant_from_wc(raw).image is None


def test_wc_category_attribute_and_term_from_docs_examples() -> None:
    category = wc.category_from_wc(load_example("store/wc-product-category.json"))
    assert (category.store_id, category.name, category.slug, category.parent_store_id) == (9, "Clothing", "clothing", None)
    assert category.image is not None and category.image.store_id == 730
    attribute = wc.attribute_from_wc(load_example("store/wc-product-attribute.json"))
    assert (attribute.store_id, attribute.name, attribute.slug) == (1, "Color", "color")  # stored without pa_
    term = wc.term_from_wc(load_example("store/wc-product-attribute-term.json"))
    assert (term.store_id, term.name, term.slug) == (23, "XXS", "xxs")


def test_wc_term_names_are_unescaped() -> None:
    assert wc.term_from_wc({"id": 3, "name": "Bath &amp; Body", "slug": "bath-body"}).name == "Bath & Body"


def test_wc_batch_answer_from_docs_example() -> None:
    answer = load_example("store/wc-products-batch.json")
    created = [wc.batch_item_result(f"k{i}", item) for i, item in enumerate(answer["create"])]
    assert [r.store_id for r in created] == [item["id"] for item in answer["create"]]
    assert all(r.ok for r in created)
    assert created[0].image_ids == [img["id"] for img in answer["create"][0]["images"]]


def test_wc_batch_item_error_keeps_existing_resource_id() -> None:
    item = {"id": 0, "error": {"code": "product_invalid_sku", "message": "Invalid or duplicated SKU.",
                               "data": {"status": 400, "resource_id": 123, "unique_sku": "ABC-1"}}}
    result = wc.batch_item_result("ABC", item)
    assert not result.ok
    assert (result.store_id, result.error_code, result.status) == (123, "product_invalid_sku", 400)
    assert result.error == "Invalid or duplicated SKU."


# --- WooCommerce: write side --------------------------------------------------------------------


def _product() -> StoreProduct:
    return StoreProduct(
        sku="TEE-1", name="Tee", description="<p>Soft</p>", regular_price="21.99", sale_price="19.5",
        stock_quantity=7, weight="0.2", length="10", width="5", height="1", category_ids=[9, 14],
        tags=["Summer", "Cotton"],
        attributes=[ProductAttributeValue("Color", ["Black"], store_id=6, variation=True),
                    ProductAttributeValue("Fit", ["Slim"], visible=True)],
        images=[StoreImage(src="https://cdn.example.com/b.jpg", position=1),
                StoreImage(src="https://cdn.example.com/a.jpg", store_id=55, alt="front", position=0)],
        upsell_ids=[3], cross_sell_ids=[4], meta={"_unopim_code": "tee"},
    )


def test_wc_product_payload_uses_strings_ids_and_names() -> None:
    body = wc.product_to_wc(_product())
    assert body["regular_price"] == "21.99" and body["sale_price"] == "19.5"
    assert isinstance(body["weight"], str) and body["dimensions"] == {"length": "10", "width": "5", "height": "1"}
    assert body["manage_stock"] is True and body["stock_quantity"] == 7
    assert body["categories"] == [{"id": 9}, {"id": 14}]
    assert body["tags"] == [{"name": "Summer"}, {"name": "Cotton"}]
    # The known image goes by id (no second download), the new one by src; featured first.
    assert body["images"] == [{"id": 55, "alt": "front"}, {"src": "https://cdn.example.com/b.jpg"}]
    assert body["attributes"][0] == {"id": 6, "position": 0, "visible": True, "variation": True, "options": ["Black"]}
    assert body["attributes"][1]["name"] == "Fit" and "id" not in body["attributes"][1]
    assert body["meta_data"] == [{"key": "_unopim_code", "value": "tee"}]
    assert "id" not in body


def test_wc_empty_lists_are_not_sent() -> None:
    body = wc.product_to_wc(StoreProduct(sku="X", name="X", store_id=5))
    assert body["id"] == 5
    for key in ("images", "categories", "tags", "attributes", "meta_data", "upsell_ids"):
        assert key not in body


def test_wc_variable_parent_carries_no_price_and_grouped_lists_children() -> None:
    assert "regular_price" not in wc.product_to_wc(StoreProduct(sku="P", type="variable", regular_price="5"))
    grouped = wc.product_to_wc(StoreProduct(sku="G", type="grouped", grouped_ids=[7, 8]))
    assert grouped["grouped_products"] == [7, 8]


def test_wc_product_round_trip_through_payload() -> None:
    original = _product()
    back = wc.product_from_wc(wc.product_to_wc(original))
    for name in ("sku", "name", "regular_price", "sale_price", "stock_quantity", "weight", "length", "category_ids",
                 "tags", "upsell_ids", "cross_sell_ids", "meta"):
        assert getattr(back, name) == getattr(original, name), name


def test_wc_variation_axes_use_global_ids() -> None:
    variant = StoreVariant(sku="TEE-1-B", regular_price="9", axes={"Color": "Black", "Size": "M"},
                           image=StoreImage(src="https://cdn.example.com/v.jpg"))
    body = wc.variant_to_wc(variant, {"color": 6})
    assert body["attributes"] == [{"id": 6, "option": "Black"}, {"name": "Size", "option": "M"}]
    assert body["regular_price"] == "9" and body["image"] == {"src": "https://cdn.example.com/v.jpg"}


def test_wc_category_and_attribute_payloads() -> None:
    body = wc.category_to_wc(StoreCategory(name="Shirts", slug="shirts", description="d"), 9)
    assert body == {"name": "Shirts", "parent": 9, "slug": "shirts", "description": "d"}
    assert wc.category_to_wc(StoreCategory(name="Top"), None)["parent"] == 0
    assert wc.attribute_slug("pa_Color") == "color"
    assert len(wc.attribute_slug("x" * 40)) == 28


def test_wc_gmt_dates_have_no_offset() -> None:
    moment = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert wc.wc_gmt(moment) == "2024-05-01T10:00:00"


# --- BigCommerce: read side ---------------------------------------------------------------------


def test_bc_product_from_docs_example() -> None:
    product = bc.product_from_bc(load_example("store/bc-product.json")["data"])
    assert (product.store_id, product.sku, product.regular_price) == (77, "SLCTBS", "49")
    assert product.status == "draft"  # is_visible false
    assert product.sale_price == ""  # 0 means no sale price
    assert product.upsell_ids == []  # -1 is "automatic related products"
    assert product.date_modified_gmt == "2020-04-24T19:56:35"
    assert product.category_ids == [23]


def test_bc_variants_from_docs_example() -> None:
    raw = load_example("store/bc-product-variants.json")["data"]
    variants = [bc.variant_from_bc(v) for v in raw]
    assert [v.sku for v in variants] == ["SMIT", "SMIT-1", "SMIT-2"]
    assert variants[0].axes == {"Color": "Beige"} and variants[0].regular_price == "10"
    assert variants[0].sale_price == "8"
    product = bc.product_from_bc({**load_example("store/bc-product.json")["data"], "variants": raw})
    assert product.type == "variable" and len(product.variants) == 3
    assert product.attributes[0].name == "Color" and product.attributes[0].options[:2] == ["Beige", "Grey"]


def test_bc_base_variant_is_not_a_variant() -> None:
    base = {"id": 1, "sku": "S", "option_values": [], "price": 5}
    product = bc.product_from_bc({"id": 9, "sku": "S", "name": "n", "variants": [base]})
    assert product.type == "simple" and product.variants == []


def test_bc_tree_category_from_docs_example() -> None:
    category = bc.category_from_bc(load_example("store/bc-tree-categories.json")["data"][0])
    assert (category.store_id, category.parent_store_id, category.name) == (12, 2, "Bath")
    assert category.image is not None and category.image.src.endswith("fakeimage.png")
    assert category.extra["tree_id"] == 1


def test_bc_error_text_lists_fields() -> None:
    text = bc.error_text(load_example("store/bc-error-422.json"))
    assert text.startswith("Missing Required Fields (") and "price: Please provide a price." in text


# --- BigCommerce: write side --------------------------------------------------------------------


def test_bc_create_payload_uses_numbers_and_required_fields() -> None:
    body = bc.product_to_bc(_product(), creating=True)
    assert body["price"] == 21.99 and body["sale_price"] == 19.5 and body["weight"] == 0.2
    assert body["type"] == "physical" and "id" not in body
    assert body["depth"] == 10 and body["width"] == 5
    assert body["inventory_tracking"] == "product" and body["inventory_level"] == 7
    assert body["search_keywords"] == "Summer,Cotton"
    assert body["related_products"] == [3, 4]
    # Only the image not yet in the store is sent, and BigCommerce fetches it by image_url.
    assert body["images"] == [{"image_url": "https://cdn.example.com/b.jpg", "is_thumbnail": False, "sort_order": 1}]
    assert body["custom_fields"] == [{"name": "_unopim_code", "value": "tee"}]


def test_bc_required_fields_default_to_zero() -> None:
    body = bc.product_to_bc(StoreProduct(sku="Z", name="Z"), creating=True)
    assert (body["price"], body["weight"], body["type"]) == (0, 0, "physical")


def test_bc_update_payload_reuses_custom_field_ids() -> None:
    product = StoreProduct(sku="A", name="A", store_id=77, meta={"color": "red", "new": {"a": 1}, "empty": ""})
    body = bc.product_to_bc(product, creating=False, custom_field_ids={"color": 5})
    assert body["id"] == 77 and "type" not in body
    assert body["custom_fields"] == [{"name": "color", "value": "red", "id": 5}, {"name": "new", "value": '{"a": 1}'}]


def test_bc_variant_payloads() -> None:
    variant = StoreVariant(sku="V", regular_price="", sale_price="3.25", stock_quantity=4,
                           image=StoreImage(src="https://cdn.example.com/v.png"))
    body = bc.variant_to_bc(variant, option_values=[{"option_id": 1, "id": 2}])
    assert body["price"] is None  # inherit the product's price
    assert body["sale_price"] == 3.25 and body["inventory_level"] == 4
    assert body["image_url"] == "https://cdn.example.com/v.png"
    assert body["option_values"] == [{"option_id": 1, "id": 2}]


def test_bc_category_payload() -> None:
    assert bc.category_to_bc(StoreCategory(name="Bath"), parent_id=0, tree_id=1) == {
        "name": "Bath", "parent_id": 0, "tree_id": 1}
    update = bc.category_to_bc(StoreCategory(name="Bath", store_id=12), parent_id=2, tree_id=1)
    assert update == {"name": "Bath", "parent_id": 2, "category_id": 12}


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://api.bigcommerce.com/stores/abc123/", "https://api.bigcommerce.com/stores/abc123/"),
        ("https://api.bigcommerce.com/stores/abc123", "https://api.bigcommerce.com/stores/abc123/"),
        ("https://api.bigcommerce.com/stores/abc123/v3/", "https://api.bigcommerce.com/stores/abc123/"),
        ("http://127.0.0.1:4321/stores/xyz/", "http://127.0.0.1:4321/stores/xyz/"),
    ],
)
def test_bc_api_url_accepted(url: str, base: str) -> None:
    assert bc.parse_api_url(url)[0] == base


@pytest.mark.parametrize(
    "url",
    ["https://store-abc.mybigcommerce.com/", "https://api.bigcommerce.com/stores/", "abc123",
     "https://api.bigcommerce.com/stores/abc/v3/catalog/products", "ftp://api.bigcommerce.com/stores/abc/"],
)
def test_bc_api_url_refused(url: str) -> None:
    with pytest.raises(ValueError):
        bc.parse_api_url(url)


def test_bc_numbers() -> None:
    assert bc.number("21.99") == 21.99 and bc.number("10") == 10 and bc.number("") is None
    assert bc.number("abc") is None and bc.number("1.23456") == 1.2346
    assert bc.bc_datetime(dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05+00:00"


# --- OAuth 1.0a -----------------------------------------------------------------------------------

# RFC 5849 §3.4.1.1: the example request and the signature base string it gives.
RFC_URL = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
RFC_PARAMS = [
    ("b5", "=%3D"), ("a3", "a"), ("c@", ""), ("a2", "r b"),  # query
    ("oauth_consumer_key", "9djdj82h48djs9d2"), ("oauth_token", "kkk9d7dh3k39sjv7"),
    ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "137131201"), ("oauth_nonce", "7d8f3e4a"),
    ("c2", ""), ("a3", "2 q"),  # body
]
RFC_BASE_STRING = (
    "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D"
    "%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1"
    "%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
)


def _oauthlib_sign(base_string: str, consumer_secret: str) -> str:
    # One-legged: no token, so no token secret.
    client = SimpleNamespace(client_secret=consumer_secret, resource_owner_secret="")
    return oauthlib_signature.sign_hmac_sha256_with_client(base_string, client)


def test_signature_base_string_matches_rfc5849_vector() -> None:
    assert signature_base_string("post", RFC_URL, RFC_PARAMS) == RFC_BASE_STRING


@pytest.mark.parametrize(
    "url",
    ["HTTP://Example.COM:80/r%20v/X?id=123", "https://www.example.net:8080/?q=1", "https://shop.test:443/wp-json/wc/v3/products"],
)
def test_base_string_uri_agrees_with_oauthlib(url: str) -> None:
    assert base_string_uri(url) == oauthlib_signature.base_string_uri(url)


def test_signature_agrees_with_oauthlib() -> None:
    params = [("per_page", "100"), ("sku", "A,B c+d/é~*"), ("oauth_consumer_key", "ck_abc"),
              ("oauth_nonce", "n0nce"), ("oauth_signature_method", "HMAC-SHA256"), ("oauth_timestamp", "1700000000")]
    url = "http://shop.test:8080/wp-json/wc/v3/products"
    ours = signature_base_string("GET", url, params)
    theirs = oauthlib_signature.signature_base_string(
        "GET", oauthlib_signature.base_string_uri(url), oauthlib_signature.normalize_parameters(params)
    )
    assert ours == theirs
    assert normalize_parameters(params) == oauthlib_signature.normalize_parameters(params)
    assert sign(ours, "cs_secret") == _oauthlib_sign(theirs, "cs_secret")


def test_oauth1_auth_signs_the_query_like_oauthlib_verifies() -> None:
    auth = WooCommerceOAuth1("ck_key", "cs_secret", clock=lambda: 1_700_000_000, nonce=lambda: "abc")
    request = httpx.Request("GET", "http://shop.test/wp-json/wc/v3/products", params={"sku": "A B,C", "page": 2})
    signed = next(auth.auth_flow(request))
    query = dict(urllib.parse.parse_qsl(signed.url.query.decode()))
    assert query["oauth_signature_method"] == "HMAC-SHA256" and "oauth_version" not in query
    assert query["oauth_consumer_key"] == "ck_key" and query["oauth_timestamp"] == "1700000000"
    params = oauthlib_signature.collect_parameters(uri_query=signed.url.query.decode())
    base = oauthlib_signature.signature_base_string(
        "GET", oauthlib_signature.base_string_uri(str(signed.url)), oauthlib_signature.normalize_parameters(params)
    )
    assert query["oauth_signature"] == _oauthlib_sign(base, "cs_secret")
    # A retry signs afresh instead of signing the old signature.
    again = next(auth.auth_flow(signed))
    assert str(again.url).count("oauth_signature=") == 1


def test_auth_choice_follows_the_scheme() -> None:
    assert isinstance(auth_for("https://shop.test", "ck", "cs"), httpx.BasicAuth)
    assert isinstance(auth_for("https://shop.test", "ck", "cs", query_string=True), QueryStringAuth)
    assert isinstance(auth_for("http://shop.test", "ck", "cs"), WooCommerceOAuth1)


# --- BigCommerce quota pacing -----------------------------------------------------------------------


def test_wait_after_429_honours_the_longer_header() -> None:
    assert wait_after_429({"X-Rate-Limit-Time-Reset-Ms": "1500", "X-Retry-After": "3"}, 1) == pytest.approx(3.05)
    assert wait_after_429({"X-Rate-Limit-Time-Reset-Ms": "4000", "X-Retry-After": "1"}, 1) == pytest.approx(4.05)
    assert wait_after_429({}, 3) == 8.0  # no headers: platform load, exponential back-off


def test_pacer_holds_requests_when_the_window_is_spent() -> None:
    now = [0.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def run() -> None:
        pacer = QuotaPacer(clock=lambda: now[0], sleep=fake_sleep)
        await pacer.acquire()
        pacer.release({"X-Rate-Limit-Requests-Left": "2", "X-Rate-Limit-Time-Reset-Ms": "1000"})
        await pacer.acquire()
        await pacer.acquire()
        assert slept == []  # two left: both go at once
        await pacer.acquire()  # none left: waits for the reset
        assert slept and slept[0] == pytest.approx(1.05)
        assert pacer.waits == 1

    asyncio.run(run())
