"""Logs tab, as a merchant reads it: every filter applied on the database and combined, pages loaded as the
view scrolls, a row read in full (message, HTTP status, what the server said), the history of one item and
one run in a click, rows arriving while a run goes (no Refresh button), copy and CSV export of the filtered
rows, local times with UTC on hover, the log folder, and the retention trim."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from tests.support.gui import connect_unopim, open_window, run, settle
from unopim_desktop.app.demo import prepare_demo
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import logs_repo, sync_repo
from unopim_desktop.ui.main_window import MainWindow
from unopim_desktop.ui.tabs import logs as logs_module
from unopim_desktop.ui.widgets.log_table import COLUMNS, time_text

NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=6))
    yield sb
    sb.stop()


def _seed(app, address: str, run_id: int) -> None:
    # Oldest first, as rows are written.
    rows = [{"message": "Old category row", "level": "warning", "channel": "web", "direction": "pull",
             "entity_kind": "category", "entity": "shoes", "created_at": NOW - dt.timedelta(days=3)}]
    for i in range(450):  # more than two pages
        rows.append({
            "message": f"Product SKU-{i} updated in “Shop” (id {i}).", "level": "info", "channel": "web",
            "direction": "pull", "entity_kind": "product", "entity": f"SKU-{i}", "action": "updated", "run": run_id,
            "created_at": NOW - dt.timedelta(minutes=450 - i)})
    rows += [
        {"message": "Product SKU-7 failed: the store refused the price.\nSecond line of the message.", "level": "error",
         "channel": "b2b", "direction": "push", "entity_kind": "product", "entity": "SKU-7", "action": "failed",
         "run": run_id, "http_status": 422, "server_text": '{"code":"woocommerce_rest_invalid_price"}',
         "created_at": NOW - dt.timedelta(seconds=30)},
    ]
    app.ctx.lane.run_sync(logs_repo.add_logs, address, rows)


@pytest.fixture
def window(qtbot, qloop, app, sandbox) -> Iterator[MainWindow]:
    connect_unopim(qloop, app, sandbox)
    address = run(qloop, app.connection.address())
    run_id = app.ctx.lane.run_sync(sync_repo.start_run, address, "pull_full", "web", "Shop", False)
    app.ctx.lane.run_sync(sync_repo.finish_run, run_id, "partial", {}, "1 item(s) failed")
    _seed(app, address, run_id)
    w = open_window(qtbot, qloop, app)
    w.tabs.setCurrentWidget(w.logs_tab)
    w.run_id = run_id  # type: ignore[attr-defined]
    yield w
    settle(qloop, w)
    run(qloop, w.shutdown())


def _apply(qloop, window: MainWindow) -> None:
    """Let a filter change land (typing waits for a pause; a combo reloads at once)."""
    run(qloop, asyncio.sleep(0.4))
    settle(qloop, window)


def test_the_newest_page_comes_first_in_local_time_and_the_rest_as_the_view_scrolls(qtbot, qloop, window):
    tab = window.logs_tab
    assert [tab.model.headerData(i, Qt.Orientation.Horizontal) for i in range(len(COLUMNS))] == list(COLUMNS)
    first = tab.model.rows[0]
    assert first["entity"] == "SKU-7" and len(tab.model.rows) == logs_module.PAGE
    assert tab.count_label.text().startswith(f"Showing {logs_module.PAGE} of ")
    index = tab.model.index(0, 0)
    assert tab.model.data(index) == time_text(first["created_at"])  # local time, one line
    assert tab.model.data(index, Qt.ItemDataRole.ToolTipRole) == f"UTC {first['created_at']}"
    assert "\n" not in tab.model.data(tab.model.index(0, COLUMNS.index("Message")))  # the table shows one line
    assert tab.model.canFetchMore(tab.model.index(-1, -1))
    tab.table.scrollToBottom()  # Qt asks for the next page near the end
    tab.model.fetchMore(tab.model.index(-1, -1))
    settle(qloop, window)
    assert len(tab.model.rows) == 2 * logs_module.PAGE
    ids = [r["id"] for r in tab.model.rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


def test_a_row_is_read_in_full_with_the_servers_answer_and_its_history_is_one_click(qtbot, qloop, window):
    tab = window.logs_tab
    tab.table.selectRow(0)
    settle(qloop, window)
    text = tab.detail.toPlainText()
    assert "Second line of the message." in text and "HTTP status" in text and "422" in text
    assert "woocommerce_rest_invalid_price" in text and f"#{window.run_id} pull_full partial" in text
    assert tab.history_button.text() == "&History of SKU-7"
    qtbot.mouseClick(tab.history_button, Qt.MouseButton.LeftButton)
    _apply(qloop, window)
    assert {(r["entity_kind"], r["entity"]) for r in tab.model.rows} == {("product", "SKU-7")}
    assert len(tab.model.rows) == 2  # its update and its failure, across runs and times
    assert tab.filters.search.text() == "SKU-7"
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)  # this run only
    _apply(qloop, window)
    assert tab.filters.run.currentData() == window.run_id and tab.filters.entity == ""
    assert {r["run"] for r in tab.model.rows} == {window.run_id}


@pytest.mark.parametrize(("set_filter", "check"), [
    (lambda f: f.level.setCurrentIndex(f.level.findData("error")), lambda r: r["level"] == "error"),
    (lambda f: f.channel.setCurrentIndex(f.channel.findData("b2b")), lambda r: r["channel"] == "b2b"),
    (lambda f: f.direction.setCurrentIndex(f.direction.findData("push")), lambda r: r["direction"] == "push"),
    (lambda f: f.kind.setCurrentIndex(f.kind.findData("category")), lambda r: r["entity_kind"] == "category"),
    (lambda f: f.time.setCurrentIndex(1), lambda r: r["created_at"] >= (NOW - dt.timedelta(hours=1, minutes=1))
     .isoformat(sep=" ", timespec="seconds")),
], ids=["level", "channel", "direction", "kind", "last-hour"])
def test_each_filter_narrows_the_rows_on_the_database(qtbot, qloop, window, set_filter, check):
    tab = window.logs_tab
    if tab.filters.channel.findData("b2b") < 0:
        tab.filters.set_channels(["web", "b2b"])
    set_filter(tab.filters)
    _apply(qloop, window)
    assert tab.model.rows and all(check(r) for r in tab.model.rows)
    assert tab.total == len(tab.model.rows) or tab.total > logs_module.PAGE


def test_free_text_waits_for_a_pause_and_clear_filters_shows_everything(qtbot, qloop, window):
    tab = window.logs_tab
    qtbot.keyClicks(tab.filters.search, "refused the PRICE")
    _apply(qloop, window)
    assert [r["entity"] for r in tab.model.rows] == ["SKU-7"]
    tab.filters.level.setCurrentIndex(tab.filters.level.findData("warning"))  # combined: nothing matches
    _apply(qloop, window)
    assert tab.model.rows == [] and tab.stack.currentWidget() is tab.empty
    assert tab.empty.text.text() == logs_module.NOTHING_MATCHES and tab.empty.buttons[0].isVisibleTo(tab)
    qtbot.mouseClick(tab.empty.buttons[0], Qt.MouseButton.LeftButton)  # Clear filters
    _apply(qloop, window)
    assert len(tab.model.rows) == logs_module.PAGE and tab.stack.currentWidget() is tab.table


def test_copy_and_export_the_filtered_rows(qtbot, qloop, window, tmp_path):
    tab = window.logs_tab
    tab.filters.level.setCurrentIndex(tab.filters.level.findData("info"))
    _apply(qloop, window)
    assert tab.copy_rows() == logs_module.PAGE  # nothing selected: every row shown
    copied = list(csv.reader(QGuiApplication.clipboard().text().splitlines()))
    assert copied[0][:3] == ["Time", "Time (UTC)", "Level"] and len(copied) == logs_module.PAGE + 1

    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    dialog = tab.findChild(QFileDialog, "exportLogsDialog")
    assert dialog is not None and dialog.isVisible()  # a save dialog, not a blocking one
    target = tmp_path / "info.csv"
    dialog.fileSelected.emit(str(target))
    dialog.close()
    settle(qloop, window)
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    # Every match (the 450 seeded, the connection's row), beyond the page shown.
    assert len(rows) - 1 == tab.total == 451 and {r[2] for r in rows[1:]} == {"info"}
    assert tab.banner.kind == "success" and "Exported 451 row(s)" in tab.banner.text()


def test_open_log_folder_opens_the_apps_log_folder(qtbot, qloop, window, monkeypatch):
    opened = []
    monkeypatch.setattr(logs_module, "open_folder", lambda path: opened.append(path) or True)
    qtbot.mouseClick(window.logs_tab.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [window.app.paths.logs]


def test_rows_older_than_the_retention_are_trimmed_and_the_tab_says_how_long_rows_stay(qtbot, qloop, window, app):
    tab = window.logs_tab
    assert tab.retention_label.text() == "Kept 30 days (Settings → Keep logs)"
    run(qloop, app.settings.save({"log_retention_days": "2"}))
    settle(qloop, window)
    assert tab.retention_label.text().startswith("Kept 2 days")
    removed = run(qloop, app.activity.trim_logs(now=NOW + dt.timedelta(minutes=1)))
    assert removed == 1  # the three-day-old category row
    run(qloop, tab.reload())
    assert "shoes" not in {r["entity"] for r in tab.model.rows}


def test_rows_arrive_while_a_run_goes_without_a_refresh_button(qtbot, qloop, app, monkeypatch):
    monkeypatch.setattr(logs_module, "TAIL_MS", 100)  # a short run: poll more often than the window does
    with start_sandbox(SandboxOptions(products=30, latency_ms=25)) as sb:
        run(qloop, prepare_demo(app, sb))
        window = open_window(qtbot, qloop, app)
        window.app.engine.page_size = 10
        tab, sync = window.logs_tab, window.sync_tab
        window.tabs.setCurrentWidget(tab)  # the merchant watches the Logs while the run goes
        assert not [b for b in tab.findChildren(type(tab.copy_button)) if b.text().replace("&", "") == "Refresh"]
        before = tab.model.newest_id

        async def watch() -> tuple[int, int]:
            sync.pull_full_button.click()  # started on the Sync tab; the merchant stays on the Logs
            seen_live, rows_during_run = 0, 0
            while sync.running:
                await asyncio.sleep(0.05)
                if tab.live_label.text():
                    seen_live += 1
                rows_during_run = max(rows_during_run, sum(1 for r in tab.model.rows if r["id"] > (before or 0)))
            await sync.wait_idle()
            return seen_live, rows_during_run

        seen_live, during = run(qloop, watch())
        settle(qloop, window)
        assert seen_live and during > 0  # rows showed up while the run was going
        assert not tab.live_label.text()
        assert any(r["message"].startswith("Pull full of default done.") for r in tab.model.rows)
        assert tab.filters.run.count() > 1  # the run is offered as a filter
        run(qloop, window.shutdown())
