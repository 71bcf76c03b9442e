"""UnoPim sandbox: OAuth token endpoint, bearer guard, Accept rule, throttling, ACL, 404/405 bodies."""

from __future__ import annotations

import base64
import time

import httpx
import pytest

from tests.support.unopim_peer import REST, running
from unopim_desktop.sandbox.unopim import DEMO_CREDENTIALS, UnoPimState

INVALID_CREDENTIALS = {"error": "invalid_grant", "error_description": "The user credentials were incorrect."}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}
UNAUTHENTICATED = {"error": "Authentication failed due to invalid credentials or expired token."}


# -- password grant -----------------------------------------------------------------------------
def test_password_grant_json_body_returns_passport_token_response() -> None:
    with running(login=False) as peer:
        resp = peer.password_grant()
        assert resp.status_code == 200
        body = resp.json()
        assert list(body) == ["token_type", "expires_in", "access_token", "refresh_token"]
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["access_token"].count(".") == 2  # a JWT, opaque to clients
        assert body["refresh_token"].startswith("def50200")
        assert resp.headers["cache-control"] == "no-store"


def test_password_grant_form_body_with_basic_client_auth() -> None:
    with running(login=False) as peer:
        basic = base64.b64encode(
            f"{DEMO_CREDENTIALS['client_id']}:{DEMO_CREDENTIALS['client_secret']}".encode()
        ).decode()
        resp = peer.http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": DEMO_CREDENTIALS["username"],
                  "password": DEMO_CREDENTIALS["password"]},
            headers={"Authorization": f"Basic {basic}"},
        )  # fmt: skip
        assert resp.status_code == 200, resp.text
        token = resp.json()["access_token"]
        assert peer.get("/locales", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_access_token_ttl_comes_from_the_state() -> None:
    with running(login=False, access_token_ttl=120) as peer:
        assert peer.password_grant().json()["expires_in"] == 120


@pytest.mark.parametrize("version", [3, 1])
def test_wrong_password_is_invalid_grant_400_in_each_flavour(version: int) -> None:
    with running(login=False, version=version) as peer:
        resp = peer.password_grant(password="wrong")
        assert resp.status_code == 400
        expected = dict(INVALID_CREDENTIALS)
        if version == 1:
            expected["message"] = "The user credentials were incorrect."
        assert resp.json() == expected


@pytest.mark.parametrize("version", [3, 1])
def test_bad_client_secret_is_invalid_client_401(version: int) -> None:
    with running(login=False, version=version) as peer:
        resp = peer.password_grant(client_secret="nope")
        assert resp.status_code == 401
        body = resp.json()
        assert {k: body[k] for k in INVALID_CLIENT} == INVALID_CLIENT
        assert ("message" in body) is (version == 1)


def test_username_not_bound_to_the_client_is_invalid_client() -> None:
    state = UnoPimState()
    state.add_client("c2", "s2", "other@example.com", "pw2")
    with running(state, login=False) as peer:
        # Valid password of another admin, through the demo client: the client lookup fails.
        resp = peer.password_grant(username="other@example.com", password="pw2")
        assert resp.status_code == 401
        assert resp.json() == INVALID_CLIENT
        # The same admin through its own client works.
        ok = peer.password_grant(client_id="c2", client_secret="s2", username="other@example.com", password="pw2")
        assert ok.status_code == 200


def test_inactive_admin_is_invalid_grant() -> None:
    state = UnoPimState()
    state.add_client("c3", "s3", "sleepy@example.com", "pw3", active=False)
    with running(state, login=False) as peer:
        resp = peer.password_grant(client_id="c3", client_secret="s3", username="sleepy@example.com", password="pw3")
        assert resp.status_code == 400
        assert resp.json() == INVALID_CREDENTIALS


def test_missing_parameters_and_unknown_grant_type() -> None:
    with running(login=False) as peer:
        body = {"grant_type": "password", "client_id": DEMO_CREDENTIALS["client_id"],
                "client_secret": DEMO_CREDENTIALS["client_secret"], "password": "x"}  # fmt: skip
        resp = peer.http.post("/oauth/token", json=body)
        assert resp.status_code == 400
        assert resp.json()["error"] == "invalid_request"
        assert resp.json()["hint"] == "Check the `username` parameter"
        assert resp.json()["error_description"].startswith("The request is missing a required parameter")

        resp = peer.password_grant(grant_type="client_credentials")
        assert resp.status_code == 400
        assert resp.json() == {
            "error": "unsupported_grant_type",
            "error_description": "The authorization grant type is not supported by the authorization server.",
            "hint": "Check that all required parameters have been provided",
        }


# -- refresh grant ------------------------------------------------------------------------------
def _refresh(peer, refresh_token: str) -> httpx.Response:
    return peer.http.post(
        "/oauth/token",
        json={"grant_type": "refresh_token", "refresh_token": refresh_token,
              "client_id": DEMO_CREDENTIALS["client_id"], "client_secret": DEMO_CREDENTIALS["client_secret"]},
    )  # fmt: skip


def test_refresh_rotates_and_old_tokens_die() -> None:
    with running(login=False) as peer:
        first = peer.password_grant().json()
        resp = _refresh(peer, first["refresh_token"])
        assert resp.status_code == 200
        second = resp.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        # The refresh token is single-use and the access token it was paired with is revoked.
        again = _refresh(peer, first["refresh_token"])
        assert again.status_code == 400
        assert again.json() == {"error": "invalid_grant", "error_description": "The refresh token is invalid.",
                                "hint": "Token has been revoked"}  # fmt: skip
        old = peer.get("/locales", headers={"Authorization": f"Bearer {first['access_token']}"})
        assert old.status_code == 401
        new = peer.get("/locales", headers={"Authorization": f"Bearer {second['access_token']}"})
        assert new.status_code == 200


def test_v1_refresh_failure_is_401_invalid_request_with_message() -> None:
    with running(login=False, version=1) as peer:
        resp = _refresh(peer, "def50200garbage")
        assert resp.status_code == 401
        assert resp.json() == {
            "error": "invalid_request",
            "error_description": "The refresh token is invalid.",
            "hint": "Cannot decrypt the refresh token",
            "message": "The refresh token is invalid.",
        }


def test_expired_access_token_gets_401_and_refresh_recovers() -> None:
    with running() as peer:
        assert peer.get("/locales").status_code == 200
        peer.state.expire_tokens()
        resp = peer.get("/locales")
        assert resp.status_code == 401
        assert resp.json() == UNAUTHENTICATED
        assert "www-authenticate" not in resp.headers
        refreshed = _refresh(peer, peer.token["refresh_token"])
        assert refreshed.status_code == 200
        assert peer.get("/locales", headers={"Authorization": "Bearer " + refreshed.json()["access_token"]}).status_code == 200


def test_revoked_and_expired_refresh_tokens_are_refused() -> None:
    with running(login=False) as peer:
        token = peer.password_grant().json()
        peer.state.revoke_refresh_tokens()
        resp = _refresh(peer, token["refresh_token"])
        assert resp.status_code == 400 and resp.json()["hint"] == "Token has been revoked"
    with running(login=False, refresh_token_ttl=0) as peer:
        now = [time.time()]
        peer.state.auth.clock = lambda: now[0]
        token = peer.password_grant().json()
        now[0] += 1  # a second on: past the token's expiry (issued + 0 s)
        resp = _refresh(peer, token["refresh_token"])
        assert resp.status_code == 400 and resp.json()["hint"] == "Token has expired"


def test_missing_or_garbage_bearer_is_401() -> None:
    with running(login=False) as peer:
        assert peer.get("/locales").json() == UNAUTHENTICATED
        resp = peer.get("/locales", headers={"Authorization": "Bearer not-a-token"})
        assert resp.status_code == 401 and resp.json() == UNAUTHENTICATED


# -- Accept rule and guard order --------------------------------------------------------------------
@pytest.mark.parametrize("accept", ["*/*", "application/json; charset=utf-8", None, "application/*"])
def test_v3_accepts_anything_that_accepts_json(accept: str | None) -> None:
    with running() as peer:
        headers = dict(peer.http.headers)
        headers.pop("accept", None)
        if accept is not None:
            headers["Accept"] = accept
        resp = httpx.get(peer.url + REST + "/locales", headers=headers)
        assert resp.status_code == 200


def test_v3_refuses_non_json_accept_before_checking_the_token() -> None:
    with running(login=False) as peer:
        resp = peer.get("/locales", headers={"Accept": "text/html"})
        assert resp.status_code == 406
        assert resp.json() == {"error": "Accept header must be application/json"}


def test_v1_requires_exactly_application_json_but_checks_the_token_first() -> None:
    with running(version=1) as peer:
        assert peer.get("/locales", headers={"Accept": "*/*"}).status_code == 406
        assert peer.get("/locales", headers={"Accept": "application/json; charset=utf-8"}).status_code == 406
        assert peer.get("/locales").status_code == 200
        anonymous = httpx.get(peer.url + REST + "/locales", headers={"Accept": "*/*"})
        assert anonymous.status_code == 401


# -- throttling -----------------------------------------------------------------------------------
def test_v3_throttle_answers_429_with_laravel_headers() -> None:
    with running(rate_limit_per_min=3) as peer:
        remaining = [peer.get("/locales").headers["x-ratelimit-remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        resp = peer.get("/locales")
        assert resp.status_code == 429
        assert resp.json() == {
            "error": "429 Too Many Requests",
            "description": "Oops! Too many requests have been made in a short time. Please wait a moment and try again.",
        }
        assert 1 <= int(resp.headers["retry-after"]) <= 60
        assert resp.headers["x-ratelimit-limit"] == "3"
        assert resp.headers["x-ratelimit-remaining"] == "0"
        assert int(resp.headers["x-ratelimit-reset"]) >= int(time.time())


def test_v1_throttle_shows_as_500() -> None:
    with running(version=1, rate_limit_per_min=2) as peer:
        assert [peer.get("/locales").status_code for _ in range(2)] == [200, 200]
        resp = peer.get("/locales")
        assert resp.status_code == 500
        assert resp.json() == {"error": "500 Internal Server Error",
                               "description": "admin::app.shop.errors.500.description"}  # fmt: skip


def test_no_throttle_unless_a_rate_limit_is_set() -> None:
    with running() as peer:
        assert all(peer.get("/locales/en_US").status_code == 200 for _ in range(15))
        assert "x-ratelimit-limit" not in peer.get("/locales").headers
        assert all(peer.password_grant().status_code == 200 for _ in range(12))


def test_v3_token_route_limit_is_ten_per_username_and_ip() -> None:
    with running(login=False, rate_limit_per_min=1000) as peer:
        statuses = [peer.password_grant(password="wrong").status_code for _ in range(11)]
        assert statuses == [400] * 10 + [429]
        assert peer.password_grant().status_code == 429  # same username, same IP
        assert peer.password_grant(username="someone@else").status_code == 401  # another key


# -- ACL ------------------------------------------------------------------------------------------
def test_custom_permissions_are_enforced() -> None:
    state = UnoPimState()
    state.add_client("c4", "s4", "limited@example.com", "pw4", permission_type="custom",
                     permissions=["api.settings.locales", "api.settings"])  # fmt: skip
    with running(state, login=False) as peer:
        token = peer.password_grant(client_id="c4", client_secret="s4", username="limited@example.com",
                                    password="pw4").json()["access_token"]  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        assert peer.get("/locales", headers=auth).status_code == 200
        assert peer.get("/locales/en_US", headers=auth).status_code == 200
        assert peer.get("/channels", headers=auth).status_code == 200  # `api.settings` maps to channels.index
        denied = peer.get("/currencies", headers=auth)
        assert denied.status_code == 403
        assert denied.json() == {"error": "This action is unauthorized"}


# -- unknown routes -------------------------------------------------------------------------------
def test_unknown_route_and_wrong_verb_bodies_v3() -> None:
    with running() as peer:
        resp = peer.get("/nothing-here")
        assert resp.status_code == 404
        assert resp.json()["error"] == "404 Page Not Found"
        assert resp.json()["description"].startswith("Oops! The page you're looking for is on vacation.")
        resp = peer.delete("/channels")
        assert resp.status_code == 405
        assert resp.json()["error"] == "405 Method Not Allowed"
        assert "GET" in resp.headers["allow"]


def test_unknown_route_and_wrong_verb_bodies_v1() -> None:
    with running(version=1) as peer:
        resp = peer.get("/nothing-here")
        assert resp.status_code == 404
        assert resp.json() == {"error": "404 Page Not Found", "description": "admin::app.shop.errors.404.description"}
        # V1 has no settings writes: the path exists with GET only, and V1 reports the 405 as 500.
        resp = peer.post("/locales", json={"code": "xx_XX"})
        assert resp.status_code == 500
        assert resp.json()["error"] == "500 Internal Server Error"
