"""Channels & Stores tab, driven as a merchant would: type into the store form, click, read what the tab shows.

The three sandbox peers (UnoPim, WooCommerce, BigCommerce) run on loopback for the whole module; each test
has its own data directory, connected to the sandbox UnoPim first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

from tests.support.gui import click, connect_unopim, open_window, run, settle
from unopim_desktop.redact import MASK
from unopim_desktop.ui.main_window import MainWindow
from unopim_desktop.ui.tabs.channels import ChannelsTab
from unopim_desktop.ui.widgets.editing import UNSAVED_BG


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def fill_store_form(qtbot, tab: ChannelsTab, kind: str, label: str, creds: dict, *, secret: str | None = None):
    button = tab.add_buttons[kind]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    form = tab.form
    type_into(qtbot, form.label, label)
    if kind == "woocommerce":
        type_into(qtbot, form.url, creds["url"])
        type_into(qtbot, form.key, creds["consumer_key"])
        type_into(qtbot, form.secret, secret if secret is not None else creds["consumer_secret"])
    else:
        type_into(qtbot, form.url, creds["api_url"])
        type_into(qtbot, form.key, creds["client_id"])
        type_into(qtbot, form.secret, creds["client_secret"])
        type_into(qtbot, form.access_token, secret if secret is not None else creds["access_token"])


def add_store(qtbot, qloop, window: MainWindow, sandbox, kind: str, label: str) -> tuple[str, bool]:
    tab = window.channels_tab
    creds = sandbox.credentials()[kind]
    fill_store_form(qtbot, tab, kind, label, creds)
    seen = click(qtbot, qloop, window, tab.form.save_button)
    assert tab.banner.kind == "success", tab.form.banner.text()
    return seen


def table_column(tab: ChannelsTab, column: int) -> list[str]:
    return [tab.table.item(i, column).text() for i in range(tab.table.rowCount())]


def select_store(qtbot, tab: ChannelsTab, label: str) -> None:
    row = table_column(tab, 0).index(label)
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.table.visualRect(tab.table.model().index(row, 0)).center())
    assert tab.selected_store() is not None and tab.selected_store().label == label


# -- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox

    peers = start_sandbox(SandboxOptions(products=6))
    yield peers
    peers.stop()


@pytest.fixture
def window(qtbot, qloop, app, sandbox) -> Iterator[MainWindow]:
    connect_unopim(qloop, app, sandbox)
    w = open_window(qtbot, qloop, app)
    yield w
    settle(qloop, w)
    run(qloop, w.shutdown())


# -- tests ------------------------------------------------------------------------------------------
def test_loads_quietly_with_a_hint_before_anything_is_connected(qtbot, qloop, app):
    window = open_window(qtbot, qloop, app)
    tab = window.channels_tab
    assert tab.hint.isVisibleTo(tab) and "Connect to UnoPim first" in tab.hint.text()
    assert not tab.banner.isVisibleTo(tab)  # no error for merely not being connected
    assert tab.table.rowCount() == 0 and tab.channel_widgets == []
    # What cannot work yet is off, and says why.
    for button in (tab.refresh_button, *tab.add_buttons.values()):
        assert not button.isEnabled() and "Connect to UnoPim first" in button.toolTip()
    assert not window.mapping_tab.inner.isEnabled() and "Connect to UnoPim first" in window.mapping_tab.hint.text()


def test_add_woocommerce_store_verifies_then_lists_it(qtbot, qloop, window, sandbox, memory_keyring, app):
    tab = window.channels_tab
    fill_store_form(qtbot, tab, "woocommerce", "Main shop", sandbox.credentials()["woocommerce"])
    form = tab.form
    # WooCommerce fields: site address, key, secret, optional WordPress user + application password
    assert form.wp_user.isVisibleTo(tab) and form.wp_app_password.isVisibleTo(tab)
    assert "upload images the store cannot fetch" in form.helps["wp_app_password"].text()
    assert not form.access_token.isVisibleTo(tab)
    assert form.secret.echoMode() == QLineEdit.EchoMode.Password
    busy_text, busy_enabled = click(qtbot, qloop, window, form.save_button)
    assert busy_text == "Verifying…" and not busy_enabled
    assert tab.banner.kind == "success" and "Main shop" in tab.banner.text()
    assert not form.isVisibleTo(tab)
    assert table_column(tab, 0) == ["Main shop"]
    assert table_column(tab, 1) == ["WooCommerce"]
    assert table_column(tab, 2) == [sandbox.credentials()["woocommerce"]["url"]]
    assert table_column(tab, 3) == ["Active"]
    secret = sandbox.credentials()["woocommerce"]["consumer_secret"]
    assert secret in memory_keyring.entries.values()
    db_bytes = b"".join(p.read_bytes() for p in app.paths.root.glob("*.sqlite3*"))
    assert secret.encode() not in db_bytes


def test_wrong_secret_shows_the_reason_keeps_the_form_and_lists_nothing(qtbot, qloop, window, sandbox, app):
    tab = window.channels_tab
    fill_store_form(qtbot, tab, "woocommerce", "Main shop", sandbox.credentials()["woocommerce"],
                    secret="cs_not_the_secret_0000000000000000000000")
    click(qtbot, qloop, window, tab.form.save_button)
    form = tab.form
    assert form.isVisibleTo(tab)
    assert form.banner.kind == "error"
    assert "secret" in form.banner.text().lower() and "How to fix" in form.banner.text()
    assert form.label.text() == "Main shop" and form.secret.text() == "cs_not_the_secret_0000000000000000000000"
    assert form.save_button.isEnabled() and form.save_button.text() == "Save store"
    assert tab.table.rowCount() == 0
    assert run(qloop, app.stores.list()) == []


def test_add_bigcommerce_store(qtbot, qloop, window, sandbox):
    tab = window.channels_tab
    fill_store_form(qtbot, tab, "bigcommerce", "BC store", sandbox.credentials()["bigcommerce"])
    form = tab.form
    assert form.access_token.isVisibleTo(tab) and form.active.isVisibleTo(tab)
    assert form.default_currency.isVisibleTo(tab) and not form.wp_user.isVisibleTo(tab)
    type_into(qtbot, form.default_currency, "USD")
    click(qtbot, qloop, window, form.save_button)
    assert tab.banner.kind == "success", form.banner.text()
    assert table_column(tab, 0) == ["BC store"] and table_column(tab, 1) == ["BigCommerce"]
    assert tab.store_rows[0].default_currency == "USD"


def test_edit_keeps_the_masked_secret(qtbot, qloop, window, sandbox, app):
    tab = window.channels_tab
    add_store(qtbot, qloop, window, sandbox, "woocommerce", "Main shop")
    select_store(qtbot, tab, "Main shop")
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    form = tab.form
    assert form.isVisibleTo(tab) and form.previous_label == "Main shop"
    assert form.secret.text() == MASK and form.secret.echoMode() == QLineEdit.EchoMode.Password
    assert form.key.text() == sandbox.credentials()["woocommerce"]["consumer_key"]
    type_into(qtbot, form.label, "Renamed shop")
    click(qtbot, qloop, window, form.save_button)
    assert tab.banner.kind == "success", form.banner.text()
    assert table_column(tab, 0) == ["Renamed shop"]
    # The stored secret is the real one, not the mask (the verification above also used it).
    connection = run(qloop, app.stores.connection("Renamed shop"))
    assert connection.secret == sandbox.credentials()["woocommerce"]["consumer_secret"]


def test_delete_asks_inline_and_says_the_store_keeps_its_data(qtbot, qloop, window, sandbox):
    tab = window.channels_tab
    add_store(qtbot, qloop, window, sandbox, "woocommerce", "Main shop")
    before = sandbox.woocommerce.counts()
    select_store(qtbot, tab, "Main shop")
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert tab.confirm_bar.isVisibleTo(tab)
    assert "Nothing was deleted in the store itself" in tab.confirm_text.text()
    assert tab.table.rowCount() == 1  # nothing happens before the merchant confirms
    click(qtbot, qloop, window, tab.confirm_button)
    assert not tab.confirm_bar.isVisibleTo(tab)
    assert tab.table.rowCount() == 0
    assert tab.banner.kind == "success" and "Nothing was deleted in the store itself" in tab.banner.text()
    assert sandbox.woocommerce.counts() == before


def test_search_and_sort_the_store_list(qtbot, qloop, window, sandbox):
    tab = window.channels_tab
    add_store(qtbot, qloop, window, sandbox, "woocommerce", "Zeta shop")
    add_store(qtbot, qloop, window, sandbox, "bigcommerce", "Alpha store")
    assert table_column(tab, 0) == ["Alpha store", "Zeta shop"]
    qtbot.keyClicks(tab.search, "zet")
    settle(qloop, window)
    assert table_column(tab, 0) == ["Zeta shop"]
    tab.search.clear()
    settle(qloop, window)
    header = tab.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.sectionViewportPosition(0) + 5, 5))
    settle(qloop, window)
    assert table_column(tab, 0) == ["Zeta shop", "Alpha store"]  # the same column again: descending
    tab.on_sort(1)  # by type
    settle(qloop, window)
    assert table_column(tab, 1) == ["BigCommerce", "WooCommerce"]


def test_refresh_channels_fills_the_rows_and_the_summary(qtbot, qloop, window, sandbox):
    tab = window.channels_tab
    assert "Refresh channels" in tab.hint.text()  # connected, nothing fetched yet
    busy_text, _ = click(qtbot, qloop, window, tab.refresh_button)
    assert busy_text == "Refreshing…"
    # The result shows under Refresh channels, where the merchant clicked.
    assert tab.refresh_banner.kind == "success", tab.refresh_banner.text()
    catalogue = sandbox.catalogue
    assert [w.code for w in tab.channel_widgets] == [c["code"] for c in catalogue.channels]
    assert tab.summary_card.values["channels"].text() == str(len(catalogue.channels))
    assert tab.summary_card.values["locales"].text() == str(len(catalogue.active_locales()))
    assert tab.summary_card.values["currencies"].text() == str(len(catalogue.active_currencies()))
    assert tab.summary_card.values["stores_mapped"].text() == "0"
    first = tab.channel_widgets[0]
    assert first.code_edit.isReadOnly()
    assert first.interval.currentData() == "1h" and first.interval.count() == 6
    assert first.cooldown.value() == 60 and first.cooldown.minimum() == 0
    assert list(first.locale_edits) == catalogue.channels[0]["locales"]
    assert list(first.currency_edits) == catalogue.channels[0]["currencies"]
    assert first.default_locale.currentData() == catalogue.channels[0]["locales"][0]
    assert first.property("tint") == ""  # nothing unsaved yet


def test_inactive_stores_are_not_offered_as_channel_targets(qtbot, qloop, window, sandbox):
    tab = window.channels_tab
    add_store(qtbot, qloop, window, sandbox, "woocommerce", "Main shop")
    add_store(qtbot, qloop, window, sandbox, "bigcommerce", "BC store")
    click(qtbot, qloop, window, tab.refresh_button)
    row = tab.channel_widgets[0]
    assert sorted(row.offered_stores()) == ["BC store", "Main shop"]
    select_store(qtbot, tab, "BC store")
    assert tab.toggle_button.text() == "Set inactive"
    click(qtbot, qloop, window, tab.toggle_button)
    assert table_column(tab, 3) == ["Inactive", "Active"]
    assert row.offered_stores() == ["Main shop"]
    assert tab.toggle_button.text() == "Set active"
    # A channel aimed at a store that becomes inactive before saving is refused with the reason.
    click(qtbot, qloop, window, tab.toggle_button)  # active again
    row.store.setCurrentIndex(row.store.findData("BC store"))
    click(qtbot, qloop, window, tab.toggle_button)  # inactive while the channel points at it, unsaved
    assert "BC store" not in row.offered_stores() and row.store.currentData() == "BC store"
    click(qtbot, qloop, window, tab.save_button)
    assert tab.save_banner.kind == "error" and "inactive" in tab.save_banner.text()
    assert row.property("tint") != ""
    saved = run(qloop, tab.channels.channels())
    assert saved[0].store_label is None  # nothing saved


def test_save_channels_persists_and_clears_the_highlight(qtbot, qloop, window, sandbox, app):
    tab = window.channels_tab
    add_store(qtbot, qloop, window, sandbox, "woocommerce", "Main shop")
    click(qtbot, qloop, window, tab.refresh_button)
    row = tab.channel_widgets[0]
    locale = next(iter(row.locale_edits))
    currency = next(iter(row.currency_edits))
    row.store.setCurrentIndex(row.store.findData("Main shop"))
    row.push.setChecked(False)
    row.interval.setCurrentIndex(row.interval.findData("15m"))
    row.cooldown.setValue(0)
    qtbot.keyClicks(row.locale_edits[locale], "en")
    qtbot.keyClicks(row.currency_edits[currency], currency)
    assert row.property("tint") == UNSAVED_BG and row.code in tab.unsaved_label.text()
    assert tab.channel_widgets[1].property("tint") == ""
    click(qtbot, qloop, window, tab.save_button)
    assert tab.save_banner.kind == "success", tab.save_banner.text()  # beside Save channels
    assert row.property("tint") == "" and tab.unsaved_label.text() == ""
    assert tab.summary_card.values["stores_mapped"].text() == "1"
    assert table_column(tab, 4) == [row.code]  # the store list shows which channels use the store

    again = open_window(qtbot, qloop, app)
    reloaded = again.channels_tab.channel_widget(row.code)
    assert reloaded is not None
    assert reloaded.store.currentData() == "Main shop"
    assert reloaded.pull.isChecked() and not reloaded.push.isChecked()
    assert reloaded.interval.currentData() == "15m"
    assert reloaded.cooldown.value() == 0
    assert reloaded.locale_edits[locale].text() == "en"
    assert reloaded.currency_edits[currency].text() == currency
    assert reloaded.property("tint") == ""
    run(qloop, again.shutdown())
