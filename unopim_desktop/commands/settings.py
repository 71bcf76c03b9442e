"""`unopim-desktop settings …`: the window's Settings tab, headless (the same service validates, saves and
logs), and Remove all data for the connected UnoPim address."""

from __future__ import annotations

import argparse
import sys

from unopim_desktop.app.application import App
from unopim_desktop.app.settings import (
    CONFLICT_RULES,
    MAX_RETENTION_DAYS,
    ON_CONFLICT_TEXT,
    ON_DELETE_CHOICES,
    REMOVE_NOTE,
    SettingsError,
    check_changes,
)
from unopim_desktop.commands.common import err, run_on_app
from unopim_desktop.commands.scheduler import add_desktop_flags, desktop_changes, print_desktop, save_desktop

EXIT_OK, EXIT_FATAL = 0, 2
ON_OFF = ("on", "off")
# flag name → setting key, for the on/off switches
SWITCH_FLAGS = {"dry_run": "dry_run", "writeback_delete": "writeback_delete", "images": "sync_images"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    settings = sub.add_parser("settings", parents=[common], help="general settings (dry run, on delete, …)")
    settings.add_argument("--dry-run", choices=ON_OFF)
    settings.add_argument("--on-delete", choices=ON_DELETE_CHOICES)
    settings.add_argument("--writeback-delete", choices=ON_OFF)
    settings.add_argument("--reconcile-hours", metavar="N",
                          help="a changed push compares everything when the last full comparison is older "
                               "(hours; 0 = every time; default 24)")
    settings.add_argument("--max-delete", metavar="PERCENT",
                          help="a run deletes or trashes at most this share of the linked products without "
                               "confirmation (0-100; default 10)")
    settings.add_argument("--log-retention-days", metavar="DAYS",
                          help=f"keep Logs rows this many days; older ones are trimmed daily (1-{MAX_RETENTION_DAYS}; "
                               "default 30)")
    settings.add_argument("--images", choices=ON_OFF, help="transfer images on pull and push (default on)")
    settings.add_argument("--on-conflict", choices=CONFLICT_RULES,
                          help="who wins a field changed on both sides since the last sync: unopim (default), "
                               "store, or ask (it waits in `unopim-desktop conflicts`)")
    add_desktop_flags(settings)  # this computer's: close to tray, start at login, notifications
    settings.add_argument("--remove-all-data", action="store_true",
                          help="remove everything this app keeps for the connected UnoPim address (database rows, "
                               "Logs, stored secrets); nothing is deleted in UnoPim or the stores")
    settings.add_argument("--yes", action="store_true", help="with --remove-all-data: do not ask")
    settings.set_defaults(handler=run_settings)


def _changes(args: argparse.Namespace) -> dict[str, str]:
    changes: dict[str, str] = {}
    for flag, key in SWITCH_FLAGS.items():
        value = getattr(args, flag)
        if value:
            changes[key] = "1" if value == "on" else "0"
    if args.on_delete:
        changes["on_delete"] = args.on_delete
    if args.on_conflict:
        changes["on_conflict"] = args.on_conflict
    for flag in ("reconcile_hours", "max_delete", "log_retention_days"):
        if getattr(args, flag) is not None:
            changes[flag] = getattr(args, flag)
    return changes


def _print(values: dict[str, str]) -> None:
    on = {"1": "on", "0": "off"}
    hours = values["reconcile_hours"]
    print(f"Dry run:          {on.get(values['dry_run'], values['dry_run'])}")
    print(f"On delete:        {values['on_delete'].capitalize()}")
    print(f"Writeback delete: {on.get(values['writeback_delete'], values['writeback_delete'])}")
    print(f"Reconcile every:  {hours} h" + (" (every changed push)" if hours == "0" else ""))
    print(f"Max delete:       {values['max_delete']} % of the linked products")
    print(f"Keep logs:        {values['log_retention_days']} days")
    print(f"Image sync:       {on.get(values['sync_images'], values['sync_images'])}")
    print(f"On conflict:      {ON_CONFLICT_TEXT[values['on_conflict']][0]}")


def run_settings(args: argparse.Namespace) -> int:
    changes = _changes(args)
    try:
        check_changes(changes)
    except SettingsError as exc:  # invalid input: said before anything is opened
        err(str(exc))
        return EXIT_FATAL
    desktop = desktop_changes(args)
    if args.remove_all_data and (changes or desktop):
        err("--remove-all-data goes alone: it removes the settings too.")
        return EXIT_FATAL

    async def go(app: App) -> int:
        if desktop:  # this computer's settings (tray, start at login): no connection needed
            code = await save_desktop(app, desktop)
            if code or not changes:
                return code
        address = await app.connection.address()
        if not address:
            err("Connect to UnoPim first (`unopim-desktop connect`).")
            return EXIT_FATAL
        if args.remove_all_data:
            return await _remove(app, address, confirmed=args.yes)
        try:
            values = await app.settings.save(changes) if changes else await app.settings.load()
        except SettingsError as exc:
            err(str(exc))
            return EXIT_FATAL
        _print(values)
        await print_desktop(app)
        return EXIT_OK

    return run_on_app(args, go)


async def _remove(app: App, address: str, *, confirmed: bool) -> int:
    if not confirmed:
        if not sys.stdin.isatty():
            err(f"Remove all data for {address}? {REMOVE_NOTE} Add --yes to confirm.")
            return EXIT_FATAL
        answer = input(f"Remove all data for {address}? {REMOVE_NOTE}\nType the address to confirm: ")
        if answer.strip() != address:
            err("Nothing was removed.")
            return EXIT_FATAL
    removed = await app.settings.remove_all_data(address)
    print(removed.text)
    return EXIT_OK
