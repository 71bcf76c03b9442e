"""A wall clock that moves only when a test says so, for the scheduler (no test waits for real time, and no
test asserts on the real one)."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

START = dt.datetime(2040, 1, 6, 9, 0, 0)  # far after any run a test makes for real, so those never look recent


class FakeClock:
    def __init__(self, start: dt.datetime = START) -> None:
        self.t = start
        self._sleepers: list[tuple[dt.datetime, asyncio.Future[None]]] = []

    def now(self) -> dt.datetime:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self.t + dt.timedelta(seconds=seconds), future)
        self._sleepers.append(entry)
        try:
            await future
        finally:
            if entry in self._sleepers:
                self._sleepers.remove(entry)

    def advance(self, **delta: float) -> None:
        """Move the clock (a laptop waking up moves it by hours at once); wake whoever slept past it."""
        self.t += dt.timedelta(**delta)
        for deadline, future in list(self._sleepers):
            if deadline <= self.t and not future.done():
                future.set_result(None)

    @property
    def sleeping(self) -> int:
        return sum(1 for _d, f in self._sleepers if not f.done())


class NoSpread(random.Random):
    """The scheduler's random spread, always zero (due times to the second)."""

    def randint(self, a: int, b: int) -> int:
        return a
