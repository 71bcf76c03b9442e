"""Mapping → Attributes: the store's own attributes (WooCommerce global attributes, BigCommerce option names)
and custom fields ↔ UnoPim attributes, per channel and locale.

Each row says how the value travels: as a store attribute (which can be a variant axis) or as a meta /
custom field. The rows come from what is saved plus the attributes the channel's store lists."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.mapping import MappingRefused, MappingService
from unopim_desktop.clients.errors import ApiError
from unopim_desktop.domain import AttributeDef, AttributeRow, ChannelRow
from unopim_desktop.mapping.fields import CARRIER_ATTRIBUTE, CARRIER_META
from unopim_desktop.ui.tabs.mapping_core import UNMAPPED, attribute_choices, problems_text
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.conventions import guard_wheel
from unopim_desktop.ui.widgets.direction import DirectionCombo
from unopim_desktop.ui.widgets.editing import (
    INVALID_BG,
    UNSAVED_BG,
    SearchableCombo,
    describe_error,
    highlight,
)
from unopim_desktop.ui.widgets.empty_state import EmptyState

COLUMNS = ("Store attribute / field", "UnoPim attribute", "Carried as", "Variant axis", "Direction")
CARRIER_TEXT = {CARRIER_ATTRIBUTE: "Store attribute", CARRIER_META: "Meta / custom field"}


@dataclass
class _RowWidgets:
    name: QLineEdit
    picker: SearchableCombo
    carrier: QComboBox
    axis: QCheckBox
    direction: DirectionCombo
    loaded: AttributeRow | None  # what the row held when loaded or saved; None for an added row

    def value(self) -> AttributeRow:
        return AttributeRow(self.name.text().strip(), self.picker.code(), str(self.carrier.currentData()),
                            self.axis.isChecked(), self.direction.direction())

    def unsaved(self) -> bool:
        return self.loaded is None or self.value() != self.loaded


def channel_text(row: ChannelRow) -> str:
    return f"{row.code} → {row.store_label}" if row.store_label else f"{row.code} (no store)"


class AttributesPanel(QWidget):
    def __init__(self, service: MappingService, start, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.service = service
        self._start = start
        self.channel_rows: list[ChannelRow] = []
        self.attributes: dict[str, AttributeDef] = {}
        self.rows: list[_RowWidgets] = []
        self.removed = 0  # saved rows removed since the last load/save
        self.invalid: set[str] = set()
        self.loaded_for: tuple[str, str] | None = None

        self.banner = Banner()
        self.banner.setObjectName("attributesBanner")
        self.channel = QComboBox()
        self.channel.setObjectName("attributesChannel")
        self.locale = QComboBox()
        self.locale.setObjectName("attributesLocale")
        self.channel.currentIndexChanged.connect(lambda _i: self._on_channel())
        self.locale.currentIndexChanged.connect(lambda _i: self._on_selection())
        top = QHBoxLayout()
        top.addWidget(QLabel("Channel"))
        top.addWidget(self.channel)
        top.addWidget(QLabel("Locale"))
        top.addWidget(self.locale)
        top.addStretch(1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("attributesTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(0, self.table.fontMetrics().horizontalAdvance("Store attribute / field") + 60)
        self.empty = EmptyState(
            "No attribute rows for this channel and locale yet. The store lists no attributes of its own yet (a "
            "Pull Full creates those the variants need), or none is mapped: add a row for a store attribute or "
            "a custom field, or let Auto-map fill rows from UnoPim's attribute codes and labels.",
            [("Add a row", lambda: self.add_row()), ("Auto-map", lambda: self._run(self.automap))],
            name="noAttributeRows")
        self.empty.hide()

        self.add_button = QPushButton("Add row")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button = QPushButton("Remove row")
        self.remove_button.clicked.connect(self.remove_selected)
        self.automap_button = QPushButton("Auto-map")
        self.automap_button.setObjectName("automapAttributes")
        self.automap_button.setToolTip("Fill empty rows by exact code, then case-insensitive code, then label.")
        self.automap_button.clicked.connect(lambda: self._run(self.automap))
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.save_button = QPushButton("Save mapping")
        self.save_button.setObjectName("saveAttributes")
        self.save_button.clicked.connect(lambda: self._run(self.save, saving=True))
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.automap_button, self.clear_button, self.save_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.unsaved_label = QLabel()
        self.unsaved_label.setStyleSheet("color: #8a6d00;")

        intro = QLabel(
            "Store attributes and custom fields ↔ UnoPim attributes, per channel and locale. A store attribute "
            "can be a variant axis (a select attribute with one value everywhere); free text and other values "
            "travel as meta / custom fields. Push sends mapped fields only."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(self.unsaved_label)

    # -- selection ---------------------------------------------------------------------------------
    def set_channels(self, rows: list[ChannelRow]) -> None:
        current = self.channel.currentData()
        self.channel_rows = rows
        self.channel.blockSignals(True)
        self.channel.clear()
        for r in rows:
            self.channel.addItem(channel_text(r), r.code)
        self.channel.setCurrentIndex(max(0, self.channel.findData(current)))
        self.channel.blockSignals(False)
        self._fill_locales()

    def _fill_locales(self) -> None:
        current = self.locale.currentData()
        row = self.selected_channel()
        self.locale.blockSignals(True)
        self.locale.clear()
        for loc in row.locales if row else []:
            self.locale.addItem(loc, loc)
        default = current if row and current in row.locales else (row.default_locale if row else "")
        self.locale.setCurrentIndex(max(0, self.locale.findData(default)))
        self.locale.blockSignals(False)

    def selected_channel(self) -> ChannelRow | None:
        code = self.channel.currentData()
        return next((r for r in self.channel_rows if r.code == code), None)

    def selection(self) -> tuple[str, str] | None:
        channel, locale = self.channel.currentData(), self.locale.currentData()
        return (str(channel), str(locale)) if channel and locale else None

    def select(self, channel: str, locale: str | None = None) -> None:
        """Pick a channel (and locale) without loading; call `reload()` after."""
        self.channel.blockSignals(True)
        self.channel.setCurrentIndex(max(0, self.channel.findData(channel)))
        self.channel.blockSignals(False)
        self._fill_locales()
        if locale:
            self.locale.blockSignals(True)
            self.locale.setCurrentIndex(max(0, self.locale.findData(locale)))
            self.locale.blockSignals(False)

    def _on_channel(self) -> None:
        self._fill_locales()
        self._on_selection()

    def _on_selection(self) -> None:
        if self.selection() != self.loaded_for:
            self._start(self.reload())

    # -- loading -----------------------------------------------------------------------------------
    async def reload(self) -> None:
        selection = self.selection()
        discarded = self.loaded_for if self.unsaved_count() else None
        self.invalid.clear()
        if selection is None:
            self._fill([], loaded=True)
            self.loaded_for = None
            self.banner.show_message("info", "No channels yet: click Refresh channels on Channels & Stores.")
            return
        channel, locale = selection
        try:
            self.attributes = await self.service.attributes()
            try:
                rows = await self.service.attribute_rows(channel, locale)
                note = ""
            except (ApiError, LookupError) as exc:
                rows = await self.service.attribute_rows(channel, locale, with_store=False)
                note = f"Could not list the store's attributes ({describe_error(exc)}); showing the saved rows only."
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
            return
        self.loaded_for = selection
        self._fill(rows, loaded=True)
        target = self.selected_channel()
        if note:
            self.banner.show_message("warning", note)
        elif target is not None and not target.store_label:
            self.banner.show_message(
                "info", f"Channel {channel} has no store yet: pick one on Channels & Stores to list the store's "
                "attributes. You can still add rows by hand."
            )
        elif discarded and discarded != selection:
            self.banner.show_message("info", f"Unsaved changes for {discarded[0]} / {discarded[1]} were discarded.")
        else:
            self.banner.clear_message()

    def _fill(self, rows: list[AttributeRow], *, loaded: bool) -> None:
        self.table.setRowCount(0)
        self.rows = []
        self.removed = 0
        for r in rows:
            self.add_row(r, loaded=loaded)
        self.paint()

    # -- rows --------------------------------------------------------------------------------------
    def add_row(self, row: AttributeRow | None = None, *, loaded: bool = False) -> None:
        value = row or AttributeRow("", "", CARRIER_META, False)
        name = QLineEdit(value.store_attribute, placeholderText="e.g. Color, or a custom field name")
        picker = SearchableCombo(UNMAPPED)
        picker.set_choices(attribute_choices(self.attributes), value.attribute_code)
        carrier = QComboBox()
        guard_wheel(carrier)
        for code, text in CARRIER_TEXT.items():
            carrier.addItem(text, code)
        carrier.setCurrentIndex(max(0, carrier.findData(value.carrier)))
        axis = QCheckBox()
        axis.setChecked(value.variant_axis)
        axis.setToolTip("Build the product's variants on this attribute (store attributes only).")
        direction = DirectionCombo()
        guard_wheel(direction)
        direction.set_direction(value.direction)
        widgets = _RowWidgets(name, picker, carrier, axis, direction, value if loaded else None)
        i = self.table.rowCount()
        self.table.insertRow(i)
        self.table.setCellWidget(i, 0, name)
        self.table.setCellWidget(i, 1, picker)
        self.table.setCellWidget(i, 2, carrier)
        holder = QWidget()
        box = QHBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(axis, alignment=Qt.AlignmentFlag.AlignCenter)
        self.table.setCellWidget(i, 3, holder)
        self.table.setCellWidget(i, 4, direction)
        self.rows.append(widgets)
        name.textChanged.connect(lambda _t: self.paint())
        picker.code_changed.connect(lambda _c: self.paint())
        carrier.currentIndexChanged.connect(lambda _i: self.paint())
        axis.toggled.connect(lambda _b: self.paint())
        direction.currentIndexChanged.connect(lambda _i: self.paint())
        if not loaded:
            self.paint()
            if row is None:
                name.setFocus()

    def remove_selected(self) -> None:
        indexes = sorted({i.row() for i in self.table.selectedIndexes()}
                         | ({self.table.currentRow()} if self.table.currentRow() >= 0 else set()), reverse=True)
        for i in indexes:
            if i < len(self.rows):
                if self.rows[i].loaded is not None:
                    self.removed += 1
                self.table.removeRow(i)
                del self.rows[i]
        self.paint()

    def current_rows(self) -> list[AttributeRow]:
        return [w.value() for w in self.rows]

    def unsaved_count(self) -> int:
        return sum(1 for w in self.rows if w.unsaved()) + self.removed

    def paint(self) -> None:
        for w in self.rows:
            name = w.name.text().strip()
            colour = INVALID_BG if name in self.invalid else (UNSAVED_BG if w.unsaved() else None)
            for widget in (w.name, w.picker, w.carrier, w.direction):
                highlight(widget, colour)
        count = self.unsaved_count()
        self.unsaved_label.setText(f"{count} unsaved change(s): click Save mapping." if count else "")
        empty = not self.rows and self.selection() is not None
        self.empty.setVisible(empty)
        self.table.setVisible(not empty)

    # -- actions -----------------------------------------------------------------------------------
    def _run(self, action: Callable[[], Coroutine[Any, Any, Any]], *, saving: bool = False) -> None:
        self._set_busy(True, saving=saving)
        self._start(action())

    def _set_busy(self, busy: bool, *, saving: bool = False) -> None:
        for b in (self.add_button, self.remove_button, self.automap_button, self.clear_button, self.save_button):
            b.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy and saving else "Save mapping")

    async def automap(self) -> None:
        try:
            selected = self.selection()
            rows, filled = await self.service.automap_attribute_rows(self.current_rows(),
                                                                     selected[0] if selected else "")
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
            return
        finally:
            self._set_busy(False)
        by_name = {r.store_attribute: r for r in rows}
        for w in self.rows:
            proposed = by_name.get(w.name.text().strip())
            if proposed is not None and not w.picker.code() and proposed.attribute_code:
                w.picker.set_code(proposed.attribute_code)
        self.paint()
        if filled:
            parts = ", ".join(f"{f.row} ← {f.attribute_code} ({f.rule})" for f in filled)
            self.banner.show_message("info", f"Filled {len(filled)} row{'s' if len(filled) != 1 else ''}: {parts}. "
                                     "Check them, then click Save mapping.")
        else:
            self.banner.show_message("info", "Nothing to fill: no empty row matches a UnoPim attribute code or label.")

    def clear(self) -> None:
        for w in self.rows:
            w.picker.set_code("")
            w.axis.setChecked(False)
        self.invalid.clear()
        self.paint()
        self.banner.show_message("info", "All UnoPim attributes emptied. Click Save mapping to keep it that way.")

    async def save(self) -> bool:
        selection = self.selection()
        rows = self.current_rows()
        try:
            if selection is None:
                raise LookupError("Pick a channel and a locale first (Refresh channels on Channels & Stores).")
            await self.service.save_attribute_rows(selection[0], selection[1], rows)
        except MappingRefused as exc:
            self.invalid = {p.row for p in exc.problems}
            self.paint()
            self.banner.show_message("error", problems_text(exc.problems, {}))
            return False
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", f"Not saved. {describe_error(exc)}")
            return False
        finally:
            self._set_busy(False)
        for w, r in zip(self.rows, rows, strict=True):
            w.loaded = r
        self.removed = 0
        self.invalid.clear()
        self.paint()
        mapped = sum(1 for r in rows if r.attribute_code)
        self.banner.show_message("success", f"Mapping saved for {selection[0]} / {selection[1]}: "
                                 f"{mapped} of {len(rows)} rows mapped.")
        return True
