"""After a session of everything a merchant does — connect, add a WooCommerce and a BigCommerce store, pull,
push, delta, status checks, wrong keys, a CSV export, a repaired secrets file, all at DEBUG and with the
servers failing now and then — the UnoPim client secret and password, the WooCommerce consumer secret and
the BigCommerce access token and client secret appear nowhere: not in the database, its WAL, the log
files, the backups, the CSV export, the command output, or the text of any exception. And TLS is verified
by default: a store with a certificate nobody vouched for is refused, not trusted."""

from __future__ import annotations

import asyncio
import base64
import logging
from pathlib import Path
from urllib.parse import quote

import keyring
import pytest
from keyring.backends import fail

from tests.support.cli import Ran, run_cli
from unopim_desktop.app.application import App
from unopim_desktop.app.stores import StoreForm
from unopim_desktop.clients.unopim import UnoPimClient, UnoPimCredentials
from unopim_desktop.domain import StoreConnection
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.stores.registry import make_adapter

WRONG = {"password": "wrong-password-Zq9x", "token": "wrong-token-7Hk2Lp", "consumer": "cs_wrong_4Tn8Wq"}


def secrets_of(sb: Sandbox) -> list[str]:
    c = sb.credentials()
    u, w, b = c["unopim"], c["woocommerce"], c["bigcommerce"]
    values = [u["client_secret"], u["password"], w["consumer_secret"], b["access_token"], b["client_secret"],
              *WRONG.values()]
    encoded = [quote(v, safe="") for v in values]
    basic = [base64.b64encode(f"{u['client_id']}:{u['client_secret']}".encode()).decode(),
             base64.b64encode(f"{w['consumer_key']}:{w['consumer_secret']}".encode()).decode()]
    return sorted({*values, *encoded, *basic})


def leaks(text: str | bytes, secrets: list[str]) -> list[str]:
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return [s for s in secrets if s.encode() in data]


def session(sb: Sandbox, root: Path, capsys, monkeypatch) -> tuple[list[Ran], list[str]]:
    """Every command a merchant runs, at DEBUG (`-v`); the outputs, and the texts of the exceptions met."""
    c = sb.credentials()
    u, w, b = c["unopim"], c["woocommerce"], c["bigcommerce"]
    d = ["-v", "--data-dir", str(root)]
    monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", b["access_token"])
    monkeypatch.setenv("BIGCOMMERCE_CLIENT_SECRET", b["client_secret"])
    connect = ["connect", "--url", u["url"], "--client-id", u["client_id"], "--username", u["username"],
               "--client-secret", u["client_secret"]]
    steps = [
        [*connect, "--password", u["password"]],
        [*connect, "--password", WRONG["password"]],  # refused
        [*connect, "--password", u["password"]],
        ["store", "add", "woocommerce", "--label", "Shop", "--url", w["url"], "--consumer-key", w["consumer_key"],
         "--consumer-secret", WRONG["consumer"]],  # refused
        ["store", "add", "woocommerce", "--label", "Shop", "--url", w["url"], "--consumer-key", w["consumer_key"],
         "--consumer-secret", w["consumer_secret"]],
        ["store", "add", "bigcommerce", "--label", "BC", "--api-url", b["api_url"], "--client-id", b["client_id"]],
        ["channels", "refresh"],
        ["channels", "set", "default", "--store", "Shop", "--pull", "on", "--push", "on"],
        ["channels", "set", "mobile", "--store", "BC", "--pull", "on", "--push", "on"],
        ["mapping", "auto"],
        ["sync", "pull", "--full"], ["sync", "push", "--all"], ["sync", "pull", "--delta"],
        ["status", "--check"], ["store", "list"], ["channels", "list"], ["settings"],
        ["logs", "--limit", "500"], ["logs", "--csv", str(root.parent / "export.csv")],
    ]
    ran = [run_cli(capsys, *d, *step) for step in steps]
    assert [r.code for r in ran][:10] == [0, 1, 0, 1, 0, 0, 0, 0, 0, 0], [r.err[-300:] for r in ran]
    # A lost key: `connect` sets the unreadable file aside in backups/ and starts a new one.
    (root / "secrets.key").unlink()
    ran.append(run_cli(capsys, *d, "connect", "--url", u["url"], "--client-id", u["client_id"], "--username",
                       u["username"], "--client-secret", u["client_secret"], "--password", u["password"]))
    assert ran[-1].code == 0, ran[-1].err
    return ran, exception_texts(sb)


def exception_texts(sb: Sandbox) -> list[str]:
    """What the clients raise when a server refuses the (wrong) keys: str, repr, and the body kept."""
    c = sb.credentials()
    u, w, b = c["unopim"], c["woocommerce"], c["bigcommerce"]

    async def go() -> list[str]:
        texts: list[str] = []
        attempts = [
            (UnoPimClient(UnoPimCredentials(u["url"], u["client_id"], u["client_secret"], u["username"],
                                            WRONG["password"])), "sign_in"),
            (make_adapter(StoreConnection(kind="woocommerce", label="x", url=w["url"], key=w["consumer_key"],
                                          secret=WRONG["consumer"])), "verify"),
            (make_adapter(StoreConnection(kind="bigcommerce", label="x", url=b["api_url"], key=b["client_id"],
                                          secret=b["client_secret"], access_token=WRONG["token"])), "verify"),
        ]
        for obj, method in attempts:
            try:
                await getattr(obj, method)()
            except Exception as exc:  # noqa: BLE001 (any exception's text is scanned)
                texts += [str(exc), repr(exc), str(getattr(exc, "body", "")), str(exc.__cause__ or "")]
            else:
                raise AssertionError(f"{method} should have been refused")
            finally:
                await obj.aclose()
        return texts

    return asyncio.run(go())


@pytest.fixture
def own_log_file():
    """This test's commands log to its own data folder: a handler left by another test in this process
    would take their lines elsewhere (each real command is a process of its own)."""
    root = logging.getLogger()
    kept = [h for h in root.handlers if getattr(h, "_unopim", False)]
    for h in kept:
        root.removeHandler(h)
    yield
    for h in [h for h in root.handlers if getattr(h, "_unopim", False)]:
        root.removeHandler(h)
        h.close()
    for h in kept:
        root.addHandler(h)


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=6, seed=4, fault_rate=0.05))
    yield sb
    sb.stop()


def test_no_secret_anywhere_after_a_whole_session(sandbox, tmp_path, capsys, monkeypatch, own_log_file):
    keyring.set_keyring(fail.Keyring())  # the encrypted file in the data folder: scanned too
    root = tmp_path / "data"
    ran, exceptions = session(sandbox, root, capsys, monkeypatch)
    secrets = secrets_of(sandbox)

    # The database's WAL exists only while the app has it open: scan the folder with an app writing.
    app = App.open(root)
    try:
        asyncio.run(_one_more_pull(app))
        files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
        names = {p.name for p in files}
        assert {"unopim-desktop.sqlite3-wal", "unopim-desktop.log", "export.csv", "secrets.enc"} <= names, names
        assert any(p.parent.name == "backups" for p in files)
        found = {str(p.relative_to(tmp_path)): leaks(p.read_bytes(), secrets) for p in files}
    finally:
        app.close()
    assert {k: v for k, v in found.items() if v} == {}
    assert [(n, leaks(r.out + r.err, secrets)) for n, r in enumerate(ran) if leaks(r.out + r.err, secrets)] == []
    assert [t for t in exceptions if leaks(t, secrets)] == []
    assert sum(len(r.err) for r in ran) > 10_000  # DEBUG was on: there was plenty to leak into


async def _one_more_pull(app: App) -> None:
    """A delta on the repaired folder (the store keys went with the lost key file: it stops at the store)."""
    await app.engine.pull(full=False)
    await app.aclose()


def test_tls_is_verified_by_default(tmp_path, capsys):
    """A store whose certificate no authority vouched for (the sandbox's self-signed one) is refused."""
    keyring.set_keyring(fail.Keyring())
    sb = start_sandbox(SandboxOptions(products=1, tls=True, only=("unopim", "woocommerce")))
    try:
        u, w = sb.credentials()["unopim"], sb.credentials()["woocommerce"]
        root = tmp_path / "data"
        assert run_cli(capsys, "--data-dir", str(root), "connect", "--url", u["url"], "--client-id", u["client_id"],
                       "--username", u["username"], "--client-secret", u["client_secret"], "--password",
                       u["password"]).code == 0
        ran = run_cli(capsys, "--data-dir", str(root), "store", "add", "woocommerce", "--label", "Shop", "--url",
                      w["url"], "--consumer-key", w["consumer_key"], "--consumer-secret", w["consumer_secret"])
        assert ran.code == 1 and ran.out == ""
        assert ran.lines == [
            f"The secure (HTTPS) connection to {w['url']} failed: its certificate could not be verified. Check that "
            "the address is right and that the site has a valid certificate. For a test site with a self-signed "
            "certificate, install its certificate on this computer."]
        assert run_cli(capsys, "--data-dir", str(root), "store", "list").out.startswith("No stores yet.")

        # The same store, its certificate trusted explicitly (as a test shop's CA bundle): accepted.
        async def trusted() -> bool:
            app = App.open(root)
            try:
                form = StoreForm(kind="woocommerce", label="Shop", url=w["url"], key=w["consumer_key"],
                                 secret=w["consumer_secret"])
                app.stores._adapter_factory = lambda conn: make_adapter(  # noqa: SLF001
                    StoreConnection(**{**conn.__dict__, "verify_tls": w["ca_cert"]}))
                return (await app.stores.save(form)).ok
            finally:
                await app.aclose()
                app.close()

        assert asyncio.run(trusted())
    finally:
        sb.stop()
