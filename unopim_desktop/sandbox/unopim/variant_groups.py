"""Two-level variant structures (UnoPim 3.x, unopim-api.md §13.2).

From 3.0 a configurable product may hang its variants under internal `variant_group` products, one per
first-level axis option (`Configurable::createVariantGroup`): a group holds that option and its SKU, a
leaf holds its second-level axis options and SKU and names the group as its `parent`. Groups are
`'internal' => true` product types: `/products` lists `type=simple` only and `/configurable-products`
`type=configurable` only, so no REST route lists or returns them, while a configurable's `variants[]`
(its direct children) lists the groups. Merchants build these in UnoPim's admin; the sandbox turns a
loaded configurable product into one for tests.
"""

from __future__ import annotations

from typing import Any

from unopim_desktop.sandbox.unopim.state import UnoPimState, format_timestamp

GROUP_TYPE = "variant_group"


def make_two_level(state: UnoPimState, configurable_sku: str) -> list[str]:
    """Regroup a configurable product's variants under one variant group per option of its first super
    attribute; returns the groups' SKUs. The leaves keep their other axis values and SKU only."""
    with state.lock:
        parent = state.find_product(configurable_sku)
        if parent is None or parent["type"] != "configurable" or len(parent.get("super_attributes") or []) < 2:
            raise ValueError(f"{configurable_sku} is not a configurable product with two super attributes")
        axis = parent["super_attributes"][0]
        leaves = state.children_of(parent["id"])
        groups: dict[Any, dict[str, Any]] = {}
        stamp = format_timestamp(state.clock().replace(microsecond=0))
        for leaf in leaves:
            option = (leaf["values"].get("common") or {}).get(axis)
            group = groups.get(option)
            if group is None:
                sku = f"{parent['sku']}-{str(option).upper()}-GROUP"
                group = groups[option] = state.insert_product({
                    "sku": sku, "type": GROUP_TYPE, "status": parent["status"], "parent_id": parent["id"],
                    "family": parent["family"], "additional": None,
                    "values": {"common": {axis: option, "sku": sku}}, "super_attributes": [], "links": {},
                    "created_at": stamp, "updated_at": stamp,
                })
            common = {k: v for k, v in (leaf["values"].get("common") or {}).items() if k != axis}
            state.set_values(leaf, {**leaf["values"], "common": common})
            leaf["parent_id"] = group["id"]
        state.forget_variant_index()
        return [g["sku"] for g in groups.values()]
