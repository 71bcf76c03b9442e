"""Start at login: the autostart entry of each platform, written where a test redirects it (never the real
home), starting this installation hidden in the tray; and the General setting that writes and removes it."""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

from tests.support.cli import run_cli
from unopim_desktop.app.autostart import (
    APP_ID,
    LaunchAgent,
    WindowsRunKey,
    XdgAutostart,
    for_platform,
    launch_command,
)
from unopim_desktop.paths import data_root

ODD = ["/opt/Uno Pim/bin/python", "-m", "unopim_desktop", "--data-dir", '/home/m/Shop "EU" $5 100%\\x', "--hidden"]


def test_the_xdg_entry_goes_under_xdg_config_home_and_starts_the_app_hidden(private_config_home):
    entry = for_platform("linux")
    assert isinstance(entry, XdgAutostart)
    path = private_config_home / "autostart" / f"{APP_ID}.desktop"
    assert entry.location() == str(path) and entry.command() is None
    entry.enable(ODD)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[Desktop Entry]\nType=Application\nName=UnoPim Desktop\n")
    assert "\nX-GNOME-Autostart-enabled=true\n" in text and "\nTerminal=false\n" in text
    # Quoted as the Desktop Entry spec says: reserved characters quoted, " ` $ \\ escaped, % doubled, and the
    # value's own backslash escape on top.
    assert ('Exec="/opt/Uno Pim/bin/python" -m unopim_desktop --data-dir '
            '"/home/m/Shop \\\\"EU\\\\" \\\\$5 100%%\\\\\\\\x" --hidden') in text
    assert entry.command() == ODD
    assert entry.disable() and not path.exists() and not entry.disable()


def test_a_launch_agent_on_macos_runs_at_load(tmp_path):
    agent = LaunchAgent(home=tmp_path)
    agent.enable(ODD)
    path = tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    plist = plistlib.loads(path.read_bytes())
    assert plist["Label"] == APP_ID and plist["ProgramArguments"] == ODD and plist["RunAtLoad"] is True
    assert agent.command() == ODD
    assert agent.disable() and not path.exists()


class FakeRunKey:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> bool:
        return self.values.pop(name, None) is not None


def test_the_windows_run_key_holds_one_quoted_command_line():
    key = FakeRunKey()
    entry = WindowsRunKey(key)
    command = [r"C:\Users\M\AppData\Local\Programs\UnoPim Desktop\UnoPimDesktop.exe", "--hidden"]
    entry.enable(command)
    assert key.values == {"UnoPim Desktop": '"C:\\Users\\M\\AppData\\Local\\Programs\\UnoPim Desktop\\UnoPimDesktop.exe" '
                                            "--hidden"}
    assert entry.command() == command
    assert entry.location().startswith("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run")
    assert entry.disable() and key.values == {} and not entry.disable()


def test_the_command_starts_this_installation_on_its_data_folder(tmp_path):
    assert launch_command(tmp_path / "d", executable="/v/bin/python", frozen=False) == \
        ["/v/bin/python", "-m", "unopim_desktop", "--data-dir", str(tmp_path / "d"), "--hidden"]
    assert launch_command(data_root(None), executable="/v/bin/python", frozen=False) == \
        ["/v/bin/python", "-m", "unopim_desktop", "--hidden"]  # the default folder is not named
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    windowed = bundle / ("UnoPimDesktop.exe" if sys.platform == "win32" else "UnoPimDesktop")
    windowed.write_bytes(b"")
    console = bundle / "unopim-desktop"
    assert launch_command(data_root(None), executable=str(console), frozen=True) == [str(windowed), "--hidden"]


def test_start_at_login_is_a_setting_that_writes_and_removes_the_entry(data_dir, private_config_home, capsys):
    path = private_config_home / "autostart" / f"{APP_ID}.desktop"
    on = run_cli(capsys, "--data-dir", str(data_dir), "settings", "--start-at-login", "on")
    assert (on.code, on.out) == (0, f"Start at login on: wrote {path}.\n")
    assert XdgAutostart().command() == [sys.executable, "-m", "unopim_desktop", "--data-dir", str(data_dir), "--hidden"]
    again = run_cli(capsys, "--data-dir", str(data_dir), "settings", "--start-at-login", "on")
    assert again.out == "Nothing changed.\n"
    off = run_cli(capsys, "--data-dir", str(data_dir), "settings", "--start-at-login", "off", "--close-to-tray", "off")
    assert off.out == (f"Start at login off: removed {path}. Keep running in the tray when the window closes: off.\n")
    assert not path.exists()


def test_a_desktop_setting_must_be_on_or_off(data_dir, capsys):
    ran = run_cli(capsys, "--data-dir", str(data_dir), "settings", "--start-at-login", "maybe")
    assert ran.code == 2 and "invalid choice" in ran.err
    assert not Path(data_dir / "unopim-desktop.sqlite3").exists()
