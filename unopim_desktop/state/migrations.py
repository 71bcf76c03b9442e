"""Ordered, additive schema migrations. Append new steps; never edit a released one."""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase
from playhouse.migrate import SqliteMigrator, migrate

from unopim_desktop.state import models as m


def current_version(db: SqliteDatabase) -> int:
    if not db.table_exists("schemaversion"):
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schemaversion").fetchone()
    return int(row[0] or 0)


def _columns(db: SqliteDatabase, table: str) -> set[str]:
    return {c.name for c in db.get_columns(table)}


def _add_missing_columns(db: SqliteDatabase, model: type[m.BaseModel], names: list[str]) -> None:
    """Add columns a later schema introduced. Idempotent: a table that v1 created from today's model
    already has them, and must not get them twice."""
    table = model._meta.table_name
    present = _columns(db, table)
    migrator = SqliteMigrator(db)
    ops = [
        migrator.add_column(table, model._meta.fields[name].column_name, model._meta.fields[name])
        for name in names
        if model._meta.fields[name].column_name not in present
    ]
    if ops:
        migrate(*ops)


def _v1_initial(db: SqliteDatabase) -> None:
    db.create_tables([m.SchemaVersion, m.Instance, m.Setting, m.Channel, m.LogEntry])


def _v2_stores_and_mapping(db: SqliteDatabase) -> None:
    db.create_tables(
        [m.Store, m.Locale, m.Currency, m.UnoPimAttribute, m.UnoPimFamily, m.UnoPimCategory,
         m.CoreFieldMapping, m.AttributeMapping, m.CategoryMapping]
    )
    _add_missing_columns(
        db, m.Channel,
        ["store", "sync_interval", "debounce_s", "default_locale", "locale_map", "currency_map"],
    )


def _v3_sync_state(db: SqliteDatabase) -> None:
    db.create_tables([m.Link, m.Checkpoint, m.SyncRun])


def _v4_planned_changes(db: SqliteDatabase) -> None:
    db.create_tables([m.PlannedChange])


def _v5_field_bases(db: SqliteDatabase) -> None:
    """Three-way sync: each link's field base, each mapping row's direction, and the conflicts found."""
    _add_missing_columns(db, m.Link, ["base"])
    _add_missing_columns(db, m.CoreFieldMapping, ["direction"])
    _add_missing_columns(db, m.AttributeMapping, ["direction"])
    db.create_tables([m.Conflict])


def _v6_scheduled_jobs(db: SqliteDatabase) -> None:
    """The scheduler's state per channel and job (pause flags, last trigger, next due). Self-contained:
    one new table, nothing else touched."""
    db.create_tables([m.ScheduledJob])


def _v7_log_columns(db: SqliteDatabase) -> None:
    """The Logs tab's columns (channel, direction, action, HTTP status, server text) and the indexes its
    filters and keyset paging need on a million rows. Self-contained: the whole step is this function."""
    _add_missing_columns(db, m.LogEntry, ["channel", "direction", "action", "http_status", "server_text"])
    for name, columns in (
        ("logentry_instance_level", "instance_id, level"),
        ("logentry_instance_channel", "instance_id, channel"),
        ("logentry_instance_direction", "instance_id, direction"),
        ("logentry_instance_entity", "instance_id, entity_kind, entity"),
        ("logentry_instance_created", "instance_id, created_at"),
        ("logentry_job", "job_id"),
    ):
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON logentry ({columns})")


def _v8_pull_retries(db: SqliteDatabase) -> None:
    """What a pull could not write, for the next delta to read again. Self-contained: one new column."""
    _add_missing_columns(db, m.Checkpoint, ["retry"])


MIGRATIONS: list[tuple[int, Callable[[SqliteDatabase], None]]] = [
    (1, _v1_initial),
    (2, _v2_stores_and_mapping),
    (3, _v3_sync_state),
    (4, _v4_planned_changes),
    (5, _v5_field_bases),
    (6, _v6_scheduled_jobs),
    (7, _v7_log_columns),
    (8, _v8_pull_retries),
]
HEAD_VERSION = MIGRATIONS[-1][0]
