"""The desktop side's General settings (Qt-free): keep running in the tray when the window closes, start at
login (the platform's autostart entry), and notify when a long manual run finishes while the window is
hidden. They belong to this computer's data folder, not to one UnoPim connection, so they are saved
app-wide; the General settings panel and `unopim-desktop settings` edit them through this service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from unopim_desktop.app.autostart import Autostart, AutostartError, launch_command
from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import LOGS, SETTINGS, changed
from unopim_desktop.state import repo, schedule_repo
from unopim_desktop.sync.events import EventBus

DEFAULTS = dict(schedule_repo.DESKTOP_DEFAULTS)
# What the merchant sets (the others are the app's own notes, e.g. that closing to the tray was explained).
EDITABLE = ("close_to_tray", "start_at_login", "notify_manual")
TITLES = {"close_to_tray": "Keep running in the tray when the window closes",
          "start_at_login": "Start at login (hidden in the tray)",
          "notify_manual": "Notify when a long manual run finishes while the window is hidden"}


class DesktopSettingsError(ValueError):
    """A value that cannot be saved, or an autostart entry that could not be written; says which and why."""


def on_off(value: str) -> str:
    return {"1": "on", "0": "off"}.get(value, "default")


class DesktopService:
    def __init__(self, ctx: AppContext, bus: EventBus, autostart: Autostart,
                 command: Callable[[Path], list[str]] = launch_command) -> None:
        self.ctx = ctx
        self.bus = bus
        self.autostart = autostart
        self._command = command
        # Why Start at login cannot be turned on from this app (the demo's data folder is thrown away).
        self.blocked = ""

    async def load(self) -> dict[str, str]:
        return await self.ctx.lane.run(schedule_repo.desktop_settings)

    def command(self) -> list[str]:
        """What the autostart entry starts."""
        return self._command(self.ctx.paths.root)

    async def save(self, changes: dict[str, str]) -> tuple[dict[str, str], str]:
        """Validate and save; Start at login writes or removes the entry first (nothing is saved when that
        fails). The values now stored, and one sentence saying what was done (also a Logs row)."""
        for key, value in changes.items():
            if key not in EDITABLE:
                raise DesktopSettingsError(f"Unknown setting {key}.")
            if value not in ("0", "1"):
                raise DesktopSettingsError(f"{TITLES[key]} must be on or off.")
        before = await self.load()
        done = []
        if "start_at_login" in changes and changes["start_at_login"] != before["start_at_login"]:
            done.append(self._apply_autostart(changes["start_at_login"] == "1"))
        await self.ctx.lane.run(schedule_repo.save_desktop_settings, dict(changes))
        for key in ("close_to_tray", "notify_manual"):
            if key in changes and changes[key] != before[key]:
                done.append(f"{TITLES[key]}: {on_off(changes[key])}.")
        text = " ".join(done) or "Nothing changed."
        if done:
            await self.ctx.lane.run(repo.add_log, await self.ctx.lane.run(repo.active_address), text,
                                    category="settings")
            self.bus.emit(changed(SETTINGS, LOGS))
        return await self.load(), text

    def _apply_autostart(self, on: bool) -> str:
        if on and self.blocked:
            raise DesktopSettingsError(self.blocked)
        try:
            if on:
                self.autostart.enable(self.command())
                return f"Start at login on: wrote {self.autostart.location()}."
            removed = self.autostart.disable()
        except AutostartError as exc:
            raise DesktopSettingsError(str(exc)) from None
        return f"Start at login off: removed {self.autostart.location()}." if removed else "Start at login off."

    async def refresh_autostart(self) -> None:
        """At start: when Start at login is on, write the entry again if it starts something else (the app was
        moved or updated to another folder)."""
        values = await self.load()
        if values["start_at_login"] != "1" or self.blocked:
            return
        try:
            if self.autostart.command() != self.command():
                self.autostart.enable(self.command())
        except AutostartError:
            pass  # said when the merchant changes the setting; a start must not fail over it

    async def mark(self, key: str, value: str = "1") -> None:
        """Note something the app did once (e.g. said that closing keeps it running in the tray)."""
        await self.ctx.lane.run(schedule_repo.save_desktop_settings, {key: value})
