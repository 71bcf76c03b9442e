"""What every job shares while it runs: counts, progress with an ETA, log rows, dry run, cancellation."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.state import repo, sync_repo
from unopim_desktop.state.db import DbLane
from unopim_desktop.sync.events import EventBus, LogRow, StepProgress

# What a run did to each entity; deletes and trashes are counted apart from updates, so a summary that
# says "updated" never hides a removal.
OUTCOMES = ("created", "updated", "unchanged", "deleted", "trashed", "skipped", "failed", "conflicts")


class Cancelled(Exception):
    """The merchant cancelled; the work committed so far stays, and the next run resumes after it."""


class CancelToken:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass
class StepClock:
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    total: int | None = None

    def eta(self) -> float | None:
        if not self.total or not self.done:
            return None
        rate = self.done / max(1e-6, time.monotonic() - self.started)
        return max(0.0, (self.total - self.done) / rate)


class RunContext:
    """One job's bookkeeping. Log rows go to the database in small groups, off the GUI thread."""

    def __init__(self, lane: DbLane, bus: EventBus, *, address: str, run_id: int, job: str, channel: str,
                 dry_run: bool, cancel: CancelToken) -> None:
        self.lane = lane
        self.bus = bus
        self.address = address
        self.run_id = run_id
        self.job = job
        self.channel = channel
        self.dry_run = dry_run
        self.cancel = cancel
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
        self.steps: dict[str, StepClock] = {}
        self._pending_logs: list[dict[str, Any]] = []
        # A guard held something back (mass deletes): the run ends as "held" with this sentence, and the
        # entities it did not touch are listed for whoever confirms.
        self.held = ""
        self.held_items: list[str] = []
        # Entity and field changes are recorded on a dry run (the Preview) and on an Apply (to tell
        # whether it did exactly what the Preview showed); a plain run does not pay for them.
        self.track_changes = dry_run
        self._pending_changes: list[dict[str, Any]] = []
        self.changes_recorded = 0

    def hold(self, message: str, items: list[str]) -> None:
        self.held = message
        self.held_items = items
        self.log(message, level="warning")

    # -- counts ----------------------------------------------------------------------------------
    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[kind][outcome] += n

    def summary(self) -> dict[str, dict[str, int]]:
        return {k: dict(v) for k, v in self.counts.items()}

    @property
    def failed(self) -> int:
        return sum(v["failed"] for v in self.counts.values())

    # -- progress --------------------------------------------------------------------------------
    def step_started(self, step: str, total: int | None = None) -> None:
        # A background part (images) may have reported progress before its step formally starts.
        clock = self.steps.setdefault(step, StepClock(total=total))
        self.bus.emit(StepProgress(self.run_id, step, clock.done, clock.total))

    def step_total(self, step: str, total: int | None) -> None:
        clock = self.steps.setdefault(step, StepClock())
        clock.total = total
        self.bus.emit(StepProgress(self.run_id, step, clock.done, total, clock.eta()))

    def advance(self, step: str, n: int = 1, message: str = "") -> None:
        clock = self.steps.setdefault(step, StepClock())
        clock.done += n
        if clock.total is not None and clock.done > clock.total:
            clock.total = clock.done
        self.bus.emit(StepProgress(self.run_id, step, clock.done, clock.total, clock.eta(), message))

    def step_finished(self, step: str, message: str = "") -> None:
        clock = self.steps.setdefault(step, StepClock())
        if clock.total is None or clock.total < clock.done:
            clock.total = clock.done
        clock.done = clock.total
        self.bus.emit(StepProgress(self.run_id, step, clock.done, clock.total, 0.0, message))

    # -- log rows --------------------------------------------------------------------------------
    def log(self, message: str, *, level: str = "info", entity_kind: str = "", entity: str = "") -> None:
        category = self.job.split("_")[0]
        row = {"message": message, "level": level, "category": category, "entity_kind": entity_kind,
               "entity": entity}
        self._pending_logs.append(row)
        self.bus.emit(LogRow(message, level, category, entity_kind, entity, {"run_id": self.run_id}))

    # -- changes (the Preview) ------------------------------------------------------------------------
    def record_change(self, kind: str, code: str, action: str, fields: dict[str, tuple[Any, Any]] | None = None,
                      fingerprint: str = "") -> None:
        """One entity a run would change (or changed, on an Apply): its action, a fingerprint of what is
        written, and each field that differs with its old and new value."""
        if not self.track_changes:
            return
        self.changes_recorded += 1
        rows = self._pending_changes
        rows.append({"run": self.run_id, "entity_kind": kind, "code": code, "action": action, "field": "",
                     "old": "", "new": _json(fingerprint)})
        for name, (old, new) in (fields or {}).items():
            rows.append({"run": self.run_id, "entity_kind": kind, "code": code, "action": action, "field": name,
                         "old": "" if old is None else _json(old), "new": "" if new is None else _json(new)})

    async def flush_logs(self) -> None:
        if self._pending_changes:
            changes, self._pending_changes = self._pending_changes, []
            await self.lane.run(sync_repo.add_changes, changes)
        if not self._pending_logs:
            return
        rows, self._pending_logs = self._pending_logs, []
        await self.lane.run(_write_logs, self.address, rows, self.run_id)


def _write_logs(address: str, rows: list[dict[str, Any]], run_id: int) -> None:
    from unopim_desktop.state.models import database_proxy

    with database_proxy.atomic():
        for r in rows:
            repo.add_log(address, r["message"], level=r["level"], category=r["category"],
                         entity_kind=r["entity_kind"], entity=r["entity"], job_id=run_id)


def _json(value: Any) -> str:
    """A value as stored for the Preview: JSON, long texts cut (a 1 MB description is not a preview)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 4000 else json.dumps(str(value)[:4000] + "…", ensure_ascii=False)
