"""A real window, as a merchant gets it: `unopim-desktop --demo` on Qt's xcb platform under Xvfb, in its own
process (the other GUI tests share one offscreen QApplication). It opens, becomes ready to pull, quits
cleanly and leaves no throwaway folder behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.xvfb import xvfb_display
from unopim_desktop.app.demo import DEMO_DIR_PREFIX, DEMO_READY

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is the Linux platform")


def run_app(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "unopim_desktop", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env.update(TMPDIR=str(temp), HOME=str(tmp_path / "home"), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.update(extra)
    return env


def test_the_demo_opens_a_real_xcb_window_ready_to_pull_and_quits_cleanly(tmp_path):
    with xvfb_display() as display:
        env = app_env(tmp_path, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        done = run_app(["--demo", "--quit-when-ready", "--verbose"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    size = re.search(r"ready: platform xcb, window (\d+)x(\d+) shown", done.stdout)
    assert size and DEMO_READY in done.stdout, done.stdout
    # A first start: the default size, within the screen (the window remembers its size from then on).
    assert 900 <= int(size.group(1)) <= 1280 and 640 <= int(size.group(2)) <= 800
    assert "window closed; shut down" in done.stderr  # the shutdown ran, not cut off by the loop's end
    assert "Aborted" not in done.stderr and "Traceback" not in done.stderr
    assert list((tmp_path / "tmp").glob(f"{DEMO_DIR_PREFIX}*")) == []


def test_without_a_display_one_line_says_so_instead_of_qts_abort(tmp_path):
    done = run_app(["--demo"], app_env(tmp_path, QT_QPA_PLATFORM="xcb"))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "DISPLAY is not set" in done.stderr
    assert list((tmp_path / "tmp").glob(f"{DEMO_DIR_PREFIX}*")) == []  # nothing was created


WINDOWED = """
import sys
sys.stdout = sys.stderr = None  # what a windowed build (no console) gets
from unopim_desktop.cli import main
code = main(sys.argv[1:])
sys.__stdout__.write(f"exit {code}\\n")
"""


def test_a_windowed_build_without_stdout_or_stderr_starts_logs_and_quits(tmp_path):
    data = tmp_path / "data"
    env = app_env(tmp_path, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", WINDOWED, "--data-dir", str(data), "--quit-when-ready", "--verbose"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "exit 0"), done.stderr[-3000:]
    log = (data / "logs" / "unopim-desktop.log").read_text(encoding="utf-8")
    assert "quit when ready: ready: platform offscreen" in log and "window closed; shut down" in log

    demo = subprocess.run([sys.executable, "-c", WINDOWED, "--demo", "--quit-when-ready"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert (demo.returncode, demo.stdout.strip()) == (0, "exit 0"), demo.stderr[-3000:]
    assert list((tmp_path / "tmp").glob(f"{DEMO_DIR_PREFIX}*")) == []
