"""General settings (Dry run, On delete, Write-back deletes, Max delete, Reconcile every, On conflict): one service for the Sync
tab's panel and `unopim-desktop settings`, so both validate, save and log the same way."""

from __future__ import annotations

from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import LOGS, SETTINGS, changed
from unopim_desktop.state import repo, sync_repo
from unopim_desktop.sync.events import EventBus

DEFAULTS = dict(sync_repo.GENERAL_DEFAULTS)
ON_DELETE_CHOICES = sync_repo.ON_DELETE_CHOICES
ON_DELETE_TEXT = {
    "trash": ("Trash", "The store item goes to the trash; it can be restored from there."),
    "delete": ("Delete", "The store item is deleted permanently. This cannot be undone."),
    "skip": ("Skip", "The deletion is logged and ignored; the store item stays."),
}

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
    for key, check in (("reconcile_hours", sync_repo.reconcile_hours_value), ("max_delete", sync_repo.max_delete_value)):
        if key in changes:
            try:
                check(changes[key])
            except ValueError as exc:
                raise SettingsError(str(exc)) from None


def summary(values: dict[str, str]) -> str:
    """The settings in one sentence (the saved banner and the Logs row)."""
    hours = values.get("reconcile_hours", DEFAULTS["reconcile_hours"])
    share = values.get("max_delete", DEFAULTS["max_delete"])
    return (f"Dry run {'on' if values['dry_run'] == '1' else 'off'}, writeback delete "
            f"{'on' if values['writeback_delete'] == '1' else 'off'}, on delete: "
            f"{ON_DELETE_TEXT[values['on_delete']][0]}, max delete {share} %, reconcile every {hours} h, on conflict: "
            f"{ON_CONFLICT_TEXT[values.get('on_conflict', 'unopim')][0]}.")


class SettingsService:
    def __init__(self, ctx: AppContext, bus: EventBus) -> None:
        self.ctx = ctx
        self.bus = bus

    async def _address(self) -> str:
        address = await self.ctx.lane.run(repo.active_address)
        if not address:
            raise LookupError("Connect to UnoPim first (Connection tab).")
        return address

    async def load(self) -> dict[str, str]:
        return await self.ctx.lane.run(sync_repo.general_settings, await self._address())

    async def save(self, changes: dict[str, str]) -> dict[str, str]:
        """Validate and save the changed values (the others keep theirs); one Logs row; the values now
        stored. SettingsError when a value is refused (nothing is saved then)."""
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
