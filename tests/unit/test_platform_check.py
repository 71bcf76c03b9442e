"""The start-up check that replaces Qt's abort with one line naming the package to install."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.elf import needed
from unopim_desktop.ui.platform_check import (
    BASE_LIBRARIES,
    XCB_LIBRARIES,
    qt_platform,
    startup_problem,
    window_packages,
)


def missing(*sonames: str):
    return lambda soname: soname not in sonames


def test_a_missing_xcb_library_is_named_with_its_package():
    line = startup_problem({"DISPLAY": ":0"}, system="linux",
                           probe=missing("libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    assert line is not None and "\n" not in line
    assert "libxcb-icccm.so.4" in line and "libxcb-keysyms.so.1" in line
    assert line.endswith("apt-get install -y libxcb-icccm4 libxcb-keysyms1")
    assert "libxcb-cursor0" not in line  # Qt's own message names this one whatever is missing


def test_nothing_to_say_when_everything_is_there():
    assert startup_problem({"DISPLAY": ":0"}, system="linux", probe=lambda s: True) is None


@pytest.mark.parametrize("env", [{"QT_QPA_PLATFORM": "offscreen"}, {"QT_QPA_PLATFORM": "wayland"},
                                 {"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"},
                                 {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}])
def test_xcb_libraries_matter_only_when_the_platform_is_xcb(env):
    assert startup_problem(env, system="linux", probe=missing("libxcb-icccm.so.4")) is None


def test_offscreen_still_needs_the_base_libraries():
    line = startup_problem({"QT_QPA_PLATFORM": "offscreen"}, system="linux", probe=missing("libEGL.so.1"))
    assert line is not None and line.endswith("apt-get install -y libegl1")


def test_xcb_without_a_display_says_so():
    line = startup_problem({"QT_QPA_PLATFORM": "xcb"}, system="linux", probe=lambda s: True)
    assert line is not None and "DISPLAY" in line and "offscreen" in line


@pytest.mark.parametrize("system", ["win32", "darwin"])
def test_windows_and_macos_are_left_alone(system):
    assert startup_problem({}, system=system, probe=lambda s: False) is None


def test_which_platform_qt_will_try_first():
    assert qt_platform({}) == "xcb"
    assert qt_platform({"QT_QPA_PLATFORM": "xcb:nomitshm"}) == "xcb"
    assert qt_platform({"QT_QPA_PLATFORM": " Offscreen "}) == "offscreen"
    assert qt_platform({"QT_QPA_PLATFORM": "wayland;xcb"}) == "wayland"
    assert qt_platform({"XDG_SESSION_TYPE": "wayland"}) == "xcb"  # no Wayland display to talk to
    assert qt_platform({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}) == "wayland"


def test_the_readme_and_ci_install_every_package_a_window_needs():
    root = Path(__file__).resolve().parents[2]
    for doc in (root / "README.md", root / ".ci" / "run"):
        text = doc.read_text(encoding="utf-8")
        absent = [p for p in window_packages() if p not in text]
        assert absent == [], f"{doc.name} does not install {absent}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the ELF plugin of the Linux wheels")
def test_the_tables_cover_what_the_installed_qt_really_links_to():
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    bundled = {p.name for p in (qt / "lib").iterdir()}
    runtime = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libdl.so.2", "libpthread.so.0",
               "librt.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}

    def system_deps(*files: Path) -> set[str]:
        return {n for f in files for n in needed(f)} - bundled - runtime

    base = system_deps(*(qt / "lib" / f"libQt6{m}.so.6" for m in ("Core", "Gui", "Widgets", "DBus")),
                       qt / "plugins" / "platforms" / "libqoffscreen.so")
    xcb = system_deps(qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6")
    assert base - set(BASE_LIBRARIES) == set()
    assert xcb - set(BASE_LIBRARIES) - set(XCB_LIBRARIES) == set()
    assert "libxcb-icccm.so.4" in xcb and "libxcb-keysyms.so.1" in xcb  # the reader reads
