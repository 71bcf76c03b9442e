"""The only module that reads or writes secrets.

Secrets go to the OS keychain through keyring, keyed by the UnoPim address (and the store label for
store keys). Where no keychain backend exists (headless Linux, CI) they go to a Fernet-encrypted file
in the data dir whose key sits in a separate file readable only by the user, and the app says so.

Keychain calls can block for a long time (an unlock prompt nobody answers), so async callers use the
`a*` methods, which run on one dedicated thread with a timeout; nothing here may run on the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from cryptography.fernet import Fernet, InvalidToken
from filelock import FileLock
from filelock import Timeout as LockTimeout

from unopim_desktop.redact import register_secret

log = logging.getLogger(__name__)

SERVICE = "unopim-desktop"
KEYCHAIN_TIMEOUT_S = 10.0
FALLBACK_WARNING = (
    "No OS keychain is available on this machine, so secrets are kept in an encrypted file in the "
    "data folder instead. Anyone who can read your user account's files can read them."
)

_KEYCHAIN_LANE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keychain")


class SecretStoreError(RuntimeError):
    """The keychain refused or timed out. The message never includes the secret."""


class SecretsUnreadable(SecretStoreError):
    """The encrypted fallback file cannot be read: its key file is missing (`problem` "key_missing") or
    damaged ("key_damaged"), or the file does not decrypt with it ("undecryptable"). Every secret in it
    must be entered again; `SecretStore.repair()` sets both files aside so that new ones can be saved."""

    def __init__(self, problem: str, data_file: Path, key_file: Path) -> None:
        self.problem = problem
        self.data_file = data_file
        self.key_file = key_file
        what = {
            "key_missing": f"its key file {key_file} is missing",
            "key_damaged": f"its key file {key_file} is damaged",
            "undecryptable": f"it does not decrypt with the key file {key_file} (one of them is damaged or "
                             "was replaced)",
        }[problem]
        super().__init__(f"The saved secrets in {data_file} cannot be read: {what}.")


def _entry_name(scope: str, name: str) -> str:
    return f"{scope}|{name}"


def _backend_is_usable(backend: keyring.backend.KeyringBackend) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return False
    if type(backend).__module__.startswith("keyring.backends.null"):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


class _EncryptedFile:
    """Fallback store: one Fernet-encrypted JSON document."""

    def __init__(self, data_file: Path, key_file: Path) -> None:
        self.data_file = data_file
        self.key_file = key_file
        self._thread_lock = threading.Lock()
        # Several processes may share the data folder: one writer at a time, and no one reads a key that
        # is still being written.
        self._file_lock = FileLock(f"{data_file}.lock", timeout=KEYCHAIN_TIMEOUT_S, mode=0o600)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with self._thread_lock:
            try:
                self._file_lock.acquire()
            except LockTimeout:
                raise SecretStoreError("Another UnoPim Desktop kept the secrets file busy; try again.") from None
            try:
                yield
            finally:
                self._file_lock.release()

    def _unreadable(self, problem: str) -> SecretsUnreadable:
        return SecretsUnreadable(problem, self.data_file, self.key_file)

    def _fernet(self) -> Fernet:
        if not self.key_file.exists():
            if self.data_file.exists():
                # A new key would never read the old file: say it is lost instead of hiding it.
                raise self._unreadable("key_missing")
            self.key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
        try:
            return Fernet(self.key_file.read_bytes().strip())
        except ValueError:  # not a Fernet key
            raise self._unreadable("key_damaged") from None

    def _load(self) -> dict[str, str]:
        if not self.data_file.exists():
            return {}
        fernet = self._fernet()
        try:
            entries = json.loads(fernet.decrypt(self.data_file.read_bytes()))
        except (InvalidToken, ValueError):
            raise self._unreadable("undecryptable") from None
        if not isinstance(entries, dict):
            raise self._unreadable("undecryptable")
        return entries

    def check(self) -> SecretsUnreadable | None:
        with self._lock():
            try:
                self._load()
            except SecretsUnreadable as exc:
                return exc
        return None

    def set_aside(self, backups: Path) -> list[Path]:
        """Move the unreadable file and its key into `backups` (a later repair may still use them) so that
        new secrets can be saved; the paths they went to."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        moved: list[Path] = []
        with self._lock():
            backups.mkdir(mode=0o700, parents=True, exist_ok=True)
            for path in (self.data_file, self.key_file):
                if path.exists():
                    target = backups / f"{path.name}.unreadable-{stamp}"
                    os.replace(path, target)
                    moved.append(target)
        return moved

    def _save(self, entries: dict[str, str]) -> None:
        token = self._fernet().encrypt(json.dumps(entries).encode())
        tmp = self.data_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(token)
        os.replace(tmp, self.data_file)

    def get(self, key: str) -> str | None:
        with self._lock():
            return self._load().get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock():
            entries = self._load()
            entries[key] = value
            self._save(entries)

    def delete(self, key: str) -> None:
        with self._lock():
            entries = self._load()
            if entries.pop(key, None) is not None:
                self._save(entries)


class SecretStore:
    """Get, set and delete secrets by (scope, name), e.g. ("https://pim.example.com", "client_secret")."""

    def __init__(self, fallback_file: Path, fallback_key: Path, *, backups: Path | None = None) -> None:
        self._fallback = _EncryptedFile(fallback_file, fallback_key)
        self._backups = backups or fallback_file.parent / "backups"
        self._use_fallback: bool | None = None

    # -- backend choice -------------------------------------------------------------------------
    def _choose(self) -> bool:
        if self._use_fallback is None:
            try:
                usable = _backend_is_usable(keyring.get_keyring())
            except Exception:  # a broken backend module must not stop the app
                usable = False
            self._use_fallback = not usable
            if self._use_fallback:
                log.warning(FALLBACK_WARNING)
        return self._use_fallback

    @property
    def uses_fallback(self) -> bool:
        return self._choose()

    @property
    def backend_name(self) -> str:
        if self._choose():
            return "encrypted file"
        backend = keyring.get_keyring()
        return getattr(backend, "name", type(backend).__name__)

    @property
    def warning(self) -> str | None:
        return FALLBACK_WARNING if self._choose() else None

    # -- blocking API (worker threads, CLI) -----------------------------------------------------
    def get(self, scope: str, name: str) -> str | None:
        key = _entry_name(scope, name)
        if self._choose():
            value = self._fallback.get(key)
        else:
            try:
                value = keyring.get_password(SERVICE, key)
            except keyring.errors.KeyringError as exc:
                raise SecretStoreError(f"The keychain refused to read {name}: {type(exc).__name__}") from None
        if value:
            register_secret(value)
        return value

    def set(self, scope: str, name: str, value: str) -> None:
        register_secret(value)
        key = _entry_name(scope, name)
        if self._choose():
            self._fallback.set(key, value)
            return
        try:
            keyring.set_password(SERVICE, key, value)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The keychain refused to store {name}: {type(exc).__name__}") from None

    def delete(self, scope: str, name: str) -> None:
        key = _entry_name(scope, name)
        if self._choose():
            self._fallback.delete(key)
            return
        try:
            keyring.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The keychain refused to delete {name}: {type(exc).__name__}") from None

    def unreadable(self) -> SecretsUnreadable | None:
        """Why the encrypted fallback file cannot be read, or None (also when the keychain is in use)."""
        return self._fallback.check() if self._choose() else None

    def repair(self) -> list[Path]:
        """If the fallback file cannot be read, set it and its key aside (to the backups folder) so that
        new secrets can be saved; the paths they were moved to ([] when nothing needed it)."""
        if self.unreadable() is None:
            return []
        moved = self._fallback.set_aside(self._backups)
        log.warning("unreadable secrets file set aside: %s", ", ".join(str(p) for p in moved))
        return moved

    # -- async API (the engine and the GUI) -----------------------------------------------------
    async def _off_thread(self, fn, *args):  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(_KEYCHAIN_LANE, fn, *args), timeout=KEYCHAIN_TIMEOUT_S
            )
        except TimeoutError:
            raise SecretStoreError(
                "The OS keychain did not answer within 10 seconds. Unlock it and try again."
            ) from None

    async def aget(self, scope: str, name: str) -> str | None:
        return await self._off_thread(self.get, scope, name)

    async def aset(self, scope: str, name: str, value: str) -> None:
        await self._off_thread(self.set, scope, name, value)

    async def adelete(self, scope: str, name: str) -> None:
        await self._off_thread(self.delete, scope, name)

    async def awarning(self) -> str | None:
        return await self._off_thread(lambda: self.warning)

    async def aunreadable(self) -> SecretsUnreadable | None:
        return await self._off_thread(self.unreadable)

    async def arepair(self) -> list[Path]:
        return await self._off_thread(self.repair)
