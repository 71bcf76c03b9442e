"""X-Auth-Token authentication, OAuth scopes and the store-wide request quota (B1, B3, B9).

`ApiGate` is plain ASGI middleware that sits in front of the routes: it answers 401 / 403 / 429
itself and puts the four `X-Rate-Limit-*` headers on every API answer.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import Headers

from unopim_desktop.sandbox.bigcommerce.common import STATUS_DOCS_URL, error_body

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCOPE_PRODUCTS = "store_v2_products"
SCOPE_PRODUCTS_READ_ONLY = "store_v2_products_read_only"
SCOPE_INFORMATION = "store_v2_information"
SCOPE_INFORMATION_READ_ONLY = "store_v2_information_read_only"
DEFAULT_SCOPES = [SCOPE_PRODUCTS, SCOPE_INFORMATION]

# B3, observed body [3P token-validator readme].
FORBIDDEN_BODY = {
    "status": 403,
    "title": "You don't have a required scope to access the endpoint",
    "type": STATUS_DOCS_URL,
    "errors": {},
}
# B3: the 401 body is undocumented; clients must rely on the status. Same envelope as the 403
# (unverified wording).
UNAUTHORIZED_TITLE = "Unauthorized. The X-Auth-Token header is missing or the token is invalid."
TOO_MANY_TITLE = "Too many requests. The store's API request quota is used up; wait for the window to reset."

_API_PATH = re.compile(r"^/stores/([^/]+)/(v2|v3|graphql)(/.*)?$")
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenRegistry:
    """Access tokens of the store's API accounts and the scopes each was given."""

    def __init__(self) -> None:
        self._scopes: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def add(self, token: str, scopes: list[str]) -> None:
        with self._lock:
            self._scopes[token] = frozenset(scopes)

    def scopes_for(self, token: str | None) -> frozenset[str] | None:
        if not token:
            return None
        with self._lock:
            return self._scopes.get(token)


def scopes_allowing(api: str, method: str) -> frozenset[str]:
    """Any one of these scopes lets the request through. Modify scopes imply read (api-accounts.mdx)."""
    if api == "v2":  # /v2/store and /v2/time are store information (B4)
        if method in _READ_METHODS:
            return frozenset({SCOPE_INFORMATION, SCOPE_INFORMATION_READ_ONLY})
        return frozenset({SCOPE_INFORMATION})
    if method in _READ_METHODS or api == "graphql":  # GraphQL checks each field's scope itself
        return frozenset({SCOPE_PRODUCTS, SCOPE_PRODUCTS_READ_ONLY})
    return frozenset({SCOPE_PRODUCTS})


class RateLimiter:
    """A fixed window per store: `quota` requests, then 429 until the window ends (B9).

    The window opens with the first request after the previous one ended.
    """

    def __init__(self, quota: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.quota = quota
        self.window_s = window_s
        self._clock = clock
        self._window_start: float | None = None
        self._used = 0
        self._lock = threading.Lock()

    def _roll(self, now: float) -> None:
        if self._window_start is None or now - self._window_start >= self.window_s:
            self._window_start = now
            self._used = 0

    def _reset_ms(self, now: float) -> int:
        if self._window_start is None:
            return int(self.window_s * 1000)
        return max(0, math.ceil((self._window_start + self.window_s - now) * 1000))

    def consume(self) -> tuple[bool, dict[str, str]]:
        """Take one request from the quota; False (and 429 headers) when none is left."""
        with self._lock:
            now = self._clock()
            self._roll(now)
            if self._used >= self.quota:
                reset_ms = self._reset_ms(now)
                headers = self._headers(0, reset_ms)
                headers["X-Retry-After"] = str(max(1, math.ceil(reset_ms / 1000)))
                return False, headers
            self._used += 1
            return True, self._headers(self.quota - self._used, self._reset_ms(now))

    def peek(self) -> dict[str, str]:
        """The headers as they stand, for answers that do not use the quota (401, 403)."""
        with self._lock:
            now = self._clock()
            if self._window_start is not None and now - self._window_start >= self.window_s:
                return self._headers(self.quota, int(self.window_s * 1000))
            return self._headers(self.quota - self._used, self._reset_ms(now))

    def snapshot(self) -> dict[str, Any]:
        headers = self.peek()
        return {
            "quota": self.quota,
            "window_ms": int(self.window_s * 1000),
            "left": int(headers["X-Rate-Limit-Requests-Left"]),
            "reset_ms": int(headers["X-Rate-Limit-Time-Reset-Ms"]),
        }

    def _headers(self, left: int, reset_ms: int) -> dict[str, str]:
        return {
            "X-Rate-Limit-Requests-Left": str(max(0, left)),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Time-Window-Ms": str(int(self.window_s * 1000)),
        }

    def injected_429_headers(self, retry_after_s: int) -> dict[str, str]:
        """Headers for a fault-injected 429: the quota looks spent and resets after `retry_after_s`,
        so a client that honours the longer of the two waits (B9) does not wait a whole window."""
        headers = self._headers(0, retry_after_s * 1000)
        headers["X-Retry-After"] = str(retry_after_s)
        return headers


class ApiGate:
    """Checks the store hash, token, scope and quota of every `/stores/{hash}/v2|v3/…` request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        store_hash: str,
        tokens: TokenRegistry,
        limiter: RateLimiter,
        on_write: Callable[[], None],
        on_base_url: Callable[[str], None],
    ) -> None:
        self.app = app
        self.store_hash = store_hash
        self.tokens = tokens
        self.limiter = limiter
        self.on_write = on_write
        self.on_base_url = on_base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _API_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None:
            await self.app(scope, receive, send)
            return
        store_hash, api = match.group(1), match.group(2)
        method = scope["method"].upper()
        headers = Headers(scope=scope)
        host = headers.get("host")
        if host:
            # Image URLs in answers point back at the address this client reached the server on.
            self.on_base_url(f"{scope.get('scheme', 'http')}://{host}")
        if store_hash != self.store_hash:
            # A mistyped API path: no store answers there (unverified status for the real gateway).
            await _send_json(send, 404, error_body(404, "Store not found", instance=scope["path"]), {})
            return
        token = headers.get("x-auth-token")
        granted = self.tokens.scopes_for(token)
        if granted is None:
            body = error_body(401, UNAUTHORIZED_TITLE, errors={})
            await _send_json(send, 401, body, self.limiter.peek())
            return
        if not granted & scopes_allowing(api, method):
            await _send_json(send, 403, dict(FORBIDDEN_BODY), self.limiter.peek())
            return
        allowed, rate_headers = self.limiter.consume()
        if not allowed:
            await _send_json(send, 429, error_body(429, TOO_MANY_TITLE, errors={}), rate_headers)
            return
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in rate_headers.items()]
        # A GraphQL POST is a query as often as a mutation: the endpoint counts its own writes.
        is_write = method not in _READ_METHODS and api != "graphql"

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + raw_headers
                if is_write and 200 <= message["status"] < 300:
                    self.on_write()
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    raw = json.dumps(body).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": raw})
