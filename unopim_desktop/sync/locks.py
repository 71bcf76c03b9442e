"""One run per channel at a time, across processes: the window, the CLI and the scheduler of one data
folder take the same OS file lock before a run writes anything.

A second run is refused at once, with who holds the lock: `A pull of channel default is already running
(process 1234, started 11:02).` The lock dies with its process (a SIGKILL included), so a run row left
"running" whose channel lock is free belongs to a process that is gone: it was interrupted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class RunRefused(Exception):
    """Another run of this channel holds its lock; the message says which and since when."""


def _slug(channel: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", channel) or "_"


class RunLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _paths(self, channel: str) -> tuple[Path, Path]:
        name = f"channel-{_slug(channel)}"
        return self.folder / f"{name}.lock", self.folder / f"{name}.json"

    @contextmanager
    def hold(self, channel: str, job: str) -> Iterator[None]:
        """Hold the channel's lock for one run; RunRefused at once when another run holds it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lock_path, info_path = self._paths(channel)
        lock = FileLock(lock_path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise RunRefused(self._who(channel, info_path)) from None
        try:
            info = {"pid": os.getpid(), "job": job, "started": dt.datetime.now().isoformat(timespec="seconds")}
            # Written whole then renamed: a refused run reading it mid-write would name no job. Between the
            # lock and the rename a refusal still names none ("A sync of …"), which is true, only vaguer.
            _write_whole(info_path, json.dumps(info))
            yield
        finally:
            with contextlib.suppress(OSError):  # Windows: a refused run reading it right now
                info_path.unlink(missing_ok=True)
            lock.release()

    def is_free(self, channel: str) -> bool:
        """Whether no run of this channel holds its lock now (in any process)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self._paths(channel)[0], timeout=0)
        try:
            lock.acquire()
        except Timeout:
            return False
        lock.release()
        return True

    @staticmethod
    def _who(channel: str, info_path: Path) -> str:
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        if not isinstance(info, dict):
            info = {}
        what = str(info.get("job") or "sync").split("_")[0]
        article = "An" if what[:1] in "aeiou" else "A"
        if info.get("pid"):
            started = str(info.get("started") or "")[11:16]
            when = f", started {started}" if started else ""
            return f"{article} {what} of channel {channel} is already running (process {info['pid']}{when})."
        return f"{article} {what} of channel {channel} is already running in another window or command."


def _write_whole(path: Path, text: str) -> None:
    """Written beside, then renamed over: a reader sees the old file or the new one, never half of it.
    On Windows the rename fails while another process has the file open (a refused run reading it): then
    it is written in place, as before."""
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        path.write_text(text, encoding="utf-8")
