"""The sandbox's cheaper paths answer exactly as the paths they shortcut.

Route matching in the request-counting middleware, UnoPim's `/storage/` shortcut past Starlette's router,
UnoPim's product listings (kept per product type until a product comes or goes, and cursor pages that stop
after one row more than the page), and WooCommerce's record copy.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.routing import Match, Route

from tests.support.unopim_peer import UnoPimPeer, running
from unopim_desktop.sandbox.bigcommerce import BigCommerceState, create_bigcommerce_app
from unopim_desktop.sandbox.catalogue import Catalogue, generate_catalogue
from unopim_desktop.sandbox.faults import FaultConfig, SandboxMiddleware
from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.unopim import UnoPimState, create_unopim_app
from unopim_desktop.sandbox.unopim.http import phpify
from unopim_desktop.sandbox.woocommerce import WooState, create_woocommerce_app
from unopim_desktop.sandbox.woocommerce.state import copy_record

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return generate_catalogue(30, seed=5, configurable_share=0.3, variants_per_product=2)


@pytest.fixture
def v3(cat: Catalogue) -> Iterator[UnoPimPeer]:
    with running(UnoPimState(catalogue=cat)) as peer:
        yield peer


# -- route matching -----------------------------------------------------------------------------------
def _reference_route_of(routes: list[Any], scope: dict[str, Any]) -> str:
    """The middleware's route lookup as it was: Starlette's own `matches` on every route in turn."""
    for route in routes:
        try:
            match, _ = route.matches(scope)
        except Exception:
            continue
        if match == Match.FULL:
            return getattr(route, "path", scope["path"])
    return scope["path"]


def _sample_paths(routes: list[Any]) -> list[str]:
    paths = ["/", "/nothing/here", "/storage/", "/wp-json/", "/api/v1/rest/products/x/y/z"]
    for route in routes:
        if isinstance(route, Route):
            for value in ("12", "abc", "a/b.png"):
                path = route.path
                for name in route.param_convertors:
                    path = path.replace("{" + name + "}", value).replace("{" + name + ":int}", value)
                    path = path.replace("{" + name + ":path}", value)
                paths += [path, path + "/extra"]
    return paths


@pytest.mark.parametrize("app_name", ["unopim-1", "unopim-3", "woocommerce", "bigcommerce"])
def test_requests_are_counted_under_the_route_starlette_would_pick(app_name: str) -> None:
    app: SandboxMiddleware
    if app_name.startswith("unopim"):
        app = create_unopim_app(UnoPimState(version=int(app_name[-1])))
    elif app_name == "woocommerce":
        app = create_woocommerce_app(WooState())
    else:
        app = create_bigcommerce_app(BigCommerceState())
    assert len(app.routes) > 5
    for path in _sample_paths(app.routes):
        for method in METHODS:
            scope = {"type": "http", "method": method, "path": path, "root_path": "", "path_params": {}}
            assert app.route_of(scope) == _reference_route_of(app.routes, scope), (method, path)
    # A route list changed after the app was built is seen too.
    app.routes.insert(0, Route("/nothing/here", lambda request: None, methods=["GET"]))
    assert app.route_of({"type": "http", "method": "GET", "path": "/nothing/here", "root_path": ""}) == "/nothing/here"


# -- UnoPim /storage -------------------------------------------------------------------------------------
def _answer(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, [(k, v) for k, v in response.headers.multi_items() if k != "date"], response.content


def test_storage_shortcut_answers_as_the_routed_endpoint(cat: Catalogue) -> None:
    state = UnoPimState(catalogue=cat)
    stats = RequestStats()
    app = create_unopim_app(state, stats=stats)
    # The same app without the shortcut: the middleware straight onto Starlette's router.
    routed = SandboxMiddleware(app.starlette_app, stats=RequestStats(), routes=app.routes)
    image = next(p for p in cat.image_paths() if p.endswith(".png"))
    pdf = next((p for p in cat.image_paths() if p.endswith(".pdf")), image)
    with ServerThread(app) as fast, ServerThread(routed) as slow, httpx.Client(timeout=10) as http:
        for method, path in [("GET", image), ("GET", pdf), ("HEAD", image), ("GET", "product/0/none.png"),
                             ("POST", image), ("GET", ""), ("GET", image + "?v=2")]:
            got = http.request(method, f"{fast.url}/storage/{path}")
            expected = http.request(method, f"{slow.url}/storage/{path}")
            assert _answer(got) == _answer(expected), (method, path)
        assert got.status_code == 200 and got.content == cat.image_bytes(image)
    assert stats.count("GET", "/storage/{path:path}") == 5
    assert stats.count("HEAD", "/storage/{path:path}") == 1


def test_storage_downloads_are_still_faulted(cat: Catalogue) -> None:
    stats = RequestStats()
    app = create_unopim_app(UnoPimState(catalogue=cat), stats=stats, faults=FaultConfig(error_rate=1.0, seed=2))
    image = next(p for p in cat.image_paths() if p.endswith(".png"))
    with ServerThread(app) as server:
        response = httpx.get(f"{server.url}/storage/{image}")
    assert response.status_code in (500, 502, 503)
    assert stats.count("GET", "/storage/{path:path}") == 1


# -- UnoPim listings ---------------------------------------------------------------------------------------
def _new_product(sku: str) -> dict[str, Any]:
    return {"status": True, "parent": None, "family": "default", "additional": None,
            "values": {"common": {"sku": sku}, "categories": ["clothing_men"]}}  # fmt: skip


def _page_skus(peer: UnoPimPeer, path: str, **params: Any) -> tuple[int, list[str]]:
    body = peer.get(path, params={"limit": 100, **params}).json()
    return body["total"], [p["sku"] for p in body["data"]]


def _cursor_walk(peer: UnoPimPeer, path: str, *, limit: int, between_pages: Any = None, **extra: Any) -> list[str]:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": limit, "pagination_type": "search_after", **extra}
    while True:
        body = peer.get(path, params=params).json()
        seen += [p["sku"] for p in body["data"]]
        assert len(body["data"]) <= limit
        if body["search_after"] is None:
            return seen
        params["search_after"] = body["search_after"]
        if between_pages is not None:
            between_pages(len(seen))
            between_pages = None


def test_listings_follow_products_that_come_and_go(v3: UnoPimPeer, cat: Catalogue) -> None:
    simple = [p["sku"] for p in cat.products]
    configurable = [p["sku"] for p in cat.configurable_products]
    assert _page_skus(v3, "/products") == (len(simple), simple)
    assert _page_skus(v3, "/configurable-products") == (len(configurable), configurable)

    assert v3.post("/products", json=_new_product("NEW-1")).status_code == 201
    assert _page_skus(v3, "/products") == (len(simple) + 1, [*simple, "NEW-1"])
    assert _page_skus(v3, "/configurable-products")[0] == len(configurable)
    assert v3.delete(f"/products/{simple[0]}").status_code == 200
    assert _page_skus(v3, "/products") == (len(simple), [*simple[1:], "NEW-1"])
    # Deleting a configurable takes its variants with it, in both lists.
    parent = cat.configurable_products[0]["sku"]
    children = {p["sku"] for p in cat.products if p["parent"] == parent}
    assert children and v3.delete(f"/configurable-products/{parent}").status_code == 200
    assert _page_skus(v3, "/configurable-products")[1] == configurable[1:]
    assert not children & set(_page_skus(v3, "/products")[1])
    # Filters still apply on top of the kept list, in both paging modes.
    filters = json.dumps({"sku": [{"operator": "IN", "value": ["NEW-1", simple[3]]}]})
    assert _page_skus(v3, "/products", filters=filters) == (2, [simple[3], "NEW-1"])
    assert _cursor_walk(v3, "/products", limit=1, filters=filters) == [simple[3], "NEW-1"]


def test_cursor_pages_see_writes_made_between_them(v3: UnoPimPeer, cat: Catalogue) -> None:
    simple = [p["sku"] for p in cat.products]

    def write(seen: int) -> None:
        # Behind the cursor: not seen again; ahead of it: gone; a new product: at the end.
        assert v3.delete(f"/products/{simple[0]}").status_code == 200
        assert v3.delete(f"/products/{simple[seen + 2]}").status_code == 200
        assert v3.post("/products", json=_new_product("LATE-1")).status_code == 201

    walked = _cursor_walk(v3, "/products", limit=7, between_pages=write)
    assert walked == [s for s in simple if s != simple[9]] + ["LATE-1"]
    assert _cursor_walk(v3, "/configurable-products", limit=4) == [p["sku"] for p in cat.configurable_products]


# -- small helpers -----------------------------------------------------------------------------------------
def test_copy_record_is_an_independent_deep_copy() -> None:
    record = {"id": 5, "name": "Mug", "date_created": datetime(2026, 1, 2, tzinfo=UTC), "price": 1.5,
              "attributes": [{"id": 1, "options": ["red", "blue"], "flags": {"visible": True}}],
              "meta_data": [{"key": "k", "value": {"nested": [1, 2, {"deep": None}]}}], "tags": (1, 2),
              "dims": {"length": "", "width": ""}, "extra": {1, 2}}
    copied = copy_record(record)
    assert copied == copy.deepcopy(record)
    copied["attributes"][0]["options"].append("green")
    copied["meta_data"][0]["value"]["nested"][2]["deep"] = 1
    copied["extra"].add(3)
    assert record["attributes"][0]["options"] == ["red", "blue"]
    assert record["meta_data"][0]["value"]["nested"][2] == {"deep": None}
    assert record["extra"] == {1, 2}


def test_phpify_turns_every_empty_map_into_a_list() -> None:
    value = {"a": {}, "b": [{}, {"c": {}}, 1, "x", None], "d": {"e": {"f": {}}}, "g": 2.5, "h": True}
    assert phpify(value) == {"a": [], "b": [[], {"c": []}, 1, "x", None], "d": {"e": {"f": []}}, "g": 2.5, "h": True}
    assert phpify({}) == [] and phpify([]) == [] and phpify("s") == "s"


def test_a_listing_sees_a_swap_that_keeps_the_count(v3: UnoPimPeer, cat: Catalogue) -> None:
    simple = [p["sku"] for p in cat.products]
    assert _page_skus(v3, "/products") == (len(simple), simple)
    assert v3.delete(f"/products/{simple[4]}").status_code == 200
    assert v3.post("/products", json=_new_product("SWAP-1")).status_code == 201
    assert _page_skus(v3, "/products") == (len(simple), [s for s in simple if s != simple[4]] + ["SWAP-1"])
