"""The scheduled jobs' rules, as pure functions of one snapshot and the wall clock: which job may run, when
each one is due, and the words the Scheduled jobs view, the tray and `unopim-desktop jobs` show for it.

Per channel there are two jobs: **pull** (a Pull Delta) and **push** (a Push Changed), at the channel's
Sync interval. A job is due an interval after its anchor: the later of its last scheduled trigger and the
start of its last completed run (a manual run counts: a Pull Full just clicked is not followed by a
scheduled pull a minute later), plus a small random spread drawn at each trigger. A job that is due long
ago (the laptop slept, the app was closed) is due once: after it runs, the next is an interval from then.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from unopim_desktop.app.channels import INTERVAL_SECONDS, SYNC_INTERVALS
from unopim_desktop.state.schedule_repo import JOBS, ChannelFacts, Snapshot
from unopim_desktop.sync.run import OUTCOMES

JOB_NAMES = {"pull": "Pull Delta", "push": "Push Changed"}
RUN_TITLES = {"pull_full": "Pull Full", "pull_delta": "Pull Delta", "push_all": "Push All",
              "push_changed": "Push Changed"}
MAX_SPREAD_S = 60  # the spread is at most a tenth of the interval, and never more than a minute
# A channel's other job joins a trigger when it is due within this window: pull, then push, together.
JOIN_WINDOW_S = MAX_SPREAD_S

DISABLED = ("the connection is Disabled: Pull and Push are off on every channel (Channels & Stores); no "
            "job runs until one is switched on")
PAUSED_ALL = "paused (all jobs)"
TRIGGER_WORDS = {"scheduled": "scheduled", "catch-up": "scheduled, caught up", "manual": "Run now"}


def first_pull_note(channel: str, store: str) -> str:
    return (f"it has never completed a Pull Full into “{store}”; the first Pull Full is yours to start (Sync tab, "
            f"or `unopim-desktop sync pull --full --channel {channel}`), scheduled pulls follow it")


def first_push_note(channel: str, store: str) -> str:
    return (f"nothing has been synced with “{store}” yet; run Pull Full (or Push All) first (Sync tab, or "
            f"`unopim-desktop sync pull --full --channel {channel}`), scheduled pushes follow it")


@dataclass
class JobStatus:
    channel: str
    job: str  # pull | push
    store: str
    interval: str  # the channel's interval code (off, 5m, …)
    # active | paused | off (a setting keeps it from running) | waiting (the first sync is the merchant's)
    # | disabled (the connection is Disabled)
    state: str
    reason: str  # why it does not run ("" when active)
    due_at: dt.datetime | None  # when it runs next (active and paused jobs)
    missed: int  # whole intervals missed beyond the due one (slept or closed): caught up once
    last_run: dict[str, Any] | None  # the latest run of this job's kind on the channel (manual or scheduled)
    scheduled_run_id: int | None  # the run the scheduler last started for it
    scheduled_trigger: str  # how: scheduled | catch-up | manual (Run now)
    expected_trigger: dt.datetime | None  # its last trigger as read (for the claim)
    paused: bool  # its own pause flag (Pause all is apart)
    note: str  # why it last did not run, as the Logs said
    running: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.channel, self.job

    @property
    def name(self) -> str:
        return JOB_NAMES[self.job]

    @property
    def interval_s(self) -> int:
        return INTERVAL_SECONDS.get(self.interval, 0)

    def is_due(self, now: dt.datetime, *, within_s: float = 0) -> bool:
        return self.state == "active" and self.due_at is not None and \
            self.due_at <= now + dt.timedelta(seconds=within_s)

    # -- words (the view, the tray and `jobs` show the same) ------------------------------------------------
    def interval_text(self) -> str:
        return SYNC_INTERVALS.get(self.interval, self.interval)

    def last_text(self) -> str:
        run = self.last_run
        if run is None:
            return "never"
        how = TRIGGER_WORDS.get(self.scheduled_trigger, "scheduled") if run["id"] == self.scheduled_run_id else "manual"
        dry = ", dry run" if run.get("dry_run") else ""
        return f"{when(run['started_at'])} · {RUN_TITLES.get(run['job'], run['job'])} ({how}{dry}) · run {run['id']}"

    def result_text(self) -> str:
        run = self.last_run
        if run is None:
            return ""
        counts = counts_text(run.get("summary") or {})
        text = run["status"] + (f": {counts}" if counts else "")
        if run["status"] not in ("done", "running") and run.get("message"):
            text += f" — {run['message']}"
        return text

    def next_text(self, now: dt.datetime) -> str:
        if self.running:
            return "running now"
        if self.state == "active":
            if self.due_at is None or self.due_at <= now:
                return "due now" + (f" (catching up: {self.missed + 1} runs missed, runs once)" if self.missed else "")
            return when(self.due_at)
        if self.state == "paused":
            return self.reason + (f" (due {when(self.due_at)} when resumed)" if self.due_at and self.due_at > now else "")
        return f"{self.state}: {self.reason}"

    def run_link(self) -> int | None:
        return self.last_run["id"] if self.last_run else None


def schedule_summary(statuses: list[JobStatus], now: dt.datetime, *, paused_all: bool) -> str:
    """The scheduler's state in one sentence (the tray, the view's header, `jobs`)."""
    if not statuses:
        return "No channels yet: Refresh channels on Channels & Stores (or `unopim-desktop channels refresh`)."
    if all(s.state == "disabled" for s in statuses):
        return f"Disabled: {DISABLED}."
    running = next((s for s in statuses if s.running), None)
    if running is not None:
        return f"Running: {running.name} of {running.channel}."
    if paused_all:
        return "All jobs paused."
    active = [s for s in statuses if s.state == "active" and s.due_at is not None]
    if not active:
        return "No job is scheduled (see each job's reason)."
    first = min(active, key=lambda s: s.due_at)  # type: ignore[arg-type,return-value]
    at = "due now" if first.due_at <= now else f"at {when(first.due_at)}"  # type: ignore[operator]
    return f"Next: {first.name} of {first.channel}, {at}."


def when(moment: dt.datetime | str | None) -> str:
    """A stored UTC time as the app shows it everywhere (the Logs and Recent runs are in UTC too)."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def counts_text(summary: dict[str, dict[str, int]]) -> str:
    totals = dict.fromkeys(OUTCOMES, 0)
    for counts in summary.values():
        for outcome in OUTCOMES:
            totals[outcome] += int(counts.get(outcome, 0))
    return ", ".join(f"{n} {outcome}" for outcome, n in totals.items() if n)


def draw_spread(interval_s: int, rng: random.Random) -> int:
    """Seconds added to a job's next due time, so channels saved together do not start in the same second."""
    return rng.randint(0, max(0, min(MAX_SPREAD_S, interval_s // 10)))


def disabled(snap: Snapshot) -> bool:
    """The grey badge: a saved connection whose channels all have pull and push off."""
    return bool(snap.channels) and all(not f.channel.pull_enabled and not f.channel.push_enabled
                                       for f in snap.channels)


def evaluate(snap: Snapshot, now: dt.datetime, *, running: set[tuple[str, str]] = frozenset()) -> list[JobStatus]:
    """Every channel's jobs, pull before push, with their state and due time."""
    grey = disabled(snap)
    out = []
    for facts in snap.channels:
        for job in JOBS:
            status = _status(facts, job, now, grey=grey, paused_all=snap.paused_all)
            status.running = (facts.channel.code, job) in running
            out.append(status)
    return out


def _status(facts: ChannelFacts, job: str, now: dt.datetime, *, grey: bool, paused_all: bool) -> JobStatus:
    ch, st = facts.channel, facts.jobs[job]
    store = ch.store_label or ""
    switch = ch.pull_enabled if job == "pull" else ch.push_enabled
    state, reason = "active", ""
    if grey:
        state, reason = "disabled", DISABLED
    elif not store:
        state, reason = "off", "no target store is set for this channel (Channels & Stores)"
    elif not facts.store_active:
        state, reason = "off", f"store “{store}” is inactive"
    elif not switch:
        state, reason = "off", f"{job.capitalize()} is off for this channel (Channels & Stores)"
    elif INTERVAL_SECONDS.get(ch.sync_interval, 0) == 0:
        state, reason = "off", "its sync interval is Disabled (Channels & Stores)"
    elif st.paused:
        state, reason = "paused", "paused"
    elif paused_all:
        state, reason = "paused", PAUSED_ALL
    elif job == "pull" and not facts.pulled_full:
        state, reason = "waiting", first_pull_note(ch.code, store)
    elif job == "push" and not (facts.pulled_full or facts.pushed):
        state, reason = "waiting", first_push_note(ch.code, store)
    due_at, missed = None, 0
    if state in ("active", "paused"):
        due_at, missed = _due(facts, job, now)
    return JobStatus(channel=ch.code, job=job, store=store, interval=ch.sync_interval, state=state, reason=reason,
                     due_at=due_at, missed=missed, last_run=facts.last_run.get(job),
                     scheduled_run_id=st.last_run_id, scheduled_trigger=st.last_run_trigger,
                     expected_trigger=st.last_trigger_at, paused=st.paused,
                     note=st.note)


def _due(facts: ChannelFacts, job: str, now: dt.datetime) -> tuple[dt.datetime, int]:
    st = facts.jobs[job]
    interval = dt.timedelta(seconds=INTERVAL_SECONDS[facts.channel.sync_interval])
    anchors = [a for a in (st.last_trigger_at, facts.last_completed.get(job)) if a is not None]
    if not anchors and job == "push" and facts.first_pull_full is not None:
        anchors = [facts.first_pull_full]  # never pushed: an interval after the Pull Full that set the baseline
    if not anchors:
        return now, 0  # never run: due at once
    due = max(anchors) + interval + dt.timedelta(seconds=st.spread_s)
    missed = int((now - due) / interval) if now > due else 0
    return due, missed


def next_wake(statuses: list[JobStatus], now: dt.datetime, *, longest: float) -> float:
    """Seconds until the next active job is due, at most `longest` (the wall clock is looked at again then:
    a sleeping laptop does not count the time it slept in the loop's own sleep)."""
    dues = [s.due_at for s in statuses if s.state == "active" and s.due_at is not None and not s.running]
    if not dues:
        return longest
    return max(0.0, min(longest, (min(dues) - now).total_seconds()))
