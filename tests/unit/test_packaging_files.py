"""The installers' resources agree with each other and with the app: one freedesktop id, one icon name, and
the AppStream metadata's newest release is the version being built (the release checklist's step)."""

from __future__ import annotations

import configparser
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "resources" / "linux"


def app_id() -> str:
    import ast

    tree = ast.parse((ROOT / "unopim_desktop" / "ui" / "app.py").read_text(encoding="utf-8"))
    return next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and getattr(node.targets[0], "id", "") == "DESKTOP_ID")


def test_the_desktop_file_launches_the_windowed_executable_with_the_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(LINUX / f"{app_id()}.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Exec"], desktop["Icon"]) == ("Application", "UnoPimDesktop", "unopim-desktop")
    assert desktop["Terminal"] == "false" and desktop["Name"] == "UnoPim Desktop"


def test_the_appstream_metadata_names_the_app_and_this_version():
    component = ET.parse(LINUX / f"{app_id()}.metainfo.xml").getroot()
    assert component.findtext("id") == app_id()
    assert component.findtext("launchable") == f"{app_id()}.desktop"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    newest = component.find("releases/release")
    assert newest is not None and newest.get("version") == project["version"], "add a <release> for this version"
    assert component.findtext("project_license") == project["license"]["text"]


def test_every_build_file_uses_the_same_id_and_the_platform_icons_exist():
    for name in ("build.spec", "packaging/build.py", "packaging/linux/install.sh"):
        assert app_id() in (ROOT / name).read_text(encoding="utf-8"), name
    assert (ROOT / "resources" / "windows" / "unopim-desktop.ico").stat().st_size > 0
    assert (ROOT / "resources" / "macos" / "unopim-desktop.icns").stat().st_size > 0
