"""Brands (B7): validation, store operations and the `/catalog/brands` routes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.common import (
    ApiError,
    data_response,
    invalid,
    no_content,
    not_found,
    paginate,
    path_int,
    query_int,
    query_ints,
    read_object,
    slugify,
)
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState, new_brand_record

DUPLICATE_BRAND = "The brand name is a duplicate"  # (unverified wording; 409 per B7)


def _state(request: Request) -> BigCommerceState:
    return request.app.state.sandbox


def clean_brand(raw: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in raw or not partial:
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid({"name": "Please provide a name."}, title="Missing Required Fields")
        if len(name) > 255:
            raise invalid({"name": "The name must be at most 255 characters."})
        out["name"] = name
    for field in ("page_title", "meta_description", "image_url", "search_keywords"):
        if isinstance(raw.get(field), str):
            out[field] = raw[field]
    if isinstance(raw.get("meta_keywords"), list):
        out["meta_keywords"] = [str(v) for v in raw["meta_keywords"]]
    if isinstance(raw.get("custom_url"), dict) and isinstance(raw["custom_url"].get("url"), str):
        out["custom_url"] = {
            "url": raw["custom_url"]["url"],
            "is_customized": bool(raw["custom_url"].get("is_customized")),
        }
    return out


def _check_brand_name(state: BigCommerceState, name: str, own_id: int | None) -> None:
    for brand in state.brands_by_id.values():
        if brand["id"] != own_id and brand["name"].lower() == name.lower():
            raise ApiError(409, DUPLICATE_BRAND, errors={"name": DUPLICATE_BRAND})


def create_brand(state: BigCommerceState, spec: dict[str, Any]) -> dict[str, Any]:
    _check_brand_name(state, spec["name"], None)
    brand_id = state.next_id("brand")
    record = new_brand_record(brand_id, spec["name"])
    record["custom_url"] = {"url": f"/brands/{slugify(spec['name'])}.html", "is_customized": False}
    record.update(spec)
    state.brands_by_id[brand_id] = record
    return record


def _matches_brand(brand: dict[str, Any], request: Request) -> bool:
    q = request.query_params
    checks = [
        (query_int(request, "id"), lambda v: brand["id"] == v),
        (query_ints(request, "id:in"), lambda v: brand["id"] in v),
        (q.get("name"), lambda v: brand["name"].lower() == v.lower()),
        (q.get("name:like"), lambda v: v.lower() in brand["name"].lower()),
    ]
    return all(value is None or test(value) for value, test in checks)


async def list_brands(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        matched = [b for _, b in sorted(state.brands_by_id.items()) if _matches_brand(b, request)]
        page, meta = paginate(matched, request)
        data = [state.brand_out(b) for b in page]
    return data_response(data, meta)


async def create_brand_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_brand(await read_object(request), partial=False)
    with state.lock:
        return data_response(state.brand_out(create_brand(state, spec)))


def _brand(request: Request, state: BigCommerceState) -> dict[str, Any]:
    record = state.brands_by_id.get(path_int(request, "brand_id"))
    if record is None:
        raise not_found(request.url.path)
    return record


async def get_brand(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        return data_response(state.brand_out(_brand(request, state)))


async def update_brand_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_brand(await read_object(request), partial=True)
    with state.lock:
        record = _brand(request, state)
        if "name" in spec:
            _check_brand_name(state, spec["name"], record["id"])
        record.update(spec)
        return data_response(state.brand_out(record))


def _delete_brand(state: BigCommerceState, brand_id: int) -> None:
    del state.brands_by_id[brand_id]
    for product in state.products_by_id.values():
        if product["brand_id"] == brand_id:
            product["brand_id"] = 0
            state.touch(product["id"])


async def delete_brand_route(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        _delete_brand(state, _brand(request, state)["id"])
    return no_content()


async def delete_brands(request: Request) -> Response:
    state = _state(request)
    if not any(k in request.query_params for k in ("name", "id:in", "id")):
        raise invalid({"filter": "A filter is required to delete brands."})
    with state.lock:
        for brand_id in [b["id"] for b in state.brands_by_id.values() if _matches_brand(b, request)]:
            _delete_brand(state, brand_id)
    return no_content()
