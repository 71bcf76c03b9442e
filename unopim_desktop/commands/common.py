"""Helpers shared by the headless commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from unopim_desktop.context import AppContext, configure_logging


@contextmanager
def open_context(args: argparse.Namespace) -> Iterator[AppContext]:
    ctx = AppContext.open(args.data_dir)
    configure_logging(ctx.paths, verbose=getattr(args, "verbose", False))
    try:
        yield ctx
    finally:
        ctx.close()


def err(message: str) -> None:
    print(message, file=sys.stderr)
