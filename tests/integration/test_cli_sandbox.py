"""`unopim-desktop sandbox` prints one JSON line with working credentials, then serves until stopped."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx


def test_sandbox_command_prints_credentials_and_serves():
    proc = subprocess.Popen(
        [sys.executable, "-m", "unopim_desktop", "sandbox", "--products", "3", "--seed", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        creds = json.loads(line)
        assert set(creds) == {"unopim", "woocommerce", "bigcommerce"}
        assert set(creds["unopim"]) >= {"url", "client_id", "client_secret", "username", "password"}
        assert set(creds["woocommerce"]) >= {"url", "consumer_key", "consumer_secret"}
        assert set(creds["bigcommerce"]) >= {"api_url", "client_id", "client_secret", "access_token"}
        u = creds["unopim"]
        r = httpx.post(f"{u['url']}/oauth/token", auth=(u["client_id"], u["client_secret"]),
                       data={"grant_type": "password", "username": u["username"], "password": u["password"]},
                       headers={"Accept": "application/json"})
        assert r.status_code == 200
        state = httpx.get(f"{u['url']}/__sandbox/state").json()
        assert state  # the seeded catalogue is there
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
