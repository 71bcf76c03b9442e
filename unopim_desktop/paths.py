"""Where the app keeps its files: the platform's user data dir, or `--data-dir`.

The folder is created readable only by the user (0700); the files in it are 0600 (the database, its
journal, the logs, the secrets, the backups). A folder the app cannot use is a `DataFolderError` that says
why in the merchant's words.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "UnoPimDesktop"
APP_AUTHOR = "UnoPim"
DATA_DIR_ENV = "UNOPIM_DESKTOP_DATA_DIR"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
# errno values that mean "no room to write": a full disk, a quota, a file-size limit.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class DataFolderError(Exception):
    """The data folder cannot be used. `problem`: "file" (a file stands there), "not_writable", "full",
    or "unusable" (any other reason, in `detail`)."""

    def __init__(self, path: Path, problem: str, detail: str = "") -> None:
        self.path = path
        self.problem = problem
        self.detail = detail
        super().__init__(f"data folder {path}: {problem}{f' ({detail})' if detail else ''}")


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
        """Create the data folder (0700 when new) and check the app may write there; DataFolderError if
        not. `logs/` and `backups/` are made when first needed (`make_private_dir`)."""
        if self.root.exists() and not self.root.is_dir():
            raise DataFolderError(self.root, "file")
        try:
            make_private_dir(self.root)
        except OSError as exc:
            raise folder_error(self.root, exc) from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise DataFolderError(self.root, "not_writable")
        return self


def make_private_dir(path: Path) -> Path:
    """`path` and its missing parents, created 0700 (an existing folder is left as it is)."""
    if not path.is_dir():
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        path.chmod(FOLDER_MODE)  # mkdir's mode is masked by the umask
    return path


def folder_error(root: Path, exc: OSError) -> DataFolderError:
    """The DataFolderError an OS error on the data folder means."""
    if exc.errno in NO_SPACE:
        return DataFolderError(root, "full", exc.strerror or "")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EROFS, errno.EPERM, errno.EACCES):
        return DataFolderError(root, "not_writable", exc.strerror or "")
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return DataFolderError(root, "file")
    return DataFolderError(root, "unusable", exc.strerror or "")


def data_root(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data folder's path, without creating it: `--data-dir` wins, then $UNOPIM_DESKTOP_DATA_DIR,
    then the platform default."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV)
    root = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    return root.expanduser().resolve()


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    return AppPaths(data_root(data_dir)).ensure()


def private_file(path: Path) -> None:
    """Make an existing file readable by the user only (0600); a missing one is left alone."""
    try:
        if path.exists() and (path.stat().st_mode & 0o777) != FILE_MODE:
            path.chmod(FILE_MODE)
    except OSError:
        pass  # a file the user made read-only elsewhere: its content is what matters


# What the app itself puts in a data folder (so that a new folder a command failed on can be removed
# without touching anything else that may have appeared there).
APP_FILES = ("unopim-desktop.sqlite3", "unopim-desktop.sqlite3-wal", "unopim-desktop.sqlite3-shm",
             "unopim-desktop.sqlite3.lock", "secrets.enc", "secrets.key", "secrets.tmp", "secrets.enc.lock")
APP_FOLDERS = ("logs", "backups")


def first_missing(root: Path) -> Path | None:
    """The outermost folder of `root` (itself included) that does not exist yet, or None if it does."""
    if root.exists():
        return None
    top = root
    while not top.parent.exists() and top.parent != top:
        top = top.parent
    return top


def remove_new_folder(root: Path, top: Path | None = None) -> None:
    """Undo a data folder this run created: the app's own files and folders, then the folder if empty, and
    its parents up to `top` (the outermost one the run created). Best effort; never raises."""
    for name in APP_FILES:
        with contextlib.suppress(OSError):
            (root / name).unlink(missing_ok=True)
    for name in APP_FOLDERS:
        shutil.rmtree(root / name, ignore_errors=True)
    folder = root
    while True:
        try:
            folder.rmdir()
        except OSError:
            return  # something else is in it now: leave it
        if top is None or folder == top or folder.parent == folder:
            return
        folder = folder.parent
