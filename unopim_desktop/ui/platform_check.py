"""Before Qt loads: can it open a window on this machine? Qt-free, so it can run first.

When a system library of Qt's xcb platform plugin is missing, Qt aborts the process (SIGABRT, exit 134)
with a message that names `libxcb-cursor0` whatever is really missing. Here each library the plugin
links to is probed with `dlopen` (milliseconds, no `ldd`) and a missing one becomes one line that names
the Debian/Ubuntu package to install. Linux only: the Windows and macOS wheels carry what they need.

The tables are the direct dependencies (DT_NEEDED) of PySide6's `libQt6Core/Gui/Widgets/DBus` and of the
xcb plugin (`libqxcb.so`, `libQt6XcbQpa.so.6`) that are not inside PySide6 itself, minus the C and C++
runtimes every Linux has; a test reads the installed plugin and fails when a PySide6 upgrade adds one.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# What Qt needs on any platform, offscreen included (soname → Debian/Ubuntu package).
BASE_LIBRARIES: dict[str, str] = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
}

# What the xcb platform plugin (a real window on X11, or XWayland) needs on top.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}

# Platforms that draw nothing on a screen: they need the base libraries only.
HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc", "linuxfb"}


def window_packages() -> list[str]:
    """Every package a real (xcb) window needs, sorted: what the README and `.ci/run` install."""
    return sorted(set(BASE_LIBRARIES.values()) | set(XCB_LIBRARIES.values()))


def qt_platform(env: Mapping[str, str]) -> str:
    """The platform plugin Qt will try first: $QT_QPA_PLATFORM (`xcb:option`, `wayland;xcb` lists), else
    wayland in a Wayland session, else xcb (the default of PySide6's Linux wheels)."""
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip().lower()
    if env.get("XDG_SESSION_TYPE", "").lower() == "wayland" and env.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def _bundled_dirs() -> list[Path]:
    """Where a packaged build (PyInstaller) may carry copies of system libraries."""
    base = getattr(sys, "_MEIPASS", None)
    return [Path(base)] if base else []


def can_load(soname: str) -> bool:
    """True when the dynamic loader finds `soname` (the way Qt will look for it)."""
    for folder in _bundled_dirs():
        if (folder / soname).exists():
            return True
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(sonames: Mapping[str, str], probe: Callable[[str], bool] = can_load) -> dict[str, str]:
    return {soname: package for soname, package in sonames.items() if not probe(soname)}


def startup_problem(env: Mapping[str, str] | None = None, *, system: str | None = None,
                    probe: Callable[[str], bool] = can_load) -> str | None:
    """One line saying why Qt cannot start here and what to install, or None when nothing is wrong that
    can be seen before Qt loads."""
    env = os.environ if env is None else env
    if not (system or sys.platform).startswith("linux"):
        return None
    platform = qt_platform(env)
    needed = dict(BASE_LIBRARIES)
    if platform == "xcb":
        needed.update(XCB_LIBRARIES)
    elif platform not in HEADLESS_PLATFORMS:
        return None  # wayland, eglfs, …: their own needs, and Qt's own message
    missing = missing_libraries(needed, probe)
    if missing:
        packages = " ".join(sorted(set(missing.values())))
        return (f"UnoPim Desktop cannot start: Qt needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
                f"not installed. Install (Debian/Ubuntu, as root or with sudo): apt-get install -y {packages}")
    if platform == "xcb" and not env.get("DISPLAY"):
        return ("UnoPim Desktop cannot open a window: no display (DISPLAY is not set). Start it from a desktop "
                "session, or without a window: QT_QPA_PLATFORM=offscreen, or use the commands (unopim-desktop --help).")
    return None
