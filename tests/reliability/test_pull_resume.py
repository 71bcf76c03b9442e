"""A Pull Full killed half way (or cancelled) resumes from its checkpoint and ends in the same store
state as an uninterrupted run: nothing lost, nothing duplicated."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import keyring
import pytest
from keyring.backends import fail

from tests.support.app import make_app, store_state
from unopim_desktop.app.application import App
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.sync.events import StepProgress

OPTS = dict(products=40, seed=11, latency_ms=15)
# The killed run: several UnoPim pages (100 products each), so the kill lands past the first page.
KILL_OPTS = dict(products=250, seed=11, latency_ms=20)


def _reference_state(tmp_path, opts: dict = OPTS, kind: str = "woocommerce") -> dict:
    sb = start_sandbox(SandboxOptions(**opts))
    try:
        async def go():
            ctx = App.open(tmp_path / "reference")
            app = await make_app(ctx, sb, store=kind)
            outcome = await app.engine.pull(full=True)
            assert outcome.status == "done", outcome.channels[0].message
            await app.close()
            ctx.close()

        asyncio.run(go())
        return store_state(sb, kind)
    finally:
        sb.stop()


def test_killed_pull_resumes_to_the_same_state(tmp_path):
    expected = _reference_state(tmp_path, KILL_OPTS)
    # The pull runs in a child process, which cannot see this process's in-memory keyring: both use the
    # encrypted-file fallback in the data folder instead.
    keyring.set_keyring(fail.Keyring())
    sb = start_sandbox(SandboxOptions(**KILL_OPTS))
    data = tmp_path / "app"
    try:
        async def prepare():
            ctx = App.open(data, in_flight=1)
            app = await make_app(ctx, sb)
            await app.close()
            ctx.close()

        asyncio.run(prepare())
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        log = (tmp_path / "first-run.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "unopim_desktop", "--data-dir", str(data), "sync", "pull",
                                 "--full"], stderr=log, stdout=subprocess.DEVNULL, text=True, env=env)
        # Kill it hard as soon as the first page of products is committed (its checkpoint says so): the
        # next pages, the associations and many images are not done yet.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and _checkpoint_page(data) < 1 and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()
        partial = store_state(sb)
        assert partial and partial != expected, \
            "the kill should land past the first page: " + (tmp_path / "first-run.log").read_text()[-1500:]

        code = subprocess.run([sys.executable, "-m", "unopim_desktop", "--data-dir", str(data), "sync", "pull",
                               "--full", "--json"], capture_output=True, text=True, env=env, timeout=120)
        assert code.returncode == 0, code.stderr[-2000:]
        assert store_state(sb) == expected  # fields, variations, images and associations
        assert any(p["upsells"] or p["cross_sells"] for p in expected.values())
        # The killed run is not "running" for ever: the resuming run marked it interrupted.
        runs = _runs(data)
        assert [r["status"] for r in runs] == ["done", "interrupted"], runs
        skus = [p["sku"] for p in sb.woocommerce.products()]
        assert len(skus) == len(set(skus))
    finally:
        sb.stop()


@pytest.mark.parametrize("kind", ["woocommerce", "bigcommerce"])
async def test_cancelled_pull_resumes_to_the_same_state(tmp_path, kind):
    expected = await asyncio.to_thread(_reference_state, tmp_path, OPTS, kind)
    sb = start_sandbox(SandboxOptions(**OPTS))
    ctx = App.open(tmp_path / "app", in_flight=1)
    try:
        app = await make_app(ctx, sb, store=kind)
        app.engine.page_size = 10  # several pages, so the cancel lands between two of them

        def cancel_mid_way(event):
            if isinstance(event, StepProgress) and event.step == "variants" and event.done >= 10:
                app.engine.cancel()

        unsubscribe = app.bus.subscribe(cancel_mid_way)
        first = await app.engine.pull(full=True)
        unsubscribe()
        assert first.status == "cancelled"
        assert store_state(sb, kind) != expected  # it really stopped part way (variations missing)
        second = await app.engine.pull(full=True)
        assert second.status == "done", second.channels[0].message
        assert any("Resuming an interrupted pull full" in row.message for row in app.logs)
        assert store_state(sb, kind) == expected
        await app.close()
    finally:
        ctx.close()
        sb.stop()


async def test_unopim_down_stops_the_run_with_a_clear_reason_and_keeps_the_store(tmp_path):
    sb = start_sandbox(SandboxOptions(products=6, seed=2))
    ctx = App.open(tmp_path / "app")
    try:
        app = await make_app(ctx, sb)
        assert (await app.engine.pull(full=True)).status == "done"
        before = store_state(sb)
        next(s for s in sb._servers if s.name == "unopim").stop()  # UnoPim goes away; the store stays up
        await app.session.reset()
        outcome = await app.engine.pull(full=True)
        assert outcome.status == "failed"
        assert "connection was refused" in outcome.channels[0].message.lower()
        assert store_state(sb) == before
        await app.close()
    finally:
        ctx.close()
        sb.stop()


def _runs(data_dir) -> list[dict]:
    import sqlite3

    with sqlite3.connect(data_dir / "unopim-desktop.sqlite3") as db:
        return [{"status": status, "message": message}
                for status, message in db.execute("SELECT status, message FROM syncrun ORDER BY id DESC")]


def _checkpoint_page(data_dir) -> int:
    """The last products page a pull committed in this data folder (0: none yet)."""
    import json
    import sqlite3

    path = data_dir / "unopim-desktop.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            rows = db.execute("SELECT cursor FROM checkpoint WHERE step = 'products'").fetchall()
    except sqlite3.Error:
        return 0
    pages = [(json.loads(c) or {}).get("page", 0) for (c,) in rows if c]
    return max(pages, default=0)
