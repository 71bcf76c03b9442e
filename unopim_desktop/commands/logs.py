"""`unopim-desktop logs …`: the Logs tab, headless: the newest rows that match (local time), or every one of
them to a CSV file."""

from __future__ import annotations

import argparse
import datetime as dt
import re

from unopim_desktop.app.activity import DIRECTIONS, local_time, utcnow
from unopim_desktop.app.application import App
from unopim_desktop.commands.common import err, run_on_app, whole_number
from unopim_desktop.domain import LogFilter

EXIT_OK, EXIT_FATAL = 0, 2
SINCE = re.compile(r"^(\d+)\s*([hd])$")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    logs = sub.add_parser("logs", parents=[common], help="show or export the Logs")
    logs.add_argument("--level", choices=("error", "warning", "info"))
    logs.add_argument("--channel")
    logs.add_argument("--direction", choices=("pull", "push"))
    logs.add_argument("--kind", help="entity kind: product, variant, category, attribute, image, …")
    logs.add_argument("--code", help="one entity's code or SKU: its history")
    logs.add_argument("--run", type=whole_number, metavar="N", help="the rows of one run")
    logs.add_argument("--since", metavar="24h|7d|DATE", help="only rows this recent (hours, days or a date)")
    logs.add_argument("--search", metavar="TEXT", help="text in the message or the code")
    logs.add_argument("--limit", type=whole_number, default=50, metavar="N", help="rows to show (default 50)")
    logs.add_argument("--csv", metavar="FILE", help="write every matching row to this CSV file instead")
    logs.set_defaults(handler=run_logs)


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """`24h`, `7d` or a local date (`2026-11-20`, `2026-11-20 08:00`) as naive UTC; ValueError otherwise."""
    match = SINCE.match(text.strip().lower())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - (dt.timedelta(hours=amount) if unit == "h" else dt.timedelta(days=amount))
    local = dt.datetime.fromisoformat(text.strip())
    if local.tzinfo is None:
        local = local.astimezone()  # a time on this computer's clock
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def run_logs(args: argparse.Namespace) -> int:
    try:
        since = parse_since(args.since, utcnow()) if args.since else None
    except ValueError:
        err(f"--since takes 24h, 7d or a date like 2026-11-20; got “{args.since}”.")
        return EXIT_FATAL
    if args.limit < 1:
        err("--limit must be 1 or more.")
        return EXIT_FATAL
    f = LogFilter(level=args.level or "", channel=args.channel or "", direction=args.direction or "",
                  entity_kind=args.kind or "", entity=args.code or "", run=args.run, since=since,
                  text=args.search or "")

    async def go(app: App) -> int:
        if args.csv:
            count = await app.activity.export_logs(f, args.csv)
            print(f"Wrote {count:,} row(s) to {args.csv}.")
            return EXIT_OK
        rows = await app.activity.logs(f, limit=args.limit)
        for r in reversed(rows):  # oldest first, like a log file
            when = local_time(r["created_at"]).strftime("%Y-%m-%d %H:%M:%S")
            where = " ".join(x for x in (r["channel"], DIRECTIONS.get(r["direction"], "")) if x)
            what = f"{r['entity_kind']} {r['entity']}".strip()
            status = f" HTTP {r['http_status']}" if r["http_status"] else ""
            print(f"{when}  {r['level']:<7} {where + '  ' if where else ''}{what + ': ' if what else ''}"
                  f"{r['message']}{status}")
        total = await app.activity.count_logs(f)
        shown = f"{total:,}" if total <= 10_000 else "10,000+"
        print(f"({len(rows):,} of {shown} row(s); older ones with --limit, all of them with --csv FILE)")
        return EXIT_OK

    return run_on_app(args, go)
