"""WooCommerce sandbox authentication: OAuth 1.0a over HTTP, Basic and query keys over HTTPS, key permissions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import oauthlib.oauth1
import pytest

from tests.support.woocommerce_peer import (
    API,
    OAuthClient,
    RunningWoo,
    error_of,
    running_woo,
    trust,
)
from unopim_desktop.sandbox import oauth1

AUTH_ERROR = "woocommerce_rest_authentication_error"


@pytest.fixture(scope="module")
def plain() -> Iterator[RunningWoo]:
    with running_woo() as woo:  # its Basic client is refused over HTTP: tests sign with OAuth instead
        yield woo


@pytest.fixture(scope="module")
def tls(woo_cert: tuple[Path, Path]) -> Iterator[RunningWoo]:
    with running_woo(woo_cert) as woo:
        yield woo


@pytest.fixture
def oauth(plain: RunningWoo) -> Iterator[OAuthClient]:
    creds = plain.state.credentials
    client = OAuthClient(creds["consumer_key"], creds["consumer_secret"])
    yield client
    client.close()


# --- OAuth 1.0a over plain HTTP -------------------------------------------------------------------


def test_oauthlib_hmac_sha256_signature_is_accepted(plain: RunningWoo, oauth: OAuthClient) -> None:
    response = oauth.get(plain.api("/products"), params={"per_page": 5, "orderby": "id", "order": "asc"})
    assert response.status_code == 200, response.text
    assert response.headers["X-WP-Total"] == "0"
    assert response.json() == []


def test_oauthlib_hmac_sha1_signature_with_a_date_parameter_is_accepted(plain: RunningWoo) -> None:
    creds = plain.state.credentials
    client = OAuthClient(creds["consumer_key"], creds["consumer_secret"], method=oauthlib.oauth1.SIGNATURE_HMAC_SHA1)
    try:
        # ':' and '+' need percent-encoding twice in the base string; both sides must agree on it.
        response = client.get(plain.api("/products"), params={"modified_after": "2024-01-01T00:00:00+00:00"})
    finally:
        client.close()
    assert response.status_code == 200, response.text


def test_oauth_signed_post_creates_and_the_body_is_not_signed(plain: RunningWoo, oauth: OAuthClient) -> None:
    response = oauth.post(plain.api("/products"), json={"name": "Signed", "regular_price": "1.00"})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Signed"


def test_oauth_parameters_in_an_authorization_header_are_accepted(plain: RunningWoo) -> None:
    creds = plain.state.credentials
    client = OAuthClient(creds["consumer_key"], creds["consumer_secret"],
                         signature_type=oauthlib.oauth1.SIGNATURE_TYPE_AUTH_HEADER)
    try:
        response = client.get(plain.api("/products/categories"))
    finally:
        client.close()
    assert response.status_code == 200, response.text


def test_tampered_query_after_signing_is_rejected(plain: RunningWoo, oauth: OAuthClient) -> None:
    signed_url, _ = oauth.signed("GET", plain.api("/products"), {"per_page": 5})
    tampered = signed_url.replace("per_page=5", "per_page=6")
    response = httpx.get(tampered)
    assert error_of(response) == (401, AUTH_ERROR, "Invalid signature - provided signature does not match.")


def test_signature_for_another_host_is_rejected(plain: RunningWoo, oauth: OAuthClient) -> None:
    """The base string uses the URL the client called, rebuilt from the Host header."""
    signed_url, _ = oauth.signed("GET", plain.api("/products").replace("127.0.0.1", "localhost"))
    response = httpx.get(signed_url.replace("localhost", "127.0.0.1"))
    assert error_of(response)[2] == "Invalid signature - provided signature does not match."


def test_wrong_secret_fails_the_signature(plain: RunningWoo) -> None:
    client = OAuthClient(plain.state.credentials["consumer_key"], "cs_wrong")
    try:
        response = client.get(plain.api("/products"))
    finally:
        client.close()
    assert error_of(response) == (401, AUTH_ERROR, "Invalid signature - provided signature does not match.")


def test_unknown_consumer_key_over_oauth(plain: RunningWoo) -> None:
    client = OAuthClient("ck_unknown", "cs_whatever")
    try:
        response = client.get(plain.api("/products"))
    finally:
        client.close()
    assert error_of(response) == (401, AUTH_ERROR, "Consumer key is invalid.")


def test_timestamp_outside_fifteen_minutes_is_rejected(plain: RunningWoo, oauth: OAuthClient) -> None:
    stale = str(int(time.time()) - 16 * 60)
    response = oauth.get(plain.api("/products"), timestamp=stale)
    assert error_of(response) == (401, AUTH_ERROR, "Invalid timestamp.")
    fresh_enough = str(int(time.time()) - 10 * 60)
    assert oauth.get(plain.api("/products"), timestamp=fresh_enough).status_code == 200


def test_reused_nonce_is_rejected(plain: RunningWoo, oauth: OAuthClient) -> None:
    nonce = "sandbox-nonce-reuse-1"
    assert oauth.get(plain.api("/products"), nonce=nonce).status_code == 200
    response = oauth.get(plain.api("/products"), params={"page": 2}, nonce=nonce)
    assert error_of(response) == (401, AUTH_ERROR, "Invalid nonce - nonce has already been used.")


def test_unsupported_signature_method_is_rejected(plain: RunningWoo) -> None:
    creds = plain.state.credentials
    client = OAuthClient(creds["consumer_key"], creds["consumer_secret"], method=oauthlib.oauth1.SIGNATURE_PLAINTEXT)
    try:
        response = client.get(plain.api("/products"))
    finally:
        client.close()
    assert error_of(response) == (401, AUTH_ERROR, "Invalid signature - signature method is invalid.")


def test_partial_oauth_parameters_name_the_missing_ones(plain: RunningWoo) -> None:
    response = httpx.get(plain.api("/products"), params={"oauth_consumer_key": "ck_x", "oauth_nonce": "n"})
    assert error_of(response) == (
        401, "woocommerce_rest_authentication_missing_parameter",
        "Missing OAuth parameters oauth_timestamp, oauth_signature, oauth_signature_method",
    )


def test_own_signer_matches_oauthlib(plain: RunningWoo) -> None:
    """The sandbox's base string equals RFC 5849's for flat parameters (cross-check of both)."""
    creds = plain.state.credentials
    params = oauth1.sign_query("GET", plain.api("/products"), {"per_page": "3", "search": "a b"},
                               creds["consumer_key"], creds["consumer_secret"], timestamp=int(time.time()),
                               nonce="own-signer-1")
    assert httpx.get(plain.api("/products"), params=params).status_code == 200


# --- Basic and query-string keys -----------------------------------------------------------------


def test_basic_auth_over_https_is_accepted(tls: RunningWoo) -> None:
    response = tls.http.get(tls.api("/products"))
    assert response.status_code == 200, response.text


def test_query_string_keys_over_https_are_accepted(tls: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    creds = tls.state.credentials
    response = httpx.get(tls.api("/products"), params=creds, verify=trust(woo_cert))
    assert response.status_code == 200, response.text


def test_basic_auth_over_plain_http_is_ignored(plain: RunningWoo) -> None:
    creds = plain.state.credentials
    response = httpx.get(plain.api("/products"), auth=(creds["consumer_key"], creds["consumer_secret"]))
    assert error_of(response) == (401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    response = httpx.get(plain.api("/products"), params=creds)
    assert response.status_code == 401


def test_wrong_secret_over_basic(tls: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    response = httpx.get(tls.api("/products"), auth=(tls.state.credentials["consumer_key"], "cs_nope"),
                         verify=trust(woo_cert))
    assert error_of(response) == (401, AUTH_ERROR, "Consumer secret is invalid.")


def test_unknown_key_over_basic_is_just_anonymous(tls: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    response = httpx.get(tls.api("/products"), auth=("ck_nobody", "cs_nobody"), verify=trust(woo_cert))
    assert error_of(response) == (401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")


def test_anonymous_calls_get_the_capability_error_of_the_route(tls: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    anonymous = httpx.Client(verify=trust(woo_cert))
    with anonymous:
        assert error_of(anonymous.post(tls.api("/products"), json={"name": "x"})) == (
            401, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
        assert error_of(anonymous.get(tls.api("/products/5"))) == (
            401, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
        assert error_of(anonymous.post(tls.api("/products/batch"), json={})) == (
            401, "woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource.")
        # The namespace index needs no credentials (a reachability check, not a credential check).
        index = anonymous.get(f"{tls.url}{API}")
        assert index.status_code == 200 and index.json()["namespace"] == "wc/v3"


def test_read_only_key_can_read_but_not_write(tls: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    ro = tls.state.read_only_credentials
    client = httpx.Client(auth=(ro["consumer_key"], ro["consumer_secret"]), verify=trust(woo_cert))
    with client:
        assert client.get(tls.api("/products")).status_code == 200
        message = "The API key provided does not have write permissions."
        assert error_of(client.post(tls.api("/products"), json={"name": "x"})) == (401, AUTH_ERROR, message)
        assert error_of(client.post(tls.api("/products/batch"), json={})) == (401, AUTH_ERROR, message)
        assert error_of(client.delete(tls.api("/products/1"))) == (401, AUTH_ERROR, message)


def test_write_probe_with_an_empty_batch(tls: RunningWoo) -> None:
    response = tls.http.post(tls.api("/products/batch"), json={})
    assert response.status_code == 200
    assert response.json() == []
    assert tls.state.write_count() == 0


def test_unknown_route_after_authentication(tls: RunningWoo) -> None:
    assert error_of(tls.http.get(tls.api("/nope"))) == (
        404, "rest_no_route", "No route was found matching the URL and request method")
    assert error_of(tls.http.request("DELETE", tls.api("/products")))[1] == "rest_no_route"


def test_namespace_index_refuses_wrong_credentials(tls: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    response = httpx.get(f"{tls.url}{API}", auth=(tls.state.credentials["consumer_key"], "cs_bad"),
                         verify=trust(woo_cert))
    assert error_of(response) == (401, AUTH_ERROR, "Consumer secret is invalid.")
