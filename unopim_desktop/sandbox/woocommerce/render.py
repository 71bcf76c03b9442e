"""Records to API objects, in the shapes and field order WooCommerce's REST controllers use.

`context="view"` (GET) runs descriptions through `wpautop`; `context="edit"` (the answer to a
create, update or delete) returns them as stored, as WooCommerce does.
"""

from __future__ import annotations

from typing import Any

from unopim_desktop.sandbox.woocommerce.state import (
    CATEGORY,
    TAG,
    Attribute,
    Media,
    Term,
    WooState,
    attribute_taxonomy,
    utc_now,
)
from unopim_desktop.sandbox.woocommerce.wp import fmt_date, wpautop

API = "/wp-json/wc/v3"


def links(base: str, path: str, collection: str, up: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "self": [{"href": f"{base}{API}{path}"}],
        "collection": [{"href": f"{base}{API}{collection}"}],
    }
    if up:
        out["up"] = [{"href": f"{base}{API}{up}"}]
    return out


def media_url(base: str, media: Media) -> str:
    return f"{base}/wp-content/uploads/{media.file}"


def _dates(state: WooState, prefix: str, moment: Any) -> dict[str, Any]:
    if moment is None:
        return {prefix: None, f"{prefix}_gmt": None}
    return {prefix: fmt_date(state.local(moment)), f"{prefix}_gmt": fmt_date(moment)}


def render_image(state: WooState, media: Media, base: str) -> dict[str, Any]:
    return {
        "id": media.id,
        **_dates(state, "date_created", media.date_created),
        **_dates(state, "date_modified", media.date_modified),
        "src": media_url(base, media),
        "name": media.title,
        "alt": media.alt,
    }


def product_permalink(base: str, record: dict[str, Any]) -> str:
    # WordPress has no pretty permalink for drafts and pending posts.
    if record["status"] in ("draft", "pending", "auto-draft", "future") or not record["slug"]:
        return f"{base}/?post_type=product&p={record['id']}"
    return f"{base}/product/{record['slug']}/"


def _price_html(state: WooState, amount: str) -> str:
    try:
        shown = f"{float(amount):,.2f}"
    except ValueError:
        return ""
    return (
        '<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-Price-currencySymbol">'
        f"{state.currency_symbol}</span>{shown}</bdi></span>"
    )


def on_sale(record: dict[str, Any]) -> bool:
    """A sale price below the regular one, inside its scheduled window if it has one."""
    sale, regular = record.get("sale_price", ""), record.get("regular_price", "")
    if sale == "":
        return False
    now = utc_now()
    starts, ends = record.get("date_on_sale_from"), record.get("date_on_sale_to")
    if (starts is not None and starts > now) or (ends is not None and ends < now):
        return False
    try:
        return regular == "" or float(sale) < float(regular)
    except ValueError:
        return False


def active_price(record: dict[str, Any]) -> str:
    return record["sale_price"] if on_sale(record) else record["regular_price"]


def live_children(state: WooState, product_id: int) -> list[dict[str, Any]]:
    """`get_children()`: published and private variations, in menu order."""
    children = [
        state.variation_records[i] for i in state.children.get(product_id, ())
        if state.variation_records[i]["status"] in ("publish", "private")
    ]
    children.sort(key=lambda v: (v["menu_order"], v["id"]))
    return children


def _variable_prices(state: WooState, record: dict[str, Any]) -> list[tuple[float, str]]:
    prices = []
    for child in live_children(state, record["id"]):
        if child["status"] == "publish" and active_price(child) != "":
            try:
                prices.append((float(active_price(child)), active_price(child)))
            except ValueError:
                continue
    return sorted(prices)


def _price_fields(state: WooState, record: dict[str, Any]) -> dict[str, Any]:
    if record["type"] == "variable":
        prices = _variable_prices(state, record)
        price = prices[0][1] if prices else ""
        if not prices:
            html = ""
        elif prices[0][0] == prices[-1][0]:
            html = _price_html(state, prices[0][1])
        else:
            html = f"{_price_html(state, prices[0][1])} &ndash; {_price_html(state, prices[-1][1])}"
        return {"price": price, "price_html": html, "on_sale": False, "purchasable": bool(prices)}
    price = active_price(record)
    html = _price_html(state, price) if price != "" else ""
    if on_sale(record) and record["regular_price"] != "":
        html = f"<del aria-hidden=\"true\">{_price_html(state, record['regular_price'])}</del> <ins>{html}</ins>"
    return {"price": price, "price_html": html, "on_sale": on_sale(record), "purchasable": price != ""}


def stock_status(state: WooState, record: dict[str, Any]) -> str:
    if record.get("type") != "variable":
        return record["stock_status"]
    statuses = {c["stock_status"] for c in live_children(state, record["id"])}
    for status in ("instock", "onbackorder"):
        if status in statuses:
            return status
    return "outofstock"


def term_refs(state: WooState, ids: list[int]) -> list[dict[str, Any]]:
    return [{"id": t.id, "name": t.name, "slug": t.slug} for t in (state.terms.get(i) for i in ids) if t]


def _ordered_terms(state: WooState, attribute: Attribute, term_ids: list[int]) -> list[Term]:
    terms = [t for t in (state.terms.get(i) for i in term_ids) if t]
    if attribute.order_by == "name":
        return sorted(terms, key=lambda t: t.name.casefold())
    if attribute.order_by == "id":
        return sorted(terms, key=lambda t: t.id)
    return sorted(terms, key=lambda t: (t.menu_order, t.name.casefold()))


def render_product_attributes(state: WooState, record: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in sorted(record["attributes"], key=lambda a: a["position"]):
        if item["attribute_id"]:
            attribute = state.attributes.get(item["attribute_id"])
            if attribute is None:  # the global attribute was deleted
                continue
            options = [t.name for t in _ordered_terms(state, attribute, item["options"])]
            name, slug, attr_id = attribute.name, f"pa_{attribute.slug}", attribute.id
        else:
            options, name, slug, attr_id = list(item["options"]), item["name"], item["key"], 0
        out.append({
            "id": attr_id, "name": name, "slug": slug, "position": item["position"],
            "visible": item["visible"], "variation": item["variation"], "options": options,
        })
    return out


def _attribute_label(state: WooState, key: str, parent: dict[str, Any] | None) -> tuple[int, str]:
    if key.startswith("pa:"):
        attribute = state.attributes.get(int(key[3:]))
        return (attribute.id, attribute.name) if attribute else (0, key)
    for item in (parent or {}).get("attributes", []):
        if not item["attribute_id"] and item["key"] == key:
            return 0, item["name"]
    return 0, key


def render_default_attributes(state: WooState, record: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, value in record["default_attributes"].items():
        attr_id, name = _attribute_label(state, key, record)
        out.append({"id": attr_id, "name": name, "option": value})  # global options stay slugs, as in WC
    return out


def _related_ids(state: WooState, record: dict[str, Any]) -> list[int]:
    """Up to five other published products sharing a category or tag (WooCommerce picks at random)."""
    excluded = {record["id"], *record["upsell_ids"]}
    found: list[int] = []
    for term_id in record["category_ids"] + record["tag_ids"]:
        for other_id in sorted(state.term_products.get(term_id, ())):
            other = state.product_records.get(other_id)
            if other_id in excluded or other_id in found or other is None or other["status"] != "publish":
                continue
            found.append(other_id)
            if len(found) == 5:
                return found
    return found


def render_product(state: WooState, record: dict[str, Any], base: str, context: str = "view") -> dict[str, Any]:
    description, short = record["description"], record["short_description"]
    if context == "view":
        description, short = wpautop(description), wpautop(short)
    images = [render_image(state, state.media[i], base) for i in record["image_ids"] if i in state.media]
    managing = record["manage_stock"]
    backorders_allowed = record["backorders"] != "no"
    stock_qty = record["stock_quantity"] if managing else None
    data: dict[str, Any] = {
        "id": record["id"],
        "name": record["name"],
        "slug": record["slug"],
        "permalink": product_permalink(base, record),
        **_dates(state, "date_created", record["date_created"]),
        **_dates(state, "date_modified", record["date_modified"]),
        "type": record["type"],
        "status": record["status"],
        "featured": record["featured"],
        "catalog_visibility": record["catalog_visibility"],
        "description": description,
        "short_description": short,
        "sku": record["sku"],
        "price": "",
        "regular_price": record["regular_price"],
        "sale_price": record["sale_price"],
        **_dates(state, "date_on_sale_from", record["date_on_sale_from"]),
        **_dates(state, "date_on_sale_to", record["date_on_sale_to"]),
        "price_html": "",
        "on_sale": False,
        "purchasable": False,
        "total_sales": 0,
        "virtual": record["virtual"],
        "downloadable": record["downloadable"],
        "downloads": list(record["downloads"]),
        "download_limit": record["download_limit"],
        "download_expiry": record["download_expiry"],
        "external_url": record["external_url"],
        "button_text": record["button_text"],
        "tax_status": record["tax_status"],
        "tax_class": record["tax_class"],
        "manage_stock": managing,
        "stock_quantity": stock_qty,
        "stock_status": stock_status(state, record),
        "backorders": record["backorders"],
        "backorders_allowed": backorders_allowed,
        "backordered": bool(managing and backorders_allowed and (stock_qty or 0) < 0),
        "low_stock_amount": record["low_stock_amount"],
        "sold_individually": record["sold_individually"],
        "weight": record["weight"],
        "dimensions": dict(record["dimensions"]),
        "shipping_required": not record["virtual"],
        "shipping_taxable": not record["virtual"] and record["tax_status"] in ("taxable", "shipping"),
        "shipping_class": record["shipping_class"],
        "shipping_class_id": 0,
        "reviews_allowed": record["reviews_allowed"],
        "average_rating": "0.00",
        "rating_count": 0,
        "related_ids": _related_ids(state, record),
        "upsell_ids": list(record["upsell_ids"]),
        "cross_sell_ids": list(record["cross_sell_ids"]),
        "parent_id": record["parent_id"],
        "purchase_note": record["purchase_note"],
        "categories": term_refs(state, record["category_ids"]),
        "tags": term_refs(state, record["tag_ids"]),
        "images": images,
        "attributes": render_product_attributes(state, record),
        "default_attributes": render_default_attributes(state, record),
        "variations": [c["id"] for c in live_children(state, record["id"])] if record["type"] == "variable" else [],
        "grouped_products": [],
        "menu_order": record["menu_order"],
        "meta_data": [dict(m) for m in record["meta_data"]],
        "global_unique_id": record["global_unique_id"],
        "has_options": record["type"] == "variable",
        "post_password": "",
    }
    data.update(_price_fields(state, record))
    if state.wpml is not None:
        data.update(state.wpml.post_fields(record))
    data["_links"] = links(base, f"/products/{record['id']}", "/products")
    if record["parent_id"]:
        data["_links"]["up"] = [{"href": f"{base}{API}/products/{record['parent_id']}"}]
    return data


def variation_permalink(state: WooState, record: dict[str, Any], base: str) -> str:
    parent = state.product_records.get(record["parent_id"])
    url = product_permalink(base, parent) if parent else f"{base}/?post_type=product_variation&p={record['id']}"
    pairs = []
    for key, value in record["attributes"].items():
        if value != "":
            if key.startswith("pa:"):
                attribute = state.attributes.get(int(key[3:]))
                key = f"pa_{attribute.slug}" if attribute else key
            pairs.append(f"attribute_{key}={value}")
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(pairs)


def render_variation_attributes(state: WooState, record: dict[str, Any]) -> list[dict[str, Any]]:
    parent = state.product_records.get(record["parent_id"])
    out = []
    for key, value in record["attributes"].items():
        if value == "":
            continue
        attr_id, name = _attribute_label(state, key, parent)
        option = value
        if key.startswith("pa:"):
            term = state.term_by_slug(key, value)
            option = term.name if term else value
        out.append({"id": attr_id, "name": name, "option": option})
    return out


def variation_name(state: WooState, record: dict[str, Any]) -> str:
    parent = state.product_records.get(record["parent_id"])
    base_name = parent["name"] if parent else "Variation"
    options = [a["option"] for a in render_variation_attributes(state, record)]
    # WooCommerce leaves the options out of the title past two attributes.
    return f"{base_name} - {', '.join(options)}" if options and len(options) < 3 else base_name


def render_variation(state: WooState, record: dict[str, Any], base: str, context: str = "view") -> dict[str, Any]:
    managing = record["manage_stock"]
    image = state.media.get(record["image_id"]) if record["image_id"] else None
    stock_qty = record["stock_quantity"] if managing else None
    data: dict[str, Any] = {
        "id": record["id"],
        "name": variation_name(state, record),
        "type": "variation",
        "parent_id": record["parent_id"],
        **_dates(state, "date_created", record["date_created"]),
        **_dates(state, "date_modified", record["date_modified"]),
        "description": wpautop(record["description"]),
        "permalink": variation_permalink(state, record, base),
        "sku": record["sku"],
        "global_unique_id": record["global_unique_id"],
        "price": active_price(record),
        "regular_price": record["regular_price"],
        "sale_price": record["sale_price"],
        **_dates(state, "date_on_sale_from", record["date_on_sale_from"]),
        **_dates(state, "date_on_sale_to", record["date_on_sale_to"]),
        "on_sale": on_sale(record),
        "status": record["status"],
        "purchasable": active_price(record) != "",
        "virtual": record["virtual"],
        "downloadable": record["downloadable"],
        "downloads": list(record["downloads"]),
        "download_limit": record["download_limit"],
        "download_expiry": record["download_expiry"],
        "tax_status": record["tax_status"],
        "tax_class": record["tax_class"],
        "manage_stock": managing,
        "stock_quantity": stock_qty,
        "stock_status": record["stock_status"],
        "backorders": record["backorders"],
        "backorders_allowed": record["backorders"] != "no",
        "backordered": bool(managing and record["backorders"] != "no" and (stock_qty or 0) < 0),
        "low_stock_amount": record["low_stock_amount"],
        "weight": record["weight"],
        "dimensions": dict(record["dimensions"]),
        "shipping_class": record["shipping_class"],
        "shipping_class_id": 0,
        # Current WooCommerce answers null for a variation without its own image.
        "image": render_image(state, image, base) if image else None,
        "attributes": render_variation_attributes(state, record),
        "menu_order": record["menu_order"],
        "meta_data": [dict(m) for m in record["meta_data"]],
    }
    if state.wpml is not None:
        data.update(state.wpml.post_fields(record))
    pid = record["parent_id"]
    data["_links"] = links(base, f"/products/{pid}/variations/{record['id']}", f"/products/{pid}/variations",
                           up=f"/products/{pid}")
    return data


def render_variation_as_product(state: WooState, record: dict[str, Any], base: str, context: str = "view") -> dict[str, Any]:
    """A variation as `/products?sku=` returns it: the product shape with `type: "variation"`."""
    parent = state.product_records.get(record["parent_id"], {})
    pseudo = {
        **record, "type": "variation", "name": variation_name(state, record), "slug": "",
        "featured": False, "catalog_visibility": "visible", "short_description": "",
        "external_url": "", "button_text": "", "sold_individually": False,
        "reviews_allowed": False, "upsell_ids": [], "cross_sell_ids": [], "purchase_note": "",
        "category_ids": parent.get("category_ids", []), "tag_ids": [],
        "image_ids": [record["image_id"]] if record["image_id"] else [],
        "attributes": [], "default_attributes": {},
    }
    data = render_product(state, pseudo, base, context)
    data["permalink"] = variation_permalink(state, record, base)
    data["attributes"] = render_variation_attributes(state, record)
    data["related_ids"] = []
    return data


def term_count(state: WooState, term_id: int) -> int:
    """Published products using the term, as WordPress keeps `term_taxonomy.count`."""
    records = state.product_records
    return sum(1 for pid in state.term_products.get(term_id, ()) if records[pid]["status"] == "publish")


def render_term(state: WooState, term: Term, base: str) -> dict[str, Any]:
    data = _render_term(state, term, base)
    if state.wpml is not None:
        links_ = data.pop("_links")
        data.update(state.wpml.term_fields(term.id), _links=links_)
    return data


def _render_term(state: WooState, term: Term, base: str) -> dict[str, Any]:
    count = term_count(state, term.id)
    if term.taxonomy == CATEGORY:
        image = state.media.get(term.image_id) if term.image_id else None
        data: dict[str, Any] = {
            "id": term.id, "name": term.name, "slug": term.slug, "parent": term.parent,
            "description": term.description, "display": term.display,
            "image": render_image(state, image, base) if image else None,
            "menu_order": term.menu_order, "count": count,
        }
        path = "/products/categories"
        up = f"{path}/{term.parent}" if term.parent and term.parent in state.terms else None
        data["_links"] = links(base, f"{path}/{term.id}", path, up)
        return data
    if term.taxonomy == TAG:
        path = "/products/tags"
        data = {"id": term.id, "name": term.name, "slug": term.slug, "description": term.description, "count": count}
    else:
        path = f"/products/attributes/{term.taxonomy[3:]}/terms"
        data = {
            "id": term.id, "name": term.name, "slug": term.slug, "description": term.description,
            "menu_order": term.menu_order, "count": count,
        }
    data["_links"] = links(base, f"{path}/{term.id}", path)
    return data


def render_attribute(state: WooState, attribute: Attribute, base: str) -> dict[str, Any]:
    return {
        "id": attribute.id,
        "name": attribute.name,
        "slug": f"pa_{attribute.slug}",
        "type": attribute.type,
        "order_by": attribute.order_by,
        "has_archives": attribute.has_archives,
        "_links": links(base, f"/products/attributes/{attribute.id}", "/products/attributes"),
    }


def attribute_terms(state: WooState, attribute_id: int) -> list[Term]:
    return state.terms_of(attribute_taxonomy(attribute_id))
