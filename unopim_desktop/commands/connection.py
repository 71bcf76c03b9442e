"""`unopim-desktop connect` and `unopim-desktop status`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from unopim_desktop.app.application import App
from unopim_desktop.app.connection import (
    AddressError,
    ConnectionForm,
    badge_for,
    normalize_address,
)
from unopim_desktop.commands.common import ON_THE_COMMAND_LINE, err, run_on_app


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("connect", parents=[common], help="test and save the UnoPim connection")
    p.add_argument("--url", required=True, help="UnoPim address, e.g. https://pim.example.com")
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", help="better: $UNOPIM_CLIENT_SECRET or the prompt (leave this out); "
                   f"{ON_THE_COMMAND_LINE} Blank keeps the stored one")
    p.add_argument("--username", required=True, help="UnoPim admin user (e-mail) with API access")
    p.add_argument("--password", help="better: $UNOPIM_PASSWORD or the prompt (leave this out); "
                   f"{ON_THE_COMMAND_LINE} Blank keeps the stored one")
    p.set_defaults(handler=run_connect)

    s = sub.add_parser("status", parents=[common], help="show the saved connection and its state")
    s.add_argument("--check", action="store_true", help="also sign in now to check the stored credentials")
    s.set_defaults(handler=run_status)


def _secret(value: str | None, env: str, prompt: str, *, stored: bool) -> str:
    if value:
        return value
    if os.environ.get(env):
        return os.environ[env]
    if stored:
        return ""  # keep the stored one, as a blank field does in the window
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    return ""


def run_connect(args: argparse.Namespace) -> int:
    try:
        address = normalize_address(args.url)
    except AddressError as exc:
        err(str(exc))
        return 2

    async def go(app: App) -> int:
        lost = await app.ctx.secrets.aunreadable()  # the saved secrets cannot be read: this save repairs them
        if lost is not None:
            err(f"{lost} Saving this connection starts a new secrets file.")
        has_secret, has_password = await app.connection.stored_secrets(address)
        form = ConnectionForm(
            address=args.url,
            client_id=args.client_id,
            client_secret=_secret(args.client_secret, "UNOPIM_CLIENT_SECRET", "Client secret: ", stored=has_secret),
            username=args.username,
            password=_secret(args.password, "UNOPIM_PASSWORD", "Admin password: ", stored=has_password),
        )
        outcome = await app.connection.test_and_save(form)
        if outcome.ok:
            print("Connected")
            if lost is not None:
                labels = [row.label for row in await app.stores.list()]
                err(f"The unreadable secrets file and its key were moved to {app.paths.backups}."
                    + (f" Enter the keys of {', '.join(f'“{label}”' for label in labels)} again (edit the store "
                       "in the window, or `store delete` and `store add`)." if labels else ""))
            warning = await app.connection.secret_warning()
            if warning:
                err(f"Warning: {warning}")
            return 0
        for problem in outcome.problems or []:
            err(problem.message)
        if not outcome.problems:
            err(outcome.reason)
            if outcome.fix:
                err(outcome.fix)
            return 1
        return 2

    return run_on_app(args, go)


def run_status(args: argparse.Namespace) -> int:
    async def go(app: App) -> int:
        info = await app.connection.saved()
        if info is None:
            print("Not connected: no UnoPim connection is saved. Run `unopim-desktop connect`.")
            return 1
        badge = badge_for(info)
        secrets = app.ctx.secrets
        print(f"UnoPim address: {info.address}")
        print(f"Client ID:      {info.client_id}")
        print(f"Admin user:     {info.username}")
        print(f"Channels:       {info.channels}")
        print(f"Secrets:        {secrets.backend_name}")
        if secrets.warning:
            print(f"Warning:        {secrets.warning}")
        if info.last_error and badge.name == "NOT_CONNECTED":
            print(f"Last error:     {info.last_error}")
        if not args.check:
            print(f"State:          {badge.value}")
            return 0 if badge.name in ("CONNECTED", "DISABLED") else 1
        ok, reason, fix = await app.connection.check_saved(info.address)
        if ok:
            print(f"State:          {(await app.connection.badge(info.address)).value}")
            return 0
        print("State:          Not connected" + ("" if reason else " (secrets missing; save the connection again)"))
        if reason:
            err(f"{reason} {fix}")
        return 1

    return run_on_app(args, go)
