"""Sync → Conflicts and the mapping's Direction column, driven as a merchant would: both sides edit the same
field, the pull leaves it open (On conflict: Ask), and Keep UnoPim / Take store settle each row; a row's
Direction is picked, saved and read back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QPushButton

from tests.support.app import unopim_api, woo_api
from tests.support.gui import click, open_window, run, settle
from unopim_desktop.app.demo import prepare_demo
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.ui.main_window import MainWindow


@pytest.fixture
def ready(qtbot, qloop, app) -> Iterator[tuple[MainWindow, Sandbox]]:
    sandbox = start_sandbox(SandboxOptions(products=6, seed=2))
    try:
        run(qloop, prepare_demo(app, sandbox))
        window = open_window(qtbot, qloop, app)
        yield window, sandbox
        settle(qloop, window)
        run(qloop, window.shutdown())
    finally:
        sandbox.stop()


def _name_in_unopim(sb: Sandbox, sku: str) -> str:
    return sb.unopim.get_product(sku)["values"]["channel_locale_specific"]["default"]["en_US"]["name"]


def _edit_both(sb: Sandbox, sku: str) -> None:
    wc = sb.woocommerce.product_by_sku(sku)
    assert woo_api(sb, "PUT", f"/products/{wc['id']}", json={"name": f"Shop {sku}"}).status_code == 200
    r = unopim_api(sb, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": f"PIM {sku}"}}}}})
    assert r.status_code == 200, r.text


def _buttons(panel, row: int):
    box = panel.table.cellWidget(row, panel.table.columnCount() - 1)
    return {b.text(): b for b in box.findChildren(QPushButton)} if box else {}


def test_both_side_edits_wait_in_conflicts_and_each_choice_is_carried_out(qtbot, qloop, ready, app):
    window, sandbox = ready
    tab = window.sync_tab
    click(qtbot, qloop, window, tab.pull_full_button)
    assert tab.banner.kind == "success", tab.banner.text()
    run(qloop, app.settings.save({"on_conflict": "ask"}))
    skus = [p["sku"] for p in sandbox.catalogue.products if not p.get("parent")][:2]
    for sku in skus:
        _edit_both(sandbox, sku)
    click(qtbot, qloop, window, tab.pull_delta_button)
    panel = tab.conflicts
    assert panel.table.rowCount() == 2
    assert panel.title.text().startswith("2 field(s) changed on both sides")
    codes = [panel.table.item(i, 3).text() for i in range(2)]
    assert sorted(codes) == sorted(skus)
    first = codes.index(skus[0])
    cells = [panel.table.item(first, j).text() for j in range(9)]
    assert cells[4:8] == ["name", cells[5], f"PIM {skus[0]}", f"Shop {skus[0]}"] and cells[8] == "waiting for you"
    for sku in skus:  # nothing written for the field on either side
        assert sandbox.woocommerce.product_by_sku(sku)["name"] == f"Shop {sku}"
        assert _name_in_unopim(sandbox, sku) == f"PIM {sku}"

    click(qtbot, qloop, window, _buttons(panel, first)["Keep UnoPim"])
    assert panel.banner.kind == "success", panel.banner.text()
    assert sandbox.woocommerce.product_by_sku(skus[0])["name"] == f"PIM {skus[0]}"
    assert panel.table.rowCount() == 1 and panel.table.item(0, 3).text() == skus[1]
    click(qtbot, qloop, window, _buttons(panel, 0)["Take store"])
    assert panel.banner.kind == "success", panel.banner.text()
    assert _name_in_unopim(sandbox, skus[1]) == f"Shop {skus[1]}"
    assert panel.table.rowCount() == 0
    panel.show_settled.setChecked(True)
    settle(qloop, window)
    assert sorted(panel.table.item(i, 8).text() for i in range(2)) == ["UnoPim's value kept", "store's value taken"]
    assert _buttons(panel, 0) == {}


def test_a_core_rows_direction_is_saved_and_read_back(qtbot, qloop, ready, app):
    window, _sandbox = ready
    core = window.mapping_tab.core
    assert not core.directions["sku"].isEnabled()  # the SKU links both sides
    price = core.directions["regular_price"]
    assert price.direction() == "both"
    price.setCurrentIndex(price.findData("pull"))
    assert "regular_price" in core.unsaved_rows()
    click(qtbot, qloop, window, core.save_button)
    assert core.banner.kind == "success", core.banner.text()
    assert not core.unsaved_rows()
    assert run(qloop, app.mapping.core()).directions == {"regular_price": "pull"}
    again = open_window(qtbot, qloop, app)
    assert again.mapping_tab.core.directions["regular_price"].direction() == "pull"
