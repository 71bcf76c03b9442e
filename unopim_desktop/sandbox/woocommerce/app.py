"""The WooCommerce sandbox: a Starlette app that answers `/wp-json/wc/v3` the way a real store does.

Every request goes through WordPress's order of checks: WooCommerce authentication, the API key's
read/write permission, the route, argument validation, the capability check, then the handler.
Images are served from `/wp-content/uploads/`, and `POST /wp-json/wp/v2/media` takes uploads
authenticated with a WordPress application password.

    state = WooState()
    app = create_woocommerce_app(state)
    with ServerThread(app) as server: ...
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from unopim_desktop.sandbox.faults import FaultConfig, SandboxMiddleware
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.woocommerce import products, taxonomies, variations
from unopim_desktop.sandbox.woocommerce.auth import (
    authenticate,
    authenticate_app_password,
    check_key_permissions,
)
from unopim_desktop.sandbox.woocommerce.errors import (
    WooError,
    injected_fault_body,
    no_route,
    permission_error,
)
from unopim_desktop.sandbox.woocommerce.http import (
    WooRequest,
    WooResponse,
    build_request,
    error_response,
    json_response,
)
from unopim_desktop.sandbox.woocommerce.media import find_upload, get_wp_media, upload_wp_media
from unopim_desktop.sandbox.woocommerce.query import list_posts
from unopim_desktop.sandbox.woocommerce.schema import (
    ATTRIBUTE_ARGS,
    CATEGORY_ARGS,
    CONTEXT_ARGS,
    DELETE_ARGS,
    POST_COLLECTION_ARGS,
    PRODUCT_ARGS,
    TAG_ARGS,
    TERM_ARGS,
    TERM_COLLECTION_ARGS,
    VARIATION_ARGS,
    check_args,
    parse_list,
)
from unopim_desktop.sandbox.woocommerce.state import WooState

__all__ = ["WooState", "create_woocommerce_app"]

WC = "/wp-json/wc/v3"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
WC_VERSION = "9.8.5"
WP_VERSION = "6.8.1"


@dataclass
class Op:
    """One method of one route: what it does (for the capability error), its args and its handler."""

    action: str
    handler: Callable[[WooRequest], Any]
    args: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    single: bool = False


def _editable(op: Op) -> dict[str, Op]:
    return {"POST": op, "PUT": op, "PATCH": op}


def _term_routes(base: str, kind: str, args: dict[str, Any]) -> list[tuple[str, dict[str, Op]]]:
    return [
        (base, {
            "GET": Op("read", partial(taxonomies.list_terms, kind=kind), TERM_COLLECTION_ARGS),
            "POST": Op("create", partial(taxonomies.create_term, kind=kind), args, ("name",)),
        }),
        (f"{base}/batch", _editable(Op("batch", partial(taxonomies.batch_terms, kind=kind)))),
        (f"{base}/{{id:int}}", {
            "GET": Op("read", partial(taxonomies.get_term, kind=kind), CONTEXT_ARGS, single=True),
            **_editable(Op("edit", partial(taxonomies.update_term, kind=kind), args)),
            "DELETE": Op("delete", partial(taxonomies.delete_term, kind=kind), DELETE_ARGS),
        }),
    ]


def wc_routes() -> list[tuple[str, dict[str, Op]]]:
    variation_base = f"{WC}/products/{{product_id:int}}/variations"
    return [
        (f"{WC}/products", {
            "GET": Op("read", partial(list_posts, route="/wc/v3/products"), POST_COLLECTION_ARGS),
            "POST": Op("create", products.create_product, PRODUCT_ARGS),
        }),
        (f"{WC}/products/batch", _editable(Op("batch", products.batch_products))),
        *_term_routes(f"{WC}/products/categories", "categories", CATEGORY_ARGS),
        *_term_routes(f"{WC}/products/tags", "tags", TAG_ARGS),
        (f"{WC}/products/attributes", {
            "GET": Op("read", taxonomies.list_attributes, CONTEXT_ARGS),
            "POST": Op("create", taxonomies.create_attribute, ATTRIBUTE_ARGS, ("name",)),
        }),
        (f"{WC}/products/attributes/batch", _editable(Op("batch", taxonomies.batch_attributes))),
        *_term_routes(f"{WC}/products/attributes/{{attribute_id:int}}/terms", "terms", TERM_ARGS),
        (f"{WC}/products/attributes/{{id:int}}", {
            "GET": Op("read", taxonomies.get_attribute, CONTEXT_ARGS, single=True),
            **_editable(Op("edit", taxonomies.update_attribute, ATTRIBUTE_ARGS)),
            "DELETE": Op("delete", taxonomies.delete_attribute, DELETE_ARGS),
        }),
        (variation_base, {
            "GET": Op("read", variations.list_variations, POST_COLLECTION_ARGS),
            "POST": Op("create", variations.create_variation, VARIATION_ARGS),
        }),
        (f"{variation_base}/batch", _editable(Op("batch", variations.batch_variations))),
        (f"{variation_base}/{{id:int}}", {
            "GET": Op("read", variations.get_variation, CONTEXT_ARGS, single=True),
            **_editable(Op("edit", variations.update_variation, VARIATION_ARGS)),
            "DELETE": Op("delete", variations.delete_variation, DELETE_ARGS),
        }),
        (f"{WC}/products/{{id:int}}", {
            "GET": Op("read", products.get_product, CONTEXT_ARGS, single=True),
            **_editable(Op("edit", products.update_product, PRODUCT_ARGS)),
            "DELETE": Op("delete", products.delete_product, DELETE_ARGS),
        }),
        (f"{WC}/system_status", {"GET": Op("read", _system_status, CONTEXT_ARGS)}),
    ]


async def _dispatch(req: WooRequest, ops: dict[str, Op], *, wc_auth: bool) -> Response:
    if wc_auth:
        key, error = authenticate(req)
        if error is not None:
            raise error
        req.user = key
        if key is not None:
            check_key_permissions(key, req.method)
    op = ops.get("GET" if req.method == "HEAD" else req.method)
    if req.method == "OPTIONS" and ops:
        methods = sorted(ops)
        return json_response({"namespace": "wc/v3", "methods": methods}, 200, [("Allow", ", ".join(methods))])
    if op is None:
        raise no_route()
    if req.json_error:
        raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400,
                       json_error_code=4, json_error_message="Syntax error")
    req.params = check_args(req.params, op.args, required=op.required)
    if req.user is None:
        raise permission_error(op.action, single=op.single)
    result = op.handler(req)
    if inspect.isawaitable(result):
        result = await result
    body = result.body
    if req.method in ("GET", "HEAD") and req.params.get("_fields") and result.status == 200:
        body = filter_fields(body, req.params["_fields"])
    return json_response(body, result.status, result.headers)


def filter_fields(body: Any, requested: Any) -> Any:
    """`_fields=a,b,c.d`: only those fields (and nested paths) of each object; `id` is always kept."""
    fields = [f.strip() for f in parse_list(requested) if f.strip()]
    if not fields:
        return body

    def pick(obj: Any, wanted: list[str]) -> Any:
        if not isinstance(obj, dict):
            return obj
        out = {}
        for key, value in obj.items():
            if key in wanted:
                out[key] = value
                continue
            nested = [w[len(key) + 1 :] for w in wanted if w.startswith(f"{key}.")]
            if nested:
                out[key] = pick(value, nested)
        return out

    wanted = fields if "id" in fields else ["id", *fields]
    if isinstance(body, list):
        return [pick(item, wanted) for item in body]
    return pick(body, wanted)


def _endpoint(state: WooState, ops: dict[str, Op], *, wc_auth: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        req = await build_request(request, state)
        state.site_url = req.base_url
        is_wc = wc_auth or req.raw_path.startswith("/wp-json/wc/")
        try:
            return await _dispatch(req, ops, wc_auth=is_wc)
        except WooError as error:
            return error_response(error)

    return endpoint


def _system_status(req: WooRequest) -> WooResponse:
    state = req.state
    return WooResponse({
        "environment": {
            "home_url": req.base_url, "site_url": req.base_url, "version": WC_VERSION, "wc_version": WC_VERSION,
            "wp_version": WP_VERSION, "wp_multisite": False, "wp_memory_limit": 268435456, "wp_debug_mode": False,
            "language": "en_US", "server_info": "UnoPim sandbox", "php_version": "8.3.0",
            "default_timezone": "UTC", "external_object_cache": None,
        },
        "database": {"wc_database_version": WC_VERSION, "database_prefix": "wp_"},
        "active_plugins": [{"plugin": "woocommerce/woocommerce.php", "name": "WooCommerce", "version": WC_VERSION},
                           *[dict(p) for p in state.active_plugins]],
        "inactive_plugins": [],
        "theme": {"name": "Storefront", "version": "4.6.0"},
        "settings": {
            "api_enabled": True, "force_ssl": False, "currency": "USD", "currency_symbol": state.currency_symbol,
            "currency_position": "left", "thousand_separator": ",", "decimal_separator": ".",
            "number_of_decimals": 2, "geolocation_enabled": False,
        },
        "security": {"secure_connection": req.scheme == "https", "hide_errors": True},
        "pages": [],
        "post_type_counts": [{"type": "product", "count": str(len(state.product_records))}],
    })


def _index(state: WooState, routes: list[tuple[str, dict[str, Op]]], namespace_only: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        req = await build_request(request, state)
        base = req.base_url
        if namespace_only:  # credentials are optional here, but wrong ones still fail (it is a wc/ URL)
            _, error = authenticate(req)
            if error is not None:
                return error_response(error)
        listing = {
            path.replace("/wp-json", "").replace("{id:int}", "(?P<id>[\\d]+)")
            .replace("{product_id:int}", "(?P<product_id>[\\d]+)")
            .replace("{attribute_id:int}", "(?P<attribute_id>[\\d]+)"): {
                "namespace": "wc/v3", "methods": sorted(ops), "endpoints": [{"methods": sorted(ops), "args": {}}],
            }
            for path, ops in routes
        }
        if namespace_only:
            return json_response({"namespace": "wc/v3", "routes": listing,
                                  "_links": {"up": [{"href": f"{base}/wp-json/"}]}})
        return json_response({
            "name": "UnoPim Sandbox Store", "description": "Just another WordPress site", "url": base,
            "home": base, "gmt_offset": state.utc_offset.total_seconds() / 3600, "timezone_string": "",
            "namespaces": ["oembed/1.0", "wp/v2", "wc/v3", "wc/store/v1"],
            "authentication": {"application-passwords": {
                "endpoints": {"authorization": f"{base}/wp-admin/authorize-application.php"}}},
            "routes": listing,
        })

    return endpoint


async def _media_upload(state: WooState, request: Request) -> Response:
    req = await build_request(request, state)
    state.site_url = req.base_url
    try:
        if req.method == "GET":
            return _to_response(get_wp_media(req))
        if not authenticate_app_password(req):
            raise WooError("rest_cannot_create", "Sorry, you are not allowed to create posts as this user.", 401)
        return _to_response(upload_wp_media(req))
    except WooError as error:
        return error_response(error)


def _to_response(result: WooResponse) -> Response:
    return json_response(result.body, result.status, result.headers)


def _not_found_page() -> Response:
    return HTMLResponse("<!DOCTYPE html><html><head><title>Page not found</title></head>"
                        "<body><h1>Oops! That page can&rsquo;t be found.</h1></body></html>", 404)


def create_woocommerce_app(state: WooState, *, faults: FaultConfig | None = None,
                           stats: RequestStats | None = None) -> SandboxMiddleware:
    """The WooCommerce sandbox as an ASGI app, wrapped in the fault/statistics middleware."""
    stats = stats if stats is not None else RequestStats()
    table = wc_routes()

    async def uploads(request: Request) -> Response:
        media = find_upload(state, request.path_params["path"])
        if media is None:
            return _not_found_page()
        return Response(media.content(), media_type=media.mime)

    async def sandbox_state(request: Request) -> Response:
        return JSONResponse({
            "counts": state.counts(), "write_count": state.write_count(), "site_url": state.site_url,
            "utc_offset_hours": state.utc_offset.total_seconds() / 3600, "requests": stats.snapshot(),
        })

    async def media(request: Request) -> Response:
        return await _media_upload(state, request)

    async def other(request: Request) -> Response:
        if request.url.path.startswith("/wp-json/"):
            return await _endpoint(state, {}, wc_auth=False)(request)
        return _not_found_page()

    routes = [
        Route("/__sandbox/state", sandbox_state, methods=["GET"]),
        Route("/wp-json/", _index(state, table, False), methods=["GET"]),
        Route(WC, _index(state, table, True), methods=["GET"]),
        *[Route(path, _endpoint(state, ops, wc_auth=True), methods=ALL_METHODS) for path, ops in table],
        Route("/wp-json/wp/v2/media", media, methods=["POST"]),
        Route("/wp-json/wp/v2/media/{id:int}", media, methods=["GET"]),
        Route("/wp-content/uploads/{path:path}", uploads, methods=["GET"]),
        Route("/{path:path}", other, methods=ALL_METHODS),
    ]
    app = Starlette(routes=routes)
    app.state.stats = stats
    app.state.sandbox = state

    async def untrailed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        # WordPress matches REST routes without their trailing slash; the raw path (which OAuth signs) stays.
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/wp-json/") and len(path) > 9 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/")}
        await app(scope, receive, send)

    wrapped = SandboxMiddleware(untrailed, stats=stats, faults=faults, routes=app.routes, error_body=injected_fault_body)
    wrapped.state = app.state  # type: ignore[attr-defined]  # so callers can reach stats and state either way
    return wrapped
