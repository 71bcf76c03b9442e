"""Sync tab, driven as a merchant would: click Pull Full / Pull Delta / Cancel and read the bars, the live
tail, the run history and the WooCommerce sandbox.

Each test gets a fresh sandbox (UnoPim full, store empty) and a data folder made ready to pull by
`prepare_demo` (connected, "Demo WooCommerce" added, channel `default` aimed at it, core fields mapped)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.support.gui import click, open_window, run, settle
from unopim_desktop.app.application import App
from unopim_desktop.app.demo import DEMO_CHANNEL, DEMO_STORE, prepare_demo
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.sync.events import LogRow, RunFinished, RunStarted, StepProgress
from unopim_desktop.sync.pull.job import STEPS
from unopim_desktop.sync.pull.job import STEPS as PULL_STEPS
from unopim_desktop.ui.main_window import MainWindow
from unopim_desktop.ui.widgets.log_tail import LEVEL_COLOURS


def _prepare(qloop, app: App, sandbox: Sandbox) -> None:
    run(qloop, prepare_demo(app, sandbox))


@pytest.fixture
def ready(qtbot, qloop, app) -> Iterator[tuple[MainWindow, Sandbox]]:
    sandbox = start_sandbox(SandboxOptions(products=12))
    try:
        _prepare(qloop, app, sandbox)
        window = open_window(qtbot, qloop, app)
        yield window, sandbox
        settle(qloop, window)
        run(qloop, window.shutdown())
    finally:
        sandbox.stop()


def expected_store(sandbox: Sandbox) -> tuple[int, int]:
    """(store products, variations) the catalogue should become: simple + configurable, and variants."""
    cat = sandbox.catalogue
    variants = sum(1 for p in cat.products if p.get("parent"))
    return len(cat.products) - variants + len(cat.configurable_products), variants


def skus(sandbox: Sandbox) -> list[str]:
    out = []
    for p in sandbox.woocommerce.products(include_trashed=True):
        out.append(p["sku"])
        out += [v["sku"] for v in sandbox.woocommerce.variations(p["id"])]
    return out


def images_by_sku(sandbox: Sandbox) -> dict[str, int]:
    out = {}
    for p in sandbox.woocommerce.products():
        out[p["sku"]] = len(p["images"])
        for v in sandbox.woocommerce.variations(p["id"]):
            out[v["sku"]] = 1 if v.get("image") else 0
    return out


def history_rows(window: MainWindow) -> list[dict[str, str]]:
    table = window.sync_tab.history
    return [table.row_texts(i) for i in range(table.rowCount())]


# -- Pull Full ----------------------------------------------------------------------------------------
def test_pull_full_fills_the_store_with_bars_tail_and_history(qtbot, qloop, ready):
    window, sandbox = ready
    tab = window.sync_tab
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "S&ync"  # Alt+Y
    assert window.tabs.indexOf(tab) == window.tabs.indexOf(window.mapping_tab) + 1
    assert tab.push_box.isVisibleTo(tab) and all(b.isEnabled() for b in tab.push_buttons)
    assert [tab.channel.itemData(i) for i in range(tab.channel.count())][:1] == [None]
    assert tab.channel.findData(DEMO_CHANNEL) > 0
    assert tab.dry_run_label.text().startswith("Dry run off")

    qtbot.mouseClick(tab.pull_full_button, Qt.MouseButton.LeftButton)
    busy = (tab.pull_full_button.isEnabled(), tab.pull_delta_button.isEnabled(), tab.cancel_button.isEnabled())
    qtbot.mouseClick(tab.pull_full_button, Qt.MouseButton.LeftButton)  # a second click does nothing
    settle(qloop, window)

    assert busy == (False, False, True)
    assert not tab.cancel_button.isEnabled() and tab.pull_full_button.isEnabled()
    products, variations = expected_store(sandbox)
    counts = sandbox.woocommerce.counts()
    assert (counts["products"], counts["variations"]) == (products, variations)
    assert counts["categories"] > 1 and counts["trashed"] == 0
    assert tab.banner.kind == "success" and tab.banner.text().startswith("Pull Full done:")

    for step in STEPS:  # every bar reached its total
        row, state = tab.progress.rows[step], tab.progress.states[step]
        assert state.finished, step
        assert row.bar.maximum() > 0 and row.bar.value() == row.bar.maximum(), step
        assert row.count.text() == f"{state.total}/{state.total}" and row.eta.text() == "done", step
    assert tab.progress.states["products"].total == products
    assert tab.progress.states["variants"].total == variations

    lines = tab.tail.lines()
    assert any(f"Pull full of channel {DEMO_CHANNEL} into “{DEMO_STORE}” started." in line for line in lines)
    assert "Pull full of default done." in lines[-1]  # newest at the bottom

    rows = history_rows(window)
    assert len(rows) == 1  # the second click started nothing
    top = rows[0]
    assert (top["Job"], top["Channel"], top["Store"], top["Status"]) == ("Pull Full", DEMO_CHANNEL, DEMO_STORE, "done")
    totals = tab.last_outcome.totals()
    assert int(top["Created"]) == sum(c["created"] for c in totals.values())
    assert int(top["Created"]) >= products + variations
    assert int(top["Failed"]) == 0
    # The Logs tab shows the run's rows when it is opened (a hidden tab does not poll during the run).
    window.tabs.setCurrentWidget(window.logs_tab)
    settle(qloop, window)
    assert any(r["message"].startswith("Pull full of default done.") for r in window.logs_tab.model.rows)


def test_pull_delta_after_a_full_pull_writes_nothing(qtbot, qloop, ready):
    window, sandbox = ready
    tab = window.sync_tab
    click(qtbot, qloop, window, tab.pull_full_button)
    assert tab.banner.kind == "success"
    writes = sandbox.woocommerce.write_count()
    seen = click(qtbot, qloop, window, tab.pull_delta_button)
    assert seen == ("Pull &Delta", False)
    assert sandbox.woocommerce.write_count() == writes
    top = history_rows(window)[0]
    assert (top["Job"], top["Status"], top["Created"], top["Updated"], top["Failed"]) == (
        "Pull Delta", "done", "0", "0", "0")
    assert tab.banner.kind == "success" and tab.banner.text().startswith("Pull Delta done: 0 created, 0 updated")


def test_push_all_products_after_a_pull_changes_nothing_in_unopim(qtbot, qloop, ready):
    window, sandbox = ready
    tab = window.sync_tab
    click(qtbot, qloop, window, tab.pull_full_button)
    writes = sandbox.unopim.write_count()
    qtbot.mouseClick(tab.push_buttons[0], Qt.MouseButton.LeftButton)
    # Push All writes to UnoPim: it says so and waits for a confirmation; nothing runs yet.
    assert tab.action_bar.isVisibleTo(tab) and "to UnoPim" in tab.action_bar.text.text()
    assert tab.run_task is None or tab.run_task.done()
    qtbot.mouseClick(tab.action_bar.confirm_button, Qt.MouseButton.LeftButton)
    assert not tab.pull_full_button.isEnabled() and not tab.push_buttons[1].isEnabled()
    settle(qloop, window)
    assert tab.banner.kind == "success", tab.banner.text()
    assert sandbox.unopim.write_count() == writes  # the round trip sends nothing back
    assert [r["Job"] for r in history_rows(window)][:2] == ["Push All", "Pull Full"]
    assert tab.progress.steps != tuple(PULL_STEPS)  # the bars follow the job that ran


def test_push_changed_sees_a_store_edit_and_holds_it_inside_the_cooldown(qtbot, qloop, ready):
    window, sandbox = ready
    tab = window.sync_tab
    click(qtbot, qloop, window, tab.pull_full_button)
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    sandbox.woocommerce.touch_product(sandbox.woocommerce.product_by_sku(sku)["id"], name="Edited in the shop")
    writes = sandbox.unopim.write_count()
    click(qtbot, qloop, window, tab.push_changed_button)
    assert tab.banner.kind == "success", tab.banner.text()
    assert history_rows(window)[0]["Job"] == "Push Changed"
    # The product was pulled seconds ago: the 60 s cooldown keeps the edit from echoing back yet.
    assert sandbox.unopim.write_count() == writes
    assert any(sku in r.message and "cooldown" in r.message for r in tab.tail.rows), [r.message for r in tab.tail.rows]


def test_dry_run_override_writes_nothing_and_lasts_one_run(qtbot, qloop, ready):
    window, sandbox = ready
    tab = window.sync_tab
    tab.select_channel(DEMO_CHANNEL)
    tab.dry_run_override.setChecked(True)
    assert "next run only" in tab.dry_run_label.text()
    click(qtbot, qloop, window, tab.pull_full_button)

    assert sandbox.woocommerce.write_count() == 0
    assert sandbox.woocommerce.counts()["products"] == 0
    dry_rows = [r for r in tab.tail.rows if r.message.startswith("dry-run")]
    assert len(dry_rows) >= len(sandbox.catalogue.products)
    assert any("dry-run: would create product" in line for line in tab.tail.lines())
    top = history_rows(window)[0]
    assert (top["Job"], top["Status"]) == ("Pull Full (dry run)", "done")  # its counts are what it would do
    # One run only: the override went back to General settings (off), and the next pull writes.
    assert not tab.dry_run_override.isChecked() and tab.dry_run_label.text().startswith("Dry run off")
    click(qtbot, qloop, window, tab.pull_full_button)
    assert sandbox.woocommerce.counts()["products"] == expected_store(sandbox)[0]


# -- Cancel -----------------------------------------------------------------------------------------------
def test_cancel_stops_the_run_and_the_next_pull_full_completes_exactly(qtbot, qloop, app, tmp_path):
    options = SandboxOptions(products=40, latency_ms=30)
    # Reference: the same catalogue pulled without interruption, headless, in its own data folder.
    with start_sandbox(SandboxOptions(products=40)) as reference:  # same catalogue, no latency needed
        ref_dir = tmp_path / "reference"
        ref_dir.mkdir()
        ref_app = App.open(ref_dir, page_size=10)
        try:
            _prepare(qloop, ref_app, reference)
            outcome = run(qloop, ref_app.engine.pull(full=True))
            run(qloop, ref_app.aclose())
            assert outcome.status == "done"
            want_counts = reference.woocommerce.counts()
            want_images = images_by_sku(reference)
        finally:
            ref_app.close()

    with start_sandbox(options) as sandbox:
        _prepare(qloop, app, sandbox)
        window = open_window(qtbot, qloop, app)
        tab = window.sync_tab
        window.app.engine.page_size = 10  # finer checkpoints, so Cancel lands inside the products step

        async def cancel_mid_products() -> tuple[bool, bool]:
            qtbot.mouseClick(tab.pull_full_button, Qt.MouseButton.LeftButton)
            deadline = time.monotonic() + 20
            while tab.progress.states["products"].done == 0 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
            seen = (tab.cancel_button.isEnabled(), tab.pull_full_button.isEnabled())
            await tab.wait_idle()
            return seen

        seen = run(qloop, cancel_mid_products())
        assert seen == (False, False)  # Cancel clicked once; Pull stays off until the run has stopped
        assert tab.banner.kind == "warning" and "cancelled" in tab.banner.text()
        assert history_rows(window)[0]["Status"] == "cancelled"
        assert sandbox.woocommerce.counts()["products"] < want_counts["products"]
        assert tab.pull_full_button.isEnabled() and not tab.cancel_button.isEnabled()

        click(qtbot, qloop, window, tab.pull_full_button)
        assert tab.banner.kind == "success", tab.banner.text()
        assert [r["Status"] for r in history_rows(window)] == ["done", "cancelled"]
        got = sandbox.woocommerce.counts()
        # Nothing sent twice: a cancel lets the calls already in flight finish and be recorded.
        assert got == want_counts
        assert images_by_sku(sandbox) == want_images
        duplicates = [sku for sku, n in Counter(skus(sandbox)).items() if n > 1]
        assert duplicates == []
        settle(qloop, window)
        run(qloop, window.shutdown())


# -- responsiveness -------------------------------------------------------------------------------------------
def test_progress_and_tail_are_coalesced_and_bounded(qtbot, qloop, app):
    window = open_window(qtbot, qloop, app)
    tab = window.sync_tab
    before = tab.progress.repaints

    window.app.bus.emit(RunStarted(99, "pull_full", "default", "Shop", False, STEPS))
    started = tab.progress.repaints  # the panel is reset for the new run
    for i in range(1, 20_001):
        window.app.bus.emit(StepProgress(99, "products", i, 20_000, 1.0))
    for i in range(2_000):
        window.app.bus.emit(LogRow(f"row {i}", "error" if i == 1_999 else "info", "pull"))
    bar = tab.progress.rows["products"].bar
    assert tab.progress.repaints == started  # recording the events repainted nothing: the timer does
    qtbot.waitUntil(lambda: (bar.value(), bar.maximum()) == (20_000, 20_000) and len(tab.tail.lines()) == 500,
                    timeout=5000)
    assert tab.progress.repaints - before < 60  # a handful of ticks, not 20,000 repaints
    lines = tab.tail.lines()
    assert len(lines) == 500 and lines[-1].endswith("ERROR: row 1999") and lines[0].endswith("row 1500")
    html = tab.tail.document().toHtml()
    assert LEVEL_COLOURS["error"] in html  # the error row is red
    # A run the tab did not start (a schedule, say) still locks the buttons until it finishes.
    assert not tab.pull_full_button.isEnabled() and tab.cancel_button.isEnabled()
    assert tab.pull_full_button.toolTip() == "Not now: A sync is running: wait for it, or click Cancel."
    window.app.bus.emit(RunFinished(99, "pull_full", "default", "done", {}, ""))
    qtbot.waitUntil(lambda: not tab.cancel_button.isEnabled(), timeout=5000)
    # Back to what may run now: nothing is connected in this window, and the tooltip says so.
    assert not tab.pull_full_button.isEnabled() and "Connect to UnoPim first" in tab.pull_full_button.toolTip()
    assert tab.run_title.text().endswith("<b>done</b>")
    run(qloop, window.shutdown())


def test_unknown_total_shows_an_indeterminate_bar(qtbot, qloop, app):
    window = open_window(qtbot, qloop, app)
    tab = window.sync_tab
    window.app.bus.emit(RunStarted(7, "pull_full", "default", "Shop", False, STEPS))
    window.app.bus.emit(StepProgress(7, "products", 30, None))
    tab.flush()
    row = tab.progress.rows["products"]
    assert (row.bar.minimum(), row.bar.maximum()) == (0, 0) and row.count.text() == "30"
    window.app.bus.emit(StepProgress(7, "products", 30, 90, 12.0))
    tab.flush()
    assert (row.bar.maximum(), row.bar.value(), row.count.text()) == (90, 30, "30/90")
    assert row.eta.text() == "~12 s left"
    window.app.bus.emit(RunFinished(7, "pull_full", "default", "cancelled", {}, "Cancelled"))
    qtbot.waitUntil(lambda: row.eta.text() == "stopped", timeout=5000)
    assert row.eta.text() == "stopped" and row.bar.value() == 30  # frozen where it stopped, not spinning
    run(qloop, window.shutdown())


def test_actions_that_cannot_run_now_are_off_and_say_why(qtbot, qloop, app):
    window = open_window(qtbot, qloop, app)
    tab = window.sync_tab
    assert "Connect to UnoPim first" in tab.banner.text()
    for button in (tab.pull_full_button, tab.pull_delta_button, *tab.push_buttons):
        assert not button.isEnabled() and "Connect to UnoPim first" in button.toolTip(), button.text()
    click(qtbot, qloop, window, tab.pull_full_button)  # a click on a disabled button starts nothing
    assert tab.run_task is None and not tab.cancel_button.isEnabled()
    # The Sync menu follows the buttons, with the same reason.
    action = window.menus.sync["pull_full"]
    assert not action.isEnabled() and "Connect to UnoPim first" in action.toolTip()
    run(qloop, window.shutdown())


def test_a_run_started_elsewhere_frees_the_sync_actions_when_it_ends(qtbot, qloop, ready, app):
    """A scheduled run (or a conflict settled from its panel) goes through the engine, not this tab's
    buttons: the tab shows it running, and gives the actions back once the engine is idle again."""
    window, _sandbox = ready
    tab = window.sync_tab
    seen: list[bool] = []
    stop = app.bus.subscribe(lambda e: seen.append(tab.cancel_button.isEnabled()) if isinstance(e, StepProgress)
                             else None)
    assert run(qloop, app.engine.pull(full=True)).status == "done"
    stop()
    settle(qloop, window)
    run(qloop, asyncio.sleep(0.3))  # the tab looks again once the engine has released its lock
    assert seen and all(seen)  # shown as running while it ran
    assert tab.pull_full_button.isEnabled() and tab.pull_delta_button.isEnabled()
    assert not tab.cancel_button.isEnabled() and not tab.running
