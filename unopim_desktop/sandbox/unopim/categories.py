"""Categories (a tree under `root`) and read-only category fields (unopim-api.md §7.7, §7.8).

Category filters AND together (`code`, `parent`). Before V2.1 the single GET always said
`"parent": null` and `NOT IN` on categories crashed (`hereNotIn`); the V1 flavour keeps both bugs.
"""

from __future__ import annotations

import copy
from typing import Any

from starlette.responses import Response

from unopim_desktop.sandbox.unopim.catalog import (
    catalog_list,
    check_new_code,
    clean_labels,
    not_found,
    success,
)
from unopim_desktop.sandbox.unopim.context import Ctx
from unopim_desktop.sandbox.unopim.http import INTERNAL_ERROR, ApiError, json_response, validation_error
from unopim_desktop.sandbox.unopim.lists import (
    FilterError,
    condition_matches,
    filter_error_response,
    page_envelope,
    parse_filters,
)
from unopim_desktop.sandbox.unopim.state import UnoPimState, key_of

CATEGORY_FILTERS = {"code": ("=", "IN", "NOT IN"), "parent": ("=",)}
CATEGORY_FIELD_KEYS = ("code", "type", "status", "validation", "regex_pattern", "position", "is_required",
                       "is_unique", "value_per_locale", "enable_wysiwyg", "section")  # fmt: skip


def category_item(record: dict[str, Any], *, parent: bool = True) -> dict[str, Any]:
    return {
        "code": record["code"],
        "parent": record["parent"] if parent else None,
        "additional_data": copy.deepcopy(record.get("additional_data") or {}),
    }


async def list_categories(ctx: Ctx) -> Response:
    state = ctx.state
    try:
        conditions = parse_filters(ctx.query("filters"), CATEGORY_FILTERS)
    except FilterError as err:
        raise filter_error_response(err, version=ctx.version, settings=False) from err
    if ctx.version < 3 and any(c.operator == "NOT IN" for c in conditions):
        raise ApiError(500, INTERNAL_ERROR)  # V1 calls the misspelt `hereNotIn`
    with state.lock:
        rows = [
            category_item(r) for r in state.categories.values()
            if all(condition_matches(c, r["code"] if c.field == "code" else r["parent"]) for c in conditions)
        ]  # fmt: skip
    return json_response(page_envelope(ctx.request, rows, version=ctx.version))


async def get_category(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        record = ctx.state.categories.get(key_of(code))
        if record is None:
            raise not_found(f"Category with code {code} could not be found.")
        return json_response(category_item(record, parent=ctx.version >= 3))


def _parent_code(state: UnoPimState, parent: Any) -> str | None:
    """An unknown parent code silently makes a root category [source-inferred]."""
    if not isinstance(parent, str):
        return None
    record = state.categories.get(key_of(parent))
    return record["code"] if record else None


def _check_additional_data(data: Any) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise validation_error({"additional_data": ["The additional data field must be an array."]})
    for section in data:
        if section not in ("common", "locale_specific"):
            raise validation_error({f"additional_data.{section}": [f"Unexpected key {section}"]})


async def create_category(ctx: Ctx) -> Response:
    state, body = ctx.state, ctx.body_dict()
    with state.lock:
        errors = check_new_code(body.get("code"), state.categories)
        if errors:
            raise validation_error({"code": errors})
        _check_additional_data(body.get("additional_data"))
        state.insert_category(
            {
                "code": body["code"],
                "parent": _parent_code(state, body.get("parent")),
                "additional_data": body.get("additional_data") or {},
            }
        )
    return success("category created successfully.", 201)


def _category_or_404(state: UnoPimState, code: str) -> dict[str, Any]:
    record = state.categories.get(key_of(code))
    if record is None:
        raise not_found(f'Category with code "{code}" could not be found')
    return record


async def update_category(ctx: Ctx) -> Response:
    state, body = ctx.state, ctx.body_dict()
    with state.lock:
        record = _category_or_404(state, ctx.param("code"))
        _check_additional_data(body.get("additional_data"))
        # PUT: an absent `parent` makes the category a root [source-inferred].
        record["parent"] = _parent_code(state, body.get("parent"))
        if "additional_data" in body:
            record["additional_data"] = copy.deepcopy(body.get("additional_data") or {})
    return success("Category updated successfully.")


async def patch_category(ctx: Ctx) -> Response:
    state, body = ctx.state, ctx.body_dict()
    with state.lock:
        record = _category_or_404(state, ctx.param("code"))
        _check_additional_data(body.get("additional_data"))
        if body.get("parent") is not None:
            record["parent"] = _parent_code(state, body["parent"])
        if isinstance(body.get("additional_data"), dict):
            # Merged one level deep: each section is array_merge'd, so a locale map is replaced whole.
            existing = record.setdefault("additional_data", {})
            for section, value in body["additional_data"].items():
                if isinstance(existing.get(section), dict) and isinstance(value, dict):
                    existing[section] = {**existing[section], **copy.deepcopy(value)}
                else:
                    existing[section] = copy.deepcopy(value)
    return success("Category updated successfully.")


async def delete_category(ctx: Ctx) -> Response:
    state, code = ctx.state, ctx.param("code")
    with state.lock:
        record = state.categories.get(key_of(code))
        if record is None:
            raise not_found(f'Category with code "{code}" could not be found')
        if any(key_of(ch.get("root_category") or "") == key_of(record["code"]) for ch in state.channels.values()):
            raise ApiError(400, {
                "success": False,
                "message": "You cannot delete the root category that is associated with a channel.",
                "code": code,
            })  # fmt: skip
        _delete_subtree(state, record["code"])
    return json_response({"success": True, "message": "The category has been successfully deleted.", "code": code})


def _delete_subtree(state: UnoPimState, code: str) -> None:
    for child in [c for c in state.categories.values() if c["parent"] and key_of(c["parent"]) == key_of(code)]:
        _delete_subtree(state, child["code"])
    state.categories.pop(key_of(code), None)


# -- category fields (read-only here) ----------------------------------------------------------------
def category_field_item(field: dict[str, Any]) -> dict[str, Any]:
    item = {k: field.get(k) for k in CATEGORY_FIELD_KEYS}
    item["labels"] = clean_labels(field.get("labels"))
    return item


async def list_category_fields(ctx: Ctx) -> Response:
    with ctx.state.lock:
        rows = [category_field_item(f) for f in ctx.state.category_fields.values()]
    return catalog_list(ctx, rows, {"code": ("=", "IN", "NOT IN"), "type": ("=", "IN", "NOT IN")})


async def get_category_field(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        field = ctx.state.category_fields.get(key_of(code))
        if field is None:
            raise not_found(f"Category field with code {code} could not be found.")
        return json_response(category_field_item(field))


async def list_category_field_options(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        options = ctx.state.category_field_options.get(key_of(code), [])
        return json_response([
            {"code": o["code"], "sort_order": o.get("sort_order"), "labels": clean_labels(o.get("labels"))}
            for o in sorted(options, key=lambda o: o.get("sort_order") or 0)
        ])  # fmt: skip
