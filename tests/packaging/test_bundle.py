"""The bundle works without Python: packaging/build.py builds it (PyInstaller, build.spec) and the Linux
.tar.gz; the extracted tarball's CLI prints the version, serves the sandbox and connects to it, its window
starts offscreen and quits, and install.sh puts it in the menu.

Skipped without PyInstaller (`pip install -e ".[bundle]"`); `.ci/run` installs it and sets
UNOPIM_BUNDLE_TEST=1, so there a missing PyInstaller fails instead. UNOPIM_BUNDLE_TEST=0 skips it."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

from unopim_desktop.app.demo import DEMO_DIR_PREFIX, DEMO_READY

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.unopim.UnoPimDesktop"
MAX_MB = 150

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900),
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="builds the Linux bundle; Windows and macOS: the README's release checklist")]


@dataclass
class Built:
    output: str
    work: Path
    tarball: Path
    folder: Path  # the extracted tarball: what a merchant runs

    def run(self, exe: str, *args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.folder / exe), *args], env=env, capture_output=True, text=True,
                              timeout=timeout, cwd=self.folder.parent)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    wanted = os.environ.get("UNOPIM_BUNDLE_TEST")
    if wanted == "0":
        pytest.skip("UNOPIM_BUNDLE_TEST=0")
    if importlib.util.find_spec("PyInstaller") is None:
        if wanted == "1":
            pytest.fail("PyInstaller is not installed, and UNOPIM_BUNDLE_TEST=1 says the bundle test must run")
        pytest.skip('PyInstaller is not installed (pip install -e ".[bundle]")')
    root = tmp_path_factory.mktemp("bundle")
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(root / "dist"),
                           "--work", str(root / "work")], capture_output=True, text=True, timeout=800)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    (tarball,) = (root / "dist").glob("unopim-desktop-*-linux-*.tar.gz")
    with tarfile.open(tarball) as tar:
        # The "tar" filter (3.11.4+) keeps the permissions and refuses paths outside the target.
        tar.extractall(root / "unpacked", **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
    (folder,) = (root / "unpacked").iterdir()
    return Built(output=done.stdout, work=root / "work", tarball=tarball, folder=folder)


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No Python of ours, no session keychain, a home and temp folder of the test's own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "QT_", "DBUS_", "XDG_")) and k not in ("DISPLAY",)}
    env["PATH"] = "/usr/bin:/bin"
    for name in ("home", "tmp"):
        (tmp_path / name).mkdir(exist_ok=True)
    env.update(HOME=str(tmp_path / "home"), TMPDIR=str(tmp_path / "tmp"))
    env.update(extra)
    return env


def test_the_build_reports_a_bundle_under_the_size_limit(built):
    found = re.search(r"^bundle: .* is ([\d.]+) MB unpacked, \d+ files \(limit 150 MB\)$", built.output, re.M)
    assert found, built.output[-2000:]
    assert float(found.group(1)) < MAX_MB


def test_the_bundle_has_both_executables_resources_and_what_the_app_loads_lazily(built):
    internal = built.folder / "_internal"
    assert os.access(built.folder / "UnoPimDesktop", os.X_OK) and os.access(built.folder / "unopim-desktop", os.X_OK)
    assert (internal / "resources" / "linux" / f"{APP_ID}.desktop").is_file()
    assert (internal / "resources" / "linux" / f"{APP_ID}.metainfo.xml").is_file()
    assert (internal / "unopim_desktop" / "resources" / "icons" / "unopim-desktop-256.png").is_file()
    plugins = internal / "PySide6" / "Qt" / "plugins"
    assert (plugins / "platforms" / "libqxcb.so").is_file() and (plugins / "platforms" / "libqoffscreen.so").is_file()
    assert not list(internal.rglob("libQt6Qml*")) and not list(internal.rglob("libQt6WebEngine*"))
    assert not list(internal.rglob("PyQt*")) and not list(internal.rglob("*PySide2*"))
    assert not [p for p in built.folder.rglob("*") if p.is_symlink() and not p.exists()]  # no dangling links
    modules = "".join(p.read_text(encoding="utf-8") for p in built.work.rglob("PYZ-*.toc"))
    for module in ("unopim_desktop.sandbox.launcher", "unopim_desktop.ui.main_window", "uvicorn.loops.auto",
                   "uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.http.h11_impl", "starlette.routing",
                   "keyring.backends.SecretService", "keyring.backends.kwallet", "keyring.backends.macOS",
                   "keyring.backends.Windows"):
        assert f"'{module}'" in modules, module


def test_the_tarball_carries_the_menu_entry_icons_and_install_script(built, tmp_path):
    top = built.folder
    assert (top / "share" / "applications" / f"{APP_ID}.desktop").is_file()
    assert (top / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in (16, 32, 48, 128, 256, 512):
        assert (top / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "unopim-desktop.png").is_file()
    assert "libxcb-icccm4" in (top / "README.txt").read_text(encoding="utf-8")

    prefix = tmp_path / "prefix"
    env = clean_env(tmp_path, PREFIX=str(prefix))
    done = subprocess.run(["sh", str(top / "install.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    entry = (prefix / "share" / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert f'Exec="{top}/UnoPimDesktop"' in entry and "Icon=unopim-desktop" in entry
    assert (prefix / "share" / "icons" / "hicolor" / "256x256" / "apps" / "unopim-desktop.png").is_file()
    assert (prefix / "bin" / "unopim-desktop").resolve() == top / "unopim-desktop"
    done = subprocess.run(["sh", str(top / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (prefix / "share" / "applications" / f"{APP_ID}.desktop").exists()
    assert not (prefix / "bin" / "unopim-desktop").exists()


def test_the_bundled_cli_prints_the_version_from_the_package_metadata(built, tmp_path):
    done = built.run("unopim-desktop", "--version", env=clean_env(tmp_path))
    assert (done.returncode, done.stdout.strip()) == (0, f"unopim-desktop {version('unopim-desktop')}")


def test_the_bundled_cli_serves_the_sandbox_and_connects_to_it(built, tmp_path):
    env = clean_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    sandbox = subprocess.Popen([str(built.folder / "unopim-desktop"), "sandbox", "--products", "3", "--only", "unopim"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = sandbox.stdout.readline()
        assert line, sandbox.stderr.read() if sandbox.poll() is not None else "no credentials line"
        creds = json.loads(line)["unopim"]
        data = tmp_path / "data"
        done = built.run("unopim-desktop", "connect", "--data-dir", str(data), "--url", creds["url"],
                         "--client-id", creds["client_id"], "--username", creds["username"],
                         env={**env, "UNOPIM_CLIENT_SECRET": creds["client_secret"],
                              "UNOPIM_PASSWORD": creds["password"]})
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Connected" in done.stdout
        # No keychain here: the secrets went to the encrypted fallback file in the data folder.
        assert (data / "secrets.enc").is_file() and (data / "secrets.key").is_file()
        status = built.run("unopim-desktop", "status", "--data-dir", str(data), env=env)
        assert status.returncode == 0 and "encrypted file" in status.stdout, status.stdout + status.stderr
        assert creds["client_secret"] not in status.stdout + (data / "logs" / "unopim-desktop.log").read_text()
        # Without --data-dir: the platform's user data folder (XDG: under the home folder). A command that
        # fails on a folder it had to create leaves nothing behind; one that succeeds keeps it.
        default_root = tmp_path / "home" / ".local" / "share" / "UnoPimDesktop"
        default = built.run("unopim-desktop", "status", env=env)
        assert "no UnoPim connection is saved" in default.stdout + default.stderr  # a fresh folder
        assert not default_root.exists()
        saved = built.run("unopim-desktop", "connect", "--url", creds["url"], "--client-id", creds["client_id"],
                          "--username", creds["username"],
                          env={**env, "UNOPIM_CLIENT_SECRET": creds["client_secret"],
                               "UNOPIM_PASSWORD": creds["password"]})
        assert saved.returncode == 0, saved.stdout + saved.stderr
        assert (default_root / "unopim-desktop.sqlite3").is_file()
    finally:
        sandbox.send_signal(signal.SIGINT)
        try:
            sandbox.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sandbox.kill()
            sandbox.wait()


def test_the_bundled_window_starts_offscreen_logs_and_quits(built, tmp_path):
    data = tmp_path / "data"
    env = clean_env(tmp_path, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = built.run("UnoPimDesktop", "--data-dir", str(data), "--quit-when-ready", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ready: platform offscreen")
    log = (data / "logs" / "unopim-desktop.log").read_text(encoding="utf-8")
    assert "quit when ready" in log and "window closed; shut down" in log

    demo = built.run("UnoPimDesktop", "--demo", "--quit-when-ready", env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert DEMO_READY in demo.stdout
    assert list((tmp_path / "tmp").glob(f"{DEMO_DIR_PREFIX}*")) == []
