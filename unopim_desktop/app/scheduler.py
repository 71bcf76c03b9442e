"""The scheduler: one implementation for the window and the headless runner (`run-scheduler`), Qt-free.

Each channel pulls (Pull Delta) then pushes (Push Changed) at its Sync interval, through the same engine
as a click, so every run-time check holds (the mapping check, Max delete, the cooldown, one run per
channel across processes). What is due is worked out from the stored state and the wall clock at every
look (`app.jobs`), so an OS timer calling `run-scheduler --once` behaves like the resident loop, a laptop
that slept catches up once, and two schedulers on one data folder never run the same trigger (a
compare-and-set claim). Whatever a trigger does (ran, skipped, could not run) ends in the Logs, and a
`ScheduledRunFinished` event on the bus (the tray's notifications, the runner's lines).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from typing import Any, Protocol

from unopim_desktop.app.errors import describe_error
from unopim_desktop.app.events import CHANNELS, CONNECTION, LOGS, SCHEDULE, SETTINGS, STORES, Changed, changed
from unopim_desktop.app.jobs import (
    JOB_NAMES,
    JOIN_WINDOW_S,
    JobStatus,
    counts_text,
    draw_spread,
    evaluate,
    next_wake,
    when,
)
from unopim_desktop.state import repo, schedule_repo
from unopim_desktop.state.db import DbLane
from unopim_desktop.state.models import utcnow
from unopim_desktop.state.schedule_repo import JOBS
from unopim_desktop.sync.engine import EngineBusy, JobOutcome, SyncEngine
from unopim_desktop.sync.events import EventBus, RunFinished, RunStarted

log = logging.getLogger(__name__)

# The loop looks at the wall clock at least this often: a sleeping laptop does not count the time it slept
# in an asyncio sleep, so a long nap would wake up hours late.
MAX_NAP_S = 30.0
WAKE_KINDS = frozenset({CONNECTION, STORES, CHANNELS, SETTINGS, SCHEDULE})


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The wall clock, UTC, naive (as the database stores times)."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return utcnow()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class JobResult:
    """What one look did with one job."""

    channel: str
    job: str  # pull | push
    action: str  # ran | not_due | skipped
    status: str = ""  # ran: the run's status (done, partial, held, refused, failed, cancelled)
    run_id: int | None = None
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str = ""
    due_at: dt.datetime | None = None  # not_due: when it is; ran/skipped: when the next one is
    trigger: str = ""  # scheduled | catch-up | manual

    @property
    def name(self) -> str:
        return JOB_NAMES[self.job]

    @property
    def failed(self) -> bool:
        """A run that did not end done: it failed, some items failed, a guard held it, it was refused."""
        return self.action == "ran" and self.status != "done"

    def line(self) -> str:
        head = f"{self.channel} {self.job}: "
        if self.action == "not_due":
            return head + f"not due (next {when(self.due_at)})"
        if self.action == "skipped":
            return head + f"skipped — {self.message}"
        counts = counts_text(self.summary) or ("nothing to do" if self.status == "done" else "")
        tail = f" — {self.message}" if self.message and self.status != "done" else ""
        run = f" (run {self.run_id})" if self.run_id is not None else ""
        return head + f"ran {self.name} — {self.status}" + (f": {counts}" if counts else "") + run + tail


@dataclass(frozen=True)
class ScheduledRunFinished:
    """A job the scheduler triggered (on time, catching up, or Run now) ran or was skipped."""

    result: JobResult


class Scheduler:
    def __init__(self, lane: DbLane, bus: EventBus, engine: SyncEngine, *, clock: Clock | None = None,
                 rng: random.Random | None = None) -> None:
        self.lane = lane
        self.bus = bus
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.current: tuple[str, str] | None = None  # the job this scheduler is running
        self.scheduled_runs: set[int] = set()  # runs this scheduler started (the tray tells them from manual ones)
        self._in_process: tuple[str, str] | None = None  # (channel, job) of a run of this app's engine
        self._locks: dict[Any, asyncio.Lock] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._deferred = False  # the last look left a due job waiting for this app's other run to end
        self._unsubscribe = bus.subscribe(self._on_event)

    # -- what is scheduled ----------------------------------------------------------------------------------
    async def _address(self) -> str | None:
        return await self.lane.run(repo.active_address)

    async def _need_address(self) -> str:
        address = await self._address()
        if not address:
            raise LookupError("Connect to UnoPim first (Connection tab, or `unopim-desktop connect`).")
        return address

    def _running(self) -> set[tuple[str, str]]:
        return {k for k in (self.current, self._in_process) if k is not None}

    async def status(self) -> list[JobStatus]:
        """Every channel's jobs (pull, then push) as they stand now; [] when nothing is connected."""
        address = await self._address()
        if not address:
            return []
        snap = await self.lane.run(schedule_repo.snapshot, address)
        return evaluate(snap, self.clock.now(), running=self._running())

    async def paused_all(self) -> bool:
        address = await self._address()
        return bool(address) and (await self.lane.run(schedule_repo.snapshot, address)).paused_all

    @property
    def running(self) -> bool:
        """The resident loop is on (the window's, or `run-scheduler`)."""
        return self._task is not None and not self._task.done()

    # -- one look: run what is due ----------------------------------------------------------------------------
    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            self._locks = {loop: (lock := asyncio.Lock())}
        return lock

    async def run_due(self, *, report: bool = False) -> list[JobResult]:
        """Run every job that is due now, channel by channel (pull, then push); with `report`, a result for
        every other job too (not due, or why it does not run)."""
        async with self._lock():
            self._deferred = False
            address = await self._address()
            if not address:
                return []
            now = self.clock.now()
            statuses = evaluate(await self.lane.run(schedule_repo.snapshot, address), now, running=self._running())
            await self._note_waiting(address, statuses)
            results: list[JobResult] = []
            for code in dict.fromkeys(s.channel for s in statuses):
                jobs = [s for s in statuses if s.channel == code]
                tick = any(s.is_due(now) for s in jobs)
                for s in jobs:
                    if tick and s.is_due(now, within_s=JOIN_WINDOW_S) and not self._stopping:
                        result = await self._trigger(address, s)
                        if result is not None:
                            results.append(result)
                    elif report:
                        results.append(_not_run(s, now))
            return results

    async def _note_waiting(self, address: str, statuses: list[JobStatus]) -> None:
        """Say once in the Logs why a job waits for the merchant (no first Pull Full yet), not at every look."""
        for s in statuses:
            note = s.reason if s.state == "waiting" else ""
            if note == s.note:
                continue
            if await self.lane.run(schedule_repo.set_note, address, s.channel, s.job, note) and note:
                await self.lane.run(repo.add_log, address, f"Scheduled {s.name} of channel {s.channel} does not run: "
                                    f"{note}.", category="schedule", entity_kind="channel", entity=s.channel)
                self.bus.emit(changed(LOGS, SCHEDULE))

    async def _trigger(self, address: str, s: JobStatus) -> JobResult | None:
        if self.engine.running and (self._in_process is None or self._in_process[0] != s.channel):
            self._deferred = True  # this app runs another channel now: this one waits its turn (not skipped)
            return None
        now = self.clock.now()
        spread = draw_spread(s.interval_s, self.rng)
        next_due = now + dt.timedelta(seconds=s.interval_s + spread)
        if not await self.lane.run(schedule_repo.claim, address, s.channel, s.job, expected=s.expected_trigger,
                                   now=now, next_due=next_due, spread_s=spread):
            return None  # another scheduler on this data folder (the window, an OS timer) took this trigger
        trigger = "scheduled"
        if s.missed and s.due_at is not None:
            trigger = "catch-up"
            await self.lane.run(repo.add_log, address, f"Scheduled {s.name} of channel {s.channel}: due since "
                                f"{when(s.due_at)}, {s.missed} more run(s) missed while the computer slept or the app "
                                "was closed; catching up with one run.", category="schedule",
                                entity_kind="channel", entity=s.channel)
        return await self._run(address, s.channel, s.job, trigger=trigger, next_due=next_due)

    # -- running one job ------------------------------------------------------------------------------------
    async def _run(self, address: str, channel: str, job: str, *, trigger: str, next_due: dt.datetime) -> JobResult:
        name = JOB_NAMES[job]
        result = JobResult(channel, job, "ran", trigger=trigger, due_at=next_due)
        self.current = (channel, job)
        outcome: JobOutcome | None = None
        try:
            if job == "pull":
                outcome = await self.engine.pull(full=False, channel=channel, log_skips=False)
            else:
                outcome = await self.engine.push(changed=True, channel=channel, log_skips=False)
        except EngineBusy:
            result.action, result.message = "skipped", "another run of this app is going"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 (not connected, secrets, a bug: said, and the loop goes on)
            log.warning("scheduled %s of %s could not run", name, channel, exc_info=not isinstance(exc, LookupError))
            result.status, result.message = "failed", describe_error(exc)
            await self.lane.run(repo.add_log, address, f"Scheduled {name} of channel {channel} could not run: "
                                f"{result.message}", level="error", category="schedule", entity_kind="channel",
                                entity=channel)
        finally:
            self.current = None
        ch = outcome.channels[0] if outcome is not None and outcome.channels else None
        if ch is not None:
            if ch.status == "skipped" or (ch.status == "refused" and ch.run_id is None):
                # Switched off meanwhile, or another run holds the channel (the window, a command, a process).
                result.action, result.message = "skipped", ch.message
            else:
                result.status, result.run_id, result.summary = ch.status, ch.run_id, ch.summary
                result.message = f"{ch.message} {ch.fix}".strip()
        if result.action == "skipped":
            await self.lane.run(repo.add_log, address, f"Scheduled {name} of channel {channel} skipped: "
                                f"{result.message.rstrip('.')}. Next try at {when(next_due)}.", category="schedule",
                                entity_kind="channel", entity=channel, channel=channel, direction=job,
                                action="skipped")
        await self.lane.run(schedule_repo.record_run, address, channel, job, result.run_id, trigger)
        self.bus.emit(ScheduledRunFinished(result))
        self.bus.emit(changed(SCHEDULE, LOGS))
        return result

    async def run_now(self, channel: str, job: str) -> JobResult:
        """Run now (the view's button, the tray, `jobs run`): also when paused or not due; never when a
        setting keeps it off or the first sync is still the merchant's to start (said as a skip)."""
        async with self._lock():
            address = await self._need_address()
            statuses = await self.status()
            s = next((s for s in statuses if s.key == (channel, job)), None)
            if s is None:
                raise LookupError(f"Unknown channel “{channel}”; see `unopim-desktop jobs` (or click Refresh "
                                  "channels).")
            if s.state in ("off", "waiting", "disabled"):
                return JobResult(channel, job, "skipped", message=s.reason)
            now = self.clock.now()
            spread = draw_spread(s.interval_s, self.rng)
            next_due = now + dt.timedelta(seconds=s.interval_s + spread)
            await self.lane.run(schedule_repo.claim, address, channel, job, expected=s.expected_trigger, now=now,
                                next_due=next_due, spread_s=spread)
            return await self._run(address, channel, job, trigger="manual", next_due=next_due)

    async def run_now_all(self, job: str) -> list[JobResult]:
        """Run one job on every channel now (the tray's Pull Delta now / Push Changed now)."""
        results = []
        for s in await self.status():
            if s.job == job and s.state in ("active", "paused") and not self._stopping:
                results.append(await self.run_now(s.channel, job))
        return results

    # -- pause ----------------------------------------------------------------------------------------------
    async def pause(self, channel: str, job: str | None = None, *, paused: bool = True) -> list[str]:
        """Pause (or resume) one job of a channel, or both; the jobs whose flag changed."""
        address = await self._need_address()
        if channel not in {s.channel for s in await self.status()}:
            raise LookupError(f"Unknown channel “{channel}”; see `unopim-desktop jobs`.")
        jobs = (job,) if job else JOBS
        done = await self.lane.run(schedule_repo.set_paused, address, channel, jobs, paused)
        for j in done:
            await self.lane.run(repo.add_log, address, f"Scheduled {JOB_NAMES[j]} of channel {channel} "
                                f"{'paused' if paused else 'resumed'}.", category="schedule", entity_kind="channel",
                                entity=channel)
        self.bus.emit(changed(SCHEDULE, LOGS))
        return done

    async def pause_all(self, paused: bool = True) -> bool:
        address = await self._need_address()
        done = await self.lane.run(schedule_repo.set_paused_all, address, paused)
        if done:
            await self.lane.run(repo.add_log, address, "All scheduled jobs " + (
                "paused." if paused else "resumed (a job paused on its own stays paused)."), category="schedule")
        self.bus.emit(changed(SCHEDULE, LOGS))
        return done

    # -- the resident loop ----------------------------------------------------------------------------------
    def start(self) -> asyncio.Task[None]:
        """Run the loop in the background until `stop` (the window, `run-scheduler`)."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.ensure_future(self.run_forever())
        return self._task

    async def run_forever(self) -> None:
        self._wake = asyncio.Event()
        while not self._stopping:
            self._wake.clear()
            delay = MAX_NAP_S
            try:
                await self.run_due()
                # A job left waiting for this app's other run is looked at again when that run ends (a wake).
                delay = MAX_NAP_S if self._deferred else next_wake(await self.status(), self.clock.now(),
                                                                     longest=MAX_NAP_S)
            except asyncio.CancelledError:
                raise
            except Exception:  # a look that failed (a busy database) must not end the schedule
                log.exception("the scheduler's look failed; trying again in %s s", MAX_NAP_S)
            if self._stopping:
                break
            await self._nap(delay)

    async def _nap(self, seconds: float) -> None:
        assert self._wake is not None
        if self._wake.is_set():
            return
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    def wake(self) -> None:
        """Look again now (settings changed, a run finished)."""
        if self._wake is not None:
            self._wake.set()

    def request_stop(self) -> None:
        """No job starts from now on; the scheduler's run in progress stops at its next batch boundary (its
        checkpoint written, its row `cancelled`), so the next run resumes it."""
        self._stopping = True
        self.wake()
        if self.current is not None:
            self.engine.cancel()

    async def stop(self, timeout: float = 30.0) -> None:
        """`request_stop`, then wait for the loop to end."""
        self.request_stop()
        task, self._task = self._task, None
        if task is not None and not task.done():
            done, _ = await asyncio.wait([task], timeout=timeout)
            if not done:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def close(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: object) -> None:
        if isinstance(event, RunStarted):
            if self.current is not None and event.channel == self.current[0]:
                self.scheduled_runs.add(event.run_id)
            else:
                self._in_process = (event.channel, "pull" if event.job.startswith("pull") else "push")
        elif isinstance(event, RunFinished):
            self._in_process = None
            self.wake()  # a manual run may have moved a job's anchor, or freed the engine for a waiting one
        elif isinstance(event, Changed) and event.kinds & WAKE_KINDS:
            self.wake()


def _not_run(s: JobStatus, now: dt.datetime) -> JobResult:
    if s.state == "active":
        if s.running:
            return JobResult(s.channel, s.job, "skipped", message="it is running now")
        return JobResult(s.channel, s.job, "not_due", due_at=s.due_at)
    return JobResult(s.channel, s.job, "skipped", message=s.reason, due_at=s.due_at)
