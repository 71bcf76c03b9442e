"""UI-stall benchmark: how long the window's main loop goes unserved during a Pull Full.

    python benchmarks/ui_stall.py --products 10000 --latency-ms 50 --json

The sandbox runs in a child process; this process opens the real main window offscreen on the qasync
loop (as `unopim-desktop` does), after the same CLI set-up as benchmarks/pull.py, and clicks Pull Full
on the Sync tab (or, on a window without one, runs the window's engine on the GUI loop). A 10 ms
heartbeat timer ticks meanwhile; a stall is how much later than due a tick fires. Prints one JSON line
`{"max_stall_ms", "p99_stall_ms", …}`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import (  # noqa: E402  (the benchmarks folder is not a package)
    CHANNEL,
    BenchmarkError,
    peak_rss_mb,
    set_up_app,
    start_sandbox_process,
)

import unopim_desktop.ui  # noqa: E402, F401  (pins qasync to PySide6 before it is imported)

HEARTBEAT_MS = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--products", type=int, default=10000)
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--unopim-rate-limit", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--worst", type=int, default=5, help="how many of the longest stalls to list, with when")
    p.add_argument("--trace-stalls", type=float, default=0, metavar="MS",
                   help="diagnostic: sample the GUI thread's stack while a tick is MS late, and list where "
                        "the stalls were spent")
    p.add_argument("--trace-gc", action="store_true",
                   help="diagnostic: time the garbage collector's passes and list the long ones")
    p.add_argument("--no-gc-freeze", action="store_true",
                   help="diagnostic: skip MainWindow.settle() (the app's gc.freeze() once the window has "
                        "loaded) before Pull Full")
    p.add_argument("--json", action="store_true", help="print one JSON line (the default prints it indented)")
    return p.parse_args(argv)


class GcTimer:
    """Times each pass of the cyclic garbage collector (it runs on whichever thread allocates)."""

    def __init__(self) -> None:
        self.passes: list[tuple[float, float, int, int]] = []  # (start, seconds, generation, collected)
        self._started = 0.0
        self.tracked_after_full: list[int] = []  # objects the collector tracks, after each full pass

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.passes.append((self._started, time.perf_counter() - self._started, info["generation"],
                                info["collected"]))
            if info["generation"] == 2:
                self.tracked_after_full.append(len(gc.get_objects()))

    def overlap_ms(self, start: float, end: float) -> float:
        """Collector time inside [start, end]: how much of a stall it explains."""
        return round(sum(max(0.0, min(end, a + d) - max(start, a)) for a, d, _, _ in self.passes) * 1000, 1)

    def report(self, t0: float, over_ms: float = 20.0) -> dict[str, Any]:
        long = [p for p in self.passes if p[1] * 1000 >= over_ms]
        by_gen = {g: [p[1] for p in self.passes if p[2] == g] for g in (0, 1, 2)}
        return {
            "passes": {str(g): len(v) for g, v in by_gen.items()},
            "max_ms": {str(g): round(max(v, default=0.0) * 1000, 1) for g, v in by_gen.items()},
            "total_ms": round(sum(p[1] for p in self.passes) * 1000),
            "tracked_after_full_passes": self.tracked_after_full,
            f"over_{int(over_ms)}ms": [{"at_s": round(p[0] - t0, 2), "ms": round(p[1] * 1000, 1), "generation": p[2],
                                        "collected": p[3]} for p in long],
        }


class Heartbeat:
    """A precise 10 ms Qt timer that notes when each tick actually fires."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_s = interval_ms / 1000
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def stalls_ms(self) -> list[float]:
        return [max(0.0, (b - a - self.interval_s) * 1000) for a, b in zip(self.ticks, self.ticks[1:], strict=False)]


class StallTracer(threading.Thread):
    """Samples the GUI thread's stack every few ms while the heartbeat is late: where stalls go.

    Samples are grouped by stall (the ticks on either side); the longest stalls are reported with the
    stacks seen during them, the innermost frames of this project (or of a library it called) naming
    the cause. Sampling costs the GUI thread a little GIL time, so run it apart from the reported
    measurement.
    """

    def __init__(self, beat: Heartbeat, late_ms: float, every_s: float = 0.002) -> None:
        super().__init__(name="stall-tracer", daemon=True)
        self.beat = beat
        self.late_s = late_ms / 1000
        self.every_s = every_s
        self.main_id = threading.main_thread().ident
        self.samples: Counter[str] = Counter()
        self.episodes: dict[float, Counter[str]] = {}  # tick the stall began after -> stacks seen
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.wait(self.every_s):
            ticks = self.beat.ticks
            if not ticks or time.perf_counter() - ticks[-1] < self.late_s:
                continue
            frames = sys._current_frames()  # noqa: SLF001 (the only way to sample)
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in frames.items():
                if ident == self.ident:
                    continue
                if ident != self.main_id:
                    if not _runs_our_code(frame):
                        continue  # an idle worker thread
                    where = f"(thread {names.get(ident, ident)}) {_where(frame)}"
                else:
                    where = _where(frame)
                self.samples[where] += 1
                self.episodes.setdefault(ticks[-1], Counter())[where] += 1

    def report(self, stalls: dict[float, float], t0: float, top: int = 8) -> dict[str, Any]:
        """The stacks most sampled overall, and the longest stalls with what they were spent on."""
        longest = sorted(self.episodes, key=lambda tick: stalls.get(tick, 0.0), reverse=True)[:top]
        return {
            "overall": [{"ms": round(n * self.every_s * 1000), "stack": stack}
                        for stack, n in self.samples.most_common(top)],
            "longest": [{"at_s": round(tick - t0, 2), "stall_ms": round(stalls.get(tick, 0.0), 1),
                         "stacks": [f"{round(n * self.every_s * 1000)} ms: {stack}"
                                    for stack, n in self.episodes[tick].most_common(3)]}
                        for tick in longest],
        }


def _runs_our_code(frame: Any) -> bool:
    while frame is not None:
        if "unopim_desktop" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def _where(frame: Any) -> str:
    """The innermost frames that say what the loop was doing: up to 4 of ours, below the first library one."""
    stack = traceback.extract_stack(frame)
    ours = [f for f in stack if "unopim_desktop" in f.filename]
    inner = stack[-1]
    parts = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in ours[-4:]]
    if inner not in ours:
        parts.append(f"[{Path(inner.filename).name}:{inner.lineno} {inner.name}]")
    return " > ".join(parts) or f"{Path(inner.filename).name}:{inner.lineno} {inner.name}"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def stall_figures(stalls: list[float]) -> dict[str, Any]:
    """The main loop's stalls as every UI benchmark prints them: the worst and the p99 (the targets), and
    the median, the count over 100 ms and the number of heartbeats for reading them."""
    return {
        "max_stall_ms": round(max(stalls, default=0.0), 1),
        "p99_stall_ms": round(percentile(stalls, 0.99), 1),
        "p50_stall_ms": round(percentile(stalls, 0.50), 1),
        "stalls_over_100ms": sum(1 for s in stalls if s > 100),
        "ticks": len(stalls),
        "heartbeat_ms": HEARTBEAT_MS,
    }


async def drive_window(data_dir: str, trace_ms: float = 0, trace_gc: bool = False,
                       freeze: bool = False) -> dict[str, Any]:
    from unopim_desktop.app.application import App
    from unopim_desktop.ui.main_window import MainWindow

    app = App.open(data_dir)
    window = MainWindow(app)
    window.show()
    window.start_loading()
    for tab in window.all_tabs:
        await tab.wait_idle()
    if freeze:
        await window.settle()  # what the app does once the window has loaded (gc.freeze)
    beat = Heartbeat()
    tracer = StallTracer(beat, trace_ms) if trace_ms else None
    gc_timer = GcTimer() if trace_gc else None
    if gc_timer is not None:
        gc.callbacks.append(gc_timer)
    sync_tab = getattr(window, "sync_tab", None)
    try:
        beat.start()
        if tracer is not None:
            tracer.start()
        t0 = time.perf_counter()
        if sync_tab is not None:
            sync_tab.select_channel(CHANNEL)
            sync_tab.pull_full_button.click()  # what the merchant does
            while sync_tab.run_task is None:
                await asyncio.sleep(0.01)
            # A first Pull Full checks the store first (a task of its own), then starts the run's task.
            while True:
                task = sync_tab.run_task
                outcome = await task
                if outcome is not None or sync_tab.run_task is task:
                    break
            how = "Sync tab: Pull Full button"
        else:
            outcome = await app.engine.pull(full=True, channel=CHANNEL)
            how = "the window's engine on the GUI loop (no Sync tab yet)"
        wall = time.perf_counter() - t0
        beat.stop()
        if tracer is not None:
            tracer.stop_event.set()
        if gc_timer is not None:
            gc.callbacks.remove(gc_timer)
    finally:
        await window.shutdown()
        window.close()
        app.close()
    totals = outcome.totals() if outcome is not None else {}
    return {"beat": beat, "wall": wall, "status": outcome.status if outcome is not None else "no outcome",
            "totals": totals, "how": how, "t0": t0, "tracer": tracer,
            "gc": gc_timer}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from unopim_desktop.ui.event_loop import AppEventLoop

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as data_dir, start_sandbox_process(
        products=args.products, latency_ms=args.latency_ms, unopim_rate_limit=args.unopim_rate_limit,
        seed=args.seed,
    ) as sandbox:
        set_up_app(data_dir, sandbox.credentials, "woocommerce")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        loop = AppEventLoop(app)  # the window's own loop
        asyncio.set_event_loop(loop)
        with loop:
            r = loop.run_until_complete(drive_window(data_dir, args.trace_stalls, args.trace_gc,
                                                         not args.no_gc_freeze))
    stalls = r["beat"].stalls_ms()
    ticks = r["beat"].ticks
    worst = sorted(range(len(stalls)), key=lambda i: stalls[i], reverse=True)[: args.worst]
    products = r["totals"].get("product", {})
    result = {
        **stall_figures(stalls),
        "products": args.products,
        "products_pulled": sum(products.get(k, 0) for k in ("created", "updated", "unchanged")),
        "latency_ms": args.latency_ms,
        "wall_s": round(r["wall"], 2),
        "status": r["status"],
        "driven_by": r["how"],
        "worst": [{"at_s": round(ticks[i] - r["t0"], 2), "stall_ms": round(stalls[i], 1),
                   **({"gc_ms": r["gc"].overlap_ms(ticks[i], ticks[i + 1])} if r["gc"] is not None else {})}
                  for i in worst],
        "peak_rss_mb": peak_rss_mb(),
    }
    if r["gc"] is not None:
        result["gc"] = r["gc"].report(r["t0"])
    if args.no_gc_freeze:
        result.setdefault("diagnostics", {})["no_gc_freeze"] = True
    if r["tracer"] is not None:
        result.setdefault("diagnostics", {})["trace_stalls_ms"] = args.trace_stalls
        by_tick = {ticks[i]: stalls[i] for i in range(len(stalls))}
        result["stall_causes"] = r["tracer"].report(by_tick, r["t0"])
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as exc:
        print(f"ui_stall benchmark: {exc}", file=sys.stderr)
        sys.exit(1)
