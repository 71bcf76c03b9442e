"""The middleware chain in front of every UnoPim REST route, in each version's order.

V3 (`AA/Routes/admin-api.php`): accept.json (406) -> auth:api (401) -> throttle:rest-api (429) ->
api.scope (403) -> request.locale (422) -> handler.
V1: the `api` group's throttle (IP-keyed, reported as 500) -> auth:api (401) -> api.scope (403) ->
accept.json (406, exact match) -> request.locale (422) -> handler.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.unopim.auth import throttle_error
from unopim_desktop.sandbox.unopim.context import Ctx
from unopim_desktop.sandbox.unopim.http import (
    NOT_ACCEPTABLE,
    UNAUTHENTICATED,
    UNAUTHORIZED,
    ApiError,
    accepts_json,
    error_response,
    read_body,
    validation_error,
)
from unopim_desktop.sandbox.unopim.state import UnoPimState

Handler = Callable[[Ctx], Awaitable[Response]]

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Op:
    """One route: its Laravel name (for messages), handler and ACL keys.

    `acl` lists the V3 ACL keys that grant it (None: no ACL entry, refused on V3).
    `acl_v1` says whether V1's ACL config has an entry; V1 lets entry-less routes through.
    """

    name: str
    handler: Handler
    acl: tuple[str, ...] | None
    acl_v1: bool = True
    deprecated: bool = False  # V3's legacy `configrable-products` routes
    multipart: bool = False


def _requested_locales(body: Any) -> list[str]:
    """LocaleMiddleware::getLocales: keys of `labels` (top level or one level down), else of
    `locale_specific`. Deeper levels are not looked at (the recursive result is discarded)."""

    def keys_of(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [str(k) for k in value]
        if isinstance(value, list):
            return [str(i) for i in range(len(value))]
        return []

    def lookup(key: str) -> list[str]:
        if isinstance(body, dict) and key in body:
            return list(dict.fromkeys(keys_of(body[key])))
        elements = body.values() if isinstance(body, dict) else body if isinstance(body, list) else []
        found: list[str] = []
        for element in elements:
            if isinstance(element, dict) and key in element:
                found = keys_of(element[key]) + found
        return list(dict.fromkeys(found))

    return lookup("labels") or lookup("locale_specific")


def _check_locales(state: UnoPimState, body: Any) -> None:
    requested = _requested_locales(body)
    if not requested:
        return
    active = set(state.active_locales())
    missing = {i: code for i, code in enumerate(requested) if code not in active}
    if not missing:
        return
    # json_encode of array_diff keeps the original indexes: a list only when they run 0..n-1.
    if list(missing) == list(range(len(missing))):
        encoded = json.dumps(list(missing.values()))
    else:
        encoded = json.dumps({str(k): v for k, v in missing.items()})
    encoded = encoded.replace(", ", ",").replace(": ", ":")
    raise validation_error({"locale": [f"Invalid locales {encoded}"]})


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "127.0.0.1"


async def run_guarded(request: Request, state: UnoPimState, op: Op) -> Response:
    """Run the guards, then the handler; every ApiError becomes its JSON answer."""
    rate_headers: dict[str, str] = {}
    try:
        if state.version >= 3:
            if not accepts_json(request.headers.get("accept")):
                raise ApiError(406, NOT_ACCEPTABLE)
            who = state.auth.authenticate(request.headers.get("authorization"))
            if who is None:
                raise ApiError(401, UNAUTHENTICATED)
            rate_headers = _throttle(state, f"user:{who[0].user_id}")
            if not state.auth.allowed(who[0], who[1], op.acl):
                raise ApiError(403, UNAUTHORIZED)
        else:
            rate_headers = _throttle(state, f"ip:{_client_ip(request)}")
            who = state.auth.authenticate(request.headers.get("authorization"))
            if who is None:
                raise ApiError(401, UNAUTHENTICATED)
            if not state.auth.allowed(who[0], who[1], op.acl if op.acl_v1 else None):
                raise ApiError(403, UNAUTHORIZED)
            if request.headers.get("accept") != "application/json":
                raise ApiError(406, NOT_ACCEPTABLE)
        body: Any = {}
        if request.method in ("POST", "PUT", "PATCH") and not op.multipart:
            body = await read_body(request)
        _check_locales(state, body)
        response = await op.handler(Ctx(request, state, body))
        if request.method in WRITE_METHODS and 200 <= response.status_code < 300:
            state.record_write()
        if state.version >= 3:
            response = _cache_headers(request, response)
    except ApiError as err:
        response = error_response(err)
    for name, value in rate_headers.items():
        response.headers.setdefault(name, value)
    if op.deprecated and state.version >= 3:
        response.headers["Deprecation"] = "true"
        response.headers["Link"] = '</api/v1/rest/configurable-products>; rel="successor-version"'
    return response


def _cache_headers(request: Request, response: Response) -> Response:
    """V3's `cache.headers:private;etag` (innermost middleware): ETag on successful GETs, and 304
    with an empty body when If-None-Match already has it."""
    if request.method not in ("GET", "HEAD") or not 200 <= response.status_code < 300 or not response.body:
        return response
    etag = '"' + hashlib.md5(response.body).hexdigest() + '"'
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private"
    wanted = [tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")]
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "private"})
    return response


def _throttle(state: UnoPimState, key: str) -> dict[str, str]:
    limiter = state.rest_limiter
    if limiter is None:
        return {}
    allowed, remaining, retry_after, reset_at = limiter.hit(key)
    if not allowed:
        raise throttle_error(state.version, limiter.limit, retry_after, reset_at)
    return {"X-RateLimit-Limit": str(limiter.limit), "X-RateLimit-Remaining": str(remaining)}
