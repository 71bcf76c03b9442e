"""Start at login: the platform's autostart entry that starts the app hidden in the tray (Qt-free).

- Linux and other XDG desktops: `$XDG_CONFIG_HOME/autostart/io.github.unopim.UnoPimDesktop.desktop`
  (`~/.config` when XDG_CONFIG_HOME is unset), the freedesktop Desktop Application Autostart spec.
- macOS: a LaunchAgent, `~/Library/LaunchAgents/io.github.unopim.UnoPimDesktop.plist` (RunAtLoad).
- Windows: the value "UnoPim Desktop" under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.

Each writes the command that starts this installation (the bundle's windowed executable, or this Python
with `-m unopim_desktop`) with `--hidden`, and `--data-dir` when the data folder is not the default one.
Where each one lives can be redirected (a config folder, a home folder, a registry object), so tests never
touch the real ones.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from unopim_desktop.paths import data_root

APP_ID = "io.github.unopim.UnoPimDesktop"
ENTRY_NAME = "UnoPim Desktop"
GUI_NAME = "UnoPimDesktop"  # the bundle's windowed executable (build.spec)
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
HIDDEN_FLAG = "--hidden"


class AutostartError(Exception):
    """The entry could not be written or removed; the message names where and why."""


class Autostart(Protocol):
    def location(self) -> str:
        """Where the entry lives, for the merchant (a path, or the registry key)."""

    def enable(self, command: list[str]) -> None: ...

    def disable(self) -> bool:
        """Remove the entry; whether there was one."""

    def command(self) -> list[str] | None:
        """The command the entry starts, or None when there is none."""


def launch_command(root: Path, *, executable: str | None = None, frozen: bool | None = None) -> list[str]:
    """The command that starts this installation's window hidden in the tray, on the data folder `root`."""
    executable = executable or sys.executable
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if frozen:
        folder = Path(executable).parent
        windowed = folder / (GUI_NAME + (".exe" if os.name == "nt" else ""))
        command = [str(windowed if windowed.exists() else executable)]
    else:
        python = Path(executable)
        quiet = python.with_name("pythonw.exe")  # Windows: no console window at login
        if python.name.lower() == "python.exe" and quiet.exists():
            python = quiet
        command = [str(python), "-m", "unopim_desktop"]
    if Path(root).resolve() != data_root(None).resolve():
        command += ["--data-dir", str(root)]
    return [*command, HIDDEN_FLAG]


# -- Linux and other XDG desktops ---------------------------------------------------------------------------
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def desktop_exec(command: list[str]) -> str:
    """A command as the value of a .desktop file's Exec key: arguments with reserved characters quoted
    (with ", `, $ and \\ escaped inside), % doubled, and the value's own backslash escape applied."""
    parts = []
    for arg in command:
        if arg and not (set(arg) & _RESERVED):
            parts.append(arg)
            continue
        inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
        parts.append(f'"{inner}"')
    return " ".join(parts).replace("%", "%%").replace("\\", "\\\\")


def _desktop_unexec(value: str) -> list[str]:
    """The command back from an Exec value written by `desktop_exec`."""
    text = value.replace("\\\\", "\\").replace("%%", "%")
    out, current, quoted, escaped, started = [], [], False, False, False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted, started = not quoted, True
        elif ch == " " and not quoted:
            if current or started:
                out.append("".join(current))
            current, started = [], False
        else:
            current.append(ch)
    if current or started:
        out.append("".join(current))
    return out


class XdgAutostart:
    def __init__(self, config_home: Path | None = None) -> None:
        self._config_home = config_home

    @property
    def path(self) -> Path:
        home = self._config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return Path(home) / "autostart" / f"{APP_ID}.desktop"

    def location(self) -> str:
        return str(self.path)

    def enable(self, command: list[str]) -> None:
        text = "\n".join([
            "[Desktop Entry]", "Type=Application", f"Name={ENTRY_NAME}",
            "Comment=Keeps the catalogue in sync: starts in the tray at login (UnoPim Desktop → General "
            "settings → Start at login)",
            f"Exec={desktop_exec(command)}", "Icon=unopim-desktop", "Terminal=false", "NoDisplay=false",
            "X-GNOME-Autostart-enabled=true", f"X-UnoPim-Desktop={APP_ID}", "",
        ])
        _write(self.path, text.encode("utf-8"))

    def disable(self) -> bool:
        return _remove(self.path)

    def command(self) -> list[str] | None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        value = next((line[5:] for line in lines if line.startswith("Exec=")), None)
        return _desktop_unexec(value) if value is not None else None


# -- macOS ---------------------------------------------------------------------------------------------------
class LaunchAgent:
    def __init__(self, home: Path | None = None) -> None:
        self._home = home

    @property
    def path(self) -> Path:
        return Path(self._home or Path.home()) / "Library" / "LaunchAgents" / f"{APP_ID}.plist"

    def location(self) -> str:
        return str(self.path)

    def enable(self, command: list[str]) -> None:
        plist = {"Label": APP_ID, "ProgramArguments": command, "RunAtLoad": True, "ProcessType": "Interactive",
                 "LimitLoadToSessionType": "Aqua"}
        _write(self.path, plistlib.dumps(plist))

    def disable(self) -> bool:
        return _remove(self.path)

    def command(self) -> list[str] | None:
        try:
            return list(plistlib.loads(self.path.read_bytes()).get("ProgramArguments") or []) or None
        except (OSError, ValueError, plistlib.InvalidFileException):
            return None


# -- Windows -------------------------------------------------------------------------------------------------
class Registry(Protocol):
    """The current user's Run key: read, write and delete one string value."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> bool: ...


class WinRegRunKey:
    """HKEY_CURRENT_USER\\…\\Run through `winreg` (Windows only)."""

    def get(self, name: str) -> str | None:
        import winreg  # type: ignore[import-not-found]

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                return str(winreg.QueryValueEx(key, name)[0])
        except FileNotFoundError:
            return None

    def set(self, name: str, value: str) -> None:
        import winreg  # type: ignore[import-not-found]

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> bool:
        import winreg  # type: ignore[import-not-found]

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            return False
        return True


class WindowsRunKey:
    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry or WinRegRunKey()

    def location(self) -> str:
        return f"HKEY_CURRENT_USER\\{RUN_KEY} ({ENTRY_NAME})"

    def enable(self, command: list[str]) -> None:
        try:
            self.registry.set(ENTRY_NAME, subprocess.list2cmdline(command))
        except OSError as exc:
            raise AutostartError(f"Could not write {self.location()}: {exc.strerror or exc}") from None

    def disable(self) -> bool:
        try:
            return self.registry.delete(ENTRY_NAME)
        except OSError as exc:
            raise AutostartError(f"Could not remove {self.location()}: {exc.strerror or exc}") from None

    def command(self) -> list[str] | None:
        value = self.registry.get(ENTRY_NAME)
        return _split_windows(value) if value else None


def _split_windows(value: str) -> list[str]:
    out, current, quoted = [], [], False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted:
            if current:
                out.append("".join(current))
            current = []
        else:
            current.append(ch)
    if current:
        out.append("".join(current))
    return out


def for_platform(platform: str | None = None) -> Autostart:
    platform = platform or sys.platform
    if platform.startswith("win"):
        return WindowsRunKey()
    if platform == "darwin":
        return LaunchAgent()
    return XdgAutostart()


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise AutostartError(f"Could not write {path}: {exc.strerror or exc}") from None


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise AutostartError(f"Could not remove {path}: {exc.strerror or exc}") from None
    return True
