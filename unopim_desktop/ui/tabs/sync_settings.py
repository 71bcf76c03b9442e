"""Sync → General settings: the store-wide policy (Dry run, Writeback delete, On delete, Max delete,
Reconcile every, On conflict), as in the
connector's General Settings page. Saved per UnoPim connection; the CLI's `settings` command edits the same
values."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.settings import (
    CONFLICT_RULES,
    DEFAULTS,
    ON_CONFLICT_TEXT,
    ON_DELETE_CHOICES,
    ON_DELETE_TEXT,
    SettingsService,
    summary,
)
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.editing import CONNECT_FIRST, UNSAVED_BG, describe_error, highlight

DRY_RUN_HINT = "Every pull works out what it would change and logs it as “dry-run…”, but writes nothing."
WRITEBACK_HINT = ("Off: deletes made in the store are ignored. On: they are sent to UnoPim (with the push "
                  "pipeline). Keep it off while trying things out.")
ON_DELETE_HINT = "What the store does when UnoPim reports a product, category or attribute as deleted."
MAX_DELETE_HINT = ("A run that would delete or trash more than this share of the store's linked products (or "
                   "anything at all when the other side suddenly lists nothing) deletes nothing and asks first.")
ON_CONFLICT_HINT = ("A field changed in UnoPim and in the store since the last sync. The losing value is kept in "
                    "the Logs and in Sync → Conflicts, where each can still be chosen.")
RECONCILE_HINT = ("A changed push looks at what the store dates say changed; every this many hours it compares "
                  "everything instead, to catch renamed terms and deletes. 0: every changed push does.")


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


class GeneralSettingsPanel(QWidget):
    saved = Signal(object)  # dict[str, str]: the values now stored

    def __init__(self, service: SettingsService, start: Callable[[Coroutine[Any, Any, Any]], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._start = start  # the Sync tab's Tab.start, so wait_idle and shutdown see the task
        self.connected = False
        self.stored: dict[str, str] = dict(DEFAULTS)

        self.banner = Banner()
        self.banner.setObjectName("settingsBanner")
        self.dry_run = QCheckBox("Dry run")
        self.dry_run.setObjectName("settingDryRun")
        self.writeback_delete = QCheckBox("Writeback delete")
        self.writeback_delete.setObjectName("settingWritebackDelete")
        self.on_delete = QComboBox()
        self.on_delete.setObjectName("settingOnDelete")
        for value in ON_DELETE_CHOICES:
            title, text = ON_DELETE_TEXT[value]
            self.on_delete.addItem(title + (" (default)" if value == "trash" else ""), value)
            self.on_delete.setItemData(self.on_delete.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.reconcile_hours = QSpinBox()
        self.reconcile_hours.setObjectName("settingReconcileHours")
        self.reconcile_hours.setRange(0, 24 * 30)
        self.reconcile_hours.setSuffix(" h")
        self.max_delete = QSpinBox()
        self.max_delete.setObjectName("settingMaxDelete")
        self.max_delete.setRange(0, 100)
        self.max_delete.setSuffix(" %")
        self.on_conflict = QComboBox()
        self.on_conflict.setObjectName("settingOnConflict")
        for value in CONFLICT_RULES:
            title, text = ON_CONFLICT_TEXT[value]
            self.on_conflict.addItem(title + (" (default)" if value == "unopim" else ""), value)
            self.on_conflict.setItemData(self.on_conflict.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.on_delete_note = _note("")
        self.on_delete_note.setObjectName("onDeleteNote")
        self.save_button = QPushButton("Save settings")
        self.save_button.setObjectName("saveGeneralSettings")
        self.save_button.clicked.connect(self.on_save)
        self.dry_run.toggled.connect(lambda _on: self._mark())
        self.writeback_delete.toggled.connect(lambda _on: self._mark())
        self.on_delete.currentIndexChanged.connect(lambda _i: self._mark())
        self.reconcile_hours.valueChanged.connect(lambda _v: self._mark())
        self.max_delete.valueChanged.connect(lambda _v: self._mark())
        self.on_conflict.currentIndexChanged.connect(lambda _i: self._mark())

        form = QFormLayout()
        form.addRow(self.dry_run)
        form.addRow(_note(DRY_RUN_HINT))
        form.addRow(self.writeback_delete)
        form.addRow(_note(WRITEBACK_HINT))
        on_delete_row = QHBoxLayout()
        on_delete_row.addWidget(self.on_delete)
        on_delete_row.addStretch(1)
        form.addRow("On delete", on_delete_row)
        form.addRow(_note(ON_DELETE_HINT))
        form.addRow(self.on_delete_note)
        form.addRow("Max delete", self.max_delete)
        form.addRow(_note(MAX_DELETE_HINT))
        form.addRow("Reconcile every", self.reconcile_hours)
        form.addRow(_note(RECONCILE_HINT))
        form.addRow("On conflict", self.on_conflict)
        form.addRow(_note(ON_CONFLICT_HINT))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._show(self.stored)
        self.setEnabled(False)  # until a connection is known

    def add_section(self, widget: QWidget) -> None:
        """Settings of another part (the desktop side: tray, start at login), under these; they save themselves."""
        layout = self.layout()
        layout.insertWidget(layout.count() - 1, widget)  # above the closing stretch

    # -- values ------------------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        return {
            "dry_run": "1" if self.dry_run.isChecked() else "0",
            "on_delete": str(self.on_delete.currentData()),
            "writeback_delete": "1" if self.writeback_delete.isChecked() else "0",
            "reconcile_hours": str(self.reconcile_hours.value()),
            "max_delete": str(self.max_delete.value()),
            "on_conflict": str(self.on_conflict.currentData()),
        }

    @property
    def _inputs(self) -> tuple[QWidget, ...]:
        return (self.dry_run, self.writeback_delete, self.on_delete, self.reconcile_hours, self.max_delete,
                self.on_conflict)

    def _show(self, values: dict[str, str]) -> None:
        for w in self._inputs:
            w.blockSignals(True)
        self.dry_run.setChecked(values["dry_run"] == "1")
        self.writeback_delete.setChecked(values["writeback_delete"] == "1")
        self.on_delete.setCurrentIndex(max(0, self.on_delete.findData(values["on_delete"])))
        hours = values.get("reconcile_hours", "24")
        self.reconcile_hours.setValue(int(hours) if hours.isdigit() else 24)
        share = values.get("max_delete", "10")
        self.max_delete.setValue(int(share) if share.isdigit() else 10)
        self.on_conflict.setCurrentIndex(max(0, self.on_conflict.findData(values.get("on_conflict", "unopim"))))
        for w in self._inputs:
            w.blockSignals(False)
        self._mark()

    def _mark(self) -> None:
        """The connector's yellow for a value that differs from what is saved; the choice's explanation."""
        now = self.values()
        for key, widget in (("dry_run", self.dry_run), ("writeback_delete", self.writeback_delete),
                            ("on_delete", self.on_delete), ("reconcile_hours", self.reconcile_hours),
                            ("max_delete", self.max_delete), ("on_conflict", self.on_conflict)):
            highlight(widget, UNSAVED_BG if now[key] != self.stored[key] else None)
        title, text = ON_DELETE_TEXT[now["on_delete"]]
        self.on_delete_note.setText(f"{title}: {text}")

    @property
    def unsaved(self) -> bool:
        return self.values() != self.stored

    # -- load / save ---------------------------------------------------------------------------------
    async def load(self) -> None:
        """The stored values; the panel stays disabled while nothing is connected."""
        try:
            self.stored = await self.service.load()
        except LookupError:
            self.connected = False
            self.setEnabled(False)
            return
        self.connected = True
        self.setEnabled(True)
        self._show(self.stored)

    def on_save(self) -> None:
        self._start(self.save())

    async def save(self) -> bool:
        if not self.connected:
            self.banner.show_message("error", CONNECT_FIRST)
            return False
        self.save_button.setEnabled(False)
        try:
            self.stored = await self.service.save(self.values())
        except Exception as exc:  # noqa: BLE001 (shown to the merchant)
            self.banner.show_message("error", f"Not saved: {describe_error(exc)}")
            return False
        finally:
            self.save_button.setEnabled(True)
        self._show(self.stored)
        self.banner.show_message("success", "General settings saved. " + summary(self.stored))
        self.saved.emit(dict(self.stored))
        return True
