"""List envelopes, `filters` parsing and pagination of the UnoPim sandbox (unopim-api.md §4.1, §4.2, §5).

Filter checks run in the server's order (QueryParametersChecker, then
ApiDataSource::validateFilterParameters) so the first error reported is the one UnoPim reports.
Comparisons mimic MySQL with a case-insensitive collation, since that is what the real `where`
clauses run against.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request

from unopim_desktop.sandbox.unopim.http import INTERNAL_ERROR, ApiError, php_type_name

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
DATE_OPERATORS = (">", ">=", "<", "<=", "BETWEEN")


class FilterError(Exception):
    """A rejected `filters` parameter. kind: "json" (not JSON), "invalid" (422 family), "server" (500)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def filter_error_response(err: FilterError, *, version: int, settings: bool) -> ApiError:
    """How each controller family reports a filter error (§4.6)."""
    if settings:
        # Settings controllers catch everything and answer 400 {"error": message}.
        return ApiError(400, {"error": err.message})
    if err.kind == "server":
        return ApiError(500, INTERNAL_ERROR)
    if err.kind == "json":
        if version >= 3:
            return ApiError(400, {"success": False, "message": err.message})
        return ApiError(500, INTERNAL_ERROR)
    # UnprocessableEntityHttpException: 422 on V2.1+, 404 on V1.
    return ApiError(422 if version >= 3 else 404, {"success": False, "message": err.message})


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: Any


def parse_filters(raw: str | None, allowed: dict[str, Sequence[str]]) -> list[Condition]:
    """Parse and check `filters` against `allowed` (field -> operators). Raises FilterError."""
    if raw is None:
        return []
    try:
        decoded = json.loads(raw)
    except (ValueError, TypeError):
        decoded = None
    if decoded is None:
        raise FilterError("json", "filter query parameter should be valid JSON.")
    if isinstance(decoded, list):
        decoded = {str(i): v for i, v in enumerate(decoded)}
    if not isinstance(decoded, dict):
        # PHP: foreach over a scalar raises an ErrorException, rendered as a 500.
        raise FilterError("server", "foreach() argument must be of type array|object")
    # QueryParametersChecker::checkCriterionParameters
    for key, entries in decoded.items():
        if not isinstance(entries, (list, dict)) or not _has_index_zero(entries):
            raise FilterError(
                "invalid",
                f'Structure of filter "{key}" should respect this structure: '
                f'{{"{key}":[{{"operator": "my_operator", "value": "my_value"}}]}}',
            )
        for entry in _entries(entries):
            if not isinstance(entry, dict) or entry.get("operator") is None:
                raise FilterError("invalid", f'Operator is missing for the property "{key}".')
            if not isinstance(entry["operator"], str):
                raise FilterError(
                    "invalid", f'Operator has to be a string, "{php_type_name(entry["operator"])}" given.'
                )
    # ApiDataSource::validateFilterParameters (+ V3's date and BETWEEN checks)
    conditions: list[Condition] = []
    for key, entries in decoded.items():
        for entry in _entries(entries):
            op = entry["operator"]
            if key not in allowed or op not in allowed[key]:
                raise FilterError(
                    "invalid", f'Filter on property "{key}" is not supported or does not support operator "{op}".'
                )
            if entry.get("value") is None:
                raise FilterError("invalid", f'Value is missing for the property "{key}".')
            value = entry["value"]
            if op == "=" and isinstance(value, (list, dict)):
                raise FilterError(
                    "invalid", f'Filter "{key}" with operator "{op}" is not supported or does not support a array value.'
                )
            if op in ("IN", "NOT IN") and not isinstance(value, (list, dict)):
                raise FilterError("invalid", f'Filter "{key}" with operator "{op}" expects a array value.')
            if op == "BETWEEN" and (not isinstance(value, list) or len(value) != 2):
                raise FilterError("invalid", f'Filter "{key}" with operator "{op}" expects a array of exactly two values.')
            if op in DATE_OPERATORS:
                for v in value if op == "BETWEEN" else [value]:
                    if parse_filter_date(v) is None:
                        raise FilterError(
                            "invalid", f'Filter "{key}" expects a valid date value, e.g. "2026-01-31 00:00:00".'
                        )
            if isinstance(value, dict):
                value = list(value.values())
            conditions.append(Condition(key, op, value))
    return conditions


def _has_index_zero(entries: list[Any] | dict[str, Any]) -> bool:
    if isinstance(entries, list):
        return bool(entries) and entries[0] is not None
    return entries.get("0") is not None


def _entries(entries: list[Any] | dict[str, Any]) -> list[Any]:
    return list(entries.values()) if isinstance(entries, dict) else list(entries)


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S.%f")


def parse_filter_date(value: Any) -> datetime | None:
    """What `Carbon::parse` accepts, within reason: ISO dates and times, with or without zone."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


# -- MySQL-like comparison ------------------------------------------------------------------------
_NUM_PREFIX = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def mysql_number(value: Any) -> float:
    """How MySQL casts a value to a number when one side of a comparison is numeric."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = _NUM_PREFIX.match(value)
        return float(m.group(0)) if m else 0.0
    return 0.0


def mysql_equal(column: Any, value: Any) -> bool:
    if column is None:
        return False
    if isinstance(column, str) and isinstance(value, str):
        # utf8mb4_unicode_ci: case-insensitive, trailing spaces ignored.
        return column.rstrip(" ").casefold() == value.rstrip(" ").casefold()
    return mysql_number(column) == mysql_number(value)


def condition_matches(cond: Condition, column: Any) -> bool:
    if cond.operator == "=":
        return mysql_equal(column, cond.value)
    if cond.operator == "IN":
        return any(mysql_equal(column, v) for v in cond.value)
    if cond.operator == "NOT IN":
        return column is not None and not any(mysql_equal(column, v) for v in cond.value)
    raise ValueError(cond.operator)


def apply_or_filters(rows: Iterable[dict[str, Any]], conditions: list[Condition],
                     column: Callable[[dict[str, Any], str], Any]) -> list[dict[str, Any]]:  # fmt: skip
    """Generic resources chain every condition with `orWhere`: a row matching any one is kept."""
    rows = list(rows)
    if not conditions:
        return rows
    return [r for r in rows if any(condition_matches(c, column(r, c.field)) for c in conditions)]


# -- pagination -----------------------------------------------------------------------------------
def resolve_limit(raw: str | None, version: int) -> int:
    """V3 clamps to 1..100 and falls back to 10 when not numeric. V1 does not clamp."""
    number = _php_numeric(raw)
    if number is None:
        return DEFAULT_LIMIT
    if version >= 3:
        return int(max(1, min(int(number), MAX_LIMIT)))
    # V1 passes the value to paginate() unclamped; a zero or negative limit cannot page, so the
    # sandbox falls back to the default there [source-inferred].
    return int(number) if int(number) >= 1 else DEFAULT_LIMIT


def _php_numeric(raw: str | None) -> float | None:
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def resolve_page(raw: str | None) -> int:
    """Laravel's resolveCurrentPage: a positive integer, else 1."""
    if raw is None:
        return 1
    try:
        page = int(raw.strip())
    except ValueError:
        return 1
    return page if page >= 1 else 1


def page_url(request: Request, **overrides: Any) -> str:
    """The request URL with its query re-encoded as PHP's http_build_query (RFC 3986) would.

    Overridden keys keep their position if the request had them (array_merge), else go last.
    """
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        params[key] = value
    for key, value in overrides.items():
        params[key] = value
    base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
    return base + "?" + urlencode(params, quote_via=quote, safe="")


def page_envelope(request: Request, items: list[Any], *, version: int) -> dict[str, Any]:
    """The §4.1 envelope for one page of `items` (already filtered and ordered by id)."""
    limit = resolve_limit(request.query_params.get("limit"), version)
    page = resolve_page(request.query_params.get("page"))
    total = len(items)
    last_page = max(1, math.ceil(total / limit))
    start = (page - 1) * limit
    return {
        "data": items[start : start + limit],
        "current_page": page,
        "last_page": last_page,
        "total": total,
        "links": {
            "first": page_url(request, page=1),
            "last": page_url(request, page=last_page),
            "next": page_url(request, page=page + 1) if page < last_page else None,
            "prev": page_url(request, page=page - 1) if page > 1 else None,
        },
    }


def wants_cursor(request: Request, version: int) -> bool:
    """V3 only: `pagination_type=search_after`, or a bare `search_after`, switches to cursor mode."""
    if version < 3:
        return False
    ptype = request.query_params.get("pagination_type")
    if ptype is not None and ptype not in ("page", "search_after"):
        raise ApiError(
            422,
            {"success": False, "message": f'Pagination type "{ptype}" is not supported. Use "page" or "search_after".'},
        )
    return ptype == "search_after" or (ptype is None and "search_after" in request.query_params)


def cursor_window(request: Request, rows_after: Callable[[int], Iterable[dict[str, Any]]], *,
                  version: int) -> dict[str, Any]:  # fmt: skip
    """§4.2: the rows with an id above `search_after`, ascending by their internal `id`; the cursor is the
    last row's id while more follow. `rows_after(cursor)` yields the matching rows after the cursor in id
    order and only the page and one row more are taken, so a page does not filter every row."""
    after = _search_after(request)
    limit = resolve_limit(request.query_params.get("limit"), version)
    taken = list(itertools.islice(rows_after(after), limit + 1))
    page = taken[:limit]
    has_more = len(taken) > limit
    cursor = page[-1]["id"] if page and has_more else None
    return {
        "data": page,
        "search_after": cursor,
        "links": {"next": page_url(request, search_after=cursor) if cursor is not None else None},
    }


def _search_after(request: Request) -> int:
    raw_cursor = request.query_params.get("search_after")
    if raw_cursor is None:
        return 0
    text = raw_cursor.strip()
    if not text.isdigit() or int(text) < 1:
        raise ApiError(422, {"success": False, "message": "The search_after cursor must be a positive integer."})
    return int(text)
