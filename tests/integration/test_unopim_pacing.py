"""The UnoPim client's rate-limit pacing against the sandbox UnoPim 3.x throttle, on loopback.

The sandbox's limiter is Laravel's fixed window (per user, opened by the first hit). A one-minute
window would make these tests slow, so the window is shortened to two seconds on both sides: the
sandbox's limiter and the client's pacer (the headers carry the limit, not the window length).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import RunningUnoPim, start_unopim
from unopim_desktop.clients.http import RetryPolicy
from unopim_desktop.clients.unopim import RatePacer, UnoPimClient, UnoPimCredentials
from unopim_desktop.sandbox.unopim.auth import FixedWindowLimiter

LIMIT = 20
WINDOW_S = 2
# Retries stay on (a 429 must be waited out), but short, so that a failure shows quickly.
RETRY = RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.5)


@pytest.fixture
def throttled() -> Iterator[RunningUnoPim]:
    running = start_unopim(version=3, rate_limit_per_min=LIMIT)
    running.state.rest_limiter = FixedWindowLimiter(LIMIT, window_s=WINDOW_S)  # type: ignore[attr-defined]
    yield running
    running.server.stop()


def creds(running: RunningUnoPim) -> UnoPimCredentials:
    c = running.credentials
    return UnoPimCredentials(address=running.url, client_id=c["client_id"], client_secret=c["client_secret"],
                             username=c["username"], password=c["password"])


def api_calls(running: RunningUnoPim) -> int:
    return sum(running.stats.count("GET", route) for route in ("/api/v1/rest/channels", "/api/v1/rest/locales"))


async def test_more_calls_than_one_window_allows_go_through_without_a_429(throttled):
    calls = 2 * LIMIT + 10
    async with UnoPimClient(creds(throttled), retry=RETRY, pacer=RatePacer(window_s=WINDOW_S)) as client:
        await client.sign_in()
        started = time.monotonic()
        answers = await asyncio.gather(*(client.get_json("/channels") for _ in range(calls)))
        elapsed = time.monotonic() - started
        pacer = client.pacer
    assert all(a["data"][0]["code"] == "default" for a in answers)
    assert throttled.stats.status_count(429) == 0
    assert pacer.refusals == 0 and pacer.limit == LIMIT
    assert api_calls(throttled) == calls  # nothing was sent twice
    # 50 calls at 20 per 2 s cannot take less than two whole windows...
    assert elapsed >= 2 * WINDOW_S
    # ...and pacing keeps close to the allowed rate (2 of 20 held back per window, plus loopback time).
    allowed_rate = LIMIT / WINDOW_S
    assert calls / elapsed >= 0.8 * allowed_rate, f"{calls} calls in {elapsed:.2f} s"


async def test_the_same_burst_without_pacing_is_refused(throttled):
    """The control: the sandbox really throttles, so the test above could fail."""
    async with UnoPimClient(creds(throttled), retry=RETRY) as client:
        await client.sign_in()
        token = client._token.access_token  # type: ignore[union-attr]
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=throttled.url, headers=headers) as raw:
        answers = await asyncio.gather(*(raw.get("/api/v1/rest/channels") for _ in range(LIMIT + 5)))
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 5
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert refused[0].headers["X-RateLimit-Remaining"] == "0"


async def test_a_spent_allowance_is_waited_out_with_one_429_at_most(throttled):
    async with UnoPimClient(creds(throttled), retry=RETRY, pacer=RatePacer(window_s=WINDOW_S)) as client:
        await client.sign_in()
        token = client._token.access_token  # type: ignore[union-attr]
        # Another program with the same user spends the whole allowance first.
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=throttled.url, headers=headers) as raw:
            for _ in range(LIMIT):
                assert (await raw.get("/api/v1/rest/locales")).status_code == 200
        started = time.monotonic()
        answers = await asyncio.gather(*(client.get_json("/channels") for _ in range(8)))
        elapsed = time.monotonic() - started
        pacer = client.pacer
    assert len(answers) == 8
    # Only the first call, which learns about the limit, may meet the spent allowance: the others
    # wait for its Retry-After instead of collecting a 429 each.
    assert throttled.stats.status_count(429) <= 1
    assert pacer.refusals == throttled.stats.status_count(429)
    assert elapsed < 3 * WINDOW_S
