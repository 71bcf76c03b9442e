"""Test & Save end to end through the shared use case, and the CLI on the same code path."""

from __future__ import annotations

import pytest

from unopim_desktop.app.application import App
from unopim_desktop.app.connection import Badge, ConnectionForm
from unopim_desktop.cli import main


@pytest.fixture
async def app(data_dir):
    a = App.open(data_dir)
    yield a
    await a.aclose()
    a.close()


def _form(running, **kw) -> ConnectionForm:
    c = running.credentials
    base = dict(address=running.url, client_id=c["client_id"], client_secret=c["client_secret"],
                username=c["username"], password=c["password"])
    base.update(kw)
    return ConnectionForm(**base)


async def test_success_saves_secrets_and_connects(app, unopim):
    service = app.connection
    outcome = await service.test_and_save(_form(unopim))
    assert outcome.ok and outcome.badge is Badge.CONNECTED
    creds = await service.credentials()
    assert creds.client_secret == unopim.credentials["client_secret"]
    assert creds.password == unopim.credentials["password"]


async def test_failed_attempt_loses_nothing_stored_before(app, unopim):
    service = app.connection
    assert (await service.test_and_save(_form(unopim))).ok
    bad = await service.test_and_save(_form(unopim, client_secret="rotated-but-wrong"))
    assert not bad.ok and bad.badge is Badge.NOT_CONNECTED and bad.status == 401
    assert "Client ID or Client Secret" in bad.reason
    creds = await service.credentials()
    assert creds.client_secret == unopim.credentials["client_secret"]  # still the working one
    # the re-save with blank secrets signs in with the stored ones again
    again = await service.test_and_save(_form(unopim, client_secret="", password=""))
    assert again.ok and again.badge is Badge.CONNECTED


async def test_first_save_requires_secrets(app, unopim):
    outcome = await app.connection.test_and_save(_form(unopim, client_secret="", password=""))
    assert not outcome.ok
    assert {p.field for p in outcome.problems} == {"client_secret", "password"}
    assert unopim.stats.total() == 0


async def test_failures_are_logged_without_secrets(app, unopim):
    from unopim_desktop.state import repo

    service = app.connection
    await service.test_and_save(_form(unopim, password="Wr0ng-Passw0rd!"))
    rows = await app.ctx.lane.run(repo.recent_logs, unopim.url, 10)
    assert rows and rows[0]["level"] == "error" and "Username or Password" in rows[0]["message"]
    log_text = app.paths.log_file.read_text() if app.paths.log_file.exists() else ""
    for row in rows:
        assert "Wr0ng-Passw0rd!" not in row["message"]
    assert "Wr0ng-Passw0rd!" not in log_text


def test_cli_connect_and_status(unopim, data_dir, capsys, monkeypatch):
    c = unopim.credentials
    monkeypatch.setenv("UNOPIM_CLIENT_SECRET", c["client_secret"])
    monkeypatch.setenv("UNOPIM_PASSWORD", c["password"])
    code = main(["--data-dir", str(data_dir), "connect", "--url", unopim.url, "--client-id", c["client_id"],
                 "--username", c["username"]])
    out = capsys.readouterr()
    assert code == 0 and out.out.strip() == "Connected"
    assert c["client_secret"] not in out.out + out.err and c["password"] not in out.out + out.err
    code = main(["status", "--data-dir", str(data_dir), "--check"])
    out = capsys.readouterr()
    assert code == 0
    assert f"UnoPim address: {unopim.url}" in out.out and "State:          Connected" in out.out
    assert c["client_secret"] not in out.out


def test_cli_connect_failure_prints_reason_and_exits_non_zero(unopim, data_dir, capsys):
    c = unopim.credentials
    code = main(["--data-dir", str(data_dir), "connect", "--url", unopim.url, "--client-id", c["client_id"],
                 "--client-secret", c["client_secret"], "--username", c["username"], "--password", "bad-pass-1"])
    out = capsys.readouterr()
    assert code == 1 and "Username or Password is wrong" in out.err and "bad-pass-1" not in out.err
    assert main(["--data-dir", str(data_dir), "status"]) == 1


def test_cli_refuses_an_address_with_a_path(data_dir, capsys):
    code = main(["--data-dir", str(data_dir), "connect", "--url", "https://pim.example.com/admin",
                 "--client-id", "x", "--client-secret", "y", "--username", "u", "--password", "p"])
    assert code == 2 and "https://pim.example.com" in capsys.readouterr().err


async def test_another_users_credentials_with_this_key_say_so(app, unopim):
    """UnoPim drops the client when `username` is not the admin the integration belongs to (its
    ClientRepository::find): a right password of another user answers invalid_client, as a wrong secret does."""
    unopim.state.add_client("8f0c0a3e-0000-4000-8000-000000000002", "another-secret", "editor@example.com", "editor123")
    outcome = await app.connection.test_and_save(_form(unopim, username="editor@example.com", password="editor123"))
    assert not outcome.ok and outcome.status == 401
    assert "Client ID or Client Secret" in outcome.reason
    assert "not the user this integration belongs to" in outcome.reason
