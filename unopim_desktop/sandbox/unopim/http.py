"""HTTP plumbing shared by the UnoPim sandbox handlers: Laravel-style JSON, errors, request bodies.

UnoPim is a Laravel app: `response()->json()` escapes `/` as `\\/` and non-ASCII as `\\uXXXX`, and a
PHP array cannot tell an empty list from an empty map, so every empty object goes out as `[]`.
The sandbox reproduces both so that a client which trips over them here trips before production.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

# Bodies of the framework-level errors (unopim-api.md §4.6), by API version.
NOT_FOUND_V3 = {
    "error": "404 Page Not Found",
    "description": "Oops! The page you're looking for is on vacation. It seems we couldn't find what you were "
    "searching for.",
}
# V1 looks up a translation key that does not exist, so the raw key is sent.
NOT_FOUND_V1 = {"error": "404 Page Not Found", "description": "admin::app.shop.errors.404.description"}
METHOD_NOT_ALLOWED_V3 = {
    "error": "405 Method Not Allowed",
    "description": "Oops! The request method is not allowed for this URL. Please use the correct method or "
    "return to the previous page.",
}
# V1's handler maps only 401/403/404/419/503, so a 405 (or a 429) surfaces as a 500.
SERVER_ERROR_V1 = {"error": "500 Internal Server Error", "description": "admin::app.shop.errors.500.description"}
TOO_MANY_REQUESTS = {
    "error": "429 Too Many Requests",
    "description": "Oops! Too many requests have been made in a short time. Please wait a moment and try again.",
}
SERVICE_UNAVAILABLE = {
    "error": "503 Service Unavailable",
    "description": "Oops! Looks like we're temporarily down for maintenance. Please check back in a bit.",
}
UNAUTHENTICATED = {"error": "Authentication failed due to invalid credentials or expired token."}
UNAUTHORIZED = {"error": "This action is unauthorized"}
NOT_ACCEPTABLE = {"error": "Accept header must be application/json"}
INTERNAL_ERROR = {"success": False, "message": "Internal Server Error"}


class ApiError(Exception):
    """A finished error answer; raised anywhere below a handler and rendered by the dispatcher."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def catalog_error(status: int, message: str) -> ApiError:
    """`{"success": false, "message": ...}`: the envelope of catalog controllers' refusals."""
    return ApiError(status, {"success": False, "message": message})


def validation_error(errors: Any, message: str = "Validation failed.") -> ApiError:
    """422 with the `errors` bag (a dict of field -> [messages], or a list of bags for some handlers)."""
    return ApiError(422, {"success": False, "message": message, "errors": errors})


def settings_error(message: str) -> ApiError:
    """Settings controllers catch every exception and answer 400 `{"error": message}`."""
    return ApiError(400, {"error": message})


_SCALARS = (str, int, float, bool, type(None))


def phpify(value: Any) -> Any:
    """An empty map becomes `[]`, as a decoded PHP array re-encodes (recursively)."""
    # Plain values are passed over without a call: every listing page runs this over all its values.
    if isinstance(value, dict):
        if not value:
            return []
        return {k: v if type(v) in _SCALARS else phpify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else phpify(v) for v in value]
    return value


def laravel_json_bytes(body: Any) -> bytes:
    # json.dumps escapes non-ASCII by default; `/` only ever appears inside strings, so a plain
    # replace gives PHP's JSON_ESCAPE_SLASHES-off behaviour without re-implementing the encoder.
    return json.dumps(phpify(body), separators=(",", ":")).replace("/", "\\/").encode()


class LaravelJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return laravel_json_bytes(content)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return LaravelJSONResponse(body, status_code=status, headers=headers)


def error_response(err: ApiError) -> Response:
    return json_response(err.body, err.status, err.headers)


def laravel_input(value: Any, *, key: str | None = None) -> Any:
    """Laravel's global TrimStrings and ConvertEmptyStringsToNull middleware, applied recursively
    (passwords are not trimmed). A client that sends `"  x "` or `""` gets `"x"` or null stored."""
    if isinstance(value, dict):
        return {k: laravel_input(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [laravel_input(v) for v in value]
    if isinstance(value, str):
        text = value if key in ("password", "password_confirmation", "current_password") else value.strip()
        return None if text == "" else text
    return value


async def read_body(request: Request) -> dict[str, Any] | list[Any]:
    """The request input as Laravel's `$request->all()` sees it: JSON or form fields, trimmed,
    with empty strings as null.

    A body that is not valid JSON reads as empty input, as Laravel does (validation then reports
    the missing fields).
    """
    return laravel_input(await _read_raw_body(request))


async def _read_raw_body(request: Request) -> dict[str, Any] | list[Any]:
    raw = await request.body()
    if not raw:
        return {}
    ctype = request.headers.get("content-type", "").lower()
    if "json" in ctype:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, (dict, list)) else {}
    if "application/x-www-form-urlencoded" in ctype:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    # Laravel also decodes a JSON body sent without a JSON content type when it looks like JSON.
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, (dict, list)) else {}


def php_type_name(value: Any) -> str:
    """`gettype()` of a decoded JSON value, for messages that quote it."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "array"


def accepts_json(accept: str | None) -> bool:
    """Laravel's `$request->accepts('application/json')` (V3's Accept rule).

    No header accepts everything; so do `*/*`, `*`, `application/*`, `application/json` with
    parameters, and structured-suffix types such as `application/vnd.x+json`.
    """
    if accept is None or not accept.strip():
        return True
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if not media:
            continue
        if media in ("*/*", "*", "application/*", "application/json"):
            return True
        if media.startswith("application/") and media.endswith("+json"):
            return True
    return False
