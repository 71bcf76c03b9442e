"""Checkpoints beyond the resume position a batch commits (`sync_repo.commit_batch`): a run's end (the
watermark for the next delta, and what a pull could not write, for that delta to read again) and the
reconciliation's last start."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from unopim_desktop.state.models import Checkpoint, utcnow
from unopim_desktop.state.sync_repo import _instance, _store

PULL_JOBS = ("pull_full", "pull_delta")


def checkpoint(address: str, label: str, channel: str, job: str) -> dict[str, Any] | None:
    cp = Checkpoint.get_or_none((Checkpoint.target == _store(address, label)) & (Checkpoint.channel == channel)
                                & (Checkpoint.job == job))
    if cp is None:
        return None
    return {"step": cp.step, "cursor": json.loads(cp.cursor or "null"), "run_id": cp.run_id,
            "watermark": cp.watermark}


def finish_checkpoint(address: str, label: str, channel: str, job: str, watermark: str,
                      retry: Iterable[str] | None = None) -> None:
    """The run completed: clear the resume position and keep the watermark for the next delta. `retry` (a
    pull): the SKUs it could not write whole, which replace every earlier pull's list (this run read those)."""
    inst, store = _instance(address), _store(address, label)
    cp = Checkpoint.get_or_none((Checkpoint.target == store) & (Checkpoint.channel == channel)
                                & (Checkpoint.job == job))
    if cp is None:
        cp = Checkpoint(instance=inst, target=store, channel=channel, job=job)
    cp.step, cp.cursor, cp.run_id, cp.watermark, cp.updated_at = "", "null", None, watermark, utcnow()
    if retry is not None:
        cp.retry = json.dumps(sorted(set(retry)))
        Checkpoint.update(retry="").where((Checkpoint.target == store) & (Checkpoint.channel == channel)
                                          & (Checkpoint.job.in_(PULL_JOBS)) & (Checkpoint.job != job)).execute()
    cp.save()


def retry_skus(address: str, label: str, channel: str) -> list[str]:
    """The SKUs earlier pulls could not write whole, for the next delta to read again."""
    store = _store(address, label)
    out: set[str] = set()
    for cp in Checkpoint.select().where((Checkpoint.target == store) & (Checkpoint.channel == channel)
                                        & (Checkpoint.job.in_(PULL_JOBS))):
        try:
            listed = json.loads(cp.retry or "[]")
        except ValueError:
            continue
        if isinstance(listed, list):
            out.update(s for s in listed if isinstance(s, str) and s)
    return sorted(out)


def watermark(address: str, label: str, channel: str) -> str:
    """When the last successful pull (full or delta) started, for the next delta."""
    store = _store(address, label)
    marks = [cp.watermark for cp in Checkpoint.select().where(
        (Checkpoint.target == store) & (Checkpoint.channel == channel) & (Checkpoint.job.in_(PULL_JOBS))
    ) if cp.watermark]
    return max(marks) if marks else ""


# The checkpoint row whose watermark says when the last full push reconciliation started.
RECONCILE_JOB = "push_reconcile"


def last_reconciliation(address: str, label: str, channel: str) -> dt.datetime | None:
    """When the last completed full push reconciliation of this store and channel started."""
    cp = checkpoint(address, label, channel, RECONCILE_JOB)
    mark = (cp or {}).get("watermark") or ""
    return dt.datetime.fromisoformat(mark) if mark else None


def record_reconciliation(address: str, label: str, channel: str, started: dt.datetime) -> None:
    finish_checkpoint(address, label, channel, RECONCILE_JOB, started.isoformat(sep=" ", timespec="seconds"))
