"""Ordered, additive schema migrations. Append new steps; never edit a released one."""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

from unopim_desktop.state import models as m


def current_version(db: SqliteDatabase) -> int:
    if not db.table_exists("schemaversion"):
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schemaversion").fetchone()
    return int(row[0] or 0)


def _v1_initial(db: SqliteDatabase) -> None:
    db.create_tables([m.SchemaVersion, m.Instance, m.Setting, m.Channel, m.LogEntry])


MIGRATIONS: list[tuple[int, Callable[[SqliteDatabase], None]]] = [
    (1, _v1_initial),
]
HEAD_VERSION = MIGRATIONS[-1][0]
