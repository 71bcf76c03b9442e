"""`--demo`: local sandbox peers, a throwaway data folder, and an app made ready to pull.

`prepare_demo` does what a merchant would do on first start (Test & Save, add a store, Refresh channels,
aim channel `default` at the store, auto-map the core fields) through the same services the tabs use, so
the demo shows the real app, one click (Pull Full) away from a filled store.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)

DEMO_PRODUCTS = 50
DEMO_STORE = "Demo WooCommerce"
DEMO_CHANNEL = "default"
DEMO_READY = "Demo ready: click Pull Full"
DEMO_DIR_PREFIX = "unopim-demo-"
OWNER_FILE = "demo.pid"  # the process that uses a demo folder; a folder whose process is gone is left over


class DemoSetupError(RuntimeError):
    """A preparation step failed; the message says which, in the merchant's words."""


@dataclass
class DemoSession:
    data_dir: Path
    sandbox: Sandbox

    @classmethod
    def start(cls, *, products: int = DEMO_PRODUCTS) -> DemoSession:
        remove_stale_demo_folders()
        data_dir = Path(tempfile.mkdtemp(prefix=DEMO_DIR_PREFIX))
        try:
            (data_dir / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
            sandbox = start_sandbox(SandboxOptions(products=products))
        except BaseException:
            shutil.rmtree(data_dir, ignore_errors=True)
            raise
        return cls(data_dir=data_dir, sandbox=sandbox)

    @property
    def note(self) -> str:
        return "Demo mode: local sandbox servers, nothing leaves this computer"

    def unopim_form(self) -> dict[str, str]:
        return unopim_form(self.sandbox)

    def stop(self) -> None:
        try:
            self.sandbox.stop()
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def remove_stale_demo_folders(parent: Path | None = None) -> list[Path]:
    """Remove the throwaway folders of earlier demos whose process is gone: a process that was killed, or
    that Qt aborted, had no chance to clean up. POSIX only (a live process is asked with signal 0); a
    folder without an owner file, or whose owner still runs, is left alone."""
    if os.name != "posix":
        return []
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{DEMO_DIR_PREFIX}*"):
        try:
            pid = int((folder / OWNER_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        if pid == os.getpid() or _process_exists(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        log.info("removed %d folder(s) left by earlier demos", len(removed))
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def unopim_form(sandbox: Sandbox) -> dict[str, str]:
    c = sandbox.credentials()["unopim"]
    return {
        "address": c["url"],
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "username": c["username"],
        "password": c["password"],
    }


async def prepare_demo(app: App, sandbox: Sandbox) -> None:
    """Connect `app` to the sandbox UnoPim, add its WooCommerce store as “Demo WooCommerce”, refresh the
    channels, aim channel `default` at the store and save the auto-mapped core fields.

    Safe to run again on the same data folder (an existing demo store is kept). Raises `DemoSetupError`.
    """
    from unopim_desktop.app.connection import ConnectionForm
    from unopim_desktop.app.stores import StoreForm

    outcome = await app.connection.test_and_save(ConnectionForm(**unopim_form(sandbox)))
    if not outcome.ok:
        raise DemoSetupError(f"Signing in to the sandbox UnoPim failed: {outcome.text}")

    if DEMO_STORE not in {s.label for s in await app.stores.list()}:
        woo = sandbox.credentials()["woocommerce"]
        added = await app.stores.save(StoreForm(kind="woocommerce", label=DEMO_STORE, url=woo["url"],
                                                key=woo["consumer_key"], secret=woo["consumer_secret"]))
        if not added.ok:
            raise DemoSetupError(f"Adding the sandbox WooCommerce store failed: {added.text}")

    await app.channels.refresh()
    rows = await app.channels.channels()
    target = next((r for r in rows if r.code == DEMO_CHANNEL), None)
    if target is None:
        raise DemoSetupError(f"The sandbox UnoPim has no channel “{DEMO_CHANNEL}”.")
    target.store_label = DEMO_STORE
    target.pull_enabled = True
    await app.channels.save(rows)

    core = await app.mapping.automap_core()
    problems = app.mapping.check_core(core)
    if problems:
        raise DemoSetupError("Auto-mapping the core fields left problems: "
                             + "; ".join(f"{p.row}: {p.message}" for p in problems))
    await app.mapping.save_core(core)
    log.info("demo prepared: %s → %s, %d core field(s) mapped", DEMO_CHANNEL, DEMO_STORE,
             sum(1 for code in core.rows.values() if code))
