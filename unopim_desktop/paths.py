"""Where the app keeps its files: the platform's user data dir, or `--data-dir`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "UnoPimDesktop"
APP_AUTHOR = "UnoPim"
DATA_DIR_ENV = "UNOPIM_DESKTOP_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "unopim-desktop.sqlite3"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "unopim-desktop.log"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def fallback_secrets(self) -> Path:
        return self.root / "secrets.enc"

    @property
    def fallback_key(self) -> Path:
        return self.root / "secrets.key"

    def ensure(self) -> AppPaths:
        for d in (self.root, self.logs, self.backups):
            d.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """`--data-dir` wins, then $UNOPIM_DESKTOP_DATA_DIR, then the platform default."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV)
    root = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    return AppPaths(root.expanduser().resolve()).ensure()
