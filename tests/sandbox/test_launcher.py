"""The sandbox launcher: three peers on loopback, their credentials, seeding sides, TLS, serve_forever."""

from __future__ import annotations

import io
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, serve_forever, start_sandbox

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox(SandboxOptions(products=8, seed=3)) as running:
        yield running


def unopim_token(creds: dict[str, str]) -> str:
    response = httpx.post(
        creds["url"] + "/oauth/token",
        json={
            "grant_type": "password",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "username": creds["username"],
            "password": creds["password"],
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_credentials_have_the_documented_keys(sandbox: Sandbox) -> None:
    creds = sandbox.credentials()
    assert set(creds) == {"unopim", "woocommerce", "bigcommerce"}
    assert set(creds["unopim"]) == {"url", "client_id", "client_secret", "username", "password"}
    assert set(creds["woocommerce"]) == {"url", "consumer_key", "consumer_secret"}
    assert set(creds["bigcommerce"]) == {"api_url", "client_id", "client_secret", "access_token"}
    assert creds["unopim"]["url"].startswith("http://127.0.0.1:")
    assert creds["woocommerce"]["url"].startswith("http://127.0.0.1:")
    assert creds["bigcommerce"]["api_url"].endswith("/") and "/stores/" in creds["bigcommerce"]["api_url"]
    ports = {creds[k].get("url", creds[k].get("api_url")).split(":")[2].split("/")[0] for k in creds}
    assert len(ports) == 3


def test_unopim_grants_a_token_and_serves_the_catalogue(sandbox: Sandbox) -> None:
    creds = sandbox.credentials()["unopim"]
    token = unopim_token(creds)
    before = sandbox.unopim_stats.total()
    response = httpx.get(
        creds["url"] + "/api/v1/rest/products",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["total"] == len(sandbox.catalogue.products)
    assert sandbox.unopim_stats.total() == before + 1
    state = httpx.get(creds["url"] + "/__sandbox/state").json()
    assert state["counts"]["products"] == len(sandbox.catalogue.products)
    assert state["counts"]["configurable_products"] == len(sandbox.catalogue.configurable_products)


def test_unopim_rejects_calls_without_a_token(sandbox: Sandbox) -> None:
    response = httpx.get(sandbox.unopim_url + "/api/v1/rest/products", headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_stores_start_empty_and_refuse_anonymous_calls(sandbox: Sandbox) -> None:
    creds = sandbox.credentials()
    woo_state = httpx.get(creds["woocommerce"]["url"] + "/__sandbox/state")
    assert woo_state.status_code == 200
    assert sandbox.woocommerce.counts()["products"] == 0
    anonymous = httpx.get(creds["woocommerce"]["url"] + "/wp-json/wc/v3/products")
    assert anonymous.status_code == 401

    api_url = creds["bigcommerce"]["api_url"]
    bc_state = httpx.get(api_url.split("/stores/")[0] + "/__sandbox/state")
    assert bc_state.status_code == 200
    assert httpx.get(api_url + "v3/catalog/products").status_code == 401
    listed = httpx.get(
        api_url + "v3/catalog/products",
        headers={"X-Auth-Token": creds["bigcommerce"]["access_token"], "Accept": "application/json"},
    )
    assert listed.status_code == 200 and listed.json()["data"] == []
    assert sandbox.bigcommerce_stats.total() >= 2


def test_store_side_seeding_fills_the_stores_and_leaves_unopim_fresh() -> None:
    sandbox = Sandbox(SandboxOptions(products=6, seed=4, seed_side="store"))
    top_level = sandbox.catalogue.counts()["products"] + sandbox.catalogue.counts()["configurable_products"]
    assert sandbox.woocommerce.counts()["products"] == top_level
    assert sandbox.bigcommerce.counts()["products"] == top_level
    assert sandbox.unopim.counts()["products"] == 0
    assert sandbox.unopim.counts()["configurable_products"] == 0


def test_unknown_seed_side_is_refused() -> None:
    with pytest.raises(ValueError):
        Sandbox(SandboxOptions(products=1, seed_side="both"))


def test_latency_applies_to_api_calls_only() -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:  # what the server waited, instead of a stopwatch
        waits.append(seconds)

    with start_sandbox(SandboxOptions(products=1, latency_ms=300)) as sandbox:
        sandbox.faults["unopim"].pause = record
        httpx.get(sandbox.unopim_url + "/__sandbox/state")
        assert waits == []
        httpx.get(sandbox.unopim_url + "/api/v1/rest/locales", headers={"Accept": "application/json"})
    assert len(waits) == 1 and 0.24 <= waits[0] <= 0.36  # 300 ms ± the jitter (a fifth)


def test_tls_serves_woocommerce_over_https_with_a_trusted_certificate() -> None:
    sandbox = start_sandbox(SandboxOptions(products=1, tls=True))
    try:
        creds = sandbox.credentials()["woocommerce"]
        assert creds["url"].startswith("https://127.0.0.1:")
        ca_cert = Path(creds["ca_cert"])
        assert ca_cert.is_file()
        with httpx.Client(verify=ssl.create_default_context(cafile=str(ca_cert))) as client:
            assert client.get(creds["url"] + "/__sandbox/state").status_code == 200
            # Over HTTPS WooCommerce takes the keys as HTTP Basic credentials.
            listed = client.get(
                creds["url"] + "/wp-json/wc/v3/products",
                auth=(creds["consumer_key"], creds["consumer_secret"]),
            )
            assert listed.status_code == 200 and listed.json() == []
    finally:
        sandbox.stop()
    assert not ca_cert.exists()


def test_serve_forever_prints_one_json_line_and_stops_on_request() -> None:
    out = io.StringIO()
    stop = threading.Event()
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(serve_forever(SandboxOptions(products=2), out, stop=stop)), daemon=True
    )
    worker.start()
    deadline = time.monotonic() + 20
    while "\n" not in out.getvalue() and worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    line = out.getvalue()
    creds = json.loads(line)
    assert httpx.get(creds["unopim"]["url"] + "/__sandbox/state").status_code == 200
    stop.set()
    worker.join(10)
    assert result == [0]
    assert out.getvalue() == line and line.count("\n") == 1
    with pytest.raises(httpx.ConnectError):
        httpx.get(creds["unopim"]["url"] + "/__sandbox/state", timeout=2)


def test_serve_forever_as_a_process_stops_cleanly_on_sigterm() -> None:
    code = (
        "import sys\n"
        "from unopim_desktop.sandbox.launcher import SandboxOptions, serve_forever\n"
        "sys.exit(serve_forever(SandboxOptions(products=2)))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        creds = json.loads(first)
        assert httpx.get(creds["woocommerce"]["url"] + "/__sandbox/state").status_code == 200
        proc.send_signal(signal.SIGTERM)
        rest, errors = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, errors
    assert rest == ""


def test_only_serves_the_named_peers() -> None:
    with start_sandbox(SandboxOptions(products=3, only=("woocommerce",))) as sandbox:
        assert sandbox.unopim_url == "" and sandbox.bigcommerce_api_url == ""
        assert httpx.get(sandbox.woocommerce_url + "/__sandbox/state").status_code == 200
        assert sandbox.credentials()["woocommerce"]["url"] == sandbox.woocommerce_url
    with pytest.raises(ValueError, match="only takes peers"):
        Sandbox(SandboxOptions(only=("magento",)))
