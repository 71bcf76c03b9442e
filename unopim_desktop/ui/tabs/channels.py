"""Channels & Stores tab: the store connections (WooCommerce sites, BigCommerce stores) and one row per
UnoPim channel saying which store it syncs to and how.

Every service call is awaited on the qasync loop (network and database work stay off the GUI thread);
the delete confirmation is an inline bar, never a nested `exec()` loop inside a coroutine."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.channels import ChannelSettingsError, reach_of
from unopim_desktop.app.events import CONNECTION
from unopim_desktop.domain import ChannelRow, StoreRow
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.tabs.channels_stores import StoresSection
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.channel_row import ChannelRowWidget
from unopim_desktop.ui.widgets.confirm_bar import ConfirmBar
from unopim_desktop.ui.widgets.conventions import guard_wheels, submit_on_enter
from unopim_desktop.ui.widgets.editing import CONNECT_FIRST, describe_error
from unopim_desktop.ui.widgets.summary_card import SummaryCard

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)

SUMMARY_FIELDS = (("channels", "Channels"), ("stores_mapped", "Stores mapped"), ("locales", "Locales"),
                  ("currencies", "Currencies"))
NO_CHANNELS_HINT = "No channels yet: click Refresh channels to fetch channels, locales and currencies from UnoPim."
REFRESH_TEXT = "&Refresh channels"
SAVE_TEXT = "Sa&ve channels"


class ChannelsTab(Tab):
    # Its own saves redraw what they touched; other tabs hear of them through the app's Changed events.
    shows = frozenset({CONNECTION})

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.stores = app.stores
        self.channels = app.channels
        self.kinds = {k.name: k for k in app.stores.kinds()}
        self.kind_names = {name: k.display_name for name, k in self.kinds.items()}
        self.connected = False
        self.channel_widgets: list[ChannelRowWidget] = []

        self.hint = Banner()
        self.hint.setObjectName("channelsHint")
        # After the first Refresh channels: no run starts without a field mapping, so offer one.
        self.mapping_offer = ConfirmBar("Apply default mapping", "Later", name="mappingOffer")
        self.mapping_offer.confirm_button.clicked.connect(lambda: self.start(self.apply_default_mapping()))
        # Each message appears next to what caused it: the store list's under the list, Refresh channels'
        # under its button, Save channels' beside Save channels (the page scrolls to it).
        self.stores_box = box = StoresSection(self)
        self.banner = box.banner
        # The store list's widgets and actions, where the window, the guide and the tests reach them.
        self.search, self.table, self.form, self.confirm_bar = box.search, box.table, box.form, box.confirm_bar
        self.add_buttons, self.edit_button, self.delete_button = box.add_buttons, box.edit_button, box.delete_button
        self.toggle_button, self.no_stores = box.toggle_button, box.no_stores
        self.confirm_text, self.confirm_button = box.confirm_text, box.confirm_button
        self.on_add, self.on_edit, self.on_sort, self.on_delete = box.on_add, box.on_edit, box.on_sort, box.on_delete
        self.save_store, self.delete_store, self.set_active = box.save_store, box.delete_store, box.set_active
        self.selected_store, self.select_store = box.selected_store, box.select_store
        self.refresh_banner = Banner()
        self.refresh_banner.setObjectName("refreshBanner")
        self.save_banner = Banner()
        self.save_banner.setObjectName("saveChannelsBanner")

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.hint)
        layout.addWidget(self.stores_box)
        self.channels_box = self._build_channels_box()
        layout.addWidget(self.channels_box)
        layout.addStretch(1)
        self.scroll_page(content)
        for banner in (self.banner, self.refresh_banner, self.save_banner, self.hint):
            banner.shown.connect(lambda b=banner: QTimer.singleShot(0, lambda: self._reveal(b)))

    @property
    def store_rows(self) -> list[StoreRow]:
        return self.stores_box.store_rows

    @property
    def all_stores(self) -> list[StoreRow]:
        return self.stores_box.all_stores

    def stores_listed(self) -> None:
        """The store list was reloaded: the channel rows offer the stores as they are now."""
        for w in self.channel_widgets:
            w.set_stores(self.all_stores)
        self._update_unsaved()

    async def reload_stores(self) -> None:
        await self.stores_box.reload_stores()

    def _reveal(self, widget: QWidget) -> None:
        if shiboken6.isValid(widget) and widget.isVisibleTo(self):
            self.scroll.ensureWidgetVisible(widget, 0, 40)

    def focus_channels(self) -> None:
        """Scroll to the channel rows (the guide's Add a store step, once a store exists)."""
        self._reveal(self.channels_box)
        if self.channel_widgets:
            self.channel_widgets[0].store.setFocus()

    # -- layout ------------------------------------------------------------------------------------
    def _build_channels_box(self) -> QGroupBox:
        box = QGroupBox("Channels")
        intro = QLabel(
            "Each UnoPim channel syncs to one store. Refresh channels fetches the channels, their locales and "
            "currencies from UnoPim; changes made in UnoPim reach this list only when you refresh again."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #555;")
        self.refresh_button = QPushButton(REFRESH_TEXT)
        self.refresh_button.setObjectName("refreshChannels")
        self.refresh_button.clicked.connect(self.on_refresh)
        self.summary_card = SummaryCard(SUMMARY_FIELDS)
        top = QHBoxLayout()
        top.addWidget(self.summary_card, 1)
        top.addWidget(self.refresh_button, alignment=Qt.AlignmentFlag.AlignTop)

        self.rows_box = QVBoxLayout()
        self.empty_label = QLabel(NO_CHANNELS_HINT)
        self.empty_label.setStyleSheet("color: #555;")
        self.rows_box.addWidget(self.empty_label)
        self.save_button = QPushButton(SAVE_TEXT)
        self.save_button.setObjectName("saveChannels")
        self.save_button.clicked.connect(self.on_save_channels)
        self.unsaved_label = QLabel()
        self.unsaved_label.setStyleSheet("color: #8a6d00;")
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.unsaved_label)
        bottom.addStretch(1)

        layout = QVBoxLayout(box)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.refresh_banner)
        layout.addWidget(self.mapping_offer)
        layout.addLayout(self.rows_box)
        layout.addLayout(bottom)
        layout.addWidget(self.save_banner)
        return box

    # -- loading -----------------------------------------------------------------------------------
    async def load(self) -> None:
        """Fill the tab from what is saved. Quiet when nothing is connected yet: a hint, no error."""
        address = await self.app.connection.address()
        self.connected = bool(address)
        # Nothing here can work before a connection: the actions are off and say why.
        for button in (self.refresh_button, *self.add_buttons.values(), self.search):
            button.setEnabled(self.connected)
            button.setToolTip("" if self.connected else f"Not now: {CONNECT_FIRST}")
        if not address:
            self.hint.show_message("info", CONNECT_FIRST)
            self.stores_box._fill_store_table([])
            self._build_channel_rows([], keep_edits=False)
            return
        self.hint.clear_message()
        try:
            await self.reload_stores()
            await self.reload_channels(keep_edits=True)
        except Exception as exc:  # noqa: BLE001 (shown to the merchant, logged for us)
            log.warning("loading Channels & Stores failed: %s", exc)
            self.banner.show_message("error", describe_error(exc))

    async def reload_channels(self, *, keep_edits: bool) -> None:
        rows = await self.channels.channels()
        self._build_channel_rows(rows, keep_edits=keep_edits)
        await self.reload_summary()
        if not rows:
            self.hint.show_message("info", NO_CHANNELS_HINT)
        elif self.hint.text() == NO_CHANNELS_HINT:
            self.hint.clear_message()

    async def reload_summary(self) -> None:
        summary = await self.channels.summary()
        self.summary_card.show_values(summary)

    # -- channels ----------------------------------------------------------------------------------
    def _build_channel_rows(self, rows: list[ChannelRow], *, keep_edits: bool) -> None:
        edited = {w.code: w.value() for w in self.channel_widgets if keep_edits and w.is_dirty()}
        for w in self.channel_widgets:
            self.rows_box.removeWidget(w)
            w.deleteLater()
        self.channel_widgets = []
        for row in rows:
            widget = ChannelRowWidget(row, self.all_stores, self.kind_names)
            if row.code in edited:
                # Refresh keeps the merchant's unsaved edits where the channel still has those locales.
                mine = edited[row.code]
                widget.set_values(ChannelRow(
                    code=row.code, labels=row.labels, root_category=row.root_category, locales=row.locales,
                    currencies=row.currencies, store_label=mine.store_label, pull_enabled=mine.pull_enabled,
                    push_enabled=mine.push_enabled, sync_interval=mine.sync_interval, debounce_s=mine.debounce_s,
                    default_locale=mine.default_locale if mine.default_locale in row.locales else row.default_locale,
                    locale_map={k: v for k, v in mine.locale_map.items() if k in row.locales},
                    currency_map={k: v for k, v in mine.currency_map.items() if k in row.currencies},
                ))
            widget.changed.connect(self._update_unsaved)
            guard_wheels(widget)  # scrolling the page must not pick another store under the pointer
            submit_on_enter(self.save_button, [*widget.locale_edits.values(), *widget.currency_edits.values(),
                                               widget.cooldown])  # Enter in a row: Save channels
            self.rows_box.addWidget(widget)
            self.channel_widgets.append(widget)
        self.empty_label.setVisible(not rows)
        self.save_button.setEnabled(bool(rows))
        self._update_unsaved()

    def channel_widget(self, code: str) -> ChannelRowWidget | None:
        return next((w for w in self.channel_widgets if w.code == code), None)

    def _update_unsaved(self) -> None:
        dirty = [w.code for w in self.channel_widgets if w.is_dirty()]
        self.unsaved_label.setText(f"Unsaved changes: {', '.join(dirty)}" if dirty else "")
        for w in self.channel_widgets:
            self._update_reach(w)

    def _update_reach(self, widget: ChannelRowWidget) -> None:
        """What reaches the store as the row stands (saved or not): the map edits show their effect at once."""
        reach, note = reach_of(widget.value(), self.all_stores)
        if reach is None:
            widget.show_reach([], [], note)
            return
        warned = [line for line in reach.lines() if line.split(" ", 1)[0] in reach.warnings]
        widget.show_reach(reach.lines(), warned, note)

    # -- unsaved edits (the window asks before the merchant leaves) ---------------------------------------
    def unsaved_changes(self) -> list[str]:
        return [f"channel {w.code}" for w in self.channel_widgets if w.is_dirty()]

    async def save_changes(self) -> bool:
        return await self.save_channels()

    def discard_changes(self) -> None:
        for w in self.channel_widgets:
            w.set_values(w.original)
        self._update_unsaved()

    def on_refresh(self) -> None:
        if not self.refresh_button.isEnabled():
            return
        self._set_refreshing(True)
        self.start(self.refresh_channels())

    def _set_refreshing(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.refresh_button.setText("Refreshing…" if busy else REFRESH_TEXT)

    async def refresh_channels(self) -> bool:
        self._set_refreshing(True)
        try:
            result = await self.channels.refresh()
            self.connected = True
            await self.reload_stores()
            await self.reload_channels(keep_edits=True)
        except Exception as exc:  # noqa: BLE001
            self.refresh_banner.show_message("error", describe_error(exc))
            return False
        finally:
            self._set_refreshing(False)
        self.hint.clear_message()
        text = (
            f"Refreshed from UnoPim: {result.channels} channel(s), {result.locales} active locale(s), "
            f"{result.currencies} active currenc{'y' if result.currencies == 1 else 'ies'}; "
            f"{result.attributes} attributes, {result.families} families and {result.categories} categories "
            "for the mapping."
        )
        if not result.channels:
            self.refresh_banner.show_message(
                "warning", text + " No channels came back: give the UnoPim API user a role that can read channels."
            )
        else:
            self.refresh_banner.show_message("success", text)
        if result.attributes and not await self.app.mapping.is_saved():
            self.mapping_offer.ask("No field mapping is saved yet, and no pull or push starts without one. Map "
                                   "the core fields by name now (SKU → sku, Name → name, …)? You can check and "
                                   "change every row on the Mapping tab.")
        return True

    async def apply_default_mapping(self) -> bool:
        self.mapping_offer.hide()
        try:
            mapping = await self.app.mapping.apply_defaults()
        except Exception as exc:  # noqa: BLE001 (a refused mapping says which rows; shown to the merchant)
            self.refresh_banner.show_message("error", f"The default mapping could not be saved: {describe_error(exc)} "
                                              "Map the fields on the Mapping tab.")
            return False
        mapped = sum(1 for code in mapping.rows.values() if code)
        self.refresh_banner.show_message("success", f"Mapped {mapped} core fields by name and saved them. Check them on the "
                                            "Mapping tab before the first Pull Full.")
        return True

    def on_save_channels(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.save_button.setEnabled(False)
        self.save_button.setText("Saving…")
        self.start(self.save_channels())

    async def save_channels(self) -> bool:
        rows = [w.value() for w in self.channel_widgets]
        try:
            await self.channels.save(rows)
        except ChannelSettingsError as exc:
            message = str(exc)
            code = message.split(":", 1)[0]
            widget = self.channel_widget(code)
            if widget is not None:
                widget.mark_invalid()
            self.save_banner.show_message("error", f"Nothing was saved. {message}")
            return False
        except Exception as exc:  # noqa: BLE001
            self.save_banner.show_message("error", f"Nothing was saved. {describe_error(exc)}")
            return False
        finally:
            self.save_button.setText(SAVE_TEXT)
            self.save_button.setEnabled(bool(self.channel_widgets))
        for w in self.channel_widgets:
            w.mark_saved()
        self._update_unsaved()
        self.save_banner.show_message("success", f"Saved the settings of {len(rows)} channel(s).")
        try:
            await self.reload_stores()  # the Channels column of the store list
            await self.reload_summary()
        except Exception as exc:  # noqa: BLE001
            log.warning("reloading after save failed: %s", exc)
        return True
