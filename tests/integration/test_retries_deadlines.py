"""Retries that match the servers, and deadlines, over real loopback sockets against the sandbox peers.

- A 429 or 503 answer to a write says the server did nothing: the write (a WooCommerce batch with
  creates, a BigCommerce or UnoPim POST) is sent again after Retry-After, and saved exactly once.
- A 500 to a batch with creates may hide a partial save: it is not sent again.
- A server that trickles its answer is cut off by the request's total deadline; one that accepts and
  never answers fails a form within its budget; every time-out names the server.

Deadlines are injected (fractions of a second): no test waits the ~20 s a real form allows, and none
asserts on wall-clock time; the form's real budget is checked on the policies themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.faults import QUICK, SHORT_FORM, scripted
from unopim_desktop.app import connection as connection_module
from unopim_desktop.app.application import App
from unopim_desktop.app.connection import FORM_RETRY, ConnectionForm, _default_client
from unopim_desktop.cli import main
from unopim_desktop.clients.errors import ServerError, TimedOut
from unopim_desktop.clients.http import FORM_DEADLINE_S, RetryPolicy, make_async_client, send_with_retry
from unopim_desktop.clients.unopim import UnoPimClient, UnoPimCredentials
from unopim_desktop.domain import StoreConnection
from unopim_desktop.sandbox.faults import FaultRule
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.stores.bigcommerce import verify as bc_verify
from unopim_desktop.stores.bigcommerce.adapter import BigCommerceAdapter
from unopim_desktop.stores.woocommerce import verify as woo_verify
from unopim_desktop.stores.woocommerce.adapter import WooCommerceAdapter
from unopim_desktop.stores.woocommerce.lost_answers import product_resolver

BATCH = "/wp-json/wc/v3/products/batch"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=3, seed=5))
    yield sb
    sb.stop()


def woo(sb: Sandbox, label: str = "Shop") -> StoreConnection:
    w = sb.credentials()["woocommerce"]
    return StoreConnection(kind="woocommerce", label=label, url=w["url"], key=w["consumer_key"],
                           secret=w["consumer_secret"])


def big(sb: Sandbox, label: str = "Shop") -> StoreConnection:
    b = sb.credentials()["bigcommerce"]
    return StoreConnection(kind="bigcommerce", label=label, url=b["api_url"], key=b["client_id"],
                           secret=b["client_secret"], access_token=b["access_token"])


def unopim_client(sb: Sandbox, retry: RetryPolicy) -> UnoPimClient:
    u = sb.credentials()["unopim"]
    return UnoPimClient(UnoPimCredentials(u["url"], u["client_id"], u["client_secret"], u["username"],
                                          u["password"]), retry=retry)


# -- writes refused unprocessed are sent again ------------------------------------------------------------
@pytest.mark.parametrize("status", [503, 429])
async def test_a_woocommerce_batch_with_creates_is_resent_after_429_or_503_and_saved_once(sandbox, status):
    sku = f"RETRY-WOO-{status}"
    before = sandbox.woocommerce_stats.count("POST", BATCH)
    with scripted(sandbox, "woocommerce", FaultRule("status", method="POST", path="/batch$", status=status,
                                                    times=2)) as (rule,):
        async with WooCommerceAdapter(woo(sandbox), retry=QUICK) as api:
            result = await api.batch("wc/v3/products/batch",
                                     create=[(sku, {"name": sku, "sku": sku, "regular_price": "5"})])
    assert rule.hits == 2
    assert result.created[0].ok and result.created[0].store_id
    assert sandbox.woocommerce_stats.count("POST", BATCH) - before == 3
    assert [p["sku"] for p in sandbox.woocommerce.products()].count(sku) == 1


async def test_a_batch_refused_with_503_to_the_end_says_nothing_was_saved(sandbox):
    sku = "RETRY-WOO-ALWAYS-503"
    with scripted(sandbox, "woocommerce", FaultRule("status", method="POST", path="/batch$", status=503)) as (rule,):
        async with WooCommerceAdapter(woo(sandbox), retry=QUICK) as api:
            result = await api.batch("wc/v3/products/batch",
                                     create=[(sku, {"name": sku, "sku": sku, "regular_price": "5"})])
    assert rule.hits == QUICK.attempts
    item = result.created[0]
    assert not item.ok and item.status == 503 and "may have saved" not in item.error
    assert sku not in {p["sku"] for p in sandbox.woocommerce.products()}


async def test_a_batch_with_creates_whose_answer_was_lost_is_looked_up_and_saved_once(sandbox):
    """A 500 after the store saved the batch: before sending it again the client finds the SKU and sends
    an update of what the first try made, so the product exists once."""
    sku = "RETRY-WOO-500"
    with scripted(sandbox, "woocommerce", FaultRule("lose", method="POST", path="/batch$", status=500,
                                                    times=1)) as (rule,):
        async with WooCommerceAdapter(woo(sandbox), retry=QUICK) as api:
            result = await api.batch("wc/v3/products/batch", create=[(sku, {"name": sku, "sku": sku, "regular_price": "5"})],
                                     resolve=product_resolver(api))
    assert rule.hits == 1
    assert result.created[0].ok, result.created[0].error
    assert [p["sku"] for p in sandbox.woocommerce.products()].count(sku) == 1
    assert result.created[0].store_id == sandbox.woocommerce.product_by_sku(sku)["id"]


async def test_a_batch_answered_500_to_the_end_says_what_may_have_been_saved(sandbox):
    sku = "RETRY-WOO-500-ALWAYS"
    with scripted(sandbox, "woocommerce", FaultRule("status", method="POST", path="/batch$", status=500)) as (rule,):
        async with WooCommerceAdapter(woo(sandbox), retry=QUICK) as api:
            result = await api.batch("wc/v3/products/batch",
                                     create=[(sku, {"name": sku, "sku": sku, "regular_price": "5"})],
                                     resolve=product_resolver(api))
    assert rule.hits == QUICK.attempts  # each try after looking the SKU up (not found: nothing was saved)
    assert "matched by SKU on the next run" in result.created[0].error
    assert sku not in {p["sku"] for p in sandbox.woocommerce.products()}


@pytest.mark.parametrize("status", [503, 429])
async def test_a_bigcommerce_create_is_resent_after_429_or_503_and_saved_once(sandbox, status):
    sku = f"RETRY-BC-{status}"
    with scripted(sandbox, "bigcommerce", FaultRule("status", method="POST", path="/v3/catalog/products$",
                                                    status=status, times=1)) as (rule,):
        async with BigCommerceAdapter(big(sandbox), retry=QUICK) as api:
            answer = await api.write_json("POST", "v3/catalog/products",
                                          {"name": sku, "sku": sku, "type": "physical", "weight": 1, "price": 5})
    assert rule.hits == 1 and answer["data"]["sku"] == sku
    assert [p["sku"] for p in sandbox.bigcommerce.products()].count(sku) == 1


@pytest.mark.parametrize("status", [503, 429])
async def test_a_unopim_create_is_resent_after_429_or_503_and_saved_once(sandbox, status):
    code = f"retry_cat_{status}"
    with scripted(sandbox, "unopim", FaultRule("status", method="POST", path="/categories$", status=status,
                                               times=1)) as (rule,):
        async with unopim_client(sandbox, QUICK) as client:
            await client.create_category({"code": code})  # a second create of the code would be refused
            assert (await client.get_or_none(f"/categories/{code}"))["code"] == code
    assert rule.hits == 1


async def test_retry_after_on_a_503_is_waited_out(sandbox):
    """The wait comes from the answer's Retry-After header (a fake sleep records it; nothing waits)."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    with scripted(sandbox, "woocommerce", FaultRule("status", path="/wp-json/wc/v3$", status=503,
                                                    retry_after_s=7, times=1)):
        async with make_async_client(base_url=sandbox.woocommerce_url) as http:
            response = await send_with_retry(lambda: http.get("/wp-json/wc/v3"), idempotent=False,
                                             policy=RetryPolicy(base_delay=0.01), sleep=fake_sleep)
    assert response.status_code == 200
    assert slept == [7]


async def test_a_retry_after_longer_than_the_policy_allows_is_left_to_the_caller(sandbox):
    with scripted(sandbox, "unopim", FaultRule("status", path="/categories$", status=503,
                                               retry_after_s=600)) as (rule,):
        async with unopim_client(sandbox, QUICK) as client:
            with pytest.raises(ServerError) as caught:
                await client.create_category({"code": "retry_later"})
    assert rule.hits == 1 and caught.value.retry_after == 600


# -- deadlines ----------------------------------------------------------------------------------------------
async def test_a_trickling_unopim_is_cut_off_by_the_request_deadline(sandbox):
    policy = RetryPolicy(attempts=1, request_deadline=0.4)
    async with unopim_client(sandbox, policy) as client:
        await client.sign_in()
        with scripted(sandbox, "unopim", FaultRule("trickle", method="GET", path="/channels$", interval_ms=40)), \
                pytest.raises(TimedOut) as caught:
            await client.channels()
    error = caught.value
    assert error.phase == "finish" and error.status == 0
    assert str(error) == f"UnoPim at {sandbox.unopim_url} was still sending its answer after 0.4 s"


@pytest.mark.parametrize("kind", ["woocommerce", "bigcommerce"])
async def test_a_trickling_store_is_cut_off_and_named(sandbox, kind):
    adapter = (WooCommerceAdapter(woo(sandbox), retry=RetryPolicy(attempts=1, request_deadline=0.4))
               if kind == "woocommerce" else
               BigCommerceAdapter(big(sandbox), retry=RetryPolicy(attempts=1, request_deadline=0.4)))
    with scripted(sandbox, kind, FaultRule("trickle", method="GET", path="/products$", interval_ms=40)):
        async with adapter:
            with pytest.raises(TimedOut) as caught:
                async for _ in adapter.iter_products():
                    pass
    name = "WooCommerce" if kind == "woocommerce" else "BigCommerce"
    assert str(caught.value).startswith(f"The {name} store “Shop” at http://127.0.0.1:")
    assert str(caught.value).endswith("was still sending its answer after 0.4 s")


async def test_a_call_budget_stops_the_retries_against_a_silent_server(sandbox):
    policy = RetryPolicy(attempts=10, base_delay=0.01, request_deadline=0.3, deadline=0.7)
    with scripted(sandbox, "unopim", FaultRule("hang", method="POST", path="/oauth/token$")) as (rule,):
        async with unopim_client(sandbox, policy) as client:
            with pytest.raises(TimedOut) as caught:
                await client.sign_in()
    assert 2 <= rule.hits <= 3 < policy.attempts
    assert caught.value.phase == "answer"
    assert f"UnoPim at {sandbox.unopim_url} did not answer within" in caught.value.message


def test_the_forms_give_up_on_a_silent_server_in_about_20_seconds():
    """The real budgets, without waiting for them: two tries, ~20 s in all, and the form's clients use them."""
    assert FORM_DEADLINE_S == 20
    for policy in (FORM_RETRY, woo_verify.PROBE, bc_verify.PROBE):
        assert policy.deadline == FORM_DEADLINE_S and policy.attempts == 2
        assert 15 <= policy.worst_case() <= FORM_DEADLINE_S
    credentials = UnoPimCredentials("https://pim.example.com", "id", "secret", "user", "pw")
    assert _default_client(credentials).retry is FORM_RETRY


async def test_test_and_save_against_a_silent_unopim_names_it_and_saves_nothing(sandbox, data_dir, monkeypatch):
    monkeypatch.setattr(connection_module, "FORM_RETRY", SHORT_FORM)
    u = sandbox.credentials()["unopim"]
    app = App.open(data_dir)
    try:
        with scripted(sandbox, "unopim", FaultRule("hang", method="POST", path="/oauth/token$")) as (rule,):
            outcome = await app.connection.test_and_save(
                ConnectionForm(u["url"], u["client_id"], u["client_secret"], u["username"], u["password"]))
        assert not outcome.ok and rule.hits == 2
        assert outcome.reason == (f"HTTP 0: UnoPim at {u['url']} did not answer within {SHORT_FORM.request_deadline:g} s "
                                  "(tried 2 times).")
        assert await app.connection.stored_secrets(u["url"]) == (False, False)
    finally:
        await app.aclose()
        app.close()


def _connect_args(sb: Sandbox, data_dir) -> list[str]:
    u = sb.credentials()["unopim"]
    return ["--data-dir", str(data_dir), "connect", "--url", u["url"], "--client-id", u["client_id"],
            "--username", u["username"], "--client-secret", u["client_secret"], "--password", u["password"]]


def test_connect_command_against_a_silent_unopim(sandbox, data_dir, monkeypatch, capsys):
    monkeypatch.setattr(connection_module, "FORM_RETRY", SHORT_FORM)
    with scripted(sandbox, "unopim", FaultRule("hang", method="POST", path="/oauth/token$")):
        code = main(_connect_args(sandbox, data_dir))
    out = capsys.readouterr()
    assert code == 1
    assert out.err.splitlines()[0] == (f"HTTP 0: UnoPim at {sandbox.unopim_url} did not answer within "
                                       f"{SHORT_FORM.request_deadline:g} s (tried 2 times).")
    assert sandbox.credentials()["unopim"]["client_secret"] not in out.err + out.out


@pytest.mark.parametrize(
    ("kind", "flags", "path", "probe_module"),
    [
        ("woocommerce", lambda c: ["--url", c["url"], "--consumer-key", c["consumer_key"],
                                   "--consumer-secret", c["consumer_secret"]], "/wp-json/wc/v3$", woo_verify),
        ("bigcommerce", lambda c: ["--api-url", c["api_url"], "--access-token", c["access_token"]],
         "/v2/store$", bc_verify),
    ],
    ids=["woocommerce", "bigcommerce"],
)
def test_store_add_against_a_silent_store_names_it(sandbox, data_dir, monkeypatch, capsys, kind, flags, path,
                                                   probe_module):
    assert main(_connect_args(sandbox, data_dir)) == 0
    monkeypatch.setattr(probe_module, "PROBE", SHORT_FORM)
    creds = sandbox.credentials()[kind]
    with scripted(sandbox, kind, FaultRule("hang", method="GET", path=path)) as (rule,):
        code = main(["--data-dir", str(data_dir), "store", "add", kind, "--label", "Silent", *flags(creds)])
    out = capsys.readouterr()
    name = {"woocommerce": "WooCommerce", "bigcommerce": "BigCommerce"}[kind]
    assert code == 1 and rule.hits == 2
    assert f"The {name} store “Silent” at http://127.0.0.1:" in out.err
    assert f"did not answer within {SHORT_FORM.request_deadline:g} s (tried 2 times)." in out.err
    assert main(["--data-dir", str(data_dir), "store", "list"]) == 0
    assert "Silent" not in capsys.readouterr().out
