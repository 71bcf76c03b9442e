"""A Pull Full and a Push All run by the CLI, SIGKILLed at three points (past the first page, during the
pictures, during the associations) and started again each time, end in the fault-free run's state. After
every kill the database passes `PRAGMA integrity_check`, and when the last run ends no run row is left
"running" (each resuming run marks the one it found interrupted).

Both directions are killed on both store kinds; the catalogue has `RELIABILITY_PRODUCTS` products (200
by default, see the README).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.reliability.catalogue_states import bc_state, unopim_state, woo_state
from tests.reliability.test_fault_runs import PRODUCTS, SEED, _differences, unique_names
from tests.support.app import make_app
from unopim_desktop.app.application import App
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

DB = "unopim-desktop.sqlite3"
# A little latency per API call, so each kill point lasts long enough to be seen from outside.
LATENCY_MS = 4


def options(direction: str) -> SandboxOptions:
    return SandboxOptions(products=PRODUCTS, seed=SEED, bigcommerce_rate_limit=1_000_000, latency_ms=LATENCY_MS,
                          seed_side="unopim" if direction == "pull" else "store")


def _read(data: Path, sql: str) -> list[tuple]:
    path = data / DB
    if not path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute(sql).fetchall()
    except sqlite3.Error:
        return []


def checkpoint(data: Path) -> tuple[str, int]:
    """The step the run last committed in, and the page of the products listing it reached."""
    rows = _read(data, "SELECT step, cursor FROM checkpoint")
    if not rows:
        return "", 0
    step, cursor = rows[0]
    try:
        page = int((json.loads(cursor or "null") or {}).get("page") or 0)
    except (ValueError, AttributeError):
        page = 0
    return step or "", page


def links(data: Path, kind: str) -> int:
    return (_read(data, f"SELECT COUNT(*) FROM link WHERE kind = '{kind}'") or [(0,)])[0][0]  # noqa: S608


def count(data: Path, sql: str) -> int:
    return (_read(data, sql) or [(0,)])[0][0]


def link_counts(data: Path) -> dict[str, int]:
    """Links by kind, and the product and variant links whose pictures were transferred."""
    out = dict(_read(data, "SELECT kind, COUNT(*) FROM link GROUP BY kind"))
    out["pictures"] = count(data, "SELECT COUNT(*) FROM link WHERE kind IN ('product', 'variant') AND image_hash != ''")
    return out


# Where each run is killed: (what the point is, whether the run has reached it given the final link counts
# of the uninterrupted run). The links are what the run commits as it goes, so they say where it is.
Point = tuple[str, Callable[[Path, dict[str, int]], bool]]
PULL_POINTS: list[Point] = [
    ("past the first page", lambda d, full: checkpoint(d)[0] == "products" and checkpoint(d)[1] >= 1),
    # Every variant linked: the associations step is next or under way. (Not "an association linked": the
    # pull commits the associations 1,000 products at a time, so a small catalogue's arrive in one commit,
    # late enough that the run could end before the kill, and be marked done instead of interrupted.)
    ("during the associations", lambda d, full: links(d, "variant") >= full.get("variant", 0)),
    # Half the pictures transferred, some still missing (they are sent beside the products and variants, and
    # the images step waits for the rest).
    ("during the pictures", lambda d, full: full["pictures"] // 2 <= link_counts(d)["pictures"] < full["pictures"]),
]
# BigCommerce takes a new product's pictures in the call that creates it: they arrive with the products, before
# the associations, so the kills come in that order.
BIGCOMMERCE_PULL_POINTS: list[Point] = [PULL_POINTS[0], PULL_POINTS[2], PULL_POINTS[1]]
PUSH_POINTS: list[Point] = [
    ("past the first page", lambda d, full: links(d, "product") > 100),
    # A first push writes a product's associations with it, and those naming products not in UnoPim yet
    # in a pass at the end of the products step: killed as the last products are linked.
    ("during the associations", lambda d, full: links(d, "product") >= full.get("product", 0) * 0.95),
    ("during the pictures", lambda d, full: links(d, "images") > 0),
]


def cli(data: Path, direction: str) -> list[str]:
    job = ["sync", "pull", "--full"] if direction == "pull" else ["sync", "push", "--all"]
    return [sys.executable, "-m", "unopim_desktop", "--data-dir", str(data), *job]


def env() -> dict[str, str]:
    # The child cannot see this process's in-memory keyring: both use the encrypted file in the data folder.
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


async def prepare(sb: Sandbox, data: Path, store: str, direction: str) -> None:
    ctx = App.open(data)
    try:
        app = await make_app(ctx, sb, store=store, cooldown_s=0)
        if direction == "push":
            core = await app.mapping.core()
            core.default_family = "default"
            await app.mapping.save_core(core)
        await app.close()
    finally:
        ctx.close()


def state_of(sb: Sandbox, store: str, direction: str) -> dict:
    if direction == "push":
        return unopim_state(sb)
    return woo_state(sb) if store == "woocommerce" else bc_state(sb)


def reference(tmp_path: Path, store: str, direction: str) -> tuple[dict, dict[str, int]]:
    sb = start_sandbox(options(direction))
    unique_names(sb)
    try:
        data = tmp_path / "reference"
        asyncio.run(prepare(sb, data, store, direction))
        done = subprocess.run(cli(data, direction), capture_output=True, text=True, env=env(), timeout=300)
        assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: some items failed (both runs alike)
        return state_of(sb, store, direction), link_counts(data)
    finally:
        sb.stop()


@pytest.mark.timeout(max(180, PRODUCTS * 0.6))  # as the fault runs: the default suits 200 products
@pytest.mark.parametrize(("store", "direction", "points"),
                         [("woocommerce", "pull", PULL_POINTS), ("bigcommerce", "pull", BIGCOMMERCE_PULL_POINTS),
                          ("woocommerce", "push", PUSH_POINTS), ("bigcommerce", "push", PUSH_POINTS)],
                         ids=["woocommerce-pull", "bigcommerce-pull", "woocommerce-push", "bigcommerce-push"])
def test_a_run_killed_three_times_ends_like_an_uninterrupted_one(tmp_path, store, direction, points):
    keyring.set_keyring(fail.Keyring())
    expected, full = reference(tmp_path, store, direction)
    sb = start_sandbox(options(direction))
    unique_names(sb)
    data = tmp_path / "app"
    try:
        asyncio.run(prepare(sb, data, store, direction))
        for name, reached in points:
            log = tmp_path / f"killed-{name.replace(' ', '-')}.log"
            with log.open("w") as err:
                proc = subprocess.Popen(cli(data, direction), stdout=subprocess.DEVNULL, stderr=err, env=env())
                runs_before = count(data, "SELECT COUNT(*) FROM syncrun")

                def there(runs_before: int = runs_before, reached: Callable = reached) -> bool:
                    # This run has its run row (it started) and has reached the point.
                    return count(data, "SELECT COUNT(*) FROM syncrun") > runs_before and reached(data, full)

                deadline = time.monotonic() + 120
                while proc.poll() is None and not there() and time.monotonic() < deadline:
                    time.sleep(0.005)
                assert proc.poll() is None, f"the run ended before it was {name}: {log.read_text()[-1500:]}"
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
            assert _read(data, "PRAGMA integrity_check") == [("ok",)], name
        done = subprocess.run(cli(data, direction), capture_output=True, text=True, env=env(), timeout=300)
        assert done.returncode in (0, 1), done.stderr[-2000:]
        got = state_of(sb, store, direction)
        assert got == expected, _differences(got, expected)
        runs = [status for (status,) in _read(data, "SELECT status FROM syncrun ORDER BY id")]
        assert "running" not in runs and runs.count("interrupted") == len(points), runs
    finally:
        sb.stop()
