"""Calls made at about the same time, sent as one request (BigCommerce counts requests, not items).

The engine writes and reads variants product by product, several products at once; BigCommerce takes the
variants of any products in one `PUT /v3/catalog/variants` (≤ 50) and lists them for many products at once
(`GET /v3/catalog/variants?product_id:in=`). A `Batcher` gathers what callers submit within a few
milliseconds (or until a batch is full) and answers each caller with its own part.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

GATHER_S = 0.01  # how long a first caller waits for others (well under one request's round trip)


class Batcher(Generic[T, R]):
    """`send(items)` answers a list of items with one result each, in order; `size` items make a full batch,
    sent at once."""

    def __init__(self, send: Callable[[list[T]], Awaitable[list[R]]], size: int, wait_s: float = GATHER_S) -> None:
        self._send = send
        self.size = size
        self.wait_s = wait_s
        self._waiting: list[tuple[list[T], asyncio.Future[list[R]]]] = []
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0  # batches sent (for tests)

    async def submit(self, items: list[T]) -> list[R]:
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[R]] = loop.create_future()
        self._waiting.append((list(items), future))
        self._count += len(items)
        if self._count >= self.size:
            self._fire()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait_s, self._fire)
        return await future

    def _fire(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting, self._count = self._waiting, [], 0
        if batch:
            task = asyncio.ensure_future(self._deliver(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, batch: list[tuple[list[T], asyncio.Future[list[R]]]]) -> None:
        items = [item for part, _ in batch for item in part]
        self.sent += 1
        try:
            results = await self._send(items)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # every caller of the batch gets the error
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        start = 0
        for part, future in batch:
            if not future.done():
                future.set_result(results[start:start + len(part)])
            start += len(part)
