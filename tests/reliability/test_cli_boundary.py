"""The CLI's error boundary, case by case: what the merchant reads (the reason, then the fix), the exit code,
and that nothing else changed (no folder left behind, no database touched, no secret printed).

Each case runs `unopim-desktop` in this process; the full-disk cases run it in a child process with a
file-size limit (a stand-in for a full disk), since the limit applies to a whole process.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tests.support.cli import limit_file_size, run_cli, run_process, snapshot, unwritable
from unopim_desktop import __version__
from unopim_desktop.app.context import AppContext
from unopim_desktop.state import repo
from unopim_desktop.state.migrations import HEAD_VERSION

DB = "unopim-desktop.sqlite3"


def existing_folder(root: Path) -> Path:
    """A data folder as the app leaves it after a Test & Save (no secrets: they are not needed here)."""
    ctx = AppContext.open(root)
    ctx.lane.run_sync(repo.record_connection, "https://pim.example.com", client_id="id", username="u", ok=True)
    ctx.close()
    return root


def damaged(root: Path) -> Path:
    root.mkdir()
    (root / DB).write_bytes(b"\x00garbage that was once a database\x00" * 200)
    return root


def damaged_pages(root: Path) -> Path:
    """A real database whose pages after the first few were overwritten (a bad disk, a killed copy)."""
    ctx = AppContext.open(root)
    ctx.lane.run_sync(repo.record_connection, "https://pim.example.com", client_id="id", username="u", ok=True)
    for _ in range(200):
        ctx.lane.run_sync(repo.add_log, "https://pim.example.com", "a line of the log " * 30)
    ctx.close()
    data = bytearray((root / DB).read_bytes())
    for offset in range(3 * 4096, len(data), 4096):
        data[offset:offset + 100] = b"\xff" * 100
    (root / DB).write_bytes(bytes(data))
    return root


def damaged_with_backup(root: Path) -> Path:
    existing_folder(root)
    (root / "backups").mkdir(exist_ok=True)
    (root / "backups" / "unopim-desktop.v2.bak.sqlite3").write_bytes((root / DB).read_bytes())
    (root / DB).write_bytes(b"\x00" * 8192)
    return root


def foreign(root: Path) -> Path:
    root.mkdir()
    conn = sqlite3.connect(root / DB)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    return root


def newer(root: Path) -> Path:
    existing_folder(root)
    conn = sqlite3.connect(root / DB)
    conn.execute("INSERT INTO schemaversion (version, applied_at) VALUES (?, '2031-01-01')", (HEAD_VERSION + 6,))
    conn.execute("UPDATE setting SET value = '9.9.0' WHERE key = 'schema_written_by'")
    conn.commit()
    conn.close()
    return root


def a_file(root: Path) -> Path:
    root.write_text("not a folder")
    return root


FOLDER_CASES = [
    # (id, make the folder, the --data-dir given, lines on stderr)
    ("folder-is-a-file", a_file, lambda r: r, lambda r: [
        f"The data folder {r} is a file, not a folder (or a part of that path is a file).",
        "Move that file away, or choose another folder with --data-dir."]),
    ("path-through-a-file", a_file, lambda r: r / "data", lambda r: [
        f"The data folder {r / 'data'} is a file, not a folder (or a part of that path is a file).",
        "Move that file away, or choose another folder with --data-dir."]),
    ("damaged-database", damaged, lambda r: r, lambda r: [
        f"The database {r / DB} is damaged and cannot be read.",
        f"There is no copy of it in {r / 'backups'}; move it away to start with an empty database (then connect "
        "again)."]),
    ("damaged-pages", damaged_pages, lambda r: r, lambda r: [
        f"The database {r / DB} is damaged and cannot be read.",
        f"There is no copy of it in {r / 'backups'}; move it away to start with an empty database (then connect "
        "again)."]),
    ("damaged-database-with-a-backup", damaged_with_backup, lambda r: r, lambda r: [
        f"The database {r / DB} is damaged and cannot be read.",
        f"Move it away and put the copy {r / 'backups' / 'unopim-desktop.v2.bak.sqlite3'} (made before the last "
        "upgrade) in its place, or move it away to start with an empty database."]),
    ("foreign-database", foreign, lambda r: r, lambda r: [
        f"{r / DB} is not an UnoPim Desktop database (another program's file is in its place).",
        f"There is no copy of it in {r / 'backups'}; move it away to start with an empty database (then connect "
        "again)."]),
    ("newer-database", newer, lambda r: r, lambda r: [
        f"The database {r / DB} was written by UnoPim Desktop 9.9.0 (database schema {HEAD_VERSION + 6}); this is "
        f"UnoPim Desktop {__version__}, which reads schema {HEAD_VERSION} or older. Nothing was changed.",
        "Use UnoPim Desktop 9.9.0 or newer with this data folder, or choose another folder with --data-dir."]),
]


@pytest.mark.parametrize(("make", "given", "expected"), [c[1:] for c in FOLDER_CASES], ids=[c[0] for c in FOLDER_CASES])
@pytest.mark.parametrize("command", [["status"], ["sync", "pull", "--full"], ["store", "list"]],
                         ids=["status", "sync-pull", "store-list"])
def test_a_data_folder_or_database_that_cannot_be_used(tmp_path, capsys, make, given, expected, command):
    root = make(tmp_path / "data")
    before = snapshot(root)
    ran = run_cli(capsys, "--data-dir", str(given(root)), *command)
    assert (ran.code, ran.lines, ran.out) == (2, expected(root), "")
    assert snapshot(root) == before


def test_an_unwritable_data_folder(tmp_path, capsys):
    with unwritable(tmp_path / "data") as root:
        ran = run_cli(capsys, "--data-dir", str(root), "status")
        assert list(root.iterdir()) == []
    assert (ran.code, ran.lines) == (2, [
        f"UnoPim Desktop cannot write to its data folder {root} (permission denied).",
        "Give your user account write access to that folder, or choose another folder with --data-dir."])


INPUT_CASES = [
    # (id, arguments after --data-dir, the one line on stderr)
    ("negative-cooldown", ["channels", "set", "default", "--debounce", "-5"],
     "The cooldown must be from 0 to 86400 seconds (0 turns it off); got -5."),
    ("cooldown-over-a-day", ["channels", "set", "default", "--debounce", "86401"],
     "The cooldown must be from 0 to 86400 seconds (0 turns it off); got 86401."),
    ("cooldown-not-a-number", ["channels", "set", "default", "--debounce", "abc"],
     "unopim-desktop channels set: argument --debounce: “abc” is not a whole number. See `unopim-desktop channels "
     "set --help`."),
    # A long value is quoted shortened, not echoed whole into the terminal.
    ("cooldown-10000-digits", ["channels", "set", "default", "--debounce", "9" * 9_999 + "x"],
     "unopim-desktop channels set: argument --debounce: “99999999999999999999… (10,000 characters)” is not a whole "
     "number. See `unopim-desktop channels set --help`."),
    ("cooldown-more-digits-than-python-reads", ["channels", "set", "default", "--debounce", "9" * 10_000],
     "unopim-desktop channels set: argument --debounce: “99999999999999999999… (10,000 characters)” is too large a "
     "number. See `unopim-desktop channels set --help`."),
    ("logs-limit-not-a-number", ["logs", "--limit", "ten"],
     "unopim-desktop logs: argument --limit: “ten” is not a whole number. See `unopim-desktop logs --help`."),
    ("huge-reconcile-hours", ["settings", "--reconcile-hours", "99999999999"],
     "Reconcile hours must be a whole number from 0 to 720 (30 days); got “99999999999”."),
    ("negative-reconcile-hours", ["settings", "--reconcile-hours", "-1"],
     "Reconcile hours must be a whole number from 0 to 720 (30 days); got “-1”."),
    ("host-with-empty-label", ["connect", "--url", "https://pim..example.com", "--client-id", "id", "--username", "u"],
     "“pim..example.com” is not a valid host name (letters, digits, dots and hyphens). Use an address like "
     "https://pim.example.com."),
    ("host-with-a-space", ["connect", "--url", "https://pim example.com", "--client-id", "id", "--username", "u"],
     "“pim example.com” is not a valid host name (letters, digits, dots and hyphens). Use an address like "
     "https://pim.example.com."),
    ("port-out-of-range", ["connect", "--url", "https://pim.example.com:99999", "--client-id", "id", "--username", "u"],
     "“https://pim.example.com:99999” has an invalid port number."),
    ("store-host-invalid", ["store", "add", "woocommerce", "--label", "Shop", "--url", "https://sh*p.example.com",
                            "--consumer-key", "ck_1", "--consumer-secret", "cs_very-secret-1"],
     "“sh*p.example.com” is not a valid host name; the address should look like https://shop.example.com."),
    ("store-port-invalid", ["store", "add", "bigcommerce", "--label", "Shop", "--api-url",
                            "https://api.bigcommerce.com:0x1/stores/abc/", "--access-token", "tok-very-secret-2"],
     "“https://api.bigcommerce.com:0x1/stores/abc/” has an invalid port number."),
    # (Python versions quote argparse's list of choices differently: the line's start and end.)
    ("unknown-command", ["stores", "list"],
     ("unopim-desktop: argument COMMAND: invalid choice: 'stores' (choose from ", "). See `unopim-desktop --help`.")),
    ("fault-rate-over-one", ["sandbox", "--fault-rate", "2"], "--fault-rate must be from 0 to 1; got 2."),
    ("negative-products", ["sandbox", "--products", "-5"], "--products must be from 0 to 1000000; got -5."),
]


@pytest.mark.parametrize(("args", "line"), [c[1:] for c in INPUT_CASES], ids=[c[0] for c in INPUT_CASES])
def test_invalid_input_is_refused_before_anything_is_created(tmp_path, capsys, args, line):
    root = tmp_path / "new" / "data"
    ran = run_cli(capsys, "--data-dir", str(root), *args)
    if isinstance(line, tuple):
        assert len(ran.lines) == 1 and ran.lines[0].startswith(line[0]) and ran.lines[0].endswith(line[1])
        line = ran.lines[0]
    assert (ran.code, ran.lines, ran.out) == (2, [line], "")
    assert not (tmp_path / "new").exists()
    assert "secret-1" not in ran.err and "secret-2" not in ran.err


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["status"], 1, "Not connected: no UnoPim connection is saved. Run `unopim-desktop connect`."),
        (["store", "list"], 2, "Connect to UnoPim first (Connection tab)."),
        (["mapping", "show"], 2, "Connect to UnoPim first (Connection tab)."),
        (["settings"], 2, "Connect to UnoPim first (`unopim-desktop connect`)."),
    ],
    ids=["status", "store-list", "mapping-show", "settings"],
)
def test_a_failed_command_on_a_new_folder_leaves_nothing_behind(tmp_path, capsys, args, code, line):
    ran = run_cli(capsys, "--data-dir", str(tmp_path / "new" / "data"), *args)
    assert ran.code == code and line in ran.out + ran.err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_command_keeps_an_existing_folder(tmp_path, capsys):
    root = existing_folder(tmp_path / "data")
    before = snapshot(root / DB)
    assert run_cli(capsys, "--data-dir", str(root), "store", "list").code == 0
    assert run_cli(capsys, "--data-dir", str(root), "channels", "set", "nope").code == 2
    assert root.is_dir() and snapshot(root / DB).keys() == before.keys()


@pytest.mark.parametrize("folder", ["new", "existing"])
def test_a_full_disk(tmp_path, folder):
    root = tmp_path / "data"
    if folder == "existing":
        existing_folder(root)
    before = snapshot(root)
    ran = run_process("--data-dir", str(root), "settings", "--on-delete", "skip", preexec_fn=limit_file_size(16_384))
    assert ran.code == 2 and ran.out == ""
    assert ran.lines in (
        [f"Reading or writing the database {root / DB} failed: the disk is full, a size limit was reached, or the "
         "disk has an error.",
         "Free some space on that disk (or check it), or choose another folder with --data-dir, then try again."],
        [f"There is no room to write to the database {root / DB}: the disk is full.",
         "Free some space on that disk, or choose another folder with --data-dir, then try again."],
    )
    assert "Traceback" not in ran.err
    if folder == "new":
        assert not root.exists()
    else:
        assert snapshot(root)[DB] == before[DB]


def test_the_data_folder_is_private(tmp_path, capsys):
    root = existing_folder(tmp_path / "data")
    assert run_cli(capsys, "--data-dir", str(root), "store", "list").code == 0
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for path in root.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_the_window_says_the_same_before_qt_starts(tmp_path, capsys):
    from unopim_desktop.ui.app import run_gui

    root = newer(tmp_path / "data")
    before = snapshot(root)
    assert run_gui(data_dir=str(root)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == next(c for c in FOLDER_CASES if c[0] == "newer-database")[3](root)
    assert snapshot(root) == before
