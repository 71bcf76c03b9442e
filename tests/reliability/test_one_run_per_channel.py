"""The window (the engine in this process, driven as the Sync tab and the scheduler drive it) and several
`unopim-desktop sync` processes on one data folder, started together, round after round: a channel never has
two runs at once (their run rows never overlap), every other start is refused with a sentence naming the
run that holds the channel, and the database stays whole (`PRAGMA integrity_check`), with no run left
"running" and no product duplicated in the store."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import sqlite3
import sys
from pathlib import Path

import keyring
from keyring.backends import fail

from tests.support.app import connected_app
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox

ROUNDS = int(os.environ.get("RACE_ROUNDS", "12"))
COMMANDS = [["sync", "pull", "--delta"], ["sync", "pull", "--full"], ["sync", "push", "--changed"]]
REFUSED = re.compile(r"^default: A (pull|push|sync) of channel default is already running "
                     r"(\(process \d+, started \d\d:\d\d\)|in another window or command)\. "
                     r"Wait for it to finish, or stop it there\.$")
ENV = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "PYTHONUNBUFFERED": "1"}


async def _cli(data: Path, args: list[str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "unopim_desktop", "--data-dir", str(data),
                                                *args, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.PIPE, env=ENV)
    _, err = await proc.communicate()
    return proc.returncode or 0, err.decode()


def _runs(data: Path) -> list[tuple[str, str, str, str]]:
    conn = sqlite3.connect(data / "unopim-desktop.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT channel, status, started_at, finished_at FROM syncrun ORDER BY started_at").fetchall()
    finally:
        conn.close()


async def _until_running(data: Path, limit_s: float = 10.0) -> None:
    """Until another process's run row says "running" (read as the Logs tab would, not through the app)."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while asyncio.get_running_loop().time() < deadline:
        try:
            conn = sqlite3.connect(f"file:{data / 'unopim-desktop.sqlite3'}?mode=ro", uri=True, timeout=1)
            try:
                if conn.execute("SELECT COUNT(*) FROM syncrun WHERE status = 'running'").fetchone()[0]:
                    return
            finally:
                conn.close()
        except sqlite3.Error:
            pass
        await asyncio.sleep(0.005)


def test_one_run_per_channel_across_the_window_and_commands(tmp_path):
    keyring.set_keyring(fail.Keyring())  # the child processes read the same encrypted file
    sb = start_sandbox(SandboxOptions(products=12, seed=5, latency_ms=5))
    data = tmp_path / "data"
    refusals: list[str] = []
    mine_refused: list[int] = []  # rounds where the window's run found a command's run on the channel
    scheduler_rounds: list[int] = []
    try:
        async def go() -> None:
            async with connected_app(data, sb) as app:
                assert (await app.engine.pull(full=True)).status == "done"
                for n in range(ROUNDS):
                    others = [_cli(data, COMMANDS[(n + k) % len(COMMANDS)]) for k in range(2)]
                    tasks = [asyncio.ensure_future(o) for o in others]
                    if n % 4 == 1:
                        # Once a command's run holds the channel: the window must meet it at least this often
                        # (on an idle machine a command's whole run can end inside the fixed waits below).
                        await _until_running(data)
                    else:
                        await asyncio.sleep(0.2 + 0.35 * (n % 5))  # land inside the children's runs, at varied points
                    if n % 3 == 2:  # the window's scheduler, its Run now (a scheduled tick takes the same path)
                        job = await app.app.scheduler.run_now("default", "pull")
                        if job.action == "skipped":
                            assert REFUSED.match(f"default: {job.message} Wait for it to finish, or stop it there."), \
                                job.message
                            refusals.append(job.message)
                            mine_refused.append(n)
                        else:
                            assert (job.action, job.status) == ("ran", "done"), job
                        scheduler_rounds.append(n)
                        mine = None
                    else:
                        mine = await app.engine.pull(full=n % 2 == 0)
                    results = await asyncio.gather(*tasks)
                    for code, err in [*results]:
                        last = err.strip().splitlines()[-1] if err.strip() else ""
                        if REFUSED.match(last):
                            refusals.append(last)
                            assert code != 0
                        else:
                            assert code == 0, err[-1500:]
                    if mine is None:
                        pass
                    elif mine.channels[0].status == "refused":
                        refusals.append(mine.channels[0].message)
                        mine_refused.append(n)
                    else:
                        assert mine.status == "done", mine.channels[0].message

        asyncio.run(go())
        runs = _runs(data)
        skus = [p["sku"] for p in sb.woocommerce.products()]
    finally:
        sb.stop()
    assert refusals and mine_refused and scheduler_rounds, "the race was not exercised both ways"
    assert len(skus) == len(set(skus))
    assert all(status != "running" for _, status, _, _ in runs)
    by_channel: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for channel, _status, started, finished in runs:
        by_channel.setdefault(channel, []).append((dt.datetime.fromisoformat(started),
                                                   dt.datetime.fromisoformat(finished)))
    for channel, spans in by_channel.items():
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end, f"two runs of {channel} overlapped: one ended {end}, the next started {start}"
    assert len(runs) + len(refusals) == 1 + ROUNDS * 3
