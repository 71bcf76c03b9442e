"""Neutral store types ⇄ BigCommerce V3 catalog JSON (store-apis part B). Pure functions, no I/O.

BigCommerce wants JSON numbers for money and measures, has one `related_products` list for all
associations, `search_keywords` where WooCommerce has tags, custom fields for meta, and variant
options per product instead of global attributes. As for WooCommerce, an empty list on our side
means "leave the store's value alone".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from unopim_desktop.domain import (
    ItemResult,
    ProductAttributeValue,
    StoreCategory,
    StoreImage,
    StoreProduct,
    StoreVariant,
    shorten,
)
from unopim_desktop.stores.bigcommerce.fields import extra_from_bc, extra_to_bc, suffixed, unsuffixed

CUSTOM_FIELD_MAX = 250
CATEGORY_NAME_MAX = 50  # B7; longer names are refused (422), so they are shortened
_API_PATH = re.compile(r"^/stores/([A-Za-z0-9]+)(?:/v[23])?/?$")
API_URL_EXAMPLE = "https://api.bigcommerce.com/stores/<store-hash>/"


# --- address ------------------------------------------------------------------------------------


def parse_api_url(raw: str) -> tuple[str, str]:
    """(API base ending in `/stores/<hash>/`, store hash). ValueError when the path is not like that.

    Any scheme and host are accepted (the sandbox runs on loopback); the path is what identifies
    the store. The API path BigCommerce shows may end in `/v3/`, which is dropped.
    """
    text = (raw or "").strip()
    try:
        u = httpx.URL(text)
    except httpx.InvalidURL:
        raise ValueError(text) from None
    if u.scheme not in ("http", "https") or not u.host:
        raise ValueError(text)
    match = _API_PATH.match(u.path)
    if not match:
        raise ValueError(text)
    store_hash = match.group(1)
    base = str(u.copy_with(path=f"/stores/{store_hash}/", query=None, fragment=None))
    return base, store_hash


# --- scalars ------------------------------------------------------------------------------------


def number(value: Any) -> int | float | None:
    """A price or measure as a JSON number (BigCommerce keeps 4 decimals); "" and junk are None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not parsed.is_finite():
        return None
    as_int = int(parsed)
    return as_int if parsed == as_int else float(round(parsed, 4))


def text_number(value: Any) -> str:
    """A number from the store as our string form: 21.5 → "21.5", 10 → "10", None → ""."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def bc_datetime(moment: dt.datetime) -> str:
    """For `date_modified:min`: ISO 8601 with an offset (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def utc_text(value: Any) -> str:
    """`2020-04-24T19:56:35+00:00` → `2020-04-24T19:56:35` in UTC, the form StoreProduct keeps."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S")


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _field_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


# --- products -----------------------------------------------------------------------------------


def related_ids(product: StoreProduct) -> list[int]:
    """BigCommerce has one association list: upsells, cross-sells and grouped items merged."""
    return list(dict.fromkeys(i for i in (*product.upsell_ids, *product.cross_sell_ids, *product.grouped_ids) if i > 0))


def custom_fields_out(meta: dict[str, Any], existing: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Custom fields from meta; a name already on the product carries its id so PUT updates it."""
    out: list[dict[str, Any]] = []
    for name, value in meta.items():
        text = _field_value(value)
        if not name or not text:  # BigCommerce refuses empty names and values
            continue
        item: dict[str, Any] = {"name": str(name)[:CUSTOM_FIELD_MAX], "value": text[:CUSTOM_FIELD_MAX]}
        if existing and name in existing:
            item["id"] = existing[name]
        out.append(item)
    return out


def images_out(images: list[StoreImage]) -> list[dict[str, Any]]:
    """Only images not yet in the store (no store id): BigCommerce adds every image it is sent."""
    ordered = sorted(images, key=lambda i: i.position)
    out = []
    for index, image in enumerate(ordered):
        if image.store_id or not image.src:
            continue
        item: dict[str, Any] = {"image_url": image.src, "is_thumbnail": index == 0, "sort_order": index}
        if image.alt:
            item["description"] = image.alt
        out.append(item)
    return out


def product_to_bc(
    product: StoreProduct, *, creating: bool, custom_field_ids: dict[str, int] | None = None,
    name_taken: bool = False,
) -> dict[str, Any]:
    """A product body for create (with its variants, images and custom fields inline) or update (with `id`);
    `name_taken`: another product holds the name, so it gets the clash suffix (`fields.suffixed`)."""
    body: dict[str, Any] = {
        "name": suffixed(product.name, product.sku) if name_taken else product.name,
        "description": product.description,
        # name, type, weight and price are required on create, even when 0 (B5).
        "price": number(product.regular_price) or 0,
        "sale_price": number(product.sale_price) or 0,
        "weight": number(product.weight) or 0,
        "is_visible": product.status == "publish",
    }
    if creating:
        body["type"] = "physical"
    else:
        body["id"] = product.store_id
    if product.sku:
        body["sku"] = product.sku
    for ours, theirs in (("width", "width"), ("height", "height"), ("length", "depth")):
        value = number(getattr(product, ours))
        if value is not None:
            body[theirs] = value
    has_variant_stock = any(v.stock_quantity is not None for v in product.variants)
    if product.stock_quantity is not None and not product.variants:
        body["inventory_tracking"] = "product"
        body["inventory_level"] = max(0, int(product.stock_quantity))
    elif has_variant_stock:
        body["inventory_tracking"] = "variant"
    if product.category_ids:
        body["categories"] = list(product.category_ids)
    extra_to_bc(product, body, number)
    if product.tags and "search_keywords" not in body:
        body["search_keywords"] = ",".join(product.tags)
    related = related_ids(product)
    if related:
        body["related_products"] = related
    images = images_out(product.images)
    if images:
        body["images"] = images
    fields = custom_fields_out(product.meta, custom_field_ids)
    if fields:
        body["custom_fields"] = fields
    if creating and product.variants:
        # B5: variants inline; their options and option values are created from display name and label.
        body["variants"] = [variant_to_bc(v, option_values=[{"option_display_name": axis, "label": label}
                                                            for axis, label in v.axes.items()])
                            for v in product.variants]
    return body


def image_from_bc(raw: dict[str, Any]) -> StoreImage:
    src = raw.get("url_zoom") or raw.get("url_standard") or raw.get("image_url") or ""
    return StoreImage(src=str(src), store_id=_int(raw.get("id")), alt=str(raw.get("description") or ""),
                      position=_int(raw.get("sort_order")) or 0)


def _is_base_variant(raw: dict[str, Any]) -> bool:
    return not raw.get("option_values")


def product_from_bc(raw: dict[str, Any], brands: dict[int, str] | None = None) -> StoreProduct:
    """A product as the neutral type; `brands` (id → name) names its brand."""
    variants_raw = [v for v in raw.get("variants") or [] if isinstance(v, dict)]
    option_variants = [v for v in variants_raw if not _is_base_variant(v)]
    images_raw = [i for i in raw.get("images") or [] if isinstance(i, dict)]
    # The thumbnail is the featured image: first, then by sort order.
    images_raw.sort(key=lambda i: (not i.get("is_thumbnail"), _int(i.get("sort_order")) or 0))
    axes: dict[str, list[str]] = {}
    for variant in option_variants:
        for value in variant.get("option_values") or []:
            labels = axes.setdefault(str(value.get("option_display_name") or ""), [])
            if value.get("label") not in labels:
                labels.append(str(value.get("label") or ""))
    tracking = raw.get("inventory_tracking")
    sku = str(raw.get("sku") or "")
    return StoreProduct(
        sku=sku,
        name=unsuffixed(str(raw.get("name") or ""), sku)[0],
        type="variable" if option_variants else "simple",
        status="publish" if raw.get("is_visible", True) else "draft",
        description=str(raw.get("description") or ""),
        regular_price=text_number(raw.get("price")),
        sale_price=text_number(raw.get("sale_price")) if number(raw.get("sale_price")) else "",
        stock_quantity=_int(raw.get("inventory_level")) if tracking == "product" else None,
        weight=text_number(raw.get("weight")),
        length=text_number(raw.get("depth")),
        width=text_number(raw.get("width")),
        height=text_number(raw.get("height")),
        category_ids=[c for c in (_int(x) for x in raw.get("categories") or []) if c],
        # No tags on BigCommerce: its search keywords are a field of their own (`extra`).
        attributes=[ProductAttributeValue(name=n, options=o, variation=True) for n, o in axes.items()],
        images=[image_from_bc(i) for i in images_raw],
        # -1 means "related products chosen automatically": not an association (B5 example).
        upsell_ids=[r for r in (_int(x) for x in raw.get("related_products") or []) if r and r > 0],
        meta={str(f.get("name")): f.get("value") for f in raw.get("custom_fields") or [] if isinstance(f, dict)},
        variants=[variant_from_bc(v) for v in option_variants],
        store_id=_int(raw.get("id")),
        date_modified_gmt=utc_text(raw.get("date_modified")),
        extra=extra_from_bc(raw, brands or {}, text_number),
    )


def custom_field_ids(raw: dict[str, Any]) -> dict[str, int]:
    return {
        str(f.get("name")): int(f["id"])
        for f in raw.get("custom_fields") or []
        if isinstance(f, dict) and isinstance(f.get("id"), int)
    }


# --- variants -----------------------------------------------------------------------------------


def variant_to_bc(
    variant: StoreVariant, *, option_values: list[dict[str, Any]] | None = None, product_id: int | None = None
) -> dict[str, Any]:
    """A variant for create (with `option_values` ids) or update (with `id`). Empty price: inherit."""
    body: dict[str, Any] = {
        "price": number(variant.regular_price),
        "sale_price": number(variant.sale_price),
        "weight": number(variant.weight),
        "purchasing_disabled": variant.status not in ("", "publish"),
    }
    for ours, theirs in (("width", "width"), ("height", "height"), ("length", "depth")):
        value = number(getattr(variant, ours))
        if value is not None:
            body[theirs] = value
    if variant.store_id:
        body["id"] = variant.store_id
    if variant.sku:
        body["sku"] = variant.sku
    if product_id is not None:
        body["product_id"] = product_id
    if variant.stock_quantity is not None:
        body["inventory_level"] = max(0, int(variant.stock_quantity))
    if variant.image is not None and variant.image.src and not variant.image.store_id:
        body["image_url"] = variant.image.src
    if option_values is not None:
        body["option_values"] = option_values
    return body


def variant_from_bc(raw: dict[str, Any]) -> StoreVariant:
    axes = {
        str(v.get("option_display_name") or ""): str(v.get("label") or "")
        for v in raw.get("option_values") or []
        if isinstance(v, dict)
    }
    image_url = str(raw.get("image_url") or "")
    return StoreVariant(
        sku=str(raw.get("sku") or ""),
        regular_price=text_number(raw.get("price")),
        sale_price=text_number(raw.get("sale_price")) if number(raw.get("sale_price")) else "",
        stock_quantity=_int(raw.get("inventory_level")),
        status="draft" if raw.get("purchasing_disabled") else "publish",
        weight=text_number(raw.get("weight")),
        length=text_number(raw.get("depth")),
        width=text_number(raw.get("width")),
        height=text_number(raw.get("height")),
        axes=axes,
        image=StoreImage(src=image_url) if image_url else None,
        store_id=_int(raw.get("id")),
    )


# --- categories ---------------------------------------------------------------------------------


def category_to_bc(category: StoreCategory, *, parent_id: int, tree_id: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": shorten(category.name, CATEGORY_NAME_MAX), "parent_id": parent_id}
    if category.store_id:
        body["category_id"] = category.store_id
    elif tree_id is not None:
        body["tree_id"] = tree_id
    if category.description:
        body["description"] = category.description
    if category.image is not None and category.image.src:
        body["image_url"] = category.image.src
    for key in ("is_visible", "sort_order", "page_title", "meta_description", "search_keywords"):
        if key in category.extra:
            body[key] = category.extra[key]
    return body


def category_from_bc(raw: dict[str, Any]) -> StoreCategory:
    url = raw.get("url") if isinstance(raw.get("url"), dict) else {}
    # The whole path: it is unique in the store, its last part is not (Men › Tops and Women › Tops).
    slug = "-".join(p for p in str(url.get("path") or "").strip("/").split("/") if p)
    image_url = str(raw.get("image_url") or "")
    return StoreCategory(
        name=str(raw.get("name") or ""),
        slug=slug,
        store_id=_int(raw.get("category_id") if "category_id" in raw else raw.get("id")),
        parent_store_id=_int(raw.get("parent_id")) or None,
        description=str(raw.get("description") or ""),
        image=StoreImage(src=image_url) if image_url else None,
        extra={k: raw[k] for k in ("tree_id", "is_visible", "sort_order") if k in raw},
    )


# --- errors -------------------------------------------------------------------------------------


def error_text(body: Any, fallback: str = "") -> str:
    """`title` plus the per-field `errors` map of a v3 error body, as one readable sentence; the variants
    batch's `{"batch_errors": [...]}` (a 422 with no title of its own) as its errors one after the other."""
    if not isinstance(body, dict):
        return fallback
    batch = body.get("batch_errors")
    if isinstance(batch, list) and batch and not body.get("title"):
        return "; ".join(error_text(item) for item in batch if isinstance(item, dict)) or fallback
    title = str(body.get("title") or fallback or "")
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        details = "; ".join(f"{k}: {v}" for k, v in errors.items())
        return f"{title} ({details})" if title else details
    return title


def image_refused(body: Any, message: str) -> bool:
    """A 409/422 that names an image ("The field 'image_url' is invalid."): the item itself was fine."""
    return "image" in error_text(body, message).lower()


def image_ids(raw: dict[str, Any]) -> list[int]:
    images = [i for i in raw.get("images") or [] if isinstance(i, dict)]
    images.sort(key=lambda i: (not i.get("is_thumbnail"), _int(i.get("sort_order")) or 0))
    return [i for i in (_int(img.get("id")) for img in images) if i]


def saved(key: str, raw: dict[str, Any], note: str = "") -> ItemResult:
    """A saved product or variant; a variant's one image has no id, only its `image_url`."""
    url = raw.get("image_url") if "option_values" in raw or "product_id" in raw else None
    return ItemResult(key=key, store_id=_int(raw.get("id")), note=note, image_ids=image_ids(raw),
                      image_urls=[url] if isinstance(url, str) and url else [])


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
