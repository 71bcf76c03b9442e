"""General settings (On delete, Dry run, Write-back deletes, Max delete, Reconcile every, On conflict, Keep
logs, Image sync): one service for the window's Settings tab and `unopim-desktop settings`, so both
validate, save and log the same way. Also what the window remembers between starts (size, place, last tab,
the guide), and Remove all data for one UnoPim address. Close to tray, start at login and notifications
belong to this computer: `app.desktop`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import KINDS, LOGS, SETTINGS, Changed, changed
from unopim_desktop.state import repo, stores_repo, sync_repo
from unopim_desktop.stores.kind import SECRET_FIELDS
from unopim_desktop.sync.events import EventBus

log = logging.getLogger(__name__)

DEFAULTS = dict(sync_repo.GENERAL_DEFAULTS)
SWITCHES = sync_repo.SWITCHES
ON_DELETE_CHOICES = sync_repo.ON_DELETE_CHOICES
ON_DELETE_TEXT = {
    "trash": ("Trash", "The store item goes to the trash; it can be restored from there."),
    "delete": ("Delete", "The store item is deleted permanently. This cannot be undone."),
    "skip": ("Skip", "The deletion is logged and ignored; the store item stays."),
}
MAX_RETENTION_DAYS = sync_repo.MAX_RETENTION_DAYS
# The UnoPim secrets a connection keeps (app.connection's names; not imported: connection imports the client).
UNOPIM_SECRETS = ("client_secret", "password")
REMOVE_NOTE = ("Nothing is deleted in UnoPim or in the stores: only what this app keeps on this computer for "
               "this UnoPim address (its stores and channels, mappings, sync state, runs and Logs rows, and the "
               "stored secrets).")
# What the window remembers between starts (app-wide, whichever address is connected).
WINDOW_KEYS = ("window_geometry", "window_tab", "guide_hidden")

CONFLICT_RULES = sync_repo.CONFLICT_RULES
ON_CONFLICT_TEXT = {
    "unopim": ("UnoPim wins", "A field changed on both sides takes UnoPim's value; the store's is logged."),
    "store": ("Store wins", "A field changed on both sides takes the store's value; UnoPim's is logged."),
    "ask": ("Ask", "A field changed on both sides keeps both values and waits in Sync → Conflicts."),
}


class SettingsError(ValueError):
    """A value that cannot be saved; the message says which and why."""


def check_changes(changes: dict[str, str]) -> None:
    """SettingsError for the first value that cannot be saved (before anything is opened or written)."""
    if "on_delete" in changes and changes["on_delete"] not in ON_DELETE_CHOICES:
        raise SettingsError(f"On delete must be one of {', '.join(ON_DELETE_CHOICES)}.")
    if "on_conflict" in changes and changes["on_conflict"] not in CONFLICT_RULES:
        raise SettingsError(f"On conflict must be one of {', '.join(CONFLICT_RULES)}.")
    for key, check in (("reconcile_hours", sync_repo.reconcile_hours_value), ("max_delete", sync_repo.max_delete_value),
                       ("log_retention_days", sync_repo.log_retention_value)):
        if key in changes:
            try:
                check(changes[key])
            except ValueError as exc:
                raise SettingsError(str(exc)) from None
    for key in SWITCHES:
        if key in changes and str(changes[key]) not in ("0", "1"):
            raise SettingsError(f"{key.replace('_', ' ').capitalize()} must be on or off.")
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise SettingsError(f"Unknown setting(s): {', '.join(unknown)}.")


def _on(values: dict[str, str], key: str) -> str:
    return "on" if values.get(key, DEFAULTS[key]) == "1" else "off"


def summary(values: dict[str, str]) -> str:
    """The settings in one sentence (the saved banner and the Logs row)."""
    v = {**DEFAULTS, **values}
    return (f"Dry run {_on(v, 'dry_run')}, writeback delete {_on(v, 'writeback_delete')}, on delete: "
            f"{ON_DELETE_TEXT[v['on_delete']][0]}, max delete {v['max_delete']} %, reconcile every "
            f"{v['reconcile_hours']} h, on conflict: {ON_CONFLICT_TEXT[v['on_conflict']][0]}, keep logs "
            f"{v['log_retention_days']} days, image sync {_on(v, 'sync_images')}.")


@dataclass(frozen=True)
class Removed:
    """What Remove all data took away for one address."""

    address: str
    stores: int
    runs: int
    log_rows: int
    secrets: int

    @property
    def text(self) -> str:
        return (f"Removed everything this app kept for {self.address}: {self.stores} store connection(s), "
                f"{self.runs} run(s), {self.log_rows} Logs row(s) and {self.secrets} stored secret(s). Nothing "
                "was deleted in UnoPim or in the stores.")


class SettingsService:
    def __init__(self, ctx: AppContext, bus: EventBus) -> None:
        self.ctx = ctx
        self.bus = bus

    async def _address(self) -> str:
        address = await self.ctx.lane.run(repo.active_address)
        if not address:
            raise LookupError("Connect to UnoPim first (Connection tab → Test & Save).")
        return address

    async def load(self) -> dict[str, str]:
        return await self.ctx.lane.run(sync_repo.general_settings, await self._address())

    async def save(self, changes: dict[str, str]) -> dict[str, str]:
        """Validate and save the changed values (the others keep theirs); one Logs row; the values now
        stored. SettingsError when a value is refused (nothing is saved then)."""
        check_changes(changes)
        address = await self._address()
        try:
            await self.ctx.lane.run(sync_repo.save_general_settings, address, dict(changes))
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        stored = await self.ctx.lane.run(sync_repo.general_settings, address)
        await self.ctx.lane.run(repo.add_log, address, "General settings saved: " + summary(stored),
                                category="settings")
        self.bus.emit(changed(SETTINGS, LOGS))
        return stored

    # -- the window's own memory -------------------------------------------------------------------
    async def window_state(self) -> dict[str, str]:
        return {key: await self.ctx.lane.run(repo.app_value, key) for key in WINDOW_KEYS}

    async def save_window_state(self, values: dict[str, str]) -> None:
        unknown = set(values) - set(WINDOW_KEYS)
        if unknown:
            raise SettingsError(f"Unknown window value(s): {', '.join(sorted(unknown))}.")
        await self.ctx.lane.run(repo.set_app_values, dict(values))

    def window_state_sync(self) -> dict[str, str]:
        """For the window's constructor (no loop may be running yet)."""
        return {key: self.ctx.lane.run_sync(repo.app_value, key) for key in WINDOW_KEYS}

    def save_window_state_sync(self, values: dict[str, str]) -> None:
        self.ctx.lane.run_sync(repo.set_app_values, dict(values))

    # -- Remove all data -----------------------------------------------------------------------------
    async def remove_all_data(self, address: str | None = None) -> Removed:
        """Everything this app keeps for one UnoPim address (the connected one by default): its database
        rows and Logs, and the secrets stored for it and its stores. Nothing in UnoPim or the stores."""
        address = address or await self._address()
        stores = [s.label for s in await self.ctx.lane.run(stores_repo.list_stores, address)] \
            if await self.ctx.lane.run(repo.instance_info, address) else []
        secrets = 0
        for name in UNOPIM_SECRETS:
            secrets += await self._forget(address, name)
        for label in stores:
            for name in SECRET_FIELDS:
                secrets += await self._forget(f"{address}|store:{label}", name)
        gone = await self.ctx.lane.run(repo.erase_instance, address)
        log.info("removed the local data of %s: %s, %d secret(s)", address, gone, secrets)
        self.bus.emit(Changed(KINDS))  # every tab shows something that is gone
        return Removed(address, gone.get("stores", 0), gone.get("runs", 0), gone.get("log rows", 0), secrets)

    async def _forget(self, scope: str, name: str) -> int:
        try:
            if await self.ctx.secrets.aget(scope, name) is None:
                return 0
            await self.ctx.secrets.adelete(scope, name)
            return 1
        except Exception as exc:  # noqa: BLE001 (an unreadable secrets file: nothing readable to remove)
            log.warning("could not remove the secret %s of %s: %s", name, scope, exc)
            return 0
