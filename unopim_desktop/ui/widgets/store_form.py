"""The store connection form: WooCommerce site or BigCommerce store, add or edit.

The form only holds and shows values; the Channels & Stores tab runs the save (a verification against the
store) and hands the outcome back with `show_outcome`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.domain import StoreKind, StoreRow
from unopim_desktop.redact import MASK
from unopim_desktop.store_connections import StoreForm, StoreOutcome, form_from_row
from unopim_desktop.ui.widgets.banner import Banner

_INVALID = "QLineEdit { border: 1px solid #a61b1b; }"
KEEP_HINT = "Stored — leave as is to keep, type a new value to replace"
MEDIA_NOTE = (
    "Optional. A WordPress user and an application password (Users → Profile → Application Passwords) "
    "let UnoPim Desktop upload images the store cannot fetch itself, e.g. from a UnoPim that is not "
    "reachable from the internet."
)
BC_NOTE = (
    "From BigCommerce → Settings → API → Store-level API accounts (token type Store API V2/V3; scopes "
    "Products = Modify, Information & Settings = Read-only). BigCommerce shows these values only once."
)
WC_NOTE = "From WooCommerce → Settings → Advanced → REST API (a key with Read/Write permissions)."


class StoreFormWidget(QGroupBox):
    save_requested = Signal()
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storeForm")
        self.kind = StoreKind.WOOCOMMERCE
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
        self.default_currency = QLineEdit(placeholderText="e.g. USD (blank: the store's own)")
        self.default_locale = QLineEdit(placeholderText="e.g. en (blank: the store's own)")
        self.fields = {
            "label": self.label, "url": self.url, "key": self.key, "secret": self.secret,
            "access_token": self.access_token, "wp_user": self.wp_user, "wp_app_password": self.wp_app_password,
            "default_currency": self.default_currency, "default_locale": self.default_locale,
        }
        for name, w in self.fields.items():
            w.setObjectName(f"store_{name}")
            w.textEdited.connect(lambda _t, w=w: w.setStyleSheet(""))

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.media_note = QLabel(MEDIA_NOTE)
        self.media_note.setWordWrap(True)
        self.media_note.setStyleSheet("color: #555;")
        self.banner = Banner()
        self.banner.setObjectName("storeFormBanner")

        self.form = QFormLayout()
        self.form.addRow("Label", self.label)
        self.form.addRow("Site address", self.url)
        self.form.addRow("Consumer key", self.key)
        self.form.addRow("Consumer secret", self.secret)
        self.form.addRow("Access token", self.access_token)
        self.form.addRow("WordPress user", self.wp_user)
        self.form.addRow("Application password", self.wp_app_password)
        self.form.addRow("", self.media_note)
        self.form.addRow("Status", self.active)
        self.form.addRow("Default currency", self.default_currency)
        self.form.addRow("Default locale", self.default_locale)

        self.save_button = QPushButton("Save store")
        self.save_button.setObjectName("saveStore")
        self.save_button.clicked.connect(self.save_requested.emit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancelled.emit)
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
    def open_new(self, kind: StoreKind) -> None:
        self.previous_label = None
        self._fill(StoreForm(kind=kind, label="", url=""))
        for w in (self.secret, self.access_token, self.wp_app_password):
            w.setPlaceholderText("")
        self.label.setFocus()

    def open_edit(self, row: StoreRow) -> None:
        self.previous_label = row.label
        form = form_from_row(row)
        self._fill(form)
        for name in ("secret", "access_token", "wp_app_password"):
            w = self.fields[name]
            w.setPlaceholderText(KEEP_HINT if getattr(form, name) == MASK else "")
            w.setToolTip(KEEP_HINT if getattr(form, name) == MASK else "")

    def _fill(self, form: StoreForm) -> None:
        self.kind = form.kind
        self._active = form.active
        for name, w in self.fields.items():
            w.setText(getattr(form, name))
            w.setStyleSheet("")
        self.active.setChecked(form.active)
        self.banner.clear_message()
        self._apply_kind()
        self.show()

    def _apply_kind(self) -> None:
        wc = self.kind is StoreKind.WOOCOMMERCE
        editing = self.previous_label is not None
        name = "WooCommerce store" if wc else "BigCommerce store"
        self.setTitle(f"Edit {name} “{self.previous_label}”" if editing else f"Add a {name}")
        self.note.setText(WC_NOTE if wc else BC_NOTE)
        self._relabel("url", "Site address" if wc else "API URL")
        self._relabel("key", "Consumer key" if wc else "Client ID")
        self._relabel("secret", "Consumer secret" if wc else "Client secret")
        self.url.setPlaceholderText(
            "https://shop.example.com" if wc else "https://api.bigcommerce.com/stores/<store-hash>/"
        )
        for w in (self.wp_user, self.wp_app_password, self.media_note):
            self.form.setRowVisible(w, wc)
        for w in (self.access_token, self.active, self.default_currency, self.default_locale):
            self.form.setRowVisible(w, not wc)
        self.save_button.setText("Update store" if editing else "Save store")

    def _relabel(self, field: str, text: str) -> None:
        label = self.form.labelForField(self.fields[field])
        if isinstance(label, QLabel):
            label.setText(text)

    # -- values ------------------------------------------------------------------------------------
    def store_form(self) -> StoreForm:
        wc = self.kind is StoreKind.WOOCOMMERCE
        return StoreForm(
            kind=self.kind,
            label=self.label.text(),
            url=self.url.text(),
            key=self.key.text(),
            secret=self.secret.text(),
            access_token="" if wc else self.access_token.text(),
            wp_user=self.wp_user.text() if wc else "",
            wp_app_password=self.wp_app_password.text() if wc else "",
            # WooCommerce has no status field in its form; the list's toggle sets it, so keep what is stored.
            active=self._active if wc else self.active.isChecked(),
            default_currency="" if wc else self.default_currency.text().strip(),
            default_locale="" if wc else self.default_locale.text().strip(),
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
