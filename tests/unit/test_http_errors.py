import httpx
import pytest

from unopim_desktop.app.connection import explain
from unopim_desktop.clients.errors import (
    AuthError,
    BadPayload,
    NotFound,
    RateLimited,
    ServerError,
    Unreachable,
    Validation,
)
from unopim_desktop.clients.http import (
    RetryPolicy,
    decode_json,
    error_for,
    parse_retry_after,
    send_with_retry,
)
from unopim_desktop.clients.unopim.errors import token_error as _token_error


def _resp(status, body=None, *, text=None, headers=None, url="https://pim.example.com/oauth/token?consumer_secret=cs_x"):
    request = httpx.Request("POST", url)
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_error_statuses_map_to_types_with_the_server_message():
    assert isinstance(error_for(_resp(401, {"error": "Authentication failed due to invalid credentials or expired token."})), AuthError)
    nf = error_for(_resp(404, {"success": False, "message": "Product with sku \"X\" could not be found"}))
    assert isinstance(nf, NotFound) and "could not be found" in nf.message
    val = error_for(_resp(422, {"success": False, "message": "Validation failed.", "errors": {"family": ["required"]}}))
    assert isinstance(val, Validation) and val.errors == {"family": ["required"]}
    rl = error_for(_resp(429, {"error": "429 Too Many Requests"}, headers={"Retry-After": "7"}))
    assert isinstance(rl, RateLimited) and rl.retry_after == 7
    assert isinstance(error_for(_resp(503, text="<html>Bad gateway</html>")), ServerError)


def test_error_urls_drop_the_query_string_that_may_hold_keys():
    err = error_for(_resp(401, {"code": "woocommerce_rest_authentication_error", "message": "Invalid signature"}))
    assert "cs_x" not in err.url and "cs_x" not in str(err)
    assert err.code == "woocommerce_rest_authentication_error"


def test_html_instead_of_json_is_a_bad_payload():
    with pytest.raises(BadPayload, match="HTML page"):
        decode_json(_resp(200, text="<!DOCTYPE html><html><body>Sign in</body></html>"))


def test_token_errors_say_which_party_is_wrong():
    grant = _token_error(error_for(_resp(400, {"error": "invalid_grant", "error_description": "The user credentials were incorrect."})))
    client = _token_error(error_for(_resp(401, {"error": "invalid_client", "error_description": "Client authentication failed"})))
    assert isinstance(grant, AuthError) and grant.party == "user"
    assert isinstance(client, AuthError) and client.party == "client"
    assert "Username or Password" in explain(grant)[0]
    assert "Client ID or Client Secret" in explain(client)[0]


def test_explanations_follow_the_troubleshooting_table():
    assert explain(Unreachable("refused"))[0].startswith("HTTP 0")
    assert "bare admin address" in explain(NotFound("x", status=404))[1]
    assert "UnoPim's own logs" in explain(ServerError("boom", status=500))[1]
    assert "not answering as the UnoPim API" in explain(BadPayload("HTML", status=200))[0]


def test_retry_after_parsing():
    assert parse_retry_after("3") == 3
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None


async def test_retries_honour_retry_after_and_stop_on_validation():
    answers = [_resp(429, {"error": "slow down"}, headers={"Retry-After": "2"}), _resp(503, {"error": "x"}), _resp(200, {"ok": 1})]
    slept = []

    async def send():
        return answers.pop(0)

    async def fake_sleep(s):
        slept.append(s)

    r = await send_with_retry(send, policy=RetryPolicy(attempts=4, base_delay=0.01), idempotent=True, sleep=fake_sleep)
    assert r.status_code == 200 and slept[0] >= 2

    calls = 0

    async def invalid():
        nonlocal calls
        calls += 1
        return _resp(422, {"message": "bad"})

    with pytest.raises(Validation):
        await send_with_retry(invalid, policy=RetryPolicy(attempts=4), idempotent=True, sleep=fake_sleep)
    assert calls == 1


async def test_a_create_is_not_resent_after_a_server_error():
    calls = 0

    async def send():
        nonlocal calls
        calls += 1
        return _resp(500, {"message": "oops"})

    with pytest.raises(ServerError):
        await send_with_retry(send, policy=RetryPolicy(attempts=4, base_delay=0), idempotent=False)
    assert calls == 1


def test_a_routers_404_is_told_from_a_controllers():
    from unopim_desktop.app.connection import explain_api_error
    from unopim_desktop.clients.errors import RouteNotFound

    url = "https://pim.example.com/api/v1/rest/attributes/color/options/red"
    route = error_for(_resp(404, {"error": "404 Page Not Found", "description": "admin::app.shop.errors.404.description"},
                            url=url))
    entity = error_for(_resp(404, {"success": False, "message": "Product with sku \"X\" could not be found"}, url=url))
    wp = error_for(_resp(404, {"code": "rest_no_route", "message": "No route was found matching the URL and request "
                                                                   "method", "data": {"status": 404}}, url=url))
    assert isinstance(route, RouteNotFound) and isinstance(wp, RouteNotFound)
    assert isinstance(entity, NotFound) and not isinstance(entity, RouteNotFound)
    assert "no such API route" in explain_api_error(route)[0]
    assert "Check that the item exists" in explain_api_error(entity)[1]
