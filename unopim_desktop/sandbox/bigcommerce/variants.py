"""Variant options, option values and variants (B6): validation and store operations.

The routes are in `bigcommerce_variant_routes`. A variant's `option_values` point at an option and one of its values by id; the API shape
`{id, label, option_id, option_display_name}` is rendered from those references, so renaming a
value shows on every variant at once.
"""

from __future__ import annotations

import time
from typing import Any

from unopim_desktop.sandbox.bigcommerce.common import ApiError, coerce_int, coerce_number, invalid
from unopim_desktop.sandbox.bigcommerce.state import BASE_VARIANT_FIELDS, BigCommerceState, new_variant_record

OPTION_TYPES = (
    "radio_buttons",
    "rectangles",
    "dropdown",
    "product_list",
    "product_list_with_images",
    "swatch",
)
AUTO_OPTION_TYPE = "radio_buttons"  # type given to options auto-created from labels (inferred)
MAX_VARIANT_BATCH = 50  # B6
MAX_VARIANTS_PER_PRODUCT = 600  # B6
MAX_VALUES_PER_OPTION = 250  # B6
DUPLICATE_COMBINATION = "Variant with the same option values set exists"  # B3 [3P]
DUPLICATE_VARIANT_SKU = "The variant sku is a duplicate"  # (unverified wording; 409 per B3)
DUPLICATE_OPTION = "The option display name is a duplicate"  # (unverified wording and status)
DUPLICATE_VALUE = "The option value label is a duplicate"  # (unverified wording and status)

_NULLABLE_NUMBERS = (
    "price",
    "sale_price",
    "retail_price",
    "map_price",
    "cost_price",
    "weight",
    "width",
    "height",
    "depth",
)
_INTS = ("inventory_level", "inventory_warning_level")
_BOOLS = ("is_free_shipping", "purchasing_disabled")
_STRINGS = {
    "sku": 255,
    "purchasing_disabled_message": 255,
    "upc": 14,
    "mpn": 255,
    "gtin": 14,
    "bin_picking_number": 255,
}


# --- validation (pure) --------------------------------------------------------------------------


def clean_variant_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """The writable variant fields present in `raw`, type-checked; unknown fields are ignored."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in _NULLABLE_NUMBERS:
        if field in raw:
            try:
                out[field] = None if raw[field] is None else coerce_number(raw[field])
                if out[field] is not None and out[field] < 0:
                    errors[field] = f"The {field} must be 0 or more."
            except ValueError:
                errors[field] = f"The {field} must be a number."
    if "fixed_cost_shipping_price" in raw:
        try:
            out["fixed_cost_shipping_price"] = coerce_number(raw["fixed_cost_shipping_price"])
        except ValueError:
            errors["fixed_cost_shipping_price"] = "The fixed_cost_shipping_price must be a number."
    for field in _INTS:
        if field in raw:
            try:
                out[field] = coerce_int(raw[field])
            except ValueError:
                errors[field] = f"The {field} must be an integer."
    for field in _BOOLS:
        if field in raw:
            if isinstance(raw[field], bool):
                out[field] = raw[field]
            else:
                errors[field] = f"The {field} must be a boolean."
    for field, limit in _STRINGS.items():
        if field in raw:
            value = raw[field]
            if not isinstance(value, str) or len(value) > limit:
                errors[field] = f"The {field} must be a string of at most {limit} characters."
            else:
                out[field] = value
    if "image_url" in raw and raw["image_url"] not in (None, ""):
        if not isinstance(raw["image_url"], str) or len(raw["image_url"]) > 255:
            errors["image_url"] = "The image_url must be a URL of at most 255 characters."
        else:
            out["image_url"] = raw["image_url"]
    if errors:
        raise invalid(errors)
    return out


def clean_value_refs(raw: Any, *, by_label: bool) -> list[dict[str, Any]]:
    """`option_values` of a variant request: `[{id, option_id}]`, or (inside a product body)
    `[{option_display_name, label}]` which auto-create options and values (B5, B6)."""
    if not isinstance(raw, list):
        raise invalid({"option_values": "The option_values must be an array."})
    refs = []
    for item in raw:
        if not isinstance(item, dict):
            raise invalid({"option_values": "Each option value must be an object."})
        if by_label and "option_display_name" in item:
            name, label = item.get("option_display_name"), item.get("label")
            if not isinstance(name, str) or not name or not isinstance(label, str) or not label:
                raise invalid({"option_values": "option_display_name and label must be non-empty strings."})
            refs.append({"option_display_name": name, "label": label})
            continue
        try:
            refs.append({"id": coerce_int(item.get("id")), "option_id": coerce_int(item.get("option_id"))})
        except ValueError as exc:
            raise invalid({"option_values": "Each option value needs an id and an option_id."}) from exc
    return refs


def clean_option_value(raw: Any, *, partial: bool = False) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid({"option_values": "Each option value must be an object."})
    missing = {f: f"Please provide a {f}." for f in ("label", "sort_order") if f not in raw and not partial}
    if missing:
        raise invalid(missing, title="Missing Required Fields")
    out: dict[str, Any] = {}
    if "label" in raw:
        if not isinstance(raw["label"], str) or not raw["label"]:
            raise invalid({"label": "The label must be a non-empty string."})
        out["label"] = raw["label"]
    if "sort_order" in raw:
        try:
            out["sort_order"] = coerce_int(raw["sort_order"])
        except ValueError as exc:
            raise invalid({"sort_order": "The sort_order must be an integer."}) from exc
    if "is_default" in raw:
        out["is_default"] = bool(raw["is_default"])
    if "value_data" in raw:
        out["value_data"] = raw["value_data"]
    if "id" in raw:
        out["id"] = raw["id"]
    return out


def clean_option(raw: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    if not partial:
        missing = {
            f: f"Please provide a {f}." for f in ("display_name", "type", "option_values") if f not in raw
        }
        if missing:
            raise invalid(missing, title="Missing Required Fields")
    out: dict[str, Any] = {}
    if "display_name" in raw:
        name = raw["display_name"]
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise invalid({"display_name": "The display_name must be 1 to 255 characters."})
        out["display_name"] = name
    if "type" in raw:
        if raw["type"] not in OPTION_TYPES:
            raise invalid({"type": f"The type must be one of {', '.join(OPTION_TYPES)}."})
        out["type"] = raw["type"]
    if "sort_order" in raw:
        try:
            out["sort_order"] = coerce_int(raw["sort_order"])
        except ValueError as exc:
            raise invalid({"sort_order": "The sort_order must be an integer."}) from exc
    if "option_values" in raw:
        values = raw["option_values"]
        if not isinstance(values, list) or (not values and not partial):
            raise invalid({"option_values": "Please provide at least one option value."})
        out["option_values"] = [clean_option_value(v, partial=partial and "id" in v) for v in values]
    if isinstance(raw.get("config"), dict):
        out["config"] = raw["config"]
    return out


# --- store operations (call with state.lock held) -----------------------------------------------


def add_option(
    state: BigCommerceState, product_id: int, spec: dict[str, Any], *, sort_order: int | None = None
) -> dict[str, Any]:
    ids = state.children(state.option_ids, product_id)
    for oid in ids:
        if state.options_by_id[oid]["display_name"].lower() == spec["display_name"].lower():
            raise ApiError(409, DUPLICATE_OPTION, errors={"display_name": spec["display_name"]})
    option_id = state.next_id("option")
    # Options made through the API get a generated unique name (see the spec example
    # "Add-a-$5-Donation1535042499-187"): display name + timestamp + product id.
    option = {
        "id": option_id,
        "product_id": product_id,
        "name": f"{spec['display_name']}{int(time.time())}-{product_id}",
        "display_name": spec["display_name"],
        "type": spec.get("type", AUTO_OPTION_TYPE),
        "sort_order": spec.get("sort_order", sort_order if sort_order is not None else len(ids)),
        "option_values": [],
        "config": spec.get("config", {}),
    }
    state.options_by_id[option_id] = option
    ids.append(option_id)
    for index, value in enumerate(spec.get("option_values", [])):
        add_option_value(state, option, {"sort_order": index, **value})
    state.touch(product_id)
    return option


def add_option_value(state: BigCommerceState, option: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    if any(v["label"].lower() == spec["label"].lower() for v in option["option_values"]):
        raise ApiError(409, DUPLICATE_VALUE, errors={"label": spec["label"]})
    if len(option["option_values"]) >= MAX_VALUES_PER_OPTION:
        raise invalid({"option_values": f"An option can have at most {MAX_VALUES_PER_OPTION} values."})
    value = {
        "id": state.next_id("option_value"),
        "label": spec["label"],
        "sort_order": spec.get("sort_order", len(option["option_values"])),
        "value_data": spec.get("value_data"),
        "is_default": spec.get("is_default", False),
    }
    option["option_values"].append(value)
    state.touch(option["product_id"])
    return value


def _delete_variants_where(state: BigCommerceState, product_id: int, test: Any) -> None:
    for vid in list(state.variant_ids.get(product_id, [])):
        variant = state.variants_by_id[vid]
        if not variant["_base"] and test(variant):
            delete_variant(state, vid, resync=False)
    state.sync_base_variant(product_id)


def delete_option(state: BigCommerceState, option_id: int) -> None:
    option = state.options_by_id[option_id]
    pid = option["product_id"]
    # Variants built on the option cannot outlive it (inferred from the option/variant model).
    _delete_variants_where(state, pid, lambda v: any(oid == option_id for oid, _ in v["_values"]))
    del state.options_by_id[option_id]
    state.option_ids[pid].remove(option_id)
    state.touch(pid)


def delete_option_value(state: BigCommerceState, option: dict[str, Any], value_id: int) -> None:
    _delete_variants_where(state, option["product_id"], lambda v: (option["id"], value_id) in v["_values"])
    option["option_values"] = [v for v in option["option_values"] if v["id"] != value_id]
    state.touch(option["product_id"])


def resolve_refs(
    state: BigCommerceState, product_id: int, refs: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    """`[{id, option_id}]` → [(option_id, value_id)], each checked against the product's options,
    and covering every option of the product exactly once."""
    pairs: list[tuple[int, int]] = []
    own = state.option_ids.get(product_id, [])
    for ref in refs:
        option = state.options_by_id.get(ref["option_id"])
        if option is None or ref["option_id"] not in own:
            raise invalid(
                {"option_values": f"Option {ref['option_id']} does not belong to product {product_id}."}
            )
        if not any(v["id"] == ref["id"] for v in option["option_values"]):
            raise invalid(
                {"option_values": f"Option value {ref['id']} does not belong to option {option['id']}."}
            )
        pairs.append((ref["option_id"], ref["id"]))
    if sorted(oid for oid, _ in pairs) != sorted(own):
        raise invalid(
            {"option_values": "A variant needs exactly one value of each of the product's options."}
        )
    return pairs


def check_variant_conflicts(
    state: BigCommerceState,
    product_id: int,
    sku: str | None,
    pairs: list[tuple[int, int]] | None,
    own_id: int | None,
) -> None:
    if sku:
        owner = state.sku_owner(sku)
        if owner is not None and owner != ("variant", own_id):
            raise ApiError(409, DUPLICATE_VARIANT_SKU, errors={"sku": DUPLICATE_VARIANT_SKU})
    if pairs is not None:
        wanted = sorted(pairs)
        for vid in state.option_variant_ids(product_id):
            if vid != own_id and sorted(state.variants_by_id[vid]["_values"]) == wanted:
                raise ApiError(409, DUPLICATE_COMBINATION, errors={"option_values": DUPLICATE_COMBINATION})


def add_variant(
    state: BigCommerceState, product_id: int, fields: dict[str, Any], pairs: list[tuple[int, int]]
) -> dict[str, Any]:
    if len(state.option_variant_ids(product_id)) >= MAX_VARIANTS_PER_PRODUCT:
        raise invalid({"variants": f"A product can have at most {MAX_VARIANTS_PER_PRODUCT} variants."})
    vid = state.next_id("variant")
    variant = new_variant_record(vid, product_id, base=False, sku_id=state.next_id("sku"))
    variant.update({k: v for k, v in fields.items() if k != "image_url"})
    variant["_values"] = list(pairs)
    state.variants_by_id[vid] = variant
    state.children(state.variant_ids, product_id).append(vid)
    state.index_sku(variant["sku"], "variant", vid)
    state.sync_base_variant(product_id)
    state.touch(product_id)
    return variant


def update_variant(
    state: BigCommerceState,
    variant: dict[str, Any],
    fields: dict[str, Any],
    pairs: list[tuple[int, int]] | None,
) -> None:
    """A PUT on a variant; on the base variant the shared fields are the product's (B5, inferred)."""
    product = state.products_by_id[variant["product_id"]]
    fields = {k: v for k, v in fields.items() if k != "image_url"}
    if variant["_base"]:
        if "sku" in fields and fields["sku"] != product["sku"]:
            state.unindex_sku(product["sku"], "product", product["id"])
            state.index_sku(fields["sku"], "product", product["id"])
        for key, value in fields.items():
            if key in BASE_VARIANT_FIELDS:
                product[key] = value if value is not None else product[key]
            else:
                variant[key] = value
    else:
        if "sku" in fields and fields["sku"] != variant["sku"]:
            state.unindex_sku(variant["sku"], "variant", variant["id"])
            state.index_sku(fields["sku"], "variant", variant["id"])
        variant.update(fields)
        if pairs is not None:
            variant["_values"] = list(pairs)
    state.touch(variant["product_id"])


def delete_variant(state: BigCommerceState, variant_id: int, *, resync: bool = True) -> None:
    variant = state.variants_by_id.pop(variant_id)
    pid = variant["product_id"]
    state.unindex_sku(variant["sku"], "variant", variant_id)
    state.variant_ids[pid].remove(variant_id)
    if variant["image_url"]:
        state.blobs.pop(variant["image_url"].split("/images/stencil/original/", 1)[-1], None)
    if resync:
        state.sync_base_variant(pid)
    state.touch(pid)


def plan_body_variants(state: BigCommerceState, specs: Any, product_sku: str) -> list[dict[str, Any]]:
    """Validate the `variants` of a product POST before anything is written (B5)."""
    if not isinstance(specs, list):
        raise invalid({"variants": "The variants must be an array."})
    planned, seen_skus, seen_combos = [], {product_sku.lower()} - {""}, set()
    for raw in specs:
        if not isinstance(raw, dict):
            raise invalid({"variants": "Each variant must be an object."})
        fields = clean_variant_fields(raw)
        refs = clean_value_refs(raw.get("option_values", []), by_label=True)
        if any("option_display_name" not in r for r in refs):
            raise invalid(
                {"option_values": "A new product's variants name their options by option_display_name."}
            )
        sku = fields.get("sku", "")
        if not sku and refs:
            raise invalid({"sku": "Please provide a sku."}, title="Missing Required Fields")
        combo = tuple(sorted((r["option_display_name"].lower(), r["label"].lower()) for r in refs))
        if sku and (sku.lower() in seen_skus or state.sku_owner(sku) is not None):
            raise ApiError(409, DUPLICATE_VARIANT_SKU, errors={"sku": DUPLICATE_VARIANT_SKU})
        if combo in seen_combos:
            raise ApiError(409, DUPLICATE_COMBINATION, errors={"option_values": DUPLICATE_COMBINATION})
        seen_skus.add(sku.lower())
        seen_combos.add(combo)
        planned.append({"fields": fields, "refs": refs})
    names = {tuple(sorted(r["option_display_name"].lower() for r in p["refs"])) for p in planned if p["refs"]}
    if len(names) > 1:
        raise invalid({"option_values": "Every variant needs a value for each of the product's options."})
    if len([p for p in planned if not p["refs"]]) > 1 or (names and any(not p["refs"] for p in planned)):
        raise invalid({"option_values": "Only a product's base variant has no option values."})
    return planned


def create_body_variants(
    state: BigCommerceState, product_id: int, planned: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Write the variants validated by `plan_body_variants`, creating options and values by label."""
    created = []
    for plan in planned:
        if not plan["refs"]:  # no option values: the fields are the base variant's
            base = state.variants_by_id[state.products_by_id[product_id]["base_variant_id"]]
            update_variant(state, base, plan["fields"], None)
            created.append(base)
            continue
        pairs = []
        for ref in plan["refs"]:
            option = next(
                (
                    state.options_by_id[o]
                    for o in state.option_ids.get(product_id, [])
                    if state.options_by_id[o]["display_name"].lower() == ref["option_display_name"].lower()
                ),
                None,
            ) or add_option(state, product_id, {"display_name": ref["option_display_name"]})
            value = next(
                (v for v in option["option_values"] if v["label"].lower() == ref["label"].lower()), None
            )
            value = value or add_option_value(state, option, {"label": ref["label"]})
            pairs.append((option["id"], value["id"]))
        created.append(add_variant(state, product_id, plan["fields"], pairs))
    return created
