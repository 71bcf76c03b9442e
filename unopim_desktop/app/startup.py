"""What the CLI and the window say when the data folder, the database or the saved secrets cannot be used:
a reason and a fix, in the merchant's words, naming the path or the value; never an exception's name or
a stack. `explain_problem` words what can go wrong before the app runs (and some of what can go wrong
while it runs: a full disk, a busy or damaged database); `lost_secrets` says which secrets must be
entered again."""

from __future__ import annotations

from pathlib import Path

from unopim_desktop import __version__
from unopim_desktop.app.context import AppContext
from unopim_desktop.paths import AppPaths, DataFolderError, folder_error
from unopim_desktop.secrets import SecretsUnreadable
from unopim_desktop.state import repo, stores_repo
from unopim_desktop.state.db import BUSY_TIMEOUT_S, DatabaseProblem, problem_for

Explained = tuple[str, str]  # (reason, fix); the fix may be ""

ELSEWHERE = "or choose another folder with --data-dir"


def explain_problem(exc: BaseException, root: Path | None = None) -> Explained | None:
    """(reason, fix) for a data folder or database problem, or None when `exc` is none of those.
    `root` (the data folder) words the bare OS and SQLite errors a running command may meet."""
    if isinstance(exc, DataFolderError):
        return _folder(exc)
    database = AppPaths(root).database if root is not None else Path("unopim-desktop.sqlite3")
    problem = problem_for(exc, database)
    if problem is not None:
        return _database(problem)
    if isinstance(exc, OSError) and root is not None and exc.errno is not None:
        return _folder(folder_error(root, exc))
    return None


def _folder(exc: DataFolderError) -> Explained:
    path = exc.path
    if exc.problem == "file":
        return (f"The data folder {path} is a file, not a folder (or a part of that path is a file).",
                f"Move that file away, {ELSEWHERE}.")
    if exc.problem == "not_writable":
        return (f"UnoPim Desktop cannot write to its data folder {path} (permission denied).",
                f"Give your user account write access to that folder, {ELSEWHERE}.")
    if exc.problem == "full":
        return (f"There is no room to write to the data folder {path}: the disk is full, or a size limit or "
                "quota was reached.",
                f"Free some space on that disk, {ELSEWHERE}, then try again.")
    return (f"The data folder {path} cannot be used ({exc.detail or 'unknown reason'}).",
            f"Check the folder, {ELSEWHERE}.")


def _database(problem: DatabaseProblem) -> Explained:
    path = problem.path
    if problem.kind == "damaged":
        return f"The database {path} is damaged and cannot be read.", _restore(path)
    if problem.kind == "foreign":
        return (f"{path} is not an UnoPim Desktop database (another program's file is in its place).",
                _restore(path))
    if problem.kind == "newer":
        writer = f"UnoPim Desktop {problem.written_by}" if problem.written_by else "a newer UnoPim Desktop"
        use = f"UnoPim Desktop {problem.written_by} or newer" if problem.written_by else "that newer version"
        return (f"The database {path} was written by {writer} (database schema {problem.found}); this is "
                f"UnoPim Desktop {__version__}, which reads schema {problem.head} or older. Nothing was changed.",
                f"Use {use} with this data folder, {ELSEWHERE}.")
    if problem.kind == "busy":
        return (f"The database {path} stayed busy for {BUSY_TIMEOUT_S:.0f} s: another UnoPim Desktop (the "
                "window or a command) is using it.",
                "Try again when the other one has finished.")
    if problem.kind == "full":
        return (f"There is no room to write to the database {path}: the disk is full.",
                f"Free some space on that disk, {ELSEWHERE}, then try again.")
    if problem.kind == "io":
        return (f"Reading or writing the database {path} failed: the disk is full, a size limit was reached, or "
                "the disk has an error.",
                f"Free some space on that disk (or check it), {ELSEWHERE}, then try again.")
    return (f"UnoPim Desktop cannot write to the database {path} (permission denied, or a read-only disk).",
            f"Give your user account write access to it and to its folder, {ELSEWHERE}.")


def _restore(database: Path) -> str:
    """Where a good copy may be: the newest backup made before a migration, else how to start afresh."""
    backups = database.parent / "backups"
    copies = sorted(backups.glob(f"{database.stem}.v*.bak{database.suffix}"), key=lambda p: p.stat().st_mtime) \
        if backups.is_dir() else []
    if copies:
        return (f"Move it away and put the copy {copies[-1]} (made before the last upgrade) in its place, or move "
                "it away to start with an empty database.")
    return (f"There is no copy of it in {backups}; move it away to start with an empty database (then "
            "connect again).")


async def lost_secrets(ctx: AppContext, exc: SecretsUnreadable) -> Explained:
    """Why the saved secrets cannot be read, and which must be entered again (and how)."""
    info = await ctx.lane.run(repo.instance_info, None)
    needed = []
    if info is not None and info.client_id:
        needed.append(f"the UnoPim client secret and admin password (`unopim-desktop connect --url {info.address} "
                      f"--client-id {info.client_id} --username {info.username}` asks for them and repairs the "
                      "secrets file)")
        labels = [s.label for s in await ctx.lane.run(stores_repo.list_stores, info.address)]
        if labels:
            names = ", ".join(f"“{label}”" for label in labels)
            needed.append(f"then the keys of the store{'s' if len(labels) > 1 else ''} {names} (edit "
                          f"{'each' if len(labels) > 1 else 'it'} in the window, or `store delete` and `store add` "
                          "again)")
    if not needed:
        return str(exc), "Save the connection again (`unopim-desktop connect`): that repairs the secrets file."
    return str(exc), "Enter them again: " + "; ".join(needed) + "."
