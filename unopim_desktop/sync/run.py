"""What every job shares while it runs: counts, progress with an ETA, log rows, dry run, cancellation."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unopim_desktop.state import logs_repo, sync_repo
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
    """One step's numbers. The rate is measured from when the step started working (its start, or its first
    item or queued item for a background step), on the run's clock (a test gives a fake one)."""

    clock: Callable[[], float] = time.monotonic
    done: int = 0
    total: int | None = None
    first: float | None = None  # when the step started working
    finished: bool = False

    MIN_ELAPSED_S = 1.0  # no guess from the first instant of a step (a burst of items would promise "0 s")

    def eta(self) -> float | None:
        if self.total is None or self.finished or self.done >= self.total:
            return None  # 0.0 is said by `step_finished` alone (a background step may get more to do)
        if not self.done or self.first is None:
            return None
        elapsed = self.clock() - self.first
        if elapsed < self.MIN_ELAPSED_S:
            return None
        return max(0.0, (self.total - self.done) * elapsed / self.done)


class RunContext:
    """One job's bookkeeping. Log rows go to the database in small groups, off the GUI thread."""

    def __init__(self, lane: DbLane, bus: EventBus, *, address: str, run_id: int, job: str, channel: str,
                 dry_run: bool, cancel: CancelToken, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
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
        self.failed_codes: set[tuple[str, str]] = set()  # (kind, code) of every entity that failed
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
    # Every step says done/total: `total` is set as soon as it is known (UnoPim's list answers carry it), and
    # `done` counts every item the step handled (created, updated, unchanged, skipped, failed), so the bars,
    # the summary and the Logs agree. The run's ETA is the longest of its running steps' (they overlap:
    # products, variants and images go side by side).
    def _clock(self, step: str) -> StepClock:
        clock = self.steps.get(step)
        if clock is None:
            clock = self.steps[step] = StepClock(self.clock)
        return clock

    def _emit(self, step: str, clock: StepClock, message: str = "") -> None:
        self.bus.emit(StepProgress(self.run_id, step, clock.done, clock.total, clock.eta(), message,
                                   run_eta_s=self.run_eta()))

    def run_eta(self) -> float | None:
        """Seconds left for the whole run: the longest ETA of the steps under way (None while unknown)."""
        etas = [c.eta() for c in self.steps.values() if not c.finished and c.done]
        known = [e for e in etas if e is not None]
        return max(known) if known else None

    def step_started(self, step: str, total: int | None = None) -> None:
        # A background part (images) or an earlier step may have reported progress or a total already.
        clock = self._clock(step)
        if total is not None:
            clock.total = total
        if not clock.done:
            clock.first = self.clock()  # its items start now (a total known earlier says nothing of its pace)
        self._emit(step, clock)

    def step_total(self, step: str, total: int | None) -> None:
        clock = self._clock(step)
        clock.total = total if total is None else max(total, clock.done)
        self._emit(step, clock)

    def grow(self, step: str, n: int = 1) -> None:
        """The step has `n` more items to handle than it knew (images queued as products are written)."""
        if n:
            clock = self._clock(step)
            if clock.first is None:
                clock.first = self.clock()
            clock.total = (clock.total or 0) + n
            self._emit(step, clock)

    def advance(self, step: str, n: int = 1, message: str = "") -> None:
        clock = self._clock(step)
        if clock.first is None and n:
            clock.first = self.clock()
        clock.done += n
        if clock.total is not None and clock.done > clock.total:
            clock.total = clock.done
        self._emit(step, clock, message)

    def counted(self, step: str, n: int, message: str = "") -> None:
        """A step that read `n` items at once: n/n."""
        self.step_total(step, n)
        self.advance(step, n, message)

    def step_finished(self, step: str, message: str = "") -> None:
        clock = self._clock(step)
        if clock.total is None or clock.total < clock.done:
            clock.total = clock.done
        clock.done = clock.total
        clock.finished = True
        self.bus.emit(StepProgress(self.run_id, step, clock.done, clock.total, 0.0, message,
                                   run_eta_s=self.run_eta()))

    # -- log rows --------------------------------------------------------------------------------
    def log(self, message: str, *, level: str = "info", entity_kind: str = "", entity: str = "", action: str = "",
            http_status: int | None = None, server_text: str = "") -> None:
        """A Logs row of this run: its channel, direction (pull/push) and run id come with it; `action` says
        what happened to the entity, `http_status` and `server_text` what a server answered when it refused."""
        direction = self.job.split("_")[0]
        row = {"message": message, "level": level, "category": direction, "entity_kind": entity_kind,
               "entity": entity, "run": self.run_id, "channel": self.channel, "direction": direction,
               "action": action or _action_of(message, level, entity),
               "http_status": http_status, "server_text": server_text}
        self._pending_logs.append(row)
        self.bus.emit(LogRow(message, level, direction, entity_kind, entity,
                             {"run_id": self.run_id, "channel": self.channel, "action": row["action"],
                              "http_status": http_status}))

    def wrote(self, kind: str, code: str, outcome: str, message: str, *, level: str = "info") -> None:
        """Count one entity's outcome and log it as its row (what a merchant looks up in its history)."""
        self.count(kind, outcome)
        self.log(message, level=level, entity_kind=kind, entity=code, action=outcome)

    def failed_item(self, kind: str, code: str, message: str, *, status: int | None = None,
                    server_text: str = "") -> None:
        """One entity failed: counted, and an error row with the server's status and own words."""
        self.count(kind, "failed")
        self.failed_codes.add((kind, code))
        self.log(message, level="error", entity_kind=kind, entity=code, action="failed",
                 http_status=status if status and status != 200 else None, server_text=server_text)

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
        await self.lane.run(logs_repo.add_logs, self.address, rows)


def _action_of(message: str, level: str, entity: str) -> str:
    """The action of a row that did not name one: a failed entity, or a dry run's "would …"."""
    if not entity:
        return ""
    if level == "error":
        return "failed"
    if message.startswith("dry-run: would "):
        return "would " + message[len("dry-run: would "):].split(" ", 1)[0]
    return ""


def _json(value: Any) -> str:
    """A value as stored for the Preview: JSON, long texts cut (a 1 MB description is not a preview)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 4000 else json.dumps(str(value)[:4000] + "…", ensure_ascii=False)
