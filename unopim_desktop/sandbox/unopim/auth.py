"""OAuth2 password/refresh grants, bearer tokens, throttling and ACL of the UnoPim sandbox.

Behaviour from unopim-api.md §2 and §4.7: Laravel Passport with league/oauth2-server (9.x on V3,
8.x on V1, which adds `message` to every error and reports refresh failures as 401
`invalid_request`), the custom client lookup that binds a client to one admin e-mail, rotating
single-use refresh tokens, fixed one-minute throttle windows.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.sandbox.unopim.http import SERVER_ERROR_V1, TOO_MANY_REQUESTS, ApiError

INVALID_REQUEST_DESCRIPTION = (
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter "
    "more than once, or is otherwise malformed."
)


@dataclass
class AdminUser:
    email: str
    password: str
    active: bool = True
    user_id: int = 1


@dataclass
class ApiClient:
    """A Passport client plus the API key row that binds it to one admin and a permission set."""

    client_id: str
    secret: str
    admin_email: str
    permission_type: str = "all"  # "all" | "custom"
    permissions: list[str] = field(default_factory=list)
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    admin_email: str
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    admin_email: str
    access_token: str
    expires_at: float
    revoked: bool = False


class FixedWindowLimiter:
    """Laravel's RateLimiter: `limit` hits per key in a window that starts at the first hit."""

    def __init__(self, limit: int, window_s: int = 60) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> tuple[bool, int, int, int]:
        """Count one attempt. Returns (allowed, remaining, retry_after_s, reset_epoch)."""
        now = time.time()
        with self._lock:
            start, count = self._hits.get(key, (now, 0))
            if now - start >= self.window_s:
                start, count = now, 0
            reset_at = start + self.window_s
            retry_after = max(1, int(reset_at - now + 0.999))
            if count >= self.limit:
                return False, 0, retry_after, int(reset_at)
            count += 1
            self._hits[key] = (start, count)
            return True, self.limit - count, retry_after, int(reset_at)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class OAuthError(Exception):
    """A league/oauth2-server exception: error type, description, status and optional hint."""

    def __init__(self, error: str, description: str, status: int, hint: str | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.hint = hint

    def body(self, version: int) -> dict[str, Any]:
        payload: dict[str, Any] = {"error": self.error, "error_description": self.description}
        if self.hint:
            payload["hint"] = self.hint
        if version < 3:
            # league 8's getPayload() adds `message` (same text as error_description).
            payload["message"] = self.description
        return payload


def _invalid_request(param: str) -> OAuthError:
    return OAuthError("invalid_request", INVALID_REQUEST_DESCRIPTION, 400, f"Check the `{param}` parameter")


def _invalid_refresh_token(version: int, hint: str) -> OAuthError:
    if version >= 3:
        return OAuthError("invalid_grant", "The refresh token is invalid.", 400, hint)
    return OAuthError("invalid_request", "The refresh token is invalid.", 401, hint)


class AuthRegistry:
    """Clients, admins and issued tokens. Thread-safe: the test thread adds clients and expires tokens."""

    def __init__(self, *, version: int, access_token_ttl: int, refresh_token_ttl: int) -> None:
        self.version = version
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self.users: dict[str, AdminUser] = {}
        self.clients: dict[str, ApiClient] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        # Token issue and expiry times, in epoch seconds; tests may replace `clock` to control time.
        self.clock: Callable[[], float] = time.time
        self._lock = threading.Lock()

    # -- set-up -------------------------------------------------------------------------------
    def add_client(self, client_id: str, client_secret: str, username: str, password: str, *,
                   permission_type: str = "all", permissions: list[str] | None = None,
                   active: bool = True) -> None:  # fmt: skip
        with self._lock:
            user = self.users.get(username.lower())
            if user is None:
                user = AdminUser(username, password, active, user_id=len(self.users) + 1)
                self.users[username.lower()] = user
            else:
                user.password, user.active = password, active
            self.clients[client_id] = ApiClient(
                client_id, client_secret, username, permission_type, list(permissions or [])
            )

    def expire_tokens(self) -> None:
        with self._lock:
            for tok in self.access_tokens.values():
                tok.expires_at = 0.0

    def revoke_refresh_tokens(self) -> None:
        with self._lock:
            for tok in self.refresh_tokens.values():
                tok.revoked = True

    # -- token endpoint -----------------------------------------------------------------------
    def grant(self, params: dict[str, Any], basic_auth: tuple[str, str] | None) -> dict[str, Any]:
        """Run one `POST /oauth/token`; returns the token response or raises OAuthError."""
        grant_type = params.get("grant_type")
        if grant_type not in ("password", "refresh_token"):
            raise OAuthError(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
                400,
                "Check that all required parameters have been provided",
            )
        with self._lock:
            client = self._authenticate_client(params, basic_auth, grant_type)
            if grant_type == "password":
                email = self._check_password(params)
            else:
                email = self._consume_refresh_token(params, client)
            return self._issue(client, email)

    def _authenticate_client(self, params: dict[str, Any], basic_auth: tuple[str, str] | None,
                             grant_type: str) -> ApiClient:  # fmt: skip
        # league's getRequestParameter(): a body field wins, HTTP Basic is the fallback.
        basic_id, basic_secret = basic_auth if basic_auth is not None else (None, None)
        client_id = params.get("client_id", basic_id)
        secret = params.get("client_secret", basic_secret)
        if not client_id or not isinstance(client_id, str):
            raise _invalid_request("client_id")
        client = self.clients.get(client_id)
        invalid = OAuthError("invalid_client", "Client authentication failed", 401)
        if client is None or client.revoked or secret != client.secret:
            raise invalid
        # UnoPim's ClientRepository::find drops the client when a `username` is sent that is not
        # the e-mail of the admin bound to it (an unknown e-mail included): invalid_client, 401.
        username = params.get("username")
        if "username" in params and str(username or "").lower() != client.admin_email.lower():
            raise invalid
        return client

    def _check_password(self, params: dict[str, Any]) -> str:
        username, password = params.get("username"), params.get("password")
        if not username:
            raise _invalid_request("username")
        if not password:
            raise _invalid_request("password")
        user = self.users.get(str(username).lower())
        if user is None or user.password != password or not user.active:
            raise OAuthError("invalid_grant", "The user credentials were incorrect.", 400)
        return user.email

    def _consume_refresh_token(self, params: dict[str, Any], client: ApiClient) -> str:
        raw = params.get("refresh_token")
        if not raw or not isinstance(raw, str):
            raise _invalid_request("refresh_token")
        tok = self.refresh_tokens.get(raw)
        if tok is None:
            raise _invalid_refresh_token(self.version, "Cannot decrypt the refresh token")
        if tok.client_id != client.client_id:
            raise _invalid_refresh_token(self.version, "Token is not linked to client")
        if tok.expires_at < self.clock():
            raise _invalid_refresh_token(self.version, "Token has expired")
        if tok.revoked:
            raise _invalid_refresh_token(self.version, "Token has been revoked")
        # Rotation: league revokes the old refresh token and the access token it was issued with.
        tok.revoked = True
        old_access = self.access_tokens.get(tok.access_token)
        if old_access is not None:
            old_access.revoked = True
        return tok.admin_email

    def _issue(self, client: ApiClient, email: str) -> dict[str, Any]:
        now = self.clock()
        user = self.users.get(email.lower())
        claims = {
            "aud": client.client_id,
            "jti": secrets.token_hex(40),
            "iat": round(now, 6),
            "nbf": round(now, 6),
            "exp": round(now + self.access_token_ttl, 6),
            "sub": str(user.user_id if user else 1),
            "scopes": [],
        }
        header = _b64url(json.dumps({"typ": "JWT", "alg": "RS256"}, separators=(",", ":")).encode())
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        # An RS256 signature over a 4096-bit key is 512 bytes; random bytes keep the size honest.
        access = f"{header}.{payload}.{_b64url(secrets.token_bytes(512))}"
        refresh = "def50200" + secrets.token_hex(352)
        self.access_tokens[access] = AccessToken(access, client.client_id, email, now + self.access_token_ttl)
        self.refresh_tokens[refresh] = RefreshToken(
            refresh, client.client_id, email, access, now + self.refresh_token_ttl
        )
        return {
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl,
            "access_token": access,
            "refresh_token": refresh,
        }

    # -- REST guards --------------------------------------------------------------------------
    def authenticate(self, authorization: str | None) -> tuple[AdminUser, ApiClient] | None:
        """The admin and client behind a bearer token, or None (missing, unknown, expired, revoked)."""
        if not authorization or authorization[:7].lower() != "bearer ":
            return None
        raw = authorization[7:].strip()
        with self._lock:
            tok = self.access_tokens.get(raw)
            if tok is None or tok.revoked or tok.expires_at <= self.clock():
                return None
            user = self.users.get(tok.admin_email.lower())
            client = self.clients.get(tok.client_id)
            if user is None or client is None or client.revoked:
                return None
            return user, client

    def allowed(self, user: AdminUser, client: ApiClient, acl_keys: tuple[str, ...] | None) -> bool:
        """ScopeMiddleware: V3 refuses routes with no ACL entry; V1 lets them through."""
        if acl_keys is None:
            return self.version < 3
        if client.revoked or not user.active:
            return False
        if client.permission_type == "all":
            return True
        return any(key in client.permissions for key in acl_keys)


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=False).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if ":" not in decoded:
        return None
    client_id, secret = decoded.split(":", 1)
    return client_id, secret


def throttle_error(version: int, limit: int, retry_after: int, reset_at: int) -> ApiError:
    """The throttle refusal: V3 429 with Laravel's headers; V1 shows it as a 500 (§4.7)."""
    if version >= 3:
        return ApiError(
            429,
            TOO_MANY_REQUESTS,
            {
                "Retry-After": str(retry_after),
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset_at),
            },
        )
    return ApiError(500, SERVER_ERROR_V1)
