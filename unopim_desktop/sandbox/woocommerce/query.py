"""Product and variation listings: the `WP_Query` filters, ordering and pagination WooCommerce exposes.

Matching ids are cached per query until the next write, so paging through a large catalogue
costs one filter-and-sort, not one per page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from unopim_desktop.sandbox.woocommerce.http import WooRequest, WooResponse, paginated
from unopim_desktop.sandbox.woocommerce.render import (
    active_price,
    render_product,
    render_variation,
    render_variation_as_product,
    stock_status,
    variation_name,
)
from unopim_desktop.sandbox.woocommerce.render import on_sale as is_on_sale
from unopim_desktop.sandbox.woocommerce.schema import parse_list
from unopim_desktop.sandbox.woocommerce.state import CATEGORY, WooState
from unopim_desktop.sandbox.woocommerce.wp import parse_rest_date

FILTERS = (
    "search", "exclude", "include", "after", "before", "modified_after", "modified_before", "dates_are_gmt",
    "order", "orderby", "parent", "parent_exclude", "slug", "status", "type", "sku", "search_sku", "featured",
    "category", "tag", "on_sale", "min_price", "max_price", "stock_status", "lang",
)


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def _bound(state: WooState, value: str) -> datetime:
    """`WP_Date_Query::build_mysql_datetime`: a value with an offset is moved into the *site* time zone
    and then compared as is, even against the GMT column (as WordPress does)."""
    parsed = parse_rest_date(value)
    assert parsed is not None  # validated before
    wall, offset = parsed
    return wall if offset is None else wall - offset + state.utc_offset


def _ids(values: Any) -> list[int]:
    out = []
    for value in parse_list(values):
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


def _with_children(state: WooState, term_ids: list[int]) -> set[int]:
    """Category filters include sub-categories (`include_children` of a hierarchical tax query)."""
    wanted = set(term_ids)
    grew = True
    while grew:
        grew = False
        for term in state.terms.values():
            if term.taxonomy == CATEGORY and term.parent in wanted and term.id not in wanted:
                wanted.add(term.id)
                grew = True
    return wanted


def _price(record: dict[str, Any]) -> float | None:
    try:
        return float(active_price(record))
    except (KeyError, ValueError):
        return None


def _matches(state: WooState, record: dict[str, Any], p: dict[str, Any], prepared: dict[str, Any]) -> bool:
    status = p.get("status") or "any"
    if status == "any":
        if record["status"] in ("trash", "auto-draft"):
            return False
    elif record["status"] != status:
        return False
    if "include" in prepared and record["id"] not in prepared["include"]:
        return False
    if record["id"] in prepared.get("exclude", ()):
        return False
    if "parent" in prepared and record["parent_id"] not in prepared["parent"]:
        return False
    if record["parent_id"] in prepared.get("parent_exclude", ()):
        return False
    if p.get("slug") and record.get("slug") != p["slug"]:
        return False
    if p.get("type") and record.get("type") != p["type"]:
        return False
    if "skus" in prepared and record["sku"].casefold() not in prepared["skus"]:
        return False
    if p.get("search_sku") and str(p["search_sku"]).casefold() not in record["sku"].casefold():
        return False
    if "featured" in p and bool(record.get("featured")) != bool(p["featured"]):
        return False
    if "categories" in prepared and not prepared["categories"] & set(record.get("category_ids", ())):
        return False
    if "tags" in prepared and not prepared["tags"] & set(record.get("tag_ids", ())):
        return False
    if p.get("stock_status") and stock_status(state, record) != p["stock_status"]:
        return False
    if "on_sale" in p and is_on_sale(record) != bool(p["on_sale"]):
        return False
    if p.get("min_price") or p.get("max_price"):
        price = _price(record)
        if price is None:
            return False
        if p.get("min_price") and price < float(p["min_price"] or 0):
            return False
        if p.get("max_price") and price > float(p["max_price"] or 0):
            return False
    if p.get("search"):
        haystack = " ".join((record.get("name", ""), record.get("description", ""),
                             record.get("short_description", ""))).casefold()
        if not all(word in haystack for word in str(p["search"]).casefold().split()):
            return False
    use_gmt = bool(p.get("dates_are_gmt"))
    for name, column, after in (("after", "date_created", True), ("before", "date_created", False),
                                ("modified_after", "date_modified", True), ("modified_before", "date_modified", False)):
        if p.get(name):
            moment = record[column] if use_gmt else state.local(record[column])
            limit = prepared[name]
            if (after and not moment > limit) or (not after and not moment < limit):
                return False
    return True


def _sort(state: WooState, records: list[dict[str, Any]], p: dict[str, Any], include: list[int]) -> list[int]:
    """WooCommerce's catalogue ordering. `date` falls back to the id on ties (`date ID`); `modified` does not
    (`get_catalog_ordering_args` adds `ID` for `date` only): its ties come in whatever order MySQL returns
    (`_tie_order`)."""
    orderby = p.get("orderby") or "date"
    descending = (p.get("order") or "desc") == "desc"
    if orderby == "include" and include:
        position = {pid: i for i, pid in enumerate(include)}
        return [r["id"] for r in sorted(records, key=lambda r: position.get(r["id"], len(position)))]
    if orderby in ("popularity", "rating"):  # no sales or reviews here: "total_sales DESC, ID DESC"
        orderby, descending = "id", True
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "title": lambda r: ((r["name"] if "name" in r else variation_name(state, r)).casefold(), r["id"]),
        "modified": lambda r: r["date_modified"],
        "slug": lambda r: (r.get("slug", ""), r["id"]),
        "price": lambda r: (_price(r) or 0.0, r["id"]),
        "id": lambda r: r["id"],
    }
    key = keys.get(orderby, lambda r: (r["date_created"], r["id"]))
    return [r["id"] for r in sorted(records, key=key, reverse=descending)]


def matching_ids(state: WooState, p: dict[str, Any], *, variations_of: int | None) -> list[int]:
    cache_key = ("posts", variations_of, _freeze({k: p[k] for k in FILTERS if k in p}))
    cached = state.cache.get(cache_key)
    if cached is not None:
        return cached
    prepared: dict[str, Any] = {}
    include = _ids(p["include"]) if p.get("include") else []
    wpml = state.wpml
    if wpml is not None and include and not p.get("lang") and variations_of is None:
        include = wpml.adjust_include(include, state.product_records)
    if include:
        prepared["include"] = set(include)
    for name in ("exclude", "parent", "parent_exclude"):
        if p.get(name):
            prepared[name] = set(_ids(p[name]))
    if p.get("category"):
        prepared["categories"] = _with_children(state, _ids(p["category"]))
    if p.get("tag"):
        prepared["tags"] = set(_ids(p["tag"]))
    for name in ("after", "before", "modified_after", "modified_before"):
        if p.get(name):
            prepared[name] = _bound(state, str(p[name]))
    sku_lookup = bool(p.get("sku") or p.get("search_sku"))
    if p.get("sku") and not p.get("search_sku"):
        skus = [s.strip() for s in str(p["sku"]).split(",")]
        if len(skus) > 1:
            skus.append(str(p["sku"]))
        prepared["skus"] = {s.casefold() for s in skus if s}
    if variations_of is not None:
        pool = [state.variation_records[i] for i in state.children.get(variations_of, ())]
    elif "skus" in prepared and p.get("status") != "trash":
        # Live SKUs are indexed, so a SKU lookup need not scan the catalogue (trashed ones are not). With
        # WPML the index holds the originals; their translations share the SKU.
        owners = {state.sku_index[s] for s in prepared["skus"] if s in state.sku_index}
        if wpml is not None:
            owners |= {i for o in list(owners) for i in wpml.group(state.product_records.get(o)
                                                                  or state.variation_records[o]).values()}
        pool = [state.product_records.get(i) or state.variation_records[i] for i in sorted(owners)
                if i in state.product_records or i in state.variation_records]
    elif include:
        pool = [r for r in (state.product_records.get(i) for i in include) if r is not None]
    else:
        pool = list(state.product_records.values())
        if sku_lookup:  # WooCommerce widens a SKU query to variations too
            pool += list(state.variation_records.values())
    records = [r for r in pool if _matches(state, r, p, prepared)]
    if wpml is not None and variations_of is None:
        # WPML's query filter: the current language (the default, or `lang`); `all` lifts it.
        wanted = wpml.wanted(p)
        if wanted is not None:
            records = [r for r in records if wpml.lang_of(r) == wanted]
    ids = _sort(state, records, p, include)
    state.cache[cache_key] = ids
    return ids


def _tie_order(state: WooState, ids: list[int], p: dict[str, Any]) -> list[int]:
    """`ORDER BY post_modified LIMIT … OFFSET …` has no unique key: with `shuffle_ties`, rows modified in the
    same second come in a new order for each page query, so a listing by `modified` can skip or repeat
    them across pages, as on a real store (store-apis.md, Corrections)."""
    if not state.shuffle_ties or (p.get("orderby") or "date") != "modified":
        return ids
    out: list[int] = []
    group: list[int] = []
    last: Any = None
    for post_id in ids:
        record = state.product_records.get(post_id) or state.variation_records.get(post_id) or {}
        if group and record.get("date_modified") != last:
            state.tie_rng.shuffle(group)
            out += group
            group = []
        group.append(post_id)
        last = record.get("date_modified")
    state.tie_rng.shuffle(group)
    return out + group


def list_posts(req: WooRequest, route: str, *, variations_of: int | None = None) -> WooResponse:
    state, p = req.state, req.params
    per_page = int(p.get("per_page") or 10)
    page = int(p.get("page") or 1)
    with state.lock:
        ids = _tie_order(state, matching_ids(state, p, variations_of=variations_of), p)
        offset = int(p.get("offset") or 0)
        start = offset if offset else (page - 1) * per_page
        items = []
        for post_id in ids[start : start + per_page]:
            if variations_of is not None:
                items.append(render_variation(state, state.variation_records[post_id], req.base_url, req.context))
            elif post_id in state.product_records:
                items.append(render_product(state, state.product_records[post_id], req.base_url, req.context))
            else:
                items.append(render_variation_as_product(state, state.variation_records[post_id], req.base_url, req.context))
    return paginated(req, route, items, len(ids), per_page, page)
