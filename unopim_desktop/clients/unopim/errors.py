"""What UnoPim's token endpoint means by its errors: which party (the API client or the user) is wrong."""

from __future__ import annotations

from unopim_desktop.clients.errors import ApiError, AuthError


def token_error(exc: ApiError) -> ApiError:
    """Say which party is wrong where the server says so (invalid_client vs invalid_grant)."""
    if exc.status not in (400, 401) or not isinstance(exc.body, dict):
        return exc
    code = exc.code
    if code == "invalid_client":
        return AuthError(
            exc.message or "Client authentication failed", party="client", status=exc.status,
            url=exc.url, body=exc.body, code=code,
        )
    if code == "invalid_grant":
        return AuthError(
            exc.message or "The user credentials were incorrect.", party="user", status=exc.status,
            url=exc.url, body=exc.body, code=code,
        )
    if code in ("invalid_request", "unsupported_grant_type", "invalid_scope"):
        return AuthError(exc.message, party="", status=exc.status, url=exc.url, body=exc.body, code=code)
    return exc
