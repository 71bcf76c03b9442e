"""Refresh channels against the sandbox UnoPim, per-channel settings, and isolation per UnoPim address."""

from __future__ import annotations

import pytest

from tests.integration.conftest import start_unopim
from unopim_desktop.app.application import App
from unopim_desktop.app.channels import ChannelSettingsError
from unopim_desktop.app.connection import ConnectionForm
from unopim_desktop.app.session import NotConnected
from unopim_desktop.cli import main


@pytest.fixture
async def app(data_dir):
    a = App.open(data_dir)
    yield a
    await a.aclose()
    a.close()


async def _connect(app, running):
    c = running.credentials
    outcome = await app.connection.test_and_save(ConnectionForm(
        running.url, c["client_id"], c["client_secret"], c["username"], c["password"]))
    assert outcome.ok


async def test_refresh_caches_channels_locales_currencies(app, unopim):
    await _connect(app, unopim)
    session = app.session
    service = app.channels
    result = await service.refresh()
    rows = await service.channels()
    await session.aclose()
    assert [r.code for r in rows] == ["default"]
    assert rows[0].locales == ["en_US"] and rows[0].currencies == ["USD"]
    assert rows[0].sync_interval == "1h" and rows[0].debounce_s == 60
    assert rows[0].pull_enabled and rows[0].push_enabled
    assert result.channels == 1 and result.locales >= 1 and result.attributes > 5
    assert await service.summary() == {"channels": 1, "stores_mapped": 0, "locales": result.locales,
                                       "currencies": result.currencies}


async def test_refresh_requires_a_connection(app):
    service = app.channels
    with pytest.raises((LookupError, NotConnected)):
        await service.refresh()


async def test_settings_survive_a_refresh_and_are_isolated_per_address(app, unopim):
    other = start_unopim()
    try:
        await _connect(app, unopim)
        session = app.session
        service = app.channels
        await service.refresh()
        row = (await service.channels())[0]
        row.pull_enabled, row.sync_interval, row.debounce_s = False, "15m", 120
        row.locale_map = {"en_US": "en"}
        await service.save([row])
        await service.refresh()  # a refresh keeps the switches
        assert (await service.channels())[0].sync_interval == "15m"

        await _connect(app, other)  # another UnoPim address
        await session.reset()
        await service.refresh()
        fresh = (await service.channels())[0]
        assert fresh.pull_enabled and fresh.sync_interval == "1h" and fresh.locale_map == {}

        await _connect(app, unopim)  # switching back restores the first address's settings
        await session.reset()
        back = (await service.channels())[0]
        assert not back.pull_enabled and back.sync_interval == "15m" and back.debounce_s == 120
        assert back.locale_map == {"en_US": "en"}
        await session.aclose()
    finally:
        other.server.stop()


async def test_invalid_channel_settings_are_refused(app, unopim):
    await _connect(app, unopim)
    service = app.channels
    await service.refresh()
    row = (await service.channels())[0]
    row.sync_interval = "2m"
    with pytest.raises(ChannelSettingsError, match="sync interval"):
        await service.save([row])
    row.sync_interval, row.store_label = "1h", "Nope"
    with pytest.raises(ChannelSettingsError, match="no store labelled"):
        await service.save([row])
    row.store_label, row.locale_map = None, {"fr_FR": "fr"}
    with pytest.raises(ChannelSettingsError, match="not in this channel"):
        await service.save([row])


def test_disabled_badge_when_every_channel_is_off(unopim, data_dir, capsys, monkeypatch):
    c = unopim.credentials
    monkeypatch.setenv("UNOPIM_CLIENT_SECRET", c["client_secret"])
    monkeypatch.setenv("UNOPIM_PASSWORD", c["password"])
    d = ["--data-dir", str(data_dir)]
    assert main([*d, "connect", "--url", unopim.url, "--client-id", c["client_id"], "--username", c["username"]]) == 0
    assert main([*d, "channels", "refresh"]) == 0
    assert main([*d, "channels", "set", "default", "--pull", "off", "--push", "off", "--interval", "15m"]) == 0
    capsys.readouterr()
    assert main([*d, "status"]) == 0
    assert "State:          Disabled" in capsys.readouterr().out
    assert main([*d, "channels", "list"]) == 0
    out = capsys.readouterr().out
    assert "Every 15 minutes" in out and "default" in out
    assert main([*d, "channels", "set", "nope", "--pull", "on"]) == 2
