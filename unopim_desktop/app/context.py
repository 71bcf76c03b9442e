"""The app's local resources, opened once and shared by the GUI and the CLI."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from dataclasses import dataclass

from peewee import SqliteDatabase

from unopim_desktop.paths import (
    FILE_MODE,
    AppPaths,
    folder_error,
    make_private_dir,
    private_file,
    resolve_paths,
)
from unopim_desktop.redact import RedactingFilter
from unopim_desktop.secrets import SecretStore
from unopim_desktop.state.db import DbLane, open_database


@dataclass
class AppContext:
    paths: AppPaths
    db: SqliteDatabase
    lane: DbLane
    secrets: SecretStore

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None) -> AppContext:
        """The data folder's resources. Raises `paths.DataFolderError` or `state.db.DatabaseProblem` (each
        says why in the merchant's words, see `app.startup`) and leaves no thread behind."""
        paths = resolve_paths(data_dir)
        lane = DbLane()
        try:
            # Open on the lane's thread: peewee's connection is per thread and every later query runs there.
            db = lane.run_sync(open_database, paths.database, backups=paths.backups)
        except BaseException:
            lane.shutdown()
            raise
        secrets = SecretStore(paths.fallback_secrets, paths.fallback_key, backups=paths.backups)
        return cls(paths=paths, db=db, lane=lane, secrets=secrets)

    def close(self) -> None:
        def _close() -> None:
            if not self.db.is_closed():
                self.db.close()

        self.lane.run_sync(_close)
        self.lane.shutdown()


def configure_logging(paths: AppPaths, *, verbose: bool = False) -> None:
    """A rotating log file under the data dir; stderr only when there is one (windowed builds have none)."""
    root = logging.getLogger()
    if any(getattr(h, "_unopim", False) for h in root.handlers):
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    redactor = RedactingFilter()
    try:
        make_private_dir(paths.logs)
        handlers: list[logging.Handler] = [
            _PrivateLogFile(paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        ]
        private_file(paths.log_file)  # one written by an older version
    except OSError as exc:
        raise folder_error(paths.root, exc) from None
    if sys.stderr is not None and verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    for h in handlers:
        h.setFormatter(fmt)
        h.addFilter(redactor)
        h._unopim = True  # type: ignore[attr-defined]
        root.addHandler(h)
    for noisy in ("httpx", "httpcore", "uvicorn", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class _PrivateLogFile(logging.handlers.RotatingFileHandler):
    """The log file, readable only by the user (0600, also after a rotation). A record that cannot be
    written (a full disk) is dropped quietly: logging must never print a traceback at the merchant."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        return os.fdopen(fd, self.mode if "a" in self.mode else "a", encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def close_logging() -> None:
    """Detach and close the handlers `configure_logging` added (the log file must be closed before a demo's
    throwaway folder can be removed on Windows)."""
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_unopim", False)]:
        root.removeHandler(h)
        h.close()
