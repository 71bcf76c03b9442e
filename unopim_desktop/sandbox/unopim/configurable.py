"""Configurable products: `/configurable-products` and the legacy `/configrable-products` (§7.10).

Writes look the SKU up among all products, as ConfigurableProductController::findProductOr404
does; GETs see configurable products only. POST with `variants` creates them on V3 only; PUT keeps
existing variants whatever `variants` says.
"""

from __future__ import annotations

import copy
from typing import Any

from starlette.responses import Response

from unopim_desktop.sandbox.unopim.context import Ctx
from unopim_desktop.sandbox.unopim.http import INTERNAL_ERROR, ApiError, json_response, validation_error
from unopim_desktop.sandbox.unopim.product_store import (
    check_product_request,
    find_family_or_404,
    not_found_for_write,
    php_json,
    sync_links,
)
from unopim_desktop.sandbox.unopim.products import (
    PRODUCT_CREATED,
    PRODUCT_UPDATED,
    apply_patch,
    apply_put,
    delete_record,
    get_response,
    list_response,
    new_record,
    rich_associations,
)
from unopim_desktop.sandbox.unopim.state import UnoPimState, key_of
from unopim_desktop.sandbox.unopim.values import ValuesValidator, purify_wysiwyg


async def list_configurables(ctx: Ctx) -> Response:
    return list_response(ctx, product_type="configurable")


async def get_configurable(ctx: Ctx) -> Response:
    return get_response(ctx, product_type="configurable")


def configurable_attributes(state: UnoPimState, family: dict[str, Any]) -> list[str]:
    """AttributeFamily::getConfigurableAttributes: select attributes of the family with no scope."""
    codes: list[str] = []
    for group in family.get("attribute_groups") or []:
        for entry in group.get("custom_attributes") or []:
            attr = state.attributes.get(key_of(entry["code"]))
            if attr and attr["type"] == "select" and not attr.get("value_per_locale") and not attr.get(
                "value_per_channel"
            ):
                codes.append(attr["code"])
    return codes


def _super_attributes(state: UnoPimState, family: dict[str, Any], requested: list[Any]) -> list[str]:
    allowed = configurable_attributes(state, family)
    if not allowed:
        raise ApiError(404, {"success": False, "message": "This Family does not have any configurable attributes"})
    chosen = [c for c in allowed if c in requested]
    if not chosen:
        message = f'This Super Attributes with value "{php_json(requested)}" could not be found'
        raise ApiError(404, {"success": False, "message": message})
    return chosen


def _normalized_variants(state: UnoPimState, variants: Any, supers: list[str]) -> list[dict[str, Any]]:
    """V3's `variants` on POST: each needs a string `sku` and an `attributes` map (422 otherwise)."""
    if not isinstance(variants, list):
        raise validation_error({"variants": ["The variants field must be an array."]})
    errors: dict[str, list[str]] = {}
    for i, variant in enumerate(variants):
        if not isinstance(variant, dict):
            errors[f"variants.{i}"] = [f"The variants.{i} field is required."]
            continue
        if not isinstance(variant.get("sku"), str):
            errors[f"variants.{i}.sku"] = [f"The variants.{i}.sku field is required."]
        if not isinstance(variant.get("attributes"), dict):
            errors[f"variants.{i}.attributes"] = [f"The variants.{i}.attributes field is required."]
            continue
        # The sandbox also checks what UnoPim leaves to the database: options exist, SKU is free.
        for code in supers:
            value = variant["attributes"].get(code)
            options = {o["code"] for o in state.attribute_options.get(key_of(code), [])}
            if value not in options:
                errors[f"variants.{i}.attributes.{code}"] = [
                    f"The {code.replace('_', ' ')} contains invalid option(s) {value}."
                ]
        if isinstance(variant.get("sku"), str) and state.find_product(variant["sku"]) is not None:
            errors[f"variants.{i}.sku"] = [f"The variants.{i}.sku has already been taken."]
    if errors:
        raise validation_error(errors)
    return variants


async def create_configurable(ctx: Ctx) -> Response:
    state, body = ctx.state, ctx.body_dict()
    with state.lock:
        check_product_request(state, body, create=True, configurable=True, sku_unique=False)
        family = find_family_or_404(state, body["family"])
        supers = _super_attributes(state, family, list(body["super_attributes"]))
        values = body["values"]
        ValuesValidator(state).validate(values)
        sku = str(values["common"]["sku"])
        if state.find_product(sku) is not None:
            # Not rule-checked on this route: the unique index fails and the controller answers 500.
            raise ApiError(500, INTERNAL_ERROR)
        variants = []
        if ctx.version >= 3 and body.get("variants"):
            variants = _normalized_variants(state, body["variants"], supers)
        rich = rich_associations(ctx, body)
        record = new_record(state, sku=sku, product_type="configurable", status=body.get("status"), parent_id=None,
                            family=family["code"], additional=body.get("additional"),
                            values=purify_wysiwyg(state, copy.deepcopy(values)), super_attributes=supers)  # fmt: skip
        sync_links(state, record, values, rich)
        for variant in variants:
            common = {**variant["attributes"], "sku": variant["sku"]}
            new_record(state, sku=variant["sku"], product_type="simple", status=body.get("status"),
                       parent_id=record["id"], family=family["code"], additional=None,
                       values={"common": common})  # fmt: skip
    return json_response(PRODUCT_CREATED, 201)


async def update_configurable(ctx: Ctx) -> Response:
    state, body, sku = ctx.state, ctx.body_dict(), ctx.param("sku")
    with state.lock:
        check_product_request(state, body, create=False, configurable=True, sku_unique=False)
        record = state.find_product(sku)
        if record is None:
            raise not_found_for_write(sku)
        apply_put(ctx, record, body)
    return json_response(PRODUCT_UPDATED)


async def patch_configurable(ctx: Ctx) -> Response:
    state, body, sku = ctx.state, ctx.body_dict(), ctx.param("sku")
    with state.lock:
        record = state.find_product(sku)
        if record is None:
            raise not_found_for_write(sku)
        apply_patch(ctx, record, body)
    return json_response(PRODUCT_UPDATED)


async def delete_configurable(ctx: Ctx) -> Response:
    state, sku = ctx.state, ctx.param("sku")
    with state.lock:
        record = state.find_product(sku)
        if record is None:
            raise not_found_for_write(sku)
        delete_record(state, record)
    return json_response({"success": True, "message": "Product deleted successfully", "sku": record["sku"]})
