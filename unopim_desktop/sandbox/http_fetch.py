"""One HTTP GET of a remote file, for a peer that downloads an image URL itself (WooCommerce's sideload).

This replaced `httpx.AsyncClient(timeout=30, follow_redirects=True, verify=False, trust_env=False).get(url)`
because a new httpx client per download cost about 1.2 ms of CPU per image (client and SSL context set-up,
the connection pool, anyio cancel scopes, URL parsing), and at ~4 image downloads per product that made the
download the sandbox's largest cost. The download is still real: a GET over a TCP (or TLS) connection to
the URL's server and the whole body read. A connection is kept alive for the next download from the same
server (see `_ConnectionPool`), which the server cannot tell from a new one.

What a client of the peer can observe is kept: the URL is read as `httpx.URL` reads it (same request target,
same `Host`, the same `httpx.InvalidURL` for a URL httpx refuses), redirects are followed by httpx's rules
(301/302/303/307/308 with a `Location`, at most 20), and failures come as `FetchError` with the kind httpx
would have raised (`connect` for `httpx.ConnectError`, `timeout` for `httpx.TimeoutException`, `other`
for any other `httpx.HTTPError`) and, for `other`, httpx's own message text (h11's for a cut-off body).
tests/integration/sandbox/test_http_fetch.py runs both side by side.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
import weakref
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import httpx

MAX_REDIRECTS = 20  # httpx's DEFAULT_MAX_REDIRECTS
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_USER_AGENT = f"python-httpx/{httpx.__version__}"
_READ_SIZE = 64 * 1024
_KEEP_IDLE_S = 5.0
_MAX_IDLE_PER_ORIGIN = 16
_tls_context: ssl.SSLContext | None = None


class FetchError(Exception):
    """The download failed. `kind`: "connect", "timeout" or "other"; `str(error)` is httpx's message."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Fetched:
    status: int
    reason_phrase: str
    content: bytes


def _unverified_tls() -> ssl.SSLContext:
    """httpx's `verify=False` context (no certificate or host name check, ALPN http/1.1); built once."""
    global _tls_context
    if _tls_context is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["http/1.1"])
        _tls_context = context
    return _tls_context


async def fetch(url: str, *, timeout: float) -> Fetched:
    """GET `url` and follow redirects; `timeout` applies to connecting and to each read, as in httpx."""
    target = parse_target(url)  # httpx.InvalidURL propagates, as it did out of `client.get`
    redirects = 0
    while True:
        if redirects > MAX_REDIRECTS:
            raise FetchError("other", "Exceeded maximum allowed redirects.")
        status, reason, headers, body = await _get_once(target, timeout)
        content = _decode(headers, body)
        location = headers.get("location")
        if status not in _REDIRECT_STATUSES or location is None:
            return Fetched(status, reason, content)
        target = _Target.of(_redirect_url(target.as_httpx(), location))
        redirects += 1


class _Target(NamedTuple):
    """What a request needs from its URL, as httpx derives it (`scheme` empty: httpx has no scheme)."""

    scheme: str
    host: str  # httpx's `raw_host`: IDNA-encoded, IPv6 without brackets
    port: int | None
    raw_path: str  # path and query, escaped as httpx sends them
    netloc: str  # the Host header
    source: str | httpx.URL

    @classmethod
    def of(cls, url: httpx.URL) -> _Target:
        if url.is_relative_url:  # no host: httpx merges it into its empty base URL, which has no scheme
            return cls("", "", None, "", "", url)
        return cls(url.scheme, url.raw_host.decode("ascii"), url.port, url.raw_path.decode("ascii"),
                   url.netloc.decode("ascii"), url)  # fmt: skip

    def as_httpx(self) -> httpx.URL:
        return self.source if isinstance(self.source, httpx.URL) else httpx.URL(self.source)


# A URL httpx would keep exactly as written: loopback or a dotted IPv4 address, an explicit port that is not
# the scheme's default, and a path of unreserved characters with no dot segment. Parsing one with httpx
# cost more than the rest of a download; any other URL still goes through httpx.URL.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PLAIN_URL = re.compile(rf"(https?)://(localhost|{_OCTET}(?:\.{_OCTET}){{3}}):([1-9][0-9]{{0,4}})(/[A-Za-z0-9._~/-]*)")


def parse_target(url: str) -> _Target:
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and "/." not in plain[4]:
        scheme, host, port_text, path = plain.groups()
        port = int(port_text)
        if port <= 65535 and port != _DEFAULT_PORTS[scheme]:
            return _Target(scheme, host, port, path, f"{host}:{port}", url)
    return _Target.of(httpx.URL(url))


def _redirect_url(current: httpx.URL, location: str) -> httpx.URL:
    """`httpx.Client._redirect_url`."""
    try:
        url = httpx.URL(location)
    except httpx.InvalidURL as exc:
        raise FetchError("other", f"Invalid URL in location header: {exc}.") from None
    if url.scheme and not url.host:
        url = url.copy_with(host=current.host)
    if url.is_relative_url:
        url = current.join(url)
    if current.fragment and not url.fragment:
        url = url.copy_with(fragment=current.fragment)
    return url


async def _get_once(url: _Target, timeout: float) -> tuple[int, str, dict[str, str], bytes]:
    scheme = url.scheme
    if scheme == "" or not url.host:
        raise FetchError("other", "Request URL is missing an 'http://' or 'https://' protocol.")
    if scheme not in _DEFAULT_PORTS:
        raise FetchError("other", f"Request URL has an unsupported protocol '{scheme}://'.")
    origin = (scheme, url.host, url.port or _DEFAULT_PORTS[scheme])
    request = (
        f"GET {url.raw_path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
        f"User-Agent: {_USER_AGENT}\r\n\r\n"
    ).encode("ascii")
    pool = _pool()
    idle = pool.take(origin)
    if idle is not None:
        try:
            return await _exchange(pool, origin, idle, request, timeout, reused=True)
        except _StaleConnection:
            pass  # the server had let it go before reading the request: ask again on a new connection
    return await _exchange(pool, origin, await _connect(origin, timeout), request, timeout, reused=False)


async def _connect(origin: tuple[str, str, int], timeout: float) -> _Connection:
    scheme, host, port = origin
    tls = _unverified_tls() if scheme in ("https", "wss") else None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host, port, ssl=tls, server_hostname=host if tls else None, limit=_READ_SIZE * 2
            )
    except TimeoutError as exc:
        raise FetchError("timeout") from exc
    except (OSError, ValueError) as exc:  # refused, unresolvable, TLS handshake: httpx.ConnectError
        raise FetchError("connect", str(exc)) from exc
    return _Connection(reader, writer)


async def _exchange(pool: _ConnectionPool, origin: tuple[str, str, int], conn: _Connection, request: bytes,
                    timeout: float, *, reused: bool) -> tuple[int, str, dict[str, str], bytes]:  # fmt: skip
    keep = False
    answer = _ResponseReader(conn.reader, timeout)
    try:
        conn.writer.write(request)
        status, reason, headers, body, keep = await answer.read()
        return status, reason, headers, body
    except TimeoutError as exc:
        raise FetchError("timeout") from exc
    except (OSError, FetchError) as exc:
        if reused and not answer.received:
            raise _StaleConnection from exc
        if isinstance(exc, FetchError):
            raise
        # A reset mid-answer: httpx.ReadError, whose text anyio leaves empty.
        raise FetchError("other", "") from exc
    finally:
        if keep:
            pool.give_back(origin, conn)
        else:
            conn.writer.close()


class _StaleConnection(Exception):
    """A kept-alive connection was closed by the server before it answered anything."""


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def usable(self, now: float) -> bool:
        return (now - self.idle_since < _KEEP_IDLE_S and not self.reader.at_eof()
                and not self.writer.is_closing())  # fmt: skip


class _ConnectionPool:
    """Idle kept-alive connections of one event loop, by origin.

    Reusing a connection spares both peers a TCP set-up and tear-down per image (a store downloads
    ~4 images per product), which is invisible to the server's clients: it still answers and counts
    every request. A connection is kept only after a complete, well-framed HTTP/1.1 answer without
    `Connection: close`, and only for `_KEEP_IDLE_S`, far below the sandbox servers' 30 s keep-alive.
    """

    def __init__(self) -> None:
        self.idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._reaper: asyncio.Task[None] | None = None

    def take(self, origin: tuple[str, str, int]) -> _Connection | None:
        waiting = self.idle.get(origin)
        now = time.monotonic()
        while waiting:
            conn = waiting.pop()
            if conn.usable(now):
                return conn
            conn.writer.close()
        return None

    def give_back(self, origin: tuple[str, str, int], conn: _Connection) -> None:
        waiting = self.idle.setdefault(origin, [])
        if len(waiting) >= _MAX_IDLE_PER_ORIGIN:
            conn.writer.close()
            return
        conn.idle_since = time.monotonic()
        waiting.append(conn)
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.get_running_loop().create_task(self._reap())

    def close_all(self) -> None:
        for waiting in self.idle.values():
            for conn in waiting:
                conn.writer.close()
            waiting.clear()

    async def _reap(self) -> None:
        # Closes connections left idle too long; when the loop shuts down (asyncio.run cancels the tasks
        # left over), it closes the rest so no socket outlives its loop.
        try:
            while any(self.idle.values()):
                await asyncio.sleep(_KEEP_IDLE_S)
                now = time.monotonic()
                for waiting in self.idle.values():
                    stale = [c for c in waiting if not c.usable(now)]
                    for conn in stale:
                        conn.writer.close()
                    waiting[:] = [c for c in waiting if c not in stale]
        except asyncio.CancelledError:
            self.close_all()
            raise


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _ConnectionPool] = weakref.WeakKeyDictionary()


def _pool() -> _ConnectionPool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = _ConnectionPool()
    return pool


def close_idle_connections() -> None:
    """Close the kept-alive connections of the running loop (for a caller that ends its loop itself)."""
    pool = _pools.get(asyncio.get_running_loop())
    if pool is not None:
        pool.close_all()


class _ResponseReader:
    """An HTTP/1.1 response read the way h11 frames it, with h11's messages for a peer that hangs up."""

    def __init__(self, reader: asyncio.StreamReader, timeout: float) -> None:
        self.reader = reader
        self.timeout = timeout
        self.received = False  # any byte of an answer yet (a kept-alive connection that got none was stale)

    async def _within(self, awaitable: object) -> bytes:
        async with asyncio.timeout(self.timeout):
            return await awaitable  # type: ignore[misc, no-any-return]

    async def read(self) -> tuple[int, str, dict[str, str], bytes, bool]:
        """(status, reason phrase, headers, body, whether the connection can carry another request)."""
        while True:
            version, status, reason, headers = await self._head()
            if not 100 <= status < 200 or status == 101:
                break  # h11 skips informational answers
        reusable = (version == "HTTP/1.1" and status != 101
                    and "close" not in headers.get("connection", "").lower())  # fmt: skip
        if status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._chunked()
        elif (length := headers.get("content-length")) is not None:
            body = await self._exactly(int(length.split(",")[0].strip()))
        else:
            body, reusable = await self._until_eof(), False
        return status, reason, headers, body, reusable and not getattr(self.reader, "_buffer", b"")

    async def _head(self) -> tuple[str, int, str, dict[str, str]]:
        try:
            raw = await self._within(self.reader.readuntil(b"\r\n\r\n"))
        except asyncio.IncompleteReadError as exc:
            self.received = self.received or bool(exc.partial)
            raise FetchError("other", "Server disconnected without sending a response.") from None
        except asyncio.LimitOverrunError:
            self.received = True
            raise FetchError("other", "Response header too large") from None
        self.received = True
        lines = raw.decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/") or not code.isdigit():
            raise FetchError("other", "illegal status line: " + repr(lines[0].encode("latin-1")))
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name = name.strip().lower()
            # Repeated headers combine, as httpx's `headers[...]` joins them.
            headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
        return version, int(code), reason.encode("latin-1").decode("ascii", "ignore"), headers

    async def _exactly(self, length: int) -> bytes:
        if length == 0:
            return b""
        chunks: list[bytes] = []
        received = 0
        while received < length:
            chunk = await self._within(self.reader.read(min(_READ_SIZE, length - received)))
            if not chunk:
                raise FetchError(
                    "other",
                    "peer closed connection without sending complete message body "
                    f"(received {received} bytes, expected {length})",
                )
            chunks.append(chunk)
            received += len(chunk)
        return b"".join(chunks)

    async def _chunked(self) -> bytes:
        incomplete = FetchError("other", "peer closed connection without sending complete message body "
                                         "(incomplete chunked read)")
        chunks: list[bytes] = []
        try:
            while True:
                size_line = await self._within(self.reader.readuntil(b"\r\n"))
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while (await self._within(self.reader.readuntil(b"\r\n"))) != b"\r\n":
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(await self._within(self.reader.readexactly(size)))
                await self._within(self.reader.readexactly(2))
        except asyncio.IncompleteReadError:
            raise incomplete from None

    async def _until_eof(self) -> bytes:
        chunks: list[bytes] = []
        while chunk := await self._within(self.reader.read(_READ_SIZE)):
            chunks.append(chunk)
        return b"".join(chunks)


def _decode(headers: dict[str, str], body: bytes) -> bytes:
    """httpx's content decoding for the encodings it asked for (gzip, deflate); others pass through."""
    for encoding in reversed([e.strip().lower() for e in headers.get("content-encoding", "").split(",")]):
        try:
            if encoding == "gzip":
                body = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(body)
            elif encoding == "deflate":
                try:
                    body = zlib.decompressobj().decompress(body)
                except zlib.error:
                    body = zlib.decompressobj(-zlib.MAX_WBITS).decompress(body)
        except zlib.error as exc:
            raise FetchError("other", str(exc)) from exc
    return body
