"""Variations under `/products/{product_id}/variations`, following `WC_REST_Product_Variations_Controller`.

Saving a variation also saves its parent (WooCommerce's deferred product sync), so the parent's
`date_modified` moves and its price range and stock status follow its variations.
"""

from __future__ import annotations

import copy
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
    option_value,
    recheck_sku,
    settle_stock_status,
)
from unopim_desktop.sandbox.woocommerce.http import WooRequest, WooResponse, created
from unopim_desktop.sandbox.woocommerce.media import resolve_images
from unopim_desktop.sandbox.woocommerce.query import list_posts
from unopim_desktop.sandbox.woocommerce.render import render_variation
from unopim_desktop.sandbox.woocommerce.schema import php_strval
from unopim_desktop.sandbox.woocommerce.state import WooState
from unopim_desktop.sandbox.woocommerce.wp import kses_post, string_to_bool, to_int, wc_clean
from unopim_desktop.sandbox.woocommerce.wpml import after_variation_save, is_translation, resync_variations


def new_variation_record(parent_id: int) -> dict[str, Any]:
    return {
        "id": 0, "parent_id": parent_id, "status": "publish", "sku": "", "regular_price": "", "sale_price": "",
        "date_on_sale_from": None, "date_on_sale_to": None, "description": "", "image_id": 0, "attributes": {},
        "virtual": False, "downloadable": False, "downloads": [], "download_limit": -1, "download_expiry": -1,
        "tax_status": "taxable", "tax_class": "", "manage_stock": False, "stock_quantity": None,
        "stock_status": "instock", "backorders": "no", "low_stock_amount": None, "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""}, "shipping_class": "", "menu_order": 0,
        "meta_data": [], "global_unique_id": "", "date_created": None, "date_modified": None,
    }


def _apply_attributes(state: WooState, record: dict[str, Any], specs: Any) -> None:
    """Only attributes the parent has with `variation: true` are kept; options become term slugs."""
    parent = state.product_records.get(record["parent_id"])
    if parent is None:
        raise WooError("woocommerce_rest_product_variation_invalid_parent",
                       "Cannot set attributes due to invalid parent product.", 404)
    usable = {a["key"] for a in parent["attributes"] if a["variation"]}
    chosen: dict[str, str] = {}
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict):
            continue
        key = attribute_key(state, spec)
        if key and key in usable:
            chosen[key] = option_value(state, key, spec.get("option"))
    record["attributes"] = chosen


def prepare_variation(state: WooState, record: dict[str, Any], item: dict[str, Any]) -> None:
    if "status" in item:
        record["status"] = item["status"] if item["status"] in POST_STATUSES else "draft"
    apply_sku(state, record, item)
    apply_flags(record, item, ("virtual",))
    apply_downloads(record, item)
    apply_shipping(record, item)
    if "manage_stock" in item:
        value = item["manage_stock"]
        record["manage_stock"] = False if value == "parent" else string_to_bool(value)
    if "stock_status" in item:
        record["stock_status"] = item["stock_status"] if item["stock_status"] in ("instock", "outofstock", "onbackorder") else "instock"
    if "backorders" in item:
        record["backorders"] = item["backorders"] if item["backorders"] in ("no", "notify", "yes") else "no"
    if record["manage_stock"]:
        if item.get("stock_quantity") is not None:
            record["stock_quantity"] = to_int(item["stock_quantity"])
        elif "inventory_delta" in item:
            record["stock_quantity"] = to_int(record["stock_quantity"]) + to_int(item["inventory_delta"])
        if "low_stock_amount" in item:
            record["low_stock_amount"] = None if item["low_stock_amount"] is None else to_int(item["low_stock_amount"])
    else:
        record.update(backorders="no", stock_quantity=None, low_stock_amount=None)
    apply_sale(state, record, item)
    apply_tax(record, item)
    if item.get("description") is not None:
        record["description"] = kses_post(php_strval(item["description"]))
    if "attributes" in item:
        _apply_attributes(state, record, item["attributes"])
    if item.get("menu_order"):
        record["menu_order"] = to_int(item["menu_order"])
    apply_meta(state, record, item)
    if item.get("global_unique_id") is not None:
        record["global_unique_id"] = wc_clean(php_strval(item["global_unique_id"]))


def _parent_id(req: WooRequest, item: dict[str, Any]) -> int:
    return to_int(item.get("product_id", req.url_params.get("product_id")))


def _find(state: WooState, product_id: int, variation_id: int) -> dict[str, Any]:
    record = state.variation_records.get(variation_id)
    if record is None:
        raise WooError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
    if record["parent_id"] != product_id:
        raise WooError("woocommerce_rest_cannot_edit", "Parent product does not match current variation.", 403)
    return record


def _sync_parent(state: WooState, parent_id: int) -> None:
    parent = state.product_records.get(parent_id)
    if parent is not None:
        parent["date_modified"] = state.now()


async def save_variation(req: WooRequest, item: dict[str, Any], variation_id: int | None) -> dict[str, Any]:
    state = req.state
    creating = variation_id is None
    product_id = _parent_id(req, item)
    if creating and item.get("id"):
        raise WooError("woocommerce_rest_product_variation_exists", "Cannot create existing product_variation.", 400)
    with state.lock:
        if creating:
            record = new_variation_record(product_id)
        else:
            if variation_id not in state.variation_records:
                raise WooError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 400)
            record = copy.deepcopy(_find(state, product_id, variation_id))
        prepare_variation(state, record, item)
    uploaded: list[int] = []
    image = item.get("image")
    if isinstance(image, dict) and (to_int(image.get("id")) or "src" in image):
        ids = await resolve_images(req, [image], upload_code="woocommerce_variation_image_upload_error",
                                   invalid_code="woocommerce_variation_invalid_image_id", uploaded=uploaded)
        record["image_id"] = ids[0] if ids else 0
    elif image is not None:  # PHP's isset(): an explicit null leaves the image alone
        record["image_id"] = 0
    with state.lock:
        recheck_sku(state, record)
        now = state.now()
        if creating:
            record["id"] = state.new_post_id()
            record["date_created"] = now
        settle_stock_status(record)
        record["date_modified"] = now
        old = state.variation_records.get(record["id"])
        if old is not None:
            state.index_sku(record["id"], old["sku"], "", live=False)
        if not is_translation(record):
            state.index_sku(record["id"], "", record["sku"], live=record["status"] != "trash")
        state.store_variation(record)
        if state.wpml is not None:
            after_variation_save(state, record)
        _sync_parent(state, record["parent_id"])
        state.count_write()
        return render_variation(state, record, req.base_url, "edit")


def delete_variation_item(req: WooRequest, product_id: int, variation_id: int, force: bool) -> dict[str, Any]:
    state = req.state
    with state.lock:
        record = _find(state, product_id, variation_id)
        if not force:
            raise WooError("woocommerce_rest_trash_not_supported", "The product_variation does not support trashing.", 501)
        before = render_variation(state, record, req.base_url, "edit")
        state.drop_variation(variation_id)
        if state.wpml is not None:  # the translations' copies of it go on the next sync
            resync_variations(state, product_id)
        _sync_parent(state, product_id)
        state.count_write()
        return before


# --- handlers ------------------------------------------------------------------------------------------


def list_variations(req: WooRequest) -> WooResponse:
    product_id = to_int(req.url_params.get("product_id"))
    return list_posts(req, f"/wc/v3/products/{product_id}/variations", variations_of=product_id)


def get_variation(req: WooRequest) -> WooResponse:
    state = req.state
    with state.lock:
        record = _find(state, to_int(req.url_params.get("product_id")), to_int(req.params.get("id")))
        return WooResponse(render_variation(state, record, req.base_url, req.context))


async def create_variation(req: WooRequest) -> WooResponse:
    body = await save_variation(req, req.params, None)
    return created(req, body, f"/wc/v3/products/{body['parent_id']}/variations/{body['id']}")


async def update_variation(req: WooRequest) -> WooResponse:
    return WooResponse(await save_variation(req, req.params, to_int(req.params.get("id"))))


def delete_variation(req: WooRequest) -> WooResponse:
    product_id = to_int(req.url_params.get("product_id"))
    body = delete_variation_item(req, product_id, to_int(req.params.get("id")), bool(req.params.get("force")))
    return WooResponse(body)


async def batch_variations(req: WooRequest) -> WooResponse:
    product_id = to_int(req.url_params.get("product_id"))

    async def create(item: dict[str, Any]) -> dict[str, Any]:
        return await save_variation(req, item, None)

    async def update(item: dict[str, Any]) -> dict[str, Any]:
        return await save_variation(req, item, to_int(item.get("id")))

    async def delete(item_id: int) -> dict[str, Any]:
        return delete_variation_item(req, product_id, item_id, True)

    return await run_batch(req, create=create, update=update, delete=delete, inject={"product_id": product_id})
