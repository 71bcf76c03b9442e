"""Categories (B7): validation and store operations, shared by both category APIs.

Category trees (current) and `/catalog/categories` (deprecated) work on the same records: a category
made through one is seen through the other, as on a single-storefront store (tree 1 belongs to
channel 1). The routes of both APIs are in `category_routes`; brands are in `brands`.
"""

from __future__ import annotations

from typing import Any

from unopim_desktop.sandbox.bigcommerce.common import ApiError, coerce_int, invalid, slugify
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState, new_category_record

MAX_NAME = 50  # B7: category name ≤ 50 chars
MAX_DEPTH = 8  # B7
DUPLICATE_CATEGORY = "The category name is a duplicate among its siblings"  # (unverified wording)
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
