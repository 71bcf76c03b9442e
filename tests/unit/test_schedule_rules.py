"""The scheduled jobs' rules on a fake clock: when each job is due, what keeps it from running, the random
spread, and the words the view, the tray and `unopim-desktop jobs` show."""

from __future__ import annotations

import datetime as dt
import random

from tests.support.clock import START
from unopim_desktop.app.jobs import (
    MAX_SPREAD_S,
    draw_spread,
    evaluate,
    next_wake,
    schedule_summary,
)
from unopim_desktop.domain import ChannelRow
from unopim_desktop.state.schedule_repo import ChannelFacts, JobState, Snapshot

MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def facts(code: str = "default", *, interval: str = "1h", pull: bool = True, push: bool = True,
          store: str | None = "Shop", active: bool = True, pulled_full: bool = True, pushed: bool = False,
          pull_state: JobState | None = None, push_state: JobState | None = None,
          completed: dict[str, dt.datetime | None] | None = None,
          first_pull_full: dt.datetime | None = None) -> ChannelFacts:
    ch = ChannelRow(code=code, labels={}, root_category="", locales=["en_US"], currencies=["USD"], store_label=store,
                    pull_enabled=pull, push_enabled=push, sync_interval=interval)
    return ChannelFacts(channel=ch, store_active=None if store is None else active, pulled_full=pulled_full,
                        pushed=pushed, jobs={"pull": pull_state or JobState(), "push": push_state or JobState()},
                        last_run={"pull": None, "push": None},
                        last_completed=completed or {"pull": None, "push": None}, first_pull_full=first_pull_full)


def one(f: ChannelFacts, now: dt.datetime, job: str = "pull", *, paused_all: bool = False):
    statuses = {s.job: s for s in evaluate(Snapshot("https://pim", paused_all, [f]), now)}
    return statuses[job]


def test_a_job_is_due_one_interval_after_its_last_trigger_plus_its_spread():
    f = facts(interval="5m", pull_state=JobState(last_trigger_at=START, spread_s=7))
    s = one(f, START + 5 * MIN)
    assert (s.state, s.due_at) == ("active", START + 5 * MIN + dt.timedelta(seconds=7))
    assert not s.is_due(START + 5 * MIN)
    assert s.is_due(START + 5 * MIN + dt.timedelta(seconds=7))
    assert s.next_text(START + MIN) == "2040-01-06 09:05 UTC"
    assert s.interval_text() == "Every 5 minutes"


def test_a_completed_manual_run_moves_the_next_one_an_interval_after_it():
    f = facts(pull_state=JobState(last_trigger_at=START), completed={"pull": START + 40 * MIN, "push": None})
    assert one(f, START + HOUR).due_at == START + 100 * MIN


def test_runs_missed_while_asleep_are_due_once_with_how_many_were_missed():
    f = facts(pull_state=JobState(last_trigger_at=START))
    s = one(f, START + 8 * HOUR + 10 * MIN)
    assert s.is_due(START + 8 * HOUR) and s.due_at == START + HOUR
    assert s.missed == 7
    assert s.next_text(START + 8 * HOUR + 10 * MIN) == "due now (catching up: 8 runs missed, runs once)"


def test_a_job_never_run_is_due_at_once_and_push_waits_an_interval_after_the_first_pull_full():
    assert one(facts(), START).due_at == START
    f = facts(first_pull_full=START - 10 * MIN)
    assert one(f, START, "push").due_at == START + 50 * MIN


def test_the_first_pull_full_is_the_merchants_to_start():
    f = facts(pulled_full=False)
    pull, push = one(f, START), one(f, START, "push")
    assert pull.state == "waiting" and not pull.is_due(START + 24 * HOUR)
    assert pull.reason.startswith("it has never completed a Pull Full into “Shop”; the first Pull Full is yours")
    assert "`unopim-desktop sync pull --full --channel default`" in pull.reason
    assert push.state == "waiting" and push.reason.startswith("nothing has been synced with “Shop” yet")
    assert one(facts(pulled_full=False, pushed=True), START, "push").state == "active"  # a Push All did it


def test_pause_per_job_and_for_all_keeps_the_due_time_in_view():
    f = facts(pull_state=JobState(last_trigger_at=START, paused=True))
    pull, push = one(f, START + 2 * HOUR), one(f, START + 2 * HOUR, "push")
    assert (pull.state, pull.reason) == ("paused", "paused") and not pull.is_due(START + 2 * HOUR)
    assert push.state == "active"
    later = facts(pull_state=JobState(last_trigger_at=START, paused=True))
    assert one(later, START + 10 * MIN).next_text(START + 10 * MIN) == "paused (due 2040-01-06 10:00 UTC when resumed)"
    s = one(facts(), START, "push", paused_all=True)
    assert (s.state, s.reason) == ("paused", "paused (all jobs)")


def test_settings_that_keep_a_job_off_and_the_disabled_connection():
    assert one(facts(interval="off"), START).reason == "its sync interval is Disabled (Channels & Stores)"
    assert one(facts(push=False), START, "push").reason == "Push is off for this channel (Channels & Stores)"
    assert one(facts(store=None), START).reason == "no target store is set for this channel (Channels & Stores)"
    assert one(facts(active=False), START).reason == "store “Shop” is inactive"
    # The grey badge: pull and push off on every channel stops every job.
    snap = Snapshot("https://pim", False, [facts(pull=False, push=False), facts("b", pull=False, push=False)])
    statuses = evaluate(snap, START)
    assert {s.state for s in statuses} == {"disabled"}
    assert schedule_summary(statuses, START, paused_all=False).startswith("Disabled: the connection is Disabled")


def test_the_spread_is_small_and_random():
    rng = random.Random(4)
    spreads = [draw_spread(3600, rng) for _ in range(200)]
    assert min(spreads) >= 0 and max(spreads) <= MAX_SPREAD_S and len(set(spreads)) > 20
    assert max(draw_spread(300, rng) for _ in range(200)) <= 30  # a tenth of five minutes


def test_the_loop_looks_again_at_the_next_due_time_or_within_its_longest_nap():
    statuses = evaluate(Snapshot("https://pim", False, [facts(pull_state=JobState(last_trigger_at=START),
                                                              push_state=JobState(last_trigger_at=START))]),
                        START + 59 * MIN + 50 * dt.timedelta(seconds=1))
    assert next_wake(statuses, START + 59 * MIN + 50 * dt.timedelta(seconds=1), longest=30) == 10
    assert next_wake(statuses, START, longest=30) == 30
    assert schedule_summary(statuses, START, paused_all=False) == "Next: Pull Delta of default, at 2040-01-06 10:00 UTC."
    assert schedule_summary(statuses, START, paused_all=True) == "All jobs paused."
