"""Demo mode comes up ready to pull: connected to the sandbox UnoPim, “Demo WooCommerce” added, channel
`default` aimed at it, core fields mapped; the Sync tab selected with “Demo ready: click Pull Full”."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.support.gui import click, run, settle
from unopim_desktop.app.application import App
from unopim_desktop.app.connection import Badge
from unopim_desktop.app.demo import (
    DEMO_CHANNEL,
    DEMO_READY,
    DEMO_STORE,
    DemoSession,
    DemoSetupError,
    prepare_demo,
)
from unopim_desktop.mapping.fields import CORE_FIELDS
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import mapping_repo, repo, stores_repo
from unopim_desktop.ui.main_window import MainWindow


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    peers = start_sandbox(SandboxOptions(products=12))
    yield peers
    peers.stop()


def store_sizes(sandbox: Sandbox) -> tuple[int, int]:
    cat = sandbox.catalogue
    variants = sum(1 for p in cat.products if p.get("parent"))
    return len(cat.products) - variants + len(cat.configurable_products), variants


def test_prepare_demo_connects_adds_the_store_maps_and_a_pull_full_fills_it(qloop, app, sandbox):
    lane = app.ctx.lane
    try:
        run(qloop, prepare_demo(app, sandbox))

        info = lane.run_sync(repo.instance_info, None)
        assert info is not None and info.address == sandbox.unopim_url and info.status == "connected"
        assert run(qloop, app.connection.badge()) is Badge.CONNECTED
        stores = lane.run_sync(stores_repo.list_stores, info.address)
        assert [(s.label, s.kind, s.active) for s in stores] == [(DEMO_STORE, "woocommerce", True)]
        channels = {c.code: c for c in lane.run_sync(stores_repo.list_channels, info.address)}
        assert channels[DEMO_CHANNEL].store_label == DEMO_STORE and channels[DEMO_CHANNEL].pull_enabled
        core = lane.run_sync(mapping_repo.core_mapping, info.address)
        assert all(core.get(f.key) for f in CORE_FIELDS if f.required)
        assert (core["sku"], core["name"]) == ("sku", "name")

        # Again on the same folder (a second start): nothing doubled, nothing refused.
        run(qloop, prepare_demo(app, sandbox))
        assert [s.label for s in lane.run_sync(stores_repo.list_stores, info.address)] == [DEMO_STORE]

        assert sandbox.woocommerce.counts()["products"] == 0  # preparing wrote nothing to the store
        outcome = run(qloop, app.engine.pull(full=True))
        assert outcome.status == "done", [c.message for c in outcome.channels]
        assert [(c.channel, c.store) for c in outcome.channels if c.status != "skipped"] == [(DEMO_CHANNEL, DEMO_STORE)]
        counts = sandbox.woocommerce.counts()
        assert (counts["products"], counts["variations"]) == store_sizes(sandbox)
    finally:
        run(qloop, app.aclose())


def test_prepare_demo_names_the_step_that_failed(qloop, app, sandbox):
    sandbox.stop()  # nothing answers any more
    try:
        with pytest.raises(DemoSetupError, match="Signing in to the sandbox UnoPim failed"):
            run(qloop, prepare_demo(app, sandbox))
    finally:
        run(qloop, app.aclose())


def test_demo_window_comes_up_ready_to_pull(qtbot, qloop):
    demo = DemoSession.start(products=12)
    app = App.open(demo.data_dir)
    try:
        window = MainWindow(app, demo_note=demo.note)
        qtbot.addWidget(window)
        window.connection_tab.prefill(**demo.unopim_form())
        window.show()
        window.start_loading()
        window.start_demo(demo.sandbox)
        assert window.isVisible()  # the preparation runs in the background
        tab = window.sync_tab

        async def prepare() -> bool:
            # One loop run for the whole preparation: stopping the qasync loop while a socket connects
            # breaks anyio's connect ("no running event loop"); the app's loop never stops.
            while not tab.banner.text().startswith("Preparing the demo"):
                await asyncio.sleep(0.005)
            enabled_meanwhile = tab.pull_full_button.isEnabled()
            while any(t.pending for t in window.all_tabs):
                for t in window.all_tabs:
                    await t.wait_idle()
            return enabled_meanwhile

        assert run(qloop, prepare()) is False  # no Pull before the store and the mapping exist
        settle(qloop, window)

        assert window.tabs.currentWidget() is tab
        assert (tab.banner.kind, tab.banner.text()) == ("success", DEMO_READY)
        assert window.badge.badge is Badge.CONNECTED
        form = window.connection_tab
        creds = demo.unopim_form()
        assert form.address.text() == creds["address"] and form.client_secret.text() == creds["client_secret"]
        assert tab.channel.currentText() == f"{DEMO_CHANNEL} → {DEMO_STORE}"  # preselected
        assert window.channels_tab.channel_widget(DEMO_CHANNEL) is not None
        assert window.mapping_tab.core.pickers["sku"].code() == "sku"

        seen = click(qtbot, qloop, window, tab.pull_full_button)
        assert seen == ("Pull &Full", False)  # Alt+F
        assert tab.banner.kind == "success" and tab.banner.text().startswith("Pull Full done:")
        counts = demo.sandbox.woocommerce.counts()
        assert (counts["products"], counts["variations"]) == store_sizes(demo.sandbox)
        run(qloop, window.shutdown())
    finally:
        app.close()
        demo.stop()
    assert not demo.data_dir.exists()  # the throwaway folder is gone


def test_demo_window_explains_when_preparation_fails(qtbot, qloop, app, sandbox):
    window = MainWindow(app)
    qtbot.addWidget(window)
    sandbox.stop()
    window.start_loading()
    window.start_demo(sandbox)
    settle(qloop, window)
    tab = window.sync_tab
    assert tab.banner.kind == "error" and "could not be prepared" in tab.banner.text()
    assert window.tabs.currentWidget() is window.connection_tab  # nothing pretends to be ready
    # Pull cannot run before a connection: the button is off and says why (a click does nothing).
    assert not tab.pull_full_button.isEnabled()
    assert "Connect to UnoPim first" in tab.pull_full_button.toolTip()
    qtbot.mouseClick(tab.pull_full_button, Qt.MouseButton.LeftButton)
    settle(qloop, window)
    assert tab.banner.kind == "error" and tab.run_task is None
    run(qloop, window.shutdown())


def test_a_demo_whose_start_up_fails_removes_its_throwaway_folder(qapp, tmp_path, monkeypatch):
    import tempfile

    from unopim_desktop.ui import app as ui_app

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken_open(data_dir):
        raise OSError("disk full")

    monkeypatch.setattr(ui_app.App, "open", broken_open)
    with pytest.raises(OSError, match="disk full"):
        ui_app.run_gui(demo=True)
    assert list(tmp_path.iterdir()) == []  # the sandbox stopped and the folder went with it
