"""Mapping tab: Core fields, Attributes and Categories, driven through the real widgets offscreen.

Both sides hold the generated catalogue here (UnoPim and the WooCommerce store), so the store lists
attributes and categories to map. Each test connects a fresh data directory to the sandbox UnoPim, adds
the WooCommerce store and aims the first channel at it before the window opens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter

from tests.support.app import store_form
from tests.support.gui import click, connect_unopim, open_window, run, settle
from unopim_desktop.app.application import App
from unopim_desktop.app.mapping import MappingService, kind_fields
from unopim_desktop.mapping.fields import CORE_FIELDS
from unopim_desktop.state import mapping_repo
from unopim_desktop.ui.main_window import MainWindow
from unopim_desktop.ui.tabs.mapping_categories import INDENT
from unopim_desktop.ui.widgets.editing import INVALID_BG, UNSAVED_BG

STORE = "Main shop"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions

    peers = Sandbox(SandboxOptions(products=6, seed_side="store"))
    peers.unopim.load_catalogue(peers.catalogue)  # both sides full: something to map on each
    peers.start()
    yield peers
    peers.stop()


async def _prepare(app: App, sandbox) -> str:
    """A WooCommerce store and the first channel aimed at it, through the services (the Channels & Stores
    tab has its own tests). Returns the channel code."""
    outcome = await app.stores.save(store_form(sandbox, label=STORE))
    assert outcome.ok, outcome.text
    await app.channels.refresh()
    rows = await app.channels.channels()
    rows[0].store_label = STORE
    await app.channels.save(rows)
    return rows[0].code


@pytest.fixture
def window(qtbot, qloop, app, sandbox) -> Iterator[MainWindow]:
    connect_unopim(qloop, app, sandbox)
    run(qloop, _prepare(app, sandbox))
    w = open_window(qtbot, qloop, app)
    yield w
    settle(qloop, w)
    run(qloop, w.shutdown())


def _service(window: MainWindow) -> MappingService:
    return window.app.mapping


# -- loading ----------------------------------------------------------------------------------------
def test_loads_quietly_with_a_hint_before_anything_is_connected(qtbot, qloop, app):
    window = open_window(qtbot, qloop, app)
    tab = window.mapping_tab
    assert tab.hint.isVisibleTo(tab) and "Connect to UnoPim first" in tab.hint.text()
    assert not tab.core.banner.isVisibleTo(tab)


def test_connected_but_never_refreshed_asks_for_refresh_without_fetching(qtbot, qloop, app, sandbox):
    connect_unopim(qloop, app, sandbox)
    before = sandbox.unopim_stats.total()
    window = open_window(qtbot, qloop, app)
    tab = window.mapping_tab
    assert tab.hint.isVisibleTo(tab) and "Refresh channels" in tab.hint.text()
    assert sandbox.unopim_stats.total() == before  # nothing fetched behind the merchant's back
    run(qloop, window.shutdown())


def _shown_rows(core) -> list[str]:
    return [core.table.item(i, 0).text().rstrip(" *") for i in range(core.table.rowCount())
            if not core.table.isRowHidden(i)]


def test_core_fields_lists_the_nine_pinned_rows_first_with_searchable_pickers(window):
    core = window.mapping_tab.core
    assert core.kind.currentText() == "WooCommerce"  # the kind of the channel's store
    labels = _shown_rows(core)
    assert labels == [f.label for f in CORE_FIELDS if f.key in kind_fields("woocommerce")]
    assert labels[:9] == ["SKU", "Name", "Regular Price", "Sale Price", "Stock Quantity", "Stock Status",
                          "Description", "Short Description", "Publish Status"]
    assert labels[9:] == ["Weight", "Length", "Width", "Height", "Tags", "Featured Image", "Gallery"]
    picker = core.pickers["regular_price"]
    assert picker.isEditable()
    assert picker.completer().filterMode() == Qt.MatchFlag.MatchContains
    assert picker.completer().completionMode() == QCompleter.CompletionMode.PopupCompletion
    codes = {picker.itemData(i) for i in range(picker.count())}
    assert {"sku", "price", "color", "status"} <= codes
    assert core.family.findData("default") >= 0


# -- core fields ------------------------------------------------------------------------------------
def test_apply_defaults_fills_empty_rows_only_and_save_clears_the_highlight(qtbot, qloop, window):
    core = window.mapping_tab.core
    core.pickers["name"].set_code("subtitle")  # a deliberate, non-default choice
    core.paint()
    assert core.pickers["name"].property("tint") == UNSAVED_BG
    click(qtbot, qloop, window, core.apply_button)
    assert core.banner.kind == "info"
    assert core.banner.text().startswith("Filled ") and "SKU ← sku (exact)" in core.banner.text()
    assert core.pickers["name"].code() == "subtitle"  # kept, not overwritten by the default `name`
    assert core.pickers["sku"].code() == "sku"
    assert core.pickers["regular_price"].code() == "price"
    assert core.family.code() == "default"
    filled = [k for k, p in core.pickers.items() if p.code()]
    assert all(core.pickers[k].property("tint") == UNSAVED_BG for k in filled)
    assert set(core.unsaved_rows()) >= {"sku", "name", "regular_price", "default_family"}

    click(qtbot, qloop, window, core.apply_button)  # nothing left that matches
    assert "Nothing to fill" in core.banner.text()

    busy_text, _ = click(qtbot, qloop, window, core.save_button)
    assert busy_text == "Saving…"
    assert core.banner.kind == "success", core.banner.text()
    assert core.unsaved_rows() == []
    assert all(p.property("tint") == "" for p in core.pickers.values())
    saved = run(qloop, _service(window).core())
    assert saved.rows["name"] == "subtitle" and saved.rows["sku"] == "sku" and saved.default_family == "default"


def test_bigcommerce_rows_are_its_own_and_saving_them_keeps_the_woocommerce_rows(qtbot, qloop, window):
    """The core mapping is one per UnoPim; each kind sees its rows. BigCommerce has no short description or
    tags (its search keywords instead) and its own SEO, pricing, shipping and brand rows, each with the value a
    product gets when UnoPim has none."""
    core = window.mapping_tab.core
    for key in ("sku", "name", "short_description"):
        core.pickers[key].set_code(key)
    click(qtbot, qloop, window, core.save_button)
    assert core.banner.kind == "success", core.banner.text()

    core.kind.setCurrentIndex(core.kind.findData("bigcommerce"))
    core.kind.activated.emit(core.kind.currentIndex())
    labels = _shown_rows(core)
    assert "Short Description" not in labels and "Tags" not in labels and "Stock Status" not in labels
    assert {"Page Title", "Meta Description", "Meta Keywords", "Search Keywords", "Custom URL", "Cost Price",
            "Retail Price (MSRP)", "Product Type", "Availability", "Featured", "Free Shipping", "Warranty",
            "Condition", "GTIN", "MPN", "UPC", "Brand"} <= set(labels)
    row = [f.key for f in CORE_FIELDS].index("condition")
    assert "without a value: New" in core.table.item(row, 3).text()
    click(qtbot, qloop, window, core.apply_button)
    assert core.pickers["page_title"].code() == "meta_title" and core.pickers["brand"].code() == "brand"
    click(qtbot, qloop, window, core.save_button)
    assert core.banner.kind == "success", core.banner.text()
    assert "BigCommerce fields mapped" in core.banner.text()
    saved = run(qloop, _service(window).core())
    assert saved.rows["brand"] == "brand" and saved.rows["short_description"] == "short_description"
    assert run(qloop, _service(window).core("bigcommerce")).rows.keys() == set(kind_fields("bigcommerce"))


def test_a_refused_mapping_shows_the_reason_keeps_the_input_and_saves_nothing(qtbot, qloop, window):
    core = window.mapping_tab.core
    for key, code in (("sku", "sku"), ("name", "name"), ("regular_price", "color")):
        core.pickers[key].set_code(code)
    core.paint()
    click(qtbot, qloop, window, core.save_button)
    assert core.banner.kind == "error"
    assert "Regular Price" in core.banner.text() and "price attribute" in core.banner.text()
    assert core.pickers["regular_price"].code() == "color"  # the input stays for a retry
    assert core.pickers["regular_price"].property("tint") == INVALID_BG
    assert core.pickers["sku"].property("tint") == UNSAVED_BG
    saved = run(qloop, _service(window).core())
    assert all(code == "" for code in saved.rows.values())  # nothing was saved
    # Fixing the row clears its red mark
    core.pickers["regular_price"].set_code("price")
    core.pickers["regular_price"].code_changed.emit("price")
    assert core.pickers["regular_price"].property("tint") == UNSAVED_BG


def test_clear_mapping_empties_every_row(qtbot, qloop, window):
    core = window.mapping_tab.core
    click(qtbot, qloop, window, core.apply_button)
    click(qtbot, qloop, window, core.save_button)
    qtbot.mouseClick(core.clear_button, Qt.MouseButton.LeftButton)
    assert all(p.code() == "" for p in core.pickers.values())
    assert core.pickers["sku"].property("tint") == UNSAVED_BG


# -- attributes -------------------------------------------------------------------------------------
def test_attributes_auto_map_and_save(qtbot, qloop, window, sandbox):
    tab = window.mapping_tab
    tab.inner.setCurrentWidget(tab.attributes)  # first shown: loads the store's attributes
    settle(qloop, window)
    panel = tab.attributes
    channel, locale = panel.selection()
    assert panel.locale.count() >= 1
    names = [w.name.text() for w in panel.rows]
    store_names = _store_attribute_names(sandbox)
    assert store_names and store_names <= set(names)
    assert all(w.picker.code() == "" for w in panel.rows) and panel.unsaved_count() == 0

    click(qtbot, qloop, window, panel.automap_button)
    assert panel.banner.kind == "info" and panel.banner.text().startswith("Filled "), panel.banner.text()
    mapped = {w.name.text(): w.picker.code() for w in panel.rows if w.picker.code()}
    assert "color" in mapped.values()
    assert all(w.picker.property("tint") == UNSAVED_BG for w in panel.rows if w.picker.code())

    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)  # a custom field by hand
    extra = panel.rows[-1]
    qtbot.keyClicks(extra.name, "care_note")
    extra.picker.set_code("care_instructions")
    assert extra.carrier.currentData() == "meta"
    panel.paint()
    assert extra.name.property("tint") == UNSAVED_BG

    busy_text, _ = click(qtbot, qloop, window, panel.save_button)
    assert busy_text == "Saving…"
    assert panel.banner.kind == "success", panel.banner.text()
    assert panel.unsaved_count() == 0
    saved = run(qloop, _service(window).attribute_rows(channel, locale, with_store=False))
    by_name = {r.store_attribute: r for r in saved}
    assert by_name["care_note"].attribute_code == "care_instructions" and by_name["care_note"].carrier == "meta"
    assert {n: c for n, c in mapped.items()} == {r.store_attribute: r.attribute_code for r in saved
                                                 if r.attribute_code and r.store_attribute != "care_note"}


def test_attributes_refuse_a_price_as_custom_field(qtbot, qloop, window):
    tab = window.mapping_tab
    tab.inner.setCurrentWidget(tab.attributes)
    settle(qloop, window)
    panel = tab.attributes
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    row = panel.rows[-1]
    qtbot.keyClicks(row.name, "list_price")
    row.picker.set_code("price")
    click(qtbot, qloop, window, panel.save_button)
    assert panel.banner.kind == "error" and "list_price" in panel.banner.text()
    assert "price attribute" in panel.banner.text()
    assert row.name.property("tint") == INVALID_BG
    channel, locale = panel.selection()
    assert run(qloop, _service(window).attribute_rows(channel, locale, with_store=False)) == []


def _store_attribute_names(sandbox) -> set[str]:
    """The global attributes the sandbox store holds, read from its state (not through the app)."""
    with sandbox.woocommerce.lock:
        return {a.name for a in sandbox.woocommerce.attributes.values()}


# -- categories -------------------------------------------------------------------------------------
def test_categories_show_the_store_tree_and_save_for_a_channel(qtbot, qloop, window, app):
    tab = window.mapping_tab
    tab.inner.setCurrentWidget(tab.categories)
    settle(qloop, window)
    panel = tab.categories
    channel = panel.selection()
    assert panel.nodes, panel.banner.text()
    texts = [panel.table.item(i, 0).text() for i in range(panel.table.rowCount())]
    assert any(t.startswith(INDENT) for t in texts)  # children are indented under their parent
    assert all(not t.startswith(INDENT) for t, n in zip(texts, panel.nodes, strict=True) if n.depth == 0)
    first = panel.pickers[0]
    assert first.code() == "" and first.lineEdit().placeholderText() == "(unmapped)"
    assert panel.create_missing.isChecked()  # the default

    codes = [first.itemData(i) for i in range(1, first.count())]
    assert codes, "no UnoPim categories offered"
    first.set_code(codes[-1])
    first.code_changed.emit(codes[-1])
    assert first.property("tint") == UNSAVED_BG
    panel.create_missing.setChecked(False)
    assert panel.unsaved_count() == 2
    click(qtbot, qloop, window, panel.save_button)
    assert panel.banner.kind == "success", panel.banner.text()
    assert panel.unsaved_count() == 0 and first.property("tint") == ""

    address = run(qloop, window.app.channels.address())
    saved = run(qloop, app.ctx.lane.run(mapping_repo.category_mapping, address, channel))
    assert [(r.store_category_id, r.category_code) for r in saved] == [(panel.nodes[0].store_id, codes[-1])]
    assert run(qloop, app.ctx.lane.run(mapping_repo.categories_create_missing, address, channel)) is False

    # Refresh targets reloads UnoPim's list and keeps the picks on screen.
    panel.pickers[1].set_code(codes[0])
    click(qtbot, qloop, window, panel.refresh_button)
    assert panel.banner.kind == "success" and "UnoPim categories" in panel.banner.text()
    assert panel.pickers[1].code() == codes[0] and panel.pickers[0].code() == codes[-1]

    # An unknown code typed by hand is refused by name, and nothing changes.
    panel.pickers[1].set_code("no_such_category")
    click(qtbot, qloop, window, panel.save_button)
    assert panel.banner.kind == "error" and "no_such_category" in panel.banner.text()
    saved_again = run(qloop, app.ctx.lane.run(mapping_repo.category_mapping, address, channel))
    assert saved_again == saved
