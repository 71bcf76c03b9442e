"""Type into the Connection form, click Test & Save, and watch the badge, as a merchant would."""

from __future__ import annotations

import asyncio

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt

from tests.integration.conftest import start_unopim
from unopim_desktop.app.connection import Badge
from unopim_desktop.ui.main_window import MainWindow


def _type_form(qtbot, tab, *, url, creds, password=None, secret=None):
    tab.address.clear()
    qtbot.keyClicks(tab.address, url)
    qtbot.keyClicks(tab.client_id, creds["client_id"])
    qtbot.keyClicks(tab.client_secret, secret if secret is not None else creds["client_secret"])
    qtbot.keyClicks(tab.username, creds["username"])
    qtbot.keyClicks(tab.password, password if password is not None else creds["password"])


def _click_and_wait(qtbot, qloop, window):
    tab = window.connection_tab

    async def scenario():
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
        busy_text = tab.save_button.text()
        busy_enabled = tab.save_button.isEnabled()
        await asyncio.wait_for(tab.wait_idle(), 20)
        return busy_text, busy_enabled

    return qloop.run_until_complete(scenario())


def test_good_credentials_turn_the_badge_green(qtbot, qloop, app, memory_keyring):
    unopim = start_unopim()
    try:
        window = MainWindow(app)
        qtbot.addWidget(window)
        assert window.badge.badge is Badge.NOT_CONNECTED
        _type_form(qtbot, window.connection_tab, url=unopim.url, creds=unopim.credentials)
        busy_text, busy_enabled = _click_and_wait(qtbot, qloop, window)
    finally:
        unopim.server.stop()
    assert busy_text == "Testing…" and not busy_enabled  # the button showed work under way
    assert window.badge.badge is Badge.CONNECTED
    assert "Connected" in window.badge.text()
    tab = window.connection_tab
    assert tab.banner.kind == "success"
    assert tab.save_button.isEnabled()
    # the secrets went to the keychain, not the widgets or the database
    assert unopim.credentials["client_secret"] in memory_keyring.entries.values()
    assert tab.client_secret.text() == "" and "Stored" in tab.client_secret.placeholderText()
    db_bytes = b"".join(p.read_bytes() for p in app.paths.root.glob("*.sqlite3*"))
    assert unopim.credentials["client_secret"].encode() not in db_bytes
    assert unopim.credentials["password"].encode() not in db_bytes


def test_wrong_password_keeps_the_form_and_names_the_cause(qtbot, qloop, app):
    unopim = start_unopim()
    try:
        window = MainWindow(app)
        qtbot.addWidget(window)
        tab = window.connection_tab
        _type_form(qtbot, tab, url=unopim.url, creds=unopim.credentials, password="not-the-password")
        _click_and_wait(qtbot, qloop, window)
    finally:
        unopim.server.stop()
    assert window.badge.badge is Badge.NOT_CONNECTED
    assert tab.banner.isVisibleTo(window) and tab.banner.kind == "error"
    assert "Username or Password is wrong" in tab.banner.text()
    assert tab.address.text() == unopim.url
    assert tab.client_id.text() == unopim.credentials["client_id"]
    assert tab.password.text() == "not-the-password"


def test_address_with_a_path_is_refused_before_any_request(qtbot, qloop, app):
    unopim = start_unopim()
    try:
        window = MainWindow(app)
        qtbot.addWidget(window)
        tab = window.connection_tab
        _type_form(qtbot, tab, url=unopim.url + "/admin", creds=unopim.credentials)
        _click_and_wait(qtbot, qloop, window)
        assert unopim.stats.total() == 0
    finally:
        unopim.server.stop()
    assert f"no path: {unopim.url}" in tab.banner.text()
    assert "border" in tab.address.styleSheet()


def test_missing_keychain_shows_a_visible_notice(qtbot, qloop, app):
    keyring.set_keyring(fail.Keyring())
    window = MainWindow(app)
    qtbot.addWidget(window)
    window.start_loading()
    qloop.run_until_complete(asyncio.wait_for(window.connection_tab.wait_idle(), 10))
    notice = window.connection_tab.secret_notice
    assert notice.isVisibleTo(window) and "No OS keychain" in notice.text()


def test_saved_connection_is_shown_on_the_next_start(qtbot, qloop, app):
    unopim = start_unopim()
    try:
        window = MainWindow(app)
        qtbot.addWidget(window)
        _type_form(qtbot, window.connection_tab, url=unopim.url, creds=unopim.credentials)
        _click_and_wait(qtbot, qloop, window)
        again = MainWindow(app)
        qtbot.addWidget(again)
        again.start_loading()
        qloop.run_until_complete(asyncio.wait_for(again.connection_tab.wait_idle(), 10))
        tab = again.connection_tab
        assert tab.address.text() == unopim.url
        assert tab.client_id.text() == unopim.credentials["client_id"]
        assert tab.client_secret.text() == "" and "Stored" in tab.client_secret.placeholderText()
        assert again.badge.badge is Badge.CONNECTED
        # a re-save with blank secrets keeps the stored ones and connects again
        _click_and_wait(qtbot, qloop, again)
        assert again.badge.badge is Badge.CONNECTED
    finally:
        unopim.server.stop()


def test_badge_shows_refreshing_while_an_expired_token_is_renewed(qtbot, qloop, app):
    unopim = start_unopim()
    try:
        window = MainWindow(app)
        qtbot.addWidget(window)
        _type_form(qtbot, window.connection_tab, url=unopim.url, creds=unopim.credentials)
        _click_and_wait(qtbot, qloop, window)
        seen = []
        window.bridge.status_changed.connect(lambda _a, state: seen.append((state, window.badge.badge)))

        async def job():
            client = await window.app.session.client()
            await client.channels()
            unopim.state.expire_tokens()
            await client.channels()
            await window.connection_tab.wait_idle()

        qloop.run_until_complete(asyncio.wait_for(job(), 20))
    finally:
        qloop.run_until_complete(window.shutdown())
        unopim.server.stop()
    assert ("refreshing", Badge.REFRESHING) in seen
    assert window.badge.badge is Badge.CONNECTED
