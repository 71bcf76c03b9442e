"""`unopim-desktop sync pull|push …`: the Sync tab, headless. Progress on stderr (commands/report.py), then a
short summary for a person on stdout, or with `--json` one JSON line instead."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from unopim_desktop.app.application import App
from unopim_desktop.app.session import NotConnected
from unopim_desktop.clients.errors import ApiError
from unopim_desktop.commands.common import err, run_on_app
from unopim_desktop.commands.report import ProgressPrinter, summary_lines
from unopim_desktop.sync.engine import JobOutcome

EXIT_OK, EXIT_SOME_FAILED, EXIT_FATAL, EXIT_HELD = 0, 1, 2, 3
ALLOW_DELETES_FIX = "Re-run with --allow-deletes to delete them."


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    sync = sub.add_parser("sync", parents=[common], help="run a sync job")
    sync_sub = sync.add_subparsers(dest="sync_command", metavar="JOB", required=True)
    pull = sync_sub.add_parser("pull", parents=[common], help="UnoPim → store")
    mode = pull.add_mutually_exclusive_group(required=True)
    mode.add_argument("--full", action="store_true", help="everything (resumes an interrupted full pull)")
    mode.add_argument("--delta", action="store_true", help="only what changed since the last successful pull")
    pull.add_argument("--channel", help="only this channel")
    pull.add_argument("--dry-run", action="store_true", help="log what would change, write nothing")
    pull.add_argument("--diff", action="store_true", help="with --dry-run: print each field that would change")
    pull.add_argument("--allow-deletes", action="store_true",
                      help="delete (or trash) what UnoPim no longer lists even beyond Max delete")
    pull.add_argument("--json", action="store_true", help="print one summary JSON line on stdout")
    pull.set_defaults(handler=run_pull)

    push = sync_sub.add_parser("push", parents=[common], help="store → UnoPim")
    pmode = push.add_mutually_exclusive_group(required=True)
    pmode.add_argument("--all", action="store_true", help="every store record (also finds deletes)")
    pmode.add_argument("--changed", action="store_true", help="only what the store changed since the last push")
    push.add_argument("--reconcile", action="store_true",
                      help="with --changed: compare everything now (renamed terms, deletes), not only dates")
    push.add_argument("--entity", choices=("products", "categories", "attributes"), help="only this kind")
    push.add_argument("--channel", help="only this channel")
    push.add_argument("--dry-run", action="store_true", help="log what would change, write nothing")
    push.add_argument("--diff", action="store_true", help="with --dry-run: print each field that would change")
    push.add_argument("--allow-deletes", action="store_true",
                      help="with Write-back deletes on: delete in UnoPim what the store deleted, even beyond Max delete")
    push.add_argument("--json", action="store_true", help="print one summary JSON line on stdout")
    push.set_defaults(handler=run_push)


def outcome_json(outcome: JobOutcome) -> dict:
    return {
        "job": outcome.job,
        "status": outcome.status,
        "totals": outcome.totals(),
        "channels": [
            {"channel": c.channel, "store": c.store, "status": c.status, "summary": c.summary, "message": c.message,
             **({"fix": _fix(c)} if _fix(c) else {}), **({"held": c.held_items} if c.held_items else {})}
            for c in outcome.channels
        ],
    }


def print_diff(channel: str, store: str, changes: list[dict]) -> None:
    """The Preview on a terminal: each entity with its action, then each field old → new."""
    entities = [c for c in changes if not c["field"]]
    print(f"{channel} → {store}: {len(entities)} change(s)")
    for entity in entities:
        print(f"  {entity['kind']} {entity['code']} ({entity['action']})")
        for c in changes:
            if c["field"] and (c["kind"], c["code"]) == (entity["kind"], entity["code"]):
                print(f"    {c['field']}: {_shown(c['old'])} → {_shown(c['new'])}")


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "…"


def _fix(channel) -> str:  # type: ignore[no-untyped-def]
    return ALLOW_DELETES_FIX if channel.action == "allow_deletes" else channel.fix


def exit_code(outcome: JobOutcome) -> int:
    """0 done, 1 some items failed, 2 failed, refused or cancelled, 3 held by a guard (nothing deleted)."""
    if outcome.status in ("failed", "cancelled", "refused"):
        return EXIT_FATAL
    if outcome.status == "held":
        return EXIT_HELD
    if outcome.status == "partial":
        return EXIT_SOME_FAILED
    return EXIT_OK


def run_pull(args: argparse.Namespace) -> int:
    return _run_job(args, lambda engine: engine.pull(full=args.full, channel=args.channel,
                                                     dry_run=args.dry_run or None,
                                                     allow_deletes=args.allow_deletes))


def run_push(args: argparse.Namespace) -> int:
    if args.reconcile and not args.changed:
        err("--reconcile goes with --changed (--all already compares everything).")
        return EXIT_FATAL
    return _run_job(args, lambda engine: engine.push(changed=args.changed, entity=args.entity, channel=args.channel,
                                                     dry_run=args.dry_run or None, reconcile=args.reconcile,
                                                     allow_deletes=args.allow_deletes))


def _run_job(args: argparse.Namespace, start) -> int:  # type: ignore[no-untyped-def]
    """Run one engine job headless: progress on stderr, the summary JSON on stdout, exit 0/1/2."""

    async def go(app: App) -> int:
        app.bus.subscribe(ProgressPrinter(sys.stderr))
        await app.activity.trim_logs_if_due()  # the daily trim, also where only commands run
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows has no signal handlers
            loop.add_signal_handler(signal.SIGINT, app.engine.cancel)  # Ctrl-C: stop after this batch
        try:
            outcome = await start(app.engine)
        except (LookupError, NotConnected) as exc:
            err(str(exc).strip("'\""))
            return EXIT_FATAL
        except ApiError as exc:
            err(f"Stopped: {exc}")
            return EXIT_FATAL
        dry = [c for c in outcome.channels if c.run_id is not None and c.status != "refused"
               and (args.dry_run or getattr(args, "diff", False))]
        changes = {c.channel: await app.activity.run_changes(c.run_id) for c in dry}  # type: ignore[arg-type]
        if getattr(args, "diff", False):
            for c in dry:
                print_diff(c.channel, c.store, changes[c.channel])
        if args.json:
            summary = outcome_json(outcome)
            for entry in summary["channels"]:
                if entry["channel"] in changes:
                    entry["changes"] = changes[entry["channel"]]
            print(json.dumps(summary, default=str))
        elif [c for c in outcome.channels if c.status != "skipped"]:
            # Dry run: asked for here, or on in General settings (the engine followed them).
            dry = args.dry_run or (await app.settings.load()).get("dry_run") == "1"
            print("\n".join(summary_lines(outcome, log_file=str(app.paths.log_file), dry_run=dry)))
        conflicts = sum(counts.get("conflicts", 0) for counts in outcome.totals().values())
        if conflicts:
            err(f"{conflicts} field(s) were changed on both sides since the last sync (each is a warning above); "
                "see `unopim-desktop conflicts list`.")
        for c in outcome.channels:
            if c.status in ("refused", "held"):
                # What stopped (or held back) the run, and what to do: the last lines a merchant reads.
                err(f"{c.channel}: {c.message} {_fix(c)}".strip())
        if not [c for c in outcome.channels if c.status != "skipped"]:
            err("Nothing ran: " + ("; ".join(f"{c.channel}: {c.message}" for c in outcome.channels)
                                   or "no channels; run `unopim-desktop channels refresh`."))
            return EXIT_FATAL
        return exit_code(outcome)

    return run_on_app(args, go)
