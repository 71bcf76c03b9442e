"""Simple products and variants: `/products` (unopim-api.md §7.9).

`/products` holds simple products only (variants included). Writes follow the controllers: POST
201, PUT replaces `values` wholesale (and renames from `values.common.sku`), PATCH deep-merges
(lists by index), DELETE 200 with the SKU. Every successful write bumps `updated_at`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from starlette.responses import Response

from unopim_desktop.sandbox.unopim.context import Ctx
from unopim_desktop.sandbox.unopim.http import INTERNAL_ERROR, ApiError, json_response, validation_error
from unopim_desktop.sandbox.unopim.lists import (
    FilterError,
    cursor_window,
    filter_error_response,
    page_envelope,
    parse_filters,
    wants_cursor,
)
from unopim_desktop.sandbox.unopim.product_store import (
    allowed_filters,
    check_parent_filter,
    check_product_request,
    check_rich_associations,
    completeness,
    find_family_or_404,
    not_found_for_write,
    php_json,
    product_matches,
    render_product,
    sync_links,
    variants_of,
    wants_completeness,
)
from unopim_desktop.sandbox.unopim.state import UnoPimState, key_of
from unopim_desktop.sandbox.unopim.values import ValuesValidator, merge_values, purify_wysiwyg

PRODUCT_CREATED = {"success": True, "message": "Product created successfully"}
PRODUCT_UPDATED = {"success": True, "message": "Product updated successfully"}


# -- shared by /products and /configurable-products ---------------------------------------------
def list_response(ctx: Ctx, *, product_type: str) -> Response:
    state, version = ctx.state, ctx.version
    try:
        conditions = parse_filters(ctx.query("filters"), allowed_filters(version, product_type == "configurable"))
    except FilterError as err:
        raise filter_error_response(err, version=version, settings=False) from err
    cursor = wants_cursor(ctx.request, version)

    def matching(rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        if not conditions:
            return rows
        return (r for r in rows if all(product_matches(state, r, c) for c in conditions))

    with state.lock:
        check_parent_filter(state, conditions)
        if cursor:
            body = cursor_window(ctx.request, lambda after: matching(state.products_of_type_after(product_type, after)),
                                 version=version)  # fmt: skip
        else:
            rows = state.products_of_type(product_type)
            body = page_envelope(ctx.request, rows if not conditions else list(matching(rows)), version=version)
        body["data"] = [_rendered(ctx, r) for r in body["data"]]
        # Encoded under the lock: the rendered rows share the records' values instead of deep copies.
        return json_response(body)


def get_response(ctx: Ctx, *, product_type: str) -> Response:
    sku = ctx.param("sku")
    with ctx.state.lock:
        record = ctx.state.find_product(sku)
        if record is None or record["type"] != product_type:
            raise ApiError(404, {"success": False, "message": f"Product with sku {sku} could not be found."})
        return json_response(_rendered(ctx, record, single=True))


def _rendered(ctx: Ctx, record: dict[str, Any], *, single: bool = False) -> dict[str, Any]:
    """The API row; it shares the record's nested values, so it must be encoded before the lock is let go."""
    item = render_product(ctx.state, record, single=single)
    if wants_completeness(ctx.query("with_completeness")):
        item["completeness"] = completeness(ctx.state, record)
        if "associations" in item:  # keep UnoPim's key order: completeness before associations
            item["associations"] = item.pop("associations")
    return item


def new_record(state: UnoPimState, *, sku: str, product_type: str, status: Any, parent_id: int | None,
               family: str, additional: Any, values: Any, super_attributes: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    now = state.now()
    return state.insert_product(
        {
            "sku": sku,
            "type": product_type,
            "status": bool(int(status)) if status is not None else False,
            "parent_id": parent_id,
            "family": family,
            "additional": copy.deepcopy(additional),
            "values": copy.deepcopy(values),
            "super_attributes": list(super_attributes or []),
            "links": {},
            "created_at": now,
            "updated_at": now,
        }
    )


def touch(state: UnoPimState, record: dict[str, Any]) -> None:
    record["updated_at"] = state.now()


def rich_associations(ctx: Ctx, body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """V3 reads the top-level `associations` map; V1 ignores the key."""
    if ctx.version < 3:
        return {}
    return check_rich_associations(ctx.state, body.get("associations"))


def apply_put(ctx: Ctx, record: dict[str, Any], body: dict[str, Any]) -> None:
    """PUT on a product or configurable: values replaced wholesale, SKU renamed, status if sent."""
    state = ctx.state
    values = body["values"]
    ValuesValidator(state, product_id=record["id"]).validate(values)
    rich = rich_associations(ctx, body)
    new_sku = str(values["common"]["sku"])
    if key_of(new_sku) != key_of(record["sku"]):
        if key_of(new_sku) in state.sku_index:
            # Another product has this SKU in another case: the column's unique index fails (500).
            raise ApiError(500, INTERNAL_ERROR)
        state.sku_index.pop(key_of(record["sku"]), None)
        state.sku_index[key_of(new_sku)] = record["id"]
    record["sku"] = new_sku
    state.set_values(record, purify_wysiwyg(state, copy.deepcopy(values)))
    if body.get("status") is not None:
        record["status"] = bool(int(body["status"]))
    if "additional" in body:
        record["additional"] = copy.deepcopy(body["additional"])
    sync_links(state, record, values, rich)
    touch(state, record)


def apply_patch(ctx: Ctx, record: dict[str, Any], body: dict[str, Any]) -> None:
    """PATCH: only the sections sent are validated; values deep-merge, lists by index."""
    state = ctx.state
    if "status" in body and body["status"] is not None and body["status"] not in (True, False, 0, 1, "0", "1"):
        raise validation_error({"status": ["The status field must be true or false."]})
    values = body.get("values")
    if values is not None and not isinstance(values, (dict, list)):
        raise validation_error({"values": ["The values field must be an array."]})
    if values:
        ValuesValidator(state, product_id=record["id"]).validate(values)
    rich = rich_associations(ctx, body)
    if values:
        merged = merge_values(copy.deepcopy(record["values"]), copy.deepcopy(values))
        state.set_values(record, purify_wysiwyg(state, merged))
        sections = list((values.get("associations") or {}).keys()) if isinstance(values, dict) else []
        sync_links(state, record, record["values"], {}, sections=sections)
    sync_links(state, record, {}, rich)
    if body.get("status") is not None:
        record["status"] = bool(int(body["status"]))
    if "additional" in body:
        record["additional"] = copy.deepcopy(body["additional"])
    touch(state, record)


def delete_record(state: UnoPimState, record: dict[str, Any]) -> None:
    """Delete a product; a configurable's variants go with it (parent_id cascades). Association rows
    pointing at it disappear from every GET (render_links skips ids that no longer exist)."""
    if record["type"] in ("configurable", "variant_group"):
        for child in variants_of(state, record):
            delete_record(state, child)
    state.remove_product(record)


# -- /products ------------------------------------------------------------------------------------
async def list_products(ctx: Ctx) -> Response:
    return list_response(ctx, product_type="simple")


async def get_product(ctx: Ctx) -> Response:
    return get_response(ctx, product_type="simple")


async def create_product(ctx: Ctx) -> Response:
    state, body = ctx.state, ctx.body_dict()
    with state.lock:
        check_product_request(state, body, create=True, configurable=False, sku_unique=True)
        if "parent" not in body:
            # The controller reads $data['parent'] unguarded: an undefined-key error, rendered as 500.
            raise ApiError(500, INTERNAL_ERROR)
        family = find_family_or_404(state, body["family"])
        values = body["values"]
        ValuesValidator(state).validate(values)
        rich = rich_associations(ctx, body)
        sku = str(values["common"]["sku"])
        if body.get("parent"):
            record = _create_variant(state, body, sku)
        else:
            record = new_record(state, sku=sku, product_type="simple", status=body.get("status"), parent_id=None,
                                family=family["code"], additional=body.get("additional"),
                                values=purify_wysiwyg(state, copy.deepcopy(values)))  # fmt: skip
        sync_links(state, record, values, rich)
    return json_response(PRODUCT_CREATED, 201)


def _create_variant(state: UnoPimState, body: dict[str, Any], sku: str) -> dict[str, Any]:
    """POST /products with `parent`: ProductController::createOrUpdateVariant."""
    parent_code = str(body["parent"])
    parent = state.find_product(parent_code)
    if parent is None:
        raise ApiError(404, {"success": False, "message": f'Parent with sku "{parent_code}" could not be found'})
    if parent["type"] != "configurable":
        # A simple parent has no variants to update, so the new SKU is never created.
        raise not_found_for_write(sku)
    axes = (body.get("variant") or {}).get("attributes") if isinstance(body.get("variant"), dict) else None
    axes = axes if isinstance(axes, dict) else {}
    check_variant_axes(state, parent, axes)
    values = copy.deepcopy(body["values"])
    common = values.setdefault("common", {}) if isinstance(values, dict) else {}
    common.update({k: v for k, v in axes.items()})
    common["sku"] = sku
    record = new_record(state, sku=sku, product_type="simple", status=body.get("status"), parent_id=parent["id"],
                        family=parent["family"], additional=body.get("additional"),
                        values=purify_wysiwyg(state, values))  # fmt: skip
    return record


def check_variant_axes(state: UnoPimState, parent: dict[str, Any], axes: dict[str, Any]) -> dict[str, Any]:
    """validateVariantConfiguration: every super attribute given, options exist, combination new."""
    combination: dict[str, Any] = {}
    for code in parent.get("super_attributes") or []:
        if axes.get(code) is None:
            raise ApiError(404, {"success": False, "message": f'Supper attribute  with value "{code}" not found'})
        options = {o["code"] for o in state.attribute_options.get(key_of(code), [])}
        if axes[code] not in options:
            raise ApiError(
                404, {"success": False, "message": f'Variant attribute or option with value "{php_json(axes)}" not found'}
            )
        combination[code] = axes[code]
    if combination:
        for child in variants_of(state, parent):
            common = child["values"].get("common") or {}
            if all(common.get(k) == v for k, v in combination.items()):
                message = f'This variant with value "{php_json(combination)}" already exists'
                # UnprocessableEntityHttpException: 422 on V3, 404 on V1.
                raise ApiError(422 if state.version >= 3 else 404, {"success": False, "message": message})
    return combination


async def update_product(ctx: Ctx) -> Response:
    state, body, sku = ctx.state, ctx.body_dict(), ctx.param("sku")
    with state.lock:
        check_product_request(state, body, create=False, configurable=False, sku_unique=False)
        record = state.find_product(sku)
        if record is None or record["type"] != "simple":
            raise not_found_for_write(sku)
        apply_put(ctx, record, body)
    return json_response(PRODUCT_UPDATED)


async def patch_product(ctx: Ctx) -> Response:
    state, body, sku = ctx.state, ctx.body_dict(), ctx.param("sku")
    with state.lock:
        record = state.find_product(sku)
        if record is None or record["type"] != "simple":
            raise not_found_for_write(sku)
        apply_patch(ctx, record, body)
    return json_response(PRODUCT_UPDATED)


async def delete_product(ctx: Ctx) -> Response:
    """`findProductOr404` looks the SKU up among every product type (1.x and 3.x alike), so a configurable
    product is deleted through `/products/{sku}` too, its variants with it."""
    state, sku = ctx.state, ctx.param("sku")
    with state.lock:
        record = state.find_product(sku)
        if record is None:
            raise not_found_for_write(sku)
        delete_record(state, record)
    return json_response({"success": True, "message": "Product deleted successfully", "sku": record["sku"]})
