"""The scheduler against the sandbox peers, on a fake clock: each channel pulls (Pull Delta) then pushes (Push
Changed) at its interval through the real engine; runs missed while the laptop slept are caught up once;
the first Pull Full is the merchant's; pause per job and for all; the Disabled connection stops every job;
a trigger that finds the channel's run going (another process's) is skipped with a Logs row."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Callable

import keyring
import pytest
from keyring.backends import fail

from tests.support.app import Connected, make_app, unopim_api
from tests.support.clock import START, FakeClock, NoSpread
from unopim_desktop.app.application import App
from unopim_desktop.app.scheduler import JobResult, ScheduledRunFinished
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import repo, sync_repo


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=8, seed=5, only=("unopim", "woocommerce")))
    yield sb
    sb.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def ready(data_dir, sandbox, clock) -> AsyncIterator[Connected]:
    app = App.open(data_dir, clock=clock, rng=NoSpread())
    try:
        yield await make_app(app, sandbox)
    finally:
        await app.scheduler.stop()
        await app.aclose()
        app.close()


async def set_channel(app: App, code: str = "default", **values) -> None:  # type: ignore[no-untyped-def]
    rows = await app.channels.channels()
    for row in rows:
        if row.code == code:
            for k, v in values.items():
                setattr(row, k, v)
    await app.channels.save(rows)


def ran(results: list[JobResult]) -> list[tuple[str, str, str]]:
    return [(r.channel, r.job, r.status) for r in results if r.action == "ran"]


async def logs(app: App, text: str) -> list[str]:
    rows = await app.ctx.lane.run(repo.recent_logs, await app.connection.address(), 500)
    return [r["message"] for r in rows if text in r["message"]]


async def runs(app: App) -> list[dict]:
    return await app.ctx.lane.run(sync_repo.recent_runs, await app.connection.address(), 100)


async def wait_until(check: Callable[[], bool], what: str) -> None:
    for _ in range(6000):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def woo_name(sb: Sandbox, sku: str) -> str:
    return next(p["name"] for p in sb.woocommerce.products() if p["sku"] == sku)


# -- the interval -----------------------------------------------------------------------------------------------
async def test_a_channel_pulls_then_pushes_at_its_interval(ready, sandbox, clock):
    app, sched = ready.app, ready.app.scheduler
    await set_channel(app, sync_interval="5m")
    assert (await app.engine.pull(full=True)).status == "done"
    first = await sched.run_due()  # never triggered before: due at once, pull then push
    assert ran(first) == [("default", "pull", "done"), ("default", "push", "done")]
    assert [r["job"] for r in (await runs(app))[:2]] == ["push_changed", "pull_delta"]

    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {
        "channel_locale_specific": {"default": {"en_US": {"name": "Renamed for the next tick"}}}}})
    clock.advance(minutes=4, seconds=59)
    assert await sched.run_due() == []  # not due yet: nothing runs, nothing is logged
    assert woo_name(sandbox, sku) != "Renamed for the next tick"
    clock.advance(seconds=1)
    second = await sched.run_due()
    assert ran(second) == [("default", "pull", "done"), ("default", "push", "done")]
    assert second[0].summary["product"]["updated"] == 1
    assert re.fullmatch(rf"default pull: ran Pull Delta — done: 1 updated, \d+ unchanged \(run {second[0].run_id}\)",
                        second[0].line()), second[0].line()
    assert woo_name(sandbox, sku) == "Renamed for the next tick"  # the tick found the change
    status = {s.key: s for s in await sched.status()}
    assert status[("default", "pull")].next_text(clock.now()) == "2040-01-06 09:10 UTC"
    assert status[("default", "pull")].last_text().endswith(f"· Pull Delta (scheduled) · run {second[0].run_id}")


async def test_the_resident_loop_runs_on_time_and_catches_up_once_after_a_sleep(ready, sandbox, clock):
    app, sched = ready.app, ready.app.scheduler
    assert (await app.engine.pull(full=True)).status == "done"
    seen: list[JobResult] = []
    app.bus.subscribe(lambda e: seen.append(e.result) if isinstance(e, ScheduledRunFinished) else None)
    sched.start()
    await wait_until(lambda: len(seen) == 2 and clock.sleeping == 1, "the first tick")
    clock.advance(minutes=30)  # half an hour: the loop looks again, nothing is due
    await wait_until(lambda: clock.sleeping == 1, "the loop to nap again")
    assert len(seen) == 2
    clock.advance(hours=8)  # the laptop slept for eight hours: seven hourly runs missed, and the one due
    await wait_until(lambda: len(seen) == 4 and clock.sleeping == 1, "the catch-up")
    clock.advance(seconds=1)
    await wait_until(lambda: clock.sleeping == 1, "the loop to nap again")
    assert [(r.job, r.status, r.trigger) for r in seen[2:]] == [("pull", "done", "catch-up"), ("push", "done", "catch-up")]
    assert len(seen) == 4  # caught up once, not once per missed tick
    caught = await logs(app, "due since 2040-01-06 10:00 UTC, 7 more run(s) missed")
    assert len(caught) == 2 and "catching up with one run" in caught[0]
    pull = next(s for s in await sched.status() if s.job == "pull")
    assert pull.due_at == START + dt.timedelta(hours=9, minutes=30)  # an hour after the catch-up, not after 10:00
    assert pull.last_text().endswith(f"(scheduled, caught up) · run {seen[2].run_id}")
    await sched.stop()
    assert not sched.running


# -- the first Pull Full, pause, Disabled -----------------------------------------------------------------------
async def test_a_channel_never_pulled_in_full_is_not_pulled_by_the_scheduler_and_says_so_once(ready, sandbox, clock):
    app, sched = ready.app, ready.app.scheduler
    results = {(r.channel, r.job): r for r in await sched.run_due(report=True)}
    assert results[("default", "pull")].action == "skipped"
    assert results[("default", "pull")].message.startswith("it has never completed a Pull Full into “Shop”")
    assert results[("default", "push")].message.startswith("nothing has been synced with “Shop” yet")
    clock.advance(hours=3)
    await sched.run_due()
    said = await logs(app, "Scheduled Pull Delta of channel default does not run: it has never completed a Pull Full")
    assert len(said) == 1  # once, not at every look
    assert len(await logs(app, "Scheduled Push Changed of channel default does not run: nothing has been synced")) == 1
    assert await runs(app) == [] and sandbox.woocommerce.write_count() == 0
    now = await sched.run_now("default", "pull")  # Run now keeps the rule too
    assert (now.action, now.message) == ("skipped", results[("default", "pull")].message)

    assert (await app.engine.pull(full=True)).status == "done"  # the merchant's deliberate act
    assert ran(await sched.run_due()) == [("default", "pull", "done"), ("default", "push", "done")]


async def test_pause_per_job_and_for_all_and_the_disabled_connection(ready, sandbox, clock):
    app, sched = ready.app, ready.app.scheduler
    assert (await app.engine.pull(full=True)).status == "done"
    await sched.run_due()
    assert await sched.pause("default", "pull") == ["pull"]
    clock.advance(hours=1, seconds=1)
    assert ran(await sched.run_due()) == [("default", "push", "done")]
    assert await logs(app, "Scheduled Pull Delta of channel default paused.")

    assert await sched.pause_all(True)
    clock.advance(hours=1, seconds=1)
    assert await sched.run_due() == []
    assert {s.reason for s in await sched.status() if s.channel == "default"} == {"paused", "paused (all jobs)"}
    assert await sched.pause_all(False)
    assert ran(await sched.run_due()) == [("default", "push", "done")]  # pull stays paused on its own
    manual = await sched.run_now("default", "pull")  # Run now runs a paused job
    assert (manual.action, manual.status, manual.trigger) == ("ran", "done", "manual")
    assert await sched.pause("default", paused=False) == ["pull"]

    # The grey badge: pull and push off on every channel stops every job.
    rows = await app.channels.channels()
    for row in rows:
        row.pull_enabled = row.push_enabled = False
    await app.channels.save(rows)
    clock.advance(hours=5)
    before = len(await runs(app))
    results = await sched.run_due(report=True)
    assert {r.action for r in results} == {"skipped"} and len(await runs(app)) == before
    assert all(r.message.startswith("the connection is Disabled") for r in results)


# -- one run per channel, across processes -----------------------------------------------------------------------
async def test_a_trigger_that_finds_a_cli_run_going_is_skipped_with_a_logs_row(data_dir, sandbox, clock):
    keyring.set_keyring(fail.Keyring())  # the CLI's process reads the secrets from the data folder's file
    app = App.open(data_dir, clock=clock, rng=NoSpread())
    child = None
    try:
        await make_app(app, sandbox)
        assert (await app.engine.pull(full=True)).status == "done"
        sandbox.faults["woocommerce"].latency_ms = 150  # the CLI's pull takes its time
        env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        child = subprocess.Popen([sys.executable, "-m", "unopim_desktop", "--data-dir", str(data_dir), "sync", "pull",
                                  "--full"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        await wait_until(lambda: any(r["status"] == "running" for r in _runs_now(data_dir)), "the CLI's run")
        results = await sched_run(app)
        assert [(r.job, r.action) for r in results] == [("pull", "skipped"), ("push", "skipped")]
        assert results[0].message.startswith(f"A pull of channel default is already running (process {child.pid}")
        rows = await logs(app, "Scheduled Pull Delta of channel default skipped: A pull of channel default is "
                               f"already running (process {child.pid}")
        assert len(rows) == 1 and rows[0].endswith("Next try at 2040-01-06 10:00 UTC.")
        # One row per skipped trigger (the pull's and the push's), not a second one from the engine.
        assert len(await logs(app, "is already running")) == 2, await logs(app, "is already running")
        assert [r["job"] for r in await runs(app)] == ["pull_full", "pull_full"]  # the scheduler started none
        assert await asyncio.to_thread(child.wait, 120) == 0, child.stderr.read().decode()[-2000:] if child.stderr else ""
        sandbox.faults["woocommerce"].latency_ms = 0
        clock.advance(hours=1)
        assert ran(await sched_run(app)) == [("default", "pull", "done"), ("default", "push", "done")]
    finally:
        if child is not None and child.poll() is None:
            child.kill()
        await app.aclose()
        app.close()


async def sched_run(app: App) -> list[JobResult]:
    return await app.scheduler.run_due()


def _runs_now(data_dir) -> list[dict]:
    import sqlite3

    path = data_dir / "unopim-desktop.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
        return [{"job": j, "status": s} for j, s in db.execute("SELECT job, status FROM syncrun ORDER BY id DESC")]


async def test_a_job_due_while_this_app_runs_another_channel_waits_for_it_instead_of_spinning(ready, sandbox, clock):
    app, sched = ready.app, ready.app.scheduler
    await set_channel(app, "mobile", store_label="Shop", pull_enabled=True)
    assert (await app.engine.pull(full=True, channel="default")).status == "done"
    seen: list[JobResult] = []
    app.bus.subscribe(lambda e: seen.append(e.result) if isinstance(e, ScheduledRunFinished) else None)
    sandbox.faults["woocommerce"].latency_ms = 30  # the manual run of the other channel takes a moment
    manual = asyncio.ensure_future(app.engine.pull(full=True, channel="mobile"))  # a click on the Sync tab
    await wait_until(lambda: sched._in_process == ("mobile", "pull"), "the manual run to start")
    sched.start()
    await wait_until(lambda: clock.sleeping == 1, "the loop to nap")
    assert seen == [] and not manual.done()
    assert [d for d, _f in clock._sleepers] == [clock.now() + dt.timedelta(seconds=30)]  # a nap, not a spin
    sandbox.faults["woocommerce"].latency_ms = 0
    assert (await manual).status == "done"
    await wait_until(lambda: len(seen) == 4, "the waiting jobs to run once the engine is free")
    assert [(r.channel, r.job, r.action, r.status) for r in seen] == [
        ("default", "pull", "ran", "done"), ("default", "push", "ran", "done"),
        ("mobile", "pull", "ran", "done"), ("mobile", "push", "ran", "done")]
    await sched.stop()
