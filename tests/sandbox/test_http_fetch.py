"""The sandbox's image download (`http_fetch.fetch`) answers as the httpx client it replaced.

Each case runs the same URL through `httpx.AsyncClient(timeout=…, follow_redirects=True, verify=False,
trust_env=False).get()` (what WooCommerce's sideload used before) and through `fetch`, against a raw
socket server that can answer anything (bad framing, hang-ups, resets, redirects), and compares what a
store would turn into its answer: status, reason phrase and body, or the error's kind and message.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from unopim_desktop.sandbox.faults import FaultConfig, SandboxMiddleware
from unopim_desktop.sandbox.http_fetch import FetchError, close_idle_connections, fetch
from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def _answer(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", *headers]
    if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# path -> what the server does: bytes to send, then "close", "reset" or "hang" (default: close).
SCENARIOS: dict[str, list[bytes | str]] = {
    "/ok.png": [_answer("200 OK", PNG, "Content-Type: image/png")],
    "/missing.png": [_answer("404 Not Found", b"<h1>nope</h1>")],
    "/odd-reason.png": [_answer("404 Gone Fishing", b"")],
    "/no-reason.png": [_answer("599 ", b"")],
    "/chunked.png": [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"a;ext=1\r\n" + PNG[:10] + b"\r\n" + f"{len(PNG) - 10:x}".encode() + b"\r\n" + PNG[10:]
                     + b"\r\n0\r\nX-Trailer: 1\r\n\r\n"],
    "/eof-delimited.png": [b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + PNG, "close"],
    "/gzip.png": [_answer("200 OK", gzip.compress(PNG), "Content-Encoding: gzip")],
    "/bad-gzip.png": [_answer("200 OK", b"not gzip at all", "Content-Encoding: gzip")],
    "/redirect.png": [_answer("302 Found", b"moved", "Location: /ok.png")],
    "/redirect-absolute.png": [_answer("301 Moved Permanently", b"", "Location: {origin}/ok.png")],
    "/redirect-no-location.png": [_answer("302 Found", b"stay")],
    "/loop.png": [_answer("307 Temporary Redirect", b"", "Location: /loop.png")],
    "/to-ftp.png": [_answer("302 Found", b"", "Location: ftp://127.0.0.1/x.png")],
    "/headers-then-close.png": [b"HTTP/1.1 200 OK\r\nContent-Length: 208\r\n\r\n", "close"],
    "/half-body.png": [b"HTTP/1.1 200 OK\r\nContent-Length: 208\r\n\r\n" + PNG[:104], "close"],
    "/half-chunked.png": [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + PNG[:8], "close"],
    "/nothing.png": ["close"],
    "/half-head.png": [b"HTTP/1.1 200 OK\r\nContent-Le", "close"],
    "/reset.png": [b"HTTP/1.1 200 OK\r\nContent-Length: 208\r\n\r\n" + PNG[:20], "reset"],
    "/continue-first.png": [b"HTTP/1.1 100 Continue\r\n\r\n" + _answer("200 OK", PNG)],
    "/no-content.png": [b"HTTP/1.1 204 No Content\r\n\r\n"],
    "/hang.png": ["hang"],
}


class RawServer:
    """Answers each connection from SCENARIOS by its request path; counts requests by path.

    `keep_alive`: a connection answered with bytes only stays open for the next request; with
    `hang_up_on_request` set, the request of that number on a connection (1-based) is read and the
    connection closed without an answer, as a server that let an idle connection go would.
    """

    def __init__(self, *, keep_alive: bool = False, hang_up_on_request: int = 0) -> None:
        self.requests: Counter[str] = Counter()
        self.hosts: list[str] = []
        self.connections = 0
        self.keep_alive = keep_alive
        self.hang_up_on_request = hang_up_on_request
        self.server: asyncio.Server | None = None
        self.origin = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = 0
        while True:
            number += 1
            try:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            if number == self.hang_up_on_request:
                break
            if not await self.answer(head, writer) or not self.keep_alive:
                break
        writer.close()

    async def answer(self, head: str, writer: asyncio.StreamWriter) -> bool:
        """Play the scenario of the request's path; False when the connection must end."""
        target = head.split(" ", 2)[1]
        path = target.split("?", 1)[0]
        self.requests[target] += 1
        self.hosts += [line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("host:")]
        for step in SCENARIOS.get(path, [_answer("404 Not Found", b"")]):
            if isinstance(step, bytes):
                writer.write(step.replace(b"{origin}", self.origin.encode()))
                await writer.drain()
            elif step == "reset":  # RST instead of FIN
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return False
            elif step == "hang":
                await asyncio.sleep(5)
                return False
            else:
                return False
        return True

    async def __aenter__(self) -> RawServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.origin = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    async with RawServer() as server:
        yield server


@pytest.fixture(autouse=True)
async def no_kept_connections() -> AsyncIterator[None]:
    yield
    close_idle_connections()


async def _with_httpx(url: str, timeout: float = 30.0) -> tuple:
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, verify=False, trust_env=False) as client:
            response = await client.get(url)
    except httpx.TimeoutException:
        return ("error", "timeout")
    except httpx.ConnectError:
        return ("error", "connect")
    except httpx.HTTPError as exc:
        return ("error", "other", str(exc))
    return (response.status_code, response.reason_phrase, response.content)


async def _with_fetch(url: str, timeout: float = 30.0) -> tuple:
    try:
        fetched = await fetch(url, timeout=timeout)
    except FetchError as exc:
        return ("error", exc.kind) if exc.kind in ("timeout", "connect") else ("error", exc.kind, str(exc))
    return (fetched.status, fetched.reason_phrase, fetched.content)


@pytest.mark.parametrize("path", sorted(set(SCENARIOS) - {"/hang.png"}))
async def test_fetch_answers_as_httpx_did(raw_server: RawServer, path: str) -> None:
    url = f"{raw_server.origin}{path}?v=1"
    expected = await _with_httpx(url)
    requests_by_httpx = sum(raw_server.requests.values())
    raw_server.requests.clear()
    assert await _with_fetch(url) == expected
    assert sum(raw_server.requests.values()) == requests_by_httpx  # same redirects followed


async def test_the_outcomes_are_the_ones_a_store_reports(raw_server: RawServer) -> None:
    # Guards the comparison above against both sides being wrong the same way.
    origin = raw_server.origin
    assert await _with_fetch(f"{origin}/ok.png") == (200, "OK", PNG)
    assert await _with_fetch(f"{origin}/redirect.png") == (200, "OK", PNG)
    assert await _with_fetch(f"{origin}/missing.png") == (404, "Not Found", b"<h1>nope</h1>")
    assert await _with_fetch(f"{origin}/half-body.png") == (
        "error", "other", "peer closed connection without sending complete message body (received 104 bytes, expected 208)")
    assert await _with_fetch(f"{origin}/loop.png") == ("error", "other", "Exceeded maximum allowed redirects.")
    assert raw_server.requests["/loop.png"] == 21
    assert raw_server.hosts[-1] == origin.removeprefix("http://")


async def test_timeouts_and_refused_connections() -> None:
    async with RawServer() as server:
        url = f"{server.origin}/hang.png"
        assert await _with_fetch(url, timeout=0.2) == await _with_httpx(url, timeout=0.2) == ("error", "timeout")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    url = f"http://127.0.0.1:{port}/x.png"
    assert await _with_fetch(url) == await _with_httpx(url) == ("error", "connect")
    assert await _with_fetch("http://no-such-host.invalid/x.png") == ("error", "connect")


async def test_urls_httpx_refuses_fail_as_before() -> None:
    with pytest.raises(httpx.InvalidURL):
        await fetch("http://[::1/x.png", timeout=1)
    # Neither an httpx.HTTPError before nor a FetchError now: the store answers 500 for both.
    with pytest.raises(OverflowError):
        await fetch("http://127.0.0.1:99999/x.png", timeout=1)
    for url in ("http://:80/x.png", "http:///x.png"):
        assert await _with_fetch(url) == await _with_httpx(url) == (
            "error", "other", "Request URL is missing an 'http://' or 'https://' protocol.")


async def test_injected_faults_of_a_sandbox_peer_look_the_same() -> None:
    """The failures SandboxMiddleware injects on `/storage/` reach the downloader as they did."""

    async def app(scope: dict, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"208")]})
        await send({"type": "http.response.body", "body": PNG})

    for faults in (FaultConfig(truncate_rate=1.0), FaultConfig(reset_rate=1.0), FaultConfig(error_rate=1.0, seed=3),
                   FaultConfig(rate_429=1.0), FaultConfig(slow_body_rate=1.0, slow_body_ms=20)):
        outcomes = []
        for client in (_with_httpx, _with_fetch):  # each on a fresh server: the same fault draws
            wrapped = SandboxMiddleware(app, stats=RequestStats(), faults=faults, routes=[])
            with ServerThread(wrapped) as server:
                outcomes.append(await client(f"{server.url}/storage/a.png"))
        assert outcomes[0] == outcomes[1], faults
        assert outcomes[0] != (200, "OK", PNG) or faults.slow_body_rate, faults


async def test_a_connection_is_kept_for_the_next_download() -> None:
    async with RawServer(keep_alive=True) as server:
        for _ in range(3):
            assert await _with_fetch(f"{server.origin}/ok.png") == (200, "OK", PNG)
        assert server.requests["/ok.png"] == 3 and server.connections == 1
        # Not after an answer that ends the connection, a failed one, or one that says so.
        assert (await _with_fetch(f"{server.origin}/half-body.png"))[0] == "error"
        assert await _with_fetch(f"{server.origin}/ok.png") == (200, "OK", PNG)
        assert server.connections == 2


async def test_a_kept_connection_the_server_let_go_costs_no_request() -> None:
    # The server reads the second request on the connection and hangs up without answering: the
    # download goes again on a new connection and succeeds; the server answered each download once.
    async with RawServer(keep_alive=True, hang_up_on_request=2) as server:
        assert await _with_fetch(f"{server.origin}/ok.png") == (200, "OK", PNG)
        assert await _with_fetch(f"{server.origin}/missing.png") == (404, "Not Found", b"<h1>nope</h1>")
        assert server.connections == 2
        assert server.requests == Counter({"/ok.png": 1, "/missing.png": 1})
    # A fresh connection that ends without an answer is an error, as before.
    async with RawServer(keep_alive=True, hang_up_on_request=1) as server:
        assert await _with_fetch(f"{server.origin}/ok.png") == (
            "error", "other", "Server disconnected without sending a response.")
        assert server.connections == 1


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/storage/product/12/image/sku-12_front.png",
    "https://127.0.0.1:4443/wp-content/uploads/2026/11/mug-1.png",
    "http://localhost:9/a~b/c.d-e_f",
    "http://127.0.0.1:80/x.png",  # default port: httpx drops it from the Host header
    "https://127.0.0.1:443/x.png",
    "http://127.0.0.1:08080/x.png",
    "http://127.000.0.1:8080/x.png",
    "http://LOCALHOST:8080/x.png",
    "http://127.0.0.1:8080/a/../b/./c.png",
    "http://127.0.0.1:8080/caf%C3%A9 au lait.png",
    "http://127.0.0.1:8080/café.png",
    "http://127.0.0.1:8080/x.png?size=2&v=a/b",
    "http://127.0.0.1:8080/x.png#frag",
    "http://127.0.0.1:8080",
    "http://example.org:8080/x.png",
    "http://[::1]:8080/x.png",
    "http://:80/x.png",
])
def test_urls_are_read_as_httpx_reads_them(url: str) -> None:
    from unopim_desktop.sandbox.http_fetch import parse_target

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        with pytest.raises(httpx.InvalidURL):
            parse_target(url)
        return
    expected = ("", "", None, "", "") if parsed.is_relative_url else (
        parsed.scheme, parsed.raw_host.decode(), parsed.port, parsed.raw_path.decode(), parsed.netloc.decode())
    assert tuple(parse_target(url)[:5]) == expected
