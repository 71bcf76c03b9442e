"""The UnoPim client against the sandbox UnoPim over loopback."""

from __future__ import annotations

import socket

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from unopim_desktop.clients.errors import AuthError, BadPayload, NotFound, RouteNotFound, Unreachable
from unopim_desktop.clients.http import RetryPolicy
from unopim_desktop.clients.unopim import UnoPimClient, UnoPimCredentials
from unopim_desktop.sandbox.server import ServerThread

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)


def creds(running, **override) -> UnoPimCredentials:
    c = dict(running.credentials)
    c.update(override)
    return UnoPimCredentials(
        address=override.get("address", running.url),
        client_id=c["client_id"],
        client_secret=c["client_secret"],
        username=c["username"],
        password=c["password"],
    )


async def test_good_credentials_sign_in_and_read_settings(unopim_any_version):
    async with UnoPimClient(creds(unopim_any_version), retry=FAST) as client:
        await client.sign_in()
        channels = await client.channels()
        locales = await client.locales()
        currencies = await client.currencies()
    assert [c["code"] for c in channels] == ["default"]
    assert "en_US" in {loc["code"] for loc in locales}
    assert len(locales) > 10  # more than one page at the default limit was walked
    assert "USD" in {c["code"] for c in currencies}


async def test_every_request_sends_accept_exactly_application_json(unopim_any_version):
    # UnoPim 1.x answers 406 to anything but the exact header; reading channels proves we pass it.
    async with UnoPimClient(creds(unopim_any_version), retry=FAST) as client:
        await client.sign_in()
        assert await client.channels()


async def test_wrong_password_is_the_users_fault(unopim_any_version):
    async with UnoPimClient(creds(unopim_any_version, password="wrong-password"), retry=FAST) as client:
        with pytest.raises(AuthError) as exc:
            await client.sign_in()
    assert exc.value.party == "user" and exc.value.status == 400
    assert exc.value.code == "invalid_grant"


async def test_wrong_client_secret_is_the_clients_fault(unopim_any_version):
    async with UnoPimClient(creds(unopim_any_version, client_secret="nope-nope"), retry=FAST) as client:
        with pytest.raises(AuthError) as exc:
            await client.sign_in()
    assert exc.value.party == "client" and exc.value.status == 401


async def test_address_with_a_path_gives_not_found(unopim):
    async with UnoPimClient(creds(unopim, address=unopim.url + "/admin"), retry=FAST) as client:
        with pytest.raises(NotFound) as exc:
            await client.sign_in()
    assert exc.value.status == 404


async def test_server_down_is_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = UnoPimCredentials(f"http://127.0.0.1:{port}", "id", "secret", "user", "password")
    async with UnoPimClient(c, retry=FAST) as client:
        with pytest.raises(Unreachable) as exc:
            await client.sign_in()
    assert exc.value.status == 0


async def test_html_answer_is_a_bad_payload():
    async def login_page(request):
        return HTMLResponse("<!DOCTYPE html><html><body><form>Sign in to continue</form></body></html>")

    app = Starlette(routes=[Route("/{path:path}", login_page, methods=["GET", "POST"])])
    with ServerThread(app) as server:
        c = UnoPimCredentials(server.url, "id", "secret", "user", "password")
        async with UnoPimClient(c, retry=FAST) as client:
            with pytest.raises(BadPayload) as exc:
                await client.sign_in()
    assert "HTML page" in exc.value.message


async def test_expired_token_is_refreshed_and_the_call_retried_once(unopim_any_version):
    running = unopim_any_version
    states = []
    async with UnoPimClient(creds(running), retry=FAST, on_token_state=states.append) as client:
        await client.sign_in()
        running.state.expire_tokens()  # the server now answers 401 to the old token
        before = running.stats.count("POST", "/oauth/token")
        channels = await client.channels()
        assert channels
        assert running.stats.count("POST", "/oauth/token") == before + 1
        assert running.stats.status_count(401) == 1
    assert "refreshing" in states and states[-1] == "connected"


async def test_token_is_renewed_before_expiry_without_a_401(unopim):
    now = [1000.0]
    async with UnoPimClient(creds(unopim), retry=FAST, clock=lambda: now[0]) as client:
        await client.sign_in()
        now[0] += 3600  # past expires_in: the client renews before sending
        assert await client.channels()
    assert unopim.stats.status_count(401) == 0
    assert unopim.stats.count("POST", "/oauth/token") == 2


async def test_revoked_refresh_token_falls_back_to_password_grant(unopim_any_version):
    running = unopim_any_version
    async with UnoPimClient(creds(running), retry=FAST) as client:
        await client.sign_in()
        running.state.expire_tokens()
        running.state.revoke_refresh_tokens()
        assert await client.channels()
    # password, failed refresh, password again
    assert running.stats.count("POST", "/oauth/token") == 3


async def test_one_probe_tells_the_server_generation(unopim_any_version):
    version = unopim_any_version.state.version
    async with UnoPimClient(creds(unopim_any_version), retry=FAST) as client:
        await client.sign_in()
        features = await client.features()
    assert features.generation == version
    assert features.configurable_path == ("/configrable-products" if version == 1 else "/configurable-products")
    assert features.variants_inherit is (version >= 3)
    assert features.deletes_options is (version >= 3)


async def test_a_missing_route_is_not_a_missing_entity(unopim_any_version):
    """1.x has no option DELETE route: its router's 404 must never read as "the option is already gone"."""
    version = unopim_any_version.state.version
    async with UnoPimClient(creds(unopim_any_version), retry=FAST) as client:
        await client.sign_in()
        with pytest.raises(NotFound) as entity:
            await client.delete_product("GHOST")
        assert not isinstance(entity.value, RouteNotFound)
        assert await client.get_product("GHOST") is None
        if version == 1:
            with pytest.raises(RouteNotFound):
                await client.delete_attribute_option("color", "red")
            with pytest.raises(RouteNotFound):  # a route this server lacks is an error, not an absence
                await client.get_product("GHOST", configurable_path="/configurable-products")
