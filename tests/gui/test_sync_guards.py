"""The window's side of a safe run: a refused run points at the Mapping tab, held deletes are listed and
wait for the merchant's click, Push All and quitting during a run ask first, and the first Refresh
channels offers the default mapping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.support.gui import click, connect_unopim, open_window, run, settle
from unopim_desktop.app.application import App
from unopim_desktop.app.demo import prepare_demo
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import mapping_repo, sync_repo
from unopim_desktop.ui.main_window import MainWindow


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=12))
    yield sb
    sb.stop()


@pytest.fixture
def ready(qtbot, qloop, app: App, sandbox) -> Iterator[MainWindow]:
    run(qloop, prepare_demo(app, sandbox))
    window = open_window(qtbot, qloop, app)
    yield window
    settle(qloop, window)
    run(qloop, window.shutdown())


def test_a_refused_pull_points_at_the_mapping_tab(qtbot, qloop, ready, app, sandbox):
    window, tab = ready, ready.sync_tab
    address = run(qloop, app.connection.address())
    app.ctx.lane.run_sync(mapping_repo.save_core_mapping, address, {"sku": "sku", "name": "gone_from_unopim"},
                          "default")
    click(qtbot, qloop, window, tab.pull_full_button)
    assert tab.banner.kind == "error" and "refused" in tab.banner.text()
    assert tab.action_bar.isVisibleTo(tab)
    assert "Name: “gone_from_unopim” is not a UnoPim attribute" in tab.action_bar.text.text()
    assert tab.action_bar.confirm_button.text() == "Open Mapping"
    assert sandbox.woocommerce.write_count() == 0
    # The run panel says it did not run, instead of "starting…" or bars that look like progress.
    assert tab.run_title.text() == "Pull Full refused: nothing was written."
    assert not any(state.started for state in tab.progress.states.values())
    qtbot.mouseClick(tab.action_bar.confirm_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.mapping_tab


def test_held_deletes_are_listed_and_wait_for_the_merchants_click(qtbot, qloop, ready, app, sandbox):
    window, tab = ready, ready.sync_tab
    address = run(qloop, app.connection.address())
    app.ctx.lane.run_sync(sync_repo.save_general_settings, address, {"on_delete": "delete"})
    click(qtbot, qloop, window, tab.pull_full_button)
    products = len(sandbox.woocommerce.products())
    with sandbox.unopim.lock:  # UnoPim suddenly lists nothing
        for record in list(sandbox.unopim.products.values()):
            sandbox.unopim.remove_product(record)
    click(qtbot, qloop, window, tab.pull_full_button)
    assert tab.banner.kind == "warning" and "held" in tab.banner.text()
    question = tab.action_bar.text.text()
    assert f"UnoPim listed 0 of {products} linked products; nothing was deleted." in question
    assert sandbox.woocommerce.products()[0]["sku"] in question
    assert tab.action_bar.confirm_button.text() == f"Delete {products}"
    assert len(sandbox.woocommerce.products()) == products  # nothing happened yet
    qtbot.mouseClick(tab.action_bar.confirm_button, Qt.MouseButton.LeftButton)
    settle(qloop, window)
    assert tab.banner.kind == "success", tab.banner.text()
    assert sandbox.woocommerce.products() == []


def test_closing_the_window_during_a_run_asks_first(qtbot, qloop, ready):
    window, tab = ready, ready.sync_tab
    qtbot.mouseClick(tab.pull_full_button, Qt.MouseButton.LeftButton)
    assert tab.running
    window.close()
    assert tab.running  # the close was ignored: nothing was cancelled behind the merchant's back
    assert tab.action_bar.isVisibleTo(tab) and tab.action_bar.confirm_button.text() == "Stop and quit"
    assert window.tabs.currentWidget() is tab
    qtbot.mouseClick(tab.action_bar.keep_button, Qt.MouseButton.LeftButton)  # keep running
    settle(qloop, window)
    assert tab.banner.kind == "success", tab.banner.text()  # the run went on to the end


def test_push_all_asks_before_writing_to_unopim(qtbot, qloop, ready, sandbox):
    window, tab = ready, ready.sync_tab
    writes = sandbox.unopim.write_count()
    qtbot.mouseClick(tab.push_buttons[0], Qt.MouseButton.LeftButton)
    assert "Push All Products sends every store product" in tab.action_bar.text.text()
    qtbot.mouseClick(tab.action_bar.keep_button, Qt.MouseButton.LeftButton)  # Cancel
    settle(qloop, window)
    assert not tab.action_bar.isVisibleTo(tab) and tab.run_task is None
    assert sandbox.unopim.write_count() == writes and tab.pull_full_button.isEnabled()


def test_the_first_refresh_offers_the_default_mapping(qtbot, qloop, app, sandbox):
    connect_unopim(qloop, app, sandbox)
    window = open_window(qtbot, qloop, app)
    tab = window.channels_tab
    click(qtbot, qloop, window, tab.refresh_button)
    assert tab.mapping_offer.isVisibleTo(tab) and "No field mapping is saved yet" in tab.mapping_offer.text.text()
    click(qtbot, qloop, window, tab.mapping_offer.confirm_button)
    assert tab.refresh_banner.kind == "success" and "core fields by name" in tab.refresh_banner.text()
    assert run(qloop, app.mapping.is_saved())
    click(qtbot, qloop, window, tab.refresh_button)  # saved now: not offered again
    assert not tab.mapping_offer.isVisibleTo(tab)
    run(qloop, window.shutdown())


def test_a_dry_run_shows_the_preview_and_apply_runs_it(qtbot, qloop, ready, app, sandbox):
    window, tab = ready, ready.sync_tab
    click(qtbot, qloop, window, tab.pull_full_button)
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    old_name = sandbox.woocommerce.product_by_sku(sku)["name"]
    from tests.support.app import unopim_api

    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Renamed in UnoPim"}}}}})
    tab.dry_run_override.setChecked(True)
    click(qtbot, qloop, window, tab.pull_delta_button)
    assert tab.lower.currentWidget() is tab.preview
    preview = tab.preview
    assert "would change 1 item(s). Nothing was written." in preview.title.text()
    cells = [[preview.table.item(i, j).text() for j in range(preview.table.columnCount())]
             for i in range(preview.table.rowCount())]
    assert ["default", "product", sku, "update", "name", old_name, "Renamed in UnoPim"] in cells
    assert sandbox.woocommerce.product_by_sku(sku)["name"] == old_name
    preview.action.setCurrentIndex(preview.action.findText("create"))  # a filter that matches nothing
    assert preview.table.rowCount() == 0
    click(qtbot, qloop, window, preview.apply_button)
    assert tab.banner.kind == "success" and "Applied exactly the previewed changes (1)." in tab.banner.text()
    assert sandbox.woocommerce.product_by_sku(sku)["name"] == "Renamed in UnoPim"


def test_a_first_pull_into_a_filled_store_offers_the_preview_first(qtbot, qloop, app):
    sb = start_sandbox(SandboxOptions(products=6, seed=4, seed_side="store"))
    sb.unopim.load_catalogue(sb.catalogue)
    try:
        run(qloop, prepare_demo(app, sb))
        window = open_window(qtbot, qloop, app)
        tab = window.sync_tab
        writes = sb.woocommerce.write_count()
        click(qtbot, qloop, window, tab.pull_full_button)
        assert "already holds products that UnoPim Desktop has not linked" in tab.action_bar.text.text()
        assert sb.woocommerce.write_count() == writes  # nothing ran yet
        click(qtbot, qloop, window, tab.action_bar.confirm_button)  # Preview first
        assert tab.lower.currentWidget() is tab.preview
        assert any(tab.preview.table.item(i, 3).text() == "adopt" for i in range(tab.preview.table.rowCount()))
        assert sb.woocommerce.write_count() == writes  # a preview writes nothing
        click(qtbot, qloop, window, tab.preview.apply_button)
        assert tab.banner.kind == "success", tab.banner.text()
        assert sb.woocommerce.write_count() > writes
        run(qloop, window.shutdown())
    finally:
        sb.stop()
