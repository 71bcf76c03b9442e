"""Helpers shared by the headless commands: the app they run on, and how they speak."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from unopim_desktop.app.application import App
from unopim_desktop.app.context import configure_logging


@contextmanager
def open_app(args: argparse.Namespace) -> Iterator[App]:
    """The app on the command's data folder, with logging to its log file; closed afterwards."""
    app = App.open(args.data_dir)
    configure_logging(app.paths, verbose=getattr(args, "verbose", False))
    try:
        yield app
    finally:
        app.close()


def run_on_app(args: argparse.Namespace, body: Callable[[App], Awaitable[int]]) -> int:
    """Run one async command body on the app; the network side is closed before the database."""
    with open_app(args) as app:

        async def go() -> int:
            try:
                return await body(app)
            finally:
                await app.aclose()

        return asyncio.run(go())


def err(message: str) -> None:
    print(message, file=sys.stderr)
