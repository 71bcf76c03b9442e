"""The Logs with a million rows: how long the Logs tab's queries take (the newest page, a filtered page, an
item's history, a page deep down, the capped count, a free-text search) and the daily trim.

    python benchmarks/logs.py --rows 1000000 --json

The rows are written straight into a fresh data folder's database (as a year of hourly syncs would leave
them: a few channels, kinds and levels, one run per 2,000 rows); each query runs through the same repository
functions the window and the `logs` command use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

from unopim_desktop.domain import LogFilter
from unopim_desktop.state import logs_repo, repo
from unopim_desktop.state.db import open_database

ADDRESS = "https://pim.example.com"
KINDS = ("product", "variant", "image", "category", "association")


def fill(rows: int, seed: int) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1)
    batch = []
    for i in range(rows):
        level = "error" if rng.random() < 0.01 else ("warning" if rng.random() < 0.03 else "info")
        batch.append({
            "message": f"Product SKU-{i % 20000:05d} updated in “Shop” (id {i}).", "level": level,
            "channel": ("web", "b2b", "mobile")[i % 3], "direction": "pull" if i % 5 else "push",
            "entity_kind": KINDS[i % len(KINDS)], "entity": f"SKU-{i % 20000:05d}", "action": "updated",
            "run": i // 2000 + 1, "created_at": start + dt.timedelta(seconds=30 * i),
        })
        if len(batch) == 20_000:
            logs_repo.add_logs(ADDRESS, batch)
            batch = []
    if batch:
        logs_repo.add_logs(ADDRESS, batch)


def timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = fn()
    return round((time.perf_counter() - began) * 1000, 1), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="unopim-logs-bench-"))
    db = open_database(folder / "unopim-desktop.sqlite3")
    repo.get_or_create_instance(ADDRESS)
    fill_ms, _ = timed(lambda: fill(args.rows, args.seed))
    db.execute_sql("ANALYZE")
    newest = logs_repo.page(ADDRESS)
    deep_before = newest[0]["id"] - args.rows // 2
    last_time = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=30 * args.rows)
    figures = {"rows": args.rows, "fill_ms": fill_ms}
    for name, fn in (
        ("newest_page_ms", lambda: logs_repo.page(ADDRESS)),
        ("errors_page_ms", lambda: logs_repo.page(ADDRESS, LogFilter(level="error"))),
        ("channel_and_direction_page_ms", lambda: logs_repo.page(ADDRESS, LogFilter(channel="b2b", direction="push"))),
        ("item_history_ms", lambda: logs_repo.page(ADDRESS, LogFilter(entity_kind="product", entity="SKU-00042"))),
        ("one_run_ms", lambda: logs_repo.page(ADDRESS, LogFilter(run=args.rows // 4000))),
        ("last_hour_ms", lambda: logs_repo.page(ADDRESS, LogFilter(since=last_time - dt.timedelta(hours=1)))),
        ("page_half_way_down_ms", lambda: logs_repo.page(ADDRESS, before=deep_before)),
        ("count_capped_ms", lambda: logs_repo.count(ADDRESS)),
        ("errors_count_ms", lambda: logs_repo.count(ADDRESS, LogFilter(level="error"))),
        ("text_search_page_ms", lambda: logs_repo.page(ADDRESS, LogFilter(text="sku-01234"))),
    ):
        figures[name], _ = timed(fn)
    trim_ms, removed = timed(lambda: logs_repo.trim(ADDRESS, last_time - dt.timedelta(days=30)))
    figures.update(trim_ms=trim_ms, trimmed_rows=removed)
    db.close()
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>32}: {value}")


if __name__ == "__main__":
    main()
