"""`WC_REST_Controller::batch_items`: create, then update, then delete, each item on its own.

A failing item becomes `{"id": ..., "error": {code, message, data}}` in an answer that is still
200. Items are not validated against the schema (WooCommerce calls the handlers directly), and
batch deletes are always permanent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from unopim_desktop.sandbox.woocommerce.errors import WooError
from unopim_desktop.sandbox.woocommerce.http import WooRequest, WooResponse
from unopim_desktop.sandbox.woocommerce.wp import to_int

BATCH_LIMIT = 100

ItemHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
DeleteHandler = Callable[[int], Awaitable[dict[str, Any]]]


def _entries(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return []


def _error_entry(item_id: Any, error: WooError) -> dict[str, Any]:
    return {"id": item_id, "error": {"code": error.code, "message": error.message, "data": error.data}}


async def run_batch(req: WooRequest, *, create: ItemHandler, update: ItemHandler, delete: DeleteHandler,
                    inject: dict[str, Any] | None = None) -> WooResponse:
    """Run one batch request; `inject` adds route parameters (product or attribute id) to each item."""
    lists = {name: _entries(req.params.get(name)) for name in ("create", "update", "delete") if req.params.get(name)}
    if sum(len(v) for v in lists.values()) > BATCH_LIMIT:
        raise WooError("woocommerce_rest_request_entity_too_large",
                       f"Unable to accept more than {BATCH_LIMIT} items for this request.", 413)
    answer: dict[str, list[Any]] = {}
    for item in lists.get("create", []):
        item = {**(inject or {}), **item} if isinstance(item, dict) else {}
        try:
            answer.setdefault("create", []).append(await create(item))
        except WooError as error:
            answer.setdefault("create", []).append(_error_entry(0, error))
    for item in lists.get("update", []):
        item = {**(inject or {}), **item} if isinstance(item, dict) else {}
        try:
            answer.setdefault("update", []).append(await update(item))
        except WooError as error:
            answer.setdefault("update", []).append(_error_entry(item.get("id"), error))
    for raw_id in lists.get("delete", []):
        item_id = to_int(raw_id)
        if item_id == 0:
            continue
        try:
            answer.setdefault("delete", []).append(await delete(item_id))
        except WooError as error:
            answer.setdefault("delete", []).append(_error_entry(item_id, error))
    # PHP encodes an empty array as [] (e.g. the `{}` write-permission probe).
    return WooResponse(answer if answer else [])
