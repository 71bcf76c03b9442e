"""A private X server (Xvfb) for tests that open a real xcb window. Tests that use it are skipped where
Xvfb is not installed; `.ci/run` installs it and sets UNOPIM_XVFB_TEST=1, so CI always runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def xvfb_display(timeout_s: float = 20) -> Iterator[str]:
    """Start Xvfb on a free display number (it picks one and writes it to a pipe) and yield ":N"."""
    binary = shutil.which("Xvfb")
    if binary is None:
        if os.environ.get("UNOPIM_XVFB_TEST") == "1":  # .ci/run installs it: missing there is a failure
            pytest.fail("Xvfb is not installed, and UNOPIM_XVFB_TEST=1 says it must be")
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([binary, "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            number = pipe.readline().strip().decode()  # written once the server accepts connections
        if not number:
            proc.kill()
            raise RuntimeError(f"Xvfb did not start: {proc.communicate(timeout=timeout_s)[1].decode()[-500:]}")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
