"""Mapping tab: Core fields (opens first), Attributes (per channel and locale), Categories (per channel).

The sub-tabs run their work through this tab's `start`, so `wait_idle` and shutdown see every task. The
Attributes and Categories sub-tabs ask the store for its lists, so they load when first shown."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from unopim_desktop.app.events import CHANNELS, CONNECTION, STORES
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.tabs.mapping_attributes import AttributesPanel
from unopim_desktop.ui.tabs.mapping_categories import CategoriesPanel
from unopim_desktop.ui.tabs.mapping_core import CoreFieldsPanel
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.editing import CONNECT_FIRST, describe_error

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)
NO_CHANNELS = "No channels yet: click Refresh channels on Channels & Stores, then pick a store for each channel."


class MappingTab(Tab):
    shows = frozenset({CONNECTION, CHANNELS, STORES})

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.service = service = app.mapping
        self.connected = False
        self.hint = Banner()
        self.hint.setObjectName("mappingHint")
        self.core = CoreFieldsPanel(service, self.start)
        self.attributes = AttributesPanel(service, self.start)
        self.categories = CategoriesPanel(service, self.start, quiet=self.quiet)
        self.inner = QTabWidget()
        self.inner.addTab(self.core, "Core fields")
        self.inner.addTab(self.attributes, "Attributes")
        self.inner.addTab(self.categories, "Categories")
        self.inner.currentChanged.connect(lambda _i: self._load_current())
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.inner)

    async def load(self) -> None:
        """Core fields and the channel lists. Quiet when nothing is connected yet: a hint, no error."""
        address = await self.app.connection.address()
        self.connected = bool(address)
        self.inner.setEnabled(self.connected)  # nothing to map before a connection; the hint says why
        if not address:
            self.hint.show_message("info", CONNECT_FIRST)
            return
        self.hint.clear_message()
        if not await self.reload_channels():
            # Nothing fetched from UnoPim yet: wait for Refresh channels rather than fetch behind the
            # merchant's back (the Channels & Stores tab would not know).
            return
        try:
            await self.core.reload()
        except Exception as exc:  # noqa: BLE001 (shown to the merchant, logged for us)
            log.warning("loading the core mapping failed: %s", exc)
            self.core.banner.show_message("error", describe_error(exc))

    def on_changed(self, kinds: frozenset[str]) -> None:
        if CONNECTION in kinds:
            self.start(self.load())
        elif CHANNELS in kinds:
            self.start(self.on_channels_changed())  # new attributes and families too; unsaved picks are kept
        else:
            self.start(self.reload_channels())  # a store was added or changed: the channels' targets

    async def reload_channels(self) -> bool:
        """After Refresh channels or Save channels: new channel list and targets for the sub-tabs.
        False when there are no channels (or they could not be read)."""
        try:
            rows = await self.service.channel_rows()
        except Exception as exc:  # noqa: BLE001
            self.hint.show_message("error", describe_error(exc))
            return False
        self.attributes.set_channels(rows)
        self.categories.set_channels(rows)
        if not rows:
            self.hint.show_message("info", NO_CHANNELS)
        elif self.hint.text() in (NO_CHANNELS, CONNECT_FIRST):
            self.hint.clear_message()
        # Forget what the sub-tabs loaded: a channel's store may have changed.
        self.attributes.loaded_for = None
        self.categories.loaded_for = None
        self._load_current()
        return bool(rows)

    def _load_current(self) -> None:
        current = self.inner.currentWidget()
        if current is self.attributes and self.attributes.loaded_for is None and self.attributes.selection():
            self.start(self.attributes.reload())
        elif current is self.categories and self.categories.loaded_for is None and self.categories.selection():
            self.start(self.categories.reload())

    # -- unsaved edits (the window asks before the merchant leaves) ---------------------------------------
    def unsaved_changes(self) -> list[str]:
        out = []
        core = [self.core.names.get(k, k) for k in self.core.unsaved_rows()]
        if core:
            out.append("Core fields (" + ", ".join(core) + ")")
        rows = self.attributes.unsaved_count()
        if rows and self.attributes.loaded_for:
            out.append(f"Attributes of {' / '.join(self.attributes.loaded_for)} ({rows} row(s))")
        rows = self.categories.unsaved_count()
        if rows and self.categories.loaded_for:
            out.append(f"Categories of {self.categories.loaded_for} ({rows} row(s))")
        return out

    async def save_changes(self) -> bool:
        ok = True
        if self.core.unsaved_rows():
            ok = await self.core.save() and ok
        if self.attributes.unsaved_count() and self.attributes.loaded_for:
            ok = await self.attributes.save() and ok
        if self.categories.unsaved_count() and self.categories.loaded_for:
            ok = await self.categories.save() and ok
        return ok

    def discard_changes(self) -> None:
        self.core.discard()
        if self.attributes.unsaved_count():
            self.start(self.attributes.reload())
        if self.categories.unsaved_count():
            self.start(self.categories.reload())

    async def on_channels_changed(self) -> None:
        if not self.connected:
            await self.load()
            return
        if not await self.reload_channels():
            return
        try:
            await self.core.reload()  # new attributes and families after a refresh; unsaved picks are kept
        except Exception as exc:  # noqa: BLE001
            self.core.banner.show_message("error", describe_error(exc))
