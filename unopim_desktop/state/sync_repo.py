"""Units of work for sync state: links, checkpoints, runs and general settings (run on the DbLane).

A batch's links, hashes and checkpoint are committed together (`commit_batch`), so a run killed
between batches resumes from a checkpoint that matches what the store holds.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from peewee import EXCLUDED

from unopim_desktop.state.models import (
    Checkpoint,
    Instance,
    Link,
    PlannedChange,
    Setting,
    Store,
    SyncRun,
    database_proxy,
    utcnow,
)

# reconcile_hours: how old the last full push reconciliation may be before a changed push does one
# again (0 = every changed push reconciles). log_retention_days: Logs rows older than this are trimmed daily.
# sync_images: pull and push transfer pictures. close_to_tray, start_at_login: kept here, acted on by the
# window's tray and the OS login item.
GENERAL_DEFAULTS = {"dry_run": "0", "on_delete": "trash", "writeback_delete": "0", "reconcile_hours": "24",
                    "max_delete": "10", "on_conflict": "unopim", "log_retention_days": "30", "sync_images": "1"}
# Who wins a field changed on both sides since they last agreed (unopim is the system of record).
CONFLICT_RULES = ("unopim", "store", "ask")
# Close to tray, start at login and notifications belong to this computer, not to one UnoPim connection:
# `app.desktop` keeps them (per data folder).
SWITCHES = ("dry_run", "writeback_delete", "sync_images")
ON_DELETE_CHOICES = ("trash", "delete", "skip")


class LinkRow(NamedTuple):
    """A link as a run reads it (see `LinkTable` for how a run holds hundreds of thousands of them)."""

    kind: str
    code: str
    store_id: int
    parent_code: str
    content_hash: str
    image_hash: str
    store_hash: str
    pulled_at: dt.datetime | None
    pushed_at: dt.datetime | None


class LinkTable(MutableMapping[tuple[str, str], LinkRow]):
    """A run's links by (kind, code): one dict per kind, keyed by code, holding plain tuples of the
    other seven fields.

    The garbage collector stops scanning an exact tuple of strings, numbers and dates, but never a named
    tuple or a dataclass instance: with a large catalogue every full collection walked every link and
    stalled the window for 100 ms and more. Per-kind dicts also spare a (kind, code) key tuple per link.
    Rows are built on the way out. The hashes (32 hex digits) are kept as their 16 bytes: 49 bytes a hash
    instead of 81, two or three per link.
    """

    def __init__(self, rows: Iterable[tuple[Any, ...]] = ()) -> None:
        self._kinds: dict[str, dict[str, tuple[Any, ...]]] = {}
        for row in rows:  # full rows, in LinkRow's field order
            self._kind(row[0])[row[1]] = _packed(row[2:])

    def _kind(self, kind: str) -> dict[str, tuple[Any, ...]]:
        table = self._kinds.get(kind)
        if table is None:
            table = self._kinds[sys.intern(str(kind))] = {}
        return table

    def __getitem__(self, key: tuple[str, str]) -> LinkRow:
        return _row(key[0], key[1], self._kinds[key[0]][key[1]])

    def get(self, key: tuple[str, str], default: Any = None) -> Any:  # hot: one call per entity and step
        table = self._kinds.get(key[0])
        rest = table.get(key[1]) if table is not None else None
        return default if rest is None else _row(key[0], key[1], rest)

    def __setitem__(self, key: tuple[str, str], row: LinkRow) -> None:
        self._kind(key[0])[str(key[1])] = _packed(tuple(row)[2:])

    def __delitem__(self, key: tuple[str, str]) -> None:
        del self._kinds[key[0]][key[1]]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((kind, code) for kind, table in self._kinds.items() for code in table)

    def __len__(self) -> int:
        return sum(len(table) for table in self._kinds.values())

    def raw_rows(self) -> Iterator[tuple[Any, ...]]:
        """What the table keeps per link (for tests of its footprint)."""
        return (rest for table in self._kinds.values() for rest in table.values())

    def apply(self, writes: list[LinkWrite], deletes: list[tuple[str, str]] = (), *, now: dt.datetime,
              skip_kinds: frozenset[str] = frozenset()) -> None:
        """Mirror what `commit_batch` recorded (a field a write leaves as None keeps its value)."""
        for w in writes:
            if w.kind in skip_kinds:
                continue
            table = self._kind(w.kind)
            o = table.get(w.code)  # store_id, parent_code, content_hash, image_hash, store_hash, pulled, pushed
            table[w.code] = (
                w.store_id, w.parent_code or (o[1] if o else ""),
                _pack(w.content_hash) if w.content_hash is not None else (o[2] if o else ""),
                _pack(w.image_hash) if w.image_hash is not None else (o[3] if o else ""),
                _pack(w.store_hash) if w.store_hash is not None else (o[4] if o else ""),
                now if w.pulled else (o[5] if o else None),
                now if w.pushed else (o[6] if o else None),
            )
        for kind, code in deletes:
            table = self._kinds.get(kind)
            if table is not None:
                table.pop(code, None)


def _pack(digest: Any) -> Any:
    """A hash of 32 lowercase hex digits as its 16 bytes (anything else as it is)."""
    if digest.__class__ is str and len(digest) == 32:
        try:
            raw = bytes.fromhex(digest)
        except ValueError:
            return digest
        if raw.hex() == digest:
            return raw
    return digest


def _unpack(digest: Any) -> Any:
    return digest.hex() if digest.__class__ is bytes else digest


def _packed(rest: tuple[Any, ...]) -> tuple[Any, ...]:
    """A link's fields after kind and code, its hashes packed."""
    return (rest[0], rest[1], _pack(rest[2]), _pack(rest[3]), _pack(rest[4]), *rest[5:])


def _row(kind: str, code: str, rest: tuple[Any, ...]) -> LinkRow:
    return LinkRow(kind, code, rest[0], rest[1], _unpack(rest[2]), _unpack(rest[3]), _unpack(rest[4]), rest[5],
                   rest[6])


@dataclass
class LinkWrite:
    kind: str
    code: str
    store_id: int
    parent_code: str = ""
    content_hash: str | None = None  # None: leave as stored
    image_hash: str | None = None
    store_hash: str | None = None
    pulled: bool = False
    pushed: bool = False
    base: dict[str, Any] | None = None  # the fields both sides now agree on (None: leave as stored)


def _instance(address: str) -> Instance:
    inst = Instance.get_or_none(Instance.address == address)
    if inst is None:
        raise LookupError(f"No saved UnoPim connection for {address}")
    return inst


def _store(address: str, label: str) -> Store:
    store = Store.get_or_none((Store.instance == _instance(address)) & (Store.label == label))
    if store is None:
        raise LookupError(f"No store labelled “{label}”.")
    return store


def load_links(address: str, label: str, kind: str | None = None, *, exclude: tuple[str, ...] = (),
               lean: bool = False) -> LinkTable:
    """A store's links. `lean` (the pull) leaves out what only the push reads (`store_hash`, `pulled_at`):
    with hundreds of thousands of links, every field read is memory held for the whole run. A variant's
    `parent_code` is kept (interned: one string per parent), since a variation belongs to one parent."""
    store = _store(address, label)
    fields = [Link.kind, Link.code, Link.store_id, Link.parent_code, Link.content_hash, Link.image_hash,
              Link.store_hash, Link.pulled_at, Link.pushed_at]
    if lean:
        fields = [Link.kind, Link.code, Link.store_id, Link.parent_code, Link.content_hash, Link.image_hash,
                  Link.pushed_at]
    q = Link.select(*fields).where(Link.target == store)
    if kind:
        q = q.where(Link.kind == kind)
    if exclude:
        q = q.where(Link.kind.not_in(list(exclude)))
    # `iterator()`: peewee would otherwise keep a second copy of every row in its result cache.
    rows = q.tuples().iterator()
    if lean:
        return LinkTable((r[0], r[1], r[2], sys.intern(r[3]) if r[3] else "", r[4], r[5], "", None, r[6])
                         for r in rows)
    return LinkTable(rows)


def commit_batch(
    address: str, label: str, writes: list[LinkWrite], *, channel: str = "", job: str = "",
    step: str | None = None, cursor: Any = None, run_id: int | None = None, deletes: list[tuple[str, str]] = (),
) -> None:
    """Record links (and optionally a checkpoint) in one transaction."""
    inst, store = _instance(address), _store(address, label)
    now = utcnow()
    with database_proxy.atomic():
        _upsert_links(inst, store, writes, now)
        for kind, code in deletes:
            Link.delete().where((Link.target == store) & (Link.kind == kind) & (Link.code == code)).execute()
        if step is not None:
            _save_checkpoint(inst, store, channel, job, step, cursor, run_id)


# Columns per link row in a multi-row INSERT; keeps a statement under SQLite's 999-variable floor.
_UPSERT_ROWS = 999 // 13


def _upsert_links(inst: Instance, store: Store, writes: list[LinkWrite], now: dt.datetime) -> None:
    """One INSERT … ON CONFLICT per run of writes that set the same fields.

    A row-by-row ORM save (a SELECT and an UPDATE per link) holds the GIL long enough at the end of a
    large run to stall the window; a multi-row upsert does the same in a fraction of the time. Writes
    are applied in their order, so a later write to the same link still wins.
    """
    def fields_set(w: LinkWrite) -> tuple[bool, ...]:
        return (bool(w.parent_code), w.content_hash is not None, w.image_hash is not None,
                w.store_hash is not None, w.pulled, w.pushed, w.base is not None)

    start = 0
    while start < len(writes):
        shape = fields_set(writes[start])
        end = start + 1
        while end < len(writes) and end - start < _UPSERT_ROWS and fields_set(writes[end]) == shape:
            end += 1
        rows = [
            {"instance": inst.id, "target": store.id, "kind": w.kind, "code": w.code, "store_id": w.store_id,
             "parent_code": w.parent_code, "content_hash": w.content_hash or "", "image_hash": w.image_hash or "",
             "store_hash": w.store_hash or "", "pulled_at": now if w.pulled else None,
             "pushed_at": now if w.pushed else None, "updated_at": now,
             "base": json.dumps(w.base, sort_keys=True, default=str) if w.base is not None else None}
            for w in writes[start:end]
        ]
        update: dict[Any, Any] = {Link.store_id: EXCLUDED.store_id, Link.updated_at: EXCLUDED.updated_at}
        for flag, column in zip(shape, (Link.parent_code, Link.content_hash, Link.image_hash, Link.store_hash,
                                        Link.pulled_at, Link.pushed_at, Link.base), strict=True):
            if flag:
                update[column] = getattr(EXCLUDED, column.column_name)
        Link.insert_many(rows).on_conflict(
            conflict_target=[Link.target, Link.kind, Link.code], update=update).execute()
        start = end


def _save_checkpoint(inst: Instance, store: Store, channel: str, job: str, step: str, cursor: Any,
                     run_id: int | None) -> None:
    cp = Checkpoint.get_or_none((Checkpoint.target == store) & (Checkpoint.channel == channel) & (Checkpoint.job == job))
    if cp is None:
        cp = Checkpoint(instance=inst, target=store, channel=channel, job=job)
    cp.step = step
    cp.cursor = json.dumps(cursor)
    cp.run_id = run_id
    cp.updated_at = utcnow()
    cp.save()


# -- runs ------------------------------------------------------------------------------------------
def start_run(address: str, job: str, channel: str, label: str, dry_run: bool) -> int:
    return SyncRun.create(instance=_instance(address), job=job, channel=channel, store_label=label,
                          dry_run=dry_run).id


def finish_run(run_id: int, status: str, summary: dict[str, Any], message: str = "") -> None:
    SyncRun.update(status=status, summary=json.dumps(summary), message=message, finished_at=utcnow()).where(
        SyncRun.id == run_id).execute()


def bases(address: str, label: str, kind: str, codes: list[str]) -> dict[str, dict[str, Any] | None]:
    """The field bases of these links (None where a link has none yet)."""
    store = _store(address, label)
    out: dict[str, dict[str, Any] | None] = {}
    for i in range(0, len(codes), 500):
        q = Link.select(Link.code, Link.base).where(
            (Link.target == store) & (Link.kind == kind) & (Link.code.in_(codes[i:i + 500])))
        for code, base in q.tuples():
            out[code] = json.loads(base) if base else None
    return out


def count_missing_bases(address: str, label: str) -> int:
    """Products and variants linked before schema 5, whose field base the next run takes from today's state."""
    store = Store.get_or_none((Store.instance == _instance(address)) & (Store.label == label))
    if store is None:
        return 0
    return Link.select().where((Link.target == store) & (Link.kind.in_(["product", "variant"]))
                               & (Link.base.is_null())).count()


def count_links(address: str, label: str, kind: str) -> int:
    store = Store.get_or_none((Store.instance == _instance(address)) & (Store.label == label))
    if store is None:
        return 0
    return Link.select().where((Link.target == store) & (Link.kind == kind)).count()


def add_changes(rows: list[dict[str, Any]]) -> None:
    """A run's recorded changes (the Preview of a dry run; the record of an Apply), in one statement per 500."""
    with database_proxy.atomic():
        for i in range(0, len(rows), 500):
            PlannedChange.insert_many(rows[i:i + 500]).execute()


def run_changes(run_id: int, *, limit: int | None = None) -> list[dict[str, Any]]:
    q = (PlannedChange.select().where(PlannedChange.run == run_id)
         .order_by(PlannedChange.entity_kind, PlannedChange.code, PlannedChange.id))
    if limit:
        q = q.limit(limit)
    return [{"kind": c.entity_kind, "code": c.code, "action": c.action, "field": c.field,
             "old": json.loads(c.old) if c.old else None, "new": json.loads(c.new) if c.new else None} for c in q]


def change_set(run_id: int) -> set[tuple[str, str, str, str]]:
    """What a run changed or would change, entity by entity: (kind, code, action, fingerprint)."""
    q = PlannedChange.select(PlannedChange.entity_kind, PlannedChange.code, PlannedChange.action,
                             PlannedChange.new).where((PlannedChange.run == run_id) & (PlannedChange.field == ""))
    return {(c.entity_kind, c.code, c.action, c.new) for c in q}


def mark_interrupted(address: str, channel: str) -> int:
    """Runs of this channel still marked "running" (their process is gone): interrupted. How many."""
    return (SyncRun.update(status="interrupted", finished_at=utcnow(),
                           message="Interrupted: the app or command stopped before the run finished; the next run "
                                   "of this job resumes it.")
            .where((SyncRun.instance == _instance(address)) & (SyncRun.channel == channel)
                   & (SyncRun.status == "running"))
            .execute())


def running_channels(address: str) -> list[str]:
    q = SyncRun.select(SyncRun.channel).where((SyncRun.instance == _instance(address)) & (SyncRun.status == "running"))
    return sorted({r.channel for r in q})


def finished_pulls(address: str) -> dict[str, bool]:
    """Whether a Pull Full ever finished for real ("pulled") and as a dry run ("previewed"): the guide's last
    two steps."""
    q = (SyncRun.select(SyncRun.dry_run).where((SyncRun.instance == _instance(address)) & (SyncRun.job == "pull_full")
                                                & (SyncRun.status.in_(["done", "partial", "held"])))
         .distinct())
    kinds = {bool(r.dry_run) for r in q}
    return {"pulled": False in kinds, "previewed": True in kinds}


def recent_runs(address: str, limit: int = 20) -> list[dict[str, Any]]:
    q = SyncRun.select().where(SyncRun.instance == _instance(address)).order_by(SyncRun.id.desc()).limit(limit)
    return [
        {"id": r.id, "job": r.job, "channel": r.channel, "store": r.store_label, "status": r.status,
         "dry_run": r.dry_run, "started_at": r.started_at.isoformat(sep=" ", timespec="seconds"),
         "finished_at": r.finished_at.isoformat(sep=" ", timespec="seconds") if r.finished_at else "",
         "summary": json.loads(r.summary or "{}"), "message": r.message}
        for r in q
    ]


# -- general settings ---------------------------------------------------------------------------------
def general_settings(address: str) -> dict[str, str]:
    inst = _instance(address)
    out = dict(GENERAL_DEFAULTS)
    for row in Setting.select().where((Setting.instance == inst) & (Setting.key.in_(list(GENERAL_DEFAULTS)))):
        out[row.key] = row.value
    return out


def save_general_settings(address: str, values: dict[str, str]) -> None:
    inst = _instance(address)
    if values.get("on_delete", "trash") not in ON_DELETE_CHOICES:
        raise ValueError(f"On delete must be one of {', '.join(ON_DELETE_CHOICES)}.")
    if "reconcile_hours" in values:
        values = {**values, "reconcile_hours": str(reconcile_hours_value(values["reconcile_hours"]))}
    if "max_delete" in values:
        values = {**values, "max_delete": str(max_delete_value(values["max_delete"]))}
    if values.get("on_conflict", "unopim") not in CONFLICT_RULES:
        raise ValueError(f"On conflict must be one of {', '.join(CONFLICT_RULES)}.")
    if "log_retention_days" in values:
        values = {**values, "log_retention_days": str(log_retention_value(values["log_retention_days"]))}
    for key in SWITCHES:
        if key in values and str(values[key]) not in ("0", "1"):
            raise ValueError(f"{key.replace('_', ' ').capitalize()} must be on or off (1 or 0); got “{values[key]}”.")
    with database_proxy.atomic():
        for key, value in values.items():
            if key not in GENERAL_DEFAULTS:
                raise ValueError(f"Unknown setting {key}")
            Setting.delete().where((Setting.instance == inst) & (Setting.key == key)).execute()
            Setting.create(instance=inst, key=key, value=value)


def _whole(raw: object, *, strip_percent: bool = False) -> int | None:
    """A whole number typed as digits, or None. Longer than 9 digits is out of every range here, and is not
    converted: int() of a 10,000-digit paste raises Python's own "Exceeds the limit (4300 digits)"."""
    text = str(raw).strip()
    if strip_percent:
        text = text.rstrip("%").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    return int(text)


def _quoted(raw: object) -> str:
    """The value as a message quotes it back: a paste gone wrong is shortened, not repeated whole."""
    text = str(raw)
    return text if len(text) <= 40 else f"{text[:39]}… ({len(text):,} characters)"


def max_delete_value(raw: object) -> int:
    """Max delete as a whole percentage of the store's linked products, 0 to 100; ValueError otherwise."""
    value = _whole(raw, strip_percent=True)
    if value is None or value > 100:
        raise ValueError(f"Max delete must be a whole percentage from 0 to 100 (got “{_quoted(raw)}”).")
    return value


MAX_RETENTION_DAYS = 3650


def log_retention_value(raw: object) -> int:
    """Keep Logs rows this many days: a whole number from 1 to MAX_RETENTION_DAYS; ValueError otherwise."""
    value = _whole(raw)
    if value is None or not 1 <= value <= MAX_RETENTION_DAYS:
        raise ValueError(f"Keep logs must be a whole number of days from 1 to {MAX_RETENTION_DAYS}; got "
                         f"“{_quoted(raw)}”.")
    return value


MAX_RECONCILE_HOURS = 24 * 30  # as the General settings spin box allows


def reconcile_hours_value(raw: object) -> int:
    """The Reconcile every … hours setting as a number; ValueError unless a whole number of hours from 0
    to MAX_RECONCILE_HOURS (a larger one would overflow the date arithmetic of a push)."""
    value = _whole(raw)
    if value is None or value > MAX_RECONCILE_HOURS:
        raise ValueError(f"Reconcile hours must be a whole number from 0 to {MAX_RECONCILE_HOURS} (30 days); "
                         f"got “{_quoted(raw)}”.")
    return value
