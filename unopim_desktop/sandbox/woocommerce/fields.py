"""Field setters shared by products and variations, mirroring the `WC_Product` setters' coercions.

Values arrive either validated and sanitized (single requests) or raw (batch items, which
WooCommerce does not validate), so every setter casts the way PHP would.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from unopim_desktop.sandbox.woocommerce.errors import WooError
from unopim_desktop.sandbox.woocommerce.schema import php_strval
from unopim_desktop.sandbox.woocommerce.state import WooState, attribute_taxonomy
from unopim_desktop.sandbox.woocommerce.wp import (
    format_decimal,
    parse_rest_date,
    sanitize_title,
    string_to_bool,
    to_int,
    wc_clean,
)
from unopim_desktop.sandbox.woocommerce.wpml import same_group

POST_STATUSES = ("publish", "future", "draft", "pending", "private", "trash", "auto-draft")
STOCK_STATUSES = ("instock", "outofstock", "onbackorder")


def product_invalid_sku(state: WooState, sku: str, owner: int, exclude_id: int) -> WooError:
    return WooError(
        "product_invalid_sku", "Invalid or duplicated SKU.", 400,
        resource_id=owner, unique_sku=state.unique_sku(sku, exclude_id),
    )


def apply_sku(state: WooState, record: dict[str, Any], item: dict[str, Any]) -> None:
    """`set_sku`: trimmed and cleaned; refused if another live product or variation holds it."""
    if "sku" not in item or item["sku"] is None:
        return
    sku = wc_clean(php_strval(item["sku"]))
    if sku:
        owner = state.sku_owner(sku, record["id"])
        if owner and not same_group(state, owner, record):
            raise product_invalid_sku(state, sku, owner, record["id"])
    record["sku"] = sku


def recheck_sku(state: WooState, record: dict[str, Any]) -> None:
    """Checked again at save: another request may have taken the SKU while images downloaded."""
    if record["sku"]:
        owner = state.sku_owner(record["sku"], record["id"])
        if owner and not same_group(state, owner, record):
            raise product_invalid_sku(state, record["sku"], owner, record["id"])


def parse_local_date(state: WooState, value: Any, *, gmt: bool = False) -> datetime | None:
    """A sale date or creation date sent by the client, as a naive UTC datetime (None clears it)."""
    if value in (None, ""):
        return None
    parsed = parse_rest_date(str(value)) if "T" in str(value) or " " in str(value) else None
    if parsed is None:
        try:
            wall = datetime.strptime(str(value)[:10], "%Y-%m-%d")
        except ValueError:
            return None
        offset = None
    else:
        wall, offset = parsed
    if offset is not None:
        return wall - offset
    return wall if gmt else wall - state.utc_offset


def apply_sale(state: WooState, record: dict[str, Any], item: dict[str, Any]) -> None:
    if "regular_price" in item:
        record["regular_price"] = format_decimal(item["regular_price"])
    if "sale_price" in item:
        record["sale_price"] = format_decimal(item["sale_price"])
    for field in ("date_on_sale_from", "date_on_sale_to"):
        if field in item:
            record[field] = parse_local_date(state, item[field])
        if f"{field}_gmt" in item:
            record[field] = parse_local_date(state, item[f"{field}_gmt"], gmt=True)


def clear_sale(record: dict[str, Any]) -> None:
    record.update(regular_price="", sale_price="", date_on_sale_from=None, date_on_sale_to=None)


def apply_shipping(record: dict[str, Any], item: dict[str, Any]) -> None:
    """`save_product_shipping_data`."""
    if "weight" in item:
        record["weight"] = format_decimal(item["weight"])
    dims = item.get("dimensions")
    if isinstance(dims, dict):
        for side in ("length", "width", "height"):
            if side in dims:
                record["dimensions"][side] = format_decimal(dims[side])
    if "shipping_class" in item:
        record["shipping_class"] = sanitize_title(php_strval(item["shipping_class"]))


def apply_flags(record: dict[str, Any], item: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in item and item[name] is not None:
            record[name] = string_to_bool(item[name])


def apply_tax(record: dict[str, Any], item: dict[str, Any]) -> None:
    if "tax_status" in item:
        if item["tax_status"] not in ("taxable", "shipping", "none"):
            raise WooError("product_invalid_tax_status", "Invalid product tax status.", 400)
        record["tax_status"] = item["tax_status"]
    if "tax_class" in item:
        tax_class = sanitize_title(php_strval(item["tax_class"]))
        record["tax_class"] = "" if tax_class == "standard" else tax_class


def stock_status_value(value: Any) -> str:
    return value if value in STOCK_STATUSES else "instock"


def settle_stock_status(record: dict[str, Any]) -> None:
    """`validate_props`: with managed stock the quantity decides the stock status."""
    if record["manage_stock"] and record.get("type") != "variable":
        quantity = record["stock_quantity"] or 0
        if quantity > 0:
            record["stock_status"] = "instock"
        elif record["backorders"] != "no":
            record["stock_status"] = "onbackorder"
        else:
            record["stock_status"] = "outofstock"


def apply_downloads(record: dict[str, Any], item: dict[str, Any]) -> None:
    if "downloadable" in item:
        record["downloadable"] = string_to_bool(item["downloadable"])
    if not record["downloadable"]:
        return
    if isinstance(item.get("downloads"), list):
        downloads = []
        for entry in item["downloads"]:
            if isinstance(entry, dict) and entry.get("file"):
                file_url = php_strval(entry["file"])
                download_id = php_strval(entry.get("id") or hashlib.md5(file_url.encode()).hexdigest())
                downloads.append({"id": download_id, "name": php_strval(entry.get("name", "")), "file": file_url})
        record["downloads"] = downloads
    for name in ("download_limit", "download_expiry"):
        if name in item:
            record[name] = to_int(item[name], -1)


def apply_meta(state: WooState, record: dict[str, Any], item: dict[str, Any]) -> None:
    """`update_meta_data(key, value, id)`: update by id, else the first entry with the key, else add."""
    entries = item.get("meta_data")
    if not isinstance(entries, list):
        return
    for meta in entries:
        if not isinstance(meta, dict) or "key" not in meta:
            continue
        key, value = php_strval(meta["key"]), meta.get("value")
        target = None
        if meta.get("id"):
            target = next((m for m in record["meta_data"] if m["id"] == to_int(meta["id"])), None)
        if target is None:
            target = next((m for m in record["meta_data"] if m["key"] == key), None)
        if target is None:
            record["meta_data"].append({"id": state.new_meta_id(), "key": key, "value": value})
        else:
            target.update(key=key, value=value)


def global_attribute_for_name(state: WooState, name: str) -> int:
    """A `pa_<slug>` name refers to the global attribute with that slug (0 if none)."""
    slug = sanitize_title(name)
    if slug.startswith("pa_"):
        for attribute in state.attributes.values():
            if attribute.slug == slug[3:]:
                return attribute.id
    return 0


def attribute_key(state: WooState, spec: dict[str, Any]) -> str:
    """The key WooCommerce files a variation/default attribute under: `pa:<id>` or the sanitized name."""
    attr_id = to_int(spec.get("id"))
    if attr_id:
        return attribute_taxonomy(attr_id) if attr_id in state.attributes else ""
    name = php_strval(spec.get("name") or "")
    if not name:
        return ""
    global_id = global_attribute_for_name(state, name)
    return attribute_taxonomy(global_id) if global_id else sanitize_title(name)


def option_value(state: WooState, key: str, option: Any) -> str:
    """A variation or default option: the term slug for global attributes, the cleaned text otherwise."""
    value = wc_clean(php_strval(option if option is not None else ""))
    if key.startswith("pa:"):
        term = state.term_by_name(key, value)
        return term.slug if term else sanitize_title(value)
    return value
