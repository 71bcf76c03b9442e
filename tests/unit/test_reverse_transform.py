"""Reverse transform (store → UnoPim values): scope wrapping, option codes, merging. Pure."""

from __future__ import annotations

import copy

import pytest

from unopim_desktop.domain import (
    AttributeDef,
    AttributeRow,
    ProductAttributeValue,
    StoreProduct,
    StoreVariant,
)
from unopim_desktop.mapping.fields import STATUS_PSEUDO_ATTRIBUTE
from unopim_desktop.sync.transform.to_store import PullMapping, product_to_store
from unopim_desktop.sync.transform.to_unopim import (
    PushMapping,
    Unmappable,
    apply_fragment,
    product_fragment,
    shrinks_a_list,
    to_unopim_value,
    variant_axes,
    variant_fragment,
)

ATTRS = {
    "sku": AttributeDef("sku", "text"),
    "name": AttributeDef("name", "text", value_per_locale=True, value_per_channel=True),
    "description": AttributeDef("description", "textarea", value_per_locale=True, value_per_channel=True),
    "price": AttributeDef("price", "price", value_per_locale=True, value_per_channel=True),
    "weight": AttributeDef("weight", "text"),
    "quantity": AttributeDef("quantity", "text"),
    "subtitle": AttributeDef("subtitle", "text", value_per_locale=True),
    "featured": AttributeDef("featured", "boolean", value_per_channel=True),
    "brand": AttributeDef("brand", "select"),
    "seasons": AttributeDef("seasons", "multiselect"),
    "color": AttributeDef("color", "select", labels={"en_US": "Color"}),
    "status": STATUS_PSEUDO_ATTRIBUTE,
}
CORE = {"sku": "sku", "name": "name", "description": "description", "regular_price": "price", "weight": "weight",
        "stock_quantity": "quantity", "status": "status"}
ROWS = [AttributeRow("Subtitle", "subtitle", "meta", False), AttributeRow("Featured", "featured", "meta", False),
        AttributeRow("Brand", "brand", "attribute", False), AttributeRow("Seasons", "seasons", "attribute", False)]

CURRENT = {
    "sku": "TEE-1", "status": True, "type": "simple", "family": "default",
    "values": {
        "common": {"sku": "TEE-1", "weight": "1.5", "quantity": "7", "brand": "acme", "seasons": "summer,winter"},
        "locale_specific": {"en_US": {"subtitle": "Soft"}, "fr_FR": {"subtitle": "Doux"}},
        "channel_specific": {"default": {"featured": "false"}, "mobile": {"featured": "true"}},
        "channel_locale_specific": {
            "default": {"en_US": {"name": "Tee", "description": "<p>Cotton</p>", "price": {"USD": "10", "EUR": "9"}},
                        "fr_FR": {"name": "T-shirt", "price": {"USD": "11", "EUR": "9.5"}}},
            "mobile": {"en_US": {"name": "Tee (app)"}},
        },
        "categories": ["shirts", "not_in_store"],
        "associations": {"up_sells": ["CAP-1", "ELSEWHERE"]},
    },
}


def mapping() -> PushMapping:
    view = PullMapping(channel="default", locales=["en_US", "fr_FR"], currency="USD", core=dict(CORE), rows=ROWS,
                       attributes=ATTRS)
    view.option_labels = {
        "brand": {"acme": {"en_US": "Acme"}, "zenith": {"en_US": "Zenith", "fr_FR": "Zénith"}},
        "seasons": {"summer": {"en_US": "Summer"}, "winter": {"en_US": "Winter"}, "spring": {"en_US": "Spring"}},
        "color": {"red": {"en_US": "Red"}, "blue": {"en_US": "Blue"}},
    }
    view.category_ids = {"shirts": 11, "hats": 12}
    view.product_ids = {"CAP-1": 21, "BAG-1": 22}
    m = PushMapping(view, category_codes={11: "shirts", 12: "hats"}, product_skus={21: "CAP-1", 22: "BAG-1"})
    return m


def store_copy(m: PushMapping) -> StoreProduct:
    """What the pull wrote into the store for CURRENT (the round trip's starting point)."""
    p = product_to_store(CURRENT, m.view)
    p.upsell_ids = [21]
    return p


def test_unchanged_store_product_gives_an_empty_fragment():
    m = mapping()
    frag = product_fragment(store_copy(m), CURRENT, m)
    assert frag.empty and frag.fields == [] and frag.problems == []


@pytest.mark.parametrize(("attr", "value", "expected"), [
    ("weight", "2", {"common": {"weight": "2"}}),  # plain
    ("subtitle", "x", {"locale_specific": {"en_US": {"subtitle": "x"}}}),  # per locale
    ("featured", "true", {"channel_specific": {"default": {"featured": "true"}}}),  # per channel
    ("name", "N", {"channel_locale_specific": {"default": {"en_US": {"name": "N"}}}}),  # channel + locale
])
def test_wrap_in_the_bucket_the_flags_say(attr, value, expected):
    assert mapping().wrap(ATTRS[attr], value) == expected


def test_price_is_wrapped_per_currency_and_other_currencies_and_locales_stay():
    m = mapping()
    store = store_copy(m)
    store.regular_price = "12.50"
    frag = product_fragment(store, CURRENT, m)
    assert frag.values == {"channel_locale_specific": {"default": {"en_US": {"price": {"USD": "12.50"}}}}}
    merged, changed = apply_fragment(CURRENT["values"], frag.values)
    assert changed
    prices = merged["channel_locale_specific"]["default"]
    assert prices["en_US"]["price"] == {"USD": "12.50", "EUR": "9"}
    assert prices["fr_FR"] == CURRENT["values"]["channel_locale_specific"]["default"]["fr_FR"]
    assert merged["channel_locale_specific"]["mobile"] == CURRENT["values"]["channel_locale_specific"]["mobile"]


def test_each_kind_of_edit_lands_in_its_scope_and_nothing_else_moves():
    m = mapping()
    store = store_copy(m)
    store.name = "New tee"
    store.meta["Subtitle"] = "Silky"
    store.meta["Featured"] = "Yes"
    for pav in store.attributes:
        if pav.name == "Brand":
            pav.options = ["Zenith"]
        if pav.name == "Seasons":
            pav.options = ["Spring", "Summer"]
    frag = product_fragment(store, CURRENT, m)
    merged, changed = apply_fragment(CURRENT["values"], frag.values)
    assert changed
    expected = copy.deepcopy(CURRENT["values"])
    expected["channel_locale_specific"]["default"]["en_US"]["name"] = "New tee"
    expected["locale_specific"]["en_US"]["subtitle"] = "Silky"
    expected["channel_specific"]["default"]["featured"] = "true"
    expected["common"]["brand"] = "zenith"
    expected["common"]["seasons"] = "spring,summer"
    assert merged == expected
    assert sorted(frag.fields) == ["brand", "featured", "name", "seasons", "subtitle"]


def test_label_to_option_code_any_locale_case_and_unknown():
    m = mapping()
    assert m.option_code("brand", "ZÉNITH".lower()) == "zenith"
    assert m.option_code("brand", " acme ") == "acme"
    assert to_unopim_value(ATTRS["seasons"], ["Winter", "Summer"], m) == "winter,summer"
    assert to_unopim_value(ATTRS["featured"], ["No"], m) == "false"
    with pytest.raises(Unmappable):
        m.option_code("brand", "Nobody")
    store = store_copy(m)
    next(p for p in store.attributes if p.name == "Brand").options = ["Nobody"]
    frag = product_fragment(store, CURRENT, m)
    assert frag.empty and "Nobody" in frag.problems[0]


def test_categories_and_upsells_keep_what_the_store_cannot_show():
    m = mapping()
    store = store_copy(m)
    store.category_ids = [12]
    store.upsell_ids = [22]
    frag = product_fragment(store, CURRENT, m)
    merged, _ = apply_fragment(CURRENT["values"], frag.values)
    assert merged["categories"] == ["not_in_store", "hats"]
    assert merged["associations"]["up_sells"] == ["ELSEWHERE", "BAG-1"]
    assert not shrinks_a_list(CURRENT["values"], merged)
    store.category_ids = []
    merged, _ = apply_fragment(CURRENT["values"], product_fragment(store, CURRENT, m).values)
    assert merged["categories"] == ["not_in_store"] and shrinks_a_list(CURRENT["values"], merged)


def test_status_is_the_top_level_field():
    m = mapping()
    store = store_copy(m)
    store.status = "draft"
    frag = product_fragment(store, CURRENT, m)
    assert frag.status is False and frag.values == {}


def test_new_product_carries_every_non_empty_mapped_value():
    m = mapping()
    store = StoreProduct(sku="NEW-1", name="New", regular_price="5", weight="", category_ids=[11, 99],
                         attributes=[ProductAttributeValue("Brand", ["Acme"])], meta={"Subtitle": "Hi"})
    frag = product_fragment(store, None, m)
    assert frag.values == {
        "channel_locale_specific": {"default": {"en_US": {"name": "New", "price": {"USD": "5"}}}},
        "common": {"brand": "acme"},
        "locale_specific": {"en_US": {"subtitle": "Hi"}},
        "categories": ["shirts"],
    }
    assert frag.status is True


def test_variant_fragment_and_axes():
    m = mapping()
    current = {"sku": "TEE-1-R", "status": True, "parent": "TEE",
               "values": {"common": {"sku": "TEE-1-R", "color": "red"},
                          "channel_locale_specific": {"default": {"en_US": {"price": {"USD": "10", "EUR": "9"}}}}}}
    same = StoreVariant(sku="TEE-1-R", regular_price="10", axes={"Color": "Red"})
    assert variant_fragment(same, current, ["color"], m).empty
    edited = StoreVariant(sku="TEE-1-R", regular_price="12", axes={"Color": "Blue"})
    frag = variant_fragment(edited, current, ["color"], m)
    merged, changed = apply_fragment(current["values"], frag.values)
    assert changed and merged["common"]["color"] == "blue"
    assert merged["channel_locale_specific"]["default"]["en_US"]["price"] == {"USD": "12", "EUR": "9"}
    assert variant_axes(edited, ["color"], m) == {"color": "blue"}
    with pytest.raises(Unmappable):
        variant_axes(StoreVariant(sku="X"), ["color"], m)


def test_apply_fragment_reports_no_change_for_the_same_values():
    merged, changed = apply_fragment(CURRENT["values"], {"common": {"brand": "acme"}})
    assert not changed and merged == CURRENT["values"]


def test_numbers_a_store_rewrites_are_no_edit():
    """BigCommerce keeps numbers as numbers: "10.50" comes back as 10.5, and a dimension never set as 0."""
    m = mapping()
    current = copy.deepcopy(CURRENT)
    current["values"]["channel_locale_specific"]["default"]["en_US"]["price"]["USD"] = "10.50"
    current["values"]["common"]["weight"] = "1.50"
    store = product_to_store(current, m.view)
    store.regular_price, store.weight = "10.5", "1.5"
    assert product_fragment(store, current, m).fields == []
    store.weight = "0"
    del current["values"]["common"]["weight"]
    assert product_fragment(store, current, m).fields == []
    store.regular_price = "0"  # a price of 0 is a price
    assert product_fragment(store, current, m).fields == ["regular_price"]
