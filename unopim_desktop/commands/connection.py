"""`unopim-desktop connect` and `unopim-desktop status`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from unopim_desktop.commands.common import err, open_context
from unopim_desktop.connection import (
    AddressError,
    ConnectionForm,
    ConnectionService,
    badge_for,
    normalize_address,
)
from unopim_desktop.state import repo


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("connect", parents=[common], help="test and save the UnoPim connection")
    p.add_argument("--url", required=True, help="UnoPim address, e.g. https://pim.example.com")
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", help="or $UNOPIM_CLIENT_SECRET, or a prompt; blank keeps the stored one")
    p.add_argument("--username", required=True, help="UnoPim admin user (e-mail) with API access")
    p.add_argument("--password", help="or $UNOPIM_PASSWORD, or a prompt; blank keeps the stored one")
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
    with open_context(args) as ctx:
        service = ConnectionService(ctx)

        async def go() -> int:
            has_secret, has_password = await service.stored_secrets(address)
            form = ConnectionForm(
                address=args.url,
                client_id=args.client_id,
                client_secret=_secret(args.client_secret, "UNOPIM_CLIENT_SECRET", "Client secret: ",
                                      stored=has_secret),
                username=args.username,
                password=_secret(args.password, "UNOPIM_PASSWORD", "Admin password: ", stored=has_password),
            )
            outcome = await service.test_and_save(form)
            if outcome.ok:
                print("Connected")
                warning = ctx.secrets.warning
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

        return asyncio.run(go())


def run_status(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        info = ctx.lane.run_sync(repo.instance_info, None)
        if info is None:
            print("Not connected: no UnoPim connection is saved. Run `unopim-desktop connect`.")
            return 1
        badge = badge_for(info)
        print(f"UnoPim address: {info.address}")
        print(f"Client ID:      {info.client_id}")
        print(f"Admin user:     {info.username}")
        print(f"Channels:       {info.channels}")
        print(f"Secrets:        {ctx.secrets.backend_name}")
        if ctx.secrets.warning:
            print(f"Warning:        {ctx.secrets.warning}")
        if info.last_error and badge.name == "NOT_CONNECTED":
            print(f"Last error:     {info.last_error}")
        if args.check:
            return _check(ctx, info.address)
        print(f"State:          {badge.value}")
        return 0 if badge.name in ("CONNECTED", "DISABLED") else 1


def _check(ctx, address: str) -> int:  # type: ignore[no-untyped-def]
    from unopim_desktop.clients.errors import ApiError
    from unopim_desktop.clients.unopim import UnoPimClient
    from unopim_desktop.connection import explain

    service = ConnectionService(ctx)

    async def go() -> int:
        creds = await service.credentials(address)
        if creds is None:
            print("State:          Not connected (secrets missing; save the connection again)")
            return 1
        async with UnoPimClient(creds) as client:
            try:
                await client.sign_in()
            except ApiError as exc:
                reason, fix = explain(exc)
                await ctx.lane.run(repo.set_status, address, "not_connected", reason)
                print("State:          Not connected")
                err(f"{reason} {fix}")
                return 1
        await ctx.lane.run(repo.set_status, address, "connected")
        print(f"State:          {(await service.badge(address)).value}")
        return 0

    return asyncio.run(go())
