"""Open the SQLite database, set its pragmas, run migrations, and give async code one DB lane.

peewee keeps one connection per thread. Under qasync every coroutine shares the main thread, so two
tasks inside `atomic()` would interleave; every write goes through `DbLane`, a single worker thread,
and units of work never await.

Several processes may share one data folder (the window and a scheduled `unopim-desktop sync`): SQLite
waits for a busy database (`BUSY_TIMEOUT_S`) instead of failing, every transaction takes the write lock
when it starts (`AppDatabase`), and opening and migrating happen under a lock file, so two first starts on
one new folder cannot both migrate. A file that is not this app's database, is damaged, or was written by
a newer version is refused before anything is written to it (`DatabaseProblem`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

import peewee
from filelock import FileLock
from filelock import Timeout as LockTimeout
from peewee import SqliteDatabase

from unopim_desktop import __version__
from unopim_desktop.paths import FILE_MODE, NO_SPACE, make_private_dir, private_file
from unopim_desktop.state.migrations import HEAD_VERSION, MIGRATIONS, current_version
from unopim_desktop.state.models import SchemaVersion, Setting, database_proxy

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# How long a query waits for another process's write to finish before giving up.
BUSY_TIMEOUT_S = 30.0
# How long a start waits for another process that is opening (perhaps migrating) the same database.
OPEN_LOCK_TIMEOUT_S = 120.0
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": int(BUSY_TIMEOUT_S * 1000),
}
SQLITE_HEADER = b"SQLite format 3\x00"
# Marks the file as this app's database (`PRAGMA application_id`; "UPMD").
APPLICATION_ID = 0x55504D44
# App-wide setting: the app version that last migrated the schema (named when a newer file is refused).
WRITTEN_BY = "schema_written_by"


class DatabaseProblem(Exception):
    """The database cannot be used. `kind`: "damaged", "foreign" (another program's), "newer" (schema
    `found` > `head`, written by `written_by`), "busy", "full", "io" (a read or write failed), or
    "not_writable"."""

    def __init__(self, path: Path, kind: str, *, found: int = 0, written_by: str = "", detail: str = "") -> None:
        self.path = path
        self.kind = kind
        self.found = found
        self.head = HEAD_VERSION
        self.written_by = written_by
        self.detail = detail
        super().__init__(f"database {path}: {kind}{f' ({detail})' if detail else ''}")


class AppDatabase(SqliteDatabase):
    """Transactions begin IMMEDIATE: a deferred one that read, then writes after another process wrote
    in between fails at once with "database is locked" (its snapshot is stale, so SQLite cannot wait);
    taking the write lock up front makes it wait its turn (the busy timeout) instead."""

    def begin(self, lock_type: str | None = None) -> None:  # type: ignore[override]
        super().begin(lock_type or "IMMEDIATE")

    def rollback(self) -> None:
        # SQLite rolls a transaction back by itself on some errors (a full disk, an I/O error); peewee's
        # ROLLBACK then fails with "no transaction is active", and that error replaced the one that says why.
        conn = self._state.conn
        if conn is not None and not conn.in_transaction:
            return
        super().rollback()


def problem_for(exc: BaseException, path: Path) -> DatabaseProblem | None:
    """The DatabaseProblem an SQLite error means (peewee wraps sqlite3's), or None if it is not one."""
    if isinstance(exc, DatabaseProblem):
        return exc
    if isinstance(exc, LockTimeout):
        return DatabaseProblem(path, "busy", detail="another UnoPim Desktop is opening it")
    original = exc.args[0] if exc.args and isinstance(exc.args[0], sqlite3.Error) else exc
    if not isinstance(original, (sqlite3.Error, peewee.DatabaseError)):
        return None
    name = getattr(original, "sqlite_errorname", "") or ""
    text = str(original).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return DatabaseProblem(path, "busy")
    if name == "SQLITE_FULL" or "disk is full" in text:
        return DatabaseProblem(path, "full")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return DatabaseProblem(path, "damaged")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or "readonly" in text \
            or "unable to open" in text:
        return DatabaseProblem(path, "not_writable")
    if name.startswith("SQLITE_IOERR") or "i/o error" in text:
        return DatabaseProblem(path, "io")
    return None


def open_database(path: Path, *, backups: Path | None = None) -> SqliteDatabase:
    """Open (creating if needed) and migrate to the head schema; DatabaseProblem if it cannot be used.

    An existing file below the head version is copied to `backups` first, so a failed migration never
    costs the merchant their mappings and links.
    """
    try:
        make_private_dir(path.parent)
        # Refuse a file that is not ours, damaged or newer before taking the lock: nothing is left behind.
        if path.exists() and path.stat().st_size > 0:
            _inspect(path)
        with FileLock(f"{path}.lock", timeout=OPEN_LOCK_TIMEOUT_S, mode=FILE_MODE):
            return _open_locked(path, backups or path.parent)
    except (sqlite3.Error, peewee.DatabaseError, LockTimeout) as exc:
        problem = problem_for(exc, path)
        if problem is None:
            raise
        raise problem from None
    except OSError as exc:
        raise DatabaseProblem(path, "full" if exc.errno in NO_SPACE else "not_writable",
                              detail=exc.strerror or "") from None


def _open_locked(path: Path, backups: Path) -> SqliteDatabase:
    existed = path.exists() and path.stat().st_size > 0
    version = _inspect(path) if existed else 0
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))  # 0600 before SQLite writes to it
    db = AppDatabase(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    try:
        version = current_version(db)
        if version < HEAD_VERSION:
            if existed and version > 0:
                _backup(db, path, backups, version)
            for number, step in MIGRATIONS:
                if number > version:
                    with db.atomic():
                        step(db)
                        SchemaVersion.create(version=number)
                    log.info("database migrated to schema %s", number)
            _stamp(db)
        for suffix in ("", "-wal", "-shm"):
            private_file(Path(f"{path}{suffix}"))
    except BaseException:
        db.close()
        raise
    return db


def _inspect(path: Path) -> int:
    """The schema version of an existing file, read without writing to it; DatabaseProblem when it is
    damaged, another program's, or newer than this app."""
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise DatabaseProblem(path, "damaged", detail="not an SQLite file")
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not r[0].startswith("sqlite_")}
        ours = app_id == APPLICATION_ID or (app_id == 0 and {"schemaversion", "instance"} <= tables)
        if not ours and (tables or app_id):
            raise DatabaseProblem(path, "foreign")
        if "schemaversion" not in tables:
            return 0
        version = int(conn.execute("SELECT MAX(version) FROM schemaversion").fetchone()[0] or 0)
        if version > HEAD_VERSION:
            raise DatabaseProblem(path, "newer", found=version, written_by=_written_by(conn))
        return version
    finally:
        conn.close()


def _written_by(conn: sqlite3.Connection) -> str:
    try:
        row = conn.execute("SELECT value FROM setting WHERE instance_id IS NULL AND key = ?", (WRITTEN_BY,)).fetchone()
    except sqlite3.Error:
        return ""
    return str(row[0]) if row and row[0] else ""


def _stamp(db: SqliteDatabase) -> None:
    """Mark the file as this app's and note which version migrated it (for an older app that opens it)."""
    db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    with db.atomic():
        Setting.delete().where(Setting.instance.is_null() & (Setting.key == WRITTEN_BY)).execute()
        Setting.create(instance=None, key=WRITTEN_BY, value=__version__)


def _backup(db: SqliteDatabase, path: Path, backups: Path, version: int) -> Path:
    make_private_dir(backups)
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    target = backups / f"{path.stem}.v{version}.bak{path.suffix}"
    shutil.copy2(path, target)
    private_file(target)
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
