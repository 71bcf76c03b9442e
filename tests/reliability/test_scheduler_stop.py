"""`unopim-desktop run-scheduler` stopped by SIGTERM in the middle of a scheduled run (a service manager
stopping it, a container shut down): the run stops at a batch boundary, its row says `cancelled` (never
left `running`), the runner exits 0 without starting another job, and the next run picks up every change."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from tests.support.app import make_app, unopim_api
from tests.support.cli import run_process
from unopim_desktop.app.application import App
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox

ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "PYTHONUNBUFFERED": "1"}
RENAMED = 6


def _runs(root: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(f"file:{root / 'unopim-desktop.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
        return list(db.execute("SELECT job, status, message FROM syncrun ORDER BY id"))


def test_sigterm_during_a_scheduled_run_stops_it_cleanly_and_the_next_run_resumes(tmp_path):
    keyring.set_keyring(fail.Keyring())  # the runner's process reads the secrets from the data folder's file
    sb = start_sandbox(SandboxOptions(products=20, seed=7, only=("unopim", "woocommerce")))
    root = tmp_path / "data"
    try:
        async def prepare() -> list[str]:
            app = App.open(root)
            try:
                await make_app(app, sb)
                assert (await app.engine.pull(full=True)).status == "done"
            finally:
                await app.aclose()
                app.close()
            return [p["sku"] for p in sb.catalogue.products if not p.get("parent")][:RENAMED]

        skus = asyncio.run(prepare())
        for sku in skus:  # what the next scheduled Pull Delta has to bring over
            unopim_api(sb, "PATCH", f"/products/{sku}", json={"values": {
                "channel_locale_specific": {"default": {"en_US": {"name": f"Renamed {sku}"}}}}})
        with sqlite3.connect(root / "unopim-desktop.sqlite3") as db:  # the Pull Full was two hours ago: pull is due
            db.execute("UPDATE syncrun SET started_at = datetime(started_at, '-2 hours')")
        for peer in ("unopim", "woocommerce"):  # every request takes a while: the run is long enough to stop
            sb.faults[peer].latency_ms = 250

        proc = subprocess.Popen([sys.executable, "-m", "unopim_desktop", "--data-dir", str(root), "run-scheduler"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and proc.poll() is None and \
                    not any(job == "pull_delta" and status == "running" for job, status, _m in _runs(root)):
                time.sleep(0.02)
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.5)  # into the run (its first requests), not at its very start
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert err.strip().splitlines()[-1] == ("Scheduler stopped; the run in progress stopped at a batch boundary and "
                                                "the next run resumes it.")
        assert "default pull: ran Pull Delta — cancelled" in out, out
        runs = _runs(root)
        assert [(job, status) for job, status, _m in runs] == [("pull_full", "done"), ("pull_delta", "cancelled")]
        assert runs[-1][2] == "Cancelled; the next run resumes where this one stopped."

        names = {p["sku"]: p["name"] for p in sb.woocommerce.products()}
        assert not all(names[sku] == f"Renamed {sku}" for sku in skus)  # it really stopped part way

        for peer in ("unopim", "woocommerce"):
            sb.faults[peer].latency_ms = 0
        resumed = run_process("--data-dir", str(root), "jobs", "run", "default", "--job", "pull", env=ENV)
        assert resumed.code == 0, resumed.err
        assert resumed.out.startswith("default pull: ran Pull Delta — done: "), resumed.out
        names = {p["sku"]: p["name"] for p in sb.woocommerce.products()}
        assert all(names[sku] == f"Renamed {sku}" for sku in skus)
        assert [status for _j, status, _m in _runs(root)] == ["done", "cancelled", "done"]
    finally:
        sb.stop()
