"""The Logs: rows written in groups, read a page at a time (keyset paging, newest first), counted, trimmed.

Every query is scoped to one UnoPim address and walks an index (schema 5): a million rows page as fast as a
hundred. Pages go by id, never by OFFSET: `before` the oldest id shown (scrolling down), `after` the newest
(the live tail). Times are naive UTC, as stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from peewee import JOIN, fn

from unopim_desktop.domain import LogFilter
from unopim_desktop.state.models import Instance, LogEntry, SyncRun, database_proxy

PAGE = 200
COUNT_CAP = 10_000  # "10,000+ rows": counting further is work nobody reads
SERVER_TEXT_MAX = 4000
TRIM_CHUNK = 5000
ANY = LogFilter()
FIELDS = ("id", "created_at", "level", "category", "channel", "direction", "entity_kind", "entity", "action",
          "message", "run", "http_status", "server_text")


def _instance(address: str | None) -> Instance | None:
    return Instance.get_or_none(Instance.address == address) if address else None


_INSERT = ("INSERT INTO logentry (instance_id, created_at, level, category, entity_kind, entity, message, job_id, "
           "channel, direction, action, http_status, server_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def add_logs(address: str | None, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows (dicts with LogEntry's column names; `run` for the run id) in one transaction. Plain
    tuples through one prepared statement: a large run writes tens of thousands of rows, and this thread
    shares the interpreter with the window."""
    inst = _instance(address)
    inst_id = inst.id if inst is not None else None
    now = LogEntry.created_at.db_value(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    stamp = LogEntry.created_at.db_value
    batch = [
        (inst_id, stamp(r["created_at"]) if r.get("created_at") else now, r.get("level") or "info",
         r.get("category") or "general", r.get("entity_kind") or "", str(r.get("entity") or ""),
         r.get("message") or "", r.get("run"), r.get("channel") or "", r.get("direction") or "",
         r.get("action") or "", r.get("http_status"), (r.get("server_text") or "")[:SERVER_TEXT_MAX])
        for r in rows
    ]
    if batch:
        with database_proxy.atomic():
            database_proxy.cursor().executemany(_INSERT, batch)
    return len(batch)


def _where(inst: Instance | None, f: LogFilter) -> Any:
    cond = (LogEntry.instance == inst) if inst is not None else LogEntry.instance.is_null()
    if f.level:
        cond &= LogEntry.level == f.level
    if f.channel:
        cond &= LogEntry.channel == f.channel
    if f.direction:
        cond &= LogEntry.direction == f.direction
    if f.entity_kind:
        cond &= LogEntry.entity_kind == f.entity_kind
    if f.entity:
        cond &= LogEntry.entity == f.entity
    if f.run is not None:
        cond &= LogEntry.job_id == f.run
    # A time range also bounds the ids (found on the (instance, created_at) index): the newest-first walk
    # then starts and stops at the range instead of scanning the whole table. Never excludes a match.
    if f.since is not None:
        first = _id_bound("MIN", inst, ">=", f.since)
        cond &= (LogEntry.created_at >= f.since) & (LogEntry.id >= (first if first is not None else 1 << 62))
    if f.until is not None:
        last = _id_bound("MAX", inst, "<", f.until)
        cond &= (LogEntry.created_at < f.until) & (LogEntry.id <= (last if last is not None else -1))
    if f.text.strip():  # a literal, case-insensitive substring (no LIKE wildcards to escape)
        needle = f.text.strip().lower()
        cond &= (fn.instr(fn.lower(LogEntry.message), needle) > 0) | (fn.instr(fn.lower(LogEntry.entity), needle) > 0)
    return cond


def _id_bound(which: str, inst: Instance | None, op: str, when: dt.datetime) -> int | None:
    """MIN or MAX id of the rows on one side of a time, read from the (instance, created_at) index alone
    (left to itself, SQLite walks the ids from one end, the whole table for a recent time)."""
    scope = "instance_id = ?" if inst is not None else "instance_id IS NULL"
    params: list[Any] = [inst.id] if inst is not None else []
    row = database_proxy.execute_sql(
        f"SELECT {which}(id) FROM logentry INDEXED BY logentry_instance_created WHERE {scope} AND created_at {op} ?",
        [*params, LogEntry.created_at.db_value(when)]).fetchone()
    return row[0] if row else None


def _row(r: LogEntry) -> dict[str, Any]:
    return {
        "id": r.id, "created_at": r.created_at.isoformat(sep=" ", timespec="seconds"), "level": r.level,
        "category": r.category, "channel": r.channel, "direction": r.direction, "entity_kind": r.entity_kind,
        "entity": r.entity, "action": r.action, "message": r.message, "run": r.job_id,
        "http_status": r.http_status, "server_text": r.server_text,
    }


def query(address: str | None, f: LogFilter):  # type: ignore[no-untyped-def]
    """The filtered rows, newest first (a peewee query: the tests read its plan)."""
    return LogEntry.select().where(_where(_instance(address), f)).order_by(LogEntry.id.desc())


def page(address: str | None, f: LogFilter = ANY, *, before: int | None = None, after: int | None = None,
         limit: int = PAGE) -> list[dict[str, Any]]:
    """Up to `limit` rows, newest first: older than id `before`, or newer than id `after` (then the newest
    `limit` of them), or the newest."""
    inst = _instance(address)
    if address and inst is None:
        return []
    cond = _where(inst, f)
    if before is not None:
        cond &= LogEntry.id < before
    if after is not None:
        cond &= LogEntry.id > after
    q = LogEntry.select().where(cond).order_by(LogEntry.id.desc()).limit(limit)
    return [_row(r) for r in q]


def count(address: str | None, f: LogFilter = ANY, *, cap: int = COUNT_CAP) -> int:
    """How many rows match, counted up to `cap` + 1 (the caller shows "10,000+")."""
    inst = _instance(address)
    if address and inst is None:
        return 0
    inner = LogEntry.select(LogEntry.id).where(_where(inst, f)).limit(cap + 1)
    return int(database_proxy.execute_sql(f"SELECT COUNT(*) FROM ({inner.sql()[0]})", inner.sql()[1]).fetchone()[0])


def entry(address: str | None, log_id: int) -> dict[str, Any] | None:
    """One row with its run (job, status, store) for the detail pane."""
    inst = _instance(address)
    q = (LogEntry.select(LogEntry, SyncRun)
         .join(SyncRun, JOIN.LEFT_OUTER, on=(LogEntry.job_id == SyncRun.id), attr="run_row")
         .where((LogEntry.id == log_id) & ((LogEntry.instance == inst) if inst else LogEntry.instance.is_null())))
    r = q.first()
    if r is None:
        return None
    out = _row(r)
    run = getattr(r, "run_row", None)
    if run is not None and run.id:
        out["run_job"], out["run_status"], out["run_store"] = run.job, run.status, run.store_label
    return out


def iterate(address: str | None, f: LogFilter = ANY, *, chunk: int = 1000) -> Iterator[list[dict[str, Any]]]:
    """Every matching row, newest first, `chunk` at a time (the CSV export), keyset-paged."""
    before = None
    while True:
        rows = page(address, f, before=before, limit=chunk)
        if not rows:
            return
        yield rows
        before = rows[-1]["id"]


def trim_chunk(address: str | None, older_than: dt.datetime, limit: int | None = None) -> int:
    """Delete up to `limit` of this address's rows (and of those written before any connection) older than
    `older_than`; how many went (0: done). The caller repeats it, one unit of work at a time, so that a
    window reading the Logs meanwhile waits for one chunk at most."""
    inst = _instance(address)
    scopes = [LogEntry.instance.is_null()] + ([LogEntry.instance == inst] if inst is not None else [])
    limit = limit or TRIM_CHUNK
    for scope in scopes:
        ids = [r.id for r in LogEntry.select(LogEntry.id).where(scope & (LogEntry.created_at < older_than))
               .limit(limit)]
        if ids:
            with database_proxy.atomic():
                return LogEntry.delete().where(LogEntry.id.in_(ids)).execute()
    return 0


def trim(address: str | None, older_than: dt.datetime) -> int:
    """Every row older than `older_than`, chunk by chunk (one call; `trim_chunk` lets others in between)."""
    removed = 0
    while gone := trim_chunk(address, older_than):
        removed += gone
    return removed
