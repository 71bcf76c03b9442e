"""Pull benchmark: a first Pull Full of N products into an empty store, then a no-change Pull Delta.

    python benchmarks/pull.py --products 10000 --latency-ms 50 --json
    python benchmarks/pull.py --products 100 --unopim-rate-limit 120 --json

The sandbox (seeded with N products: 30% configurable with 4 variants each, 3 locales, 3 currencies,
images) runs in a child process; this process is the app: it connects, adds the store, refreshes the
channels, maps the default channel and auto-maps through the CLI, then runs Pull Full and Pull Delta
through the same `SyncEngine` the window and `unopim-desktop sync` use. It prints one JSON line; see
benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402  (the benchmarks folder is not a package)
    BC_QUOTA,
    BC_WINDOW_S,
    CHANNEL,
    STORES,
    BenchmarkError,
    CatalogueFacts,
    Reach,
    SandboxProcess,
    Snapshot,
    cpu_seconds,
    min_requests_pull_full,
    min_requests_pull_full_bigcommerce,
    min_requests_translations,
    peak_rss_mb,
    set_up_app,
    start_sandbox_process,
    store_can_pull,
    store_variation_count,
)

from unopim_desktop.app.application import App  # noqa: E402
from unopim_desktop.state import mapping_repo, repo  # noqa: E402
from unopim_desktop.sync.engine import JobOutcome  # noqa: E402
from unopim_desktop.sync.events import LogRow  # noqa: E402
from unopim_desktop.sync.run import RunContext  # noqa: E402

SETTINGS_LISTS = ("channels", "locales", "currencies", "attribute_groups", "attributes", "families", "categories")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--products", type=int, default=1000, help="top-level products in UnoPim (variants extra)")
    p.add_argument("--latency-ms", type=float, default=50.0, help="added to every answer of every server")
    p.add_argument("--store", choices=STORES, default="woocommerce")
    p.add_argument("--unopim-version", type=int, choices=(1, 3), default=3)
    p.add_argument("--unopim-rate-limit", type=int, default=None,
                   help="UnoPim requests per minute (3.x's default is 120); default: unthrottled, as 2.x")
    p.add_argument("--in-flight", type=int, default=8, help="the engine's store batches in flight")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--locales", type=int, default=1, choices=range(1, 7), metavar="N",
                   help="locales that reach the store (default 1; more: WPML translations / the Translations API)")
    p.add_argument("--currencies", type=int, default=1, choices=range(1, 9), metavar="N",
                   help="currencies that reach the store (default 1; more: CURCY prices / price lists)")
    p.add_argument("--routes", action="store_true", help="add the request counts by route to the JSON")
    p.add_argument("--profile", metavar="FILE", help="write a cProfile of the Pull Full to FILE")
    p.add_argument("--sandbox-profile", metavar="FILE",
                   help="write a cProfile of the sandbox process (set-up, both pulls, every server thread) to FILE")
    p.add_argument("--json", action="store_true", help="print one JSON line (the default prints it indented)")
    diag = p.add_argument_group("diagnostics (they change the app's set-up; the figures are then not the "
                                "product's)")
    diag.add_argument("--no-images", action="store_true",
                      help="unmap the image and gallery fields, so no image is transferred")
    diag.add_argument("--store-connections", type=int, default=None,
                      help="connections (and requests in flight) to the store; the adapter's default is 4")
    return p.parse_args(argv)


def unmap_images(data_dir: str) -> None:
    """Diagnostic: take the image fields out of the core mapping, to time a pull without images."""
    ctx = App.open(data_dir).ctx
    try:
        address = ctx.lane.run_sync(repo.active_address)
        core = ctx.lane.run_sync(mapping_repo.core_mapping, address)
        family = ctx.lane.run_sync(mapping_repo.default_family, address)
        kept = {k: v for k, v in core.items() if k not in ("image", "gallery")}
        ctx.lane.run_sync(mapping_repo.save_core_mapping, address, kept, family)
    finally:
        ctx.close()


async def run_pulls(data_dir: str, sandbox: SandboxProcess, servers: tuple[str, ...], in_flight: int,
                    profile: str | None, store_connections: int | None = None) -> dict[str, Any]:
    factory = None
    if store_connections:
        from unopim_desktop.stores.woocommerce.adapter import WooCommerceAdapter

        def factory(c):  # type: ignore[no-untyped-def]
            return WooCommerceAdapter(c, max_connections=store_connections)

    app = App.open(data_dir, in_flight=in_flight, adapter_factory=factory)
    ctx, engine = app.ctx, app.engine
    problems: list[str] = []
    app.bus.subscribe(lambda e: problems.append(e.message)
                      if isinstance(e, LogRow) and e.level in ("error", "warning") else None)
    step_marks: list[list[tuple[str, float]]] = [[], []]  # per run: (step, when it started)
    watch_steps(step_marks)
    try:
        before = Snapshot.take(sandbox, servers)
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t0 = time.perf_counter()
        full = await engine.pull(full=True, channel=CHANNEL)
        wall = time.perf_counter() - t0
        step_marks[0].append(("end", time.perf_counter()))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        after_full = Snapshot.take(sandbox, servers)
        full_problems = len(problems)
        t0 = time.perf_counter()
        delta = await engine.pull(full=False, channel=CHANNEL)
        delta_wall = time.perf_counter() - t0
        after_delta = Snapshot.take(sandbox, servers)
        address = await ctx.lane.run(repo.active_address)
        core = await ctx.lane.run(mapping_repo.core_mapping, address)
        rows = await ctx.lane.run(mapping_repo.attribute_mapping, address, CHANNEL, "en_US")
        mapped = {c for c in core.values() if c} | {r.attribute_code for r in rows if r.attribute_code}
    finally:
        await app.aclose()
        app.close()
    return {"full": full, "delta": delta, "wall": wall, "delta_wall": delta_wall, "before": before,
            "after_full": after_full, "after_delta": after_delta, "problems": problems,
            "full_problems": full_problems, "mapped": mapped, "steps": _step_seconds(step_marks[0])}


def watch_steps(marks: list[list[tuple[str, float]]]) -> None:
    """Note when each step of each run starts (the engine's own step events, timed here)."""
    started = RunContext.step_started
    runs: dict[int, int] = {}

    def step_started(self: RunContext, step: str, total: int | None = None) -> None:
        index = runs.setdefault(self.run_id, len(runs))
        if index < len(marks):
            marks[index].append((step, time.perf_counter()))
        started(self, step, total)

    RunContext.step_started = step_started  # type: ignore[method-assign]


def _step_seconds(marks: list[tuple[str, float]]) -> dict[str, float]:
    """Seconds from each step's first progress event to the next step's (steps overlap little)."""
    return {step: round(marks[i + 1][1] - t, 2) for i, (step, t) in enumerate(marks[:-1])
            if marks[i + 1][1] - t >= 0.01}


def outcome_counts(outcome: JobOutcome, kind: str, *keys: str) -> int:
    counts = outcome.totals().get(kind, {})
    return sum(counts.get(k, 0) for k in keys)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    why_not = store_can_pull(args.store)
    if why_not:
        print(f"pull benchmark: --store {args.store}: {why_not}", file=sys.stderr)
        return 2
    reach = Reach(args.locales, args.currencies)
    facts = CatalogueFacts.compute(args.products, args.seed, max(3, args.locales), max(3, args.currencies))
    children_cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
    store_server = args.store
    servers = ("unopim", store_server)
    with tempfile.TemporaryDirectory(prefix="bench-pull-") as data_dir, start_sandbox_process(
        products=args.products, latency_ms=args.latency_ms, unopim_version=args.unopim_version,
        unopim_rate_limit=args.unopim_rate_limit, seed=args.seed, profile=args.sandbox_profile,
        extra=reach.sandbox_args(args.store),
    ) as sandbox:
        start = Snapshot.take(sandbox, servers)
        set_up_app(data_dir, sandbox.credentials, args.store, reach)
        if args.no_images:
            unmap_images(data_dir)
        r = asyncio.run(run_pulls(data_dir, sandbox, servers, args.in_flight, args.profile, args.store_connections))
        rss = peak_rss_mb()
        app_cpu = cpu_seconds()
    sandbox_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children_cpu  # the sandbox has exited: counted now
    before, full_end, end = r["before"], r["after_full"], r["after_delta"]
    unopim_lists = {k: before.counts["unopim"].get(k, 0) for k in SETTINGS_LISTS}
    needed_options = set(facts.axis_attributes) | (r["mapped"] & set(facts.select_attributes))
    # Each store's own page and batch limits (WooCommerce batches writes; BigCommerce creates one by one).
    floor_of = min_requests_pull_full if args.store == "woocommerce" else min_requests_pull_full_bigcommerce
    floor = floor_of(facts, unopim_lists, len(needed_options))
    more = min_requests_translations(facts, reach, args.store)
    floor = {**floor, "store": floor["store"] + more, "total": floor["total"] + more}
    requests = {"unopim": full_end.requests_since(before, "unopim"),
                "store": full_end.requests_since(before, store_server)}
    full: JobOutcome = r["full"]
    result: dict[str, Any] = {
        "products": outcome_counts(full, "product", "created", "updated", "unchanged"),
        "variants": outcome_counts(full, "variant", "created", "updated", "unchanged"),
        "wall_s": round(r["wall"], 2),
        "products_per_s": round(outcome_counts(full, "product", "created", "updated", "unchanged")
                                / r["wall"], 1) if r["wall"] else 0.0,
        "requests": requests,
        "min_requests": floor["total"],
        "latency_ms": args.latency_ms,
        "in_flight": args.in_flight,
        "locales": args.locales,
        "currencies": args.currencies,
        "ratio": round((requests["unopim"] + requests["store"]) / floor["total"], 2) if floor["total"] else 0.0,
        "rate_limited": sum(end.status_since(start, s, 429) for s in servers),
        "store_products": full_end.counts[store_server].get("products", 0),
        "store_variations": store_variation_count(full_end.counts[store_server]),
        "peak_rss_mb": rss,
        "delta_wall_s": round(r["delta_wall"], 2),
        "delta_writes": end.writes_since(full_end),
        # Beyond the list: context for reading the figures above.
        "requests_total": requests["unopim"] + requests["store"],
        "min_requests_by_server": {"unopim": floor["unopim"], "store": floor["store"]},
        "expected": {"products": facts.products, "variants": facts.variants},
        "status": {"full": full.status, "delta": r["delta"].status},
        "problems": {"full": r["full_problems"], "delta": len(r["problems"]) - r["full_problems"]},
        "delta_requests": {"unopim": end.requests_since(full_end, "unopim"),
                           "store": end.requests_since(full_end, store_server)},
        "store_image_fetches": full_end.routes_since(before, "unopim").get("GET /storage/{path:path}", 0),
        "unopim_version": args.unopim_version,
        "unopim_rate_limit": args.unopim_rate_limit,
        "store": args.store,
        "steps_s": r["steps"],
        # Whole benchmark (set-up, Pull Full, Pull Delta): a 2-core machine runs both processes.
        "cpu_s": {"app": round(app_cpu, 1), "sandbox": round(sandbox_cpu, 1)},
    }
    result["x_floor"] = round(result["requests_total"] / floor["total"], 2) if floor["total"] else 0.0
    if args.store == "bigcommerce":
        # BigCommerce's standard plan lets a store make BC_QUOTA requests a BC_WINDOW_S window: the store floor
        # cannot go faster than that (the first window's requests go at once, so a run can beat it a little).
        bound = floor["store"] * BC_WINDOW_S / BC_QUOTA
        result["quota"] = {"requests": BC_QUOTA, "window_s": BC_WINDOW_S}
        result["quota_bound_s"] = round(bound, 2)
        result["x_quota_bound"] = round(r["wall"] / bound, 2) if bound else 0.0
    diagnostics = {k: v for k, v in (("no_images", args.no_images), ("store_connections", args.store_connections))
                   if v}
    if diagnostics:
        result["diagnostics"] = diagnostics
    if args.unopim_rate_limit:
        minutes = r["wall"] / 60
        result["unopim_per_min"] = round(requests["unopim"] / minutes, 1) if minutes else 0.0
        result["unopim_rate_share"] = round(result["unopim_per_min"] / args.unopim_rate_limit, 3)
    if args.routes:
        result["by_route"] = {
            "full": {s: dict(sorted(full_end.routes_since(before, s).items())) for s in servers},
            "delta": {s: dict(sorted(end.routes_since(full_end, s).items())) for s in servers},
        }
    if r["problems"]:
        result["first_problems"] = r["problems"][:5]
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as exc:
        print(f"pull benchmark: {exc}", file=sys.stderr)
        sys.exit(1)
