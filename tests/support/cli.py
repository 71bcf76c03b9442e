"""Running the CLI as a merchant would (in this process, or in a child process where the process boundary
matters), and what a test needs to say "nothing else changed": a folder's snapshot, a folder the app
cannot write to, a damaged file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from unopim_desktop.cli import main


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        """What the merchant reads on stderr, line by line."""
        return self.err.splitlines()


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    """`unopim-desktop ARGS` in this process (usage errors exit through SystemExit, as from a shell)."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return Ran(code, out.out, out.err)


def run_process(*args: str, env: dict[str, str] | None = None, preexec_fn: Callable[[], None] | None = None,
                timeout: float = 120) -> Ran:
    """`python -m unopim_desktop ARGS` in a child process (its own limits, its own keyring)."""
    done = subprocess.run([sys.executable, "-m", "unopim_desktop", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, preexec_fn=preexec_fn, timeout=timeout)
    return Ran(done.returncode, done.stdout, done.stderr)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path → content hash; folders as "dir"), to compare before/after."""
    if not folder.exists():
        return {}
    if folder.is_file():
        return {".": hashlib.sha256(folder.read_bytes()).hexdigest()}
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        out[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[Path]:
    """`folder` made unwritable for this user: mode 0500, and for root (which ignores modes) the immutable
    attribute; the test is skipped where neither holds."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o500)
    immutable = False
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        immutable = bool(chattr) and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0
        if not immutable:
            folder.chmod(0o700)
            pytest.skip("running as root without chattr +i: no folder is unwritable")
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run([shutil.which("chattr") or "chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o700)


def limit_file_size(limit: int) -> Callable[[], None]:
    """A `preexec_fn` that stands in for a full disk: no file may grow past `limit` bytes (writes beyond
    fail with EFBIG; Python ignores SIGXFSZ)."""

    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply
