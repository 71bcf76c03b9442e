"""The Logs tab on a million rows (three weeks of a busy shop's syncs): the newest page comes first, the view
loads the next page as it scrolls, and a filter finds its rows among the million — each answered from the
database, so the window never holds the million. How long the window's loop goes unserved meanwhile is measured by
`benchmarks/logs_ui.py` (a figure, not a pass/fail here)."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.gui import open_window, run, settle
from tests.support.million_logs import fill
from unopim_desktop.ui.tabs import logs as logs_module


@pytest.fixture
def window(qtbot, qloop, app):
    fill(app.ctx)
    w = open_window(qtbot, qloop, app)
    w.tabs.setCurrentWidget(w.logs_tab)
    settle(qloop, w)
    yield w
    settle(qloop, w)
    run(qloop, w.shutdown())


def test_a_million_rows_page_and_filter_from_the_database(qtbot, qloop, window):
    tab = window.logs_tab
    rows = tab.model.rows
    assert len(rows) == logs_module.PAGE
    assert rows[0]["message"] == "Product SKU-ERR-999 failed: refused."  # the newest row first
    assert tab.count_label.text().startswith(f"Showing {logs_module.PAGE} of 10,000+")

    tab.table.scrollToBottom()  # the next page, as the view reaches the end
    settle(qloop, window)
    assert len(tab.model.rows) == 2 * logs_module.PAGE

    tab.filters.level.setCurrentIndex(tab.filters.level.findData("error"))
    run(qloop, asyncio.sleep(0.4))
    settle(qloop, window)
    assert tab.count_label.text().startswith(f"Showing {logs_module.PAGE} of 1,000")
    assert all(r["level"] == "error" for r in tab.model.rows)

    qtbot.keyClicks(tab.filters.search, "SKU-ERR-4")
    run(qloop, asyncio.sleep(0.6))
    settle(qloop, window)
    # SKU-ERR-4, -40…49, -400…499: 111 rows, all in one page
    assert sorted(r["entity"] for r in tab.model.rows) == sorted(
        {f"SKU-ERR-{n}" for n in range(1000) if str(n).startswith("4")})
