"""Requests and responses the way WordPress's REST server sees and sends them.

Parameters merge like `WP_REST_Request::get_parameter_order`: JSON body over form body over
query string over URL parameters, so `?id=5` or a body `id` really can override the path, as on
WordPress. Responses are PHP-style JSON (escaped slashes and non-ASCII) with WordPress headers.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.woocommerce.errors import WooError
from unopim_desktop.sandbox.woocommerce.state import ApiKey, WooState
from unopim_desktop.sandbox.woocommerce.wp import php_parse_query, php_to_python

WP_HEADERS = {
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
    "Access-Control-Allow-Headers": "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type",
}


@dataclass
class WooRequest:
    state: WooState
    method: str  # after `_method` / X-HTTP-Method-Override, as WordPress routes it
    http_method: str  # what was on the wire (OAuth signs this one)
    scheme: str
    host: str
    raw_path: str
    headers: dict[str, str]
    body: bytes
    query_php: dict[Any, Any]
    form_php: dict[Any, Any]
    json_body: Any
    json_error: bool
    url_params: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    user: ApiKey | None = None

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def query(self) -> dict[str, Any]:
        return php_to_python(self.query_php) if self.query_php else {}

    @property
    def context(self) -> str:
        return str(self.params.get("context") or "view")


@dataclass
class WooResponse:
    body: Any
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)


Handler = Callable[[WooRequest], "Awaitable[WooResponse] | WooResponse"]


def php_json(data: Any) -> bytes:
    """`wp_json_encode` output: `\\/` for slashes and `\\uXXXX` for non-ASCII."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def json_response(body: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    response = Response(php_json(body), status_code=status, media_type=None)
    response.headers["Content-Type"] = "application/json; charset=UTF-8"
    for name, value in WP_HEADERS.items():
        response.headers[name] = value
    for name, value in headers or []:
        response.headers.append(name, value)
    return response


def error_response(error: WooError) -> Response:
    return json_response(error.body(), error.status)


async def build_request(request: Request, state: WooState) -> WooRequest:
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    raw_path = raw_path.split("?", 1)[0]
    query_php = php_parse_query(request.scope.get("query_string", b"").decode("latin-1"))
    content_type = headers.get("content-type", "")
    form_php: dict[Any, Any] = {}
    json_body: Any = None
    json_error = False
    if "application/x-www-form-urlencoded" in content_type and body:
        form_php = php_parse_query(body.decode("utf-8", "replace"))
    if ("application/json" in content_type or "+json" in content_type) and body.strip():
        try:
            json_body = json.loads(body)
        except ValueError:
            json_error = True
    http_method = request.method.upper()
    method = http_method
    override = headers.get("x-http-method-override") or str(query_php.get("_method", ""))
    if override and http_method == "POST":
        method = override.upper()
    host = headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    url_params = {k: v for k, v in request.path_params.items() if k != "path"}
    req = WooRequest(
        state=state, method=method, http_method=http_method, scheme=request.url.scheme, host=host,
        raw_path=raw_path, headers=headers, body=body, query_php=query_php, form_php=form_php,
        json_body=json_body, json_error=json_error, url_params=url_params,
    )
    params: dict[str, Any] = dict(url_params)
    params.update(req.query)
    if method in ("POST", "PUT", "PATCH", "DELETE") and form_php:
        params.update(php_to_python(form_php))
    if isinstance(json_body, dict):
        params.update(json_body)
    req.params = params
    return req


def _flatten(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for key, sub in value.items():
            out += _flatten(f"{prefix}[{key}]", sub)
        return out
    return [(prefix, str(value))]


def page_link(req: WooRequest, route: str, page: int) -> str:
    """`add_query_arg('page', n, rest_url(route) + request query)`: every query arg kept, `page` replaced."""
    pairs: list[tuple[str, str]] = []
    for key, value in req.query_php.items():
        if key != "page":
            pairs += _flatten(str(key), value)
    pairs.append(("page", str(page)))
    query = "&".join(f"{k}={urllib.parse.quote_plus(v)}" for k, v in pairs)
    return f"{req.base_url}/wp-json{route}?{query}"


def paginated(req: WooRequest, route: str, items: list[Any], total: int, per_page: int, page: int) -> WooResponse:
    """A list answer with `X-WP-Total`, `X-WP-TotalPages` and prev/next `Link` headers."""
    max_pages = math.ceil(total / per_page) if per_page else 0
    headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(max_pages))]
    if page > 1:
        headers.append(("Link", f'<{page_link(req, route, min(page - 1, max_pages))}>; rel="prev"'))
    if max_pages > page:
        headers.append(("Link", f'<{page_link(req, route, page + 1)}>; rel="next"'))
    return WooResponse(items, 200, headers)


def created(req: WooRequest, body: dict[str, Any], route: str) -> WooResponse:
    return WooResponse(body, 201, [("Location", f"{req.base_url}/wp-json{route}")])
