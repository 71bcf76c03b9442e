"""The app's local resources, opened once and shared by the GUI and the CLI."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from dataclasses import dataclass

from peewee import SqliteDatabase

from unopim_desktop.paths import AppPaths, resolve_paths
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
        paths = resolve_paths(data_dir)
        lane = DbLane()
        # Open on the lane's thread: peewee's connection is per thread and every later query runs there.
        db = lane.run_sync(open_database, paths.database, backups=paths.backups)
        secrets = SecretStore(paths.fallback_secrets, paths.fallback_key)
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
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    ]
    if sys.stderr is not None and verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    for h in handlers:
        h.setFormatter(fmt)
        h.addFilter(redactor)
        h._unopim = True  # type: ignore[attr-defined]
        root.addHandler(h)
    for noisy in ("httpx", "httpcore", "uvicorn", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def close_logging() -> None:
    """Detach and close the handlers `configure_logging` added (the log file must be closed before a demo's
    throwaway folder can be removed on Windows)."""
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_unopim", False)]:
        root.removeHandler(h)
        h.close()
