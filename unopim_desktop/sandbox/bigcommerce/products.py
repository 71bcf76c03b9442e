"""Products (B5): list with filters and `include`, get, create, update, delete, batch update,
bulk delete, and the catalogue summary (B4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.common import (
    ApiError,
    batch_response,
    coerce_int,
    coerce_number,
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
    slugify,
    too_many_items,
    utc_now,
)
from unopim_desktop.sandbox.bigcommerce.media import (
    add_custom_field,
    add_image,
    clean_custom_field,
    clean_image_spec,
    delete_custom_field,
    fetch_images,
    set_variant_image,
    update_custom_field,
)
from unopim_desktop.sandbox.bigcommerce.state import (
    PRODUCT_NUMBER_FIELDS,
    BigCommerceState,
    FetchedImage,
    new_brand_record,
    new_product_record,
)
from unopim_desktop.sandbox.bigcommerce.variants import (
    create_body_variants,
    delete_variant,
    plan_body_variants,
)

MAX_PRODUCT_BATCH = 10  # B5
MAX_BULK_DELETE = 250  # B5
# B3 / bc-error-422.json, in that order.
REQUIRED_MESSAGES = {
    "name": "Please provide a name.",
    "price": "Please provide a price.",
    "type": "Please provide a type.",
    "weight": "Please provide a weight.",
}
DUPLICATE_NAME = "The product name is a duplicate"  # B3 [3P]
DUPLICATE_SKU = "The product sku is a duplicate"  # seen in integrations [3P]; B3 calls it unverified
DUPLICATE_URL = "The product custom_url is a duplicate"  # (unverified wording; 409 per B3)

_STRINGS = {
    "name": 250, "sku": 255, "description": 1_000_000, "product_tax_code": 255, "warranty": 65535,
    "bin_picking_number": 255, "layout_file": 500, "upc": 14, "gtin": 14, "mpn": 255,
    "search_keywords": 65535, "availability_description": 255, "page_title": 255,
    "meta_description": 65535, "preorder_message": 255, "price_hidden_label": 200,
    "open_graph_title": 255, "open_graph_description": 65535, "brand_name": 255,
}  # fmt: skip
_INTS = (
    "tax_class_id", "brand_id", "inventory_level", "inventory_warning_level", "sort_order",
    "order_quantity_minimum", "order_quantity_maximum", "view_count",
)  # fmt: skip
_BOOLS = (
    "is_free_shipping", "is_visible", "is_featured", "is_condition_shown", "is_preorder_only",
    "is_price_hidden", "open_graph_use_meta_description", "open_graph_use_product_name", "open_graph_use_image",
)  # fmt: skip
_ENUMS = {
    "type": ("physical", "digital"),
    "inventory_tracking": ("none", "product", "variant"),
    "availability": ("available", "disabled", "preorder"),
    "condition": ("New", "Used", "Refurbished"),
    "gift_wrapping_options_type": ("any", "none", "list"),
    "open_graph_type": ("product", "album", "book", "drink", "food", "game", "movie", "song", "tv_show"),
}
_INT_LISTS = ("categories", "related_products", "gift_wrapping_options_list")


# --- validation (pure) --------------------------------------------------------------------------


def check_required(body: dict[str, Any]) -> None:
    missing = {f: msg for f, msg in REQUIRED_MESSAGES.items() if body.get(f) is None}
    if missing:
        raise invalid(missing, title="Missing Required Fields")


def clean_product_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The writable product fields present in `body`, type-checked. Read-only and unknown fields
    are ignored, as the real API tolerates them (C)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in PRODUCT_NUMBER_FIELDS:
        if field in body:
            try:
                out[field] = coerce_number(body[field])
                if out[field] < 0:
                    errors[field] = f"The {field} must be 0 or more."
            except ValueError:
                errors[field] = f"The {field} must be a number."
    for field in _INTS:
        if field in body:
            try:
                out[field] = coerce_int(body[field])
            except ValueError:
                errors[field] = f"The {field} must be an integer."
    for field in _BOOLS:
        if field in body:
            if isinstance(body[field], bool):
                out[field] = body[field]
            else:
                errors[field] = f"The {field} must be a boolean."
    for field, limit in _STRINGS.items():
        if field in body:
            value = body[field]
            if not isinstance(value, str) or len(value) > limit:
                errors[field] = f"The {field} must be a string of at most {limit} characters."
            else:
                out[field] = value
    if "name" in out and not out["name"].strip():
        errors["name"] = "The name must be 1 to 250 characters."
    for field, allowed in _ENUMS.items():
        if field in body:
            if body[field] in allowed:
                out[field] = body[field]
            else:
                errors[field] = f"The {field} must be one of: {', '.join(allowed)}."
    for field in _INT_LISTS:
        if field in body:
            try:
                if not isinstance(body[field], list):
                    raise ValueError
                out[field] = [coerce_int(v) for v in body[field]]
            except ValueError:
                errors[field] = f"The {field} must be an array of integers."
    if "meta_keywords" in body:
        if isinstance(body["meta_keywords"], list) and all(isinstance(v, str) for v in body["meta_keywords"]):
            out["meta_keywords"] = list(body["meta_keywords"])
        else:
            errors["meta_keywords"] = "The meta_keywords must be an array of strings."
    if "custom_url" in body:
        url = body["custom_url"]
        if isinstance(url, dict) and isinstance(url.get("url"), str) and 1 <= len(url["url"]) <= 255:
            out["custom_url"] = {"url": url["url"], "is_customized": bool(url.get("is_customized", True))}
        else:
            errors["custom_url"] = "The custom_url must be an object with a url of 1 to 255 characters."
    if "preorder_release_date" in body:
        out["preorder_release_date"] = body["preorder_release_date"]
    if errors:
        raise invalid(errors)
    return out


def image_urls_in(body: dict[str, Any]) -> list[str]:
    urls = []
    for raw in body.get("images") or []:
        if isinstance(raw, dict) and isinstance(raw.get("image_url"), str):
            urls.append(raw["image_url"])
    for raw in body.get("variants") or []:
        if isinstance(raw, dict) and isinstance(raw.get("image_url"), str) and raw["image_url"]:
            urls.append(raw["image_url"])
    return urls


# --- store operations (call with state.lock held) -----------------------------------------------


def _check_conflicts(state: BigCommerceState, fields: dict[str, Any], product_id: int | None) -> None:
    """409s of B3: duplicate name, SKU (across products and variants) or URL; a missing category or brand."""
    name = fields.get("name")
    if name is not None and state.name_index.get(name.lower(), product_id) != product_id:
        raise ApiError(409, DUPLICATE_NAME, errors={"name": DUPLICATE_NAME})
    sku = fields.get("sku")
    if sku:
        owner = state.sku_owner(sku)
        if owner is not None and owner != ("product", product_id):
            raise ApiError(409, DUPLICATE_SKU, errors={"sku": DUPLICATE_SKU})
    url = fields.get("custom_url", {}).get("url")
    if url and state.url_index.get(url.lower(), product_id) != product_id:
        raise ApiError(409, DUPLICATE_URL, errors={"custom_url": DUPLICATE_URL})
    for category_id in fields.get("categories", []):
        if category_id not in state.categories_by_id:
            raise ApiError(
                409, f"Category {category_id} does not exist.", errors={"categories": str(category_id)}
            )
    brand_id = fields.get("brand_id")
    if brand_id and brand_id not in state.brands_by_id:
        raise ApiError(409, f"Brand {brand_id} does not exist.", errors={"brand_id": str(brand_id)})


def _unique_url(state: BigCommerceState, name: str, product_id: int) -> str:
    base = f"/{slugify(name)}/"
    url, n = base, 1
    while state.url_index.get(url.lower(), product_id) != product_id:
        url, n = f"/{slugify(name)}-{n}/", n + 1
    return url


def _brand_for_name(state: BigCommerceState, name: str) -> int:
    """`brand_name` gets or creates the brand (B5)."""
    for brand in state.brands_by_id.values():
        if brand["name"].lower() == name.lower():
            return brand["id"]
    brand_id = state.next_id("brand")
    state.brands_by_id[brand_id] = new_brand_record(brand_id, name)
    return brand_id


def _write_fields(state: BigCommerceState, product: dict[str, Any], fields: dict[str, Any]) -> None:
    pid = product["id"]
    if "name" in fields:
        state.name_index.pop(product["name"].lower(), None)
        state.name_index[fields["name"].lower()] = pid
    if "sku" in fields:
        state.unindex_sku(product["sku"], "product", pid)
        state.index_sku(fields["sku"], "product", pid)
    if "custom_url" in fields:
        state.url_index.pop(product["custom_url"]["url"].lower(), None)
        state.url_index[fields["custom_url"]["url"].lower()] = pid
    brand_name = fields.pop("brand_name", None)
    if brand_name:
        fields["brand_id"] = _brand_for_name(state, brand_name)
    product.update(fields)
    product["date_modified"] = utc_now()


def _write_sub_resources(
    state: BigCommerceState, pid: int, body: dict[str, Any], fetched: dict[str, FetchedImage]
) -> None:
    for raw in body.get("custom_fields") or []:
        spec = clean_custom_field(raw, partial=isinstance(raw, dict) and "id" in raw)
        existing = state.custom_fields_by_id.get(spec.get("id")) if "id" in spec else None
        if existing is not None and existing["_product_id"] == pid:
            update_custom_field(state, existing, spec)
        else:
            add_custom_field(state, pid, clean_custom_field(raw))
    for raw in body.get("images") or []:
        spec = clean_image_spec(raw, require_url=True)
        add_image(state, pid, spec, fetched[spec["image_url"]])


def create_product(
    state: BigCommerceState, body: dict[str, Any], fetched: dict[str, FetchedImage]
) -> dict[str, Any]:
    """One product POST, all checks before any write so a failure leaves nothing behind."""
    check_required(body)
    fields = clean_product_fields(body)
    for raw in body.get("custom_fields") or []:
        clean_custom_field(raw)
    for raw in body.get("images") or []:
        clean_image_spec(raw, require_url=True)
    _check_conflicts(state, fields, None)
    planned = plan_body_variants(state, body.get("variants") or [], fields.get("sku", ""))
    if "custom_url" not in fields:
        fields["custom_url"] = {"url": _unique_url(state, fields["name"], -1), "is_customized": False}
    pid = state.next_id("product")
    product = new_product_record(pid, utc_now())
    state.products_by_id[pid] = product
    _write_fields(state, product, fields)
    state.sync_base_variant(pid)
    for plan, variant in zip(planned, create_body_variants(state, pid, planned), strict=True):
        url = plan["fields"].get("image_url")
        if url:
            set_variant_image(state, variant, fetched[url])
    _write_sub_resources(state, pid, body, fetched)
    product["date_modified"] = product["date_created"] = utc_now()
    return product


def update_product(
    state: BigCommerceState, product: dict[str, Any], body: dict[str, Any], fetched: dict[str, FetchedImage]
) -> None:
    """A partial update; `categories` replaces, custom fields with `id` update, images add (B5)."""
    fields = clean_product_fields(body)
    for raw in body.get("images") or []:
        clean_image_spec(raw, require_url=True)
    for raw in body.get("custom_fields") or []:
        clean_custom_field(raw, partial=isinstance(raw, dict) and "id" in raw)
    _check_conflicts(state, fields, product["id"])
    _write_fields(state, product, fields)
    _write_sub_resources(state, product["id"], body, fetched)


def delete_product(state: BigCommerceState, product_id: int) -> None:
    product = state.products_by_id[product_id]
    for vid in list(state.variant_ids.get(product_id, [])):
        delete_variant(state, vid, resync=False)
    for oid in state.option_ids.pop(product_id, []):
        del state.options_by_id[oid]
    for iid in state.image_ids.pop(product_id, []):
        state.blobs.pop(state.images_by_id.pop(iid)["_blob"], None)
    for cid in list(state.custom_field_ids.get(product_id, [])):
        delete_custom_field(state, cid)
    state.custom_field_ids.pop(product_id, None)
    state.variant_ids.pop(product_id, None)
    state.unindex_sku(product["sku"], "product", product_id)
    state.name_index.pop(product["name"].lower(), None)
    state.url_index.pop(product["custom_url"]["url"].lower(), None)
    del state.products_by_id[product_id]


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
        matched.sort(
            key=lambda p: (p[sort] is None, p[sort] if p[sort] is not None else 0, p["id"]),
            reverse=descending,
        )
        # B5: with `options` or `modifiers` included the page size drops to 10.
        cap = 10 if include & {"options", "modifiers"} else None
        page, meta = paginate(matched, request, cap=cap)
        data = [select_fields(state.product_out(p, include), request) for p in page]
    return data_response(data, meta)


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
        return data_response(state.product_out(product, include_set(request)))


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
    include = include_set(request)
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
                saved.append(state.product_out(product, include))
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
