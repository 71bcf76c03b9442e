"""One version: pyproject.toml's, read back from the package metadata by the app, the CLI and the window."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from unopim_desktop import __version__
from unopim_desktop.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_the_package_metadata_and_pyprojects(capsys):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    # After a bump, `pip install -e .` again refreshes the metadata this reads.
    assert __version__ == version("unopim-desktop") == declared
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--version"])
    assert capsys.readouterr().out.strip() == f"unopim-desktop {declared}"


def test_the_icons_are_package_data():
    from unopim_desktop.ui.icon import ICON_DIR, SIZES, icon_files

    assert [p.name for p in icon_files()] == [f"unopim-desktop-{s}.png" for s in SIZES]
    assert ICON_DIR.is_relative_to(ROOT / "unopim_desktop")
