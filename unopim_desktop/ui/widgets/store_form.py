"""The store connection form for any store kind, add or edit: the kind's registry entry says which fields
it asks for and under which labels.

The form only holds and shows values; the Channels & Stores tab runs the save (a verification against the
store) and hands the outcome back with `show_outcome`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.stores import StoreForm, StoreOutcome, form_from_row, plain_http_warning
from unopim_desktop.domain import StoreRow
from unopim_desktop.redact import MASK
from unopim_desktop.stores.kind import SECRET_FIELDS, StoreKind
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.conventions import submit_on_enter

_INVALID = "QLineEdit { border: 1px solid #a61b1b; }"
KEEP_HINT = "Stored — leave as is to keep, type a new value to replace"
# Every connection value a kind may ask for, in form order, with the label used when a kind gives none.
ROWS = (("url", "Address"), ("key", "Key"), ("secret", "Secret"), ("access_token", "Access token"),
        ("wp_user", "User"), ("wp_app_password", "Password"))
SETTING_ROWS = (("default_currency", "Default currency"), ("default_locale", "Default locale"),
                ("plugin_currencies", "Plugin currencies"))
# Settings picked from a list (the kind's `FormField.choices`): translations, the multi-currency plugin.
CHOICE_ROWS = (("translations", "Translations"), ("multi_currency", "Multi-currency plugin"))


class StoreFormWidget(QGroupBox):
    save_requested = Signal()
    cancelled = Signal()

    def __init__(self, kinds: dict[str, StoreKind], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storeForm")
        self.kinds = kinds
        self.kind: StoreKind = next(iter(kinds.values()))
        self.previous_label: str | None = None  # None: adding a new store
        self._active = True

        self.label = QLineEdit(placeholderText="e.g. Production Store")
        self.url = QLineEdit()
        self.key = QLineEdit()
        self.secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.access_token = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.wp_user = QLineEdit()
        self.wp_app_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.active = QCheckBox("Active (inactive stores are not offered as channel targets)")
        self.default_currency = QLineEdit()
        self.default_locale = QLineEdit()
        self.plugin_currencies = QLineEdit()
        self.fields = {
            "label": self.label, "url": self.url, "key": self.key, "secret": self.secret,
            "access_token": self.access_token, "wp_user": self.wp_user, "wp_app_password": self.wp_app_password,
            "default_currency": self.default_currency, "default_locale": self.default_locale,
            "plugin_currencies": self.plugin_currencies,
        }
        self.choices: dict[str, QComboBox] = {}
        for name, _label in CHOICE_ROWS:
            self.choices[name] = QComboBox()
            self.choices[name].setObjectName(f"store_{name}")
        for name, w in self.fields.items():
            w.setObjectName(f"store_{name}")
            w.textEdited.connect(lambda _t, w=w: w.setStyleSheet(""))

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.helps: dict[str, QLabel] = {}  # a kind's note under one of its fields
        self.banner = Banner()
        self.banner.setObjectName("storeFormBanner")

        # Under the address while it is plain http:// to another computer: the keys would travel unencrypted.
        self.http_warning = QLabel()
        self.http_warning.setObjectName("storeHttpWarning")
        self.http_warning.setWordWrap(True)
        self.http_warning.setStyleSheet("color: #8a4b00;")
        self.url.textChanged.connect(self._warn_plain_http)

        self.form = QFormLayout()
        self.form.addRow("Label", self.label)
        for name, label in ROWS:
            self.form.addRow(label, self.fields[name])
            if name == "url":
                self.form.addRow("", self.http_warning)
            self.helps[name] = QLabel()
            self.helps[name].setWordWrap(True)
            self.helps[name].setStyleSheet("color: #555;")
            self.form.addRow("", self.helps[name])
        self.form.addRow("Status", self.active)
        for name, label in CHOICE_ROWS:
            self.form.addRow(label, self.choices[name])
        for name, label in SETTING_ROWS:
            self.form.addRow(label, self.fields[name])
            if name == "plugin_currencies":
                self.helps[name] = QLabel()
                self.helps[name].setWordWrap(True)
                self.helps[name].setStyleSheet("color: #555;")
                self.form.addRow("", self.helps[name])

        self.save_button = QPushButton("Save store")
        self.save_button.setObjectName("saveStore")
        self.save_button.clicked.connect(self.save_requested.emit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancelled.emit)
        # Enter in a field saves the store (and verifies it), as a dialog's default button would.
        submit_on_enter(self.save_button, [*self.fields.values(), self.active])
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        self.hide()

    # -- opening -----------------------------------------------------------------------------------
    def open_new(self, kind: str) -> None:
        self.previous_label = None
        self._fill(StoreForm(kind=kind, label="", url=""))
        for w in (self.secret, self.access_token, self.wp_app_password):
            w.setPlaceholderText("")
        self.label.setFocus()

    def open_edit(self, row: StoreRow) -> None:
        self.previous_label = row.label
        form = form_from_row(row)
        self._fill(form)
        for name in SECRET_FIELDS:
            w = self.fields[name]
            w.setPlaceholderText(KEEP_HINT if getattr(form, name) == MASK else "")
            w.setToolTip(KEEP_HINT if getattr(form, name) == MASK else "")

    def _fill(self, form: StoreForm) -> None:
        self.kind = self.kinds[form.kind]
        self._active = form.active
        for name, w in self.fields.items():
            w.setText(getattr(form, name))
            w.setStyleSheet("")
        self._chosen = {name: getattr(form, name) for name, _ in CHOICE_ROWS}
        self.active.setChecked(form.active)
        self.banner.clear_message()
        self._apply_kind()
        self.show()

    def _apply_kind(self) -> None:
        kind = self.kind
        editing = self.previous_label is not None
        self.setTitle(f"Edit {kind.noun} “{self.previous_label}”" if editing else f"Add a {kind.noun}")
        self.note.setText(kind.note)
        for name, _label in CHOICE_ROWS:
            spec, combo = kind.field(name), self.choices[name]
            self.form.setRowVisible(combo, spec is not None)
            combo.clear()
            for value, text in spec.choices if spec else ():
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(getattr(self, "_chosen", {}).get(name, ""))))
            combo.setToolTip(spec.help if spec else "")
        for name, _label in (*ROWS, *SETTING_ROWS):
            spec = kind.field(name)
            self.form.setRowVisible(self.fields[name], spec is not None)
            if name in self.helps:
                self.helps[name].setText(spec.help if spec else "")
                self.form.setRowVisible(self.helps[name], bool(spec and spec.help))
            if spec is not None:
                self._relabel(name, spec.label)
                self.fields[name].setPlaceholderText(spec.placeholder)
        self.form.setRowVisible(self.active, kind.form_has_status)
        self._warn_plain_http(self.url.text())
        self.save_button.setText("Update store" if editing else "Save store")

    def _warn_plain_http(self, text: str) -> None:
        warning = plain_http_warning(text)
        self.http_warning.setText(f"⚠ {warning}" if warning else "")
        self.form.setRowVisible(self.http_warning, bool(warning))

    def _relabel(self, field: str, text: str) -> None:
        label = self.form.labelForField(self.fields[field])
        if isinstance(label, QLabel):
            label.setText(text)

    # -- values ------------------------------------------------------------------------------------
    def store_form(self) -> StoreForm:
        kind = self.kind
        values = {name: self.fields[name].text() if kind.field(name) else "" for name, _ in ROWS}
        settings = {name: self.fields[name].text().strip() if kind.field(name) else "" for name, _ in SETTING_ROWS}
        settings.update({name: str(self.choices[name].currentData() or "auto") if kind.field(name) else "auto"
                         for name, _ in CHOICE_ROWS})
        return StoreForm(
            kind=kind.name,
            label=self.label.text(),
            **values,
            **settings,
            # A kind without a status field in its form: the list's toggle sets it, so keep what is stored.
            active=self.active.isChecked() if kind.form_has_status else self._active,
        )

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        editing = self.previous_label is not None
        self.save_button.setText("Verifying…" if busy else ("Update store" if editing else "Save store"))
        if busy:
            self.banner.show_message("info", "Checking the credentials against the store…")

    def show_outcome(self, outcome: StoreOutcome) -> None:
        """A failure: the reason and the fix, the guilty field outlined; the form stays filled."""
        for w in self.fields.values():
            w.setStyleSheet("")
        text = outcome.reason
        if outcome.fix:
            text += f"\n\nHow to fix: {outcome.fix}"
        self.banner.show_message("error", text or "The store could not be verified.")
        widget = self.fields.get(outcome.field)
        if widget is not None:
            widget.setStyleSheet(_INVALID)

    def close_form(self) -> None:
        for w in (self.secret, self.access_token, self.wp_app_password):
            w.clear()  # don't keep typed secrets in widgets once they are stored
        self.banner.clear_message()
        self.previous_label = None
        self.hide()
