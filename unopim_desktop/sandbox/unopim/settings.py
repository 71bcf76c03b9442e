"""Locales, currencies and channels (unopim-api.md §7.1-7.3).

Settings controllers catch every exception and answer 400 `{"error": message}`, filter errors
and unknown codes included. Filters on these resources are OR-ed (`orWhere`).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from unopim_desktop.sandbox.unopim.context import Ctx
from unopim_desktop.sandbox.unopim.http import json_response, settings_error
from unopim_desktop.sandbox.unopim.lists import (
    FilterError,
    apply_or_filters,
    filter_error_response,
    page_envelope,
    parse_filters,
)
from unopim_desktop.sandbox.unopim.state import key_of


def _list(ctx: Ctx, rows: list[dict[str, Any]], allowed: dict[str, tuple[str, ...]]) -> Response:
    try:
        conditions = parse_filters(ctx.query("filters"), allowed)
    except FilterError as err:
        raise filter_error_response(err, version=ctx.version, settings=True) from err
    rows = apply_or_filters(rows, conditions, lambda row, field: row.get(field))
    return json_response(page_envelope(ctx.request, rows, version=ctx.version))


def _locale_item(loc: dict[str, Any]) -> dict[str, Any]:
    return {"code": loc["code"], "status": int(loc["status"])}


def _currency_item(cur: dict[str, Any]) -> dict[str, Any]:
    return {"code": cur["code"], "status": int(cur["status"]), "label": cur.get("label") or cur["code"]}


def _channel_item(ch: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": ch["code"],
        "labels": {k: v for k, v in (ch.get("labels") or {}).items() if v},
        "root_category": ch.get("root_category"),
        "locales": list(ch.get("locales") or []),
        "currencies": list(ch.get("currencies") or []),
    }


async def list_locales(ctx: Ctx) -> Response:
    # The `code` filter arrived in V3; V1 filters on status only.
    allowed = {"status": ("=",), "code": ("=", "IN", "NOT IN")} if ctx.version >= 3 else {"status": ("=",)}
    with ctx.state.lock:
        rows = [_locale_item(loc) for loc in ctx.state.locales.values()]
    return _list(ctx, rows, allowed)


async def get_locale(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        loc = ctx.state.locales.get(key_of(code))
        if loc is None:
            raise settings_error(f"Locale with code {code} could not be found.")
        return json_response(_locale_item(loc))


async def list_currencies(ctx: Ctx) -> Response:
    with ctx.state.lock:
        rows = [_currency_item(cur) for cur in ctx.state.currencies.values()]
    return _list(ctx, rows, {"status": ("=",)})


async def get_currency(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        cur = ctx.state.currencies.get(key_of(code))
        if cur is None:
            raise settings_error(f"Currency with code {code} could not be found.")
        return json_response(_currency_item(cur))


async def list_channels(ctx: Ctx) -> Response:
    with ctx.state.lock:
        rows = [_channel_item(ch) for ch in ctx.state.channels.values()]
    return _list(ctx, rows, {})


async def get_channel(ctx: Ctx) -> Response:
    code = ctx.param("code")
    with ctx.state.lock:
        ch = ctx.state.channels.get(key_of(code))
        if ch is None:
            raise settings_error(f"Channel with code {code} could not be found.")
        return json_response(_channel_item(ch))
