"""Neutral store types ⇄ WooCommerce wc/v3 JSON (store-apis A6–A10). Pure functions, no I/O.

Conventions on the way out:
- money, weights and dimensions are strings ("21.99"), as the schema declares them;
- an empty list (images, categories, tags, attributes, meta, associations) means "leave the store's
  value alone" and is not sent: sending `[]` would clear the featured image or the categories of a
  product whose images or categories are simply not mapped;
- an image with a store id is sent as `{id}` so WooCommerce does not download it again (A9).

On the way in, unknown fields are ignored and term names are HTML-unescaped (WordPress stores
`A & B` as `A &amp; B`).
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from unopim_desktop.domain import (
    ItemResult,
    ProductAttributeValue,
    StoreAttribute,
    StoreCategory,
    StoreImage,
    StoreProduct,
    StoreTerm,
    StoreVariant,
)

ATTRIBUTE_SLUG_MAX = 28  # wc_create_attribute refuses longer slugs


# --- helpers ----------------------------------------------------------------------------------------


def wc_gmt(moment: dt.datetime) -> str:
    """A `modified_after` value to pair with `dates_are_gmt=true`: UTC, no offset (A1, A5)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ids(values: Any) -> list[int]:
    out: list[int] = []
    for value in values or []:
        number = _int_or_none(value.get("id") if isinstance(value, dict) else value)
        if number is not None and number > 0:
            out.append(number)
    return out


def _term_name(value: Any) -> str:
    return html.unescape(str(value or ""))


def attribute_slug(slug_or_name: str) -> str:
    """The slug WooCommerce stores for a global attribute: without `pa_`, at most 28 characters."""
    slug = slug_or_name.strip().lower()
    if slug.startswith("pa_"):
        slug = slug[3:]
    return slug[:ATTRIBUTE_SLUG_MAX]


def image_out(image: StoreImage) -> dict[str, Any]:
    if image.store_id:
        out: dict[str, Any] = {"id": image.store_id}
    else:
        out = {"src": image.src}
    if image.alt:
        out["alt"] = image.alt
    return out


def _image_in(raw: Any, position: int = 0) -> StoreImage | None:
    if not isinstance(raw, dict):
        return None
    image_id = _int_or_none(raw.get("id"))
    # A variation without an image answers with the placeholder, id 0 (A7).
    if not image_id and not raw.get("src"):
        return None
    if image_id == 0:
        return None
    return StoreImage(src=str(raw.get("src") or ""), store_id=image_id, alt=str(raw.get("alt") or ""), position=position)


def _stock_out(stock_quantity: int | None, stock_status: str) -> dict[str, Any]:
    if stock_quantity is not None:
        out: dict[str, Any] = {"manage_stock": True, "stock_quantity": int(stock_quantity)}
        return out
    if stock_status:
        return {"manage_stock": False, "stock_status": stock_status}
    return {}


def _meta_out(meta: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": value} for key, value in meta.items()]


def _meta_in(raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in raw or []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            out[item["key"]] = item.get("value")
    return out


def _dimensions_in(raw: Any) -> tuple[str, str, str]:
    dims = raw if isinstance(raw, dict) else {}
    return _text(dims.get("length")), _text(dims.get("width")), _text(dims.get("height"))


# --- products ---------------------------------------------------------------------------------------


def product_attribute_out(attr: ProductAttributeValue, position: int) -> dict[str, Any]:
    # A global attribute is addressed by id; a local (custom) one by name (A6).
    out: dict[str, Any] = {"id": attr.store_id} if attr.store_id else {"name": attr.name}
    out.update(position=position, visible=attr.visible, variation=attr.variation, options=list(attr.options))
    return out


def product_to_wc(product: StoreProduct) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": product.name,
        "type": product.type,
        "status": product.status,
        "description": product.description,
        "short_description": product.short_description,
        "weight": product.weight,
        "dimensions": {"length": product.length, "width": product.width, "height": product.height},
    }
    if product.store_id:
        body["id"] = product.store_id
    if product.sku:
        body["sku"] = product.sku
    # Prices of variable and grouped parents are ignored by WooCommerce; their variations carry them.
    if product.type not in ("variable", "grouped"):
        body["regular_price"] = _text(product.regular_price)
        body["sale_price"] = _text(product.sale_price)
    body.update(_stock_out(product.stock_quantity, product.stock_status))
    if product.category_ids:
        body["categories"] = [{"id": cid} for cid in product.category_ids]
    if product.tags:
        # v3 reuses a tag of that name or creates it (A6).
        body["tags"] = [{"name": tag} for tag in product.tags]
    if product.attributes:
        body["attributes"] = [product_attribute_out(a, i) for i, a in enumerate(product.attributes)]
    if product.images:
        body["images"] = [image_out(img) for img in sorted(product.images, key=lambda i: i.position)]
    if product.upsell_ids:
        body["upsell_ids"] = list(product.upsell_ids)
    if product.cross_sell_ids:
        body["cross_sell_ids"] = list(product.cross_sell_ids)
    if product.type == "grouped" and product.grouped_ids:
        body["grouped_products"] = list(product.grouped_ids)
    if product.meta:
        body["meta_data"] = _meta_out(product.meta)
    if product.lang:
        body["lang"] = product.lang
    if product.translation_of:
        body["translation_of"] = product.translation_of
    return body


def _product_attributes_in(raw: Any) -> list[ProductAttributeValue]:
    out: list[ProductAttributeValue] = []
    for item in raw or []:
        if not isinstance(item, dict):
            continue
        if "options" in item:
            options = [str(o) for o in item.get("options") or []]
        else:  # a variation read through /products?sku= carries {id, name, option}
            options = [str(item["option"])] if item.get("option") not in (None, "") else []
        out.append(
            ProductAttributeValue(
                name=_term_name(item.get("name")),
                options=options,
                store_id=_int_or_none(item.get("id")) or None,
                visible=bool(item.get("visible", True)),
                variation=bool(item.get("variation", False)),
            )
        )
    return out


def product_from_wc(raw: dict[str, Any]) -> StoreProduct:
    length, width, height = _dimensions_in(raw.get("dimensions"))
    images = [img for i, r in enumerate(raw.get("images") or []) if (img := _image_in(r, i)) is not None]
    if not images and isinstance(raw.get("image"), dict):  # a variation found by SKU
        single = _image_in(raw["image"])
        images = [single] if single else []
    product_type = str(raw.get("type") or "simple")
    parent_id = _int_or_none(raw.get("parent_id"))
    return StoreProduct(
        sku=str(raw.get("sku") or ""),
        name=str(raw.get("name") or ""),
        type=product_type,
        status=str(raw.get("status") or "publish"),
        description=str(raw.get("description") or ""),
        short_description=str(raw.get("short_description") or ""),
        regular_price=_text(raw.get("regular_price")),
        sale_price=_text(raw.get("sale_price")),
        stock_quantity=_int_or_none(raw.get("stock_quantity")) if raw.get("manage_stock") else None,
        stock_status=str(raw.get("stock_status") or ""),
        weight=_text(raw.get("weight")),
        length=length,
        width=width,
        height=height,
        category_ids=_ids(raw.get("categories")),
        tags=[_term_name(t.get("name")) for t in raw.get("tags") or [] if isinstance(t, dict)],
        attributes=_product_attributes_in(raw.get("attributes")),
        images=images,
        upsell_ids=_ids(raw.get("upsell_ids")),
        cross_sell_ids=_ids(raw.get("cross_sell_ids")),
        grouped_ids=_ids(raw.get("grouped_products")),
        meta=_meta_in(raw.get("meta_data")),
        store_id=_int_or_none(raw.get("id")),
        date_modified_gmt=str(raw.get("date_modified_gmt") or ""),
        lang=str(raw.get("lang") or ""),
        parent_store_id=parent_id if product_type == "variation" and parent_id else None,
    )


# --- variations -------------------------------------------------------------------------------------


def variant_to_wc(variant: StoreVariant, attribute_ids: dict[str, int]) -> dict[str, Any]:
    """`attribute_ids` maps the parent's global attribute names (lower case) to their ids.

    A global attribute must be addressed by id: WooCommerce matches `name` against the sanitized
    *local* attribute name and silently drops an axis it cannot match (A7).
    """
    body: dict[str, Any] = {
        "regular_price": _text(variant.regular_price),
        "sale_price": _text(variant.sale_price),
        "status": variant.status or "publish",
        "weight": variant.weight,
        "dimensions": {"length": variant.length, "width": variant.width, "height": variant.height},
    }
    if variant.store_id:
        body["id"] = variant.store_id
    if variant.sku:
        body["sku"] = variant.sku
    body.update(_stock_out(variant.stock_quantity, variant.stock_status))
    if variant.axes:
        axes = []
        for name, option in variant.axes.items():
            global_id = attribute_ids.get(name.strip().lower())
            axes.append({"id": global_id, "option": option} if global_id else {"name": name, "option": option})
        body["attributes"] = axes
    if variant.image is not None and (variant.image.store_id or variant.image.src):
        body["image"] = image_out(variant.image)
    if variant.meta:
        body["meta_data"] = _meta_out(variant.meta)
    return body


def variant_from_wc(raw: dict[str, Any]) -> StoreVariant:
    length, width, height = _dimensions_in(raw.get("dimensions"))
    axes = {
        _term_name(a.get("name")): str(a.get("option") or "")
        for a in raw.get("attributes") or []
        if isinstance(a, dict)
    }
    return StoreVariant(
        sku=str(raw.get("sku") or ""),
        regular_price=_text(raw.get("regular_price")),
        sale_price=_text(raw.get("sale_price")),
        stock_quantity=_int_or_none(raw.get("stock_quantity")) if raw.get("manage_stock") is True else None,
        stock_status=str(raw.get("stock_status") or ""),
        status=str(raw.get("status") or "publish"),
        weight=_text(raw.get("weight")),
        length=length,
        width=width,
        height=height,
        axes=axes,
        image=_image_in(raw.get("image")),
        store_id=_int_or_none(raw.get("id")),
        date_modified_gmt=str(raw.get("date_modified_gmt") or ""),
        meta=_meta_in(raw.get("meta_data")),
    )


# --- categories, tags, attributes, terms ---------------------------------------------------------


def category_to_wc(category: StoreCategory, parent_id: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": category.name, "parent": parent_id or 0}
    if category.store_id:
        body["id"] = category.store_id
    if category.slug:
        body["slug"] = category.slug
    if category.description:
        body["description"] = category.description
    if category.image is not None and (category.image.store_id or category.image.src):
        body["image"] = image_out(category.image)
    for key in ("display", "menu_order"):
        if key in category.extra:
            body[key] = category.extra[key]
    return body


def category_from_wc(raw: dict[str, Any]) -> StoreCategory:
    parent = _int_or_none(raw.get("parent"))
    return StoreCategory(
        name=_term_name(raw.get("name")),
        slug=str(raw.get("slug") or ""),
        store_id=_int_or_none(raw.get("id")),
        parent_store_id=parent or None,
        description=str(raw.get("description") or ""),
        image=_image_in(raw.get("image")),
        extra={k: raw[k] for k in ("display", "menu_order", "count") if k in raw},
    )


def attribute_to_wc(attribute: StoreAttribute) -> dict[str, Any]:
    body: dict[str, Any] = {"name": attribute.name, "type": "select", "order_by": "menu_order"}
    if attribute.slug:
        body["slug"] = attribute_slug(attribute.slug)
    return body


def attribute_from_wc(raw: dict[str, Any], terms: list[StoreTerm] | None = None) -> StoreAttribute:
    return StoreAttribute(
        name=_term_name(raw.get("name")),
        slug=attribute_slug(str(raw.get("slug") or "")),
        store_id=_int_or_none(raw.get("id")),
        terms=list(terms or []),
    )


def term_to_wc(term: StoreTerm) -> dict[str, Any]:
    body: dict[str, Any] = {"name": term.name}
    if term.store_id:
        body["id"] = term.store_id
    if term.slug:
        body["slug"] = term.slug
    return body


def term_from_wc(raw: dict[str, Any]) -> StoreTerm:
    return StoreTerm(name=_term_name(raw.get("name")), slug=str(raw.get("slug") or ""), store_id=_int_or_none(raw.get("id")))


# --- batch answers ----------------------------------------------------------------------------------


def batch_item_result(key: str, item: Any) -> ItemResult:
    """One entry of a batch answer (A10): the saved object, or `{id, error:{code, message, data}}`.

    A duplicate SKU or an existing term carries the id already holding it in `store_id`, with the
    error kept, so the caller can decide to adopt it.
    """
    if not isinstance(item, dict):
        return ItemResult(key=key, error="The store answered this item with something unexpected", status=0)
    error = item.get("error")
    if isinstance(error, dict):
        data = error.get("data") if isinstance(error.get("data"), dict) else {}
        existing = _int_or_none(data.get("resource_id"))
        given = _int_or_none(item.get("id"))
        return ItemResult(
            key=key,
            store_id=existing or given or None,
            error=str(error.get("message") or error.get("code") or "Rejected by the store"),
            error_code=str(error.get("code") or ""),
            status=_int_or_none(data.get("status")) or 400,
        )
    images = item.get("images") if isinstance(item.get("images"), list) else []
    if not images and isinstance(item.get("image"), dict):
        images = [item["image"]]
    image_ids = [i for i in (_int_or_none(img.get("id")) for img in images if isinstance(img, dict)) if i]
    return ItemResult(key=key, store_id=_int_or_none(item.get("id")), image_ids=image_ids)


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
