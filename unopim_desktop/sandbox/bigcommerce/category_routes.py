"""Routes of the two category APIs (B7): category trees (current) and `/catalog/categories` (deprecated).

Both work on the same records through the rules in `categories`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.categories import (
    clean_category,
    create_category,
    delete_category,
    update_category,
)
from unopim_desktop.sandbox.bigcommerce.common import (
    STATUS_DOCS_URL,
    ApiError,
    data_response,
    error_body,
    invalid,
    item_message,
    json_response,
    no_content,
    not_found,
    paginate,
    path_int,
    query_bool,
    query_int,
    query_ints,
    read_array,
    read_object,
)
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState

# --- category trees routes ----------------------------------------------------------------------


def _state(request: Request) -> BigCommerceState:
    return request.app.state.sandbox


def _matches_tree_filters(record: dict[str, Any], request: Request) -> bool:
    q = request.query_params
    checks = [
        (query_ints(request, "category_id:in"), lambda v: record["id"] in v),
        (query_ints(request, "category_id:not_in"), lambda v: record["id"] not in v),
        (query_ints(request, "tree_id:in"), lambda v: record["tree_id"] in v),
        (query_ints(request, "tree_id:not_in"), lambda v: record["tree_id"] not in v),
        (query_ints(request, "parent_id:in"), lambda v: record["parent_id"] in v),
        (query_ints(request, "parent_id:not_in"), lambda v: record["parent_id"] not in v),
        (query_ints(request, "id:in"), lambda v: record["id"] in v),
        (query_int(request, "parent_id"), lambda v: record["parent_id"] == v),
        (q.get("name"), lambda v: record["name"].lower() == v.lower()),
        (q.get("name:like"), lambda v: v.lower() in record["name"].lower()),
        (q.get("page_title"), lambda v: record["page_title"] == v),
        (q.get("keyword"), lambda v: v.lower() in (record["name"] + " " + record["search_keywords"]).lower()),
        (query_bool(request, "is_visible"), lambda v: record["is_visible"] == v),
    ]
    return all(value is None or test(value) for value, test in checks)


async def list_tree_categories(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        matched = [c for _, c in sorted(state.categories_by_id.items()) if _matches_tree_filters(c, request)]
        page, meta = paginate(matched, request, limit_first=True)
        data = [state.tree_category_out(c) for c in page]
    return data_response(data, meta)


def _multi_status(
    data: list[Any] | None,
    failures: list[tuple[int, ApiError]],
    total: int,
    ok_status: int,
) -> Response:
    """Category-tree writes answer with `meta {total, success, failed}` (B2, category-trees spec)."""
    meta = {"total": total, "success": total - len(failures), "failed": len(failures)}
    body: dict[str, Any] = {} if data is None else {"data": data}
    if not failures:
        return json_response({**body, "meta": meta}, ok_status)
    detailed = {str(i): item_message(e) for i, e in failures}
    if len(failures) == total:
        first = failures[0][1]
        return json_response({**error_body(422, first.title, errors=detailed), "meta": meta}, 422)
    errors = {
        "status": 207,
        "title": "Some categories could not be saved.",
        "type": STATUS_DOCS_URL,
        "errors": detailed,
    }
    return json_response({**body, "errors": errors, "meta": meta}, 207)


async def create_tree_categories(request: Request) -> Response:
    state = _state(request)
    items = await read_array(request)
    created, failures = [], []
    with state.lock:
        for index, raw in enumerate(items):
            try:
                created.append(
                    state.tree_category_out(
                        create_category(state, clean_category(raw, partial=False), tree_api=True)
                    )
                )
            except ApiError as error:
                failures.append((index, error))
    return _multi_status(created, failures, len(items), 201)


async def update_tree_categories(request: Request) -> Response:
    state = _state(request)
    items = await read_array(request)
    failures = []
    with state.lock:
        for index, raw in enumerate(items):
            try:
                if not isinstance(raw, dict) or "category_id" not in raw:
                    raise invalid(
                        {"category_id": "Please provide a category_id."}, title="Missing Required Fields"
                    )
                record = state.categories_by_id.get(raw["category_id"])
                if record is None:
                    raise ApiError(404, f"Category {raw['category_id']} was not found.")
                update_category(state, record, clean_category(raw, partial=True))
            except ApiError as error:
                failures.append((index, error))
    # The spec's success answer for PUT carries only `meta` (SuccessNoContentResponse).
    return _multi_status(None, failures, len(items), 200)


async def delete_tree_categories(request: Request) -> Response:
    state = _state(request)
    filters = ("category_id:in", "tree_id:in", "parent_id:in", "category_uuid:in")
    if not any(f in request.query_params for f in filters):
        raise invalid({"filter": "A filter is required to delete categories."})
    uuids = set((request.query_params.get("category_uuid:in") or "").split(",")) - {""}
    with state.lock:
        doomed = [
            c["id"]
            for c in state.categories_by_id.values()
            if _matches_tree_filters(c, request) and (not uuids or c["_uuid"] in uuids)
        ]
        for cid in doomed:
            if cid in state.categories_by_id:
                delete_category(state, cid)
    return no_content(202)  # B3: DELETE /catalog/trees/categories → 202


async def list_trees(request: Request) -> Response:
    state = _state(request)
    channels = query_ints(request, "channel_id:in")
    ids = query_ints(request, "id:in")
    with state.lock:
        trees = [
            dict(t)
            for _, t in sorted(state.trees.items())
            if (channels is None or set(channels) & set(t["channels"])) and (ids is None or t["id"] in ids)
        ]
    page, meta = paginate(trees, request, limit_first=True)
    return data_response(page, meta)


async def get_tree(request: Request) -> Response:
    """`GET /v3/catalog/trees/{tree_id}/categories`: the nested tree (B7)."""
    state = _state(request)
    tree_id = path_int(request, "tree_id")
    with state.lock:
        if tree_id not in state.trees:
            raise not_found(request.url.path)

        def node(record: dict[str, Any], path: list[int]) -> dict[str, Any]:
            kids = [c for _, c in sorted(state.categories_by_id.items()) if c["parent_id"] == record["id"]]
            return {
                "id": record["id"],
                "parent_id": record["parent_id"],
                "depth": len(path) + 1,
                "path": path,
                "name": record["name"],
                "is_visible": record["is_visible"],
                "url": record["_url"],
                "children": [node(k, path + [record["id"]]) for k in kids],
            }

        roots = [
            c
            for _, c in sorted(state.categories_by_id.items())
            if c["parent_id"] == 0 and c["tree_id"] == tree_id
        ]
        data = [node(r, []) for r in roots]
    return data_response(data)


# --- legacy /catalog/categories -----------------------------------------------------------------


async def list_categories(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        matched = [c for _, c in sorted(state.categories_by_id.items()) if _matches_tree_filters(c, request)]
        page, meta = paginate(matched, request)
        data = [state.legacy_category_out(c) for c in page]
    return data_response(data, meta)


async def create_category_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_category(await read_object(request), partial=False)
    with state.lock:
        return data_response(state.legacy_category_out(create_category(state, spec, tree_api=False)))


def _category(request: Request, state: BigCommerceState) -> dict[str, Any]:
    record = state.categories_by_id.get(path_int(request, "category_id"))
    if record is None:
        raise not_found(request.url.path)
    return record


async def get_category(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        return data_response(state.legacy_category_out(_category(request, state)))


async def update_category_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_category(await read_object(request), partial=True)
    with state.lock:
        record = _category(request, state)
        update_category(state, record, spec)
        return data_response(state.legacy_category_out(record))


def _products_in(state: BigCommerceState, category_id: int) -> int:
    return sum(1 for p in state.products_by_id.values() if category_id in p["categories"])


def _delete_legacy(state: BigCommerceState, category_id: int) -> None:
    # B7: a category that still contains products gives 422.
    if _products_in(state, category_id):
        raise invalid({"category_id": f"Category {category_id} still contains products."})
    delete_category(state, category_id)


async def delete_category_route(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        _delete_legacy(state, _category(request, state)["id"])
    return no_content()


async def delete_categories(request: Request) -> Response:
    state = _state(request)
    if not any(k in request.query_params for k in ("id:in", "parent_id", "name", "parent_id:in")):
        raise invalid({"filter": "A filter is required to delete categories."})
    with state.lock:
        doomed = [c["id"] for c in state.categories_by_id.values() if _matches_tree_filters(c, request)]
        for cid in doomed:
            if cid in state.categories_by_id:
                _delete_legacy(state, cid)
    return no_content()
