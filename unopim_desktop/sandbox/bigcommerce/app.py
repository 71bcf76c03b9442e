"""A sandbox BigCommerce store: the V3 catalog and V2 store-information API on loopback.

Paths are the real ones under `/stores/{store_hash}/`, so the API URL a merchant would paste
(`https://api.bigcommerce.com/stores/<hash>/`) becomes `<server url>/stores/<hash>/`. Behaviour
follows store-apis.md part B (and the fake-server notes of part C): `X-Auth-Token` with scopes,
the store-wide request quota and its headers, `{data, meta}` envelopes and pagination, the v3
error envelope, 207/409/413/422 as documented, images fetched from `image_url`.

    state = BigCommerceState(rate_limit=150)
    app = create_bigcommerce_app(state)
    with ServerThread(app) as server:
        api_url = server.url + state.credentials["api_url_path"]
"""

from __future__ import annotations

import time
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from unopim_desktop.sandbox.bigcommerce import brands, category_routes, media, pricelists, product_routes
from unopim_desktop.sandbox.bigcommerce import variant_routes as variants
from unopim_desktop.sandbox.bigcommerce.auth import TOO_MANY_TITLE, ApiGate
from unopim_desktop.sandbox.bigcommerce.common import ApiError, error_body, json_response
from unopim_desktop.sandbox.bigcommerce.graphql import graphql_endpoint
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState, FetchedImage
from unopim_desktop.sandbox.faults import FaultConfig, SandboxMiddleware
from unopim_desktop.sandbox.stats import RequestStats

__all__ = ["BigCommerceState", "FetchedImage", "create_bigcommerce_app"]

_P = "/stores/{store_hash}"
_V3 = _P + "/v3/catalog"
_STATUS_TITLES = {
    404: "The requested resource was not found.",
    405: "The request method is not allowed for this resource.",
    429: TOO_MANY_TITLE,
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


async def store_information(request: Request) -> Response:
    """`GET /v2/store`: an unwrapped object, no `{data}` envelope (B4)."""
    return json_response(request.app.state.sandbox.store_info())


async def store_time(request: Request) -> Response:
    return json_response({"time": int(time.time())})


async def sandbox_state(request: Request) -> Response:
    state: BigCommerceState = request.app.state.sandbox
    stats: RequestStats = request.app.state.stats
    return json_response({**state.snapshot(), "stats": stats.snapshot()})


def _routes() -> list[Route]:
    def r(path: str, endpoint: Any, *methods: str) -> Route:
        return Route(path, endpoint, methods=list(methods))

    product = _V3 + "/products/{product_id}"
    option = product + "/options/{option_id}"
    return [
        r(_P + "/v2/store", store_information, "GET"),
        r(_P + "/v2/time", store_time, "GET"),
        r(_V3 + "/summary", product_routes.catalog_summary, "GET"),
        r(_V3 + "/products", product_routes.list_products, "GET"),
        r(_V3 + "/products", product_routes.create_product_route, "POST"),
        r(_V3 + "/products", product_routes.batch_update_products, "PUT"),
        r(_V3 + "/products", product_routes.delete_products, "DELETE"),
        r(product, product_routes.get_product, "GET"),
        r(product, product_routes.update_product_route, "PUT"),
        r(product, product_routes.delete_product_route, "DELETE"),
        r(product + "/images", media.list_images, "GET"),
        r(product + "/images", media.create_image, "POST"),
        r(product + "/images/{image_id}", media.get_image, "GET"),
        r(product + "/images/{image_id}", media.update_image_route, "PUT"),
        r(product + "/images/{image_id}", media.delete_image_route, "DELETE"),
        r(product + "/custom-fields", media.list_custom_fields, "GET"),
        r(product + "/custom-fields", media.create_custom_field, "POST"),
        r(product + "/custom-fields/{custom_field_id}", media.get_custom_field, "GET"),
        r(product + "/custom-fields/{custom_field_id}", media.update_custom_field_route, "PUT"),
        r(product + "/custom-fields/{custom_field_id}", media.delete_custom_field_route, "DELETE"),
        r(product + "/options", variants.list_options, "GET"),
        r(product + "/options", variants.create_option_route, "POST"),
        r(option, variants.get_option, "GET"),
        r(option, variants.update_option_route, "PUT"),
        r(option, variants.delete_option_route, "DELETE"),
        r(option + "/values", variants.list_option_values, "GET"),
        r(option + "/values", variants.create_option_value_route, "POST"),
        r(option + "/values/{value_id}", variants.get_option_value, "GET"),
        r(option + "/values/{value_id}", variants.update_option_value_route, "PUT"),
        r(option + "/values/{value_id}", variants.delete_option_value_route, "DELETE"),
        r(product + "/variants", variants.list_product_variants, "GET"),
        r(product + "/variants", variants.create_variant_route, "POST"),
        r(product + "/variants/{variant_id}", variants.get_variant, "GET"),
        r(product + "/variants/{variant_id}", variants.update_variant_route, "PUT"),
        r(product + "/variants/{variant_id}", variants.delete_variant_route, "DELETE"),
        r(product + "/variants/{variant_id}/image", media.create_variant_image, "POST"),
        r(_V3 + "/variants", variants.list_all_variants, "GET"),
        r(_V3 + "/variants", variants.batch_variants, "PUT"),
        r(_V3 + "/trees", category_routes.list_trees, "GET"),
        r(_V3 + "/trees/categories", category_routes.list_tree_categories, "GET"),
        r(_V3 + "/trees/categories", category_routes.create_tree_categories, "POST"),
        r(_V3 + "/trees/categories", category_routes.update_tree_categories, "PUT"),
        r(_V3 + "/trees/categories", category_routes.delete_tree_categories, "DELETE"),
        r(_V3 + "/trees/{tree_id}/categories", category_routes.get_tree, "GET"),
        r(_V3 + "/categories", category_routes.list_categories, "GET"),
        r(_V3 + "/categories", category_routes.create_category_route, "POST"),
        r(_V3 + "/categories", category_routes.delete_categories, "DELETE"),
        r(_V3 + "/categories/{category_id}", category_routes.get_category, "GET"),
        r(_V3 + "/categories/{category_id}", category_routes.update_category_route, "PUT"),
        r(_V3 + "/categories/{category_id}", category_routes.delete_category_route, "DELETE"),
        r(_V3 + "/brands", brands.list_brands, "GET"),
        r(_V3 + "/brands", brands.create_brand_route, "POST"),
        r(_V3 + "/brands", brands.delete_brands, "DELETE"),
        r(_V3 + "/brands/{brand_id}", brands.get_brand, "GET"),
        r(_V3 + "/brands/{brand_id}", brands.update_brand_route, "PUT"),
        r(_V3 + "/brands/{brand_id}", brands.delete_brand_route, "DELETE"),
        r("/cdn11/s-{store_hash}/images/stencil/{size}/{key:path}", media.serve_cdn, "GET"),
        r("/__sandbox/state", sandbox_state, "GET"),
        *i18n_routes(r),
    ]


def i18n_routes(r: Any) -> list[Route]:
    """Currencies, price lists and the GraphQL Translations API (i18n.md part C)."""
    lists = _P + "/v3/pricelists"
    return [
        r(_P + "/v2/currencies", pricelists.list_currencies, "GET"),
        r(lists, pricelists.list_pricelists, "GET"),
        r(lists, pricelists.create_pricelist, "POST"),
        r(lists + "/assignments", pricelists.list_assignments, "GET"),
        r(lists + "/assignments", pricelists.create_assignments, "POST"),
        r(lists + "/{list_id:int}", pricelists.get_pricelist, "GET"),
        r(lists + "/{list_id:int}", pricelists.delete_pricelist, "DELETE"),
        r(lists + "/{list_id:int}/records", pricelists.list_records, "GET"),
        r(lists + "/{list_id:int}/records", pricelists.upsert_records, "PUT"),
        r(_P + "/graphql", graphql_endpoint, "POST"),
    ]


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return json_response(exc.body(), exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    title = _STATUS_TITLES.get(exc.status_code, str(exc.detail))
    instance = request.url.path if exc.status_code == 404 else None
    body = error_body(exc.status_code, title, instance=instance)
    return json_response(body, exc.status_code, headers=dict(exc.headers or {}))


def create_bigcommerce_app(
    state: BigCommerceState, *, faults: FaultConfig | None = None, stats: RequestStats | None = None
) -> SandboxMiddleware:
    """The ASGI app: routes behind the auth/quota gate, wrapped in the counting, fault-injecting
    `SandboxMiddleware`. `app.state.sandbox` is the store, `app.state.stats` the request counts."""
    stats = stats if stats is not None else RequestStats()
    faults = faults or FaultConfig()
    inner = Starlette(
        routes=_routes(),
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    inner.state.sandbox = state
    inner.state.stats = stats

    def set_base_url(url: str) -> None:
        state.base_url = url

    gate = ApiGate(
        inner,
        store_hash=state.store_hash,
        tokens=state.tokens,
        limiter=state.limiter,
        on_write=state.record_write,
        on_base_url=set_base_url,
    )
    app = SandboxMiddleware(
        gate,
        stats=stats,
        faults=faults,
        routes=inner.routes,
        error_body=lambda status: error_body(status, _STATUS_TITLES.get(status, "Error"), errors={}),
        extra_429_headers=lambda: state.limiter.injected_429_headers(faults.retry_after_s),
    )
    app.state = inner.state  # type: ignore[attr-defined]
    return app
