"""The window's side of #18, driven as a merchant would: the Channels tab says which locales and currencies
reach the store and how, the store form's multi-currency settings change that, and the Preview of a dry run
shows the changes of one language or currency."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.gui.test_channels_tab import select_store, type_into
from tests.support.app import unopim_api
from tests.support.gui import click, open_window, run, settle
from unopim_desktop.app.application import App
from unopim_desktop.app.demo import DEMO_STORE, prepare_demo
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.ui.main_window import MainWindow


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=6, wpml_languages=("en", "fr", "de"), curcy_currencies=("EUR",)))
    yield sb
    sb.stop()


@pytest.fixture
def ready(qtbot, qloop, app: App, sandbox) -> Iterator[MainWindow]:
    run(qloop, prepare_demo(app, sandbox))
    window = open_window(qtbot, qloop, app)
    yield window
    settle(qloop, window)
    run(qloop, window.shutdown())


def test_the_channels_tab_says_what_reaches_the_store_and_how(qtbot, qloop, ready, app, sandbox):
    window, tab = ready, ready.channels_tab
    row = tab.channel_widget("default")
    text = row.reach.text()
    # Saving the store asked it: WPML and CURCY are there, but nothing is mapped yet.
    assert "en_US → the store's en language" in text
    assert "fr_FR not sent: not mapped to a store language" in text and "⚠" not in text
    type_into(qtbot, row.locale_edits["fr_FR"], "fr")
    type_into(qtbot, row.currency_edits["EUR"], "EUR")
    type_into(qtbot, row.currency_edits["GBP"], "GBP")
    text = row.reach.text()
    assert "fr_FR → fr (WPML translations" in text
    assert "EUR → EUR (CURCY fixed prices" in text and "GBP → GBP (CURCY" in text
    # The store's settings name the plugin's currencies: GBP is not one of them, and the tab says so in amber.
    select_store(qtbot, tab, DEMO_STORE)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    combo = tab.form.choices["multi_currency"]
    combo.setCurrentIndex(combo.findData("curcy"))
    type_into(qtbot, tab.form.plugin_currencies, "EUR")
    click(qtbot, qloop, window, tab.form.save_button)
    assert tab.banner.kind == "success", tab.form.banner.text()
    row = tab.channel_widget("default")
    assert "⚠ GBP not sent: the store's CURCY fixed prices (_regular_price_wmcp) do not know GBP" in row.reach.text()
    assert "EUR → EUR (CURCY" in row.reach.text()
    click(qtbot, qloop, window, tab.save_button)
    saved = next(r for r in run(qloop, app.channels.channels()) if r.code == "default")
    assert saved.locale_map == {"fr_FR": "fr"} and saved.currency_map == {"EUR": "EUR", "GBP": "GBP"}


def test_the_preview_shows_the_changes_of_one_language(qtbot, qloop, ready, app, sandbox):
    window = ready
    rows = run(qloop, app.channels.channels())
    for r in rows:
        if r.code == "default":
            r.locale_map = {"fr_FR": "fr"}
    run(qloop, app.channels.save(rows))
    tab = window.sync_tab
    click(qtbot, qloop, window, tab.pull_full_button)
    assert tab.banner.kind == "success", tab.banner.text()
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {"default": {
        "fr_FR": {"name": "Chaise renommée"}, "en_US": {"name": "Renamed chair"}}}}})
    tab.dry_run_override.setChecked(True)
    click(qtbot, qloop, window, tab.pull_delta_button)
    preview = tab.preview
    assert tab.lower.currentWidget() is preview
    scopes = [preview.scope.itemText(i) for i in range(preview.scope.count())]
    assert "fr" in scopes
    preview.scope.setCurrentIndex(preview.scope.findText("fr"))
    cells = [[preview.table.item(i, j).text() for j in range(preview.table.columnCount())]
             for i in range(preview.table.rowCount())]
    assert ["default", "product", sku, "update", "name@fr"] == cells[1][:5] and cells[1][6] == "Chaise renommée"
    assert all(c[4] in ("(the item)", "name@fr") for c in cells)  # the English rename is in the other scope
    preview.scope.setCurrentIndex(0)
    assert "name" in [preview.table.item(i, 4).text() for i in range(preview.table.rowCount())]
