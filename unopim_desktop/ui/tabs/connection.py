"""Connection tab: five fields, one button (Test & Save), as the connector docs describe it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.connection import Badge, ConnectionForm, Outcome
from unopim_desktop.app.events import CONNECTION
from unopim_desktop.secrets import SecretStoreError
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.conventions import submit_on_enter

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

STORED_HINT = "Stored — leave blank to keep"
SAVE_TEXT = "Test && Sa&ve"
_INVALID = "QLineEdit { border: 1px solid #a61b1b; }"


class ConnectionTab(Tab):
    badge_changed = Signal(object)  # Badge
    shows = frozenset({CONNECTION})

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.service = app.connection
        self.address = QLineEdit(placeholderText="https://pim.example.com")
        self.client_id = QLineEdit()
        self.client_secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.username = QLineEdit(placeholderText="admin@example.com")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        for name, w in (("address", self.address), ("client_id", self.client_id),
                        ("client_secret", self.client_secret), ("username", self.username),
                        ("password", self.password)):
            w.setObjectName(name)
            w.textEdited.connect(lambda _t, w=w: w.setStyleSheet(""))
        self.save_button = QPushButton(SAVE_TEXT)
        self.save_button.setObjectName("testAndSave")
        self.save_button.clicked.connect(self.on_test_and_save)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: a sign-in has no measurable progress
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.banner = Banner()
        self.banner.setObjectName("connectionBanner")
        self.secret_notice = Banner()
        self.secret_notice.setObjectName("secretNotice")

        intro = QLabel(
            "Connect to your UnoPim: the address of the UnoPim admin and an API integration's credentials "
            "(UnoPim → Configuration → Integrations)."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("UnoPim &address", self.address)
        form.addRow("Client &ID", self.client_id)
        form.addRow("Client S&ecret", self.client_secret)
        form.addRow("Admin &Username", self.username)
        form.addRow("Admin &Password", self.password)
        # Enter in any field is Test & Save, as in a dialog.
        submit_on_enter(self.save_button, [self.address, self.client_id, self.client_secret, self.username,
                                           self.password])
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        after = QLabel(
            "After you connect, nothing is pulled yet: on the Channels & Stores tab click Refresh channels and "
            "add your store, map the fields on the Mapping tab, then click Pull Full on the Sync tab. The "
            "Getting started guide (Help menu) shows each step."
        )
        after.setWordWrap(True)
        after.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.secret_notice)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(after)
        layout.addStretch(1)

    # -- loading ---------------------------------------------------------------------------------
    def prefill(self, *, address: str, client_id: str, client_secret: str, username: str, password: str) -> None:
        self.address.setText(address)
        self.client_id.setText(client_id)
        self.client_secret.setText(client_secret)
        self.username.setText(username)
        self.password.setText(password)

    async def load(self) -> None:
        """Fill the form from the saved connection; the keychain is asked off the GUI thread."""
        try:
            warning = await self.service.secret_warning()
        except SecretStoreError as exc:
            warning = str(exc)
        if warning:
            self.secret_notice.show_message("warning", warning)
        info = await self.service.saved()
        if info is None:
            self.badge_changed.emit(Badge.NOT_CONNECTED)
            return
        if not self.address.text():
            self.address.setText(info.address)
            self.client_id.setText(info.client_id)
            self.username.setText(info.username)
        await self._show_stored_hints(info.address)
        self.badge_changed.emit(await self.service.badge(info.address))

    async def _show_stored_hints(self, address: str) -> None:
        try:
            has_secret, has_password = await self.service.stored_secrets(address)
        except SecretStoreError:
            return
        self.client_secret.setPlaceholderText(STORED_HINT if has_secret else "")
        self.password.setPlaceholderText(STORED_HINT if has_password else "")

    # -- Test & Save -----------------------------------------------------------------------------
    def form(self) -> ConnectionForm:
        return ConnectionForm(
            address=self.address.text(),
            client_id=self.client_id.text(),
            client_secret=self.client_secret.text(),
            username=self.username.text(),
            password=self.password.text(),
        )

    def on_test_and_save(self) -> None:
        if any(not t.done() for t in self.pending):
            return  # one sign-in at a time
        # Show the work at once, before the task's first step runs.
        self._set_busy(True)
        self.start(self.test_and_save())

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.save_button.setText("Testing…" if busy else SAVE_TEXT)
        self.busy.setVisible(busy)

    async def test_and_save(self) -> Outcome:
        self._set_busy(True)
        self.banner.show_message("info", "Signing in to UnoPim…")
        try:
            outcome = await self.service.test_and_save(self.form())
        except SecretStoreError as exc:
            outcome = Outcome(False, Badge.NOT_CONNECTED, reason=str(exc))
        finally:
            self._set_busy(False)
        self._show(outcome)
        return outcome

    def _show(self, outcome: Outcome) -> None:
        for w in (self.address, self.client_id, self.client_secret, self.username, self.password):
            w.setStyleSheet("")
        if outcome.ok:
            self.banner.show_message("success", f"Connected to {outcome.address}. Secrets saved.")
            # Secrets are stored now; clear them from the widgets so they don't linger in memory.
            self.client_secret.clear()
            self.password.clear()
            self.client_secret.setPlaceholderText(STORED_HINT)
            self.password.setPlaceholderText(STORED_HINT)
            self.address.setText(outcome.address)
        elif outcome.problems:
            for problem in outcome.problems:
                widget = getattr(self, problem.field, None)
                if isinstance(widget, QLineEdit):
                    widget.setStyleSheet(_INVALID)
            self.banner.show_message("error", "\n".join(p.message for p in outcome.problems))
        else:
            self.banner.show_message("error", f"{outcome.reason}\n\nHow to fix: {outcome.fix}".strip())
        self.badge_changed.emit(outcome.badge)
