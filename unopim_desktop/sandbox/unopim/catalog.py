"""Attribute groups, attributes, attribute options and families (unopim-api.md §7.4-7.6).

Generic catalog lists OR their filters (`orWhere`), like the settings lists, but report errors in
the catalog envelope (422 on V3, 404 on V1). Write messages are UnoPim's en_US strings (§4.4).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from starlette.responses import Response

from unopim_desktop.sandbox.unopim.context import Ctx
from unopim_desktop.sandbox.unopim.http import ApiError, json_response, validation_error
from unopim_desktop.sandbox.unopim.lists import (
    FilterError,
    apply_or_filters,
    filter_error_response,
    page_envelope,
    parse_filters,
)
from unopim_desktop.sandbox.unopim.state import UnoPimState, key_of

CODE_FILTER = {"code": ("=", "IN", "NOT IN")}
CODE_TYPE_FILTER = {"code": ("=", "IN", "NOT IN"), "type": ("=", "IN", "NOT IN")}
ATTRIBUTE_TYPES = ("text", "textarea", "price", "boolean", "select", "multiselect", "datetime", "date", "image",
                   "gallery", "file", "checkbox")  # fmt: skip
RESERVED_CODES = ("channel", "locale", "sku", "type", "parent", "attribute_family", "attribute_family_id",
                  "configurable_attributes", "categories", "up_sells", "cross_sells", "related_products", "status")  # fmt: skip
IMMUTABLE_ATTRIBUTE_FIELDS = ("type", "code", "swatch_type", "value_per_locale", "value_per_channel", "is_unique")
_CODE = re.compile(r"^\w+$")
CODE_MESSAGE = "The code must be valid and can only contain alphanumeric characters (letters and numbers)."


def success(message: str, status: int = 200) -> Response:
    return json_response({"success": True, "message": message}, status)


def not_found(message: str) -> ApiError:
    return ApiError(404, {"success": False, "message": message})


def catalog_list(ctx: Ctx, rows: list[dict[str, Any]], allowed: dict[str, tuple[str, ...]]) -> Response:
    try:
        conditions = parse_filters(ctx.query("filters"), allowed)
    except FilterError as err:
        raise filter_error_response(err, version=ctx.version, settings=False) from err
    rows = apply_or_filters(rows, conditions, lambda row, field: row.get(field))
    return json_response(page_envelope(ctx.request, rows, version=ctx.version))


def clean_labels(labels: Any) -> dict[str, str]:
    """Empty labels are dropped (ApiDataSource::getTranslations)."""
    return {k: v for k, v in labels.items() if v} if isinstance(labels, dict) else {}


def check_new_code(code: Any, existing: dict[str, Any], *, field: str = "code") -> list[str]:
    if code is None:
        return [f"The {field} field is required."]
    if not isinstance(code, str) or len(code) > 191 or not _CODE.match(code):
        return [CODE_MESSAGE]
    if key_of(code) in existing:
        return [f"The {field} has already been taken."]
    return []


# -- attribute groups -------------------------------------------------------------------------------
def _group_item(group: dict[str, Any]) -> dict[str, Any]:
    return {"code": group["code"], "labels": clean_labels(group.get("labels"))}


async def list_attribute_groups(ctx: Ctx) -> Response:
    with ctx.state.lock:
        rows = [_group_item(g) for g in ctx.state.attribute_groups.values()]
    return catalog_list(ctx, rows, CODE_FILTER)


async def get_attribute_group(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        group = ctx.state.attribute_groups.get(key_of(code))
        if group is None:
            raise not_found(f"attribute group with code {code} could not be found.")
        return json_response(_group_item(group))


async def create_attribute_group(ctx: Ctx) -> Response:
    body = ctx.body_dict()
    with ctx.state.lock:
        errors = check_new_code(body.get("code"), ctx.state.attribute_groups)
        if errors:
            raise validation_error({"code": errors})
        ctx.state.attribute_groups[key_of(body["code"])] = {
            "code": body["code"], "labels": clean_labels(body.get("labels"))
        }  # fmt: skip
    return success("Attribute Group Created Successfully", 201)


async def update_attribute_group(ctx: Ctx) -> Response:
    code, body = ctx.param("code"), ctx.body_dict()
    with ctx.state.lock:
        group = ctx.state.attribute_groups.get(key_of(code))
        if group is None:
            raise not_found(f'attribute group with code "{code}" could not be found')
        group["labels"] = clean_labels({**(group.get("labels") or {}), **(body.get("labels") or {})})
    return success("Attribute Group Updated Successfully")


async def delete_attribute_group(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        group = ctx.state.attribute_groups.get(key_of(code))
        if group is None:
            raise not_found(f'attribute group with code "{code}" could not be found')
        for family in ctx.state.families.values():
            if any(key_of(g["code"]) == key_of(code) for g in family.get("attribute_groups") or []):
                raise validation_error({"code": ["group is used in families."]}, "group is used in families.")
        del ctx.state.attribute_groups[key_of(code)]
    return success("Attribute Group Deleted Successfully")


# -- attributes -------------------------------------------------------------------------------------
ATTRIBUTE_FIELDS = ("code", "type", "swatch_type", "validation", "regex_pattern", "position", "is_required",
                    "is_unique", "value_per_locale", "value_per_channel", "enable_wysiwyg")  # fmt: skip


def attribute_item(attr: dict[str, Any], version: int) -> dict[str, Any]:
    item = {f: attr.get(f) for f in ATTRIBUTE_FIELDS}
    if version < 3:
        item.pop("swatch_type")  # V0/V1 items have no swatch_type
    item["labels"] = clean_labels(attr.get("labels"))
    return item


async def list_attributes(ctx: Ctx) -> Response:
    with ctx.state.lock:
        rows = [attribute_item(a, ctx.version) for a in ctx.state.attributes.values()]
    return catalog_list(ctx, rows, CODE_TYPE_FILTER)


def _attribute_or_404(state: UnoPimState, code: str) -> dict[str, Any]:
    attr = state.attributes.get(key_of(code))
    if attr is None:
        raise not_found(f'Attribute with code "{code}" could not be found')
    return attr


async def get_attribute(ctx: Ctx) -> Response:
    with ctx.state.lock:
        return json_response(attribute_item(_attribute_or_404(ctx.state, ctx.param("code")), ctx.version))


def _flag(value: Any) -> int:
    return 1 if value in (True, 1, "1", "true") else 0


async def create_attribute(ctx: Ctx) -> Response:
    if isinstance(ctx.body, list) and ctx.version >= 3:
        raise validation_error({"payload": ["Each create request must send a single attribute object."]})
    body = ctx.body_dict()
    with ctx.state.lock:
        errors: dict[str, list[str]] = {}
        code_errors = check_new_code(body.get("code"), ctx.state.attributes)
        if not code_errors and key_of(body["code"]) in RESERVED_CODES:
            code_errors = [f"The code does not support the following values ({body['code']})."]
        if code_errors:
            errors["code"] = code_errors
        if body.get("type") is None:
            errors["type"] = ["The type field is required."]
        elif body["type"] not in ATTRIBUTE_TYPES:
            errors["type"] = ["The selected type is invalid."]
        if errors:
            raise validation_error(errors)
        ctx.state.attributes[key_of(body["code"])] = {
            "code": body["code"],
            "type": body["type"],
            "swatch_type": body.get("swatch_type"),
            "validation": body.get("validation"),
            "regex_pattern": body.get("regex_pattern"),
            "position": int(body.get("position") or 0),
            "is_required": _flag(body.get("is_required")),
            "is_unique": _flag(body.get("is_unique")),
            "value_per_locale": _flag(body.get("value_per_locale")),
            "value_per_channel": _flag(body.get("value_per_channel")),
            "enable_wysiwyg": _flag(body.get("enable_wysiwyg")),
            "labels": clean_labels(body.get("labels")),
        }
        ctx.state.forget_unique_index()
    return success("Attribute Created Successfully", 201)


async def update_attribute(ctx: Ctx) -> Response:
    body = ctx.body_dict()
    with ctx.state.lock:
        attr = _attribute_or_404(ctx.state, ctx.param("code"))
        if ctx.version >= 3:
            sent = [f for f in IMMUTABLE_ATTRIBUTE_FIELDS if f in body]
            if sent:
                raise validation_error({"immutable": [f"The following fields cannot be modified: {', '.join(sent)}."]})
            bad = {f: [f"The {f.replace('_', ' ')} field must be true or false."]
                   for f in ("is_required", "enable_wysiwyg")
                   if f in body and body[f] not in (True, False, 0, 1, "0", "1")}  # fmt: skip
            if bad:
                raise validation_error(bad)
        for field in ("validation", "regex_pattern"):
            if field in body:
                attr[field] = body[field]
        if "position" in body and body["position"] is not None:
            attr["position"] = int(body["position"])
        for field in ("is_required", "enable_wysiwyg"):
            if field in body:
                attr[field] = _flag(body[field])
        if "labels" in body:
            attr["labels"] = clean_labels({**(attr.get("labels") or {}), **(body.get("labels") or {})})
    return success("Attribute Updated Successfully")


async def delete_attribute(ctx: Ctx) -> Response:
    state = ctx.state
    with state.lock:
        attr = _attribute_or_404(state, ctx.param("code"))
        in_use = any(attr["code"] in (p.get("super_attributes") or []) for p in state.products.values())
        if attr["code"] == "sku" or in_use:
            raise ApiError(422, {"success": False, "message": "This attribute can not be deleted."})
        del state.attributes[key_of(attr["code"])]
        state.forget_unique_index()
        state.attribute_options.pop(key_of(attr["code"]), None)
        for family in state.families.values():
            for group in family.get("attribute_groups") or []:
                group["custom_attributes"] = [
                    a for a in group.get("custom_attributes") or [] if key_of(a["code"]) != key_of(attr["code"])
                ]
    return success("Attribute Deleted Successfully")


# -- attribute options ------------------------------------------------------------------------------
def option_item(attr: dict[str, Any] | None, option: dict[str, Any]) -> dict[str, Any]:
    item = {"code": option["code"], "sort_order": option.get("sort_order"), "labels": clean_labels(option.get("labels"))}
    if attr is not None and attr.get("swatch_type") in ("color", "image"):
        item["swatch_value"] = option.get("swatch_value")
        item["swatch_value_url"] = option.get("swatch_value_url")
    return item


async def list_attribute_options(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        attr = ctx.state.attributes.get(key_of(code))
        options = ctx.state.attribute_options.get(key_of(code), []) if attr else []
        items = [option_item(attr, o) for o in sorted(options, key=lambda o: o.get("sort_order") or 0)]
    return json_response(items)


def _option_payload(ctx: Ctx) -> list[Any]:
    body = ctx.body
    if isinstance(body, dict) and "code" in body:
        return [body]  # a single object (V3)
    if isinstance(body, dict):
        return list(body.values())
    return list(body) if isinstance(body, list) else []


async def create_attribute_options(ctx: Ctx) -> Response:
    state = ctx.state
    with state.lock:
        attr = _attribute_or_404(state, ctx.param("code"))
        options = state.attribute_options.setdefault(key_of(attr["code"]), [])
        entries = _option_payload(ctx)
        bags: list[dict[str, list[str]]] = []
        for entry in entries:
            entry = entry if isinstance(entry, dict) else {}
            errors = check_new_code(entry.get("code"), {key_of(o["code"]): o for o in options})
            if errors:
                bags.append({"code": errors})
        if bags:
            raise validation_error(bags)
        for entry in entries:
            options.append(_new_option(entry, len(options) + 1))
    return success("Attribute Option Created Successfully", 201)


def _new_option(entry: dict[str, Any], default_order: int) -> dict[str, Any]:
    return {
        "code": entry["code"],
        "sort_order": int(entry["sort_order"]) if entry.get("sort_order") is not None else default_order,
        "labels": clean_labels(entry.get("labels")),
        "swatch_value": entry.get("swatch_value"),
    }


async def upsert_attribute_options(ctx: Ctx) -> Response:
    state = ctx.state
    with state.lock:
        attr = _attribute_or_404(state, ctx.param("code"))
        options = state.attribute_options.setdefault(key_of(attr["code"]), [])
        for entry in _option_payload(ctx):
            if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
                raise validation_error([{"code": ["The code field is required."]}])
            # UnoPim looks the code up across every attribute's options (not scoped: a bug kept here).
            found = next((o for opts in state.attribute_options.values() for o in opts
                          if key_of(o["code"]) == key_of(entry["code"])), None)  # fmt: skip
            if found is None:
                options.append(_new_option(entry, len(options) + 1))
                continue
            if entry.get("sort_order") is not None:
                found["sort_order"] = int(entry["sort_order"])
            if "labels" in entry:
                found["labels"] = clean_labels({**(found.get("labels") or {}), **(entry.get("labels") or {})})
            if "swatch_value" in entry:
                found["swatch_value"] = entry["swatch_value"]
    return success("Attribute Option Updated Successfully")


async def delete_attribute_option(ctx: Ctx) -> Response:
    state, option_code = ctx.state, ctx.param("option")
    with state.lock:
        attr = _attribute_or_404(state, ctx.param("code"))
        options = state.attribute_options.get(key_of(attr["code"]), [])
        kept = [o for o in options if key_of(o["code"]) != key_of(option_code)]
        if len(kept) == len(options):
            raise not_found(f'Variant attribute or option with value "{option_code}" not found')
        state.attribute_options[key_of(attr["code"])] = kept
    return success("Attribute Option Deleted Successfully")


# -- families ---------------------------------------------------------------------------------------
def family_item(family: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": family["code"],
        "labels": clean_labels(family.get("labels")),
        "attribute_groups": copy.deepcopy(family.get("attribute_groups") or []),
    }


async def list_families(ctx: Ctx) -> Response:
    with ctx.state.lock:
        rows = [family_item(f) for f in ctx.state.families.values()]
    return catalog_list(ctx, rows, CODE_FILTER)


async def get_family(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        family = ctx.state.families.get(key_of(code))
        if family is None:
            raise not_found(f"Attribute Family with code {code} could not be found.")
        return json_response(family_item(family))


def _family_groups(state: UnoPimState, groups: Any, version: int) -> list[dict[str, Any]]:
    if groups is None:
        return []
    if not isinstance(groups, list):
        if version >= 3:
            raise validation_error({"attribute_groups": ["The attribute groups field must be an array."]})
        groups = []
    result: list[dict[str, Any]] = []
    for i, group in enumerate(groups, 1):
        group = group if isinstance(group, dict) else {}
        code = group.get("code")
        if not isinstance(code, str) or key_of(code) not in state.attribute_groups:
            raise validation_error([{"code": f'Attribute group with code "{code}" could not be found'}])
        attrs = []
        for j, entry in enumerate(group.get("custom_attributes") or [], 1):
            attr_code = entry.get("code") if isinstance(entry, dict) else entry
            attr = state.attributes.get(key_of(attr_code)) if isinstance(attr_code, str) else None
            if attr is None:
                raise validation_error([{"code": f'Attribute with code "{attr_code}" could not be found'}])
            position = entry.get("position") if isinstance(entry, dict) else None
            attrs.append({"code": attr["code"], "position": int(position) if position is not None else j})
        position = group.get("position")
        result.append({
            "code": state.attribute_groups[key_of(code)]["code"],
            "position": int(position) if position is not None else i,
            "custom_attributes": attrs,
        })  # fmt: skip
    return result


async def create_family(ctx: Ctx) -> Response:
    state, body = ctx.state, ctx.body_dict()
    with state.lock:
        errors = check_new_code(body.get("code"), state.families)
        if errors:
            raise validation_error({"code": errors})
        groups = _family_groups(state, body.get("attribute_groups"), ctx.version)
        state.families[key_of(body["code"])] = {
            "code": body["code"], "labels": clean_labels(body.get("labels")), "attribute_groups": groups
        }  # fmt: skip
    return success("Family created successfully.", 201)


async def update_family(ctx: Ctx) -> Response:
    state, body, code = ctx.state, ctx.body_dict(), ctx.param("code")
    with state.lock:
        family = state.families.get(key_of(code))
        if family is None:
            raise not_found(f'Attribute Family with code "{code}" could not be found')
        if "attribute_groups" in body:
            family["attribute_groups"] = _family_groups(state, body.get("attribute_groups"), ctx.version)
        if "labels" in body:
            family["labels"] = clean_labels({**(family.get("labels") or {}), **(body.get("labels") or {})})
    return success("Family updated successfully.")


async def delete_family(ctx: Ctx) -> Response:
    state, code = ctx.state, ctx.param("code")
    with state.lock:
        family = state.families.get(key_of(code))
        if family is None:
            raise not_found(f'Attribute Family with code "{code}" could not be found')
        if any(key_of(p["family"]) == key_of(code) for p in state.products.values()):
            raise validation_error({"code": ["family is used in products."]}, "family is used in products.")
        del state.families[key_of(code)]
    return success("Family deleted successfully.")
