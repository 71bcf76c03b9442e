"""`unopim-desktop run-scheduler --once` and `unopim-desktop jobs …`, as an OS timer and a merchant would call
them, on a fake wall clock: one line per job (ran with counts, not due with the next time, skipped with
the reason), exit 0 when all ran or nothing was due and 1 when some failed; the jobs table; run now, pause
and resume."""

from __future__ import annotations

import re

import pytest

from tests.support.cli import run_cli
from tests.support.clock import FakeClock
from unopim_desktop.app import scheduler as scheduler_module
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

FIRST_PULL = ("default pull: skipped — it has never completed a Pull Full into “Shop”; the first Pull Full is yours "
              "to start (Sync tab, or `unopim-desktop sync pull --full --channel default`), scheduled pulls follow it")
FIRST_PUSH = ("default push: skipped — nothing has been synced with “Shop” yet; run Pull Full (or Push All) first "
              "(Sync tab, or `unopim-desktop sync pull --full --channel default`), scheduled pushes follow it")
NO_STORE = "skipped — no target store is set for this channel (Channels & Stores)"


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=4, seed=3, only=("unopim", "woocommerce")))
    yield sb
    sb.stop()


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    """The commands' wall clock, and no random spread (next times to the minute)."""
    fake = FakeClock()
    monkeypatch.setattr(scheduler_module.SystemClock, "now", lambda _self: fake.now())
    monkeypatch.setattr(scheduler_module, "draw_spread", lambda _interval, _rng: 0)
    return fake


@pytest.fixture
def saved(sandbox: Sandbox, data_dir, capsys) -> list[str]:
    """A data folder connected to the sandbox with channel `default` aimed at the store “Shop” and mapped;
    the command line's first arguments."""
    d = ["--data-dir", str(data_dir)]
    u, w = sandbox.credentials()["unopim"], sandbox.credentials()["woocommerce"]
    for args in (["connect", "--url", u["url"], "--client-id", u["client_id"], "--username", u["username"],
                  "--client-secret", u["client_secret"], "--password", u["password"]],
                 ["store", "add", "woocommerce", "--label", "Shop", "--url", w["url"], "--consumer-key",
                  w["consumer_key"], "--consumer-secret", w["consumer_secret"]],
                 ["channels", "refresh"], ["channels", "set", "default", "--store", "Shop"], ["mapping", "auto"]):
        done = run_cli(capsys, *d, *args)
        assert done.code == 0, done.err
    return d


def test_run_scheduler_once_says_one_line_per_job_with_its_exit_code(sandbox, saved, clock, capsys):
    d = saved
    first = run_cli(capsys, *d, "run-scheduler", "--once")
    assert first.code == 0, first.err
    assert first.out.splitlines() == [FIRST_PULL, FIRST_PUSH, f"mobile pull: {NO_STORE}", f"mobile push: {NO_STORE}"]

    assert run_cli(capsys, *d, "sync", "pull", "--full").code == 0
    clock.advance(hours=2)
    due = run_cli(capsys, *d, "run-scheduler", "--once")
    assert due.code == 0, due.err
    lines = due.out.splitlines()
    assert re.fullmatch(r"default pull: ran Pull Delta — done: \d+ unchanged \(run 2\)", lines[0]), lines
    assert re.fullmatch(r"default push: ran Push Changed — done: .* \(run 3\)", lines[1]), lines
    assert lines[2:] == [f"mobile pull: {NO_STORE}", f"mobile push: {NO_STORE}"]

    again = run_cli(capsys, *d, "run-scheduler", "--once")  # an OS timer a minute later: nothing due
    assert again.code == 0
    assert again.out.splitlines()[:2] == ["default pull: not due (next 2040-01-06 12:00 UTC)",
                                          "default push: not due (next 2040-01-06 12:00 UTC)"]

    next(s for s in sandbox._servers if s.name == "unopim").stop()  # UnoPim goes away
    clock.advance(hours=1)
    failed = run_cli(capsys, *d, "run-scheduler", "--once")
    assert failed.code == 1
    pull, push = failed.out.splitlines()[:2]
    assert re.fullmatch(r"default pull: ran Pull Delta — failed \(run 4\) — Stopped: .*", pull), pull
    assert "refused" in pull.lower() and push.startswith("default push: ran Push Changed — failed (run 5)")
    assert "Traceback" not in failed.err


def test_jobs_prints_the_table_and_runs_pauses_and_resumes(saved, clock, capsys):
    d = saved
    assert run_cli(capsys, *d, "sync", "pull", "--full").code == 0
    table = run_cli(capsys, *d, "jobs")
    assert table.code == 0
    lines = table.out.splitlines()
    assert lines[0] == "Next: Pull Delta of default, due now."  # the Pull Full ran long before the fake clock
    assert re.split(r"\s{2,}", lines[1]) == ["Channel", "Job", "Interval", "Last run", "Result", "Next run"]
    row = re.split(r"\s{2,}", lines[2])
    assert row[:3] == ["default", "pull", "Hourly"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC · Pull Full \(manual\) · run 1", row[3]), row
    assert re.fullmatch(r"done: \d+ created(, \d+ updated)?", row[4]), row
    assert re.fullmatch(r"due now \(catching up: \d+ runs missed, runs once\)", row[5]), row
    assert re.split(r"\s{2,}", lines[4]) == ["mobile", "pull", "Hourly", "never", "-",
                                             "off: no target store is set for this channel (Channels & Stores)"]

    ran = run_cli(capsys, *d, "jobs", "run", "default", "--job", "pull")
    assert ran.code == 0, ran.err
    assert re.fullmatch(r"default pull: ran Pull Delta — done: \d+ unchanged \(run 2\)", ran.out.strip())
    assert "Pull Delta of channel default: done" in ran.err  # the progress, as `sync pull` prints it
    table = run_cli(capsys, *d, "jobs").out.splitlines()
    assert re.split(r"\s{2,}", table[2])[3].endswith("· Pull Delta (Run now) · run 2")
    assert re.split(r"\s{2,}", table[2])[5] == "2040-01-06 10:00 UTC"

    paused = run_cli(capsys, *d, "jobs", "pause", "default", "--job", "push")
    assert (paused.code, paused.out) == (0, "default push: paused\n")
    assert run_cli(capsys, *d, "jobs", "pause", "default", "--job", "push").out == "default push: was already paused\n"
    assert re.split(r"\s{2,}", run_cli(capsys, *d, "jobs").out.splitlines()[3])[-1].startswith("paused")
    clock.advance(hours=2)
    once = run_cli(capsys, *d, "run-scheduler", "--once").out.splitlines()
    assert once[0].startswith("default pull: ran Pull Delta — done") and once[1] == "default push: skipped — paused"
    assert run_cli(capsys, *d, "jobs", "resume", "default").out == "default pull: was already resumed\n" \
        "default push: resumed\n"
    assert run_cli(capsys, *d, "jobs", "pause", "--all").out == "All scheduled jobs paused.\n"
    assert run_cli(capsys, *d, "jobs").out.splitlines()[0] == "All jobs paused."
    assert run_cli(capsys, *d, "jobs", "resume", "--all").out == "All scheduled jobs resumed.\n"

    logs = run_cli(capsys, *d, "jobs", "logs", "default", "--job", "pull")
    assert logs.code == 0
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d info +pull: Pull delta of default done\.", logs.out, re.M), logs.out

    wrong = run_cli(capsys, *d, "jobs", "run", "nope")
    assert (wrong.code, wrong.lines) == (2, ["Unknown channel “nope”; see `unopim-desktop jobs` (or click Refresh "
                                             "channels)."])
    assert run_cli(capsys, *d, "jobs", "pause").code == 2


def test_the_scheduler_commands_need_a_connection(data_dir, capsys):
    for args in (["jobs"], ["run-scheduler", "--once"], ["run-scheduler"], ["jobs", "run", "default"]):
        ran = run_cli(capsys, "--data-dir", str(data_dir), *args)
        assert (ran.code, ran.lines) == (2, ["Connect to UnoPim first (`unopim-desktop connect`)."]), args
