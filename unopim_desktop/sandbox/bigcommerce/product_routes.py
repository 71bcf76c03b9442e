"""Product routes (B5): list with filters and `include`, get, create, update, delete, batch update,
bulk delete, and the catalogue summary (B4). The rules they apply are in `products`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.common import (
    ApiError,
    batch_response,
    data_response,
    include_set,
    invalid,
    iso,
    no_content,
    not_found,
    num,
    paginate,
    parse_date_filter,
    path_int,
    query_bool,
    query_int,
    query_ints,
    query_strs,
    read_array,
    read_object,
    select_fields,
    too_many_items,
)
from unopim_desktop.sandbox.bigcommerce.media import fetch_images
from unopim_desktop.sandbox.bigcommerce.products import (
    REQUIRED_MESSAGES,
    check_required,
    clean_product_fields,
    create_product,
    delete_product,
    image_urls_in,
    update_product,
)
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState

MAX_PRODUCT_BATCH = 10  # B5
MAX_BULK_DELETE = 250  # B5


# --- listing ------------------------------------------------------------------------------------

_SORT_KEYS = (
    "id", "name", "sku", "price", "date_modified", "date_last_imported", "inventory_level",
    "is_visible", "total_sold", "calculated_price",
)  # fmt: skip


Product = dict[str, Any]


def _with_lower(values: list[str] | None) -> set[str] | None:
    return None if values is None else {v.lower() for v in values}


def _date(raw: str | None) -> Any:
    return None if raw is None else parse_date_filter(raw)


def product_filter(request: Request) -> Callable[[Product], bool]:
    """The query's filters (B5), parsed once, as a predicate over product records."""
    q = request.query_params
    lower = {k: q[k].lower() for k in ("sku", "name", "name:like", "keyword") if k in q}
    checks: list[tuple[Any, Callable[[Product, Any], bool]]] = [
        (query_int(request, "id"), lambda p, v: p["id"] == v),
        (query_ints(request, "id:in"), lambda p, v: p["id"] in v),
        (query_ints(request, "id:not_in"), lambda p, v: p["id"] not in v),
        (query_int(request, "id:min"), lambda p, v: p["id"] >= v),
        (query_int(request, "id:max"), lambda p, v: p["id"] <= v),
        (query_int(request, "id:greater"), lambda p, v: p["id"] > v),
        (query_int(request, "id:less"), lambda p, v: p["id"] < v),
        (lower.get("sku"), lambda p, v: p["sku"].lower() == v),
        (_with_lower(query_strs(request, "sku:in")), lambda p, v: p["sku"].lower() in v),
        (lower.get("name"), lambda p, v: p["name"].lower() == v),
        (lower.get("name:like"), lambda p, v: v in p["name"].lower()),
        (q.get("type"), lambda p, v: p["type"] == v),
        (q.get("availability"), lambda p, v: p["availability"] == v),
        (q.get("condition"), lambda p, v: p["condition"] == v),
        (q.get("mpn"), lambda p, v: p["mpn"] == v),
        (q.get("upc"), lambda p, v: p["upc"] == v),
        (query_int(request, "brand_id"), lambda p, v: p["brand_id"] == v),
        (query_int(request, "categories"), lambda p, v: v in p["categories"]),
        (query_ints(request, "categories:in"), lambda p, v: bool(set(v) & set(p["categories"]))),
        (query_bool(request, "is_visible"), lambda p, v: p["is_visible"] == v),
        (query_bool(request, "is_featured"), lambda p, v: p["is_featured"] == v),
        (_date(q.get("date_modified")), lambda p, v: p["date_modified"] == v),
        (_date(q.get("date_modified:min")), lambda p, v: p["date_modified"] >= v),
        (_date(q.get("date_modified:max")), lambda p, v: p["date_modified"] <= v),
        (
            lower.get("keyword"),
            lambda p, v: any(v in p[f].lower() for f in ("name", "sku", "description", "search_keywords")),
        ),
    ]
    active = [(value, test) for value, test in checks if value is not None]
    return lambda product: all(test(product, value) for value, test in active)


async def list_products(request: Request) -> Response:
    state = request.app.state.sandbox
    include = include_set(request)
    sort = request.query_params.get("sort", "id")
    if sort not in _SORT_KEYS:
        raise ApiError(422, f"The sort value '{sort}' is not valid")
    descending = request.query_params.get("direction", "asc").lower() == "desc"
    with state.lock:
        wanted = product_filter(request)
        matched = [p for p in state.products_by_id.values() if wanted(p)]
        matched.sort(key=lambda p: (p[sort] is None, p[sort] if p[sort] is not None else 0), reverse=descending)
        if state.shuffle_ties and sort != "id":
            matched = _shuffle_ties(state, matched, sort)
        # B5: with `options` or `modifiers` included the page size drops to 10.
        cap = 10 if include & {"options", "modifiers"} else None
        page, meta = paginate(matched, request, cap=cap)
        data = [select_fields(state.product_out(p, include), request) for p in page]
    return data_response(data, meta)


def _shuffle_ties(state: BigCommerceState, rows: list[Product], sort: str) -> list[Product]:
    """Rows whose sort value ties, in a new order for this request (the sort has no documented
    tie-break: store-apis.md, Corrections)."""
    out: list[Product] = []
    group: list[Product] = []
    for row in rows:
        if group and row[sort] != group[0][sort]:
            state.tie_rng.shuffle(group)
            out += group
            group = []
        group.append(row)
    state.tie_rng.shuffle(group)
    return out + group


def _product(request: Request, state: BigCommerceState) -> dict[str, Any]:
    product = state.products_by_id.get(path_int(request, "product_id"))
    if product is None:
        raise not_found(request.url.path)
    return product


async def get_product(request: Request) -> Response:
    state = request.app.state.sandbox
    with state.lock:
        product = _product(request, state)
        return data_response(select_fields(state.product_out(product, include_set(request)), request))


async def create_product_route(request: Request) -> Response:
    state = request.app.state.sandbox
    body = await read_object(request)
    check_required(body)  # the cheap checks first, so a bad body costs no download
    clean_product_fields(body)
    fetched = await fetch_images(image_urls_in(body))
    with state.lock:
        product = create_product(state, body, fetched)
        # createProduct documents `include_fields` only, not `include`: no sub-resources in the answer.
        return data_response(select_fields(state.product_out(product, set()), request))


async def update_product_route(request: Request) -> Response:
    state = request.app.state.sandbox
    body = await read_object(request)
    clean_product_fields(body)
    with state.lock:
        _product(request, state)
    fetched = await fetch_images(image_urls_in({"images": body.get("images")}))
    with state.lock:
        product = _product(request, state)
        update_product(state, product, body, fetched)
        return data_response(state.product_out(product, include_set(request)))


async def delete_product_route(request: Request) -> Response:
    state = request.app.state.sandbox
    with state.lock:
        delete_product(state, _product(request, state)["id"])
    return no_content()


async def batch_update_products(request: Request) -> Response:
    """`PUT /v3/catalog/products`: an array of ≤ 10 products, each with `id` (B5)."""
    state = request.app.state.sandbox
    items = await read_array(request)
    if len(items) > MAX_PRODUCT_BATCH:
        raise too_many_items(MAX_PRODUCT_BATCH)
    # updateProducts documents `include_fields` only, not `include`: no sub-resources in the answer.
    saved: list[dict[str, Any]] = []
    failures: list[tuple[int, ApiError]] = []
    for index, body in enumerate(items):
        try:
            if not isinstance(body, dict):
                raise invalid({"id": "Please provide an id."}, title="Missing Required Fields")
            if body.get("id") is None:
                # Without `id` an item is validated as a new product and fails with every
                # required field listed, as in the docs' batch example (bc-error-422.json).
                raise invalid(dict(REQUIRED_MESSAGES), title="Missing Required Fields")
            clean_product_fields(body)
            fetched = await fetch_images(image_urls_in({"images": body.get("images")}))
            with state.lock:
                product = state.products_by_id.get(body["id"]) if isinstance(body["id"], int) else None
                if product is None:
                    raise ApiError(404, f"Product {body['id']} was not found.")
                update_product(state, product, body, fetched)
                saved.append(select_fields(state.product_out(product, set()), request))
        except ApiError as error:
            failures.append((index, error))
    return batch_response(saved, failures)


async def delete_products(request: Request) -> Response:
    """`DELETE /v3/catalog/products?id:in=…`: a filter is mandatory, ≤ 250 per call (B5)."""
    state = request.app.state.sandbox
    ids = query_ints(request, "id:in")
    filters = {k for k in request.query_params if k not in ("page", "limit")}
    if not filters:
        raise invalid({"filter": "A filter is required to delete products."})
    with state.lock:
        wanted = product_filter(request)
        doomed = [p["id"] for p in state.products_by_id.values() if wanted(p)]
        if ids is not None:
            doomed = [pid for pid in doomed if pid in ids]
        if len(doomed) > MAX_BULK_DELETE:
            raise invalid({"filter": f"At most {MAX_BULK_DELETE} products can be deleted at once."})
        for pid in doomed:
            delete_product(state, pid)
    return no_content()


async def catalog_summary(request: Request) -> Response:
    """`GET /v3/catalog/summary` (B4)."""
    state = request.app.state.sandbox
    with state.lock:
        prices = [state.calculated_price(v) for v in state.variants_by_id.values()] or [0]
        levels = [p["inventory_level"] for p in state.products_by_id.values()]
        value = sum(p["inventory_level"] * p["price"] for p in state.products_by_id.values())
        usage: dict[int, int] = {}
        for product in state.products_by_id.values():
            for cid in product["categories"]:
                usage[cid] = usage.get(cid, 0) + 1
        primary = max(usage, key=lambda c: (usage[c], -c)) if usage else 0
        dates = [p["date_created"] for p in state.products_by_id.values()] or [state.created_at]
        data = {
            "inventory_count": sum(levels),
            "variant_count": len(state.variants_by_id),
            "inventory_value": num(value),
            "highest_variant_price": num(max(prices)),
            "average_variant_price": num(sum(prices) / len(prices)),
            "lowest_variant_price": str(num(min(prices))),
            "oldest_variant_date": iso(min(dates)),
            "newest_variant_date": iso(max(dates)),
            "primary_category_id": primary,
            "primary_category_name": state.categories_by_id[primary]["name"] if primary else "",
        }
    return data_response(data)
