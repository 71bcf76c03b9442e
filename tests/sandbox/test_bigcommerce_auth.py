"""X-Auth-Token, scopes, the request quota and store information of the BigCommerce sandbox."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.support.bigcommerce_peer import (
    RATE_HEADERS,
    BigCommercePeer,
    running_store,
)
from unopim_desktop.sandbox.faults import FaultConfig

SCOPE_ERROR = {
    "status": 403,
    "title": "You don't have a required scope to access the endpoint",
    "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
    "errors": {},
}


@pytest.fixture
def store() -> Iterator[BigCommercePeer]:
    with running_store() as peer:
        yield peer


def test_credentials_hold_the_api_path_and_the_token(store: BigCommercePeer) -> None:
    creds = store.state.credentials
    assert creds["api_url_path"] == "/stores/sbx1abc/"
    assert {"client_id", "client_secret", "access_token"} <= creds.keys()
    assert store.http.get("v3/catalog/summary").status_code == 200


@pytest.mark.parametrize("token", [None, "", "not-a-real-token"])
def test_missing_or_unknown_token_is_401(store: BigCommercePeer, token: str | None) -> None:
    with store.client(token) as client:
        response = client.get("v3/catalog/products")
    assert response.status_code == 401
    body = response.json()
    assert body["status"] == 401 and isinstance(body["title"], str)


def test_client_id_header_is_optional_and_ignored(store: BigCommercePeer) -> None:
    response = store.http.get("v3/catalog/products", headers={"X-Auth-Client": "whatever"})
    assert response.status_code == 200


def test_read_only_token_reads_but_cannot_write(store: BigCommercePeer) -> None:
    store.state.add_token("readonly", ["store_v2_products_read_only", "store_v2_information_read_only"])
    with store.client("readonly") as client:
        assert client.get("v3/catalog/products").status_code == 200
        assert client.get("v2/store").status_code == 200
        response = client.post(
            "v3/catalog/products", json={"name": "X", "type": "physical", "weight": 0, "price": 1}
        )
    assert response.status_code == 403
    assert response.json() == SCOPE_ERROR
    assert store.state.counts()["products"] == 0


def test_token_without_products_scope_gets_403_on_the_catalog(store: BigCommercePeer) -> None:
    store.state.add_token("info-only", ["store_v2_information"])
    with store.client("info-only") as client:
        assert client.get("v2/store").status_code == 200
        response = client.get("v3/catalog/summary")
    assert response.status_code == 403
    assert response.json() == SCOPE_ERROR


def test_products_only_token_cannot_read_store_information(store: BigCommercePeer) -> None:
    store.state.add_token("products-only", ["store_v2_products"])
    with store.client("products-only") as client:
        assert client.get("v3/catalog/summary").status_code == 200
        assert client.get("v2/store").status_code == 403


def test_wrong_store_hash_is_not_found(store: BigCommercePeer) -> None:
    response = store.http.get(store.server.url + "/stores/otherhash/v3/catalog/products")
    assert response.status_code == 404


def test_rate_limit_headers_on_every_answer(store: BigCommercePeer) -> None:
    answers = [
        store.http.get("v3/catalog/products"),  # 200
        store.http.get("v3/catalog/products/999999"),  # 404
        store.http.post("v3/catalog/products", json={}),  # 422
        store.http.get("v2/store"),  # 200, v2
    ]
    with store.client("bogus") as client:
        answers.append(client.get("v3/catalog/products"))  # 401
    assert [r.status_code for r in answers] == [200, 404, 422, 200, 401]
    for response in answers:
        for header in RATE_HEADERS:
            assert header in response.headers, (response.status_code, header)
        assert response.headers["X-Rate-Limit-Requests-Quota"] == "150"
        assert response.headers["X-Rate-Limit-Time-Window-Ms"] == "30000"
    lefts = [int(r.headers["X-Rate-Limit-Requests-Left"]) for r in answers[:4]]
    assert lefts == [149, 148, 147, 146]
    # A request that was refused for its token does not use the quota.
    assert answers[4].headers["X-Rate-Limit-Requests-Left"] == "146"


def test_quota_gives_429_then_recovers_after_the_window() -> None:
    with running_store(rate_limit=3, rate_window_s=0.6) as store:
        ok = [store.http.get("v3/catalog/products") for _ in range(3)]
        assert [r.status_code for r in ok] == [200, 200, 200]
        assert ok[-1].headers["X-Rate-Limit-Requests-Left"] == "0"
        limited = store.http.get("v3/catalog/products")
        assert limited.status_code == 429
        assert limited.headers["X-Rate-Limit-Requests-Left"] == "0"
        reset_ms = int(limited.headers["X-Rate-Limit-Time-Reset-Ms"])
        assert 0 < reset_ms <= 600
        assert int(limited.headers["X-Retry-After"]) >= 1
        assert limited.json()["status"] == 429
        time.sleep(reset_ms / 1000 + 0.05)
        recovered = store.http.get("v3/catalog/products")
        assert recovered.status_code == 200
        assert recovered.headers["X-Rate-Limit-Requests-Left"] == "2"


def test_injected_429_carries_rate_limit_headers() -> None:
    with running_store(faults=FaultConfig(rate_429=1.0, retry_after_s=2)) as store:
        response = store.http.get("v3/catalog/products")
    assert response.status_code == 429
    assert response.headers["X-Retry-After"] == "2"
    assert response.headers["X-Rate-Limit-Time-Reset-Ms"] == "2000"
    assert response.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert response.json()["status"] == 429


def test_store_information_is_unwrapped(store: BigCommercePeer) -> None:
    response = store.http.get("v2/store")
    assert response.status_code == 200
    info = response.json()
    assert "data" not in info
    assert info["id"] == "sbx1abc"
    assert info["currency"] == "USD" and info["language"] == "en"
    for key in (
        "domain",
        "secure_url",
        "name",
        "currency_symbol",
        "weight_units",
        "dimension_units",
        "plan_name",
    ):
        assert isinstance(info[key], str) and info[key], key
    assert isinstance(info["decimal_places"], int)
    assert isinstance(info["features"]["multi_storefront_enabled"], bool)
    assert abs(store.http.get("v2/time").json()["time"] - time.time()) < 5


def test_store_settings_follow_the_state() -> None:
    with running_store(default_currency="EUR", default_locale="fr", store_hash="abc123") as store:
        info = store.http.get("v2/store").json()
    assert (info["currency"], info["currency_symbol"], info["language"], info["id"]) == (
        "EUR",
        "€",
        "fr",
        "abc123",
    )


def test_write_count_counts_successful_writes_only(store: BigCommercePeer) -> None:
    store.http.get("v3/catalog/products")
    store.http.post("v3/catalog/products", json={})  # 422: not a write
    assert store.state.write_count() == 0
    store.create_product()
    assert store.state.write_count() == 1


def test_sandbox_state_reports_counts_and_requests(store: BigCommercePeer) -> None:
    store.create_product()
    state = store.http.get(store.server.url + "/__sandbox/state").json()
    assert state["counts"]["products"] == 1
    assert state["stats"]["by_route"]["POST /stores/{store_hash}/v3/catalog/products"] == 1
    assert store.app.state.stats.count("POST", "/stores/{store_hash}/v3/catalog/products") == 1
    assert store.app.state.sandbox is store.state
