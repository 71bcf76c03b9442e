"""Three-way merge of fields: a side writes only what it changed since both agreed; both-side changes are
conflicts settled by the rule; a field's direction can forbid a side to write it."""

from __future__ import annotations

import pytest

from unopim_desktop.domain import ProductAttributeValue, StoreProduct, StoreVariant
from unopim_desktop.sync.merge import PULL, PUSH, apply_fields, fields_of, normalised, owner_of, three_way

BASE = {"name": "Tee", "regular_price": "10", "description": "<p>Soft</p>"}


@pytest.mark.parametrize(("side", "ours", "theirs", "written", "base_after"), [
    # nothing changed anywhere
    (PULL, BASE, BASE, set(), BASE),
    # the writing side changed a field: it is written
    (PULL, {**BASE, "name": "Tee 2"}, BASE, {"name"}, {**BASE, "name": "Tee 2"}),
    # the other side changed it: left alone (its own run carries it), the base does not move
    (PULL, BASE, {**BASE, "name": "Shop name"}, set(), BASE),
    (PUSH, BASE, {**BASE, "name": "PIM name"}, set(), BASE),
    # each side changed a different field: each writes only its own
    (PUSH, {**BASE, "regular_price": "12"}, {**BASE, "name": "PIM name"}, {"regular_price"},
     {**BASE, "regular_price": "12"}),
    # both made the same change: nothing to write, the base follows
    (PULL, {**BASE, "name": "Same"}, {**BASE, "name": "Same"}, set(), {**BASE, "name": "Same"}),
], ids=["unchanged", "ours-only", "theirs-only-pull", "theirs-only-push", "different-fields", "same-change"])
def test_a_side_writes_only_what_it_changed_since_the_base(side, ours, theirs, written, base_after):
    merge = three_way(BASE, ours, theirs, side=side, rule="unopim")
    assert merge.write == written and merge.base == base_after and merge.conflicts == []


@pytest.mark.parametrize(("side", "rule", "written", "status", "base_name"), [
    (PULL, "unopim", {"name"}, "unopim", "PIM"),  # UnoPim wins: the pull writes it
    (PUSH, "unopim", set(), "unopim", "Shop"),  # UnoPim wins: the push leaves it, the store value counts as seen
    (PULL, "store", set(), "store", "PIM"),  # the store wins: the pull leaves it
    (PUSH, "store", {"name"}, "store", "Shop"),  # the store wins: the push writes it
    (PULL, "ask", set(), "open", "Tee"),  # ask: nothing written, the base waits for the merchant
    (PUSH, "ask", set(), "open", "Tee"),
])
def test_a_field_changed_on_both_sides_is_a_conflict_settled_by_the_rule(side, rule, written, status, base_name):
    ours, theirs = ({**BASE, "name": "PIM"}, {**BASE, "name": "Shop"})
    if side == PUSH:
        ours, theirs = theirs, ours
    merge = three_way(BASE, ours, theirs, side=side, rule=rule)
    assert merge.write == written and merge.base["name"] == base_name
    (conflict,) = merge.conflicts
    assert (conflict.field, conflict.base, conflict.unopim, conflict.store, conflict.status) == (
        "name", "Tee", "PIM", "Shop", status)


def test_a_fields_direction_forbids_the_other_side_to_write_it():
    owner = owner_of({"regular_price": "pull"}, {"Stock note": "push"})
    base = {**BASE, "meta:Stock note": "a"}
    pull = three_way(base, {**base, "regular_price": "11", "meta:Stock note": "b"}, base, side=PULL, rule="unopim",
                     direction=owner)
    assert pull.write == {"regular_price"}  # the store owns the stock note
    push = three_way(base, {**base, "regular_price": "9", "meta:Stock note": "c"}, base, side=PUSH, rule="unopim",
                     direction=owner)
    assert push.write == {"meta:Stock note"}  # UnoPim owns the price


def test_the_owner_writes_its_value_over_an_edit_on_the_other_side_without_a_conflict():
    owner = owner_of({"regular_price": "pull"}, {})
    edited_in_shop = {**BASE, "regular_price": "9"}
    pull = three_way(BASE, BASE, edited_in_shop, side=PULL, rule="store", direction=owner)
    assert pull.write == {"regular_price"} and not pull.conflicts and pull.base["regular_price"] == BASE["regular_price"]
    push = three_way(BASE, edited_in_shop, BASE, side=PUSH, rule="store", direction=owner)
    assert push.empty and push.base["regular_price"] == BASE["regular_price"]


def test_values_the_stores_rewrite_compare_equal():
    assert normalised("12.50") == normalised(12.5) == normalised("12.5") == "12.5"
    assert normalised("<p>Soft</p>\n<p>Warm</p>") == normalised("<p>Soft</p><p>Warm</p>")
    assert normalised("Tee &amp; Co ") == normalised("Tee & Co")
    assert normalised(None) == normalised("")


def test_fields_are_flattened_and_put_back_one_by_one():
    ours = StoreProduct(sku="A", name="New", regular_price="12", category_ids=[2, 1], tags=["x"],
                        attributes=[ProductAttributeValue("Color", ["Red"])], meta={"material": "cotton"})
    store = StoreProduct(sku="A", name="Old", regular_price="10", category_ids=[1], tags=[],
                         attributes=[ProductAttributeValue("Color", ["Blue"])], meta={"material": "wool", "x": 1},
                         store_id=7)
    flat = fields_of(ours)
    assert flat["categories"] == [1, 2] and flat["attribute:Color"] == ["Red"] and flat["meta:material"] == "cotton"
    merged = apply_fields(store, ours, {"name", "attribute:Color", "meta:material"})
    assert (merged.name, merged.regular_price, merged.store_id) == ("New", "10", 7)
    assert [a.options for a in merged.attributes] == [["Red"]] and merged.meta == {"material": "cotton", "x": 1}
    variant = apply_fields(StoreVariant(sku="V", axes={"Size": "S"}), StoreVariant(sku="V", axes={"Size": "M"}),
                           {"axis:Size"})
    assert variant.axes == {"Size": "M"} and fields_of(variant)["axis:Size"] == "M"
