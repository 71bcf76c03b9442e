"""Envelopes, errors, pagination and query parsing shared by the BigCommerce sandbox routes.

Everything here follows store-apis.md part B: `{data, meta}` envelopes, `meta.pagination` with
relative-query-string links, the v3 error envelope `{status, title, type, instance?, errors?}`,
ISO-8601 dates with an offset, and JSON numbers for money.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

STATUS_DOCS_URL = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
DEFAULT_LIMIT = 50
MAX_LIMIT = 250
NOT_FOUND_TITLE = "The requested resource was not found."  # (unverified wording; status and shape per B3)
INVALID_TITLE = "JSON data is missing or invalid"  # B3: the title the specs use for invalid data


class ApiError(Exception):
    """An answer in the v3 error envelope; raised anywhere in a handler, rendered by the app."""

    def __init__(
        self,
        status: int,
        title: str,
        *,
        errors: dict[str, Any] | None = None,
        instance: str | None = None,
        type_url: str = STATUS_DOCS_URL,
    ) -> None:
        super().__init__(f"{status} {title}")
        self.status = status
        self.title = title
        self.errors = errors
        self.instance = instance
        self.type_url = type_url

    def body(self) -> dict[str, Any]:
        return error_body(
            self.status, self.title, errors=self.errors, instance=self.instance, type_url=self.type_url
        )


def error_body(
    status: int,
    title: str,
    *,
    errors: dict[str, Any] | None = None,
    instance: str | None = None,
    type_url: str = STATUS_DOCS_URL,
) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "title": title, "type": type_url}
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return body


def not_found(what: str = "") -> ApiError:
    # B3: 404 bodies are `{status, title, type, instance}`.
    return ApiError(404, NOT_FOUND_TITLE, instance=what)


def invalid(errors: dict[str, str], title: str = INVALID_TITLE) -> ApiError:
    return ApiError(422, title, errors=errors)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def data_response(data: Any, meta: dict[str, Any] | None = None, status: int = 200) -> Response:
    return json_response({"data": data, "meta": meta if meta is not None else {}}, status)


def no_content(status: int = 204) -> Response:
    return Response(status_code=status)


# --- time ---------------------------------------------------------------------------------------


def system_clock() -> datetime:
    """The real time as an aware UTC datetime: the default `BigCommerceState.clock`."""
    return datetime.now(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(dt: datetime) -> str:
    """v3 dates: ISO-8601 with a numeric offset, e.g. 2018-08-15T14:48:46+00:00 (B1)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def rfc2822(dt: datetime) -> str:
    """v2 dates: RFC-2822, e.g. Fri, 03 Jul 2015 17:57:10 +0000 (B1)."""
    return dt.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def parse_date_filter(raw: str) -> datetime:
    """A `date_modified` filter value: ISO date-time, a bare date, or a unix timestamp.

    B5: a date with no time gets the current time of day appended.
    """
    value = raw.strip()
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()
            now = utc_now()
            return datetime.combine(day, now.timetz())
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(422, f"The filter value '{raw}' is not a valid date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- numbers ------------------------------------------------------------------------------------


def num(value: float | int | None) -> float | int | None:
    """JSON number the way BigCommerce prints it: 49 rather than 49.0, 4 decimal places at most."""
    if value is None:
        return None
    f = round(float(value), 4)
    return int(f) if f.is_integer() else f


def coerce_number(value: Any) -> float:
    """A non-negative-or-not number from a request; numeric strings are accepted (the docs send them)."""
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, (int, float)):
        f = float(value)
    elif isinstance(value, str) and value.strip():
        f = float(value.strip())
    else:
        raise ValueError("not a number")
    if math.isnan(f) or math.isinf(f):
        raise ValueError("not a finite number")
    return f


def coerce_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("boolean is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError("not an integer")


# --- request bodies -----------------------------------------------------------------------------


async def read_json(request: Request) -> Any:
    """The JSON body. Wrong content type → 415, unparsable → 400 (B3)."""
    raw = await request.body()
    ctype = request.headers.get("content-type", "")
    if raw and "json" not in ctype.lower():
        raise ApiError(415, "The request Content-Type must be application/json")
    if not raw:
        raise ApiError(400, "The request body is empty")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "The request body is not valid JSON") from exc


async def read_object(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise invalid({"body": "The request body must be a JSON object."})
    return body


async def read_array(request: Request) -> list[Any]:
    body = await read_json(request)
    if not isinstance(body, list):
        raise invalid({"body": "The request body must be a JSON array."})
    return body


# --- query parameters ---------------------------------------------------------------------------


def path_int(request: Request, name: str) -> int:
    try:
        return int(request.path_params[name])
    except (KeyError, ValueError) as exc:
        raise not_found(request.url.path) from exc


def query_ints(request: Request, name: str) -> list[int] | None:
    """`id:in=1,2,3` → [1, 2, 3]; None when the parameter is absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise ApiError(422, f"The filter(s): {name} are not valid") from exc


def query_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(422, f"The filter(s): {name} are not valid") from exc


def query_strs(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def query_bool(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    lowered = raw.strip().lower()
    if lowered in ("1", "true"):
        return True
    if lowered in ("0", "false"):
        return False
    raise ApiError(422, f"The filter(s): {name} are not valid")


def include_set(request: Request) -> set[str]:
    return set(query_strs(request, "include") or [])


def select_fields(obj: dict[str, Any], request: Request, always: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """Apply `include_fields` / `exclude_fields` (B5); `id` is always returned."""
    include = query_strs(request, "include_fields")
    exclude = query_strs(request, "exclude_fields")
    if include:
        keep = set(include) | set(always)
        obj = {k: v for k, v in obj.items() if k in keep}
    if exclude:
        drop = set(exclude) - set(always)
        obj = {k: v for k, v in obj.items() if k not in drop}
    return obj


# --- pagination ---------------------------------------------------------------------------------


def page_params(request: Request, *, max_limit: int = MAX_LIMIT, cap: int | None = None) -> tuple[int, int]:
    """(page, limit). A limit above the maximum is a 413 (B5, C); `cap` silently lowers the page size
    (with `include=options` or `modifiers` BigCommerce drops the page size to 10)."""
    page = query_int(request, "page") or 1
    limit = query_int(request, "limit")
    limit = DEFAULT_LIMIT if limit is None else limit
    if limit > max_limit:
        raise ApiError(413, f"The requested limit is too large. The maximum limit is {max_limit}.")
    if limit < 1:
        limit = DEFAULT_LIMIT
    if cap is not None:
        limit = min(limit, cap)
    return max(page, 1), limit


def paginate(
    items: list[Any], request: Request, *, limit_first: bool = False, cap: int | None = None
) -> tuple[list[Any], dict[str, Any]]:
    """Slice one page and build `meta.pagination`; links are relative query strings with the
    other query parameters kept, `previous`/`next` left out at the ends (B2)."""
    page, limit = page_params(request, cap=cap)
    total = len(items)
    total_pages = math.ceil(total / limit) if total else 0
    start = (page - 1) * limit
    chunk = items[start : start + limit]
    others = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "limit")]

    def link(p: int) -> str:
        tail = [("limit", limit), ("page", p)] if limit_first else [("page", p), ("limit", limit)]
        pairs = others + [(k, str(v)) for k, v in tail]
        return "?" + "&".join(f"{quote(k, safe=':')}={quote(str(v), safe=',:')}" for k, v in pairs)

    links: dict[str, str] = {}
    if page > 1:
        links["previous"] = link(page - 1)
    links["current"] = link(page)
    if page < total_pages:
        links["next"] = link(page + 1)
    meta = {
        "pagination": {
            "total": total,
            "count": len(chunk),
            "per_page": limit,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    }
    return chunk, meta


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "item"


# --- batch answers ------------------------------------------------------------------------------


def item_message(error: ApiError) -> str:
    if not error.errors:
        return error.title
    details = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
    return f"{error.title} ({details})"


def batch_response(
    data: list[Any], failures: list[tuple[int, ApiError]], meta: dict[str, Any] | None = None
) -> Response:
    """200 when every item saved; 207 `{data, errors, meta}` when some did (B2); the failure itself
    when none did. `errors.errors` is keyed by the item's index in the request array."""
    meta = meta if meta is not None else {}
    if not failures:
        return data_response(data, meta)
    first = failures[0][1]
    if not data:
        # When every item failed alike the answer does not say which items failed (4_errors.md).
        if all(e.body() == first.body() for _, e in failures):
            return json_response(first.body(), first.status)
        detailed = {str(i): item_message(e) for i, e in failures}
        return json_response(error_body(first.status, first.title, errors=detailed), first.status)
    errors = {
        "status": first.status,
        "title": "Some of the items could not be saved.",
        "type": STATUS_DOCS_URL,
        "errors": {str(i): item_message(e) for i, e in failures},
    }
    return json_response({"data": data, "errors": errors, "meta": meta}, 207)


def too_many_items(maximum: int) -> ApiError:
    # B5: the exact 413 body of the products batch; the variants batch follows the same pattern.
    return ApiError(
        413,
        f"The request payload is too large. The maximum items allowed in the array is {maximum}.",
        errors={},
        type_url="/api-docs/getting-started/api-status-codes",
    )
