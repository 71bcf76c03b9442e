"""RatePacer: UnoPim 3.x rate-limit pacing, as pure bookkeeping on a fake clock.

The simulated server is Laravel's fixed-window limiter as UnoPim 3.x uses it (unopim-api.md §4.7):
`limit` hits per user in a window that opens with the first hit and lasts a minute; each answer carries
`X-RateLimit-Limit` and `X-RateLimit-Remaining`; a refused hit gets 429 with Retry-After (seconds left in
the window) and is not counted.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field

import pytest

from unopim_desktop.clients.unopim import RatePacer


class FixedWindowServer:
    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.start: float | None = None
        self.count = 0
        self.refused = 0
        self.accepted = 0

    def hit(self, now: float) -> tuple[int, dict[str, str]]:
        if self.start is None or now - self.start >= self.window_s:
            self.start, self.count = now, 0
        if self.count >= self.limit:
            self.refused += 1
            retry_after = max(1, math.ceil(self.start + self.window_s - now))
            return 429, {"Retry-After": str(retry_after), "X-RateLimit-Limit": str(self.limit),
                         "X-RateLimit-Remaining": "0"}
        self.count += 1
        self.accepted += 1
        return 200, {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.limit - self.count)}


@dataclass(order=True)
class _Event:
    at: float
    seq: int
    kind: str = field(compare=False)  # "arrive" | "answer" | "wake"
    data: tuple = field(compare=False, default=())


def simulate(pacer: RatePacer, server: FixedWindowServer | None, *, workers: int, duration_s: float,
             latency_s: float = 0.05, jitter_s: float = 0.01, seed: int = 7,
             other_hits: list[float] = ()) -> dict[str, float]:  # fmt: skip
    """Discrete-event run: `workers` callers each make call after call through the pacer for
    `duration_s` of virtual time. The request reaches the server after half the latency (with jitter,
    so requests may overtake each other) and the answer comes back after the other half. `other_hits`
    are calls from some other program with the same user, at those times."""
    rng = random.Random(seed)
    events: list[_Event] = []
    seq = 0

    def push(at: float, kind: str, data: tuple = ()) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, _Event(at, seq, kind, data))

    for t in other_hits:
        push(t, "other")
    waiting = list(range(workers))  # workers ready to start a call, in order
    starts: list[float] = []
    statuses: list[int] = []
    wake_at: float | None = None
    now = 0.0

    def try_start() -> None:
        nonlocal wake_at
        while waiting:
            wait = pacer.delay(now)
            if wait > 0:
                if not math.isinf(wait) and (wake_at is None or wake_at <= now or now + wait < wake_at):
                    wake_at = now + wait
                    push(wake_at, "wake")
                return
            waiting.pop(0)
            ticket = pacer.start(now)
            starts.append(now)
            push(now + latency_s / 2 + rng.uniform(0, jitter_s), "arrive", (ticket,))

    try_start()
    while events:
        event = heapq.heappop(events)
        now = event.at
        if now > duration_s:
            break
        if event.kind == "other":
            if server is not None:
                server.hit(now)
        elif event.kind == "arrive":
            (ticket,) = event.data
            status, headers = server.hit(now) if server is not None else (200, {})
            push(now + latency_s / 2 + rng.uniform(0, jitter_s), "answer", (ticket, status, headers))
        elif event.kind == "answer":
            ticket, status, headers = event.data
            pacer.observe(ticket, status, headers, now=now)
            statuses.append(status)
            if status == 429:
                # The client's retry: the same worker goes again after the Retry-After.
                push(now + float(headers.get("Retry-After", "1")), "retry")
            else:
                waiting.append(len(statuses))
        elif event.kind == "retry":
            waiting.append(-1)
        try_start()
    done = [s for s in statuses if s != 429]
    return {"calls": len(starts), "ok": len(done), "refused": statuses.count(429),
            "per_min": len(done) / duration_s * 60}


# -- servers without a limit --------------------------------------------------------------------------


def test_one_probe_call_until_the_first_answer_then_no_pacing_without_headers():
    pacer = RatePacer()
    assert pacer.delay(0.0) == 0
    first = pacer.start(0.0)
    assert math.isinf(pacer.delay(0.01)), "a second call must wait for the first answer"
    pacer.observe(first, 200, {"Content-Type": "application/json"}, now=0.05)
    assert pacer.throttled is False
    for i in range(50):
        assert pacer.delay(0.05 + i * 0.001) == 0
        pacer.start(0.05 + i * 0.001)


def test_unthrottled_server_gets_calls_as_fast_as_the_workers_go():
    result = simulate(RatePacer(), None, workers=8, duration_s=10, latency_s=0.05)
    # 8 workers, ~55 ms a call: about 1,450 calls in 10 s; pacing would cut that to a trickle.
    assert result["ok"] > 1200


def test_a_transport_error_on_the_probe_lets_the_next_call_probe():
    pacer = RatePacer()
    ticket = pacer.start(0.0)
    assert math.isinf(pacer.delay(0.1))
    pacer.abandon(ticket)
    assert pacer.delay(0.2) == 0


# -- pacing under a limit ------------------------------------------------------------------------------


def fresh_answer(pacer: RatePacer, limit: int, now: float = 0.0) -> None:
    ticket = pacer.start(now)
    pacer.observe(ticket, 200, {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(limit - 1)},
                  now=now + 0.05)


def test_a_fresh_window_allows_a_small_burst_then_spreads_the_rest_evenly():
    pacer = RatePacer()
    fresh_answer(pacer, 120)
    assert pacer.limit == 120 and pacer.throttled
    now = 0.05
    burst = 0
    while pacer.delay(now) == 0:
        pacer.start(now)
        burst += 1
    assert 8 <= burst <= 14, burst  # a tenth of the allowance, give or take the reserve
    gaps = []
    for _ in range(40):
        wait = pacer.delay(now)
        now += wait
        gaps.append(wait)
        pacer.start(now)
    # The rest of 120 a minute spread over what is left of the minute: about half a second apart.
    assert all(0.4 < g < 0.6 for g in gaps[1:]), gaps


def test_never_more_calls_in_a_window_than_the_limit_minus_the_reserve():
    pacer = RatePacer()
    fresh_answer(pacer, 30)
    now, started = 0.05, 1
    while now < 59.9:
        wait = pacer.delay(now)
        if now + wait >= 60.0:
            break
        now += wait
        pacer.start(now)
        started += 1
    assert started <= 30 - pacer.reserve
    assert started >= 30 - pacer.reserve - 1  # and the allowance is used, not wasted


def test_when_the_allowance_is_spent_the_next_call_waits_for_the_window_to_end():
    pacer = RatePacer()
    ticket = pacer.start(0.0)
    pacer.observe(ticket, 200, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "2"}, now=0.1)
    # Remaining 2 and a reserve of 2: nothing left for now; the window opened at the latest just now.
    assert pacer.delay(0.2) == pytest.approx(60.1 - 0.2)
    assert pacer.delay(60.2) == 0, "after the window a whole new allowance"


@pytest.mark.parametrize("limit", [30, 120, 600])
def test_no_429_and_at_least_90_percent_of_the_allowed_rate(limit):
    server = FixedWindowServer(limit)
    result = simulate(RatePacer(), server, workers=8, duration_s=300, latency_s=0.05, jitter_s=0.02)
    assert result["refused"] == 0
    assert result["per_min"] >= 0.9 * limit, result


def test_high_latency_and_overtaking_answers_still_give_no_429():
    server = FixedWindowServer(120)
    result = simulate(RatePacer(), server, workers=8, duration_s=240, latency_s=0.8, jitter_s=0.6, seed=3)
    assert result["refused"] == 0
    assert result["per_min"] >= 0.9 * 120, result


def test_an_allowance_partly_spent_before_the_client_started():
    server = FixedWindowServer(120)
    # Another program used 100 of the 120 in the 30 s before our first call.
    others = [-30 + i * 0.3 for i in range(100)]
    for t in others:
        server.hit(t)
    result = simulate(RatePacer(), server, workers=8, duration_s=180)
    assert result["refused"] == 0
    # At most 20 calls until that window ends at t=30, then 120 a minute for 150 s.
    assert result["ok"] >= 0.9 * (20 + 120 * 150 / 60), result


def test_another_program_spending_the_same_allowance_steadily():
    server = FixedWindowServer(120)
    others = [i * 2.0 for i in range(150)]  # 30 a minute from elsewhere
    result = simulate(RatePacer(), server, workers=8, duration_s=300, other_hits=others)
    assert result["refused"] == 0
    assert result["per_min"] >= 0.8 * 90, result  # what the other program leaves


def test_a_limit_announced_only_later_is_taken_up():
    pacer = RatePacer()
    first = pacer.start(0.0)
    pacer.observe(first, 200, {}, now=0.05)
    assert pacer.throttled is False
    second = pacer.start(1.0)
    pacer.observe(second, 200, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "10"}, now=1.05)
    assert pacer.throttled and pacer.limit == 60
    assert pacer.budget == 10


# -- 429 and Retry-After ---------------------------------------------------------------------------------


def test_a_429_holds_every_caller_for_its_retry_after():
    pacer = RatePacer()
    fresh_answer(pacer, 120)
    tickets = [pacer.start(1.0) for _ in range(3)]
    pacer.observe(tickets[0], 429, {"Retry-After": "17", "X-RateLimit-Limit": "120",
                                    "X-RateLimit-Remaining": "0"}, now=2.0)
    assert pacer.refusals == 1
    assert pacer.delay(2.0) == pytest.approx(17.0)
    assert pacer.delay(10.0) == pytest.approx(9.0)
    # Then a new window: calls go again.
    assert pacer.delay(19.0) == 0


def test_a_429_without_retry_after_backs_off_a_second():
    pacer = RatePacer()
    ticket = pacer.start(0.0)
    pacer.observe(ticket, 429, {}, now=0.5)
    assert pacer.delay(0.5) == pytest.approx(1.0)


def test_a_window_that_ends_earlier_than_assumed_is_noticed():
    pacer = RatePacer()
    limit = {"X-RateLimit-Limit": "60"}
    ticket = pacer.start(0.0)
    # Mid-window at the first answer: the pacer must assume the window opened just now.
    pacer.observe(ticket, 200, {**limit, "X-RateLimit-Remaining": "5"}, now=0.1)
    assert pacer.window_end == pytest.approx(60.1)
    now, tickets = 0.1, []
    for _ in range(3):  # 5 left, 2 held in reserve
        now += pacer.delay(now)
        tickets.append(pacer.start(now))
    assert pacer.delay(now) == pytest.approx(60.1 - now), "spent: wait for the window's end"
    pacer.observe(tickets[0], 200, {**limit, "X-RateLimit-Remaining": "4"}, now=now + 0.05)
    pacer.observe(tickets[1], 200, {**limit, "X-RateLimit-Remaining": "3"}, now=now + 0.06)
    # The server's window really opened long before: the last answer shows a fresh allowance.
    pacer.observe(tickets[2], 200, {**limit, "X-RateLimit-Remaining": "59"}, now=now + 0.07)
    assert pacer.budget == 59
    assert pacer.delay(now + 0.07) == 0
    assert pacer.window_end == pytest.approx(now + 0.07 + 60)


def test_a_late_answer_from_before_a_rollover_does_not_shrink_the_new_allowance():
    pacer = RatePacer()
    fresh_answer(pacer, 60)
    straggler = pacer.start(59.9)
    assert pacer.delay(60.2) == 0  # the window has ended: a new allowance
    fresh = pacer.start(60.2)
    pacer.observe(straggler, 200, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "1"}, now=60.3)
    assert pacer.budget == 59
    pacer.observe(fresh, 200, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59"}, now=60.35)
    assert pacer.budget == 59 and pacer.window_end == pytest.approx(120.35)


def test_headers_are_read_whatever_their_case_and_garbage_is_ignored():
    pacer = RatePacer()
    ticket = pacer.start(0.0)
    pacer.observe(ticket, 200, {"X-RATELIMIT-LIMIT": "abc", "x-ratelimit-remaining": "3"}, now=0.1)
    assert pacer.throttled is False
    ticket = pacer.start(0.2)
    pacer.observe(ticket, 200, {"X-RATELIMIT-LIMIT": "50", "x-ratelimit-remaining": "49"}, now=0.3)
    assert pacer.limit == 50
