"""Opt-in cProfile of the sandbox process (`unopim-desktop sandbox --profile FILE`).

The servers run in uvicorn threads and cProfile hooks only the thread that enables it, so every
thread started while profiling gets its own profiler; their statistics are merged into one file
when profiling ends (after the servers have stopped, so no thread is still adding to them).
"""

from __future__ import annotations

import contextlib
import cProfile
import pstats
import sys
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def profile_threads(path: str) -> Iterator[None]:
    """Profile this thread and every thread started inside the block; dump the merged stats to `path`."""
    profilers: list[cProfile.Profile] = []
    guard = threading.Lock()

    def start_in_new_thread(frame: Any, event: str, arg: Any) -> None:
        # The first profile event of a new thread: replace this hook with a real profiler.
        profiler = cProfile.Profile()
        with guard:
            profilers.append(profiler)
        profiler.enable()

    main = cProfile.Profile()
    profilers.append(main)
    threading.setprofile(start_in_new_thread)
    main.enable()
    try:
        yield
    finally:
        main.disable()
        threading.setprofile(None)  # type: ignore[arg-type]
        with guard:
            collected = list(profilers)
        merged: pstats.Stats | None = None
        for profiler in collected:
            with contextlib.suppress(TypeError):  # a profiler that saw no call has no stats
                if merged is None:
                    merged = pstats.Stats(profiler)
                else:
                    merged.add(profiler)
        if merged is not None:
            merged.dump_stats(path)
            print(f"sandbox profile written to {path}", file=sys.stderr)
