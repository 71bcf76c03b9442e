from unopim_desktop.domain import AttributeDef
from unopim_desktop.mapping.automap import automap_attributes, automap_core
from unopim_desktop.mapping.fields import STATUS_PSEUDO_ATTRIBUTE
from unopim_desktop.mapping.rules import check_attribute_row, check_core_field


def a(code, type_="text", *, loc=False, ch=False, families=("default",), labels=None, validation=""):
    return AttributeDef(code=code, type=type_, value_per_locale=loc, value_per_channel=ch,
                        labels=labels or {"en_US": code.replace("_", " ").title()}, families=families,
                        validation=validation)


ATTRS = {
    "sku": a("sku"), "name": a("name", loc=True, ch=True), "price": a("price", "price", loc=True, ch=True),
    "Description": a("Description", "textarea"), "short_descr": a("short_descr", "textarea",
                                                                  labels={"en_US": "Short Description"}),
    "color": a("color", "select"), "orphan": a("orphan", families=()), "status": STATUS_PSEUDO_ATTRIBUTE,
    "weight": a("weight"),
}


def test_automap_core_uses_exact_then_case_insensitive_then_label():
    rows, filled = automap_core({}, ATTRS)
    by_row = {f.row: (f.attribute_code, f.rule) for f in filled}
    assert by_row["sku"] == ("sku", "exact")
    assert by_row["description"] == ("Description", "case-insensitive")
    assert by_row["short_description"] == ("short_descr", "label")
    assert by_row["regular_price"] == ("price", "exact")
    assert rows["status"] == "status"


def test_automap_never_overwrites_and_reports_only_what_it_filled():
    current = {"name": "sku", "sku": ""}
    rows, filled = automap_core(current, ATTRS, check=check_core_field)
    assert rows["name"] == "sku"  # kept, though the default would be `name`
    assert rows["sku"] == ""  # `sku` is taken by the Name row, so the SKU row stays empty
    assert "name" not in {f.row for f in filled}


def test_automap_skips_candidates_the_rules_would_refuse():
    attrs = {"price": a("price", "select")}  # a select named price must not land on Regular Price
    rows, _ = automap_core({}, attrs, check=check_core_field)
    assert rows.get("regular_price", "") == ""


def test_automap_attributes_fills_empty_rows_by_the_same_rules():
    rows, filled = automap_attributes(["Color", "Material", "size"], {"size": "weight"}, ATTRS)
    assert rows == {"Color": "color", "Material": "", "size": "weight"}
    assert [(f.row, f.rule) for f in filled] == [("Color", "case-insensitive")]


def test_select_onto_price_is_refused_with_the_reason():
    reason = check_core_field("regular_price", ATTRS["color"])
    assert reason and "needs a price attribute" in reason and "select" in reason


def test_currency_bound_attribute_onto_a_text_field_is_refused():
    reason = check_core_field("name", ATTRS["price"])
    assert reason and "one amount per currency" in reason
    assert "currencies" in check_attribute_row("Price", ATTRS["price"], "meta", False)


def test_attribute_in_no_family_is_refused():
    assert "not in any UnoPim family" in check_core_field("weight", ATTRS["orphan"])
    assert "not in any UnoPim family" in check_attribute_row("Orphan", ATTRS["orphan"], "meta", False)


def test_sku_must_be_unscoped():
    assert "same everywhere" in check_core_field("sku", a("code", loc=True))


def test_variant_axis_needs_an_unscoped_select_store_attribute():
    assert check_attribute_row("Color", ATTRS["color"], "attribute", True) is None
    assert "cannot be a variant axis" in check_attribute_row("Name", ATTRS["name"], "attribute", True)
    assert "store attribute" in check_attribute_row("Color", ATTRS["color"], "meta", True)


def test_good_pairs_pass():
    assert check_core_field("regular_price", ATTRS["price"]) is None
    assert check_core_field("status", STATUS_PSEUDO_ATTRIBUTE) is None
    assert check_attribute_row("Material", a("material", "text"), "meta", False) is None


# -- store kinds: each kind holds its own rows ---------------------------------------------------------------
def test_each_kind_declares_core_rows_that_exist_and_shares_the_common_ones():
    from unopim_desktop.domain import SHARED_FIELDS
    from unopim_desktop.mapping.fields import CORE_FIELD_BY_KEY
    from unopim_desktop.stores.registry import KINDS

    for kind in KINDS.values():
        assert kind.core_fields <= set(CORE_FIELD_BY_KEY), kind.name
        assert set(SHARED_FIELDS) <= kind.core_fields, kind.name
    woo, big = KINDS["woocommerce"], KINDS["bigcommerce"]
    assert {"short_description", "tags", "stock_status"} <= woo.core_fields - big.core_fields
    assert {"page_title", "brand", "cost_price", "is_featured", "condition", "gtin"} <= big.core_fields - woo.core_fields
    assert not big.product_attributes and woo.product_attributes


def test_a_row_the_store_cannot_hold_is_refused_with_the_reason():
    from unopim_desktop.mapping.rules import check_core_mapping
    from unopim_desktop.stores.registry import KINDS

    big = KINDS["bigcommerce"]
    reason = check_core_field("short_description", ATTRS["short_descr"], big)
    assert reason and "BigCommerce products have no Short Description" in reason
    assert check_core_field("short_description", ATTRS["short_descr"], KINDS["woocommerce"]) is None
    rows = {"sku": "sku", "name": "name", "short_description": "short_descr"}
    problems = check_core_mapping(rows, "", ATTRS, ["default"], big)
    assert [p.row for p in problems] == ["short_description"]
    # Rows of another kind that are not part of this kind's view are not this check's business.
    assert check_core_mapping({"sku": "sku", "name": "name"}, "", ATTRS, ["default"], big) == []


def test_one_attribute_may_feed_rows_of_two_kinds_never_two_rows_of_one():
    from unopim_desktop.mapping.rules import check_core_mapping
    from unopim_desktop.stores.registry import KINDS

    attrs = {**ATTRS, "tags": a("tags")}
    rows = {"sku": "sku", "name": "name", "tags": "tags", "search_keywords": "tags"}
    woo_rows = {k: v for k, v in rows.items() if KINDS["woocommerce"].holds(k)}
    big_rows = {k: v for k, v in rows.items() if KINDS["bigcommerce"].holds(k)}
    assert check_core_mapping(woo_rows, "", attrs, [], KINDS["woocommerce"]) == []
    assert check_core_mapping(big_rows, "", attrs, [], KINDS["bigcommerce"]) == []
    twice = {**big_rows, "meta_keywords": "tags"}
    assert any("already mapped" in p.message for p in check_core_mapping(twice, "", attrs, [], KINDS["bigcommerce"]))


def test_bigcommerce_attribute_rows_carry_values_as_custom_fields_or_variant_axes():
    from unopim_desktop.stores.registry import KINDS

    big = KINDS["bigcommerce"]
    reason = check_attribute_row("Colour", ATTRS["color"], "attribute", False, big)
    assert reason and "custom field" in reason and "variant axis" in reason
    assert check_attribute_row("Colour", ATTRS["color"], "meta", False, big) is None
    assert check_attribute_row("Colour", ATTRS["color"], "attribute", True, big) is None
    assert check_attribute_row("Colour", ATTRS["color"], "attribute", False, KINDS["woocommerce"]) is None


def test_automap_within_fields_fills_only_those_rows():
    attrs = {**ATTRS, "meta_title": a("meta_title", "textarea"), "tags": a("tags")}
    rows, filled = automap_core({"tags": "tags"}, attrs, fields={"sku", "name", "page_title", "search_keywords"})
    assert rows["page_title"] == "meta_title" and rows["search_keywords"] == "tags"  # tags is another kind's
    assert "regular_price" not in rows and {f.row for f in filled} == {"sku", "name", "page_title", "search_keywords"}
