"""Routes for variant options, option values and variants (B6); the rules are in `bigcommerce_variants`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.common import (
    ApiError,
    batch_response,
    data_response,
    invalid,
    json_response,
    no_content,
    not_found,
    paginate,
    path_int,
    query_ints,
    query_strs,
    read_array,
    read_object,
    too_many_items,
)
from unopim_desktop.sandbox.bigcommerce.media import fetch_images, set_variant_image
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState
from unopim_desktop.sandbox.bigcommerce.variants import (
    DUPLICATE_OPTION,
    DUPLICATE_VALUE,
    DUPLICATE_VARIANT_SKU,
    MAX_VARIANT_BATCH,
    add_option,
    add_option_value,
    add_variant,
    check_variant_conflicts,
    clean_option,
    clean_option_value,
    clean_value_refs,
    clean_variant_fields,
    delete_option,
    delete_option_value,
    delete_variant,
    resolve_refs,
    update_variant,
)


def _state(request: Request) -> BigCommerceState:
    return request.app.state.sandbox


def _product(request: Request, state: BigCommerceState) -> dict[str, Any]:
    product = state.products_by_id.get(path_int(request, "product_id"))
    if product is None:
        raise not_found(request.url.path)
    return product


def _option(request: Request, state: BigCommerceState) -> dict[str, Any]:
    product = _product(request, state)
    option = state.options_by_id.get(path_int(request, "option_id"))
    if option is None or option["product_id"] != product["id"]:
        raise not_found(request.url.path)
    return option


def _variant(request: Request, state: BigCommerceState) -> dict[str, Any]:
    product = _product(request, state)
    variant = state.variants_by_id.get(path_int(request, "variant_id"))
    if variant is None or variant["product_id"] != product["id"]:
        raise not_found(request.url.path)
    return variant


async def list_options(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        pid = _product(request, state)["id"]
        items = [state.option_out(state.options_by_id[o]) for o in state.option_ids.get(pid, [])]
    page, meta = paginate(items, request)
    return data_response(page, meta)


async def create_option_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_option(await read_object(request))
    with state.lock:
        option = add_option(state, _product(request, state)["id"], spec)
        return data_response(state.option_out(option))


async def get_option(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        return data_response(state.option_out(_option(request, state)))


async def update_option_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_option(await read_object(request), partial=True)
    with state.lock:
        option = _option(request, state)
        name = spec.get("display_name", option["display_name"]).lower()
        for oid in state.option_ids.get(option["product_id"], []):
            if oid != option["id"] and state.options_by_id[oid]["display_name"].lower() == name:
                raise ApiError(409, DUPLICATE_OPTION, errors={"display_name": spec["display_name"]})
        option.update(
            {k: v for k, v in spec.items() if k in ("display_name", "type", "sort_order", "config")}
        )
        for value_spec in spec.get("option_values", []):
            existing = next((v for v in option["option_values"] if v["id"] == value_spec.get("id")), None)
            if existing is not None:
                existing.update({k: v for k, v in value_spec.items() if k != "id"})
            else:
                add_option_value(state, option, clean_option_value(value_spec))
        state.touch(option["product_id"])
        return data_response(state.option_out(option))


async def delete_option_route(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        delete_option(state, _option(request, state)["id"])
    return no_content()


async def list_option_values(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        items = [dict(v) for v in _option(request, state)["option_values"]]
    page, meta = paginate(items, request)
    return data_response(page, meta)


async def create_option_value_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_option_value(await read_object(request))
    with state.lock:
        return data_response(dict(add_option_value(state, _option(request, state), spec)))


def _value(request: Request, option: dict[str, Any]) -> dict[str, Any]:
    value_id = path_int(request, "value_id")
    value = next((v for v in option["option_values"] if v["id"] == value_id), None)
    if value is None:
        raise not_found(request.url.path)
    return value


async def get_option_value(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        return data_response(dict(_value(request, _option(request, state))))


async def update_option_value_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_option_value(await read_object(request), partial=True)
    with state.lock:
        option = _option(request, state)
        value = _value(request, option)
        label = spec.get("label", value["label"]).lower()
        if any(v["id"] != value["id"] and v["label"].lower() == label for v in option["option_values"]):
            raise ApiError(409, DUPLICATE_VALUE, errors={"label": spec["label"]})
        value.update({k: v for k, v in spec.items() if k != "id"})
        state.touch(option["product_id"])
        return data_response(dict(value))


async def delete_option_value_route(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        option = _option(request, state)
        delete_option_value(state, option, _value(request, option)["id"])
    return no_content()


async def list_product_variants(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        pid = _product(request, state)["id"]
        items = [state.variant_out(state.variants_by_id[v]) for v in state.variant_ids.get(pid, [])]
    page, meta = paginate(items, request)
    return data_response(page, meta)


def _create_variant(state: BigCommerceState, product_id: int, raw: dict[str, Any]) -> dict[str, Any]:
    """`POST …/variants` or a batch create item: `sku` and `option_values [{id, option_id}]` (B6)."""
    missing = {f: f"Please provide {f}." for f in ("sku", "option_values") if f not in raw}
    if missing:
        raise invalid(missing, title="Missing Required Fields")
    fields = clean_variant_fields(raw)
    if not fields.get("sku"):
        raise invalid({"sku": "Please provide sku."}, title="Missing Required Fields")
    pairs = resolve_refs(state, product_id, clean_value_refs(raw["option_values"], by_label=False))
    check_variant_conflicts(state, product_id, fields["sku"], pairs, None)
    return add_variant(state, product_id, fields, pairs)


def _update_variant(state: BigCommerceState, variant: dict[str, Any], raw: dict[str, Any]) -> None:
    fields = clean_variant_fields(raw)
    pairs = None
    if "option_values" in raw and not variant["_base"]:
        pairs = resolve_refs(
            state, variant["product_id"], clean_value_refs(raw["option_values"], by_label=False)
        )
    if variant["_base"] and fields.get("sku"):
        owner = state.sku_owner(fields["sku"])
        if owner is not None and owner != ("product", variant["product_id"]):
            raise ApiError(409, DUPLICATE_VARIANT_SKU, errors={"sku": DUPLICATE_VARIANT_SKU})
    elif not variant["_base"]:
        check_variant_conflicts(state, variant["product_id"], fields.get("sku"), pairs, variant["id"])
    update_variant(state, variant, fields, pairs)


def _set_image(
    state: BigCommerceState, variant: dict[str, Any], raw: dict[str, Any], fetched: dict[str, Any]
) -> None:
    url = raw.get("image_url")
    if url and url in fetched:
        set_variant_image(state, variant, fetched[url])


async def _prefetch(raw: Any) -> dict[str, Any]:
    """A variant's `image_url` is downloaded first: a bad URL fails the request before anything is saved."""
    url = raw.get("image_url") if isinstance(raw, dict) else None
    return await fetch_images([url]) if isinstance(url, str) and url else {}


async def create_variant_route(request: Request) -> Response:
    state = _state(request)
    raw = await read_object(request)
    fetched = await _prefetch(raw)
    with state.lock:
        variant = _create_variant(state, _product(request, state)["id"], raw)
        _set_image(state, variant, raw, fetched)
        return data_response(state.variant_out(variant))


async def get_variant(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        return data_response(state.variant_out(_variant(request, state)))


async def update_variant_route(request: Request) -> Response:
    state = _state(request)
    raw = await read_object(request)
    fetched = await _prefetch(raw)
    with state.lock:
        variant = _variant(request, state)
        _update_variant(state, variant, raw)
        _set_image(state, variant, raw, fetched)
        return data_response(state.variant_out(variant))


async def delete_variant_route(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        variant = _variant(request, state)
        if variant["_base"]:
            raise invalid({"variant_id": "The base variant of a product cannot be deleted."})
        delete_variant(state, variant["id"])
    return no_content()


async def list_all_variants(request: Request) -> Response:
    """`GET /v3/catalog/variants`: the SKU lookup across products (B6)."""
    state = _state(request)
    ids = query_ints(request, "id:in")
    product_ids = query_ints(request, "product_id:in")
    skus = {s.lower() for s in query_strs(request, "sku:in") or []}
    sku = request.query_params.get("sku")
    with state.lock:
        items = []
        for pid in sorted(state.variant_ids):
            if product_ids is not None and pid not in product_ids:
                continue
            for vid in state.variant_ids[pid]:
                variant = state.variants_by_id[vid]
                # A base variant's SKU is its product's.
                own_sku = (state.products_by_id[pid]["sku"] if variant["_base"] else variant["sku"]).lower()
                if ids is not None and vid not in ids:
                    continue
                if sku is not None and own_sku != sku.lower():
                    continue
                if skus and own_sku not in skus:
                    continue
                items.append(variant)
        page, meta = paginate(items, request)
        data = [state.variant_out(v) for v in page]
    return data_response(data, meta)


async def batch_variants(request: Request) -> Response:
    """`PUT /v3/catalog/variants`: ≤ 50 items; updates carry `id`, creates carry `product_id` (B6)."""
    state = _state(request)
    items = await read_array(request)
    if len(items) > MAX_VARIANT_BATCH:
        raise too_many_items(MAX_VARIANT_BATCH)
    saved: list[dict[str, Any]] = []
    failures: list[tuple[int, ApiError]] = []
    for index, raw in enumerate(items):
        try:
            if not isinstance(raw, dict):
                raise invalid({str(index): "Each item must be an object."})
            fetched = await _prefetch(raw)
            with state.lock:
                if raw.get("id") is not None:
                    variant = state.variants_by_id.get(raw["id"]) if isinstance(raw["id"], int) else None
                    if variant is None:
                        raise ApiError(404, f"Variant {raw['id']} was not found.")
                    _update_variant(state, variant, raw)
                else:
                    pid = raw.get("product_id")
                    if not isinstance(pid, int) or pid not in state.products_by_id:
                        raise invalid({"product_id": "Please provide the id of an existing product."})
                    variant = _create_variant(state, pid, raw)
                _set_image(state, variant, raw, fetched)
                saved.append(state.variant_out(variant))
        except ApiError as error:
            failures.append((index, error))
    if failures:
        # The variants batch answers 422 with one error per failed item in `batch_errors` (its OpenAPI
        # "Variants Batch Error Response"), not the products batch's 207 envelope.
        # Which item each error is about is not documented; a client retries the items one by one.
        return json_response({"batch_errors": [error.body() for _, error in failures]}, 422)
    return batch_response(saved, failures)
