"""The UnoPim sandbox: a local peer of UnoPim's REST API (V1 or V3 flavour) for tests, demo, benchmarks.

Public API (re-exported by the package): `DEMO_CREDENTIALS`, `UnoPimState`, `create_unopim_app`.
Behaviour follows `reference/unopim-api.md`; the helpers are the other modules of this package.

Knobs on `UnoPimState` beyond the constructor: `clock` (a callable returning an aware datetime;
timestamps are truncated to the second like MySQL TIMESTAMP columns), `emulate_sku_in_bug`
(`sku IN` matches only the first SKU, as real UnoPim does), `association_types` (add custom
types such as `bundle_kit` for V3's rich associations), `auth.clock` (a callable returning epoch
seconds, `time.time` by default: when tokens are issued and expire).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from unopim_desktop.sandbox.faults import FaultConfig, SandboxMiddleware
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.unopim.auth import OAuthError, parse_basic_auth, throttle_error
from unopim_desktop.sandbox.unopim.guards import Op, run_guarded
from unopim_desktop.sandbox.unopim.http import (
    INTERNAL_ERROR,
    METHOD_NOT_ALLOWED_V3,
    NOT_FOUND_V1,
    NOT_FOUND_V3,
    SERVER_ERROR_V1,
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    ApiError,
    error_response,
    json_response,
    read_body,
)
from unopim_desktop.sandbox.unopim.routes import build_table
from unopim_desktop.sandbox.unopim.state import DEMO_CREDENTIALS, UnoPimState

__all__ = ["DEMO_CREDENTIALS", "UnoPimState", "create_unopim_app"]


def _endpoint(state: UnoPimState, ops: dict[str, Op]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await run_guarded(request, state, ops[method])

    return endpoint


def _token_endpoint(state: UnoPimState) -> Callable[[Request], Awaitable[Response]]:
    async def token(request: Request) -> Response:
        body = await read_body(request)
        params: dict[str, Any] = body if isinstance(body, dict) else {}
        if state.token_limiter is not None:
            key = f"{params.get('username') or ''}|{request.client.host if request.client else ''}"
            allowed, _, retry_after, reset_at = state.token_limiter.hit(key)
            if not allowed:
                err = throttle_error(state.version, state.token_limiter.limit, retry_after, reset_at)
                if "json" in request.headers.get("accept", ""):
                    return error_response(err)
                # Without a JSON Accept, Laravel renders its HTML error page.
                return PlainTextResponse("Too Many Requests", status_code=err.status, headers=err.headers)
        basic = parse_basic_auth(request.headers.get("authorization"))
        try:
            answer = state.auth.grant(params, basic)
        except OAuthError as exc:
            headers = {}
            if exc.error == "invalid_client" and basic is not None:
                headers["WWW-Authenticate"] = 'Basic realm="OAuth"'
            return json_response(exc.body(state.version), exc.status, headers)
        # Passport's BearerTokenResponse; JSONResponse keeps the slashes of the JWT unescaped.
        return JSONResponse(
            answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
        )

    return token


def _storage_response(state: UnoPimState, path: str) -> Response | None:
    with state.lock:
        data = state.storage.get(path)
    if data is None:
        return None
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Response(data, media_type=media_type)


def _storage_endpoint(state: UnoPimState) -> Callable[[Request], Awaitable[Response]]:
    """The public disk (`/storage/...`): stored media bytes, served without auth as the web server does."""

    async def storage(request: Request) -> Response:
        response = _storage_response(state, request.path_params["path"])
        if response is None:
            raise HTTPException(404)
        return response

    return storage


STORAGE_PREFIX = "/storage/"


def _with_storage_shortcut(state: UnoPimState, app: Starlette) -> Callable[..., Awaitable[None]]:
    """Serve a stored file without Starlette's routing: a store downloads every product image from here
    (~4 per product), and matching the path against every API route first was most of each download's
    cost. The answer is the one `_storage_endpoint` gives (the storage route is the only one that can
    match `/storage/...`); anything else, a missing file included, goes through the app as before."""

    async def app_with_shortcut(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path")
                and scope["path"].startswith(STORAGE_PREFIX)):
            response = _storage_response(state, scope["path"][len(STORAGE_PREFIX):])
            if response is not None:
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return app_with_shortcut


def _sandbox_state_endpoint(state: UnoPimState, stats: RequestStats) -> Callable[[Request], Awaitable[Response]]:
    async def sandbox_state(request: Request) -> Response:
        return JSONResponse(
            {
                "server": "unopim",
                "version": state.version,
                "counts": state.counts(),
                "writes": state.write_count(),
                "rate_limit_per_min": state.rate_limit_per_min,
                "requests": stats.snapshot(),
            }
        )

    return sandbox_state


def create_unopim_app(state: UnoPimState, *, faults: FaultConfig | None = None,
                      stats: RequestStats | None = None) -> SandboxMiddleware:  # fmt: skip
    """The ASGI app of one UnoPim sandbox, wrapped in SandboxMiddleware (request counts, faults)."""
    stats = stats if stats is not None else RequestStats()
    routes: list[Route] = []
    for path, ops in build_table(state.version):
        routes.append(Route(path, _endpoint(state, ops), methods=list(ops)))
    routes.append(Route("/oauth/token", _token_endpoint(state), methods=["POST"]))
    routes.append(Route("/storage/{path:path}", _storage_endpoint(state), methods=["GET"]))
    routes.append(Route("/__sandbox/state", _sandbox_state_endpoint(state, stats), methods=["GET"]))

    async def not_found(request: Request, exc: Exception) -> Response:
        return json_response(NOT_FOUND_V3 if state.version >= 3 else NOT_FOUND_V1, 404)

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        if state.version < 3:
            return json_response(SERVER_ERROR_V1, 500)
        allow = exc.headers.get("Allow", "") if isinstance(exc, HTTPException) and exc.headers else ""
        return json_response(METHOD_NOT_ALLOWED_V3, 405, {"Allow": allow} if allow else None)

    async def server_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, ApiError):
            return error_response(exc)
        return json_response(INTERNAL_ERROR, 500)

    app = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: method_not_allowed, Exception: server_error},
    )
    app.state.stats = stats
    app.state.sandbox = state

    def error_body(status: int) -> dict[str, Any]:
        if status == 429:
            return TOO_MANY_REQUESTS if state.version >= 3 else SERVER_ERROR_V1
        if status == 503:
            return SERVICE_UNAVAILABLE
        return INTERNAL_ERROR

    def extra_429_headers() -> dict[str, str]:
        limit = state.rate_limit_per_min or 120
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"}

    wrapped = SandboxMiddleware(
        _with_storage_shortcut(state, app), stats=stats, faults=faults, routes=app.routes, error_body=error_body,
        extra_429_headers=extra_429_headers,
    )  # fmt: skip
    # Callers reach the stats and the state through `.state` whichever object they hold.
    wrapped.state = app.state  # type: ignore[attr-defined]
    wrapped.starlette_app = app  # type: ignore[attr-defined]
    return wrapped
