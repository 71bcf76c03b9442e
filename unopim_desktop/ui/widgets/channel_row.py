"""One UnoPim channel's settings on the Channels & Stores tab, all inline, as the connector lays them out:
code, target store, Pull/Push, sync interval, cooldown, and the channel's locales and currencies with the
codes the store uses for them."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from unopim_desktop.app.channels import DEFAULT_DEBOUNCE_S, DEFAULT_INTERVAL, SYNC_INTERVALS
from unopim_desktop.domain import ChannelRow, StoreRow
from unopim_desktop.ui.widgets.editing import INVALID_BG, UNSAVED_BG

NO_STORE = "(no store)"
COOLDOWN_HELP = (
    "Echo protection. After a pull writes a product to the store, a push of that product is skipped for "
    "this many seconds, and the other way round. 0 turns it off (the product may then bounce between "
    "pull and push); 60 or more is advised."
)
MAX_COOLDOWN_S = 86_400


def _normalized(row: ChannelRow) -> ChannelRow:
    """Compare rows as the merchant sees them: blank map entries are the same as missing ones."""
    return replace(
        row,
        store_label=row.store_label or None,
        locale_map={k: v for k, v in row.locale_map.items() if v},
        currency_map={k: v for k, v in row.currency_map.items() if v},
    )


class ChannelRowWidget(QFrame):
    changed = Signal()

    def __init__(self, row: ChannelRow, stores: list[StoreRow], kind_names: Mapping[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_names = kind_names  # store kind -> the name a merchant knows it by
        self.original = _normalized(row)
        self.code = row.code
        self.setObjectName(f"channel_{row.code}")
        self.setFrameShape(QFrame.Shape.StyledPanel)

        self.code_edit = QLineEdit(row.code, readOnly=True)
        self.code_edit.setToolTip("The UnoPim channel code. Rename it in UnoPim, then click Refresh channels.")
        self.code_edit.setMaximumWidth(140)
        name = row.labels.get("en_US") or next(iter(row.labels.values()), "")
        self.name_label = QLabel(name if name and name != row.code else "")
        self.store = QComboBox()
        self.store.setMinimumContentsLength(16)
        self.pull = QCheckBox("Pull enabled")
        self.pull.setToolTip("Off: nothing goes from UnoPim to the store for this channel.")
        self.push = QCheckBox("Push enabled")
        self.push.setToolTip("Off: nothing goes from the store back to UnoPim for this channel.")
        self.interval = QComboBox()
        for code, label in SYNC_INTERVALS.items():
            self.interval.addItem(label + (" (default)" if code == DEFAULT_INTERVAL else ""), code)
        self.interval.setToolTip("How often this channel syncs on its own: a Pull Delta, then a Push Changed "
                                 "(Scheduled jobs tab).")
        self.cooldown = QSpinBox()
        self.cooldown.setRange(0, MAX_COOLDOWN_S)
        self.cooldown.setSuffix(" s")
        self.cooldown.setToolTip(COOLDOWN_HELP)
        self.default_locale = QComboBox()
        self.default_locale.setToolTip("Used where the store is not multilingual.")
        self.locale_edits: dict[str, QLineEdit] = {}
        self.currency_edits: dict[str, QLineEdit] = {}

        grid = QGridLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Channel"))
        top.addWidget(self.code_edit)
        top.addWidget(self.name_label)
        top.addSpacing(12)
        top.addWidget(QLabel("Store"))
        top.addWidget(self.store)
        top.addWidget(self.pull)
        top.addWidget(self.push)
        top.addStretch(1)
        grid.addLayout(top, 0, 0, 1, 2)
        timing = QHBoxLayout()
        timing.addWidget(QLabel("Sync interval"))
        timing.addWidget(self.interval)
        timing.addSpacing(12)
        timing.addWidget(QLabel("Cooldown"))
        timing.addWidget(self.cooldown)
        timing.addSpacing(12)
        timing.addWidget(QLabel("Default locale"))
        timing.addWidget(self.default_locale)
        timing.addStretch(1)
        grid.addLayout(timing, 1, 0, 1, 2)
        grid.addWidget(QLabel("Locales → store"), 2, 0)
        grid.addLayout(self._pairs(row.locales, self.locale_edits, lambda c: c.split("_")[0]), 2, 1)
        grid.addWidget(QLabel("Currencies → store"), 3, 0)
        grid.addLayout(self._pairs(row.currencies, self.currency_edits, lambda c: c), 3, 1)
        # Which locales and currencies reach the store, and how (translations, per-currency prices).
        self.reach = QLabel()
        self.reach.setObjectName(f"reach_{row.code}")
        self.reach.setWordWrap(True)
        self.reach.setTextFormat(Qt.TextFormat.RichText)
        grid.addWidget(QLabel("Reaches the store"), 4, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.reach, 4, 1)

        self.set_stores(stores)
        self.set_values(row)
        for signal in (self.store.currentIndexChanged, self.interval.currentIndexChanged,
                       self.default_locale.currentIndexChanged, self.cooldown.valueChanged):
            signal.connect(lambda _v: self._on_change())
        for box in (self.pull, self.push):
            box.toggled.connect(lambda _v: self._on_change())
        for edit in (*self.locale_edits.values(), *self.currency_edits.values()):
            edit.textChanged.connect(lambda _t: self._on_change())
        self._paint()

    @staticmethod
    def _pairs(codes: list[str], edits: dict[str, QLineEdit], suggest) -> QHBoxLayout:  # type: ignore[no-untyped-def]
        box = QHBoxLayout()
        if not codes:
            box.addWidget(QLabel("(none in this channel)"))
        for code in codes:
            edit = QLineEdit()
            edit.setObjectName(f"map_{code}")
            edit.setPlaceholderText(suggest(code))
            edit.setToolTip(f"The code the store uses for {code}; blank keeps the default ({suggest(code)}).")
            edit.setMaximumWidth(90)
            edits[code] = edit
            box.addWidget(QLabel(f"{code} →"))
            box.addWidget(edit)
        box.addStretch(1)
        return box

    # -- values --------------------------------------------------------------------------------------
    def set_stores(self, stores: list[StoreRow]) -> None:
        """Offer the active stores only. A stored target that is now inactive stays visible but greyed,
        so the merchant sees why the channel will not sync instead of it silently reading "(no store)"."""
        current = self.store.currentData() if self.store.count() else self.original.store_label or ""
        self.store.blockSignals(True)
        self.store.clear()
        self.store.addItem(NO_STORE, "")
        for s in stores:
            if s.active:
                self.store.addItem(f"{s.label} ({self.kind_names.get(s.kind, s.kind)})", s.label)
        if current and self.store.findData(current) < 0:
            known = any(s.label == current for s in stores)
            self.store.addItem(f"{current} ({'inactive' if known else 'removed'})", current)
            model = self.store.model()
            if isinstance(model, QStandardItemModel):
                model.item(self.store.count() - 1).setEnabled(False)
        self.store.setCurrentIndex(max(0, self.store.findData(current or "")))
        self.store.blockSignals(False)

    def offered_stores(self) -> list[str]:
        """Labels of the stores the merchant can pick."""
        model = self.store.model()
        return [
            str(self.store.itemData(i)) for i in range(1, self.store.count())
            if not isinstance(model, QStandardItemModel) or model.item(i).isEnabled()
        ]

    def set_values(self, row: ChannelRow) -> None:
        widgets = (self.store, self.pull, self.push, self.interval, self.cooldown, self.default_locale,
                   *self.locale_edits.values(), *self.currency_edits.values())
        for w in widgets:
            w.blockSignals(True)
        index = self.store.findData(row.store_label or "")
        self.store.setCurrentIndex(max(0, index))
        self.pull.setChecked(row.pull_enabled)
        self.push.setChecked(row.push_enabled)
        self.interval.setCurrentIndex(max(0, self.interval.findData(row.sync_interval or DEFAULT_INTERVAL)))
        self.cooldown.setValue(row.debounce_s if row.debounce_s is not None else DEFAULT_DEBOUNCE_S)
        self.default_locale.clear()
        for loc in self.original.locales:
            self.default_locale.addItem(loc, loc)
        self.default_locale.setCurrentIndex(max(0, self.default_locale.findData(row.default_locale)))
        for code, edit in self.locale_edits.items():
            edit.setText(row.locale_map.get(code, ""))
        for code, edit in self.currency_edits.items():
            edit.setText(row.currency_map.get(code, ""))
        for w in widgets:
            w.blockSignals(False)
        self._paint()

    def value(self) -> ChannelRow:
        return _normalized(replace(
            self.original,
            store_label=str(self.store.currentData() or "") or None,
            pull_enabled=self.pull.isChecked(),
            push_enabled=self.push.isChecked(),
            sync_interval=str(self.interval.currentData()),
            debounce_s=self.cooldown.value(),
            default_locale=str(self.default_locale.currentData() or ""),
            locale_map={c: e.text().strip() for c, e in self.locale_edits.items()},
            currency_map={c: e.text().strip() for c, e in self.currency_edits.items()},
        ))

    def show_reach(self, lines: list[str], warnings: list[str], note: str = "") -> None:
        """One line per locale and currency; those left out that need the merchant in amber."""
        shown = [f"<span style='color:#8a4b00'>⚠ {html.escape(x, quote=False)}</span>" if x in warnings else html.escape(x, quote=False)
                 for x in lines]
        if note:
            shown.append(f"<i>{html.escape(note, quote=False)}</i>")
        self.reach.setText("<br>".join(shown))

    def is_dirty(self) -> bool:
        return self.value() != self.original

    def mark_saved(self) -> None:
        self.original = self.value()
        self._paint()

    def mark_invalid(self) -> None:
        self._paint(INVALID_BG)

    # -- look ----------------------------------------------------------------------------------------
    def _on_change(self) -> None:
        self._paint()
        self.changed.emit()

    def _paint(self, colour: str | None = None) -> None:
        colour = colour or (UNSAVED_BG if self.is_dirty() else None)
        self.setProperty("tint", colour or "")
        name = self.objectName()
        if colour:
            self.setStyleSheet(f"QFrame#{name} {{ background: {colour}; border: 1px solid #8a6d00; border-radius: 4px; }}")
        else:
            self.setStyleSheet(f"QFrame#{name} {{ border: 1px solid #c8c8c8; border-radius: 4px; }}")
        self.setToolTip("Unsaved changes: click Save channels." if colour == UNSAVED_BG else "")
