"""Categories through category trees (current) and `/catalog/categories` (deprecated), and brands (B7).

Both category APIs work on the same records: a category made through one is seen through the
other, as on a single-storefront store (tree 1 belongs to channel 1).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.common import (
    STATUS_DOCS_URL,
    ApiError,
    coerce_int,
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
    slugify,
)
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState, new_brand_record, new_category_record

MAX_NAME = 50  # B7: category name ≤ 50 chars
MAX_DEPTH = 8  # B7
DUPLICATE_CATEGORY = "The category name is a duplicate among its siblings"  # (unverified wording)
DUPLICATE_BRAND = "The brand name is a duplicate"  # (unverified wording; 409 per B7)
SORTS = (
    "use_store_settings", "featured", "newest", "best_selling", "alpha_asc", "alpha_desc",
    "avg_customer_review", "price_asc", "price_desc",
)  # fmt: skip
_STRINGS = ("description", "page_title", "meta_description", "layout_file", "image_url", "search_keywords")


# --- categories: validation and store operations ------------------------------------------------


def clean_category(raw: Any, *, partial: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid({"category": "Each category must be an object."})
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "name" in raw or not partial:
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid({"name": "Please provide a name."}, title="Missing Required Fields")
        if len(name) > MAX_NAME:
            errors["name"] = f"The name must be at most {MAX_NAME} characters."
        out["name"] = name
    for field in ("parent_id", "tree_id", "sort_order", "views"):
        if field in raw:
            try:
                out[field] = coerce_int(raw[field])
            except ValueError:
                errors[field] = f"The {field} must be an integer."
    for field in _STRINGS:
        if field in raw:
            if isinstance(raw[field], str):
                out[field] = raw[field]
            else:
                errors[field] = f"The {field} must be a string."
    if "is_visible" in raw:
        if isinstance(raw["is_visible"], bool):
            out["is_visible"] = raw["is_visible"]
        else:
            errors["is_visible"] = "The is_visible must be a boolean."
    if "meta_keywords" in raw:
        if isinstance(raw["meta_keywords"], list):
            out["meta_keywords"] = [str(v) for v in raw["meta_keywords"]]
        else:
            errors["meta_keywords"] = "The meta_keywords must be an array of strings."
    if "default_product_sort" in raw:
        if raw["default_product_sort"] in SORTS:
            out["default_product_sort"] = raw["default_product_sort"]
        else:
            errors["default_product_sort"] = f"The default_product_sort must be one of {', '.join(SORTS)}."
    url = raw.get("url", raw.get("custom_url"))
    if isinstance(url, dict):
        path = url.get("path", url.get("url"))
        if isinstance(path, str) and path:
            out["_url"] = path
            out["_url_customized"] = bool(url.get("is_customized", True))
    if errors:
        raise invalid(errors)
    return out


def _depth(state: BigCommerceState, category_id: int) -> int:
    depth = 0
    while category_id:
        depth += 1
        category_id = state.categories_by_id[category_id]["parent_id"]
    return depth


def _check_place(
    state: BigCommerceState, name: str, parent_id: int, tree_id: int, own_id: int | None
) -> None:
    if tree_id not in state.trees:
        raise invalid({"tree_id": f"Category tree {tree_id} does not exist."})
    if parent_id:
        parent = state.categories_by_id.get(parent_id)
        if parent is None:
            raise invalid({"parent_id": f"Parent category {parent_id} does not exist."})
        if parent["tree_id"] != tree_id:
            raise invalid({"parent_id": f"Parent category {parent_id} is in another tree."})
        if _depth(state, parent_id) >= MAX_DEPTH:
            raise invalid({"parent_id": f"Categories can be at most {MAX_DEPTH} levels deep."})
        ancestor = parent_id
        while ancestor:
            if ancestor == own_id:
                raise invalid({"parent_id": "A category cannot be moved under itself."})
            ancestor = state.categories_by_id[ancestor]["parent_id"]
    for other in state.categories_by_id.values():
        same_place = other["parent_id"] == parent_id and other["tree_id"] == tree_id
        if same_place and other["id"] != own_id and other["name"].lower() == name.lower():
            raise ApiError(409, DUPLICATE_CATEGORY, errors={"name": DUPLICATE_CATEGORY})


def create_category(state: BigCommerceState, spec: dict[str, Any], *, tree_api: bool) -> dict[str, Any]:
    if tree_api and "parent_id" not in spec and "tree_id" not in spec:
        raise invalid(
            {"parent_id": "Please provide a parent_id or a tree_id."}, title="Missing Required Fields"
        )
    if not tree_api and "parent_id" not in spec:
        raise invalid({"parent_id": "Please provide a parent_id."}, title="Missing Required Fields")
    parent_id = spec.get("parent_id", 0)
    parent = state.categories_by_id.get(parent_id)
    tree_id = spec.get("tree_id", parent["tree_id"] if parent else 1)
    _check_place(state, spec["name"], parent_id, tree_id, None)
    category_id = state.next_id("category")
    url = spec.get("_url") or _unique_category_url(state, spec["name"], parent_id)
    record = new_category_record(category_id, spec["name"], parent_id, tree_id, url)
    record.update({k: v for k, v in spec.items() if k not in ("parent_id", "tree_id", "name")})
    state.categories_by_id[category_id] = record
    return record


def _unique_category_url(state: BigCommerceState, name: str, parent_id: int) -> str:
    prefix = state.categories_by_id[parent_id]["_url"] if parent_id else "/"
    url, n = f"{prefix}{slugify(name)}/", 1
    taken = {c["_url"] for c in state.categories_by_id.values()}
    while url in taken:
        url, n = f"{prefix}{slugify(name)}-{n}/", n + 1
    return url


def update_category(state: BigCommerceState, record: dict[str, Any], spec: dict[str, Any]) -> None:
    name = spec.get("name", record["name"])
    parent_id = spec.get("parent_id", record["parent_id"])
    tree_id = spec.get("tree_id", record["tree_id"])
    _check_place(state, name, parent_id, tree_id, record["id"])
    record.update(spec)


def delete_category(state: BigCommerceState, category_id: int) -> list[int]:
    """Delete a category and its subtree; products lose the assignment (inferred). Returns the ids."""
    doomed = [category_id]
    for cid in doomed:
        doomed += [c["id"] for c in state.categories_by_id.values() if c["parent_id"] == cid]
    gone = set(doomed)
    for cid in doomed:
        state.categories_by_id.pop(cid, None)
    for product in state.products_by_id.values():
        if gone & set(product["categories"]):
            product["categories"] = [c for c in product["categories"] if c not in gone]
            state.touch(product["id"])
    return doomed


def _products_in(state: BigCommerceState, category_id: int) -> int:
    return sum(1 for p in state.products_by_id.values() if category_id in p["categories"])


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


# --- brands -------------------------------------------------------------------------------------


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
