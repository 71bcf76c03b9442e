"""Products (B5): validation and store operations (create, update, delete, with their images,
custom fields and variants). The routes, the list filters and the catalogue summary are in
`product_routes`."""

from __future__ import annotations

from typing import Any

from unopim_desktop.sandbox.bigcommerce.common import (
    ApiError,
    coerce_int,
    coerce_number,
    invalid,
    slugify,
)
from unopim_desktop.sandbox.bigcommerce.media import (
    add_custom_field,
    add_image,
    clean_custom_field,
    clean_image_spec,
    delete_custom_field,
    set_variant_image,
    update_custom_field,
)
from unopim_desktop.sandbox.bigcommerce.state import (
    PRODUCT_NUMBER_FIELDS,
    BigCommerceState,
    FetchedImage,
    new_brand_record,
    new_product_record,
)
from unopim_desktop.sandbox.bigcommerce.variants import (
    create_body_variants,
    delete_variant,
    plan_body_variants,
)

# B3 / bc-error-422.json, in that order.
REQUIRED_MESSAGES = {
    "name": "Please provide a name.",
    "price": "Please provide a price.",
    "type": "Please provide a type.",
    "weight": "Please provide a weight.",
}
DUPLICATE_NAME = "The product name is a duplicate"  # B3 [3P]
DUPLICATE_SKU = "The product sku is a duplicate"  # seen in integrations [3P]; B3 calls it unverified
DUPLICATE_URL = "The product custom_url is a duplicate"  # (unverified wording; 409 per B3)

_STRINGS = {
    "name": 250, "sku": 255, "description": 1_000_000, "product_tax_code": 255, "warranty": 65535,
    "bin_picking_number": 255, "layout_file": 500, "upc": 14, "gtin": 14, "mpn": 255,
    "search_keywords": 65535, "availability_description": 255, "page_title": 255,
    "meta_description": 65535, "preorder_message": 255, "price_hidden_label": 200,
    "open_graph_title": 255, "open_graph_description": 65535, "brand_name": 255,
}  # fmt: skip
_INTS = (
    "tax_class_id", "brand_id", "inventory_level", "inventory_warning_level", "sort_order",
    "order_quantity_minimum", "order_quantity_maximum", "view_count",
)  # fmt: skip
_BOOLS = (
    "is_free_shipping", "is_visible", "is_featured", "is_condition_shown", "is_preorder_only",
    "is_price_hidden", "open_graph_use_meta_description", "open_graph_use_product_name", "open_graph_use_image",
)  # fmt: skip
_ENUMS = {
    "type": ("physical", "digital"),
    "inventory_tracking": ("none", "product", "variant"),
    "availability": ("available", "disabled", "preorder"),
    "condition": ("New", "Used", "Refurbished"),
    "gift_wrapping_options_type": ("any", "none", "list"),
    "open_graph_type": ("product", "album", "book", "drink", "food", "game", "movie", "song", "tv_show"),
}
_INT_LISTS = ("categories", "related_products", "gift_wrapping_options_list")


# --- validation (pure) --------------------------------------------------------------------------


def check_required(body: dict[str, Any]) -> None:
    missing = {f: msg for f, msg in REQUIRED_MESSAGES.items() if body.get(f) is None}
    if missing:
        raise invalid(missing, title="Missing Required Fields")


def clean_product_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The writable product fields present in `body`, type-checked. Read-only and unknown fields
    are ignored, as the real API tolerates them (C)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in PRODUCT_NUMBER_FIELDS:
        if field in body:
            try:
                out[field] = coerce_number(body[field])
                if out[field] < 0:
                    errors[field] = f"The {field} must be 0 or more."
            except ValueError:
                errors[field] = f"The {field} must be a number."
    for field in _INTS:
        if field in body:
            try:
                out[field] = coerce_int(body[field])
            except ValueError:
                errors[field] = f"The {field} must be an integer."
    for field in _BOOLS:
        if field in body:
            if isinstance(body[field], bool):
                out[field] = body[field]
            else:
                errors[field] = f"The {field} must be a boolean."
    for field, limit in _STRINGS.items():
        if field in body:
            value = body[field]
            if not isinstance(value, str) or len(value) > limit:
                errors[field] = f"The {field} must be a string of at most {limit} characters."
            else:
                out[field] = value
    if "name" in out and not out["name"].strip():
        errors["name"] = "The name must be 1 to 250 characters."
    for field, allowed in _ENUMS.items():
        if field in body:
            if body[field] in allowed:
                out[field] = body[field]
            else:
                errors[field] = f"The {field} must be one of: {', '.join(allowed)}."
    for field in _INT_LISTS:
        if field in body:
            try:
                if not isinstance(body[field], list):
                    raise ValueError
                out[field] = [coerce_int(v) for v in body[field]]
            except ValueError:
                errors[field] = f"The {field} must be an array of integers."
    if "meta_keywords" in body:
        if isinstance(body["meta_keywords"], list) and all(isinstance(v, str) for v in body["meta_keywords"]):
            out["meta_keywords"] = list(body["meta_keywords"])
        else:
            errors["meta_keywords"] = "The meta_keywords must be an array of strings."
    if "custom_url" in body:
        url = body["custom_url"]
        if isinstance(url, dict) and isinstance(url.get("url"), str) and 1 <= len(url["url"]) <= 255:
            out["custom_url"] = {"url": url["url"], "is_customized": bool(url.get("is_customized", True))}
        else:
            errors["custom_url"] = "The custom_url must be an object with a url of 1 to 255 characters."
    if "preorder_release_date" in body:
        out["preorder_release_date"] = body["preorder_release_date"]
    if errors:
        raise invalid(errors)
    return out


def image_urls_in(body: dict[str, Any]) -> list[str]:
    urls = []
    for raw in body.get("images") or []:
        if isinstance(raw, dict) and isinstance(raw.get("image_url"), str):
            urls.append(raw["image_url"])
    for raw in body.get("variants") or []:
        if isinstance(raw, dict) and isinstance(raw.get("image_url"), str) and raw["image_url"]:
            urls.append(raw["image_url"])
    return urls


# --- store operations (call with state.lock held) -----------------------------------------------


def _check_conflicts(state: BigCommerceState, fields: dict[str, Any], product_id: int | None) -> None:
    """409s of B3: duplicate name, SKU (across products and variants) or URL; a missing category or brand."""
    name = fields.get("name")
    if name is not None and state.name_index.get(name.lower(), product_id) != product_id:
        raise ApiError(409, DUPLICATE_NAME, errors={"name": DUPLICATE_NAME})
    sku = fields.get("sku")
    if sku:
        owner = state.sku_owner(sku)
        if owner is not None and owner != ("product", product_id):
            raise ApiError(409, DUPLICATE_SKU, errors={"sku": DUPLICATE_SKU})
    url = fields.get("custom_url", {}).get("url")
    if url and state.url_index.get(url.lower(), product_id) != product_id:
        raise ApiError(409, DUPLICATE_URL, errors={"custom_url": DUPLICATE_URL})
    for category_id in fields.get("categories", []):
        if category_id not in state.categories_by_id:
            raise ApiError(
                409, f"Category {category_id} does not exist.", errors={"categories": str(category_id)}
            )
    brand_id = fields.get("brand_id")
    if brand_id and brand_id not in state.brands_by_id:
        raise ApiError(409, f"Brand {brand_id} does not exist.", errors={"brand_id": str(brand_id)})


def _unique_url(state: BigCommerceState, name: str, product_id: int) -> str:
    base = f"/{slugify(name)}/"
    url, n = base, 1
    while state.url_index.get(url.lower(), product_id) != product_id:
        url, n = f"/{slugify(name)}-{n}/", n + 1
    return url


def _brand_for_name(state: BigCommerceState, name: str) -> int:
    """`brand_name` gets or creates the brand (B5)."""
    for brand in state.brands_by_id.values():
        if brand["name"].lower() == name.lower():
            return brand["id"]
    brand_id = state.next_id("brand")
    state.brands_by_id[brand_id] = new_brand_record(brand_id, name)
    return brand_id


def _write_fields(state: BigCommerceState, product: dict[str, Any], fields: dict[str, Any]) -> None:
    pid = product["id"]
    if "name" in fields:
        state.name_index.pop(product["name"].lower(), None)
        state.name_index[fields["name"].lower()] = pid
    if "sku" in fields:
        state.unindex_sku(product["sku"], "product", pid)
        state.index_sku(fields["sku"], "product", pid)
    if "custom_url" in fields:
        state.url_index.pop(product["custom_url"]["url"].lower(), None)
        state.url_index[fields["custom_url"]["url"].lower()] = pid
    brand_name = fields.pop("brand_name", None)
    if brand_name:
        fields["brand_id"] = _brand_for_name(state, brand_name)
    product.update(fields)
    product["date_modified"] = state.now()


def _write_sub_resources(
    state: BigCommerceState, pid: int, body: dict[str, Any], fetched: dict[str, FetchedImage]
) -> None:
    for raw in body.get("custom_fields") or []:
        spec = clean_custom_field(raw, partial=isinstance(raw, dict) and "id" in raw)
        existing = state.custom_fields_by_id.get(spec.get("id")) if "id" in spec else None
        if existing is not None and existing["_product_id"] == pid:
            update_custom_field(state, existing, spec)
        else:
            add_custom_field(state, pid, clean_custom_field(raw))
    for raw in body.get("images") or []:
        spec = clean_image_spec(raw, require_url=True)
        add_image(state, pid, spec, fetched[spec["image_url"]])


def create_product(
    state: BigCommerceState, body: dict[str, Any], fetched: dict[str, FetchedImage]
) -> dict[str, Any]:
    """One product POST, all checks before any write so a failure leaves nothing behind."""
    check_required(body)
    fields = clean_product_fields(body)
    for raw in body.get("custom_fields") or []:
        clean_custom_field(raw)
    for raw in body.get("images") or []:
        clean_image_spec(raw, require_url=True)
    _check_conflicts(state, fields, None)
    planned = plan_body_variants(state, body.get("variants") or [], fields.get("sku", ""))
    if "custom_url" not in fields:
        fields["custom_url"] = {"url": _unique_url(state, fields["name"], -1), "is_customized": False}
    pid = state.next_id("product")
    product = new_product_record(pid, state.now())
    state.products_by_id[pid] = product
    _write_fields(state, product, fields)
    state.sync_base_variant(pid)
    for plan, variant in zip(planned, create_body_variants(state, pid, planned), strict=True):
        url = plan["fields"].get("image_url")
        if url:
            set_variant_image(state, variant, fetched[url])
    _write_sub_resources(state, pid, body, fetched)
    product["date_modified"] = product["date_created"] = state.now()
    return product


def update_product(
    state: BigCommerceState, product: dict[str, Any], body: dict[str, Any], fetched: dict[str, FetchedImage]
) -> None:
    """A partial update; `categories` replaces, custom fields with `id` update, images add (B5)."""
    fields = clean_product_fields(body)
    for raw in body.get("images") or []:
        clean_image_spec(raw, require_url=True)
    for raw in body.get("custom_fields") or []:
        clean_custom_field(raw, partial=isinstance(raw, dict) and "id" in raw)
    _check_conflicts(state, fields, product["id"])
    _write_fields(state, product, fields)
    _write_sub_resources(state, product["id"], body, fetched)


def delete_product(state: BigCommerceState, product_id: int) -> None:
    product = state.products_by_id[product_id]
    for vid in list(state.variant_ids.get(product_id, [])):
        delete_variant(state, vid, resync=False)
    for oid in state.option_ids.pop(product_id, []):
        del state.options_by_id[oid]
    for iid in state.image_ids.pop(product_id, []):
        state.blobs.pop(state.images_by_id.pop(iid)["_blob"], None)
    for cid in list(state.custom_field_ids.get(product_id, [])):
        delete_custom_field(state, cid)
    state.custom_field_ids.pop(product_id, None)
    state.variant_ids.pop(product_id, None)
    state.unindex_sku(product["sku"], "product", product_id)
    state.name_index.pop(product["name"].lower(), None)
    state.url_index.pop(product["custom_url"]["url"].lower(), None)
    del state.products_by_id[product_id]
