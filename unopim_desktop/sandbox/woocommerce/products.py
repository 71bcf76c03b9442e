"""Products: get, create, update, trash/delete and batch, following `WC_REST_Products_Controller`.

A write is prepared under the lock (so a duplicate SKU fails before any download), images are
downloaded without holding it, and the result is committed under the lock after a second SKU check.
"""

from __future__ import annotations

from typing import Any

from unopim_desktop.sandbox.woocommerce.batch import run_batch
from unopim_desktop.sandbox.woocommerce.errors import WooError
from unopim_desktop.sandbox.woocommerce.fields import (
    POST_STATUSES,
    apply_downloads,
    apply_flags,
    apply_meta,
    apply_sale,
    apply_shipping,
    apply_sku,
    apply_tax,
    attribute_key,
    clear_sale,
    option_value,
    parse_local_date,
    recheck_sku,
    settle_stock_status,
    stock_status_value,
)
from unopim_desktop.sandbox.woocommerce.http import WooRequest, WooResponse, created
from unopim_desktop.sandbox.woocommerce.media import resolve_images
from unopim_desktop.sandbox.woocommerce.render import (
    product_permalink,
    render_product,
    render_variation_as_product,
)
from unopim_desktop.sandbox.woocommerce.schema import php_strval
from unopim_desktop.sandbox.woocommerce.state import (
    CATEGORY,
    DEFAULT_CATEGORY_ID,
    TAG,
    Term,
    WooState,
    attribute_taxonomy,
    copy_record,
)
from unopim_desktop.sandbox.woocommerce.wp import (
    filter_post_kses,
    kses_post,
    sanitize_text_field,
    sanitize_title,
    specialchars,
    string_to_bool,
    to_int,
    wc_clean,
)
from unopim_desktop.sandbox.woocommerce.wpml import after_product_save, check_translation, is_translation

PRODUCT_TYPES = ("simple", "grouped", "external", "variable")
VARIATION_HINT = "To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint."


def new_product_record() -> dict[str, Any]:
    return {
        "id": 0, "type": "simple", "status": "publish", "name": "", "slug": "", "description": "",
        "short_description": "", "sku": "", "regular_price": "", "sale_price": "", "date_on_sale_from": None,
        "date_on_sale_to": None, "featured": False, "catalog_visibility": "visible", "virtual": False,
        "downloadable": False, "downloads": [], "download_limit": -1, "download_expiry": -1, "external_url": "",
        "button_text": "", "tax_status": "taxable", "tax_class": "", "manage_stock": False, "stock_quantity": None,
        "stock_status": "instock", "backorders": "no", "low_stock_amount": None, "sold_individually": False,
        "weight": "", "dimensions": {"length": "", "width": "", "height": ""}, "shipping_class": "",
        "reviews_allowed": True, "upsell_ids": [], "cross_sell_ids": [], "parent_id": 0, "purchase_note": "",
        "category_ids": [], "tag_ids": [], "image_ids": [], "attributes": [], "default_attributes": {},
        "menu_order": 0, "meta_data": [], "global_unique_id": "", "date_created": None, "date_modified": None,
    }


# --- terms created on the fly ------------------------------------------------------------------------


def ensure_term(state: WooState, taxonomy: str, name: str) -> Term:
    """Find a flat term by name (or slug), creating it as `wp_insert_term` would when missing."""
    clean = specialchars(sanitize_text_field(name))
    existing = state.term_by_name(taxonomy, clean) or state.term_by_slug(taxonomy, sanitize_title(clean))
    if existing:
        return existing
    slug = sanitize_title(clean) or "term"
    candidate, number = slug, 2
    while state.term_by_slug(taxonomy, candidate):
        candidate = f"{slug}-{number}"
        number += 1
    term = Term(state.new_term_id(), taxonomy, clean, candidate)
    state.terms[term.id] = term
    return term


def _parse_attributes(state: WooState, specs: Any) -> list[dict[str, Any]]:
    """`prepare_object_for_database` attributes: global ones by id (options are term names), local by name."""
    parsed: list[dict[str, Any]] = []
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict):
            continue
        attr_id = to_int(spec.get("id"))
        name = wc_clean(php_strval(spec.get("name") or ""))
        if not attr_id and not name:
            continue
        options = spec.get("options")
        if options is None:
            values: list[str] = []
        elif isinstance(options, list):
            values = [php_strval(o) for o in options]
        else:
            values = php_strval(options).split("|")
        common = {
            "position": abs(to_int(spec.get("position"))),
            "visible": string_to_bool(spec.get("visible", False)),
            "variation": string_to_bool(spec.get("variation", False)),
        }
        if attr_id:
            values = [v.strip() for v in values if v.strip()]
            if values and attr_id in state.attributes:  # an attribute with no options is dropped
                parsed.append({"attribute_id": attr_id, "name": "", "key": attribute_taxonomy(attr_id),
                               "option_names": values, **common})
        elif options is not None:
            parsed.append({"attribute_id": 0, "name": name, "key": sanitize_title(name),
                           "options": [v.strip() for v in values if v.strip()], **common})
    return parsed


def _resolve_attributes(state: WooState, parsed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    resolved = []
    for item in parsed:
        names = item.pop("option_names", None)
        if names is not None:
            taxonomy = attribute_taxonomy(item["attribute_id"])
            ids: list[int] = []
            for name in names:
                term_id = ensure_term(state, taxonomy, name).id
                if term_id not in ids:
                    ids.append(term_id)
            item["options"] = ids
        resolved.append(item)
    return resolved


def _resolve_defaults(state: WooState, record: dict[str, Any], specs: Any) -> dict[str, str]:
    """`save_default_attributes`: only attributes of the product flagged for variations count."""
    by_key = {a["key"]: a for a in record["attributes"]}
    defaults: dict[str, str] = {}
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict):
            continue
        key = attribute_key(state, spec)
        if key in by_key and by_key[key]["variation"]:
            value = option_value(state, key, spec.get("option"))
            if value:
                defaults[key] = value
    return defaults


# --- prepare and commit ------------------------------------------------------------------------------


def _apply_stock(record: dict[str, Any], item: dict[str, Any]) -> None:
    wanted_status = item.get("stock_status", record["stock_status"])
    if "manage_stock" in item:
        record["manage_stock"] = string_to_bool(item["manage_stock"])
    if "backorders" in item:
        record["backorders"] = item["backorders"] if item["backorders"] in ("no", "notify", "yes") else "no"
    if record["type"] in ("grouped", "external"):
        record.update(manage_stock=False, backorders="no", stock_quantity=None, low_stock_amount=None)
        record["stock_status"] = "instock" if record["type"] == "external" else stock_status_value(wanted_status)
    elif record["manage_stock"]:
        if record["type"] != "variable":
            record["stock_status"] = stock_status_value(wanted_status)
        if item.get("stock_quantity") is not None:
            record["stock_quantity"] = to_int(item["stock_quantity"])
        elif "inventory_delta" in item:
            record["stock_quantity"] = to_int(record["stock_quantity"]) + to_int(item["inventory_delta"])
        if "low_stock_amount" in item:
            record["low_stock_amount"] = None if item["low_stock_amount"] is None else to_int(item["low_stock_amount"])
    else:
        record.update(manage_stock=False, stock_quantity=None, low_stock_amount=None)
        record["stock_status"] = stock_status_value(wanted_status)


def prepare_product(state: WooState, record: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """Apply `item` to `record` in WooCommerce's order; returns what must wait for the commit."""
    pending: dict[str, Any] = {}
    if "type" in item:
        record["type"] = item["type"] if item["type"] in PRODUCT_TYPES else "simple"
    for field in ("name", "description", "short_description"):
        if item.get(field) is not None:
            record[field] = filter_post_kses(item[field])
    if "status" in item:
        record["status"] = item["status"] if item["status"] in POST_STATUSES else "draft"
    if "slug" in item:
        pending["slug"] = php_strval(item["slug"])
    if "menu_order" in item:
        record["menu_order"] = to_int(item["menu_order"])
    apply_flags(record, item, ("reviews_allowed", "virtual", "featured", "sold_individually"))
    apply_tax(record, item)
    if "catalog_visibility" in item:
        if item["catalog_visibility"] not in ("visible", "catalog", "search", "hidden"):
            raise WooError("product_invalid_catalog_visibility", "Invalid catalog visibility option.", 400)
        record["catalog_visibility"] = item["catalog_visibility"]
    if "purchase_note" in item:
        record["purchase_note"] = kses_post(php_strval(item["purchase_note"]))
    apply_shipping(record, item)
    apply_sku(state, record, item)
    if "attributes" in item:
        pending["attributes"] = _parse_attributes(state, item["attributes"])
    if record["type"] in ("variable", "grouped"):
        clear_sale(record)
    else:
        apply_sale(state, record, item)
    if "parent_id" in item:
        record["parent_id"] = to_int(item["parent_id"])
    _apply_stock(record, item)
    for field in ("upsell_ids", "cross_sell_ids"):
        if isinstance(item.get(field), list):
            record[field] = [to_int(i) for i in item[field] if to_int(i) > 0]
    if isinstance(item.get("categories"), list):
        pending["categories"] = [to_int(c.get("id")) for c in item["categories"] if isinstance(c, dict)]
    if isinstance(item.get("tags"), list):
        pending["tags"] = [c for c in item["tags"] if isinstance(c, dict)]
    apply_downloads(record, item)
    if record["type"] == "external":
        if "external_url" in item:
            record["external_url"] = php_strval(item["external_url"])
        if "button_text" in item:
            record["button_text"] = php_strval(item["button_text"])
    if record["type"] == "variable" and isinstance(item.get("default_attributes"), list):
        pending["defaults"] = item["default_attributes"]
    apply_meta(state, record, item)
    if item.get("global_unique_id") is not None:
        record["global_unique_id"] = wc_clean(php_strval(item["global_unique_id"]))
    for field, gmt in (("date_created", False), ("date_created_gmt", True)):
        if item.get(field):
            moment = parse_local_date(state, item[field], gmt=gmt)
            if moment is not None:
                record["date_created"] = moment
    return pending


def unique_post_slug(state: WooState, base: str, post_id: int) -> str:
    """`wp_unique_post_slug` for products: `slug`, then `slug-2`, `slug-3`..."""
    candidate, number = base, 2
    while state.product_slugs.get(candidate, post_id) != post_id:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _settle_slug(state: WooState, record: dict[str, Any], requested: str | None) -> None:
    if requested:
        base = sanitize_title(requested)
    elif requested == "" or (not record["slug"] and record["status"] not in ("draft", "pending", "auto-draft")):
        base = sanitize_title(record["name"]) or str(record["id"])
    else:
        return
    record["slug"] = unique_post_slug(state, base or str(record["id"]), record["id"])


def commit_product(state: WooState, record: dict[str, Any], pending: dict[str, Any],
                   image_ids: list[int] | None, *, creating: bool) -> dict[str, Any]:
    """Store a prepared product (caller holds the lock)."""
    recheck_sku(state, record)
    if "categories" in pending or creating:
        ids = [i for i in dict.fromkeys(pending.get("categories", [])) if i and i in state.terms
               and state.terms[i].taxonomy == CATEGORY]
        record["category_ids"] = ids or [DEFAULT_CATEGORY_ID]
    if "tags" in pending:
        tag_ids: list[int] = []
        for tag in pending["tags"]:
            if tag.get("name") is not None:
                term_id = ensure_term(state, TAG, php_strval(tag["name"])).id
            else:
                term_id = to_int(tag.get("id"))
                if term_id not in state.terms or state.terms[term_id].taxonomy != TAG:
                    continue
            if term_id not in tag_ids:
                tag_ids.append(term_id)
        record["tag_ids"] = tag_ids
    if "attributes" in pending:
        record["attributes"] = _resolve_attributes(state, pending["attributes"])
    if "defaults" in pending:
        record["default_attributes"] = _resolve_defaults(state, record, pending["defaults"])
    if image_ids is not None:
        record["image_ids"] = image_ids
    if not record["name"]:
        record["name"] = "Product"
    now = state.now()
    if creating:
        record["id"] = state.new_post_id()
        record["date_created"] = record["date_created"] or now
    old = state.product_records.get(record["id"])
    _settle_slug(state, record, pending.get("slug"))
    settle_stock_status(record)
    record["date_modified"] = now
    if old is not None:
        state.index_sku(record["id"], old["sku"], "", live=False)
        if state.product_slugs.get(old["slug"]) == record["id"]:
            del state.product_slugs[old["slug"]]
    if not is_translation(record):  # a WPML translation shares its original's SKU, which the index keeps
        state.index_sku(record["id"], "", record["sku"], live=record["status"] != "trash")
    if record["slug"]:
        state.product_slugs[record["slug"]] = record["id"]
    state.index_terms(record["id"], old, record)
    state.product_records[record["id"]] = record
    state.count_write()
    return record


async def save_product(req: WooRequest, item: dict[str, Any], product_id: int | None) -> dict[str, Any]:
    """Create (`product_id` None) or update one product; returns it rendered in edit context."""
    state = req.state
    creating = product_id is None
    if creating and item.get("id"):
        raise WooError("woocommerce_rest_product_exists", "Cannot create existing product.", 400)
    with state.lock:
        if creating:
            record = new_product_record()
        else:
            if product_id in state.variation_records:
                raise WooError("woocommerce_rest_invalid_product_id", VARIATION_HINT, 404)
            if product_id not in state.product_records:
                raise WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 400)
            record = copy_record(state.product_records[product_id])
        pending = prepare_product(state, record, item)
    image_ids = None
    uploaded: list[int] = []
    if "images" in item:
        try:
            image_ids = await resolve_images(
                req, item["images"] if isinstance(item["images"], list) else [],
                upload_code="woocommerce_product_image_upload_error",
                invalid_code="woocommerce_product_invalid_image_id", uploaded=uploaded,
            )
        except WooError:
            if creating:  # a failed create removes the attachments it uploaded
                _drop_media(state, uploaded)
            raise
    with state.lock:
        try:
            saved = commit_product(state, record, pending, image_ids, creating=creating)
        except WooError:
            if creating:
                _drop_media(state, uploaded)
            raise
        if state.wpml is not None:
            _wpml_insert(req, saved, item, creating)
        return render_product(state, saved, req.base_url, "edit")


def _wpml_insert(req: WooRequest, saved: dict[str, Any], item: dict[str, Any], creating: bool) -> None:
    """WCML's `woocommerce_rest_insert_product_object` handler, after the product is saved. Its exception
    makes WooCommerce trash a product it just created (an update stays saved) and answer the error."""
    state = req.state
    lang, original, error = check_translation(state, {**req.query, **item})
    if error is not None:
        if creating:
            delete_product_item(req, saved["id"], False)
        raise error
    if original is not None:
        state.index_sku(saved["id"], saved["sku"], "", live=False)
    after_product_save(state, saved, lang=lang, original=original, creating=creating,
                       stock_sent=item.get("stock_quantity") is not None)
    state.changed()


def _drop_media(state: WooState, ids: list[int]) -> None:
    with state.lock:
        for media_id in ids:
            media = state.media.pop(media_id, None)
            if media is not None:
                state.media_files.pop(media.file, None)
        state.changed()


def trash_children(state: WooState, product_id: int, *, force: bool) -> None:
    for child_id in list(state.children.get(product_id, ())):
        child = state.variation_records[child_id]
        state.index_sku(child_id, child["sku"], "", live=False)
        if force:
            state.drop_variation(child_id)
        else:
            child["status"] = "trash"
    if force:
        state.children.pop(product_id, None)


def delete_product_item(req: WooRequest, product_id: int, force: bool) -> dict[str, Any]:
    state = req.state
    with state.lock:
        if product_id in state.variation_records:
            raise WooError("woocommerce_rest_invalid_product_id", VARIATION_HINT, 404)
        record = state.product_records.get(product_id)
        if record is None:
            raise WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        before = render_product(state, record, req.base_url, "edit")
        if force:
            del state.product_records[product_id]
            state.index_terms(product_id, record, None)
            state.index_sku(product_id, record["sku"], "", live=False)
            state.product_slugs.pop(record["slug"], None)
            trash_children(state, product_id, force=True)
        else:
            if record["status"] == "trash":
                raise WooError("woocommerce_rest_already_trashed", "The product has already been deleted.", 410)
            state.index_sku(product_id, record["sku"], "", live=False)
            state.product_slugs.pop(record["slug"], None)
            record["status"] = "trash"
            if record["slug"]:
                record["slug"] = f"{record['slug']}__trashed"
            record["date_modified"] = state.now()
            trash_children(state, product_id, force=False)
        state.count_write()
        return before


# --- handlers ------------------------------------------------------------------------------------------


def _path_id(req: WooRequest, name: str = "id") -> int:
    return to_int(req.params.get(name, req.url_params.get(name)))


def get_product(req: WooRequest) -> WooResponse:
    state = req.state
    product_id = _path_id(req)
    with state.lock:
        if product_id in state.product_records:
            record = state.product_records[product_id]
            body = render_product(state, record, req.base_url, req.context)
            permalink = product_permalink(req.base_url, record)
        elif product_id in state.variation_records:
            body = render_variation_as_product(state, state.variation_records[product_id], req.base_url, req.context)
            permalink = body["permalink"]
        else:
            raise WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    return WooResponse(body, 200, [("Link", f'<{permalink}>; rel="alternate"; type=text/html')])


async def create_product(req: WooRequest) -> WooResponse:
    body = await save_product(req, req.params, None)
    return created(req, body, f"/wc/v3/products/{body['id']}")


async def update_product(req: WooRequest) -> WooResponse:
    return WooResponse(await save_product(req, req.params, _path_id(req)))


def delete_product(req: WooRequest) -> WooResponse:
    return WooResponse(delete_product_item(req, _path_id(req), bool(req.params.get("force"))))


async def batch_products(req: WooRequest) -> WooResponse:
    async def create(item: dict[str, Any]) -> dict[str, Any]:
        return await save_product(req, item, None)

    async def update(item: dict[str, Any]) -> dict[str, Any]:
        return await save_product(req, item, to_int(item.get("id")))

    async def delete(item_id: int) -> dict[str, Any]:
        return delete_product_item(req, item_id, True)

    return await run_batch(req, create=create, update=update, delete=delete)
