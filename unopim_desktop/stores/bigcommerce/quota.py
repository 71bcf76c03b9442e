"""Pacing for BigCommerce's store-wide request quota (store-apis B9).

Every answer carries `X-Rate-Limit-Requests-Left` and `X-Rate-Limit-Time-Reset-Ms`. The pacer keeps
an estimate of the requests left in the current window, takes one per request it lets out, and
when none are left waits for the window to reset instead of letting the store answer 429. The
quota is shared with every other app on the store, so a 429 can still come: then the wait is the
longer of `X-Rate-Limit-Time-Reset-Ms` and `X-Retry-After`, or an exponential back-off when the
429 carries neither (platform load).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

# Waits a little past the announced reset: the store's clock and ours do not tick together.
RESET_MARGIN_S = 0.05
BARE_429_BASE_S = 2.0
BARE_429_MAX_S = 60.0


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def wait_after_429(headers: Mapping[str, str], attempt: int) -> float:
    """Seconds to wait before re-sending after a 429 (B9: honour the longer of the two headers)."""
    reset_ms = _header_int(headers, "X-Rate-Limit-Time-Reset-Ms")
    retry_after = _header_int(headers, "X-Retry-After")
    if retry_after is None:
        retry_after = _header_int(headers, "Retry-After")
    candidates = [v for v in (reset_ms / 1000 if reset_ms is not None else None, retry_after) if v is not None]
    if candidates:
        return max(candidates) + RESET_MARGIN_S
    return min(BARE_429_MAX_S, BARE_429_BASE_S * (2 ** max(0, attempt - 1)))


class QuotaPacer:
    """Shared by every request of one adapter. `reserve` requests are left for other apps."""

    def __init__(
        self,
        *,
        reserve: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.reserve = max(0, reserve)
        self._clock = clock
        self._sleep = sleep
        self._left: int | None = None  # None: unknown (no answer seen in this window yet)
        self._resets_at: float | None = None
        self._in_flight = 0
        self._lock = asyncio.Lock()
        self.waits = 0  # how many times a request was held back (for tests and benchmarks)
        self.waited_s = 0.0

    @property
    def left(self) -> int | None:
        return self._left

    async def acquire(self) -> None:
        """Wait, if needed, until the quota has room for one more request, and take it."""
        async with self._lock:
            while True:
                now = self._clock()
                if self._resets_at is not None and now >= self._resets_at:
                    self._left, self._resets_at = None, None  # a new window: learn it from the next answer
                if self._left is None or self._left > self.reserve:
                    if self._left is not None:
                        self._left -= 1
                    self._in_flight += 1
                    return
                delay = (self._resets_at - now if self._resets_at is not None else 1.0) + RESET_MARGIN_S
                self.waits += 1
                self.waited_s += delay
                await self._sleep(delay)

    def release(self, headers: Mapping[str, str] | None) -> None:
        """Account for an answer (or a request that got none: `headers=None`)."""
        self._in_flight = max(0, self._in_flight - 1)
        if headers is None:
            return
        left = _header_int(headers, "X-Rate-Limit-Requests-Left")
        reset_ms = _header_int(headers, "X-Rate-Limit-Time-Reset-Ms")
        if left is None or reset_ms is None:
            return
        now = self._clock()
        resets_at = now + reset_ms / 1000
        # Requests still in flight were let out after the store counted this one, or not: assume
        # they were not, so the estimate errs on the slow side.
        estimate = max(0, left - self._in_flight)
        new_window = self._resets_at is None or resets_at > self._resets_at + 0.5 or self._left is None
        if new_window:
            self._left, self._resets_at = estimate, resets_at
        else:
            self._left = min(self._left if self._left is not None else estimate, estimate)
            self._resets_at = max(self._resets_at or resets_at, resets_at)

    def spent(self, headers: Mapping[str, str], attempt: int = 1) -> float:
        """A 429: nothing is left until the store's announced reset; returns the wait in seconds."""
        wait = wait_after_429(headers, attempt)
        self._left = 0
        self._resets_at = self._clock() + wait
        return wait
