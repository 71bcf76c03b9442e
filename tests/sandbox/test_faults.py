"""Fault injection as a client sees it, over a real socket, against the sandbox UnoPim."""

from __future__ import annotations

import httpx
import pytest

from unopim_desktop.sandbox.faults import FaultConfig
from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.unopim import UnoPimState, create_unopim_app


def serve(faults: FaultConfig) -> tuple[ServerThread, RequestStats, UnoPimState]:
    state, stats = UnoPimState(), RequestStats()
    return ServerThread(create_unopim_app(state, faults=faults, stats=stats)).start(), stats, state


def token(url: str, state: UnoPimState) -> str:
    c = state.credentials
    for _ in range(20):  # the token route is faulted too; try until one gets through
        try:
            r = httpx.post(f"{url}/oauth/token", auth=(c["client_id"], c["client_secret"]),
                           data={"grant_type": "password", "username": c["username"], "password": c["password"]},
                           headers={"Accept": "application/json"})
        except httpx.HTTPError:
            continue
        if r.status_code == 200:
            return r.json()["access_token"]
    raise AssertionError("no token")


def outcomes(url: str, tok: str, n: int) -> list[str]:
    out = []
    with httpx.Client(headers={"Accept": "application/json", "Authorization": f"Bearer {tok}"}) as client:
        for _ in range(n):
            try:
                r = client.get(f"{url}/api/v1/rest/channels")
                out.append(str(r.status_code))
            except httpx.RemoteProtocolError:
                out.append("dropped")
    return out


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        (FaultConfig(error_rate=1.0), {"500", "502", "503"}),
        (FaultConfig(rate_429=1.0, retry_after_s=3), {"429"}),
        (FaultConfig(reset_rate=1.0), {"dropped"}),
        (FaultConfig(truncate_rate=1.0), {"dropped"}),
    ],
    ids=["5xx", "429", "reset", "truncated"],
)
def test_each_fault_kind_reaches_the_client(faults, expected):
    server, stats, state = serve(FaultConfig())
    tok = token(server.url, state)
    server.stop()
    faulty = ServerThread(create_unopim_app(state, faults=faults, stats=stats)).start()
    try:
        seen = set(outcomes(faulty.url, tok, 6))
    finally:
        faulty.stop()
    assert seen <= expected and seen


def test_429_carries_retry_after():
    server, _, state = serve(FaultConfig())
    tok = token(server.url, state)
    server.stop()
    faulty = ServerThread(create_unopim_app(state, faults=FaultConfig(rate_429=1.0, retry_after_s=7))).start()
    try:
        r = httpx.get(f"{faulty.url}/api/v1/rest/channels",
                      headers={"Accept": "application/json", "Authorization": f"Bearer {tok}"})
    finally:
        faulty.stop()
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"


def test_latency_and_slow_bodies_delay_but_deliver():
    waits: list[float] = []

    async def record(seconds: float) -> None:  # what the server waited, instead of a stopwatch
        waits.append(seconds)

    server, _, state = serve(FaultConfig(latency_ms=80, jitter_ms=10, slow_body_rate=1.0, slow_body_ms=80,
                                         pause=record))
    try:
        tok = token(server.url, state)
        waits.clear()
        assert outcomes(server.url, tok, 2) == ["200", "200"]
        latency = [w for w in waits if w > 0.05]
        chunks = [w for w in waits if w <= 0.05]
        assert len(latency) == 2 and all(0.07 <= w <= 0.09 for w in latency)  # 80 ms ± 10 ms per request
        assert chunks and all(w == 0.02 for w in chunks)  # each body came in pieces, 20 ms apart
    finally:
        server.stop()


def test_faults_are_seeded_and_off_by_default():
    def run(seed: int) -> list[str]:
        server, _, state = serve(FaultConfig())
        tok = token(server.url, state)
        server.stop()
        faulty = ServerThread(create_unopim_app(state, faults=FaultConfig(error_rate=0.5, seed=seed))).start()
        try:
            return outcomes(faulty.url, tok, 20)
        finally:
            faulty.stop()

    assert run(4) == run(4)
    assert run(4) != run(5)
    assert not FaultConfig().any_fault


def test_requests_are_counted_by_route_and_sandbox_paths_are_not():
    server, stats, state = serve(FaultConfig())
    try:
        tok = token(server.url, state)
        outcomes(server.url, tok, 3)
        httpx.get(f"{server.url}/__sandbox/state")
    finally:
        server.stop()
    assert stats.count("GET", "/api/v1/rest/channels") == 3
    assert stats.count("POST", "/oauth/token") == 1
    assert stats.total() == 4
