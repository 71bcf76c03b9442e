"""Settings tab: every General setting in its own place, saved through the one settings service (the CLI's
`settings` reads the same values), the Sync tab following the saved Dry run, Enter saving, compact spin
boxes, and Remove all data for this UnoPim address after a confirmation that names what stays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.support.gui import click, connect_unopim, open_window, run, settle
from unopim_desktop.app.connection import Badge
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import repo, sync_repo
from unopim_desktop.ui.main_window import MainWindow
from unopim_desktop.ui.tabs.settings import ROWS, SPIN_WIDTH


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=4))
    yield sb
    sb.stop()


@pytest.fixture
def window(qtbot, qloop, app, sandbox) -> Iterator[MainWindow]:
    connect_unopim(qloop, app, sandbox)
    w = open_window(qtbot, qloop, app)
    w.tabs.setCurrentWidget(w.settings_tab)
    yield w
    settle(qloop, w)
    run(qloop, w.shutdown())


def test_every_general_setting_has_a_row_and_saves_and_reloads(qtbot, qloop, window, app):
    tab = window.settings_tab
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "Se&ttings"
    assert set(tab.widgets) == {"on_delete", "dry_run", "writeback_delete", "max_delete", "reconcile_hours",
                                "on_conflict", "sync_images", "log_retention_days"}
    assert tab.values() == {"dry_run": "0", "on_delete": "trash", "writeback_delete": "0", "reconcile_hours": "24",
                            "max_delete": "10", "on_conflict": "unopim", "log_retention_days": "30",
                            "sync_images": "1"}
    assert window.desktop_settings.isVisibleTo(tab)  # this computer's settings, in the same tab
    assert tab.on_delete_note.text().startswith("Trash: ")
    for row in ROWS:  # compact controls, each explained
        if row.kind == "number":
            assert tab.widgets[row.key].maximumWidth() == SPIN_WIDTH
        assert tab.widgets[row.key].toolTip() == row.hint
    w = tab.widgets
    w["dry_run"].setChecked(True)
    w["writeback_delete"].setChecked(True)
    w["on_delete"].setCurrentIndex(w["on_delete"].findData("skip"))
    w["reconcile_hours"].setValue(6)
    w["max_delete"].setValue(25)
    w["log_retention_days"].setValue(90)
    w["sync_images"].setChecked(False)
    w["on_conflict"].setCurrentIndex(w["on_conflict"].findData("ask"))
    assert tab.unsaved and tab.on_delete_note.text().startswith("Skip: The deletion is logged")
    assert "Keep logs" in tab.unsaved_label.text()
    click(qtbot, qloop, window, tab.save_button)
    assert tab.banner.kind == "success" and not tab.unsaved
    address = run(qloop, app.connection.address())
    stored = app.ctx.lane.run_sync(sync_repo.general_settings, address)
    assert stored == {"dry_run": "1", "on_delete": "skip", "writeback_delete": "1", "reconcile_hours": "6",
                      "max_delete": "25", "on_conflict": "ask", "log_retention_days": "90", "sync_images": "0"}
    rows = app.ctx.lane.run_sync(repo.recent_logs, address, 5)
    assert any(r["message"].startswith("General settings saved: Dry run on") and "keep logs 90 days" in r["message"]
               and "on conflict: Ask" in r["message"]
               for r in rows)
    # The Sync controls follow at once: the next run is a dry run.
    assert window.sync_tab.dry_run_override.isChecked()
    assert window.sync_tab.dry_run_label.text().startswith("Dry run is ON")

    again = open_window(qtbot, qloop, app)  # a restart reads them back
    assert again.settings_tab.values() == stored and not again.settings_tab.unsaved
    assert again.sync_tab.dry_run_override.isChecked()
    run(qloop, again.shutdown())


def test_enter_in_a_field_saves(qtbot, qloop, window, app):
    tab = window.settings_tab
    spin = tab.widgets["max_delete"]
    spin.setFocus()
    spin.setValue(30)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    settle(qloop, window)
    assert tab.banner.kind == "success" and not tab.unsaved
    assert run(qloop, app.settings.load())["max_delete"] == "30"


def test_the_saved_dry_run_makes_the_next_pull_a_dry_run(qtbot, qloop, window, sandbox):
    tab = window.settings_tab
    tab.widgets["dry_run"].setChecked(True)
    click(qtbot, qloop, window, tab.save_button)
    assert window.sync_tab.dry_run_choice() is None and window.sync_tab.saved_dry_run


def test_remove_all_data_asks_first_and_says_nothing_remote_is_deleted(qtbot, qloop, window, app, sandbox):
    tab = window.settings_tab
    address = run(qloop, app.connection.address())
    assert address in tab.remove_note.text() and "Nothing is deleted in UnoPim or in the stores" in tab.remove_note.text()
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert tab.remove_bar.isVisibleTo(tab) and "Nothing is deleted in UnoPim" in tab.remove_bar.text.text()
    qtbot.mouseClick(tab.remove_bar.keep_button, Qt.MouseButton.LeftButton)  # Keep it: nothing happens
    settle(qloop, window)
    assert run(qloop, app.connection.address()) == address

    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.remove_bar.confirm_button, Qt.MouseButton.LeftButton)
    settle(qloop, window)
    assert tab.remove_banner.kind == "success" and "Nothing was deleted in UnoPim" in tab.remove_banner.text()
    assert run(qloop, app.connection.address()) is None
    assert window.badge.badge is Badge.NOT_CONNECTED
    assert not tab.save_button.isEnabled() and "Connect to UnoPim first" in tab.hint.text()
    assert sandbox.unopim.write_count() == 0


def test_before_connecting_the_form_is_off_and_says_why(qtbot, qloop, app):
    window = open_window(qtbot, qloop, app)
    tab = window.settings_tab
    assert not tab.save_button.isEnabled() and not tab.remove_button.isEnabled()
    assert "Connect to UnoPim first" in tab.hint.text() and tab.unsaved_changes() == []
    run(qloop, window.shutdown())
