"""Desktop conventions: a menu bar with shortcuts, About and Help; mnemonics; Enter submits the form it is
in; size, place and last tab come back; the window fits a 1366×768 laptop; the mouse wheel scrolls the page
instead of changing an unfocused combo or spin box; leaving a tab or closing with unsaved edits asks; the
badge shows the saved connection; the first-run guide; empty states with a button that does the next step;
banners beside the action that caused them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from tests.support.gui import click, connect_unopim, open_window, run, settle
from unopim_desktop.app.connection import Badge
from unopim_desktop.app.demo import prepare_demo
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.ui import main_window as main_window_module
from unopim_desktop.ui.main_window import MainWindow


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=6))
    yield sb
    sb.stop()


@pytest.fixture(autouse=True)
def _keep_running(qapp) -> Iterator[None]:
    """These tests show and close windows: closing the last one must not stop the test's event loop."""
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(True)


@pytest.fixture
def ready(qtbot, qloop, app, sandbox) -> Iterator[MainWindow]:
    run(qloop, prepare_demo(app, sandbox))
    window = open_window(qtbot, qloop, app)
    yield window
    settle(qloop, window)
    run(qloop, window.shutdown())


def _wheel(widget, steps: int = -1) -> None:
    """One notch of the mouse wheel over `widget` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _answer(qloop, window: MainWindow, choice: QMessageBox.StandardButton) -> None:
    box = window.prompt
    assert box is not None and box.isVisible()
    box.button(choice).click()
    settle(qloop, window)


# -- menus, shortcuts, mnemonics ------------------------------------------------------------------------
def test_the_menu_bar_has_file_sync_go_and_help_with_shortcuts(qtbot, qloop, ready, monkeypatch):
    window = ready
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Sync", "&Go", "&Help"]
    m = window.menus
    assert m.quit.shortcut() == QKeySequence("Ctrl+Q")
    assert {k: a.shortcut().toString() for k, a in m.sync.items()} == {
        "pull_full": "Ctrl+Shift+F", "pull_delta": "Ctrl+Shift+D", "push_changed": "Ctrl+Shift+U", "cancel": "Ctrl+."}
    assert [a.shortcut().toString() for a in m.tabs] == [f"Ctrl+{i}" for i in range(1, 8)]
    assert m.sync["pull_full"].isEnabled() and not m.sync["cancel"].isEnabled()
    # Every tab and the main buttons carry a mnemonic (Alt+letter).
    assert all("&" in window.tabs.tabText(i) for i in range(window.tabs.count()))
    assert window.sync_tab.pull_full_button.text() == "Pull &Full"
    # The Sync menu runs the Sync tab's action (and brings the tab forward).
    window.tabs.setCurrentWidget(window.logs_tab)
    m.sync["pull_delta"].trigger()  # no earlier pull: off, nothing happens
    assert window.tabs.currentWidget() is window.logs_tab and window.sync_tab.run_task is None
    m.sync["pull_full"].trigger()
    assert window.tabs.currentWidget() is window.sync_tab and window.sync_tab.running
    assert m.sync["cancel"].isEnabled() and not m.sync["pull_full"].isEnabled()
    settle(qloop, window)
    assert window.sync_tab.banner.kind == "success", window.sync_tab.banner.text()
    assert m.sync["pull_delta"].isEnabled()  # there is a pull to compare with now

    opened = []
    monkeypatch.setattr(main_window_module, "open_folder", lambda path: opened.append(path) or True)
    m.data_folder.trigger()
    assert opened == [window.app.paths.root]
    m.about.trigger()
    about = window.findChild(QMessageBox, "about")
    from unopim_desktop import __version__
    assert about is not None and f"UnoPim Desktop {__version__}" in about.text()
    about.close()
    m.troubleshooting.trigger()
    from PySide6.QtWidgets import QTextBrowser
    assert "HTTP 400/401" in window._troubleshooting.findChild(QTextBrowser).toPlainText()
    window._troubleshooting.close()


def test_enter_submits_test_and_save_and_a_failed_test_of_a_new_address_keeps_the_badge(qtbot, qloop, ready):
    window = ready
    tab = window.connection_tab
    assert window.badge.badge is Badge.CONNECTED
    tab.address.setText("http://127.0.0.1:9")  # a new, unsaved address that answers nothing
    tab.client_secret.setText("s")
    tab.password.setText("p")
    qtbot.keyClick(tab.password, Qt.Key.Key_Return)  # Enter in the form is Test & Save
    settle(qloop, window)
    assert tab.banner.kind == "error" and "HTTP 0" in tab.banner.text()
    assert window.badge.badge is Badge.CONNECTED  # the saved connection is as it was
    label = tab.findChildren(QLabel)
    assert any(lbl.text() == "UnoPim &address" and lbl.buddy() is tab.address for lbl in label)
    # Enter in a channel row saves the channels; in the store form, it saves (and verifies) the store.
    channels = window.channels_tab
    row = channels.channel_widgets[0]
    row.cooldown.setValue(90)
    qtbot.keyClick(row.cooldown, Qt.Key.Key_Return)
    settle(qloop, window)
    assert channels.save_banner.kind == "success" and not channels.unsaved_changes()
    channels.on_add("woocommerce")
    qtbot.keyClicks(channels.form.label, "Second")
    qtbot.keyClick(channels.form.label, Qt.Key.Key_Return)
    settle(qloop, window)
    assert channels.form.banner.kind == "error"  # it tried: the form says what is missing


# -- size, place, last tab; small screens -------------------------------------------------------------------
def test_size_place_and_last_tab_come_back(qtbot, qloop, app):
    window = open_window(qtbot, qloop, app)
    window.show()
    window.resize(796, 597)  # the offscreen test screen is 800×600
    window.tabs.setCurrentWidget(window.logs_tab)
    assert window.close()
    again = open_window(qtbot, qloop, app)
    assert (again.width(), again.height()) == (796, 597)
    assert again.tabs.currentWidget() is again.logs_tab
    run(qloop, again.shutdown())
    run(qloop, window.shutdown())


def test_the_window_fits_a_1366_by_768_laptop(qtbot, qloop, ready):
    window = ready
    for guide in (True, False):
        window.guide.setVisible(guide)
        assert window.minimumSizeHint().height() <= 680 and window.minimumSizeHint().width() <= 1366
        window.resize(1366, 680)
        assert (window.width(), window.height()) == (1366, 680)


# -- the wheel -----------------------------------------------------------------------------------------------
def test_the_wheel_scrolls_the_page_not_an_unfocused_combo_or_spin_box(qtbot, qloop, app, sandbox):
    connect_unopim(qloop, app, sandbox)
    window = open_window(qtbot, qloop, app)
    window.show()
    window.resize(1000, 560)  # the Channels page scrolls
    tab = window.channels_tab
    click(qtbot, qloop, window, tab.refresh_button)
    row = tab.channel_widgets[-1]
    for widget, value in ((row.interval, row.interval.currentIndex), (row.cooldown, row.cooldown.value)):
        before, scrolled = value(), tab.scroll.verticalScrollBar().value()
        _wheel(widget)
        assert value() == before, widget  # unchanged: the wheel went to the page
        if tab.scroll.verticalScrollBar().maximum():
            assert tab.scroll.verticalScrollBar().value() != scrolled or scrolled == tab.scroll.verticalScrollBar().maximum()
        widget.setFocus()  # clicked into: now the wheel is the merchant's intent
        _wheel(widget)
        assert value() != before, widget
    assert not row.store.hasFocus() and row.store.focusPolicy() == Qt.FocusPolicy.StrongFocus
    run(qloop, window.shutdown())


# -- unsaved edits -----------------------------------------------------------------------------------------
def test_leaving_mapping_or_channels_with_unsaved_edits_asks(qtbot, qloop, ready, app):
    window = ready
    mapping = window.mapping_tab
    window.tabs.setCurrentWidget(mapping)
    picker = mapping.core.pickers["name"]
    saved = picker.code()
    picker.set_code("description")
    picker.code_changed.emit("description")
    assert mapping.unsaved_changes() == ["Core fields (Name)"]

    window.tabs.setCurrentWidget(window.sync_tab)  # leave: stays, and asks
    assert window.tabs.currentWidget() is mapping and "Mapping: Core fields (Name)" in window.prompt.text()
    _answer(qloop, window, QMessageBox.StandardButton.Cancel)  # Stay
    assert window.tabs.currentWidget() is mapping and picker.code() == "description"

    window.tabs.setCurrentWidget(window.sync_tab)
    _answer(qloop, window, QMessageBox.StandardButton.Discard)
    assert window.tabs.currentWidget() is window.sync_tab and picker.code() == saved

    channels = window.channels_tab
    window.tabs.setCurrentWidget(channels)
    row = channels.channel_widgets[0]
    row.cooldown.setValue(120)
    window.tabs.setCurrentWidget(window.logs_tab)
    assert window.tabs.currentWidget() is channels and f"channel {row.code}" in window.prompt.text()
    _answer(qloop, window, QMessageBox.StandardButton.Save)
    assert window.tabs.currentWidget() is window.logs_tab
    assert next(c for c in run(qloop, app.channels.channels()) if c.code == row.code).debounce_s == 120


def test_closing_with_unsaved_edits_asks_and_discard_closes(qtbot, qloop, ready):
    window = ready
    window.show()
    settings = window.settings_tab
    settings.widgets["max_delete"].setValue(42)
    assert window.close() is False  # asked instead
    assert window.tabs.currentWidget() is settings and "Settings: Max delete" in window.prompt.text()
    _answer(qloop, window, QMessageBox.StandardButton.Cancel)
    assert window.isVisible()
    window.close()
    _answer(qloop, window, QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


# -- the guide and empty states -------------------------------------------------------------------------------
def test_the_guide_leads_a_new_merchant_and_help_reopens_it(qtbot, qloop, app, sandbox):
    window = open_window(qtbot, qloop, app)
    guide = window.guide
    assert not guide.isHidden() and [s.key for s in guide.steps] == [
        "connection", "channels", "stores", "mapping", "preview", "pull"]
    assert guide.next_step.key == "connection" and guide.do_button.text() == "Go to Connection"
    qtbot.mouseClick(guide.do_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.connection_tab

    connect_unopim(qloop, app, sandbox)
    settle(qloop, window)
    assert guide.chips["connection"].property("done") and guide.next_step.key == "channels"
    qtbot.mouseClick(guide.do_button, Qt.MouseButton.LeftButton)  # Refresh channels, on its tab
    settle(qloop, window)
    assert window.tabs.currentWidget() is window.channels_tab and window.channels_tab.channel_widgets
    assert guide.next_step.key == "stores" and guide.do_button.text() == "Add a store"
    qtbot.mouseClick(guide.do_button, Qt.MouseButton.LeftButton)  # opens the store form
    assert window.channels_tab.form.isVisibleTo(window.channels_tab)

    qtbot.mouseClick(guide.hide_button, Qt.MouseButton.LeftButton)
    assert guide.isHidden()
    again = open_window(qtbot, qloop, app)
    assert again.guide.isHidden()  # hidden stays hidden
    again.menus.getting_started.trigger()
    settle(qloop, again)
    assert not again.guide.isHidden()
    run(qloop, again.shutdown())
    run(qloop, window.shutdown())


def test_the_guide_offers_auto_map_preview_and_pull(qtbot, qloop, app):
    with start_sandbox(SandboxOptions(products=6)) as sandbox:  # an empty store of its own
        run(qloop, prepare_demo(app, sandbox))
        window = open_window(qtbot, qloop, app)
        guide = window.guide
        assert guide.next_step.key == "preview" and guide.do_button.text() == "Preview (dry run)"
        qtbot.mouseClick(guide.do_button, Qt.MouseButton.LeftButton)
        settle(qloop, window)
        assert window.sync_tab.lower.currentWidget() is window.sync_tab.preview
        assert sandbox.woocommerce.write_count() == 0  # a dry run writes nothing
        assert guide.chips["preview"].property("done") and guide.next_step.key == "pull"
        qtbot.mouseClick(guide.do_button, Qt.MouseButton.LeftButton)
        settle(qloop, window)
        assert sandbox.woocommerce.counts()["products"] > 0
        assert guide.all_done and "All set" in guide.todo.text()
        run(qloop, window.shutdown())


def test_the_guide_offers_auto_map_on_the_mapping_step(qtbot, qloop, app, sandbox):
    from tests.support.app import STORE, store_form

    connect_unopim(qloop, app, sandbox)
    assert run(qloop, app.stores.save(store_form(sandbox))).ok
    run(qloop, app.channels.refresh())
    rows = run(qloop, app.channels.channels())
    rows[0].store_label = STORE
    run(qloop, app.channels.save(rows))
    window = open_window(qtbot, qloop, app)
    guide = window.guide
    assert guide.next_step.key == "mapping" and guide.do_button.text() == "Auto-map the fields"
    qtbot.mouseClick(guide.do_button, Qt.MouseButton.LeftButton)
    settle(qloop, window)
    core = window.mapping_tab.core
    assert window.tabs.currentWidget() is window.mapping_tab and core.pickers["sku"].code() == "sku"
    assert "Filled" in core.banner.text() and core.unsaved_rows()  # proposed, for the merchant to check and save
    qtbot.mouseClick(core.save_button, Qt.MouseButton.LeftButton)
    settle(qloop, window)
    assert guide.chips["mapping"].property("done") and guide.next_step.key == "preview"
    run(qloop, window.shutdown())


def test_empty_states_say_what_to_do_with_a_button_that_does_it(qtbot, qloop, app, sandbox):
    connect_unopim(qloop, app, sandbox)
    window = open_window(qtbot, qloop, app)
    tab = window.channels_tab
    assert tab.no_stores.isVisibleTo(tab) and not tab.table.isVisibleTo(tab)
    assert [b.text() for b in tab.no_stores.buttons] == [f"Add {k.noun}" for k in tab.kinds.values()]
    qtbot.mouseClick(tab.no_stores.buttons[1], Qt.MouseButton.LeftButton)
    assert tab.form.isVisibleTo(tab) and tab.form.kind.name == "bigcommerce"

    click(qtbot, qloop, window, tab.refresh_button)
    attributes = window.mapping_tab.attributes
    window.tabs.setCurrentWidget(window.mapping_tab)
    window.mapping_tab.inner.setCurrentWidget(attributes)
    settle(qloop, window)
    assert attributes.empty.isVisibleTo(attributes) and not attributes.rows
    qtbot.mouseClick(attributes.empty.buttons[0], Qt.MouseButton.LeftButton)  # Add a row
    assert len(attributes.rows) == 1 and attributes.table.isVisibleTo(attributes)
    run(qloop, window.shutdown())


def test_a_banner_appears_beside_the_action_that_caused_it(qtbot, qloop, ready):
    window = ready
    window.show()
    window.resize(1200, 600)
    tab = window.channels_tab
    window.tabs.setCurrentWidget(tab)
    tab.scroll.verticalScrollBar().setValue(0)
    click(qtbot, qloop, window, tab.save_button)
    qtbot.waitUntil(lambda: tab.save_banner.isVisible(), timeout=3000)
    settle(qloop, window)
    viewport = tab.scroll.viewport()
    top = tab.save_banner.mapTo(viewport, QPoint(0, 0)).y()
    assert 0 <= top < viewport.height(), (top, viewport.height())  # scrolled into view, beside Save channels
    assert tab.save_banner.kind == "success"
