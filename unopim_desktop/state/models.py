"""Tables. Everything hangs off an `Instance`: one row per normalized UnoPim address.

Models bind to `database_proxy`, which `state.db.open_database` initialises, so tests and the CLI can
point the same models at any file.
"""

from __future__ import annotations

import datetime as dt

from peewee import (
    BooleanField,
    CharField,
    DatabaseProxy,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

database_proxy = DatabaseProxy()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database_proxy


class SchemaVersion(BaseModel):
    version = IntegerField()
    applied_at = DateTimeField(default=utcnow)


class Instance(BaseModel):
    """One UnoPim connection. Secrets are not here: they live in the keychain, keyed by `address`."""

    address = CharField(unique=True)  # normalized: scheme://host[:port], no path, no trailing slash
    client_id = CharField(default="")
    username = CharField(default="")
    # connected | not_connected | refreshing (the badge's colour derives from this and the channels)
    status = CharField(default="not_connected")
    last_error = TextField(default="")
    last_connected_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class Setting(BaseModel):
    """Key/value settings. `instance` null means app-wide (e.g. which instance is active)."""

    instance = ForeignKeyField(Instance, null=True, backref="settings", on_delete="CASCADE")
    key = CharField()
    value = TextField(default="")

    class Meta:
        indexes = ((("instance", "key"), True),)


class Channel(BaseModel):
    """A UnoPim channel as last refreshed, with the per-channel sync switches."""

    instance = ForeignKeyField(Instance, backref="channels", on_delete="CASCADE")
    code = CharField()
    labels = TextField(default="{}")  # JSON
    root_category = CharField(default="")
    locales = TextField(default="[]")  # JSON list of locale codes
    currencies = TextField(default="[]")  # JSON list of currency codes
    pull_enabled = BooleanField(default=True)
    push_enabled = BooleanField(default=True)
    refreshed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("instance", "code"), True),)


class LogEntry(BaseModel):
    """A row of the Logs tab: what happened to which entity, and why."""

    instance = ForeignKeyField(Instance, null=True, backref="logs", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow, index=True)
    level = CharField(default="info")  # debug | info | warning | error
    category = CharField(default="general")  # connection | pull | push | mapping | ...
    entity_kind = CharField(default="")
    entity = CharField(default="")
    message = TextField(default="")
    job_id = IntegerField(null=True)


ALL_MODELS: list[type[BaseModel]] = [SchemaVersion, Instance, Setting, Channel, LogEntry]
