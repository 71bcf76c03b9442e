"""Store connections through the shared service and the CLI, verified against the sandbox stores."""

from __future__ import annotations

import pytest

from tests.support.app import connect
from unopim_desktop.app.application import App
from unopim_desktop.app.stores import StoreForm
from unopim_desktop.cli import main
from unopim_desktop.redact import MASK
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import stores_repo


@pytest.fixture(scope="module")
def sandbox():
    sb = start_sandbox(SandboxOptions(products=4))
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    a = App.open(data_dir)
    await connect(a, sandbox)
    yield a
    await a.aclose()
    a.close()


def wc_form(sandbox, **kw) -> StoreForm:
    w = sandbox.credentials()["woocommerce"]
    base = dict(kind="woocommerce", label="Shop", url=w["url"], key=w["consumer_key"],
                secret=w["consumer_secret"])
    base.update(kw)
    return StoreForm(**base)


def bc_form(sandbox, **kw) -> StoreForm:
    b = sandbox.credentials()["bigcommerce"]
    base = dict(kind="bigcommerce", label="BC", url=b["api_url"], key=b["client_id"],
                secret=b["client_secret"], access_token=b["access_token"])
    base.update(kw)
    return StoreForm(**base)


async def _listed(app) -> list[str]:
    return [r.label for r in await app.stores.list()]


async def test_woocommerce_store_is_verified_then_saved_with_secrets_in_the_keychain(app, sandbox, memory_keyring):
    outcome = await app.stores.save(wc_form(sandbox))
    assert outcome.ok, outcome.text
    assert await _listed(app) == ["Shop"]
    secret = sandbox.credentials()["woocommerce"]["consumer_secret"]
    assert secret in memory_keyring.entries.values()
    db_bytes = b"".join(p.read_bytes() for p in app.paths.root.glob("*.sqlite3*"))
    assert secret.encode() not in db_bytes


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"key": "ck_unknown0000000000000000000000000000000"}, "key"),
        ({"secret": "cs_wrong000000000000000000000000000000000"}, "secret"),
        ("read_only", "write"),
        ({"url": "http://127.0.0.1:9"}, ""),
    ],
    ids=["wrong-key", "wrong-secret", "read-only-key", "wrong-url"],
)
async def test_woocommerce_failures_explain_and_store_nothing(app, sandbox, memory_keyring, change, expected):
    if change == "read_only":
        ro = sandbox.woocommerce.read_only_credentials
        change = {"key": ro["consumer_key"], "secret": ro["consumer_secret"]}
    before = dict(memory_keyring.entries)
    outcome = await app.stores.save(wc_form(sandbox, **change))
    assert not outcome.ok
    assert outcome.reason and outcome.fix
    assert expected in outcome.text.lower()
    assert await _listed(app) == []
    assert memory_keyring.entries == before


async def test_bigcommerce_store_and_missing_scope(app, sandbox):
    service = app.stores
    sandbox.bigcommerce.add_token("readonlytoken0000000000000000000", ["store_v2_products_read_only"])
    refused = await service.save(bc_form(sandbox, access_token="readonlytoken0000000000000000000"))
    assert not refused.ok and "scope" in refused.text.lower()
    assert await _listed(app) == []
    bad_url = await service.save(bc_form(sandbox, url="https://api.bigcommerce.com/v3/"))
    assert not bad_url.ok and "/stores/" in bad_url.reason
    ok = await service.save(bc_form(sandbox, default_currency="USD"))
    assert ok.ok, ok.text
    row = (await service.list())[0]
    assert row.kind == "bigcommerce" and row.default_currency == "USD"


async def test_edit_with_masked_secrets_keeps_them_and_rename_moves_them(app, sandbox, memory_keyring):
    service = app.stores
    assert (await service.save(wc_form(sandbox))).ok
    outcome = await service.save(wc_form(sandbox, label="Main shop", secret=MASK), previous_label="Shop")
    assert outcome.ok, outcome.text
    conn = await service.connection("Main shop")
    assert conn.secret == sandbox.credentials()["woocommerce"]["consumer_secret"]
    assert await _listed(app) == ["Main shop"]
    assert not any(k[1].startswith(f"{sandbox.unopim_url}|store:Shop|") for k in memory_keyring.entries)


async def test_failed_edit_keeps_the_stored_connection(app, sandbox):
    service = app.stores
    assert (await service.save(wc_form(sandbox))).ok
    bad = await service.save(wc_form(sandbox, secret="cs_wrong000000000000000000000000000000000"),
                             previous_label="Shop")
    assert not bad.ok
    assert (await service.connection("Shop")).secret == sandbox.credentials()["woocommerce"]["consumer_secret"]


async def test_delete_keeps_store_data_and_says_so(app, sandbox):
    service = app.stores
    assert (await service.save(wc_form(sandbox))).ok
    products_before = sandbox.woocommerce.counts()
    outcome = await service.delete("Shop")
    assert outcome.ok and "Nothing was deleted in the store itself" in outcome.text
    assert await _listed(app) == []
    assert sandbox.woocommerce.counts() == products_before


async def test_search_sort_and_inactive_targets(app, sandbox):
    service = app.stores
    assert (await service.save(wc_form(sandbox, label="Zeta shop"))).ok
    assert (await service.save(bc_form(sandbox, label="Alpha BC"))).ok
    assert [r.label for r in await service.list()] == ["Alpha BC", "Zeta shop"]
    assert [r.label for r in await service.list(sort="label", descending=True)] == ["Zeta shop", "Alpha BC"]
    assert [r.label for r in await service.list(search="zeta")] == ["Zeta shop"]
    await service.set_active("Zeta shop", False)
    rows = await app.ctx.lane.run(stores_repo.list_stores, sandbox.unopim_url, sort="status")
    assert [r.label for r in rows] == ["Alpha BC", "Zeta shop"] and not rows[1].active


def test_cli_store_channels_and_mapping(sandbox, data_dir, capsys, monkeypatch):
    u, w, b = (sandbox.credentials()[k] for k in ("unopim", "woocommerce", "bigcommerce"))
    d = ["--data-dir", str(data_dir)]
    monkeypatch.setenv("UNOPIM_CLIENT_SECRET", u["client_secret"])
    monkeypatch.setenv("UNOPIM_PASSWORD", u["password"])
    assert main([*d, "connect", "--url", u["url"], "--client-id", u["client_id"], "--username", u["username"]]) == 0
    assert main([*d, "store", "add", "woocommerce", "--label", "Shop", "--url", w["url"], "--consumer-key",
                 w["consumer_key"], "--consumer-secret", w["consumer_secret"]]) == 0
    assert main([*d, "store", "add", "bigcommerce", "--label", "BC", "--api-url", b["api_url"], "--client-id",
                 b["client_id"], "--client-secret", b["client_secret"], "--access-token", b["access_token"]]) == 0
    assert main([*d, "store", "add", "woocommerce", "--label", "Bad", "--url", w["url"], "--consumer-key",
                 w["consumer_key"], "--consumer-secret", "cs_wrong000000000000000000000000000000000"]) == 1
    out = capsys.readouterr()
    assert w["consumer_secret"] not in out.out + out.err and b["access_token"] not in out.out + out.err
    assert main([*d, "store", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Shop" in listing and "BC" in listing and "Bad" not in listing
    assert main([*d, "channels", "refresh"]) == 0
    assert main([*d, "channels", "set", "default", "--store", "Shop", "--interval", "15m", "--debounce", "90",
                 "--locale-map", "en_US=en"]) == 0
    capsys.readouterr()
    assert main([*d, "mapping", "auto"]) == 0
    auto = capsys.readouterr().out
    assert "sku" in auto and "(exact)" in auto and "Auto-map filled" in auto
    assert main([*d, "mapping", "auto"]) == 0
    assert "Auto-map filled 0 row(s)" in capsys.readouterr().out  # never overwrites, nothing left to fill
    assert main([*d, "mapping", "show"]) == 0
    shown = capsys.readouterr().out
    assert "Regular Price" in shown and "price" in shown and "Default family: default" in shown
    assert main([*d, "channels", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Shop" in listed and "Every 15 minutes" in listed and "en_US→en" in listed
