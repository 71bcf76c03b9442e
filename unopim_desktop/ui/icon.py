"""The application icon, from the package's own data (unopim_desktop/resources/icons/).

The icons are package data, so the same lookup works from a source checkout, a pip install (editable or
not) and the PyInstaller bundle (build.spec ships the folder beside the package's code).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICON_NAME = "unopim-desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_files(folder: Path = ICON_DIR) -> list[Path]:
    return [p for size in SIZES if (p := folder / f"{ICON_NAME}-{size}.png").is_file()]


def app_icon(folder: Path = ICON_DIR) -> QIcon:
    """Every PNG size in one QIcon (Qt picks the nearest for the title bar, task bar and dock); an empty
    icon, and a log line, when the files are missing: the window then shows the platform's default."""
    icon = QIcon()
    files = icon_files(folder)
    for path in files:
        icon.addFile(str(path))
    if not files:
        log.warning("application icon not found in %s; using the platform's default", folder)
    return icon
