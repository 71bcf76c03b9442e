"""Price lists (`/v3/pricelists`) and store currencies (`/v2/currencies`) on the sandbox BigCommerce store,
per i18n.md C1 and D2: lists, records keyed by (variant, currency) with the upsert's 1,000-item cap, its
partial-success 422 `batch_errors` and 429 past two concurrent upserts, assignments in batches of at most
25. A store whose plan has no price lists answers 403 on every price-list route (the wording is a guess:
no source gives it)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.common import (
    ApiError,
    coerce_int,
    coerce_number,
    data_response,
    iso,
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
    utc_now,
)
from unopim_desktop.sandbox.bigcommerce.i18n_state import I18nState, i18n_of

RECORDS_MAX = 1000
ASSIGNMENTS_MAX = 25
UPSERTS_AT_ONCE = 2
NO_PLAN_TITLE = "Price Lists are not available on this store's plan."  # (unverified wording)


def _state(request: Request) -> tuple[Any, I18nState]:
    state = request.app.state.sandbox
    i18n = i18n_of(state)
    if not i18n.price_lists:
        raise ApiError(403, NO_PLAN_TITLE, errors={})
    return state, i18n


def _list(i18n: I18nState, list_id: int) -> dict[str, Any]:
    found = i18n.lists.get(list_id)
    if found is None:
        raise not_found(f"/v3/pricelists/{list_id}")
    return found


# -- currencies (v2) ---------------------------------------------------------------------------------
async def list_currencies(request: Request) -> Response:
    """`GET /v2/currencies`: a plain array (v2), the default first."""
    state = request.app.state.sandbox
    i18n = i18n_of(state)
    out = []
    for n, code in enumerate(i18n.all_currencies, start=1):
        out.append({"id": n, "is_default": code == i18n.default_currency, "currency_code": code, "enabled": True,
                    "is_transactional": True, "currency_exchange_rate": "1.0000000000" if n == 1 else "0.9000000000",
                    "auto_update": False, "name": code, "token": code})
    return json_response(out)


# -- lists ---------------------------------------------------------------------------------------------
async def list_pricelists(request: Request) -> Response:
    state, i18n = _state(request)
    with state.lock:
        items = sorted(i18n.lists.values(), key=lambda p: p["id"])
        names = query_strs(request, "name")
        ids = query_ints(request, "id:in")
        items = [p for p in items if (not names or p["name"] in names) and (ids is None or p["id"] in ids)]
        chunk, meta = paginate([dict(p) for p in items], request)
    return data_response(chunk, meta)


async def create_pricelist(request: Request) -> Response:
    state, i18n = _state(request)
    body = await read_object(request)
    name = str(body.get("name") or "").strip()
    if not name:
        raise ApiError(422, "The field 'name' is required.", errors={"name": "The name is required."})
    with state.lock:
        if any(p["name"] == name for p in i18n.lists.values()):
            raise ApiError(409, "A price list with this name already exists.", errors={"name": name})
        now = iso(utc_now())
        created = {"id": i18n.new_id(), "name": name, "active": bool(body.get("active", True)),
                   "date_created": now, "date_modified": now}
        i18n.lists[created["id"]] = created
    return data_response(dict(created))


async def get_pricelist(request: Request) -> Response:
    state, i18n = _state(request)
    with state.lock:
        return data_response(dict(_list(i18n, path_int(request, "list_id"))))


async def delete_pricelist(request: Request) -> Response:
    state, i18n = _state(request)
    list_id = path_int(request, "list_id")
    with state.lock:
        _list(i18n, list_id)
        del i18n.lists[list_id]
        for key in [k for k in i18n.records if k[0] == list_id]:
            del i18n.records[key]
    return no_content()


# -- records -------------------------------------------------------------------------------------------
async def list_records(request: Request) -> Response:
    state, i18n = _state(request)
    list_id = path_int(request, "list_id")
    variants = query_ints(request, "variant_id:in")
    products = query_ints(request, "product_id:in")
    currencies = {c.upper() for c in query_strs(request, "currency") or []} or None
    with state.lock:
        _list(i18n, list_id)
        # A deleted variant's records go with it (BigCommerce removes them).
        items = [dict(r) for (lid, vid, cur), r in sorted(i18n.records.items())
                 if lid == list_id and vid in state.variants_by_id and (variants is None or vid in variants)
                 and (products is None or r["product_id"] in products) and (currencies is None or cur in currencies)]
        chunk, meta = paginate(items, request)
    return data_response(chunk, meta)


def _record(state: Any, i18n: I18nState, list_id: int, item: Any) -> tuple[tuple[int, int, str], dict[str, Any]]:
    """One upserted record, or the ApiError naming the fields it fails on."""
    if not isinstance(item, dict):
        raise ApiError(422, "Invalid record", errors={"record": "must be an object"})
    variant_id: int | None = None
    if item.get("variant_id") is not None:
        try:
            variant_id = coerce_int(item["variant_id"])
        except ValueError:
            raise ApiError(422, "Invalid record", errors={"variant_id": "must be an integer"}) from None
    elif item.get("sku"):
        kind, found = state.sku_index.get(str(item["sku"]).lower(), ("", 0))
        if kind == "variant":
            variant_id = found
        elif kind == "product":
            variant_id = state.products_by_id[found].get("base_variant_id")
    variant = state.variants_by_id.get(variant_id or 0)
    if variant is None:
        raise ApiError(422, "Invalid record", errors={"variant_id": "The variant does not exist."})
    product = state.products_by_id.get(variant["product_id"], {})
    if variant.get("_base") and len(state.variant_ids.get(variant["product_id"], [])) > 1:
        # The parent SKU of a product with variants takes no price record.
        raise ApiError(422, "Invalid record", errors={"variant_id": "A product with variants is priced per variant."})
    currency = str(item.get("currency") or "").upper()
    if currency not in i18n.all_currencies:
        raise ApiError(422, "Invalid record", errors={"currency": f"The currency {currency or '(none)'} is not "
                                                                  "one of the store's currencies."})
    fields: dict[str, Any] = {}
    for name in ("price", "sale_price", "retail_price", "map_price"):
        if item.get(name) is None:
            continue
        try:
            fields[name] = coerce_number(item[name])
        except ValueError:
            raise ApiError(422, "Invalid record", errors={name: "must be a number"}) from None
        if fields[name] < 0:
            raise ApiError(422, "Invalid record", errors={name: "must not be negative"})
    sku = str(variant.get("sku") or product.get("sku") or "")
    refused = i18n.refuse_once.pop((sku.lower(), currency), None)
    if refused:
        raise ApiError(422, "Invalid record", errors={"price": refused})
    key = (list_id, variant["id"], currency)
    now = iso(utc_now())
    old = i18n.records.get(key, {})
    record = {**old, "price_list_id": list_id, "variant_id": variant["id"], "product_id": variant["product_id"],
              "sku": sku, "currency": currency, **fields,
              "date_created": old.get("date_created", now), "date_modified": now}
    record.setdefault("price", 0)
    sale = record.get("sale_price")
    record["calculated_price"] = sale if sale not in (None, 0) else record["price"]
    return key, record


async def upsert_records(request: Request) -> Response:
    """`PUT /v3/pricelists/{id}/records`: up to 1,000 records, two upserts at a time per store."""
    state, i18n = _state(request)
    list_id = path_int(request, "list_id")
    body = await read_array(request)
    if len(body) > RECORDS_MAX:
        raise too_many_items(RECORDS_MAX)
    with state.lock:
        if i18n.upserts_in_flight >= UPSERTS_AT_ONCE:
            raise ApiError(429, "Too many concurrent price list record upserts; at most two at a time.", errors={})
        i18n.upserts_in_flight += 1
    try:
        if i18n.upsert_hold_s:
            await asyncio.sleep(i18n.upsert_hold_s)
        failures = []
        with state.lock:
            _list(i18n, list_id)
            for item in body:
                try:
                    key, record = _record(state, i18n, list_id, item)
                except ApiError as exc:
                    item = item if isinstance(item, dict) else {}
                    failures.append({"data": {"price_list_id": list_id, "variant_id": item.get("variant_id"),
                                              "sku": item.get("sku"), "currency": item.get("currency")},
                                     "field_errors": dict(exc.errors or {})})
                    continue
                i18n.records[key] = record
            if failures and len(failures) < len(body):
                state.record_write()  # saved in part: the gate counts only a 2xx answer as a write
    finally:
        with state.lock:
            i18n.upserts_in_flight -= 1
    if failures:  # partial success: the valid records were saved
        return json_response({"status": 422, "title": "Some records could not be saved.",
                              "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
                              "batch_errors": failures}, 422)
    return data_response({}, {})


# -- assignments ---------------------------------------------------------------------------------------
async def list_assignments(request: Request) -> Response:
    state, i18n = _state(request)
    lists = query_ints(request, "price_list_id:in") or query_ints(request, "price_list_id")
    channels = query_ints(request, "channel_id:in") or query_ints(request, "channel_id")
    with state.lock:
        items = [dict(a) for a in sorted(i18n.assignments.values(), key=lambda a: a["id"])
                 if (lists is None or a["price_list_id"] in lists) and (channels is None or a["channel_id"] in channels)]
        chunk, meta = paginate(items, request)
    return data_response(chunk, meta)


async def create_assignments(request: Request) -> Response:
    state, i18n = _state(request)
    body = await read_array(request)
    if len(body) > ASSIGNMENTS_MAX:
        raise too_many_items(ASSIGNMENTS_MAX)
    with state.lock:
        made = []
        for item in body:
            if not isinstance(item, dict) or item.get("price_list_id") not in i18n.lists:
                raise ApiError(422, "Invalid assignment", errors={"price_list_id": "The price list does not exist."})
            key = (item["price_list_id"], item.get("channel_id"), item.get("customer_group_id"))
            if any((a["price_list_id"], a.get("channel_id"), a.get("customer_group_id")) == key
                   for a in i18n.assignments.values()):
                raise ApiError(409, "The assignment already exists.", errors={})
            assignment = {"id": i18n.new_id(), "price_list_id": item["price_list_id"],
                          "channel_id": item.get("channel_id"), "customer_group_id": item.get("customer_group_id")}
            i18n.assignments[assignment["id"]] = assignment
            made.append(assignment)
    return no_content()
