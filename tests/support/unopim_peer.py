"""Shared helpers for the UnoPim sandbox tests: a server on a loopback socket and an httpx client.

Holds no tests itself; the `test_` prefix only keeps it inside the files this suite owns.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.unopim import DEMO_CREDENTIALS, UnoPimState, create_unopim_app

REST = "/api/v1/rest"
JSON = {"Accept": "application/json"}


class UnoPimPeer:
    """A running sandbox plus a client that already holds a token (unless told not to)."""

    def __init__(self, state: UnoPimState, server: ServerThread, stats: RequestStats, *, login: bool) -> None:
        self.state = state
        self.server = server
        self.stats = stats
        self.url = server.url
        self.http = httpx.Client(base_url=server.url, headers=dict(JSON), timeout=10)
        self.token: dict[str, Any] | None = None
        if login:
            self.login()

    def password_grant(self, **overrides: Any) -> httpx.Response:
        body = {"grant_type": "password", **DEMO_CREDENTIALS, "scope": ""}
        body.update(overrides)
        return self.http.post("/oauth/token", json=body)

    def login(self) -> dict[str, Any]:
        resp = self.password_grant()
        assert resp.status_code == 200, resp.text
        self.token = resp.json()
        self.http.headers["Authorization"] = f"Bearer {self.token['access_token']}"
        return self.token

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(REST + path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(REST + path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.put(REST + path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.patch(REST + path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(REST + path, **kw)


@contextmanager
def running(state: UnoPimState | None = None, *, login: bool = True, **state_kw: Any) -> Iterator[UnoPimPeer]:
    state = state if state is not None else UnoPimState(**state_kw)
    stats = RequestStats()
    server = ServerThread(create_unopim_app(state, stats=stats), name="unopim-test")
    # The listening socket is created without IPPROTO_TCP, so asyncio skips TCP_NODELAY on accepted
    # connections and every answer waits ~40 ms for a delayed ACK (Nagle). Set it here until
    # server.py does; accepted sockets inherit it on Linux.
    server._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with server:
        peer = UnoPimPeer(state, server, stats, login=login)
        try:
            yield peer
        finally:
            peer.http.close()
