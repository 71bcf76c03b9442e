"""The saved secrets when their key is lost or damaged, and a database shared by several processes.

Where no keychain exists the secrets live in an encrypted file beside its key; a lost or damaged key must
be said plainly (which secrets to enter again, and how), and `connect` must repair it. SQLite must wait
for another process's write instead of failing, and two first starts on one new folder must not both
migrate.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.support.cli import run_cli, run_process, snapshot
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import db as db_module

FAIL_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=2, seed=3, only=("unopim", "woocommerce")))
    yield sb
    sb.stop()


def connect_args(sb: Sandbox, root: Path, *, secrets: bool = True) -> list[str]:
    u = sb.credentials()["unopim"]
    args = ["--data-dir", str(root), "connect", "--url", u["url"], "--client-id", u["client_id"], "--username",
            u["username"]]
    return args + (["--client-secret", u["client_secret"], "--password", u["password"]] if secrets else [])


def secrets_of(sb: Sandbox) -> list[str]:
    c = sb.credentials()
    return [c["unopim"]["client_secret"], c["unopim"]["password"], c["woocommerce"]["consumer_secret"]]


@pytest.fixture
def saved(sandbox, tmp_path, capsys) -> Path:
    """A data folder connected to the sandbox UnoPim, with the store “Shop”, its secrets in the encrypted file."""
    keyring.set_keyring(fail.Keyring())
    root = tmp_path / "data"
    assert run_cli(capsys, *connect_args(sandbox, root)).code == 0
    w = sandbox.credentials()["woocommerce"]
    added = run_cli(capsys, "--data-dir", str(root), "store", "add", "woocommerce", "--label", "Shop", "--url", w["url"],
                    "--consumer-key", w["consumer_key"], "--consumer-secret", w["consumer_secret"])
    assert added.code == 0, added.err
    assert run_cli(capsys, "--data-dir", str(root), "channels", "refresh").code == 0
    assert run_cli(capsys, "--data-dir", str(root), "channels", "set", "default", "--store", "Shop").code == 0
    assert (root / "secrets.enc").exists() and (root / "secrets.key").exists()
    return root


DAMAGES = [
    # (id, what happens to the files, how the first line ends)
    ("key-lost", lambda r: (r / "secrets.key").unlink(), lambda r: f"its key file {r / 'secrets.key'} is missing."),
    ("key-damaged", lambda r: (r / "secrets.key").write_bytes(b"not a key"),
     lambda r: f"its key file {r / 'secrets.key'} is damaged."),
    ("file-damaged", lambda r: (r / "secrets.enc").write_bytes(b"gAAAAA-garbage"),
     lambda r: f"it does not decrypt with the key file {r / 'secrets.key'} (one of them is damaged or was replaced)."),
]


@pytest.mark.parametrize(("damage", "why"), [d[1:] for d in DAMAGES], ids=[d[0] for d in DAMAGES])
@pytest.mark.parametrize("command", [["status", "--check"], ["sync", "pull", "--full"], ["channels", "refresh"]],
                         ids=["status-check", "sync-pull", "channels-refresh"])
def test_lost_or_damaged_secrets_say_which_to_enter_again(sandbox, saved, capsys, damage, why, command):
    damage(saved)
    before = snapshot(saved)
    ran = run_cli(capsys, "--data-dir", str(saved), *command)
    u = sandbox.credentials()["unopim"]
    assert ran.code == 2
    assert ran.lines[-2:] == [
        f"The saved secrets in {saved / 'secrets.enc'} cannot be read: {why(saved)}",
        f"Enter them again: the UnoPim client secret and admin password (`unopim-desktop connect --url {u['url']} "
        f"--client-id {u['client_id']} --username {u['username']}` asks for them and repairs the secrets file); then "
        "the keys of the store “Shop” (edit it in the window, or `store delete` and `store add` again).",
    ]
    assert not any(secret in ran.out + ran.err for secret in secrets_of(sandbox))
    if command[0] == "sync":
        return  # the engine logs the run it started (its own rows): the files below are the secrets' concern
    assert len(ran.lines) == 2
    after = snapshot(saved)
    assert {k: v for k, v in after.items() if not k.startswith("logs")} == \
        {k: v for k, v in before.items() if not k.startswith("logs")}


@pytest.mark.parametrize(("damage", "why"), [d[1:] for d in DAMAGES], ids=[d[0] for d in DAMAGES])
def test_connect_repairs_lost_secrets(sandbox, saved, capsys, damage, why):
    damage(saved)
    set_aside = ["secrets.enc", "secrets.key"] if (saved / "secrets.key").exists() else ["secrets.enc"]
    asked = run_cli(capsys, *connect_args(sandbox, saved, secrets=False))  # no terminal to prompt on
    assert asked.code == 2
    assert asked.lines[0].endswith("Saving this connection starts a new secrets file.")
    assert asked.lines[1:] == ["Enter the Client Secret (required on the first save).",
                               "Enter the Admin Password (required on the first save)."]

    ran = run_cli(capsys, *connect_args(sandbox, saved))
    assert ran.code == 0 and ran.out.splitlines()[0] == "Connected"
    assert (f"The unreadable secrets file and its key were moved to {saved / 'backups'}. Enter the keys of “Shop” "
            "again (edit the store in the window, or `store delete` and `store add`).") in ran.lines
    assert sorted(p.name.split(".unreadable-")[0] for p in (saved / "backups").glob("*.unreadable-*")) == set_aside
    assert run_cli(capsys, "--data-dir", str(saved), "status", "--check").code == 0
    assert not any(secret in ran.out + ran.err for secret in secrets_of(sandbox))


def test_a_busy_database_is_waited_for(saved, capsys):
    """Another process holds the write lock for a moment: the command waits its turn instead of failing."""
    holder = sqlite3.connect(saved / "unopim-desktop.sqlite3", check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, holder.rollback)
    release.start()
    try:
        ran = run_cli(capsys, "--data-dir", str(saved), "settings", "--on-delete", "skip")
    finally:
        release.join()
        holder.close()
    assert ran.code == 0, ran.err
    assert "On delete:        Skip" in ran.out


def test_a_database_busy_for_too_long_is_said_plainly(saved, capsys, monkeypatch):
    monkeypatch.setattr(db_module, "PRAGMAS", {**db_module.PRAGMAS, "busy_timeout": 200})
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(saved / "unopim-desktop.sqlite3")
    holder.execute("BEGIN IMMEDIATE")
    try:
        ran = run_cli(capsys, "--data-dir", str(saved), "settings", "--on-delete", "skip")
    finally:
        holder.rollback()
        holder.close()
    assert ran.code == 2
    assert ran.lines[0].startswith(f"The database {saved / 'unopim-desktop.sqlite3'} stayed busy for ")
    assert ran.lines[0].endswith("another UnoPim Desktop (the window or a command) is using it.")
    assert ran.lines[1] == "Try again when the other one has finished."


def test_two_first_starts_on_one_new_folder_migrate_once(sandbox, tmp_path):
    import subprocess
    import sys

    root = tmp_path / "data"
    procs = [subprocess.Popen([sys.executable, "-m", "unopim_desktop", *connect_args(sandbox, root)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**__import__("os").environ, **FAIL_KEYRING}) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert all(out.splitlines()[0] == "Connected" for out, _ in results)
    conn = sqlite3.connect(root / "unopim-desktop.sqlite3")
    versions = conn.execute("SELECT version, COUNT(*) FROM schemaversion GROUP BY version").fetchall()
    conn.close()
    assert versions == [(n, 1) for n in range(1, db_module.HEAD_VERSION + 1)]
    again = run_process("--data-dir", str(root), "status", "--check", env=FAIL_KEYRING)
    assert again.code == 0, again.err
