"""Scheduled tick benchmark: after a Pull Full of N products and a first tick (whose Push Changed, the first
push, lists every store product), K products are edited in UnoPim and the next tick of the scheduler runs
(a Pull Delta, then a Push Changed, as every channel's interval brings): that one is timed.

    python benchmarks/tick.py --products 1000 --changed 20 --latency-ms 50 --json

The connector's FAQ gives a scheduled tick under 30 s for fewer than 100 products, under 2 minutes for
1,000 and a few minutes for 10,000 (`faq_tick_s` is that bound, 300 s standing for "a few minutes"). The tick
runs through the app's own scheduler (`Scheduler.run_due`) on a clock moved two hours ahead before each
tick, so both jobs are due. It prints one JSON line; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402  (the benchmarks folder is not a package)
    CHANNEL,
    BenchmarkError,
    SandboxProcess,
    Snapshot,
    set_up_app,
    start_sandbox_process,
)

from unopim_desktop.app.application import App  # noqa: E402
from unopim_desktop.app.jobs import counts_text  # noqa: E402
from unopim_desktop.state.models import utcnow  # noqa: E402
from unopim_desktop.sync.events import RunFinished, RunStarted  # noqa: E402

SERVERS = ("unopim", "woocommerce")


def faq_tick_s(products: int) -> float | None:
    """The FAQ's bound for a scheduled tick of a catalogue this size (None: it says "tune the interval")."""
    if products < 100:
        return 30.0
    if products <= 1000:
        return 120.0
    if products <= 10_000:
        return 300.0
    return None


class AheadClock:
    """The wall clock moved on by `ahead`: the scheduler's jobs come due without waiting for them."""

    def __init__(self) -> None:
        self.ahead = dt.timedelta()

    def now(self) -> dt.datetime:
        return utcnow() + self.ahead

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def edit_in_unopim(sandbox: SandboxProcess, count: int) -> list[str]:
    """Rename `count` products in UnoPim through its API, as a merchant would in its admin."""
    u = sandbox.credentials["unopim"]
    with httpx.Client(base_url=u["url"], timeout=120, headers={"Accept": "application/json"}) as http:
        token = http.post("/oauth/token", auth=(u["client_id"], u["client_secret"]),
                          data={"grant_type": "password", "username": u["username"],
                                "password": u["password"]}).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        skus: list[str] = []
        page = 1
        while len(skus) < count:
            items = http.get("/api/v1/rest/products", params={"page": page, "limit": 100}).json().get("data") or []
            if not items:
                break
            skus += [p["sku"] for p in items if not p.get("parent")][: count - len(skus)]
            page += 1
        for sku in skus:
            answer = http.patch(f"/api/v1/rest/products/{sku}", json={"values": {"channel_locale_specific": {
                CHANNEL: {"en_US": {"name": f"Renamed for the tick {sku}"}}}}})
            if answer.status_code >= 400:
                raise BenchmarkError(f"editing {sku} in UnoPim failed: HTTP {answer.status_code}")
    return skus


async def run(data_dir: str, sandbox: SandboxProcess, changed: int) -> dict[str, Any]:
    clock = AheadClock()
    app = App.open(data_dir, clock=clock)
    try:
        full = await app.engine.pull(full=True, channel=CHANNEL)
        if full.status != "done":
            raise BenchmarkError(f"the Pull Full ended {full.status}")
        # The first tick: its push is the first one, listing every store product (the baseline).
        clock.ahead += dt.timedelta(hours=2)
        first_started = time.perf_counter()
        await app.scheduler.run_due()
        first_wall = time.perf_counter() - first_started
        clock.ahead += dt.timedelta(hours=2)  # the next tick, an interval (or a sleep) later
        edited = await asyncio.to_thread(edit_in_unopim, sandbox, changed)
        before = Snapshot.take(sandbox, SERVERS)
        timings: dict[str, float] = {}
        marks: dict[int, float] = {}

        def on_event(event: object) -> None:  # each run's own time, from the engine's events
            if isinstance(event, RunStarted):
                marks[event.run_id] = time.perf_counter()
            elif isinstance(event, RunFinished) and event.run_id in marks:
                timings["pull" if event.job.startswith("pull") else "push"] = round(
                    time.perf_counter() - marks[event.run_id], 2)

        app.bus.subscribe(on_event)
        started = time.perf_counter()
        results = await app.scheduler.run_due()
        wall = time.perf_counter() - started
        after = Snapshot.take(sandbox, SERVERS)
    finally:
        await app.aclose()
        app.close()
    return {"edited": len(edited), "wall": wall, "first_wall": first_wall, "results": results, "timings": timings, "before": before,
            "after": after}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--products", type=int, default=1000, help="top-level products in UnoPim (variants extra)")
    p.add_argument("--changed", type=int, default=20, help="products edited in UnoPim before the tick")
    p.add_argument("--latency-ms", type=float, default=50.0, help="added to every answer of every server")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print one JSON line (the default prints it indented)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-tick-") as data_dir, start_sandbox_process(
        products=args.products, latency_ms=args.latency_ms, seed=args.seed,
    ) as sandbox:
        set_up_app(data_dir, sandbox.credentials, "woocommerce")
        r = asyncio.run(run(data_dir, sandbox, args.changed))
    before, after = r["before"], r["after"]
    result = {
        "products": args.products,
        "changed": r["edited"],
        "tick_wall_s": round(r["wall"], 2),
        "faq_tick_s": faq_tick_s(args.products),
        "first_tick_wall_s": round(r["first_wall"], 2),
        "jobs": {res.job: {"status": res.status or res.action, "wall_s": r["timings"].get(res.job),
                           "counts": counts_text(res.summary)} for res in r["results"]},
        "requests": {s: after.requests_since(before, s) for s in SERVERS},
        "writes": after.writes_since(before),
        "latency_ms": args.latency_ms,
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as exc:
        print(f"tick benchmark: {exc}", file=sys.stderr)
        sys.exit(1)
