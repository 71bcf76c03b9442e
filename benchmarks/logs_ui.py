"""Logs-tab stall benchmark: how long the window's main loop goes unserved while a merchant opens the Logs tab
on a million rows, scrolls to the next page, filters by level, searches, and clears the filters.

    python benchmarks/logs_ui.py --rows 1000000 --json

The rows are written straight into a fresh data folder (`tests/support/million_logs.py`, as the Logs tab's
test does); the real main window opens offscreen on the qasync loop (as `unopim-desktop` does). A 10 ms
heartbeat ticks throughout (the `ui_stall.py` one); a stall is how much later than due a tick fires. Prints
one JSON line `{"max_stall_ms", "p99_stall_ms", …, "steps_s"}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import peak_rss_mb  # noqa: E402  (the benchmarks folder is not a package)
from ui_stall import Heartbeat, stall_figures  # noqa: E402

import unopim_desktop.ui  # noqa: E402, F401  (pins qasync to PySide6 before it is imported)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--json", action="store_true", help="one JSON line")
    return p.parse_args(argv)


async def drive(data_dir: str, rows: int) -> dict[str, Any]:
    from tests.support.million_logs import fill
    from unopim_desktop.app.application import App
    from unopim_desktop.ui.main_window import MainWindow

    app = App.open(data_dir)
    t = time.perf_counter()
    fill(app.ctx, rows)
    fill_s = time.perf_counter() - t
    window = MainWindow(app)
    window.show()
    beat = Heartbeat()
    steps: dict[str, float] = {}

    async def idle() -> None:
        for _ in range(5):
            for tab in window.all_tabs:
                await tab.wait_idle()
            await asyncio.sleep(0)

    async def step(name: str, action) -> None:  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        action()
        await asyncio.sleep(0.5)  # a typed search waits for a pause before it asks
        await idle()
        steps[name] = round(time.perf_counter() - began, 2)

    try:
        beat.start()
        t0 = time.perf_counter()
        await step("open_window", window.start_loading)
        tab = window.logs_tab
        await step("logs_tab", lambda: window.tabs.setCurrentWidget(tab))
        await step("next_page", tab.table.scrollToBottom)
        await step("filter_level", lambda: tab.filters.level.setCurrentIndex(tab.filters.level.findData("error")))
        await step("search", lambda: tab.filters.search.setText("SKU-ERR-4"))
        await step("clear_filters", tab.filters.clear_button.click)
        wall = time.perf_counter() - t0
        beat.stop()
        shown = len(tab.model.rows)
    finally:
        await window.shutdown()
        window.close()
        app.close()
    return {"beat": beat, "wall": wall, "steps": steps, "fill_s": fill_s, "shown": shown}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from unopim_desktop.ui.event_loop import AppEventLoop

    with tempfile.TemporaryDirectory(prefix="bench-logs-ui-") as data_dir:
        qt = QApplication.instance() or QApplication(sys.argv[:1])
        loop = AppEventLoop(qt)
        asyncio.set_event_loop(loop)
        with loop:
            r = loop.run_until_complete(drive(data_dir, args.rows))
    stalls = r["beat"].stalls_ms()
    result = {
        **stall_figures(stalls),
        "rows": args.rows,
        "rows_shown_at_the_end": r["shown"],
        "wall_s": round(r["wall"], 2),
        "steps_s": r["steps"],
        "fill_s": round(r["fill_s"], 2),
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
