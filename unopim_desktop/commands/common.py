"""Helpers shared by the headless commands: the app they run on, how they speak, and the error boundary.

`run_guarded` runs a command so that no traceback reaches the merchant: a problem with the data folder,
the database or the saved secrets, a full disk, Ctrl-C, or anything unexpected ends in one or two lines
(the reason and the fix) and exit code 2. A command that fails on a data folder it created removes it
again, so nothing is left behind.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from unopim_desktop.app.application import App
from unopim_desktop.app.context import configure_logging
from unopim_desktop.app.errors import describe_error
from unopim_desktop.app.startup import explain_problem, lost_secrets
from unopim_desktop.clients.errors import ApiError
from unopim_desktop.paths import AppPaths, data_root, first_missing, remove_new_folder
from unopim_desktop.redact import redact
from unopim_desktop.secrets import SecretStoreError, SecretsUnreadable

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_FATAL = 0, 1, 2
# Said in the help of every secret flag: why the environment variable or the prompt is the better way.
ON_THE_COMMAND_LINE = ("a secret typed on the command line is seen by other users of this computer (the process "
                       "list) and kept in your shell history.")


def whole_number(text: str) -> int:
    """An argparse `type` for whole numbers whose error quotes a long value shortened: argparse's own `int`
    echoed a 10,000-digit value whole into the terminal."""
    try:
        return int(text)
    except ValueError:
        shown = text if len(text) <= 40 else f"{text[:20]}… ({len(text):,} characters)"
        # Python refuses to read an integer of more than 4,300 digits: say it is too large, not "not a number".
        what = "is too large a number" if text.strip().lstrip("+-").isdigit() else "is not a whole number"
        raise argparse.ArgumentTypeError(f"“{shown}” {what}") from None


@contextmanager
def open_app(args: argparse.Namespace) -> Iterator[App]:
    """The app on the command's data folder, with logging to its log file; closed afterwards."""
    app = App.open(args.data_dir)
    try:
        configure_logging(app.paths, verbose=getattr(args, "verbose", False))
        yield app
    finally:
        app.close()


def run_on_app(args: argparse.Namespace, body: Callable[[App], Awaitable[int]]) -> int:
    """Run one async command body on the app; the network side is closed before the database. Secrets
    that cannot be read are explained here, while the app can still say which ones they were."""
    with open_app(args) as app:

        async def go() -> int:
            try:
                return await body(app)
            except SecretsUnreadable as exc:
                say(*await lost_secrets(app.ctx, exc))
                return EXIT_FATAL
            except SecretStoreError as exc:  # the keychain refused or did not answer
                say(str(exc))
                return EXIT_FATAL
            finally:
                await app.aclose()

        return asyncio.run(go())


def run_guarded(args: argparse.Namespace) -> int:
    """Run the command's handler behind the error boundary; its exit code (0, 1 or 2)."""
    root = data_root(getattr(args, "data_dir", None))
    created = first_missing(root)  # the outermost folder this run will create, if any
    code = EXIT_FATAL
    try:
        code = int(args.handler(args))
    except KeyboardInterrupt:
        say("Stopped: interrupted.")
    except BrokenPipeError:
        sys.stdout = None  # type: ignore[assignment]  # the reader went away (`| head`): nothing more to say
    except Exception as exc:  # the boundary: no traceback reaches the merchant
        say(*explain(exc, root))
    finally:
        if code != EXIT_OK and created is not None:
            remove_new_folder(root, created)
    return code


def explain(exc: BaseException, root: Path) -> tuple[str, str]:
    """The reason and the fix for an error that escaped a command run on the data folder `root`."""
    explained = explain_problem(exc, root)
    if explained is not None:
        return explained
    if isinstance(exc, (ApiError, SecretStoreError, LookupError)):
        return describe_error(exc), ""
    if logging.getLogger().handlers:  # before the log file is set up, logging's last resort printed the traceback
        log.error("unexpected error in a command", exc_info=exc)
    log_file = AppPaths(root).log_file
    return ("Something unexpected stopped the command; nothing more was done.",
            f"The details are in the log file {log_file} (if it could be written); please report the problem with it.")


def say(reason: str, fix: str = "") -> None:
    """The reason and its fix, one line each, on stderr; any known secret masked."""
    err(reason)
    if fix:
        err(fix)


def err(message: str) -> None:
    print(redact(message), file=sys.stderr)
