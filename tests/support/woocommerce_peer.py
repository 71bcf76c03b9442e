"""Helpers for the WooCommerce sandbox tests: running peers over HTTP or HTTPS, and an OAuth 1.0a client.

No tests here. The OAuth client signs with `oauthlib`, an implementation independent of the
sandbox's own checker, the way the official Python client does (query-string parameters).
"""

from __future__ import annotations

import ssl
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import oauthlib.oauth1
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.tls import make_self_signed_cert
from unopim_desktop.sandbox.woocommerce import WooState, create_woocommerce_app

API = "/wp-json/wc/v3"


def png_bytes(seed: int = 1, size: int = 2) -> bytes:
    """A small valid PNG whose pixels depend on `seed`."""
    raw = b"".join(b"\x00" + bytes([(seed * 37 + x * 11 + y * 5) % 256 for x in range(size * 3)]) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@dataclass
class RunningWoo:
    state: WooState
    stats: RequestStats
    server: ServerThread
    url: str
    http: httpx.Client  # authenticated with the read/write key (Basic over HTTPS, OAuth over HTTP)

    def api(self, path: str) -> str:
        return f"{self.url}{API}{path}"


class OAuthClient:
    """Signs each request's query string with oauthlib, as `woocommerce.API` does over plain HTTP."""

    def __init__(self, key: str, secret: str, *, method: str = oauthlib.oauth1.SIGNATURE_HMAC_SHA256,
                 signature_type: str = oauthlib.oauth1.SIGNATURE_TYPE_QUERY) -> None:
        self.key, self.secret, self.method, self.signature_type = key, secret, method, signature_type
        self.http = httpx.Client(timeout=30)

    def signed(self, method: str, url: str, params: dict[str, Any] | None = None, **extra: Any) -> tuple[str, dict[str, str]]:
        full = str(httpx.URL(url, params=params or {}))
        client = oauthlib.oauth1.Client(self.key, client_secret=self.secret, signature_method=self.method,
                                        signature_type=self.signature_type, **extra)
        signed_url, headers, _ = client.sign(full, http_method=method)
        return signed_url, headers

    def request(self, method: str, url: str, *, params: dict[str, Any] | None = None, json: Any = None,
                **extra: Any) -> httpx.Response:
        signed_url, headers = self.signed(method, url, params, **extra)
        return self.http.request(method, signed_url, json=json, headers=headers)

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def close(self) -> None:
        self.http.close()


def trust(cert: tuple[Path, Path]) -> ssl.SSLContext:
    """An SSL context that trusts the sandbox's self-signed certificate."""
    return ssl.create_default_context(cafile=str(cert[0]))


@pytest.fixture(scope="session")
def woo_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_self_signed_cert(tmp_path_factory.mktemp("woo-tls"))


@contextmanager
def running_woo(cert: tuple[Path, Path] | None = None, *, state: WooState | None = None) -> Iterator[RunningWoo]:
    """A WooCommerce sandbox on loopback: HTTPS with Basic auth when `cert` is given, else plain HTTP."""
    state = state or WooState()
    stats = RequestStats()
    app = create_woocommerce_app(state, stats=stats)
    ssl = {"ssl_certfile": str(cert[0]), "ssl_keyfile": str(cert[1])} if cert else {}
    server = ServerThread(app, name="woocommerce", **ssl).start()
    creds = (state.credentials["consumer_key"], state.credentials["consumer_secret"])
    http = httpx.Client(auth=creds, verify=trust(cert) if cert else True, timeout=30)
    try:
        yield RunningWoo(state=state, stats=stats, server=server, url=server.url, http=http)
    finally:
        http.close()
        server.stop()


@contextmanager
def image_origin(files: dict[str, bytes]) -> Iterator[tuple[str, RequestStats]]:
    """A plain HTTP server that serves `files` (path -> bytes) and counts downloads, like UnoPim's /storage."""
    stats = RequestStats()

    async def serve(request: Request) -> Response:
        path = "/" + request.path_params["path"]
        stats.record("GET", path, 200 if path in files else 404)
        if path not in files:
            return Response("not found", status_code=404)
        return Response(files[path], media_type="image/png")

    app = Starlette(routes=[Route("/{path:path}", serve)])
    with ServerThread(app, name="origin") as server:
        yield server.url, stats


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]
