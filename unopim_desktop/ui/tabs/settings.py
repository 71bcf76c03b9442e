"""Settings tab: the General settings (the connector's store-wide policy, and the app's own: Logs retention,
image sync, who wins a conflict), saved per UnoPim connection through the one settings service the CLI's `settings`
command uses too; and Remove all data for this UnoPim address.

The form is a table of rows (`ROWS`): a setting is one line there (its key, label, kind and hint)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.events import CONNECTION, SETTINGS
from unopim_desktop.app.settings import (
    CONFLICT_RULES,
    DEFAULTS,
    MAX_RETENTION_DAYS,
    ON_CONFLICT_TEXT,
    ON_DELETE_CHOICES,
    ON_DELETE_TEXT,
    REMOVE_NOTE,
    summary,
)
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.confirm_bar import ConfirmBar
from unopim_desktop.ui.widgets.conventions import guard_wheels, submit_on_enter
from unopim_desktop.ui.widgets.editing import CONNECT_FIRST, UNSAVED_BG, describe_error, highlight

if TYPE_CHECKING:
    from unopim_desktop.app.application import App


@dataclass(frozen=True)
class SettingRow:
    key: str  # the General settings key (app.settings.DEFAULTS)
    label: str  # with its mnemonic
    kind: str  # switch | choice | number
    hint: str
    section: str = "Sync"
    minimum: int = 0
    maximum: int = 100
    suffix: str = ""
    choices: tuple[tuple[str, str, str], ...] = ()  # a choice's (value, title, explanation)


ROWS: tuple[SettingRow, ...] = (
    SettingRow("on_delete", "On &delete", "choice",
               "What the store does when UnoPim reports a product, category or attribute as deleted.",
               choices=tuple((v, *ON_DELETE_TEXT[v]) for v in ON_DELETE_CHOICES)),
    SettingRow("dry_run", "D&ry run", "switch",
               "Every run works out what it would change and logs it as “dry-run…”, but writes nothing. The Sync "
               "tab's Preview shows the changes."),
    SettingRow("writeback_delete", "&Write-back deletes", "switch",
               "Off: deletes made in the store are ignored. On: a product deleted permanently in the store is "
               "deleted in UnoPim too. Keep it off while trying things out."),
    SettingRow("max_delete", "&Max delete", "number",
               "A run that would delete or trash more than this share of the store's linked products (or anything "
               "at all when the other side suddenly lists nothing) deletes nothing and asks first.", suffix=" %"),
    SettingRow("reconcile_hours", "Reconcile &every", "number",
               "A changed push trusts the store's dates; every this many hours it compares everything instead, to "
               "catch renamed terms and deletes. 0: every changed push does.", maximum=24 * 30, suffix=" h"),
    SettingRow("on_conflict", "On c&onflict", "choice",
               "A field changed in UnoPim and in the store since the last sync. The losing value is kept in the "
               "Logs and in Sync → Conflicts, where each can still be chosen.",
               choices=tuple((v, *ON_CONFLICT_TEXT[v]) for v in CONFLICT_RULES)),
    SettingRow("sync_images", "&Image sync", "switch",
               "Off: pulls and pushes leave pictures as they are (faster runs; images are not compared)."),
    SettingRow("log_retention_days", "Keep &logs", "number",
               "Logs rows older than this are removed once a day.", section="Logs", minimum=1,
               maximum=MAX_RETENTION_DAYS, suffix=" days"),
)
SECTIONS = ("Sync", "Logs")  # Desktop (this computer's: tray, login, notifications) is added by the window
SPIN_WIDTH = 120


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


class SettingsTab(Tab):
    shows = frozenset({CONNECTION, SETTINGS})
    saved = Signal(object)  # dict[str, str]: the values now stored

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.service = app.settings
        self.connected = False
        self.stored: dict[str, str] = dict(DEFAULTS)
        self.address = ""
        self.widgets: dict[str, QWidget] = {}
        self.hint = Banner()
        self.hint.setObjectName("settingsHint")

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.hint)
        forms: dict[str, QFormLayout] = {}
        for section in SECTIONS:
            box = QGroupBox(section)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
            forms[section] = form
            layout.addWidget(box)
        for row in ROWS:
            widget = self._widget(row)
            self.widgets[row.key] = widget
            form = forms[row.section]
            if isinstance(widget, QCheckBox):
                form.addRow(widget)
            else:
                label = QLabel(row.label)
                label.setBuddy(widget)
                form.addRow(label, widget)
            form.addRow(_note(row.hint))
        self.on_delete_note = _note("")
        self.on_delete_note.setObjectName("onDeleteNote")
        forms["Sync"].insertRow(2, self.on_delete_note)

        self.banner = Banner()
        self.banner.setObjectName("settingsBanner")
        self.save_button = QPushButton("&Save settings")
        self.save_button.setObjectName("saveGeneralSettings")
        self.save_button.clicked.connect(self.on_save)
        self.unsaved_label = QLabel("")
        self.unsaved_label.setStyleSheet("color: #8a6d00;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.unsaved_label)
        buttons.addStretch(1)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        self.sections = QVBoxLayout()  # other parts' settings (the window adds Desktop), saved by themselves
        layout.addLayout(self.sections)
        layout.addWidget(self._build_remove_box())
        layout.addStretch(1)
        self.scroll_page(content)
        submit_on_enter(self.save_button, list(self.widgets.values()))
        guard_wheels(content)
        self._show(self.stored)
        self._enable(False)

    def add_section(self, widget: QWidget) -> None:
        """Settings of another part (the desktop side: tray, start at login), under these; they save themselves."""
        self.sections.addWidget(widget)

    def _widget(self, row: SettingRow) -> QWidget:
        name = "setting" + "".join(part.capitalize() for part in row.key.split("_"))
        if row.kind == "switch":
            widget: QWidget = QCheckBox(row.label)
            widget.toggled.connect(lambda _on: self._mark())  # type: ignore[attr-defined]
        elif row.kind == "choice":
            widget = QComboBox()
            for value, title, text in row.choices:
                widget.addItem(title + (" (default)" if value == DEFAULTS[row.key] else ""), value)
                widget.setItemData(widget.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
            widget.currentIndexChanged.connect(lambda _i: self._mark())
        else:
            widget = QSpinBox()
            widget.setRange(row.minimum, row.maximum)
            widget.setSuffix(row.suffix)
            widget.setMaximumWidth(SPIN_WIDTH)
            widget.valueChanged.connect(lambda _v: self._mark())
        widget.setObjectName(name)
        widget.setToolTip(row.hint)
        return widget

    def _build_remove_box(self) -> QGroupBox:
        box = QGroupBox("Remove all data for this UnoPim address")
        self.remove_note = _note(REMOVE_NOTE)
        self.remove_button = QPushButton("&Remove all data…")
        self.remove_button.setObjectName("removeAllData")
        self.remove_button.clicked.connect(self.ask_remove)
        self.remove_bar = ConfirmBar("Remove all data", "Keep it", name="confirmRemoveAll")
        self.remove_bar.confirm_button.setObjectName("confirmRemoveAllData")
        self.remove_banner = Banner()
        self.remove_banner.setObjectName("removeBanner")
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(self.remove_note)
        layout.addLayout(row)
        layout.addWidget(self.remove_bar)
        layout.addWidget(self.remove_banner)
        return box

    # -- values ----------------------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        out = {}
        for key, w in self.widgets.items():
            if isinstance(w, QCheckBox):
                out[key] = "1" if w.isChecked() else "0"
            elif isinstance(w, QComboBox):
                out[key] = str(w.currentData())
            elif isinstance(w, QSpinBox):
                out[key] = str(w.value())
        return out

    def _show(self, values: dict[str, str]) -> None:
        for key, w in self.widgets.items():
            w.blockSignals(True)
            value = values.get(key, DEFAULTS[key])
            if isinstance(w, QCheckBox):
                w.setChecked(value == "1")
            elif isinstance(w, QComboBox):
                w.setCurrentIndex(max(0, w.findData(value)))
            elif isinstance(w, QSpinBox):
                w.setValue(int(value) if value.isdigit() else int(DEFAULTS[key]))
            w.blockSignals(False)
        self._mark()

    def _mark(self) -> None:
        """The connector's yellow for a value that differs from what is saved; the choice's explanation."""
        now = self.values()
        for key, widget in self.widgets.items():
            highlight(widget, UNSAVED_BG if now[key] != self.stored.get(key, DEFAULTS[key]) else None)
        title, text = ON_DELETE_TEXT[now["on_delete"]]
        self.on_delete_note.setText(f"{title}: {text}")
        changed = self.unsaved_changes()
        self.unsaved_label.setText(f"Unsaved: {', '.join(changed)}" if changed else "")

    def unsaved_changes(self) -> list[str]:
        if not self.connected:
            return []
        now = self.values()
        return [row.label.replace("&", "") for row in ROWS if now[row.key] != self.stored.get(row.key, DEFAULTS[row.key])]

    @property
    def unsaved(self) -> bool:
        return bool(self.unsaved_changes())

    async def save_changes(self) -> bool:
        return await self.save()

    def discard_changes(self) -> None:
        self._show(self.stored)

    # -- load / save -----------------------------------------------------------------------------------
    def on_changed(self, kinds: frozenset[str]) -> None:
        if CONNECTION in kinds or not self.unsaved:
            self.start(self.load())

    def _enable(self, on: bool) -> None:
        for w in (*self.widgets.values(), self.save_button, self.remove_button):
            w.setEnabled(on)

    async def load(self) -> None:
        """The stored values; the form stays disabled while nothing is connected."""
        self.address = await self.app.connection.address() or ""
        try:
            self.stored = await self.service.load()
        except LookupError:
            self.connected = False
            self._enable(False)
            self.hint.show_message("info", CONNECT_FIRST)
            self._show(dict(DEFAULTS))
            return
        self.connected = True
        self.hint.clear_message()
        self._enable(True)
        self.remove_note.setText(f"{self.address}: {REMOVE_NOTE}")
        self._show(self.stored)

    def on_save(self) -> None:
        self.start(self.save())

    async def save(self) -> bool:
        if not self.connected:
            self.banner.show_message("error", CONNECT_FIRST)
            return False
        self.save_button.setEnabled(False)
        try:
            with self.quiet():
                self.stored = await self.service.save(self.values())
        except Exception as exc:  # noqa: BLE001 (shown to the merchant)
            self.banner.show_message("error", f"Not saved: {describe_error(exc)}")
            return False
        finally:
            self.save_button.setEnabled(True)
        self._show(self.stored)
        self.banner.show_message("success", "Settings saved. " + summary(self.stored))
        self.saved.emit(dict(self.stored))
        return True

    # -- Remove all data ---------------------------------------------------------------------------------
    def ask_remove(self) -> None:
        self.remove_banner.clear_message()
        self.remove_bar.ask(f"Remove all data for {self.address}? {REMOVE_NOTE} This cannot be undone here: to "
                            "sync again, connect and set everything up anew.", then=lambda: self.start(self.remove()))

    async def remove(self) -> bool:
        try:
            removed = await self.service.remove_all_data(self.address or None)
        except Exception as exc:  # noqa: BLE001 (shown to the merchant)
            self.remove_banner.show_message("error", f"Nothing was removed: {describe_error(exc)}")
            return False
        self.remove_banner.show_message("success", removed.text)
        return True
