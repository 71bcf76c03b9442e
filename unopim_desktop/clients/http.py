"""One place for HTTP: client construction, retries with backoff, Retry-After, and mapping answers to
typed errors. Clients for UnoPim and the stores build on these functions."""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from unopim_desktop import __version__
from unopim_desktop.clients.errors import (
    ApiError,
    AuthError,
    BadPayload,
    Conflict,
    Forbidden,
    NotAcceptable,
    NotFound,
    RateLimited,
    RouteNotFound,
    ServerError,
    Unreachable,
    Validation,
)

USER_AGENT = f"UnoPimDesktop/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=30.0)


def make_async_client(
    *,
    base_url: str = "",
    headers: dict[str, str] | None = None,
    max_connections: int = 8,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    verify: bool | str = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """One pooled client per remote. Small pools: shops on shared hosting dislike many connections."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        timeout=timeout,
        verify=verify,
        transport=transport,
        follow_redirects=False,
    )


@dataclass
class RetryPolicy:
    attempts: int = 4  # total tries, the first included
    base_delay: float = 0.5
    max_delay: float = 30.0
    # Beyond this a Retry-After is not waited out inside one call; the caller decides.
    max_retry_after: float = 120.0

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the attempt just failed (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


NO_RETRY = RetryPolicy(attempts=1)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def safe_url(url: httpx.URL | str) -> str:
    """The URL without its query string, which may carry keys (WooCommerce's consumer_key/secret)."""
    u = httpx.URL(str(url))
    return str(u.copy_with(query=None, fragment=None))


def decode_json(response: httpx.Response) -> Any:
    """The body as JSON, or BadPayload that says what came instead (an HTML page is the common case)."""
    text = response.text
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        kind = "an HTML page" if "<html" in text[:2000].lower() or "<!doctype" in text[:200].lower() else "not JSON"
        raise BadPayload(
            f"The server answered with {kind} instead of JSON",
            status=response.status_code,
            url=safe_url(response.request.url),
            body=text[:300],
        ) from None


def server_message(body: Any) -> str:
    """The human part of an error body from UnoPim, WooCommerce or BigCommerce."""
    if isinstance(body, dict):
        for key in ("error_description", "message", "title", "description", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    if isinstance(body, list) and body:
        return server_message(body[0])
    if isinstance(body, str):
        return body.strip()[:300]
    return ""


def error_for(response: httpx.Response) -> ApiError:
    """Map a non-2xx answer to a typed error. Non-JSON bodies on error statuses are tolerated."""
    status = response.status_code
    try:
        body = decode_json(response)
    except BadPayload:
        body = response.text[:300]
    msg = server_message(body) or response.reason_phrase or f"HTTP {status}"
    code = ""
    if isinstance(body, dict):
        raw = body.get("error") or body.get("code") or ""
        code = raw if isinstance(raw, str) else ""
    kw: dict[str, Any] = {"status": status, "url": safe_url(response.request.url), "body": body, "code": code}
    if status == 401:
        return AuthError(msg, **kw)
    if status == 403:
        return Forbidden(msg, **kw)
    if status == 404:
        return RouteNotFound(msg, **kw) if is_route_miss(body) else NotFound(msg, **kw)
    if status == 406:
        return NotAcceptable(msg, **kw)
    if status == 409:
        return Conflict(msg, **kw)
    if status == 429:
        return RateLimited(msg, retry_after=parse_retry_after(response.headers.get("Retry-After")), **kw)
    if status >= 500:
        return ServerError(msg, **kw)
    errors = body.get("errors") if isinstance(body, dict) else None
    return Validation(msg, errors=errors, **kw)


def is_route_miss(body: Any) -> bool:
    """A 404 that the router gave, not a controller: UnoPim's (Laravel's) `{"error": "404 Page Not Found",
    "description": …}` — a controller's "not found" is `{"success": false, "message": …}` — or
    WordPress's `rest_no_route`."""
    if not isinstance(body, dict):
        return False
    if body.get("code") == "rest_no_route":
        return True
    error = body.get("error")
    return isinstance(error, str) and error.startswith("404") and "success" not in body and "message" not in body


def is_retryable(error: ApiError) -> bool:
    return isinstance(error, (Unreachable, RateLimited, ServerError)) or error.status in (408,)


async def send_with_retry(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    on_retry: Callable[[ApiError, float], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> httpx.Response:
    """Send, and on a retryable failure wait and send again.

    A non-idempotent request (a create) is retried only when it certainly never reached the server
    (connection refused); otherwise the caller re-resolves it ("find by SKU, then update").
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            response = await send()
        except httpx.ConnectError as exc:
            error: ApiError = Unreachable(_describe_transport_error(exc))
            never_sent = True
        except (httpx.TransportError, httpx.DecodingError) as exc:
            error = Unreachable(_describe_transport_error(exc))
            never_sent = False
        else:
            if response.status_code < 400:
                return response
            error = error_for(response)
            never_sent = False
        if not is_retryable(error) or attempt >= policy.attempts or (not idempotent and not never_sent):
            raise error
        delay = policy.backoff(attempt)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > policy.max_retry_after:
                raise error
            delay = max(delay, error.retry_after)
        if on_retry:
            on_retry(error, delay)
        await sleep(delay)


def _describe_transport_error(exc: Exception) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "Timed out while connecting"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "The host name could not be resolved"
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return f"The TLS connection failed ({text[:120]})"
        return "The connection was refused or could not be opened"
    if isinstance(exc, httpx.ReadTimeout):
        return "The server did not answer in time"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "The server closed the connection before the answer was complete"
    if isinstance(exc, httpx.DecodingError):
        return "The answer could not be decoded"
    return f"Network error ({type(exc).__name__})"
