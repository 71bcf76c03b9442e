"""The UnoPim client's rate-limit pacing against the sandbox UnoPim 3.x throttle, on loopback.

The sandbox's limiter is Laravel's fixed window (per user, opened by the first hit). A one-minute
window would make these tests slow, so the window is shortened to two seconds on both sides: the
sandbox's limiter and the client's pacer (the headers carry the limit, not the window length).

No stopwatch: the limiter records which of its windows admitted each call, and the tests assert on that
(how many windows a burst was spread over, none over its limit), which is what the pacing is for.
"""

from __future__ import annotations

import asyncio
from collections import Counter
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


class CountingLimiter(FixedWindowLimiter):
    """The sandbox's limiter, also counting the calls each of its windows admitted (by window start)."""

    def __init__(self, limit: int, window_s: int) -> None:
        super().__init__(limit, window_s)
        self.admitted: Counter[float] = Counter()

    def hit(self, key: str) -> tuple[bool, int, int, int]:
        answer = super().hit(key)
        if answer[0]:
            self.admitted[self._hits[key][0]] += 1
        return answer


@pytest.fixture
def throttled() -> Iterator[RunningUnoPim]:
    running = start_unopim(version=3, rate_limit_per_min=LIMIT)
    running.state.rest_limiter = CountingLimiter(LIMIT, window_s=WINDOW_S)  # type: ignore[attr-defined]
    yield running
    running.server.stop()


def windows(running: RunningUnoPim) -> Counter[float]:
    return Counter(running.state.rest_limiter.admitted)  # type: ignore[attr-defined]


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
        before = windows(throttled)
        answers = await asyncio.gather(*(client.get_json("/channels") for _ in range(calls)))
        pacer = client.pacer
    used = windows(throttled) - before
    assert all(a["data"][0]["code"] == "default" for a in answers)
    assert throttled.stats.status_count(429) == 0
    assert pacer.refusals == 0 and pacer.limit == LIMIT
    assert api_calls(throttled) == calls  # nothing was sent twice
    # 50 calls at 20 per window cannot fit in fewer than three windows, and no window took more than its limit…
    assert len(used) >= 3 and max(used.values()) <= LIMIT
    # …and pacing uses the windows well: it holds back a few calls per window (a reserve and a share kept
    # for bursts), not whole windows: at least 15 of the 20 allowed calls in every window but the last.
    per_window = [n for _, n in sorted(used.items())]
    assert all(n >= 15 for n in per_window[:-1]), per_window


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
        spent = windows(throttled)
        answers = await asyncio.gather(*(client.get_json("/channels") for _ in range(8)))
        pacer = client.pacer
    assert len(answers) == 8
    # Only the first call, which learns about the limit, may meet the spent allowance: the others
    # wait for its Retry-After instead of collecting a 429 each.
    assert throttled.stats.status_count(429) <= 1
    assert pacer.refusals == throttled.stats.status_count(429)
    # All eight went through in the very next window: the wait was the spent window's rest, no more.
    assert list((windows(throttled) - spent).values()) == [8]
