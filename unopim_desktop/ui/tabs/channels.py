"""Channels & Stores tab: the store connections (WooCommerce sites, BigCommerce stores) and one row per
UnoPim channel saying which store it syncs to and how.

Every service call is awaited on the qasync loop (network and database work stay off the GUI thread);
the delete confirmation is an inline bar, never a nested `exec()` loop inside a coroutine."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.channels import ChannelSettingsError, reach_of
from unopim_desktop.app.events import CONNECTION
from unopim_desktop.app.stores import DELETE_NOTE, StoreOutcome
from unopim_desktop.domain import ChannelRow, StoreRow
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.channel_row import ChannelRowWidget
from unopim_desktop.ui.widgets.confirm_bar import ConfirmBar
from unopim_desktop.ui.widgets.editing import CONNECT_FIRST, describe_error
from unopim_desktop.ui.widgets.store_form import StoreFormWidget
from unopim_desktop.ui.widgets.store_table import StoreTable
from unopim_desktop.ui.widgets.summary_card import SummaryCard

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)

SORT_KEYS = {0: "label", 1: "kind", 2: "url", 3: "status"}  # the Channels column has no stored order
SUMMARY_FIELDS = (("channels", "Channels"), ("stores_mapped", "Stores mapped"), ("locales", "Locales"),
                  ("currencies", "Currencies"))
NO_CHANNELS_HINT = "No channels yet: click Refresh channels to fetch channels, locales and currencies from UnoPim."


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
        self.store_rows: list[StoreRow] = []  # as listed (search + sort applied)
        self.all_stores: list[StoreRow] = []  # every store, for the channel targets
        self.channel_widgets: list[ChannelRowWidget] = []
        self._sort_column = 0
        self._descending = False
        self._list_task: asyncio.Task[Any] | None = None
        self._pending_delete: str | None = None

        self.hint = Banner()
        self.hint.setObjectName("channelsHint")
        # After the first Refresh channels: no run starts without a field mapping, so offer one.
        self.mapping_offer = ConfirmBar("Apply default mapping", "Later", name="mappingOffer")
        self.mapping_offer.confirm_button.clicked.connect(lambda: self.start(self.apply_default_mapping()))
        self.banner = Banner()
        self.banner.setObjectName("channelsBanner")

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.hint)
        layout.addWidget(self.banner)
        layout.addWidget(self.mapping_offer)
        layout.addWidget(self._build_stores_box())
        layout.addWidget(self._build_channels_box())
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._update_store_buttons()

    # -- layout ------------------------------------------------------------------------------------
    def _build_stores_box(self) -> QGroupBox:
        box = QGroupBox("Stores")
        self.search = QLineEdit(placeholderText="Search by label")
        self.search.setObjectName("storeSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._reload_list_soon())
        self.add_buttons: dict[str, QPushButton] = {}
        for name, kind in self.kinds.items():
            button = QPushButton(f"Add {kind.noun}")
            button.setObjectName(f"add_{name}")
            button.clicked.connect(lambda _c=False, name=name: self.on_add(name))
            self.add_buttons[name] = button
        self.edit_button = QPushButton("Edit")
        self.edit_button.clicked.connect(self.on_edit)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.on_delete)
        self.toggle_button = QPushButton("Set inactive")
        self.toggle_button.clicked.connect(self.on_toggle_active)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        for b in (*self.add_buttons.values(), self.edit_button, self.toggle_button, self.delete_button):
            top.addWidget(b)

        self.table = StoreTable(self.kind_names)
        self.table.horizontalHeader().sectionClicked.connect(self.on_sort)
        self.table.itemSelectionChanged.connect(self._update_store_buttons)
        self.table.doubleClicked.connect(lambda _i: self.on_edit())

        self.confirm_bar = ConfirmBar("Remove connection", name="confirmDelete")
        self.confirm_text, self.confirm_button = self.confirm_bar.text, self.confirm_bar.confirm_button
        self.confirm_button.clicked.connect(self.on_confirm_delete)
        self.confirm_bar.keep_button.clicked.connect(self._hide_confirm)

        self.form = StoreFormWidget(self.kinds)
        self.form.save_requested.connect(self.on_save_store)
        self.form.cancelled.connect(self.form.close_form)

        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.confirm_bar)
        layout.addWidget(self.form)
        return box

    def _build_channels_box(self) -> QGroupBox:
        box = QGroupBox("Channels")
        intro = QLabel(
            "Each UnoPim channel syncs to one store. Refresh channels fetches the channels, their locales and "
            "currencies from UnoPim; changes made in UnoPim reach this list only when you refresh again."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #555;")
        self.refresh_button = QPushButton("Refresh channels")
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
        self.save_button = QPushButton("Save channels")
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
        layout.addLayout(self.rows_box)
        layout.addLayout(bottom)
        return box

    # -- loading -----------------------------------------------------------------------------------
    async def load(self) -> None:
        """Fill the tab from what is saved. Quiet when nothing is connected yet: a hint, no error."""
        address = await self.app.connection.address()
        self.connected = bool(address)
        if not address:
            self.hint.show_message("info", CONNECT_FIRST)
            self._fill_store_table([])
            self._build_channel_rows([], keep_edits=False)
            return
        self.hint.clear_message()
        try:
            await self.reload_stores()
            await self.reload_channels(keep_edits=True)
        except Exception as exc:  # noqa: BLE001 (shown to the merchant, logged for us)
            log.warning("loading Channels & Stores failed: %s", exc)
            self.banner.show_message("error", describe_error(exc))

    async def reload_stores(self) -> None:
        sort = SORT_KEYS.get(self._sort_column, "label")
        self.store_rows = await self.stores.list(search=self.search.text(), sort=sort, descending=self._descending)
        self.all_stores = await self.stores.list() if self.search.text().strip() else list(self.store_rows)
        self._fill_store_table(self.store_rows)
        for w in self.channel_widgets:
            w.set_stores(self.all_stores)
        self._update_unsaved()

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

    def _reload_list_soon(self) -> None:
        # Typing in the search box: only the latest query matters.
        if self._list_task is not None and not self._list_task.done():
            self._list_task.cancel()
        if self.connected:
            self._list_task = self.start(self._reload_stores_quietly())

    async def _reload_stores_quietly(self) -> None:
        try:
            await self.reload_stores()
        except (LookupError, RuntimeError) as exc:
            self.banner.show_message("error", describe_error(exc))

    # -- store list --------------------------------------------------------------------------------
    def _fill_store_table(self, rows: list[StoreRow]) -> None:
        self.table.fill(rows)
        self._update_store_buttons()

    def selected_store(self) -> StoreRow | None:
        return self.table.selected()

    def select_store(self, label: str) -> None:
        self.table.select(label)

    def _update_store_buttons(self) -> None:
        row = self.selected_store()
        for b in (self.edit_button, self.delete_button, self.toggle_button):
            b.setEnabled(row is not None)
        self.toggle_button.setText("Set active" if row is not None and not row.active else "Set inactive")

    def on_sort(self, column: int) -> None:
        if column not in SORT_KEYS:
            column = 0
        self._descending = not self._descending if column == self._sort_column else False
        self._sort_column = column
        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)
        self._reload_list_soon()

    # -- add / edit / delete / (de)activate ---------------------------------------------------------
    def on_add(self, kind: str) -> None:
        self._hide_confirm()
        self.form.open_new(kind)

    def on_edit(self) -> None:
        row = self.selected_store()
        if row is None:
            return
        self._hide_confirm()
        self.form.open_edit(row)

    def on_save_store(self) -> None:
        if not self.form.save_button.isEnabled():
            return  # one verification at a time
        self.form.set_busy(True)  # show the work at once, before the task's first step runs
        self.start(self.save_store())

    async def save_store(self) -> StoreOutcome:
        self.form.set_busy(True)
        previous = self.form.previous_label
        try:
            outcome = await self.stores.save(self.form.store_form(), previous_label=previous)
        except Exception as exc:  # noqa: BLE001 (a keychain or database failure: say it, keep the form)
            outcome = StoreOutcome(False, reason=describe_error(exc))
        finally:
            self.form.set_busy(False)
        if not outcome.ok:
            self.form.show_outcome(outcome)
            return outcome
        label = outcome.store.label if outcome.store else self.form.label.text().strip()
        self.form.close_form()
        details = []
        if outcome.info is not None:
            if outcome.info.name:
                details.append(outcome.info.name)
            if outcome.info.currency:
                details.append(f"currency {outcome.info.currency}")
            details.extend(outcome.info.notes)
        verb = "updated" if previous is not None else "added"
        text = f"Store “{label}” verified and {verb}."
        if details:
            text += " " + " · ".join(details)
        self.banner.show_message("success", text)
        await self._after_store_change(select=label)
        return outcome

    def on_delete(self) -> None:
        row = self.selected_store()
        if row is None:
            return
        self._pending_delete = row.label
        used = f" Channels using it ({', '.join(row.channels)}) will have no store." if row.channels else ""
        self.confirm_bar.ask(f"Remove the connection to “{row.label}” from UnoPim Desktop?{used}\n{DELETE_NOTE}")

    def _hide_confirm(self) -> None:
        self._pending_delete = None
        self.confirm_bar.hide()

    def on_confirm_delete(self) -> None:
        label = self._pending_delete
        self._hide_confirm()
        if label:
            self.start(self.delete_store(label))

    async def delete_store(self, label: str) -> StoreOutcome:
        try:
            outcome = await self.stores.delete(label)
        except Exception as exc:  # noqa: BLE001
            outcome = StoreOutcome(False, reason=describe_error(exc))
        if outcome.ok:
            self.banner.show_message("success", outcome.text)
            if self.form.previous_label == label:
                self.form.close_form()
            await self._after_store_change()
        else:
            self.banner.show_message("error", outcome.text)
        return outcome

    def on_toggle_active(self) -> None:
        row = self.selected_store()
        if row is not None:
            self.start(self.set_active(row.label, not row.active))

    async def set_active(self, label: str, active: bool) -> None:
        try:
            await self.stores.set_active(label, active)
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
            return
        if active:
            self.banner.show_message("success", f"Store “{label}” is active again.")
        else:
            self.banner.show_message(
                "warning", f"Store “{label}” is inactive: it is no longer offered as a channel target, and "
                "channels still pointing at it will not sync until you pick another store or activate it."
            )
        await self._after_store_change(select=label)

    async def _after_store_change(self, *, select: str | None = None) -> None:
        try:
            await self.reload_stores()
            await self.reload_summary()
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
            return
        if select:
            self.select_store(select)

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

    def on_refresh(self) -> None:
        if not self.refresh_button.isEnabled():
            return
        self._set_refreshing(True)
        self.start(self.refresh_channels())

    def _set_refreshing(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.refresh_button.setText("Refreshing…" if busy else "Refresh channels")

    async def refresh_channels(self) -> bool:
        self._set_refreshing(True)
        try:
            result = await self.channels.refresh()
            self.connected = True
            await self.reload_stores()
            await self.reload_channels(keep_edits=True)
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
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
            self.banner.show_message(
                "warning", text + " No channels came back: give the UnoPim API user a role that can read channels."
            )
        else:
            self.banner.show_message("success", text)
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
            self.banner.show_message("error", f"The default mapping could not be saved: {describe_error(exc)} "
                                              "Map the fields on the Mapping tab.")
            return False
        mapped = sum(1 for code in mapping.rows.values() if code)
        self.banner.show_message("success", f"Mapped {mapped} core fields by name and saved them. Check them on the "
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
            self.banner.show_message("error", f"Nothing was saved. {message}")
            return False
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", f"Nothing was saved. {describe_error(exc)}")
            return False
        finally:
            self.save_button.setText("Save channels")
            self.save_button.setEnabled(bool(self.channel_widgets))
        for w in self.channel_widgets:
            w.mark_saved()
        self._update_unsaved()
        self.banner.show_message("success", f"Saved the settings of {len(rows)} channel(s).")
        try:
            await self.reload_stores()  # the Channels column of the store list
            await self.reload_summary()
        except Exception as exc:  # noqa: BLE001
            log.warning("reloading after save failed: %s", exc)
        return True
