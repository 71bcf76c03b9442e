"""Push benchmark: a full store pushed into an empty UnoPim (Push All), then a no-change Push All.

    python benchmarks/push.py --products 1000 --latency-ms 50 --json
    python benchmarks/push.py --products 100 --unopim-rate-limit 120 --json

The sandbox runs in a child process with the *store* side seeded (30% variable products with 4
variations, one image each) and UnoPim a fresh install; this process is the app, set up through the CLI
and pushing through the same `SyncEngine` the window and `unopim-desktop sync push` use.

UnoPim's write API takes one product per request, so the floor is one write per product, variant,
category, attribute and option created, plus the store pages read; with at most `in_flight` requests in
flight the run cannot beat `min_requests × latency / in_flight` (`bound_s`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402  (the benchmarks folder is not a package)
    STORES,
    BenchmarkError,
    Snapshot,
    pages,
    peak_rss_mb,
    set_up_app,
    start_sandbox_process,
    store_variation_count,
)

from unopim_desktop.app.application import App  # noqa: E402
from unopim_desktop.sync.run import RunContext  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--products", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=50.0, help="added to every API answer of every server")
    p.add_argument("--store", choices=STORES, default="woocommerce")
    p.add_argument("--unopim-rate-limit", type=int, default=None, help="UnoPim requests per minute")
    p.add_argument("--in-flight", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--routes", action="store_true", help="add the Push All's request counts by route to the JSON")
    p.add_argument("--profile", metavar="FILE", help="write a cProfile of the Push All to FILE")
    p.add_argument("--json", action="store_true", help="print one JSON line (the default output)")
    return p.parse_args(argv)


def watch_steps(marks: list[tuple[str, float]]) -> None:
    """Note when each step of the first run starts (the engine's own step events, timed here)."""
    started = RunContext.step_started
    first: list[int] = []

    def step_started(self: RunContext, step: str, total: int | None = None) -> None:
        if not first:
            first.append(self.run_id)
        if self.run_id == first[0]:
            marks.append((step, time.perf_counter()))
        started(self, step, total)

    RunContext.step_started = step_started  # type: ignore[method-assign]


def step_seconds(marks: list[tuple[str, float]]) -> dict[str, float]:
    """Seconds from each step's start to the next's (images run in the background of products)."""
    return {step: round(marks[i + 1][1] - t, 2) for i, (step, t) in enumerate(marks[:-1])
            if marks[i + 1][1] - t >= 0.01}


async def push_all(data_dir: str, in_flight: int, profile: str | None = None,
                   marks: list[tuple[str, float]] | None = None) -> tuple[float, dict, dict]:
    app = App.open(data_dir, in_flight=in_flight)
    engine = app.engine
    try:
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start = time.monotonic()
        outcome = await engine.push(changed=False)
        wall = time.monotonic() - start
        if marks is not None:
            marks.append(("end", time.perf_counter()))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        return wall, outcome.totals(), {c.channel: (c.status, c.message) for c in outcome.channels}
    finally:
        await app.aclose()
        app.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with start_sandbox_process(products=args.products, latency_ms=args.latency_ms, seed=args.seed,
                               unopim_rate_limit=args.unopim_rate_limit, seed_side="store") as sandbox:
        servers = ("unopim", args.store)
        data_dir = tempfile.mkdtemp(prefix="bench-push-")
        set_up_app(data_dir, sandbox.credentials, args.store)
        before = Snapshot.take(sandbox, servers)
        marks: list[tuple[str, float]] = []
        watch_steps(marks)
        wall, totals, status = asyncio.run(push_all(data_dir, args.in_flight, args.profile, marks))
        after = Snapshot.take(sandbox, servers)
        again_wall, again_totals, _ = asyncio.run(push_all(data_dir, args.in_flight))
        final = Snapshot.take(sandbox, servers)
        store_counts = before.counts[args.store]
        products = int(store_counts.get("products", 0))
        variants = store_variation_count(store_counts)
        created = {k: v.get("created", 0) for k, v in totals.items()}
        writes = sum(created.values()) + sum(v.get("updated", 0) for v in totals.values())
        min_requests = 1 + writes + pages(products, 50)  # token, one write each, the store's product pages
        requests = {"unopim": after.requests_since(before, "unopim"),
                    "store": after.requests_since(before, args.store)}
        latency_s = args.latency_ms / 1000
        bound = min_requests * latency_s / args.in_flight
        rate_limited = after.status_since(before, "unopim", 429) + after.status_since(before, args.store, 429)
        result = {
            "products": products,
            "variants": variants,
            "wall_s": round(wall, 2),
            "products_per_s": round(products / wall, 1) if wall else None,
            "requests": requests,
            "min_requests": min_requests,
            "latency_ms": args.latency_ms,
            "in_flight": args.in_flight,
            "rate_limited": rate_limited,
            "peak_rss_mb": peak_rss_mb(),
            "bound_s": round(bound, 2),
            "within_1_5x_bound": wall <= 1.5 * bound if bound else None,
            "unopim_writes": after.writes["unopim"] - before.writes["unopim"],
            "created": created,
            "status": status,
            "again_wall_s": round(again_wall, 2),
            "again_unopim_writes": final.writes["unopim"] - after.writes["unopim"],
            "again_requests": {"unopim": final.requests_since(after, "unopim"),
                               "store": final.requests_since(after, args.store)},
            "steps_s": step_seconds(marks),
        }
        if args.unopim_rate_limit:
            minutes = wall / 60
            result["unopim_per_min"] = round(requests["unopim"] / minutes, 1) if minutes else 0.0
            result["unopim_rate_share"] = round(result["unopim_per_min"] / args.unopim_rate_limit, 3)
        if args.routes:
            result["routes"] = {s: dict(sorted(after.routes_since(before, s).items())) for s in servers}
        print(json.dumps(result))
        if any(s != "done" for s, _ in status.values()):
            return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as exc:
        print(json.dumps({"error": str(exc)}))
        sys.exit(2)
