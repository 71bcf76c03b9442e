"""Open the SQLite database, set its pragmas, run migrations, and give async code one DB lane.

peewee keeps one connection per thread. Under qasync every coroutine shares the main thread, so two
tasks inside `atomic()` would interleave; every write goes through `DbLane`, a single worker thread,
and units of work never await.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

from peewee import SqliteDatabase

from unopim_desktop.state.migrations import HEAD_VERSION, MIGRATIONS, current_version
from unopim_desktop.state.models import SchemaVersion, database_proxy

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 5000,
}


def open_database(path: Path, *, backups: Path | None = None) -> SqliteDatabase:
    """Open (creating if needed) and migrate to the head schema.

    An existing file below the head version is copied to `backups` first, so a failed migration never
    costs the merchant their mappings and links.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=5, check_same_thread=False)
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    version = current_version(db)
    if version < HEAD_VERSION:
        if existed and version > 0:
            _backup(db, path, backups or path.parent, version)
        for number, step in MIGRATIONS:
            if number > version:
                with db.atomic():
                    step(db)
                    SchemaVersion.create(version=number)
                log.info("database migrated to schema %s", number)
    return db


def _backup(db: SqliteDatabase, path: Path, backups: Path, version: int) -> Path:
    backups.mkdir(parents=True, exist_ok=True)
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    target = backups / f"{path.stem}.v{version}.bak{path.suffix}"
    shutil.copy2(path, target)
    log.info("database copied to %s before migrating", target)
    return target


class DbLane:
    """Runs database units of work one at a time on a dedicated thread."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-lane")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    def run_sync(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """For the CLI and start-up code that has no loop yet: same thread, same ordering."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
