"""The window's loop drops a cancelled timer at once (qasync kept it, and its Qt timer, until it fired)."""

from __future__ import annotations

import asyncio


def test_cancelled_timers_are_dropped_and_live_ones_still_fire(qloop):
    timers = qloop._timer
    before = timers.pending()
    fired: list[str] = []
    dead = [qloop.call_later(30, fired.append, f"dead {i}") for i in range(200)]  # e.g. request timeouts
    live = qloop.call_later(0.01, fired.append, "live")
    assert timers.pending() == before + 201
    for handle in dead:
        handle.cancel()
    assert timers.pending() == before + 1  # only the live one is still armed
    qloop.run_until_complete(asyncio.sleep(0.05))
    assert fired == ["live"] and live.cancelled() is False
    live.cancel()  # cancelling a handle that already ran is harmless
    assert timers.pending() == before


def test_a_handle_cancelled_by_its_own_callback_does_not_break_the_loop(qloop):
    seen: list[int] = []
    handle = None

    def callback() -> None:
        seen.append(1)
        handle.cancel()  # as a timeout scope does when its deadline fires

    handle = qloop.call_later(0, callback)
    qloop.run_until_complete(asyncio.sleep(0.02))
    assert seen == [1]
    assert qloop.run_until_complete(asyncio.sleep(0, result="still running")) == "still running"
