"""The window's asyncio loop: qasync's, with cancelled timers dropped at once.

qasync gives every `call_later` (and `call_soon`) its own Qt timer and keeps the handle until that timer
fires, cancelled or not. httpx arms a timeout for each request and cancels it when the answer comes, so a
large sync kept thousands of dead 5–30 s timers alive: thousands of Qt timers for the event loop to
sort, and thousands of handles and contexts for every full garbage collection to walk (the larger part
of the window's longest stalls at 50,000 products). Here a cancelled handle kills its timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication


class _TimerHandle(asyncio.Handle):
    __slots__ = ("_timer", "_timer_id")

    def __init__(self, callback: Callable[..., object], args: tuple[Any, ...], loop: asyncio.AbstractEventLoop,
                 context: Context | None = None) -> None:
        super().__init__(callback, args, loop, context=context)
        self._timer: _Timers | None = None
        self._timer_id = 0

    def cancel(self) -> None:
        super().cancel()
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.forget(self._timer_id)


class _Timers(qasync._SimpleTimer):  # noqa: SLF001 (the loop's timer object; no public hook exists)
    """qasync's timer object, plus `forget`. Its table of handles is the base class's private one."""

    def add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        timer_id = self.startTimer(int(max(0, delay) * 1000))
        self._SimpleTimer__callbacks[timer_id] = handle
        if isinstance(handle, _TimerHandle):
            handle._timer, handle._timer_id = self, timer_id
        return handle

    def timerEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        handle = self._SimpleTimer__callbacks.get(event.timerId())
        if isinstance(handle, _TimerHandle):
            handle._timer = None  # it fires now: a cancel from here on has no timer left to kill
        super().timerEvent(event)

    def forget(self, timer_id: int) -> None:
        if self._SimpleTimer__callbacks.pop(timer_id, None) is not None:
            self.killTimer(timer_id)

    def pending(self) -> int:
        """Timers still armed (for tests)."""
        return len(self._SimpleTimer__callbacks)


class AppEventLoop(qasync.QEventLoop):
    def __init__(self, app: QApplication | None = None, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._timer = _Timers()  # before anything is scheduled on the base class's timer

    def call_later(self, delay: float, callback: Callable[..., object], *args: Any,
                   context: Context | None = None) -> asyncio.Handle:
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_later")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        return self._timer.add_callback(_TimerHandle(callback, args, self, context=context), delay)


class _Policy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        return AppEventLoop(QApplication.instance())


def run(main: Any) -> Any:
    """`asyncio.run(main)` on an AppEventLoop (what `qasync.run` does with its own loop)."""
    previous = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(_Policy())
    try:
        return asyncio.run(main)
    finally:
        asyncio.set_event_loop_policy(previous)
