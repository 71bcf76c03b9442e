"""The app floor behind the Settings and Logs tabs and the guide: every General setting validated and saved
by one service, the window's memory, Remove all data (database rows, Logs, secrets; nothing remote), the
Logs' daily trim to the retention and their CSV export, what the guide and the Sync actions read, and a
failed test of an unsaved address leaving the saved connection's badge alone."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from tests.support.app import connected_app
from unopim_desktop.app.activity import TRIMMED_AT
from unopim_desktop.app.application import App
from unopim_desktop.app.connection import Badge, ConnectionForm
from unopim_desktop.app.guide import CONNECT, NO_MAPPING, NO_PULL_YET, REFRESH
from unopim_desktop.app.settings import SettingsError
from unopim_desktop.domain import LogFilter
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import logs_repo, mapping_repo, repo


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=6, seed=1))
    yield sb
    sb.stop()


async def test_general_settings_are_checked_saved_and_logged_by_one_service(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as c:
        svc = c.app.settings
        values = await svc.load()
        assert (values["log_retention_days"], values["sync_images"], values["on_conflict"]) == ("30", "1", "unopim")
        stored = await svc.save({"log_retention_days": "90", "sync_images": "0", "on_conflict": "store"})
        assert (stored["log_retention_days"], stored["sync_images"], stored["on_conflict"]) == ("90", "0", "store")
        for bad in ({"log_retention_days": "0"}, {"sync_images": "maybe"}, {"colour": "red"}, {"max_delete": "101"},
                    {"on_conflict": "both"}, {"close_to_tray": "1"}):  # the tray is this computer's (app.desktop)
            with pytest.raises(SettingsError):
                await svc.save(bad)
        rows = await c.app.activity.logs(LogFilter(text="General settings saved"))
        assert "on conflict: Store wins, keep logs 90 days, image sync off" in rows[0]["message"]

        await svc.save_window_state({"window_tab": "logs", "window_geometry": "AAAA"})
        assert (await svc.window_state())["window_tab"] == "logs"
        with pytest.raises(SettingsError):
            await svc.save_window_state({"password": "x"})


async def test_image_sync_off_leaves_pictures_alone(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as c:
        await c.app.settings.save({"sync_images": "0"})
        outcome = await c.engine.pull(full=True)
        assert outcome.status == "done"
        assert "image" not in outcome.channels[0].summary
        assert all(not p["images"] for p in sandbox.woocommerce.products())


async def test_remove_all_data_forgets_the_address_here_and_nothing_remote(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as c:
        assert (await c.engine.pull(full=True)).status == "done"
        address = await c.app.connection.address()
        store_label = (await c.app.stores.list())[0].label
        products = len(sandbox.woocommerce.products())
        removed = await c.app.settings.remove_all_data()
        assert (removed.stores, removed.runs, removed.secrets) == (1, 1, 3) and removed.log_rows > products
        assert await c.app.connection.address() is None
        assert await c.ctx.lane.run(repo.instance_info, address) is None
        assert await c.ctx.lane.run(logs_repo.page, address) == []
        assert await c.ctx.secrets.aget(address, "client_secret") is None
        assert await c.ctx.secrets.aget(f"{address}|store:{store_label}", "secret") is None
        assert len(sandbox.woocommerce.products()) == products  # the store keeps its products
        assert sandbox.unopim.write_count() == 0


async def test_logs_are_trimmed_daily_to_the_retention_and_export_to_csv(data_dir, sandbox, tmp_path):
    async with connected_app(data_dir, sandbox) as c:
        address = await c.app.connection.address()
        now = dt.datetime(2026, 11, 20, 12, 0)
        await c.ctx.lane.run(logs_repo.add_logs, address, [
            {"message": f"old {i}", "created_at": now - dt.timedelta(days=31)} for i in range(5)] + [
            {"message": "recent, “quoted”, with commas", "created_at": now - dt.timedelta(days=29), "level": "error",
             "entity_kind": "product", "entity": "SKU-1", "http_status": 422, "server_text": '{"message":"bad"}'}])
        assert await c.app.activity.trim_logs_if_due(now=now) == 5
        assert await c.app.activity.trim_logs_if_due(now=now + dt.timedelta(hours=23)) is None  # once a day
        assert await c.ctx.lane.run(repo.app_value, TRIMMED_AT) == "2026-11-20 12:00:00"
        await c.app.settings.save({"log_retention_days": "7"})
        assert await c.app.activity.trim_logs_if_due(now=now + dt.timedelta(days=1)) == 1

        await c.ctx.lane.run(logs_repo.add_logs, address, [
            {"message": "recent, “quoted”, with commas", "level": "error", "entity_kind": "product", "entity": "SKU-1",
             "http_status": 422, "server_text": '{"message":"bad"}'}])
        target = tmp_path / "errors.csv"
        assert await c.app.activity.export_logs(LogFilter(level="error"), target) == 1
        rows = list(csv.reader(target.open(encoding="utf-8-sig")))
        assert rows[1][2:] == ["error", "", "", "product", "SKU-1", "",
                               "recent, “quoted”, with commas", "", "422", '{"message":"bad"}']


async def test_the_guide_and_the_sync_actions_read_the_same_facts(data_dir, sandbox):
    app = App.open(data_dir)
    try:
        ready = await app.guide.readiness()
        assert (ready.pull_full, ready.push) == (CONNECT, CONNECT)
        assert [s.done for s in await app.guide.steps()] == [False] * 6
    finally:
        await app.aclose()
        app.close()
    async with connected_app(data_dir, sandbox) as c:
        steps = {s.key: s.done for s in await c.app.guide.steps()}
        assert steps == {"connection": True, "channels": True, "stores": True, "mapping": True, "preview": False,
                         "pull": False}
        ready = await c.app.guide.readiness()
        assert ready.pull_full == "" and ready.pull_delta == NO_PULL_YET
        await c.engine.pull(full=True, dry_run=True)
        assert {s.key: s.done for s in await c.app.guide.steps()}["preview"]
        await c.engine.pull(full=True)
        assert all(s.done for s in await c.app.guide.steps())
        assert (await c.app.guide.readiness()).pull_delta == ""
        address = await c.app.connection.address()
        await c.ctx.lane.run(mapping_repo.save_core_mapping, address, {}, "")
        assert (await c.app.guide.readiness()).pull_full == NO_MAPPING
    app = App.open(tmp := data_dir.parent / "other")
    try:
        from tests.support.app import connect

        await connect(app, sandbox)
        assert (await app.guide.readiness()).pull_full == REFRESH
    finally:
        await app.aclose()
        app.close()
        del tmp


async def test_a_failed_test_of_an_unsaved_address_leaves_the_saved_badge(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as c:
        u = sandbox.credentials()["unopim"]
        other = await c.app.connection.test_and_save(ConnectionForm(
            "http://127.0.0.1:9", u["client_id"], "secret", u["username"], "password"))
        assert not other.ok and other.badge is Badge.CONNECTED
        assert await c.app.connection.badge() is Badge.CONNECTED
        typo = await c.app.connection.test_and_save(ConnectionForm("not an address", "x", "y", "z", "w"))
        assert not typo.ok and typo.badge is Badge.CONNECTED
        wrong = await c.app.connection.test_and_save(ConnectionForm(
            u["url"], u["client_id"], "wrong secret", u["username"], u["password"]))
        assert not wrong.ok and wrong.badge is Badge.NOT_CONNECTED  # the saved connection's own sign-in failed
