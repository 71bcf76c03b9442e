"""`unopim-desktop conflicts list|resolve` (Sync → Conflicts, headless) and `unopim-desktop mapping
direction` (the Direction column of the Mapping tab)."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from unopim_desktop.app.application import App
from unopim_desktop.app.conflicts import KEEP
from unopim_desktop.app.mapping import MappingRefused
from unopim_desktop.app.session import NotConnected
from unopim_desktop.commands.common import err, run_on_app, whole_number
from unopim_desktop.commands.sync import exit_code
from unopim_desktop.domain import DIRECTIONS
from unopim_desktop.mapping.fields import CORE_FIELD_BY_KEY

EXIT_OK, EXIT_FATAL = 0, 2
DIRECTION_TEXT = {"both": "both ways", "pull": "pull only (UnoPim owns it)", "push": "push only (the store owns it)"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    conflicts = sub.add_parser("conflicts", parents=[common], help="fields changed on both sides since the last sync")
    c_sub = conflicts.add_subparsers(dest="conflicts_command", metavar="ACTION", required=True)
    ls = c_sub.add_parser("list", parents=[common], help="open conflicts (with --all: settled ones too)")
    ls.add_argument("--all", action="store_true", help="also the conflicts a rule or a choice settled")
    ls.add_argument("--json", action="store_true", help="print them as JSON")
    ls.set_defaults(handler=run_list)
    rs = c_sub.add_parser("resolve", parents=[common], help="keep UnoPim's value or take the store's")
    rs.add_argument("ids", nargs="+", type=whole_number, metavar="ID")
    rs.add_argument("--keep", choices=KEEP, required=True,
                    help="unopim: the store gets UnoPim's value; store: UnoPim gets the store's")
    rs.set_defaults(handler=run_resolve)


def register_direction(mapping_sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    d = mapping_sub.add_parser("direction", parents=[common],
                               help="which way a mapped field flows: both (default), pull only, push only")
    d.add_argument("field", help="a core field key (name, regular_price, …) or, with --channel, a store attribute")
    d.add_argument("direction", choices=DIRECTIONS)
    d.add_argument("--channel", help="the channel of an attribute row")
    d.add_argument("--locale", help="the locale of an attribute row (default: the channel's default locale)")
    d.set_defaults(handler=run_direction)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:39] + "…"


def run_list(args: argparse.Namespace) -> int:
    async def go(app: App) -> int:
        try:
            rows = await app.conflicts.list(status=None if args.all else "open")
        except LookupError as exc:
            err(str(exc).strip("'\""))
            return EXIT_FATAL
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, default=str))
            return EXIT_OK
        if not rows:
            print("No open conflicts." if not args.all else "No conflicts.")
            return EXIT_OK
        headers = ["ID", "Store", "Entity", "Field", "Base", "UnoPim", "Store value", "When", "Status"]
        table = [[str(r["id"]), r["store"], f"{r['kind']} {r['code']}", r["field"], _shown(r["base"]),
                  _shown(r["unopim"]), _shown(r["store_value"]), r["detected_at"], r["status"]] for r in rows]
        widths = [max(len(x) for x in col) for col in zip(headers, *table, strict=False)]
        for row in (headers, *table):
            print("  ".join(x.ljust(w) for x, w in zip(row, widths, strict=False)).rstrip())
        return EXIT_OK

    return run_on_app(args, go)


def run_resolve(args: argparse.Namespace) -> int:
    async def go(app: App) -> int:
        try:
            open_ids = {r["id"] for r in await app.conflicts.list()}
        except LookupError as exc:
            err(str(exc).strip("'\""))
            return EXIT_FATAL
        unknown = [i for i in args.ids if i not in open_ids]
        if unknown:
            err(f"No open conflict {', '.join(map(str, unknown))} (already settled, or never found); "
                "see `unopim-desktop conflicts list --all`.")
            return EXIT_FATAL
        try:
            outcomes = await app.conflicts.resolve(list(args.ids), args.keep)
        except NotConnected as exc:
            err(str(exc))
            return EXIT_FATAL
        side = "UnoPim's value kept" if args.keep == "unopim" else "the store's value taken"
        print(f"{len(args.ids)} conflict(s) settled: {side}.")
        for outcome in outcomes:
            for c in outcome.channels:
                print(f"{outcome.job} {c.channel}: {c.status}" + (f" — {c.message}" if c.message else ""))
        return max((exit_code(o) for o in outcomes), default=EXIT_OK)

    return run_on_app(args, go)


def run_direction(args: argparse.Namespace) -> int:
    async def go(app: App) -> int:
        try:
            if args.channel is None:
                if args.field not in CORE_FIELD_BY_KEY:
                    err(f"“{args.field}” is not a core field ({', '.join(CORE_FIELD_BY_KEY)}); for an attribute "
                        "row add --channel.")
                    return EXIT_FATAL
                core = await app.mapping.core()
                core.directions[args.field] = args.direction
                await app.mapping.save_core(core)
                label = CORE_FIELD_BY_KEY[args.field].label
            else:
                channel = next((c for c in await app.channels.channels() if c.code == args.channel), None)
                if channel is None:
                    err(f"No channel “{args.channel}”; see `unopim-desktop channels list`.")
                    return EXIT_FATAL
                locale = args.locale or channel.default_locale or (channel.locales or ["en_US"])[0]
                rows = await app.mapping.attribute_rows(channel.code, locale, with_store=False)
                if not any(r.store_attribute == args.field for r in rows):
                    err(f"No attribute row “{args.field}” for {channel.code} / {locale}; see "
                        "`unopim-desktop mapping show`.")
                    return EXIT_FATAL
                rows = [replace(r, direction=args.direction) if r.store_attribute == args.field else r for r in rows]
                await app.mapping.save_attribute_rows(channel.code, locale, rows)
                label = args.field
        except MappingRefused as exc:
            err(str(exc))
            return EXIT_FATAL
        except (LookupError, NotConnected) as exc:
            err(str(exc).strip("'\""))
            return EXIT_FATAL
        print(f"{label}: {DIRECTION_TEXT[args.direction]}.")
        return EXIT_OK

    return run_on_app(args, go)
