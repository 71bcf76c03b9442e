"""Channels & Stores → Stores: the store connections (a WooCommerce site, a BigCommerce store): search, sort,
add, edit, set inactive, delete. A store is verified against the store before it is saved; the section's
banner (under the list) says how it went. An empty list says what to do, with the buttons that do it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout

from unopim_desktop.app.stores import DELETE_NOTE, StoreOutcome
from unopim_desktop.domain import StoreRow
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.confirm_bar import ConfirmBar
from unopim_desktop.ui.widgets.editing import describe_error
from unopim_desktop.ui.widgets.empty_state import EmptyState
from unopim_desktop.ui.widgets.store_form import StoreFormWidget
from unopim_desktop.ui.widgets.store_table import StoreTable

if TYPE_CHECKING:
    from unopim_desktop.ui.tabs.channels import ChannelsTab

SORT_KEYS = {0: "label", 1: "kind", 2: "url", 3: "status"}  # the Channels column has no stored order


class StoresSection(QGroupBox):
    def __init__(self, tab: ChannelsTab) -> None:
        super().__init__("Stores")
        self.tab = tab
        self.stores = tab.app.stores
        self.kinds = tab.kinds
        self.kind_names = tab.kind_names
        self.store_rows: list[StoreRow] = []  # as listed (search + sort applied)
        self.all_stores: list[StoreRow] = []  # every store, for the channel targets
        self._sort_column = 0
        self._descending = False
        self._list_task: asyncio.Task[Any] | None = None
        self._pending_delete: str | None = None
        self.banner = Banner()
        self.banner.setObjectName("storesBanner")
        self._build()
        self._update_store_buttons()

    @property
    def connected(self) -> bool:
        return self.tab.connected

    def _build(self) -> None:
        box = self
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
        self.no_stores = EmptyState(
            "No store yet. Add the WooCommerce site or BigCommerce store this app writes your catalogue to; its "
            "credentials are checked before anything is saved.",
            [(f"Add {kind.noun}", lambda name=name: self.on_add(name)) for name, kind in self.kinds.items()],
            name="noStores")
        self.no_stores.hide()
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
        layout.addWidget(self.no_stores)
        layout.addWidget(self.banner)
        layout.addWidget(self.confirm_bar)
        layout.addWidget(self.form)


    # -- the list ----------------------------------------------------------------------------------
    async def reload_stores(self) -> None:
        sort = SORT_KEYS.get(self._sort_column, "label")
        self.store_rows = await self.stores.list(search=self.search.text(), sort=sort, descending=self._descending)
        self.all_stores = await self.stores.list() if self.search.text().strip() else list(self.store_rows)
        self._fill_store_table(self.store_rows)
        self.tab.stores_listed()

    def _reload_list_soon(self) -> None:
        # Typing in the search box: only the latest query matters.
        if self._list_task is not None and not self._list_task.done():
            self._list_task.cancel()
        if self.connected:
            self._list_task = self.tab.start(self._reload_stores_quietly())

    async def _reload_stores_quietly(self) -> None:
        try:
            await self.reload_stores()
        except (LookupError, RuntimeError) as exc:
            self.banner.show_message("error", describe_error(exc))

    # -- store list --------------------------------------------------------------------------------
    def _fill_store_table(self, rows: list[StoreRow]) -> None:
        self.table.fill(rows)
        empty = not rows and not self.search.text().strip()
        self.no_stores.setVisible(empty and self.connected)
        self.table.setVisible(not empty)
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
        self.tab.start(self.save_store())

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
            self.tab.start(self.delete_store(label))

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
            self.tab.start(self.set_active(row.label, not row.active))

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
            await self.tab.reload_summary()
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
            return
        if select:
            self.select_store(select)
