"""Units of work for the scheduler: what it reads to decide which jobs are due (one snapshot per look), the
per-channel and per-job state it keeps (pause flags, last trigger, next due, the run it started, why it
last did not run), and the app-wide desktop settings (tray, start at login, notifications).

A trigger is claimed with a compare-and-set on the job's last trigger, inside one IMMEDIATE transaction:
two schedulers on one data folder (the window and `run-scheduler --once` from an OS timer) never both run
the same trigger.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.domain import ChannelRow
from unopim_desktop.state.models import (
    Checkpoint,
    Instance,
    LogEntry,
    ScheduledJob,
    Setting,
    Store,
    SyncRun,
    database_proxy,
    utcnow,
)
from unopim_desktop.state.stores_repo import list_channels

JOBS = ("pull", "push")
# The engine's jobs that count as a run of each scheduled job (a manual Pull Full is a pull too).
FAMILY = {"pull": ("pull_full", "pull_delta"), "push": ("push_all", "push_changed")}
# A run that got to its end (some items may have failed, or deletes were held back).
COMPLETED = ("done", "partial", "held")
# The checkpoint rows whose watermark says a run completed: a Pull Full, and a push of products (the
# push pipeline's `push` checkpoint).
PULL_FULL_CHECKPOINT = "pull_full"
PUSH_CHECKPOINT = "push"
PAUSED_ALL_KEY = "schedule_paused_all"

# App-wide (not per UnoPim address) settings of the desktop side. close_to_tray "" = the default: on where
# a system tray exists (only the window can tell).
DESKTOP_DEFAULTS = {"close_to_tray": "", "start_at_login": "0", "notify_manual": "1", "tray_explained": "0"}
DESKTOP_PREFIX = "desktop."


@dataclass
class JobState:
    paused: bool = False
    last_trigger_at: dt.datetime | None = None
    next_due_at: dt.datetime | None = None
    spread_s: int = 0
    last_run_id: int | None = None
    last_run_trigger: str = ""
    note: str = ""


@dataclass
class ChannelFacts:
    """What the scheduler knows of one channel at one look."""

    channel: ChannelRow
    store_active: bool | None  # None: no store set
    pulled_full: bool  # a Pull Full into its current store completed (not a dry run)
    pushed: bool  # a push from its current store completed (not a dry run)
    jobs: dict[str, JobState] = field(default_factory=dict)
    last_run: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # latest run of the family
    last_completed: dict[str, dt.datetime | None] = field(default_factory=dict)  # its start, completed ones only
    first_pull_full: dt.datetime | None = None  # start of the latest completed Pull Full (push's first anchor)


@dataclass
class Snapshot:
    address: str
    paused_all: bool
    channels: list[ChannelFacts]


def _instance(address: str) -> Instance:
    inst = Instance.get_or_none(Instance.address == address)
    if inst is None:
        raise LookupError(f"No saved UnoPim connection for {address}")
    return inst


def run_dict(r: SyncRun) -> dict[str, Any]:
    return {"id": r.id, "job": r.job, "channel": r.channel, "store": r.store_label, "status": r.status,
            "dry_run": r.dry_run, "started_at": r.started_at, "finished_at": r.finished_at,
            "summary": json.loads(r.summary or "{}"), "message": r.message}


def get_run(run_id: int) -> dict[str, Any] | None:
    r = SyncRun.get_or_none(SyncRun.id == run_id)
    return run_dict(r) if r is not None else None


def _watermarked(store: Store, channel: str, job: str) -> bool:
    return Checkpoint.select().where((Checkpoint.target == store) & (Checkpoint.channel == channel)
                                     & (Checkpoint.job == job) & (Checkpoint.watermark != "")).exists()


def snapshot(address: str) -> Snapshot:
    """Everything one look of the scheduler needs, read in one unit of work."""
    inst = _instance(address)
    stores = {s.label: s for s in Store.select().where(Store.instance == inst)}
    states = {(j.channel, j.job): j for j in ScheduledJob.select().where(ScheduledJob.instance == inst)}
    paused_all = Setting.select().where((Setting.instance == inst) & (Setting.key == PAUSED_ALL_KEY)
                                        & (Setting.value == "1")).exists()
    out = []
    for ch in list_channels(address):
        store = stores.get(ch.store_label or "")
        facts = ChannelFacts(
            channel=ch, store_active=None if store is None else bool(store.active),
            pulled_full=store is not None and _watermarked(store, ch.code, PULL_FULL_CHECKPOINT),
            pushed=store is not None and _watermarked(store, ch.code, PUSH_CHECKPOINT))
        for job in JOBS:
            row = states.get((ch.code, job))
            facts.jobs[job] = JobState(
                paused=row.paused, last_trigger_at=row.last_trigger_at, next_due_at=row.next_due_at,
                spread_s=row.spread_s, last_run_id=row.last_run_id, last_run_trigger=row.last_run_trigger,
                note=row.note) if row else JobState()
            runs = SyncRun.select().where((SyncRun.instance == inst) & (SyncRun.channel == ch.code)
                                          & SyncRun.job.in_(FAMILY[job]))
            latest = runs.order_by(SyncRun.id.desc()).first()
            facts.last_run[job] = run_dict(latest) if latest else None
            done = runs.where(SyncRun.status.in_(COMPLETED) & (SyncRun.dry_run == False)).order_by(  # noqa: E712
                SyncRun.id.desc()).first()
            facts.last_completed[job] = done.started_at if done else None
        full = SyncRun.select().where((SyncRun.instance == inst) & (SyncRun.channel == ch.code)
                                      & (SyncRun.job == "pull_full") & SyncRun.status.in_(COMPLETED)
                                      & (SyncRun.dry_run == False)).order_by(SyncRun.id.desc()).first()  # noqa: E712
        facts.first_pull_full = full.started_at if full else None
        out.append(facts)
    return Snapshot(address=address, paused_all=paused_all, channels=out)


def _job_row(inst: Instance, channel: str, job: str) -> ScheduledJob:
    row = ScheduledJob.get_or_none((ScheduledJob.instance == inst) & (ScheduledJob.channel == channel)
                                   & (ScheduledJob.job == job))
    if row is None:
        row = ScheduledJob.create(instance=inst, channel=channel, job=job)
    return row


def claim(address: str, channel: str, job: str, *, expected: dt.datetime | None, now: dt.datetime,
          next_due: dt.datetime, spread_s: int) -> bool:
    """Record a trigger of the job at `now`, unless another scheduler recorded one since this one looked
    (its last trigger is no longer `expected`). Whether this scheduler may run it."""
    inst = _instance(address)
    with database_proxy.atomic():
        row = _job_row(inst, channel, job)
        if row.last_trigger_at != expected:
            return False
        row.last_trigger_at, row.next_due_at, row.spread_s, row.updated_at = now, next_due, spread_s, utcnow()
        row.save()
    return True


def record_run(address: str, channel: str, job: str, run_id: int | None, trigger: str) -> None:
    """The run a trigger started (None: it started none), and the trigger (scheduled, catch-up, manual)."""
    inst = _instance(address)
    with database_proxy.atomic():
        row = _job_row(inst, channel, job)
        if run_id is not None:
            row.last_run_id, row.last_run_trigger = run_id, trigger
        row.updated_at = utcnow()
        row.save()


def set_note(address: str, channel: str, job: str, note: str) -> bool:
    """Why the job does not run now ("" when it can); True when that changed (the Logs say it once)."""
    inst = _instance(address)
    with database_proxy.atomic():
        row = ScheduledJob.get_or_none((ScheduledJob.instance == inst) & (ScheduledJob.channel == channel)
                                       & (ScheduledJob.job == job))
        if (row.note if row else "") == note:
            return False
        row = row or _job_row(inst, channel, job)
        row.note, row.updated_at = note, utcnow()
        row.save()
    return True


def set_paused(address: str, channel: str, jobs: tuple[str, ...], paused: bool) -> list[str]:
    """Pause or resume jobs of a channel; the jobs whose flag changed."""
    inst = _instance(address)
    changed = []
    with database_proxy.atomic():
        for job in jobs:
            row = _job_row(inst, channel, job)
            if row.paused != paused:
                row.paused, row.updated_at = paused, utcnow()
                row.save()
                changed.append(job)
    return changed


def set_paused_all(address: str, paused: bool) -> bool:
    """Pause or resume every job at once (kept apart from each job's own flag); True when it changed."""
    inst = _instance(address)
    with database_proxy.atomic():
        row = Setting.get_or_none((Setting.instance == inst) & (Setting.key == PAUSED_ALL_KEY))
        if (row is not None and row.value == "1") == paused:
            return False
        Setting.delete().where((Setting.instance == inst) & (Setting.key == PAUSED_ALL_KEY)).execute()
        Setting.create(instance=inst, key=PAUSED_ALL_KEY, value="1" if paused else "0")
    return True


def run_logs(run_id: int, limit: int = 5000) -> list[dict[str, Any]]:
    """The Logs rows of one run, newest first."""
    q = LogEntry.select().where(LogEntry.job_id == run_id).order_by(LogEntry.id.desc()).limit(limit)
    return [{"id": r.id, "created_at": r.created_at.isoformat(sep=" ", timespec="seconds"), "level": r.level,
             "category": r.category, "entity_kind": r.entity_kind, "entity": r.entity, "message": r.message}
            for r in q]


# -- desktop settings (app-wide) -------------------------------------------------------------------------
def desktop_settings() -> dict[str, str]:
    out = dict(DESKTOP_DEFAULTS)
    keys = [DESKTOP_PREFIX + k for k in DESKTOP_DEFAULTS]
    for row in Setting.select().where(Setting.instance.is_null() & Setting.key.in_(keys)):
        out[row.key.removeprefix(DESKTOP_PREFIX)] = row.value
    return out


def save_desktop_settings(values: dict[str, str]) -> None:
    with database_proxy.atomic():
        for key, value in values.items():
            if key not in DESKTOP_DEFAULTS:
                raise ValueError(f"Unknown setting {key}")
            # NULL instance: a unique index treats NULLs as distinct, so replace rather than upsert.
            Setting.delete().where(Setting.instance.is_null() & (Setting.key == DESKTOP_PREFIX + key)).execute()
            Setting.create(instance=None, key=DESKTOP_PREFIX + key, value=value)
