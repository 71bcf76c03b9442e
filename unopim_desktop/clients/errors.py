"""Typed errors for every remote. Each carries the HTTP status (0 when the server was never reached)
and the server's own message, never a secret or a full URL with credentials in its query."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status: int = 0

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str = "",
        body: Any = None,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.url = url
        self.body = body
        self.code = code  # the server's machine-readable error code, e.g. invalid_grant

    def __str__(self) -> str:
        prefix = f"HTTP {self.status}: " if self.status else ""
        return f"{prefix}{self.message}"


class Unreachable(ApiError):
    """Connection refused, DNS failure, timeout, TLS failure, connection dropped: HTTP 0."""

    status = 0


class TimedOut(Unreachable):
    """No complete answer in time. The message names the server (`server`: "UnoPim at https://…", "The
    WooCommerce store “Shop” at https://…") and the limit that ran out (`seconds`); `phase` says which:
    "connect" (no connection), "send" (the request was not taken), "answer" (silence), "finish" (the
    answer started but was still coming: a server that trickles bytes), "pool" (every connection busy)."""

    def __init__(self, message: str, *, server: str = "", seconds: float = 0.0, phase: str = "answer",
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.server = server
        self.seconds = seconds
        self.phase = phase


class AuthError(ApiError):
    """Credentials refused (400 invalid_grant, 401). `party` is "client", "user" or "" when unknown."""

    def __init__(self, message: str, *, party: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.party = party


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    """The thing addressed does not exist (a product, a category, an option)."""

    status = 404


class RouteNotFound(NotFound):
    """The server has no such route at all (UnoPim's router `{"error": "404 Page Not Found"}`,
    WordPress's `rest_no_route`): the server version lacks the endpoint, which says nothing about
    whether the thing addressed exists. Never read it as "already gone"."""


class NotAcceptable(ApiError):
    status = 406


class Conflict(ApiError):
    status = 409


class Validation(ApiError):
    """422 and other 4xx answers that describe what is wrong with the request; never retried."""

    status = 422

    def __init__(self, message: str, *, errors: Any = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.errors = errors


class RateLimited(ApiError):
    status = 429

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ApiError):
    status = 500

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after  # a 503 may say when to come back


class BadPayload(ApiError):
    """The answer was not the JSON we expected: an HTML login page, a proxy page, a truncated body."""
