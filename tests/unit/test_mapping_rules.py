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
