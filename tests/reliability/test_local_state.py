"""Local state that fails under a running command: a data folder made read-only after the app was set up,
a database that runs out of room in the middle of a pull (SQLite's own size limit, `max_page_count`, stands
in for a full disk in this process), a secrets file that cannot be written (ENOSPC injected at the write).
Each case: the exact sentence and fix, exit code 2, no traceback, and nothing lost."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.support.cli import run_cli, snapshot, unwritable
from unopim_desktop import secrets as secrets_module
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import db as db_module

DB = "unopim-desktop.sqlite3"
PRODUCTS = 30


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=PRODUCTS, seed=3, only=("unopim", "woocommerce")))
    yield sb
    sb.stop()


def _connected(sb: Sandbox, root: Path, capsys) -> Path:
    keyring.set_keyring(fail.Keyring())  # the encrypted file in the data folder: its writes can fail
    u, w = sb.credentials()["unopim"], sb.credentials()["woocommerce"]
    steps = [["connect", "--url", u["url"], "--client-id", u["client_id"], "--username", u["username"],
              "--client-secret", u["client_secret"], "--password", u["password"]],
             ["store", "add", "woocommerce", "--label", "Shop", "--url", w["url"], "--consumer-key",
              w["consumer_key"], "--consumer-secret", w["consumer_secret"]],
             ["channels", "refresh"], ["channels", "set", "default", "--store", "Shop"], ["mapping", "auto"]]
    for step in steps:
        ran = run_cli(capsys, "--data-dir", str(root), *step)
        assert ran.code == 0, ran.err
    return root


@pytest.fixture
def connected(sandbox, tmp_path, capsys) -> Path:
    return _connected(sandbox, tmp_path / "data", capsys)


def _query(root: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(root / DB)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("command", [["status"], ["store", "list"], ["sync", "pull", "--full"],
                                     ["settings", "--on-delete", "skip"]],
                         ids=["status", "store-list", "sync-pull", "settings"])
def test_a_data_folder_made_read_only_after_setup(connected, capsys, command):
    before = snapshot(connected)
    with unwritable(connected) as root:
        ran = run_cli(capsys, "--data-dir", str(root), *command)
    assert (ran.code, ran.lines) == (2, [
        f"UnoPim Desktop cannot write to its data folder {connected} (permission denied).",
        "Give your user account write access to that folder, or choose another folder with --data-dir."])
    assert "Traceback" not in ran.err + ran.out
    assert snapshot(connected) == before


def test_a_database_that_runs_out_of_room_mid_pull(sandbox, connected, capsys, monkeypatch):
    pages = _query(connected, "PRAGMA page_count")[0][0]
    links_before = _query(connected, "SELECT * FROM link")
    # A few pages of room: the pull fills them with its first products' links and Logs rows.
    monkeypatch.setitem(db_module.PRAGMAS, "max_page_count", pages + 3)
    ran = run_cli(capsys, "--data-dir", str(connected), "sync", "pull", "--full")
    assert ran.code == 2
    assert ran.lines[-2:] == [f"There is no room to write to the database {connected / DB}: the disk is full.",
                              "Free some space on that disk, or choose another folder with --data-dir, then try "
                              "again."]  # after the progress lines
    assert "Traceback" not in ran.err + ran.out
    assert _query(connected, "PRAGMA integrity_check") == [("ok",)]
    assert set(_query(connected, "SELECT * FROM link")) >= set(links_before)  # nothing lost
    assert ("running",) not in _query(connected, "SELECT status FROM syncrun")

    monkeypatch.delitem(db_module.PRAGMAS, "max_page_count")  # room again: the next run completes the store
    again = run_cli(capsys, "--data-dir", str(connected), "sync", "pull", "--full")
    assert again.code == 0, again.err
    skus = [p["sku"] for p in sandbox.woocommerce.products()]
    assert len(skus) == len(set(skus)) == len({p["sku"] for p in sandbox.catalogue.products if not p.get("parent")}
                                              | {p["sku"] for p in sandbox.catalogue.configurable_products})


def _no_room(self, entries):  # noqa: ANN001, ANN202 (the method it replaces)
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("command", ["store-add", "connect"])
def test_a_secrets_file_that_cannot_be_written(sandbox, connected, capsys, monkeypatch, command):
    before = snapshot(connected)
    rows_before = _query(connected, "SELECT label, url FROM store")
    monkeypatch.setattr(secrets_module._EncryptedFile, "_save", _no_room)
    u, w = sandbox.credentials()["unopim"], sandbox.credentials()["woocommerce"]
    args = (["store", "add", "woocommerce", "--label", "Second", "--url", w["url"].replace("127.0.0.1", "localhost"), "--consumer-key",
             w["consumer_key"], "--consumer-secret", w["consumer_secret"]] if command == "store-add" else
            ["connect", "--url", u["url"], "--client-id", u["client_id"], "--username", u["username"],
             "--client-secret", u["client_secret"], "--password", u["password"]])
    ran = run_cli(capsys, "--data-dir", str(connected), *args)
    assert (ran.code, ran.lines) == (2, [
        f"There is no room to write to the data folder {connected}: the disk is full, or a size limit or quota "
        "was reached.",
        "Free some space on that disk, or choose another folder with --data-dir, then try again."])
    assert "Traceback" not in ran.err + ran.out
    assert _query(connected, "SELECT label, url FROM store") == rows_before
    after = snapshot(connected)
    assert after["secrets.enc"] == before["secrets.enc"] and after["secrets.key"] == before["secrets.key"]
    monkeypatch.undo()
    assert run_cli(capsys, "--data-dir", str(connected), "status", "--check").code == 0  # the old ones still work
