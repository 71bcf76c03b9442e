"""Store-kind fields (BigCommerce's page title, prices, flags, choices, keywords, brand, custom URL): UnoPim value →
neutral value → BigCommerce JSON and back, and the clash suffix that keeps product names unique. Pure."""

from __future__ import annotations

from unopim_desktop.domain import AttributeDef, StoreProduct
from unopim_desktop.stores.bigcommerce import payloads as bc
from unopim_desktop.stores.bigcommerce.fields import extra_from_bc, extra_to_bc, suffixed, unsuffixed
from unopim_desktop.sync.changes import content_hash, snapshot
from unopim_desktop.sync.transform.extra import same, store_value, unopim_value

LABELS = {"condition": {"used": "Used", "mint": "Like new"}, "brand": {"acme": "Acme Corp"},
          "kw": {"a": "Alpha", "b": "Beta"}}


def label(code: str, option: str) -> str:
    return LABELS.get(code, {}).get(option, option)


def option_code(code: str, shown: str) -> str:
    for option, text in LABELS.get(code, {}).items():
        if text.lower() == shown.lower() or option == shown.lower():
            return option
    from unopim_desktop.sync.transform.extra import Unmappable

    raise Unmappable(f"“{shown}” is not an option of {code}")


def attr(code: str, type_: str) -> AttributeDef:
    return AttributeDef(code=code, type=type_, families=("default",))


def value(key: str, a: AttributeDef, raw):  # noqa: ANN001, ANN202
    return store_value(key, a, raw, label=label, currency="USD")


def test_unopim_values_become_the_stores_words_with_each_rows_default_when_empty():
    assert value("condition", attr("condition", "select"), "used") == "Used"
    assert value("condition", attr("condition", "select"), "mint") == "New"  # no store word: the default
    assert value("condition", attr("condition", "select"), None) == "New"
    assert value("availability", attr("avail", "text"), "PreOrder") == "preorder"
    assert value("product_type", attr("digital", "boolean"), "true") == "digital"
    assert value("product_type", attr("digital", "boolean"), "false") == "physical"
    assert value("is_featured", attr("featured", "boolean"), "true") is True
    assert value("is_featured", attr("featured", "boolean"), "") is False
    assert value("cost_price", attr("cost", "price"), {"USD": "12.50", "EUR": "11"}) == "12.50"
    assert value("meta_keywords", attr("kw", "multiselect"), "a,b") == ["Alpha", "Beta"]
    assert value("search_keywords", attr("tags", "text"), "summer, gift") == ["summer", "gift"]
    assert value("brand", attr("brand", "select"), "acme") == "Acme Corp"
    assert value("page_title", attr("meta_title", "textarea"), None) == ""


def test_values_the_store_rewrites_compare_equal():
    assert same("custom_url", "/blue-mug/", "blue-mug")
    assert same("cost_price", "12.5", "12.50") and same("retail_price", "", "0")
    assert same("meta_keywords", ["Beta", "alpha"], ["Alpha", "Beta"])
    assert same("condition", "new", "New") and same("is_featured", True, "true")
    assert not same("page_title", "Mug", "Cup")


def test_store_values_go_back_to_unopim_values_of_the_attribute():
    back = {"option_code": option_code, "currency": "USD"}
    assert unopim_value("condition", attr("condition", "select"), "Used", **back) == "used"
    assert unopim_value("product_type", attr("digital", "boolean"), "digital", **back) == "true"
    assert unopim_value("is_featured", attr("featured", "boolean"), False, **back) == "false"
    assert unopim_value("cost_price", attr("cost", "price"), "9.99", **back) == {"USD": "9.99"}
    assert unopim_value("cost_price", attr("cost", "price"), "", **back) is None
    assert unopim_value("meta_keywords", attr("kw", "multiselect"), ["Beta", "Alpha"], **back) == "b,a"
    assert unopim_value("search_keywords", attr("tags", "text"), ["x", "y"], **back) == "x, y"
    assert unopim_value("brand", attr("brand", "select"), "Acme Corp", **back) == "acme"


def test_bigcommerce_json_round_trip_of_its_own_fields():
    extra = {"page_title": "Mug | Acme", "meta_description": "A mug", "meta_keywords": ["mug", "cup"],
             "search_keywords": ["kitchen", "gift"], "custom_url": "blue-mug", "cost_price": "4.5",
             "retail_price": "", "product_type": "digital", "availability": "preorder", "is_featured": True,
             "free_shipping": False, "warranty": "2 years", "condition": "Used", "gtin": "0123456789012",
             "mpn": "M-1", "upc": "", "brand": "Acme Corp"}
    body: dict = {}
    extra_to_bc(StoreProduct(sku="MUG", extra=extra), body, bc.number)
    assert body["custom_url"] == {"url": "/blue-mug/", "is_customized": True}
    assert body["search_keywords"] == "kitchen,gift" and body["meta_keywords"] == ["mug", "cup"]
    assert body["brand_name"] == "Acme Corp" and body["type"] == "digital" and body["is_free_shipping"] is False
    assert body["cost_price"] == 4.5 and body["retail_price"] == 0
    stored = {**body, "brand_id": 36, "cost_price": 4.5, "retail_price": 0}
    assert extra_from_bc(stored, {36: "Acme Corp"}, bc.text_number) == extra
    cleared: dict = {}
    extra_to_bc(StoreProduct(sku="MUG", extra={"brand": "", "custom_url": ""}), cleared, bc.number)
    assert cleared == {"brand_id": 0}  # no brand; an empty URL is never sent (BigCommerce keeps its own)


def test_a_name_clash_suffix_is_the_products_own_sku_and_reads_back_without_it():
    assert suffixed("Alto Shorts", "SHO-39") == "Alto Shorts (SHO-39)"
    assert unsuffixed("Alto Shorts (SHO-39)", "SHO-39") == ("Alto Shorts", True)
    assert unsuffixed("Alto Shorts (sho-39)", "SHO-39") == ("Alto Shorts", True)  # SKUs are case-insensitive
    assert unsuffixed("Alto Shorts (XL)", "SHO-39") == ("Alto Shorts (XL)", False)
    product = bc.product_from_bc({"id": 5, "sku": "SHO-39", "name": "Alto Shorts (SHO-39)"})
    assert product.name == "Alto Shorts"
    body = bc.product_to_bc(product, creating=False, name_taken=True)
    assert body["name"] == "Alto Shorts (SHO-39)"


def test_a_product_without_store_kind_fields_hashes_as_before_they_existed():
    plain = StoreProduct(sku="A", name="A")
    assert "extra" not in snapshot(plain)
    assert content_hash(plain) != content_hash(StoreProduct(sku="A", name="A", extra={"warranty": ""}))
