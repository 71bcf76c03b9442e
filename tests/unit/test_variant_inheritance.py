"""UnoPim 3.x variant inheritance as the client resolves it (unopim-api.md §13.1), case by case after
`VariantValueResolverTest` and the merge rules of `VariantValueResolver::mergeChain`."""

from __future__ import annotations

from unopim_desktop.sync.transform.values import only_codes, resolve_chain


def test_common_merges_root_to_leaf_and_the_nearer_node_wins():
    root = {"common": {"brand": "Nike", "material": "Cotton", "price": "10.00"}}
    group = {"common": {"image": "red.jpg"}}
    leaf = {"common": {"size": "S", "sku": "TEE-RED-S", "price": "19.00"}}
    assert resolve_chain([root, group, leaf])["common"] == {
        "brand": "Nike", "material": "Cotton", "price": "19.00", "image": "red.jpg", "size": "S", "sku": "TEE-RED-S"}


def test_scoped_buckets_merge_per_channel_and_locale_then_per_key():
    parent = {"channel_locale_specific": {"default": {"en_US": {"name": "Tee", "price": {"USD": "10"}},
                                                      "fr_FR": {"name": "T-shirt"}},
                                          "mobile": {"en_US": {"name": "Tee (m)"}}},
              "locale_specific": {"en_US": {"subtitle": "Soft"}},
              "channel_specific": {"default": {"featured": "true", "cost": {"USD": "4"}}}}
    variant = {"common": {"sku": "TEE-S"},
               "channel_locale_specific": {"default": {"en_US": {"price": {"USD": "12"}}}},
               "channel_specific": {"default": {"featured": "false"}}}
    got = resolve_chain([parent, variant])
    assert got["channel_locale_specific"] == {
        "default": {"en_US": {"name": "Tee", "price": {"USD": "12"}}, "fr_FR": {"name": "T-shirt"}},
        "mobile": {"en_US": {"name": "Tee (m)"}}}
    assert got["locale_specific"] == {"en_US": {"subtitle": "Soft"}}
    assert got["channel_specific"] == {"default": {"featured": "false", "cost": {"USD": "4"}}}
    assert parent["channel_specific"]["default"]["featured"] == "true"  # inputs are not changed


def test_categories_come_from_the_nearest_node_that_has_them_and_associations_are_the_leafs():
    parent = {"categories": ["shoes", "sale"], "associations": {"up_sells": ["X"]}}
    assert resolve_chain([parent, {"common": {"sku": "V"}}])["categories"] == ["shoes", "sale"]
    assert "associations" not in resolve_chain([parent, {"common": {"sku": "V"}}])
    assert resolve_chain([parent, {"categories": ["boots"]}])["categories"] == ["boots"]


def test_a_product_without_parent_resolves_to_itself_and_php_empty_arrays_are_tolerated():
    own = {"common": {"sku": "SOLO", "name": "Solo"}, "categories": ["a"]}
    assert resolve_chain([own]) == own
    # PHP encodes an empty map as []: nothing to merge; the leaf's own empty bucket stays as it is.
    assert resolve_chain([{"common": {"brand": "x"}, "channel_specific": []}, {"common": [], "locale_specific": []}]) \
        == {"common": {"brand": "x"}, "locale_specific": []}


def test_only_codes_keeps_what_a_transform_reads():
    values = {"common": {"sku": "A", "weight": "1", "brand": "b"}, "categories": ["c"],
              "channel_locale_specific": {"default": {"en_US": {"price": {"USD": "1"}, "name": "n"}}},
              "channel_specific": {"default": {"cost": {"USD": "1"}}}}
    assert only_codes(values, {"weight", "price"}) == {
        "common": {"weight": "1"}, "channel_locale_specific": {"default": {"en_US": {"price": {"USD": "1"}}}}}
