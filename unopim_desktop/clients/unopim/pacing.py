"""Pacing of UnoPim API calls: where the server announces its throttle (`X-RateLimit-Limit` /
`-Remaining`), calls are spread over the window so that none is refused (unopim-api.md §4.7)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Mapping

from unopim_desktop.clients.http import (
    parse_retry_after,
)

# 3.x throttles the REST API per user in a fixed one-minute window (unopim-api.md §4.7).
RATE_WINDOW_S = 60.0
# A 429 without Retry-After: wait this long first (the notes advise backing off from 1 s).
DEFAULT_THROTTLE_WAIT_S = 1.0


class RatePacer:
    """Spreads API calls over UnoPim's throttle window so that the server never has to refuse one.

    3.x (Laravel's `throttle:rest-api`, 120 a minute by default) counts calls per user in a fixed window
    that opens with the first call, and reports `X-RateLimit-Limit` and `X-RateLimit-Remaining` on every
    answer, but says when the window ends only in a 429. So the pacer takes the latest end consistent with
    what it saw (a minute after the first answer of a window): it may wait a little longer than needed,
    never too little. Within a window it lets a small burst go at once, then keeps the calls it has left
    on a straight line down to the window's end, so the allowed rate is used evenly. The server's count
    wins over the pacer's own whenever it is lower (another program spends the same user's allowance) or
    shows that the window rolled over early. Calls in flight are counted on the safe side.

    A server that sends no such headers (2.x, or a 3.x with the throttle off) is not paced: after the
    first answer every call goes straight through. A 429's Retry-After holds every caller, not only the
    one refused, unless the good answers show no throttle (then it was not the throttle's). The methods taking `now` are pure bookkeeping, for tests with a fake clock.
    """

    def __init__(self, *, window_s: float = RATE_WINDOW_S, burst_share: float = 0.1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.burst_share = burst_share
        self._clock = clock
        self.limit: int | None = None
        self.throttled: bool | None = None  # None until the first answer tells
        self.budget = 0  # calls we may still start before `window_end`
        self.window_end: float | None = None  # latest moment the server's window can end; None: not seen
        self.paused_until = 0.0
        self._anchor_t = 0.0  # the spreading line runs from (anchor_t, anchor_budget) to (window_end, 0)
        self._anchor_budget = 0
        self._burst = 0
        self._in_flight: dict[int, float] = {}  # ticket -> when the call started
        self._tickets = 0
        self._roll_ticket = 0  # calls up to this ticket started before the current window
        self._newest_answer = 0
        self._turn: asyncio.Lock | None = None
        self._answered: asyncio.Event | None = None
        self.waited_s = 0.0  # time callers spent held back, for diagnostics
        self.refusals = 0  # 429s seen despite the pacing

    @property
    def reserve(self) -> int:
        """Calls held back for what cannot be seen from here: answers overtaking each other, a call
        from elsewhere between two of ours."""
        if not self.limit:
            return 0
        return 2 if self.limit >= 60 else 1 if self.limit >= 10 else 0

    # -- pure bookkeeping ------------------------------------------------------------------------
    def delay(self, now: float) -> float:
        """Seconds before the next call may start: 0 now, `math.inf` until an answer comes in."""
        if now < self.paused_until:
            return self.paused_until - now
        if self.throttled is None:
            # Until an answer says whether there is a limit, one call at a time: a burst at a nearly
            # spent allowance would earn a row of 429s.
            return math.inf if self._in_flight else 0.0
        if not self.throttled:
            return 0.0
        self._roll(now)
        usable = self.budget - self.reserve
        if usable <= 0:
            if self.window_end is None:
                if self._in_flight:
                    return math.inf  # its answer tells when the window ends
                # No answer will tell: assume a whole window from now, after which `_roll` refills the
                # allowance (waiting `window_s` again and again instead stalled the run for good).
                self.window_end = now + self.window_s
            return max(self.window_end - now, 0.001)
        end = self.window_end if self.window_end is not None else self._anchor_t + self.window_s
        span = end - self._anchor_t
        spread = self._anchor_budget - self.reserve - self._burst
        if spread <= 0 or span <= 0 or now >= end:
            return 0.0
        # Calls go no faster than the straight line that spends what is left by the window's end.
        return max(end - usable * span / spread - now, 0.0)

    def start(self, now: float) -> int:
        """Note a call that starts now; the ticket goes back with its answer."""
        self._tickets += 1
        self._in_flight[self._tickets] = now
        if self.throttled:
            self.budget -= 1
        return self._tickets

    def abandon(self, ticket: int) -> None:
        """A call that got no answer (network error, cancelled)."""
        self._in_flight.pop(ticket, None)
        self._wake()

    def observe(self, ticket: int, status: int, headers: Mapping[str, str], now: float | None = None) -> None:
        """Learn from one answer: its status and the rate-limit headers, if any."""
        now = self._clock() if now is None else now
        self._in_flight.pop(ticket, None)
        try:
            self._learn(ticket, status, {k.lower(): v for k, v in headers.items()}, now)
        finally:
            self._wake()

    def _learn(self, ticket: int, status: int, headers: dict[str, str], now: float) -> None:
        limit = _int_or_none(headers.get("x-ratelimit-limit"))
        remaining = _int_or_none(headers.get("x-ratelimit-remaining"))
        if status == 429:
            self.refusals += 1
            if self.throttled is False:
                # Its good answers carry no count: this UnoPim has no throttle on, so the 429 came from
                # something else (a proxy, a busy server) and holds only the request refused (which waits
                # its Retry-After), not every caller: 5 % of such refusals paused a whole push for minutes.
                return
            wait = parse_retry_after(headers.get("retry-after"))
            wait = DEFAULT_THROTTLE_WAIT_S if wait is None else wait
            self.paused_until = max(self.paused_until, now + wait)
            self.limit = limit or self.limit
            if self.limit:
                self.throttled = True
                self.budget = 0
                self.window_end = now + wait  # Retry-After is the time left in the server's window
                self._roll_ticket = self._tickets
            return
        if limit is None or remaining is None or limit <= 0:
            if self.throttled is None or (self.throttled and status < 400):
                # A throttled UnoPim counts on every answer: a good answer without the count says this one
                # is not (the 429 that looked like its throttle came from elsewhere, e.g. a proxy).
                self.throttled = False
            return
        older = sum(1 for t in self._in_flight if t < ticket)
        # Calls that left after this one were not counted in its `remaining`; older ones may have been.
        server_budget = remaining - sum(1 for t in self._in_flight if t > ticket)
        fresh = remaining >= limit - 1 - older  # the window opened with our calls
        if not self.throttled or limit != self.limit:
            self.throttled, self.limit = True, limit
            self._new_window(now, server_budget, burst=fresh)
        elif ticket <= self._roll_ticket:
            pass  # started before the window rolled over: its count may belong to either window
        elif self.window_end is None:
            self.window_end = now + self.window_s  # the window opened at or before this answer
            self.budget = min(self.budget, server_budget)
        elif ticket > self._newest_answer and server_budget > self.budget + older:
            self._new_window(now, server_budget, burst=fresh)  # the server's window ended early
        elif server_budget < self.budget:
            self.budget = server_budget  # someone else spends this user's allowance too
            self._anchor_t, self._anchor_budget, self._burst = now, server_budget, 0
        self._newest_answer = max(self._newest_answer, ticket)

    def _new_window(self, now: float, budget: int, *, burst: bool) -> None:
        self.budget = budget
        self.window_end = now + self.window_s
        self._anchor_t, self._anchor_budget = now, budget
        self._burst = self._burst_size() if burst else 0
        self._roll_ticket = self._tickets if self._in_flight else self._roll_ticket

    def _roll(self, now: float) -> None:
        """Past the window's end: a whole new allowance, its end fixed by its first answer."""
        if self.window_end is None or now < self.window_end or not self.limit:
            return
        self.budget = self.limit
        self.window_end = None
        self._anchor_t, self._anchor_budget = now, self.limit
        self._burst = self._burst_size()
        self._roll_ticket = self._tickets

    def _burst_size(self) -> int:
        return int((self.limit or 0) * self.burst_share)

    def _wake(self) -> None:
        if self._answered is not None:
            self._answered.set()

    # -- async use ---------------------------------------------------------------------------------
    async def acquire(self) -> int:
        """Wait until a call may start; returns its ticket for `observe` or `abandon`."""
        now = self._clock()
        if self.throttled is False and now >= self.paused_until:
            return self.start(now)
        if self._turn is None or self._answered is None:
            self._turn, self._answered = asyncio.Lock(), asyncio.Event()
        async with self._turn:  # one caller at a time, in the order they came
            while True:
                now = self._clock()
                wait = self.delay(now)
                if wait <= 0:
                    return self.start(now)
                # Any answer may change the picture (a 429, an early roll-over): wake on it.
                self._answered.clear()
                started = time.monotonic()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._answered.wait(), None if math.isinf(wait) else wait)
                self.waited_s += time.monotonic() - started


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
