"""`unopim-desktop run-scheduler [--once]` and `unopim-desktop jobs …`: the scheduler without a window.

`run-scheduler` runs the window's scheduler (for a server, a login item or a container) until SIGINT or
SIGTERM; a run in progress stops at its batch boundary, checkpointed, and the next one resumes it.
`run-scheduler --once` runs what is due now and exits, for an OS timer (cron, a systemd timer, Task
Scheduler): due is worked out from the stored last run and the wall clock, as in the resident loop.
`jobs` prints the Scheduled jobs view; `jobs run|pause|resume` act on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable

from unopim_desktop.app.application import App
from unopim_desktop.app.desktop import TITLES, DesktopSettingsError, on_off
from unopim_desktop.app.jobs import JobStatus, schedule_summary, when
from unopim_desktop.app.scheduler import ScheduledRunFinished
from unopim_desktop.app.session import NotConnected
from unopim_desktop.commands.common import err, run_on_app
from unopim_desktop.commands.report import ProgressPrinter

EXIT_OK, EXIT_SOME_FAILED, EXIT_FATAL, EXIT_HELD = 0, 1, 2, 3
JOB_CHOICES = ("pull", "push")
COLUMNS = ("Channel", "Job", "Interval", "Last run", "Result", "Next run")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    runner = sub.add_parser("run-scheduler", parents=[common],
                            help="run the scheduled jobs without a window, until SIGINT/SIGTERM")
    runner.add_argument("--once", action="store_true",
                        help="run every job that is due now and exit (0: all ran or nothing was due; 1: some failed)")
    runner.set_defaults(handler=run_scheduler)

    jobs = sub.add_parser("jobs", parents=[common], help="the scheduled jobs: list, run now, pause, resume")
    jobs.set_defaults(handler=run_jobs_list)
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")
    jobs_sub.add_parser("list", parents=[common], help="print the scheduled jobs (the default)").set_defaults(
        handler=run_jobs_list)
    logs = jobs_sub.add_parser("logs", parents=[common], help="the Logs rows of a job's last run")
    logs.add_argument("channel", metavar="CHANNEL")
    logs.add_argument("--job", choices=JOB_CHOICES, default="pull", help="pull (the default) or push")
    logs.set_defaults(handler=run_jobs_logs)
    run = jobs_sub.add_parser("run", parents=[common], help="run a channel's job now (pull, then push)")
    run.add_argument("channel", metavar="CHANNEL")
    run.add_argument("--job", choices=JOB_CHOICES, help="only this job (default: pull, then push)")
    run.set_defaults(handler=run_jobs_run)
    for action, paused in (("pause", True), ("resume", False)):
        p = jobs_sub.add_parser(action, parents=[common], help=f"{action} a channel's scheduled jobs")
        p.add_argument("channel", metavar="CHANNEL", nargs="?")
        p.add_argument("--job", choices=JOB_CHOICES, help="only this job (default: both)")
        p.add_argument("--all", action="store_true", help=f"{action} every job at once")
        p.set_defaults(handler=lambda args, paused=paused: run_jobs_pause(args, paused=paused))


def _connected(body: Callable[[App], object]) -> Callable[[App], object]:
    async def guarded(app: App) -> int:
        if not await app.connection.address():
            err("Connect to UnoPim first (`unopim-desktop connect`).")
            return EXIT_FATAL
        try:
            return await body(app)  # type: ignore[misc]
        except (LookupError, NotConnected) as exc:
            err(str(exc).strip("'\""))
            return EXIT_FATAL

    return guarded


# -- jobs -----------------------------------------------------------------------------------------------------
def print_table(statuses: list[JobStatus], now) -> None:  # type: ignore[no-untyped-def]
    rows = [[s.channel, s.job, s.interval_text(), s.last_text(), s.result_text() or "-", s.next_text(now)]
            for s in statuses]
    widths = [max(len(str(x)) for x in col) for col in zip(COLUMNS, *rows, strict=False)]
    print("  ".join(h.ljust(w) for h, w in zip(COLUMNS, widths, strict=False)).rstrip())
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=False)).rstrip())


def run_jobs_list(args: argparse.Namespace) -> int:
    async def body(app: App) -> int:
        statuses = await app.scheduler.status()
        now = app.scheduler.clock.now()
        print(schedule_summary(statuses, now, paused_all=await app.scheduler.paused_all()))
        if statuses:
            print_table(statuses, now)
        return EXIT_OK

    return run_on_app(args, _connected(body))


def run_jobs_logs(args: argparse.Namespace) -> int:
    async def body(app: App) -> int:
        status = next((s for s in await app.scheduler.status() if s.key == (args.channel, args.job)), None)
        if status is None:
            err(f"Unknown channel “{args.channel}”; see `unopim-desktop jobs`.")
            return EXIT_FATAL
        run_id = status.run_link()
        if run_id is None:
            print(f"{args.channel} {args.job}: no run yet.")
            return EXIT_OK
        print(f"{args.channel} {args.job}: {status.last_text()}, {status.result_text()}")
        for row in reversed(await app.activity.run_logs(run_id)):
            entity = f" {row['entity_kind']} {row['entity']}".rstrip()
            print(f"{row['created_at']} {row['level']:<7} {row['category']}{entity}: {row['message']}")
        return EXIT_OK

    return run_on_app(args, _connected(body))


def run_jobs_run(args: argparse.Namespace) -> int:
    async def body(app: App) -> int:
        app.bus.subscribe(ProgressPrinter(sys.stderr))
        results = [await app.scheduler.run_now(args.channel, job) for job in ([args.job] if args.job else JOB_CHOICES)]
        for r in results:
            print(r.line())
        ran = [r for r in results if r.action == "ran"]
        if not ran:
            return EXIT_FATAL
        codes = [_exit_for(r.status) for r in ran]
        return EXIT_FATAL if EXIT_FATAL in codes else max(codes)

    return run_on_app(args, _connected(body))


def _exit_for(status: str) -> int:
    """As `sync pull|push`: 0 done, 1 some items failed, 2 failed/refused/cancelled, 3 held."""
    return {"done": EXIT_OK, "partial": EXIT_SOME_FAILED, "held": EXIT_HELD}.get(status, EXIT_FATAL)


def run_jobs_pause(args: argparse.Namespace, *, paused: bool) -> int:
    verb = "pause" if paused else "resume"
    if args.all == bool(args.channel):
        err(f"Name a channel, or --all: `unopim-desktop jobs {verb} CHANNEL [--job pull|push]` or "
            f"`unopim-desktop jobs {verb} --all`.")
        return EXIT_FATAL

    async def body(app: App) -> int:
        if args.all:
            done = await app.scheduler.pause_all(paused)
            print(("All scheduled jobs " + ("paused." if paused else "resumed.")) if done else
                  f"All scheduled jobs were already {'paused' if paused else 'running'}.")
            return EXIT_OK
        jobs = (args.job,) if args.job else JOB_CHOICES
        done = await app.scheduler.pause(args.channel, args.job, paused=paused)
        for job in jobs:
            state = ("paused" if paused else "resumed") if job in done else f"was already {verb}d"
            print(f"{args.channel} {job}: {state}")
        return EXIT_OK

    return run_on_app(args, _connected(body))


# -- run-scheduler --------------------------------------------------------------------------------------------
def run_scheduler(args: argparse.Namespace) -> int:
    async def once(app: App) -> int:
        results = await app.scheduler.run_due(report=True)
        if not results:
            err("Nothing is scheduled: no channels yet (`unopim-desktop channels refresh`).")
        for r in results:
            print(r.line(), flush=True)
        return EXIT_SOME_FAILED if any(r.failed for r in results) else EXIT_OK

    async def resident(app: App) -> int:
        scheduler = app.scheduler
        stop = asyncio.Event()
        signals = 0
        task: asyncio.Task[None] | None = None

        def on_signal() -> None:
            nonlocal signals
            signals += 1
            stop.set()
            scheduler.request_stop()  # the run in progress stops at its next batch boundary, checkpointed
            if signals > 1 and task is not None:
                task.cancel()  # asked twice: stop now (the run's row still ends, `cancelled`)

        def on_result(event: object) -> None:
            if isinstance(event, ScheduledRunFinished):
                print(f"[{when(scheduler.clock.now())}] {event.result.line()}", flush=True)

        _install(on_signal)
        app.bus.subscribe(on_result)
        await app.engine.recover_interrupted()
        statuses = await scheduler.status()
        err(f"Scheduler running on {app.paths.root}: {schedule_summary(statuses, scheduler.clock.now(), paused_all=await scheduler.paused_all())} "
            "Stop it with Ctrl-C or SIGTERM.")
        task = scheduler.start()
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        was_running = scheduler.current is not None
        await scheduler.stop()
        err("Scheduler stopped" + ("; the run in progress stopped at a batch boundary and the next run resumes it."
                                   if was_running else "."))
        return EXIT_OK

    return run_on_app(args, _connected(once if args.once else resident))


def _install(handler: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, getattr(signal, "SIGTERM", None)):
        if sig is None:
            continue
        try:
            loop.add_signal_handler(sig, handler)
        except (NotImplementedError, RuntimeError):  # Windows: no loop signal handlers
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, lambda *_a: loop.call_soon_threadsafe(handler))


# -- settings (the desktop side) -------------------------------------------------------------------------------
def add_desktop_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--close-to-tray", choices=("on", "off"),
                        help="closing the window keeps the scheduler running in the tray (default: on where a "
                             "tray exists)")
    parser.add_argument("--start-at-login", choices=("on", "off"),
                        help="start the app hidden in the tray at login (writes or removes the autostart entry)")
    parser.add_argument("--notify-manual", choices=("on", "off"),
                        help="notify when a long manual run finishes while the window is hidden")


def desktop_changes(args: argparse.Namespace) -> dict[str, str]:
    return {key: "1" if value == "on" else "0" for key in TITLES
            if (value := getattr(args, key, None)) is not None}


async def save_desktop(app: App, changes: dict[str, str]) -> int:
    """Save the desktop settings given on the command line; say what was done (stderr on failure)."""
    try:
        _values, text = await app.desktop.save(changes)
    except DesktopSettingsError as exc:
        err(str(exc))
        return EXIT_FATAL
    print(text)
    return EXIT_OK


async def print_desktop(app: App) -> None:
    values = await app.desktop.load()
    print(f"Close to tray:    {on_off(values['close_to_tray'])}" +
          (" (on where a system tray exists)" if values["close_to_tray"] == "" else ""))
    print(f"Start at login:   {on_off(values['start_at_login'])}" +
          (f" ({app.desktop.autostart.location()})" if values["start_at_login"] == "1" else ""))
    print(f"Notify manual:    {on_off(values['notify_manual'])}")

