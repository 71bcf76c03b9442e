"""Mapping → Categories: the channel's store category tree (indented by depth) ↔ UnoPim categories,
per channel. Empty rows read "(unmapped)"."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.mapping import MappingRefused, MappingService, StoreCategoryNode
from unopim_desktop.domain import CategoryRow, ChannelRow
from unopim_desktop.ui.tabs.mapping_attributes import channel_text
from unopim_desktop.ui.tabs.mapping_core import problems_text
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.editing import (
    INVALID_BG,
    UNSAVED_BG,
    SearchableCombo,
    describe_error,
    highlight,
)

COLUMNS = ("Store category", "UnoPim category")
UNMAPPED = "(unmapped)"
INDENT = "    "


def category_choices(categories: list[dict]) -> list[tuple[str, str]]:
    """UnoPim categories in tree order, children indented under their parent, code first."""
    codes = {c["code"] for c in categories}
    children: dict[str, list[dict]] = {}
    for c in categories:
        parent = c.get("parent") or ""
        children.setdefault(parent if parent in codes else "", []).append(c)
    out: list[tuple[str, str]] = []

    def walk(parent: str, depth: int) -> None:
        for c in children.get(parent, []):
            labels = c.get("labels") or {}
            label = labels.get("en_US") or next(iter(labels.values()), "")
            text = f"{c['code']} — {label}" if label and label != c["code"] else c["code"]
            out.append((c["code"], "  " * depth + text))
            if c["code"] != parent:  # a category naming itself as parent must not loop
                walk(c["code"], depth + 1)

    walk("", 0)
    listed = {code for code, _text in out}
    out.extend((c["code"], c["code"]) for c in categories if c["code"] not in listed)  # parent loops
    return out


class CategoriesPanel(QWidget):
    def __init__(self, service: MappingService, start, *, quiet, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.service = service
        self._start = start
        self._quiet = quiet  # the Mapping tab's: a refresh from here keeps the picks on screen
        self.channel_rows: list[ChannelRow] = []
        self.nodes: list[StoreCategoryNode] = []
        self.pickers: list[SearchableCombo] = []
        self.saved_codes: list[str] = []
        self.saved_create_missing = True
        self.invalid: set[str] = set()
        self.loaded_for: str | None = None

        self.banner = Banner()
        self.banner.setObjectName("categoriesBanner")
        self.channel = QComboBox()
        self.channel.setObjectName("categoriesChannel")
        self.channel.currentIndexChanged.connect(lambda _i: self._on_channel())
        top = QHBoxLayout()
        top.addWidget(QLabel("Channel"))
        top.addWidget(self.channel)
        top.addStretch(1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("categoriesTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.create_missing = QCheckBox("Create missing categories on pull")
        self.create_missing.setObjectName("createMissing")
        self.create_missing.setToolTip(
            "When a product pulled from UnoPim sits in a category with no store category yet, create it in the store."
        )
        self.create_missing.toggled.connect(lambda _b: self.paint())
        self.save_button = QPushButton("Save mapping")
        self.save_button.setObjectName("saveCategories")
        self.save_button.clicked.connect(lambda: self._run(self.save, saving=True))
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.refresh_button = QPushButton("Refresh targets")
        self.refresh_button.setToolTip("Reload the UnoPim category list.")
        self.refresh_button.clicked.connect(lambda: self._run(self.refresh_targets))
        buttons = QHBoxLayout()
        for b in (self.save_button, self.clear_button, self.refresh_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.unsaved_label = QLabel()
        self.unsaved_label.setStyleSheet("color: #8a6d00;")

        intro = QLabel("Store categories ↔ UnoPim categories, per channel (each channel may expose its own tree).")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.create_missing)
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

    def select(self, channel: str) -> None:
        self.channel.blockSignals(True)
        self.channel.setCurrentIndex(max(0, self.channel.findData(channel)))
        self.channel.blockSignals(False)

    def selection(self) -> str | None:
        code = self.channel.currentData()
        return str(code) if code else None

    def _on_channel(self) -> None:
        if self.selection() != self.loaded_for:
            self._start(self.reload())

    # -- loading -----------------------------------------------------------------------------------
    async def reload(self) -> None:
        channel = self.selection()
        self.invalid.clear()
        if channel is None:
            self._fill([], [], True)
            self.loaded_for = None
            self.banner.show_message("info", "No channels yet: click Refresh channels on Channels & Stores.")
            return
        try:
            nodes = await self.service.store_category_tree(channel)
            categories = await self.service.unopim_categories()
            create_missing = await self.service.categories_create_missing(channel)
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", f"Could not load the categories: {describe_error(exc)}")
            return
        self.loaded_for = channel
        self._fill(nodes, categories, create_missing)
        row = next((r for r in self.channel_rows if r.code == channel), None)
        if row is not None and not row.store_label:
            self.banner.show_message("info", f"Channel {channel} has no store yet: pick one on Channels & Stores.")
        elif not nodes:
            self.banner.show_message("info", "The store has no categories yet.")
        else:
            self.banner.clear_message()

    def _fill(self, nodes: list[StoreCategoryNode], categories: list[dict], create_missing: bool) -> None:
        self.nodes = nodes
        self.pickers = []
        self.table.setRowCount(len(nodes))
        choices = category_choices(categories)
        for i, node in enumerate(nodes):
            item = QTableWidgetItem(INDENT * node.depth + node.name)
            item.setToolTip(f"Store category id {node.store_id}")
            self.table.setItem(i, 0, item)
            picker = SearchableCombo(UNMAPPED)
            picker.setObjectName(f"category_{node.store_id}")
            picker.set_choices(choices, node.category_code)
            picker.code_changed.connect(lambda _c: self.paint())
            self.table.setCellWidget(i, 1, picker)
            self.pickers.append(picker)
        self.saved_codes = [n.category_code for n in nodes]
        self.create_missing.blockSignals(True)
        self.create_missing.setChecked(create_missing)
        self.create_missing.blockSignals(False)
        self.saved_create_missing = create_missing
        self.paint()

    # -- values ------------------------------------------------------------------------------------
    def current_rows(self) -> list[CategoryRow]:
        return [CategoryRow(n.store_id, n.name, p.code()) for n, p in zip(self.nodes, self.pickers, strict=True)]

    def unsaved_count(self) -> int:
        rows = sum(1 for p, saved in zip(self.pickers, self.saved_codes, strict=True) if p.code() != saved)
        return rows + (self.create_missing.isChecked() != self.saved_create_missing)

    def paint(self) -> None:
        for i, (node, picker) in enumerate(zip(self.nodes, self.pickers, strict=True)):
            if node.name in self.invalid:
                colour = INVALID_BG
            else:
                colour = UNSAVED_BG if picker.code() != self.saved_codes[i] else None
            highlight(picker, colour)
            item = self.table.item(i, 0)
            if item is not None:
                item.setBackground(QBrush(QColor(colour)) if colour else QBrush())
        count = self.unsaved_count()
        self.unsaved_label.setText(f"{count} unsaved change(s): click Save mapping." if count else "")

    # -- actions -----------------------------------------------------------------------------------
    def _run(self, action: Callable[[], Coroutine[Any, Any, Any]], *, saving: bool = False) -> None:
        self._set_busy(True, saving=saving)
        self._start(action())

    def _set_busy(self, busy: bool, *, saving: bool = False) -> None:
        for b in (self.save_button, self.clear_button, self.refresh_button):
            b.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy and saving else "Save mapping")

    def clear(self) -> None:
        for p in self.pickers:
            p.set_code("")
        self.invalid.clear()
        self.paint()
        self.banner.show_message("info", "All rows set to (unmapped). Click Save mapping to keep it that way.")

    async def refresh_targets(self) -> None:
        """Fetch UnoPim's categories again; the picks on screen are kept."""
        try:
            with self._quiet():
                await self.service.refresh_unopim_lists()
            categories = await self.service.unopim_categories()
        except Exception as exc:  # noqa: BLE001
            self.banner.show_message("error", describe_error(exc))
            return
        finally:
            self._set_busy(False)
        choices = category_choices(categories)
        for p in self.pickers:
            p.set_choices(choices, p.code())
        self.paint()
        self.banner.show_message("success", f"Reloaded {len(categories)} UnoPim categories.")

    async def save(self) -> bool:
        channel = self.selection()
        rows = self.current_rows()
        create_missing = self.create_missing.isChecked()
        try:
            if channel is None:
                raise LookupError("Pick a channel first (Refresh channels on Channels & Stores).")
            await self.service.save_categories(channel, rows, create_missing=create_missing)
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
        self.saved_codes = [r.category_code for r in rows]
        self.saved_create_missing = create_missing
        self.invalid.clear()
        self.paint()
        mapped = sum(1 for r in rows if r.category_code)
        self.banner.show_message("success", f"Category mapping saved for {channel}: {mapped} of {len(rows)} mapped.")
        return True
