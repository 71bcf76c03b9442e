"""Command line: no command opens the window; subcommands run the same engine headless."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from unopim_desktop import __version__
from unopim_desktop.commands import catalog_setup as catalog_setup_cmd
from unopim_desktop.commands import conflicts as conflicts_cmd
from unopim_desktop.commands import connection as connection_cmd
from unopim_desktop.commands import logs as logs_cmd
from unopim_desktop.commands import sandbox as sandbox_cmd
from unopim_desktop.commands import scheduler as scheduler_cmd
from unopim_desktop.commands import settings as settings_cmd
from unopim_desktop.commands import sync as sync_cmd
from unopim_desktop.commands.common import run_guarded

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """A usage error in one line (what is wrong, and where the options are), exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message}. See `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="unopim-desktop",
        description="Keep a UnoPim catalogue in sync with WooCommerce and BigCommerce stores.",
    )
    parser.add_argument("--version", action="version", version=f"unopim-desktop {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the database, log files and fallback secret store live "
        "(default: the platform's user data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start local sandbox UnoPim and store servers and use a throwaway data folder; no accounts needed",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="also log to stderr")
    parser.add_argument(
        "--quit-when-ready",
        action="store_true",
        help="open the window, wait until it is loaded (with --demo: ready to pull), print one line saying so "
        "and quit; exit 1 if the demo could not be prepared (the release smoke test)",
    )
    parser.add_argument("--hidden", action="store_true",
                        help="start with the window hidden in the tray (as Start at login does); minimized "
                             "where the desktop has no tray")
    # Also accepted after the command (`unopim-desktop status --data-dir D`); SUPPRESS keeps the global value.
    common = Parser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    connection_cmd.register(sub, common)
    catalog_setup_cmd.register(sub, common)
    sync_cmd.register(sub, common)
    conflicts_cmd.register(sub, common)
    scheduler_cmd.register(sub, common)
    settings_cmd.register(sub, common)
    logs_cmd.register(sub, common)
    sandbox_cmd.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from unopim_desktop.ui.platform_check import startup_problem  # Qt-free: runs before Qt loads

        problem = startup_problem()
        if problem:  # instead of Qt's abort, which names the wrong package
            print(problem, file=sys.stderr)
            return EXIT_FAILED
        from unopim_desktop.ui.app import run_gui  # Qt only when the window is wanted

        return run_gui(data_dir=args.data_dir, demo=args.demo, verbose=args.verbose,
                       quit_when_ready=args.quit_when_ready, hidden=args.hidden)
    return run_guarded(args)


if __name__ == "__main__":
    sys.exit(main())
