"""The demo's throwaway data folder goes away: at the end, when start-up fails, and (POSIX) at the next
demo's start when its process died without cleaning up (killed, or aborted by Qt)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from unopim_desktop.app import demo
from unopim_desktop.app.demo import DEMO_DIR_PREFIX, OWNER_FILE, DemoSession, remove_stale_demo_folders


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def demo_folder(parent, name: str, owner: int | None):
    folder = parent / f"{DEMO_DIR_PREFIX}{name}"
    (folder / "logs").mkdir(parents=True)
    (folder / "unopim-desktop.sqlite3").write_bytes(b"x")
    if owner is not None:
        (folder / OWNER_FILE).write_text(str(owner))
    return folder


@pytest.mark.skipif(os.name != "posix", reason="POSIX only: a live process is asked with signal 0")
def test_only_folders_of_dead_demos_are_removed(tmp_path):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = demo_folder(tmp_path, "dead", dead_pid())
        running = demo_folder(tmp_path, "running", alive.pid)
        mine = demo_folder(tmp_path, "mine", os.getpid())
        unowned = demo_folder(tmp_path, "unowned", None)
        other = tmp_path / "something-else"
        other.mkdir()
        assert remove_stale_demo_folders(tmp_path) == [dead]
    finally:
        alive.kill()
        alive.wait()
    assert not dead.exists()
    assert running.exists() and mine.exists() and unowned.exists() and other.exists()


def test_a_demo_whose_sandbox_fails_to_start_leaves_no_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def refuse(options):
        raise OSError("address in use")

    monkeypatch.setattr(demo, "start_sandbox", refuse)
    with pytest.raises(OSError, match="address in use"):
        DemoSession.start(products=1)
    assert list(tmp_path.iterdir()) == []


def test_a_demo_session_writes_its_owner_and_stop_removes_its_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    session = DemoSession.start(products=1)
    try:
        assert (session.data_dir / OWNER_FILE).read_text() == str(os.getpid())
        assert session.data_dir.parent == tmp_path
    finally:
        session.stop()
    assert list(tmp_path.iterdir()) == []
