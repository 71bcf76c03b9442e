"""Mapping → Core fields: the store's standard product fields and the UnoPim attribute feeding each one.

Universal scope (every channel and locale). The rows shown are those of one store kind (“Rows for”: the kind
of the first channel's store at first): the shared rows and the kind's own (WooCommerce's short description
and tags, BigCommerce's SEO, pricing, shipping and brand fields); each row applies to the channels whose store
holds it, and saving leaves the other kinds' rows as they were. The nine pinned rows come first, then the
dimensions. Apply defaults only fills empty rows; a refused save names each problem and keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.mapping import CoreMapping, MappingRefused, MappingService, kind_fields
from unopim_desktop.domain import AttributeDef
from unopim_desktop.mapping.fields import CORE_FIELD_BY_KEY, CORE_FIELDS
from unopim_desktop.mapping.rules import MappingProblem
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.direction import DirectionCombo
from unopim_desktop.ui.widgets.editing import (
    INVALID_BG,
    UNSAVED_BG,
    SearchableCombo,
    describe_error,
    highlight,
)

COLUMNS = ("Store field", "UnoPim attribute", "Direction", "Accepts")
UNMAPPED = "(unmapped)"
NO_FAMILY = "(none)"
FAMILY_ROW = "default_family"


def attribute_choices(attributes: dict[str, AttributeDef]) -> list[tuple[str, str]]:
    """Picker entries: the code first (what the merchant types), then the label and type to tell
    look-alikes apart."""
    return [(code, f"{code} — {a.label()} ({a.type})") for code, a in sorted(attributes.items())]


def problems_text(problems: list[MappingProblem], names: dict[str, str]) -> str:
    return "Not saved:\n" + "\n".join(f"• {names.get(p.row, p.row)}: {p.message}" for p in problems)


class CoreFieldsPanel(QWidget):
    def __init__(self, service: MappingService, start, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.service = service
        self._start = start  # Tab.start of the Mapping tab: every task is awaited by wait_idle
        self.mapping: CoreMapping | None = None
        self.saved_rows: dict[str, str] = {f.key: "" for f in CORE_FIELDS}
        self.saved_family = ""
        self.saved_directions: dict[str, str] = {}
        self.invalid: set[str] = set()
        self.names = {f.key: f.label for f in CORE_FIELDS} | {FAMILY_ROW: "Default family"}

        self.banner = Banner()
        self.banner.setObjectName("coreBanner")
        self.table = QTableWidget(len(CORE_FIELDS), len(COLUMNS))
        self.table.setObjectName("coreTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.pickers: dict[str, SearchableCombo] = {}
        self.directions: dict[str, DirectionCombo] = {}
        for i, f in enumerate(CORE_FIELDS):
            name = f.label + (" *" if f.required else "")
            item = QTableWidgetItem(name)
            item.setToolTip("Required" if f.required else ("One of the nine standard rows" if f.pinned else ""))
            self.table.setItem(i, 0, item)
            picker = SearchableCombo(UNMAPPED)
            picker.setObjectName(f"core_{f.key}")
            picker.setToolTip(f"Type 3 or more characters to search. {f.label} needs {f.hint}.")
            picker.code_changed.connect(lambda _c, key=f.key: self._on_edit(key))
            self.pickers[f.key] = picker
            self.table.setCellWidget(i, 1, picker)
            direction = DirectionCombo()
            direction.setObjectName(f"direction_{f.key}")
            direction.setEnabled(f.key != "sku")  # the SKU links both sides
            direction.currentIndexChanged.connect(lambda _i, key=f.key: self._on_edit(key))
            self.directions[f.key] = direction
            self.table.setCellWidget(i, 2, direction)
            self.table.setItem(i, 3, QTableWidgetItem(f.hint))
        self.table.setMinimumHeight(160)
        self.kind = QComboBox()
        self.kind.setObjectName("coreStoreKind")
        for k in service.store_kinds():
            self.kind.addItem(k.display_name, k.name)
        self.kind.setToolTip("The core mapping is shared by every channel; each row applies to the channels whose "
                             "store has that field. Pick a store kind to see and edit its rows.")
        self.kind_chosen = False  # picked by the merchant: a reload keeps it
        self.kind.activated.connect(lambda _i: self._on_kind(chosen=True))
        kind_form = QFormLayout()
        kind_form.addRow("Rows for", self.kind)
        self._on_kind()

        self.family = SearchableCombo(NO_FAMILY)
        self.family.setObjectName("core_default_family")
        self.family.code_changed.connect(lambda _c: self._on_edit(FAMILY_ROW))
        family_form = QFormLayout()
        family_form.addRow("Default family", self.family)
        family_note = QLabel(
            "Used when a product pushed from the store has no family. Without a product family and without a "
            "default family, the push is skipped with a “missing family” error (the product stays in the store)."
        )
        family_note.setWordWrap(True)
        family_note.setStyleSheet("color: #555;")

        self.apply_button = QPushButton("Apply defaults")
        self.apply_button.setObjectName("applyDefaults")
        self.apply_button.setToolTip("Fill every empty row with the standard UnoPim code; never overwrites a row.")
        self.apply_button.clicked.connect(lambda: self._run(self.apply_defaults))
        self.clear_button = QPushButton("Clear mapping")
        self.clear_button.clicked.connect(self.clear)
        self.save_button = QPushButton("Save mapping")
        self.save_button.setObjectName("saveCore")
        self.save_button.clicked.connect(lambda: self._run(self.save, saving=True))
        buttons = QHBoxLayout()
        for b in (self.apply_button, self.clear_button, self.save_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        intro = QLabel(
            "Standard product fields ↔ UnoPim attributes, for every channel and language. A row works both ways "
            "unless its Direction names an owner; Pull and Push are switched per channel. Rows marked * are "
            "required."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(kind_form)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(family_form)
        layout.addWidget(family_note)
        layout.addLayout(buttons)

    # -- loading -----------------------------------------------------------------------------------
    async def reload(self) -> None:
        """Load the saved mapping and the attribute list; unsaved picks survive a reload."""
        kept = {k: p.code() for k, p in self.pickers.items() if self.is_unsaved(k)}
        kept_family = self.family.code() if self.is_unsaved(FAMILY_ROW) else None
        kept_directions = {k: c.direction() for k, c in self.directions.items() if self.is_unsaved(k)}
        if not self.kind_chosen:
            in_use = await self.service.store_kinds_in_use()
            if in_use and self.kind.findData(in_use[0]) >= 0:
                self.kind.setCurrentIndex(self.kind.findData(in_use[0]))
                self._on_kind()
        mapping = await self.service.core()  # every kind's rows; those of the other kinds are hidden
        self.mapping = mapping
        self.saved_rows = dict(mapping.rows)
        self.saved_family = mapping.default_family
        self.saved_directions = dict(mapping.directions)
        for key, combo in self.directions.items():
            combo.set_direction(kept_directions.get(key, mapping.directions.get(key, "both")))
        choices = attribute_choices(mapping.attributes)
        for key, picker in self.pickers.items():
            picker.set_choices(choices, kept.get(key, mapping.rows.get(key, "")))
        self.family.set_choices([(f, f) for f in mapping.families],
                                kept_family if kept_family is not None else mapping.default_family)
        self.invalid.clear()
        self.paint()

    # -- store kind --------------------------------------------------------------------------------
    def store_kind(self) -> str:
        return str(self.kind.currentData() or "")

    def visible_keys(self) -> list[str]:
        return kind_fields(self.store_kind())

    def _on_kind(self, *, chosen: bool = False) -> None:
        """Show the rows of the chosen kind (the shared ones and its own), with what its store makes of them."""
        self.kind_chosen = self.kind_chosen or chosen
        kind = next((k for k in self.service.store_kinds() if k.name == self.store_kind()), None)
        shown = set(self.visible_keys())
        for i, f in enumerate(CORE_FIELDS):
            self.table.setRowHidden(i, f.key not in shown)
            note = kind.field_note(f.key) if kind else ""
            text = f.hint + (f"; without a value: {f.default}" if f.default else "") + (f" ({note})" if note else "")
            item = self.table.item(i, 3)
            if item is not None:
                item.setText(text)

    # -- values ------------------------------------------------------------------------------------
    def current(self) -> CoreMapping:
        """The rows of the kind shown (what Save writes; the other kinds' rows stay as saved)."""
        attributes = self.mapping.attributes if self.mapping else {}
        families = self.mapping.families if self.mapping else []
        keys = self.visible_keys()
        rows = {key: self.pickers[key].code() for key in keys}
        directions = {key: c.direction() for key, c in self.directions.items() if c.direction() != "both"}
        return CoreMapping(rows=rows, default_family=self.family.code(), attributes=attributes, families=families,
                           directions=directions, kind=self.store_kind())

    def is_unsaved(self, key: str) -> bool:
        if key == FAMILY_ROW:
            return self.family.code() != self.saved_family
        return (self.pickers[key].code() != self.saved_rows.get(key, "")
                or self.directions[key].direction() != self.saved_directions.get(key, "both"))

    def unsaved_rows(self) -> list[str]:
        """Unsaved rows of every kind (Save writes those of the kind shown) and the default family."""
        return [k for k in (*self.pickers, FAMILY_ROW) if self.is_unsaved(k)]

    def _on_edit(self, key: str) -> None:
        self.invalid.discard(key)
        self.paint()

    def paint(self) -> None:
        for i, f in enumerate(CORE_FIELDS):
            colour = INVALID_BG if f.key in self.invalid else (UNSAVED_BG if self.is_unsaved(f.key) else None)
            highlight(self.pickers[f.key], colour)
            highlight(self.directions[f.key], colour)
            for col in (0, 3):
                item = self.table.item(i, col)
                if item is not None:
                    item.setBackground(QBrush(QColor(colour)) if colour else QBrush())
        family_colour = INVALID_BG if FAMILY_ROW in self.invalid else (
            UNSAVED_BG if self.is_unsaved(FAMILY_ROW) else None)
        highlight(self.family, family_colour)

    # -- actions -----------------------------------------------------------------------------------
    def _run(self, action: Callable[[], Coroutine[Any, Any, Any]], *, saving: bool = False) -> None:
        # Show the work at once, before the task's first step runs.
        self._set_busy(True, saving=saving)
        self._start(action())

    def _set_busy(self, busy: bool, *, saving: bool = False) -> None:
        for b in (self.apply_button, self.clear_button, self.save_button):
            b.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy and saving else "Save mapping")

    async def apply_defaults(self) -> None:
        try:
            if self.mapping is None:
                await self.reload()
            proposed = await self.service.automap_core(self.current())
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
            return
        finally:
            self._set_busy(False)
        for filled in proposed.filled:
            self.pickers[filled.row].set_code(filled.attribute_code)
        parts = [f"{self.names[f.row]} ← {f.attribute_code} ({f.rule})" for f in proposed.filled]
        if proposed.default_family and not self.family.code():
            self.family.set_code(proposed.default_family)
            parts.append(f"Default family ← {proposed.default_family}")
        self.paint()
        if parts:
            rows = len(proposed.filled)
            self.banner.show_message(
                "info", f"Filled {rows} row{'s' if rows != 1 else ''}: {', '.join(parts)}. "
                "Check them, then click Save mapping."
            )
        else:
            self.banner.show_message(
                "info", "Nothing to fill: every row already has an attribute, or no UnoPim attribute matches the "
                "standard codes. Pick the remaining rows by hand."
            )

    def discard(self) -> None:
        """Put the saved mapping back on screen."""
        for key, picker in self.pickers.items():
            picker.set_code(self.saved_rows.get(key, ""))
        self.family.set_code(self.saved_family)
        self.invalid.clear()
        self.paint()

    def clear(self) -> None:
        for key in self.visible_keys():
            self.pickers[key].set_code("")
        self.invalid.clear()
        self.paint()
        self.banner.show_message("info", "All rows emptied. Click Save mapping to keep it that way.")

    async def save(self) -> bool:
        mapping = self.current()
        try:
            await self.service.save_core(mapping)
        except MappingRefused as exc:
            self.invalid = {p.row for p in exc.problems}
            self.paint()
            self.banner.show_message("error", problems_text(exc.problems, self.names))
            return False
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", f"Not saved. {describe_error(exc)}")
            return False
        finally:
            self._set_busy(False)
        self.saved_rows.update(mapping.rows)
        self.saved_family = mapping.default_family
        self.saved_directions = {k: v for k, v in self.saved_directions.items() if k not in mapping.rows}
        self.saved_directions.update({k: v for k, v in mapping.directions.items() if k in mapping.rows})
        self.invalid.clear()
        self.paint()
        mapped = sum(1 for code in mapping.rows.values() if code)
        self.banner.show_message("success", f"Mapping saved: {mapped} of {len(mapping.rows)} {self.kind.currentText()} "
                                            "fields mapped.")
        return True

    def field_label(self, key: str) -> str:
        return CORE_FIELD_BY_KEY[key].label
