"""The Scheduled jobs tab, the tray and its notifications, and General settings → Desktop, driven offscreen
as a merchant would, on a fake wall clock. There is no real system tray offscreen: the tray object is told
one exists (what `QSystemTrayIcon.isSystemTrayAvailable()` says on a desktop) and keeps every notice it
gives, which is what a click on one opens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.support.clock import FakeClock, NoSpread
from tests.support.gui import click, run, settle
from unopim_desktop.app.application import App
from unopim_desktop.app.autostart import APP_ID
from unopim_desktop.app.demo import prepare_demo
from unopim_desktop.app.notices import NoticePolicy
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.ui.main_window import MainWindow
from unopim_desktop.ui.tray import EXPLAIN_CLOSE, Tray


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ready(qtbot, qloop, data_dir, clock) -> Iterator[tuple[MainWindow, Sandbox, Tray]]:
    """The demo's set-up (connected, channel `default` → “Demo WooCommerce”, mapped) in a window with a tray."""
    app = App.open(data_dir, clock=clock, rng=NoSpread())
    sandbox = start_sandbox(SandboxOptions(products=6, seed=2, only=("unopim", "woocommerce")))
    ticks = iter(range(0, 1_000_000, 100))  # every look at the monotonic clock: 100 s later (a long run)
    try:
        run(qloop, prepare_demo(app, sandbox))
        window = MainWindow(app)
        qtbot.addWidget(window)
        tray = Tray(app, window, available=True, policy=NoticePolicy(monotonic=lambda: next(ticks)))
        window.attach_tray(tray)
        window.show()
        window.start_loading()
        settle(qloop, window)
        yield window, sandbox, tray
        settle(qloop, window)
        run(qloop, window.shutdown())
    finally:
        sandbox.stop()
        app.close()


def rows(window: MainWindow) -> dict[tuple[str, str], dict[str, str]]:
    tab = window.schedule_tab
    return {s.key: tab.row_texts(*s.key) for s in tab.statuses}


def reload(qloop, window: MainWindow, tray: Tray | None = None) -> None:
    run(qloop, window.schedule_tab.load())
    if tray is not None:
        run(qloop, tray.refresh())


def test_the_scheduled_jobs_tab_shows_each_job_and_runs_pauses_and_links_its_logs(qtbot, qloop, ready):
    window, sandbox, _tray = ready
    tab = window.schedule_tab
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "S&cheduled jobs"
    assert window.tabs.indexOf(tab) == window.tabs.indexOf(window.sync_tab) + 1
    first = rows(window)[("default", "pull")]
    assert first["Interval"] == "Hourly" and first["Last run"] == "never"
    assert first["Next run"].startswith("waiting: it has never completed a Pull Full into “Demo WooCommerce”")
    _logs, run_now, _pause = tab.buttons[("default", "pull")]
    assert not run_now.isEnabled()  # the first Pull Full is the merchant's

    click(qtbot, qloop, window, window.sync_tab.pull_full_button)
    reload(qloop, window)
    after_full = rows(window)[("default", "pull")]
    assert " · Pull Full (manual) · run " in after_full["Last run"] and after_full["Result"].startswith("done: ")
    assert after_full["Next run"].startswith("due now (catching up: ")  # the fake clock is years ahead

    click(qtbot, qloop, window, tab.buttons[("default", "pull")][1])  # Run now
    assert tab.banner.kind == "success" and tab.banner.text().startswith("default pull: ran Pull Delta — done: ")
    pulled = rows(window)[("default", "pull")]
    run_id = tab.statuses[0].run_link()
    assert pulled["Last run"].endswith(f"· Pull Delta (Run now) · run {run_id}")
    assert pulled["Next run"] == "2040-01-06 10:00 UTC"

    click(qtbot, qloop, window, tab.buttons[("default", "push")][2])  # Pause
    assert rows(window)[("default", "push")]["Next run"].startswith("paused")
    assert tab.buttons[("default", "push")][2].text() == "Resume"
    click(qtbot, qloop, window, tab.pause_all_button)
    assert tab.summary.text() == "All jobs paused." and tab.pause_all_button.text() == "Resume all"
    click(qtbot, qloop, window, tab.pause_all_button)
    assert tab.summary.text() == "Next: Pull Delta of default, at 2040-01-06 10:00 UTC."

    click(qtbot, qloop, window, tab.buttons[("default", "pull")][0])  # its Logs rows
    logs = window.logs_tab
    settle(qloop, window)
    assert window.tabs.currentWidget() is logs and logs.filters.value().run == run_id
    assert logs.filters.run.currentText().startswith(f"#{run_id} Pull Delta · default · ")
    messages = [r["message"] for r in logs.model.rows]
    assert any(m.startswith("Pull delta of default done.") for m in messages)
    assert not any("Pull full" in m for m in messages)  # only that run's rows
    logs.filters.clear()
    settle(qloop, window)
    assert logs.filters.value().run is None and any("Pull full" in r["message"] for r in logs.model.rows)


def test_the_tray_menu_notifies_a_failing_scheduled_run_once_and_opens_its_logs(qtbot, qloop, ready, clock):
    window, sandbox, tray = ready
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts[0] == "Scheduler: off in this window"  # this test drives the scheduler by hand
    assert texts[2:] == ["Pull Delta now", "Push Changed now", "Cancel the run", "Pause all", "Open", "Quit"]
    assert texts[1].startswith("No job is scheduled")
    click(qtbot, qloop, window, window.sync_tab.pull_full_button)
    clock.advance(hours=1)
    reload(qloop, window, tray)
    assert tray.next_action.text() == "Next: Pull Delta of default, due now."
    assert not tray.cancel_action.isEnabled() and tray.pull_action.isEnabled()

    next(s for s in sandbox._servers if s.name == "unopim").stop()  # UnoPim goes away
    run(qloop, window.app.session.reset())
    results = run(qloop, window.app.scheduler.run_due())
    assert [(r.job, r.status) for r in results] == [("pull", "failed"), ("push", "failed")]
    notices = list(tray.shown)
    assert [n.title for n in notices] == ["Scheduled Pull Delta of default failed",
                                          "Scheduled Push Changed of default failed"]
    assert notices[0].run_id == results[0].run_id and notices[0].level == "error"
    clock.advance(hours=1, minutes=1)
    run(qloop, window.app.scheduler.run_due())  # the same trouble an hour later: not said again
    assert tray.shown == notices

    window.hide()
    tray.icon.messageClicked.emit()  # the merchant clicks the last notification
    settle(qloop, window)
    assert window.isVisible() and window.tabs.currentWidget() is window.logs_tab
    assert window.logs_tab.filters.value().run == notices[-1].run_id

    qtbot.mouseClick(window.sync_tab.pull_full_button, Qt.MouseButton.LeftButton)  # (fails: UnoPim is gone)
    settle(qloop, window)
    tray.pause_action.trigger()
    settle(qloop, window)
    assert tray.pause_action.text() == "Resume all" and tray.state_action.text() == "Scheduler: paused"


def test_a_long_manual_run_that_ends_while_the_window_is_hidden_is_notified(qtbot, qloop, ready):
    window, sandbox, tray = ready
    window.hide()
    run(qloop, window.app.engine.pull(full=True))
    settle(qloop, window)
    assert [(n.title, n.level) for n in tray.shown] == [("Pull Full of default finished", "info")]
    assert tray.shown[0].text.startswith("done: ")
    window.show()
    run(qloop, window.app.engine.pull(full=False))  # the window is showing: no notice
    assert len(tray.shown) == 1


def test_closing_keeps_running_in_the_tray_and_says_so_once_and_quit_asks_during_a_run(qtbot, qloop, ready):
    window, sandbox, tray = ready
    closed: list[bool] = []
    window.closing.connect(lambda: closed.append(True))
    window.close()
    assert not window.isVisible() and closed == []
    assert [(n.title, n.text) for n in tray.shown] == [("UnoPim Desktop is still running", EXPLAIN_CLOSE)]
    settle(qloop, window)
    tray.open_action.trigger()
    assert window.isVisible()
    window.close()
    assert not window.isVisible() and len(tray.shown) == 1  # said once
    assert run(qloop, window.app.desktop.load())["tray_explained"] == "1"  # once ever, not once a session

    tray.open_action.trigger()
    qtbot.mouseClick(window.sync_tab.pull_full_button, Qt.MouseButton.LeftButton)
    assert window.sync_tab.running
    window.close()  # during a run, closing to the tray is fine: the run goes on
    assert not window.isVisible() and window.sync_tab.running
    tray.quit_action.trigger()  # Quit during a run asks first
    assert window.isVisible() and closed == []
    assert window.sync_tab.action_bar.confirm_button.text() == "Stop and quit"
    qtbot.mouseClick(window.sync_tab.action_bar.keep_button, Qt.MouseButton.LeftButton)  # keep running
    settle(qloop, window)
    assert window.sync_tab.banner.kind == "success" and not window.quitting

    run(qloop, window.app.desktop.save({"close_to_tray": "0"}))  # General settings → Desktop: off
    settle(qloop, window)
    assert not tray.keeps_running()
    window.close()
    assert closed == [True]


def test_general_settings_desktop_writes_and_removes_the_autostart_entry(qtbot, qloop, ready, private_config_home):
    window, _sandbox, tray = ready
    box = window.desktop_settings
    assert box.isVisibleTo(window.settings_tab)
    assert box.boxes["close_to_tray"].isChecked() and box.boxes["close_to_tray"].isEnabled()  # a tray exists
    assert not box.boxes["start_at_login"].isChecked() and box.boxes["notify_manual"].isChecked()
    entry = private_config_home / "autostart" / f"{APP_ID}.desktop"
    box.boxes["start_at_login"].setChecked(True)
    settle(qloop, window)
    assert entry.exists() and "--hidden" in entry.read_text(encoding="utf-8")
    assert box.status.text() == f"Start at login on: wrote {entry}."
    box.boxes["start_at_login"].setChecked(False)
    settle(qloop, window)
    assert not entry.exists() and box.status.text() == f"Start at login off: removed {entry}."
    box.boxes["close_to_tray"].setChecked(False)
    settle(qloop, window)
    assert not tray.keeps_running()


def test_without_a_tray_closing_quits_and_the_setting_says_why(qtbot, qloop, app):
    window = MainWindow(app)
    qtbot.addWidget(window)
    tray = Tray(app, window, available=False)
    window.attach_tray(tray)
    window.start_loading()
    settle(qloop, window)
    assert not tray.keeps_running()
    assert not window.desktop_settings.boxes["close_to_tray"].isEnabled()
    closed: list[bool] = []
    window.closing.connect(lambda: closed.append(True))
    window.close()
    assert closed == [True]
    run(qloop, window.shutdown())
