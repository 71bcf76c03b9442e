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


class Store(BaseModel):
    """A WooCommerce site or BigCommerce store. Its secrets live in the keychain under its label."""

    instance = ForeignKeyField(Instance, backref="stores", on_delete="CASCADE")
    label = CharField()
    kind = CharField()  # woocommerce | bigcommerce
    url = CharField()  # WooCommerce site address / BigCommerce API URL
    key = CharField(default="")  # WooCommerce consumer key / BigCommerce client ID (not secret alone)
    wp_user = CharField(default="")  # WooCommerce: WordPress user for media uploads (optional)
    active = BooleanField(default=True)
    default_currency = CharField(default="")
    default_locale = CharField(default="")
    info = TextField(default="{}")  # JSON: what verification learned (name, currency, media upload…)
    verified_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("instance", "label"), True),)


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
    # Added in schema 2 (Channels & Stores):
    store = ForeignKeyField(Store, null=True, backref="channels", on_delete="SET NULL", lazy_load=False)
    sync_interval = CharField(default="1h")  # off | 5m | 15m | 30m | 1h | 1d
    debounce_s = IntegerField(default=60)
    default_locale = CharField(default="")
    locale_map = TextField(default="{}")  # JSON: UnoPim locale -> store locale
    currency_map = TextField(default="{}")  # JSON: UnoPim currency -> store currency

    class Meta:
        indexes = ((("instance", "code"), True),)


class Locale(BaseModel):
    instance = ForeignKeyField(Instance, backref="locale_cache", on_delete="CASCADE")
    code = CharField()
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("instance", "code"), True),)


class Currency(BaseModel):
    instance = ForeignKeyField(Instance, backref="currency_cache", on_delete="CASCADE")
    code = CharField()
    label = CharField(default="")
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("instance", "code"), True),)


class UnoPimAttribute(BaseModel):
    """Cached attribute definitions: the mapping screens pick from these and validate against them."""

    instance = ForeignKeyField(Instance, backref="attribute_cache", on_delete="CASCADE")
    code = CharField()
    type = CharField()
    value_per_locale = BooleanField(default=False)
    value_per_channel = BooleanField(default=False)
    validation = CharField(default="")
    labels = TextField(default="{}")  # JSON
    families = TextField(default="[]")  # JSON list of family codes that contain it

    class Meta:
        indexes = ((("instance", "code"), True),)


class UnoPimFamily(BaseModel):
    instance = ForeignKeyField(Instance, backref="family_cache", on_delete="CASCADE")
    code = CharField()
    labels = TextField(default="{}")
    attributes = TextField(default="[]")  # JSON list of attribute codes

    class Meta:
        indexes = ((("instance", "code"), True),)


class UnoPimCategory(BaseModel):
    instance = ForeignKeyField(Instance, backref="category_cache", on_delete="CASCADE")
    code = CharField()
    parent = CharField(default="")
    labels = TextField(default="{}")

    class Meta:
        indexes = ((("instance", "code"), True),)


class CoreFieldMapping(BaseModel):
    """Universal scope: one row per store core field."""

    instance = ForeignKeyField(Instance, backref="core_mappings", on_delete="CASCADE")
    store_field = CharField()
    attribute_code = CharField(default="")
    direction = CharField(default="both")  # both | pull (UnoPim owns the field) | push (the store owns it)

    class Meta:
        indexes = ((("instance", "store_field"), True),)


class AttributeMapping(BaseModel):
    """Per channel and locale: a store attribute (or meta/custom field) ⇄ a UnoPim attribute."""

    instance = ForeignKeyField(Instance, backref="attribute_mappings", on_delete="CASCADE")
    channel = CharField()
    locale = CharField()
    store_attribute = CharField()  # store attribute name, or meta key / custom field name
    attribute_code = CharField(default="")
    carrier = CharField(default="attribute")  # attribute (store attribute/taxonomy) | meta (meta/custom field)
    variant_axis = BooleanField(default=False)
    direction = CharField(default="both")  # both | pull (UnoPim owns the field) | push (the store owns it)

    class Meta:
        indexes = ((("instance", "channel", "locale", "store_attribute"), True),)


class CategoryMapping(BaseModel):
    """Per channel: a store category ⇄ a UnoPim category."""

    instance = ForeignKeyField(Instance, backref="category_mappings", on_delete="CASCADE")
    channel = CharField()
    store_category_id = IntegerField()
    store_category_name = CharField(default="")
    category_code = CharField(default="")

    class Meta:
        indexes = ((("instance", "channel", "store_category_id"), True),)


class Link(BaseModel):
    """Identity of a synced entity: UnoPim code ⇄ store id, with the content hashes last synced.

    kind: attribute | term | category | product | variant | tag. For a term, `code` is
    "<attribute>/<option>"; for a variant, `parent_code` is the configurable product's SKU.
    """

    instance = ForeignKeyField(Instance, backref="links", on_delete="CASCADE")
    # The store written to ("target": `store_id` is the store's own id of the entity).
    target = ForeignKeyField(Store, backref="links", on_delete="CASCADE")
    kind = CharField()
    code = CharField()
    store_id = IntegerField()
    parent_code = CharField(default="")
    content_hash = CharField(default="")  # of what the last pull wrote to the store
    image_hash = CharField(default="")  # of the image list last transferred ("" = images pending)
    store_hash = CharField(default="")  # of the store-side content last pushed or pulled (push change detection)
    pulled_at = DateTimeField(null=True)
    pushed_at = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow)
    # JSON {field: value}: each field as both sides last agreed on it (the base of a three-way compare).
    # NULL: not known yet (a link from before schema 5); the first run after the upgrade sets it.
    base = TextField(null=True)

    class Meta:
        indexes = ((("target", "kind", "code"), True), (("target", "kind", "store_id"), False))


class Checkpoint(BaseModel):
    """Where an interrupted run resumes: per store, channel and job, the step and page last committed."""

    instance = ForeignKeyField(Instance, backref="checkpoints", on_delete="CASCADE")
    target = ForeignKeyField(Store, backref="checkpoints", on_delete="CASCADE")
    channel = CharField()
    job = CharField()  # pull_full | pull_delta | push
    step = CharField(default="")
    cursor = TextField(default="")  # JSON: step-specific position (page, search_after, ...)
    run_id = IntegerField(null=True)
    watermark = CharField(default="")  # last successful run's start (UTC), for the next delta
    # JSON list of the SKUs the last pull could not write whole (failed, or a translation or price refused):
    # the next delta reads them again even though UnoPim did not change them.
    retry = TextField(default="")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("target", "channel", "job"), True),)


class SyncRun(BaseModel):
    """One run of a job, with its summary, for the Sync tab's history."""

    instance = ForeignKeyField(Instance, backref="runs", on_delete="CASCADE")
    job = CharField()
    channel = CharField(default="")
    store_label = CharField(default="")
    status = CharField(default="running")  # running | done | partial | held | refused | failed | cancelled | interrupted
    dry_run = BooleanField(default=False)
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    summary = TextField(default="{}")  # JSON: kind -> {created, updated, unchanged, skipped, failed}
    message = TextField(default="")


class Conflict(BaseModel):
    """A field changed on both sides since they last agreed: the base, UnoPim's value and the store's, and
    what became of it (the General setting's rule, or the merchant's choice in the Conflicts view)."""

    instance = ForeignKeyField(Instance, backref="conflicts", on_delete="CASCADE")
    target = ForeignKeyField(Store, backref="conflicts", on_delete="CASCADE")
    entity_kind = CharField()  # product | variant
    code = CharField()
    field = CharField()
    base = TextField(default="")  # JSON
    unopim_value = TextField(default="")  # JSON, as the store would show it
    store_value = TextField(default="")  # JSON
    detected_at = DateTimeField(default=utcnow)
    status = CharField(default="open")  # open | unopim (UnoPim's value kept) | store (the store's value taken)
    resolved_by = CharField(default="")  # rule | merchant
    resolved_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("target", "entity_kind", "code", "field", "status"), False),)


class PlannedChange(BaseModel):
    """A change a run would make (dry run: the Preview) or made (an Apply), entity by entity and field by
    field. `field` "" is the entity as a whole; its `new` is a fingerprint of what is written, so an Apply
    can tell whether it did exactly what the Preview showed."""

    run = IntegerField(index=True)
    entity_kind = CharField()
    code = CharField()
    action = CharField()  # create | update | adopt | delete | trash
    field = CharField(default="")
    old = TextField(default="")  # JSON of the value before ("" for none)
    new = TextField(default="")  # JSON of the value after


class LogEntry(BaseModel):
    """A row of the Logs tab: what happened to which entity, and why.

    Schema 5 added the run's context (channel, direction), what happened to the entity (action) and, where
    a server answered with an error, its HTTP status and its own words; the Logs tab pages and filters on
    them with the indexes `migrations._v5_log_columns` creates."""

    instance = ForeignKeyField(Instance, null=True, backref="logs", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow, index=True)
    level = CharField(default="info")  # debug | info | warning | error
    category = CharField(default="general")  # connection | channels | settings | pull | push | mapping | ...
    entity_kind = CharField(default="")
    entity = CharField(default="")  # the code or SKU
    message = TextField(default="")
    job_id = IntegerField(null=True)  # the run (SyncRun.id)
    channel = CharField(default="")
    direction = CharField(default="")  # pull (UnoPim → store) | push (store → UnoPim) | ""
    action = CharField(default="")  # created | updated | deleted | trashed | skipped | failed | adopted | would … | ""
    http_status = IntegerField(null=True)  # the server's status when it refused or failed
    server_text = TextField(default="")  # the server's own error text, as it sent it (cut to a few KB)



class ScheduledJob(BaseModel):
    """The scheduler's state of one job (pull or push) of one channel: paused or not, when it was last
    triggered, when it is due next (its random spread included), the run it last started, and why it last
    did not run (said once in the Logs, not at every tick)."""

    instance = ForeignKeyField(Instance, backref="scheduled_jobs", on_delete="CASCADE")
    channel = CharField()
    job = CharField()  # pull | push
    paused = BooleanField(default=False)
    last_trigger_at = DateTimeField(null=True)  # UTC
    next_due_at = DateTimeField(null=True)  # UTC, as worked out at the last trigger
    spread_s = IntegerField(default=0)
    last_run_id = IntegerField(null=True)
    last_run_trigger = CharField(default="")  # scheduled | catch-up | manual (Run now)
    note = TextField(default="")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("instance", "channel", "job"), True),)
