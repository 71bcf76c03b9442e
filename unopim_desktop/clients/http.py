"""One place for HTTP: client construction, retries with backoff, Retry-After, deadlines, and mapping
answers to typed errors. Clients for UnoPim and the stores build on these functions.

Time limits, from the smallest up:
- httpx's own timeouts (`DEFAULT_TIMEOUT`): connecting, and the longest silence between two reads.
  A server that sends one byte now and then never trips the read timeout, so
- every request made through `make_async_client` also has a total deadline, from sending the request to
  the last byte of the answer (`RetryPolicy.request_deadline`, `REQUEST_DEADLINE_S` by default);
- a call (all its attempts and the waits between them) may have a budget (`RetryPolicy.deadline`): the
  forms use `form_policy`, which gives up after `FORM_DEADLINE_S` against a server that never answers.
Every time-out is a `TimedOut` that names the server and the limit.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import ipaddress
import json
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from unopim_desktop import __version__
from unopim_desktop.clients.errors import (
    ApiError,
    AuthError,
    BadPayload,
    Conflict,
    Forbidden,
    NotAcceptable,
    NotFound,
    RateLimited,
    RouteNotFound,
    ServerError,
    TimedOut,
    Unreachable,
    Validation,
)

USER_AGENT = f"UnoPimDesktop/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=30.0)
# The longest one request may take, from sending it to the last byte of the answer. Generous: a WooCommerce
# batch downloads its products' images inside the request, and an image upload may be large; a server
# still sending after this long is stuck (or trickles bytes on purpose).
REQUEST_DEADLINE_S = 300.0
# A form (Test & Save, `connect`, a store's verification) gives up on a silent server after about this long.
FORM_DEADLINE_S = 20.0

# The deadline of the request being sent, set by `send_with_retry` for each attempt.
_request_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("request_deadline", default=None)


class AnswerDeadline(httpx.ReadTimeout):
    """The whole exchange outlasted its deadline. `started`: the answer had begun (a trickling server)."""

    def __init__(self, message: str, *, request: httpx.Request, seconds: float, started: bool) -> None:
        super().__init__(message, request=request)
        self.seconds = seconds
        self.started = started


class _DeadlineStream(httpx.AsyncByteStream):
    """An answer's body that must arrive whole by `ends` (the event loop's clock)."""

    def __init__(self, inner: Any, ends: float, seconds: float, request: httpx.Request) -> None:
        self._inner, self._ends, self._seconds, self._request = inner, ends, seconds, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        while True:
            try:
                async with asyncio.timeout_at(self._ends):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise AnswerDeadline("the answer was not complete in time", request=self._request,
                                     seconds=self._seconds, started=True) from None
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class DeadlineClient(httpx.AsyncClient):
    """An httpx client whose every request has a total deadline (`deadline` seconds, or the one
    `send_with_retry` set for the attempt): httpx's read timeout restarts with every byte."""

    def __init__(self, *args: Any, deadline: float = REQUEST_DEADLINE_S, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.deadline = deadline

    async def send(self, request: httpx.Request, *, stream: bool = False, **kw: Any) -> httpx.Response:
        seconds = _request_deadline.get() or self.deadline
        loop = asyncio.get_running_loop()
        ends = loop.time() + seconds
        try:
            async with asyncio.timeout_at(ends):
                response = await super().send(request, stream=True, **kw)
        except TimeoutError:
            raise AnswerDeadline("no answer in time", request=request, seconds=seconds, started=False) from None
        response.stream = _DeadlineStream(response.stream, ends, seconds, request)
        if not stream:
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        return response


def make_async_client(
    *,
    base_url: str = "",
    headers: dict[str, str] | None = None,
    max_connections: int = 8,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    verify: Any = True,
    transport: httpx.AsyncBaseTransport | None = None,
    deadline: float = REQUEST_DEADLINE_S,
) -> httpx.AsyncClient:
    """One pooled client per remote. Small pools: shops on shared hosting dislike many connections.
    Every request has a total deadline (`deadline`, unless `send_with_retry` sets the attempt's own)."""
    return DeadlineClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        timeout=timeout,
        verify=verify,
        transport=transport,
        follow_redirects=False,
        deadline=deadline,
    )


@dataclass
class RetryPolicy:
    # Total tries, the first included. Eight: a store or UnoPim refusing one request in five (a 5xx, a 429,
    # a dropped connection) still gets a call through all but once in a million tries; four let about one
    # call in 800 fail for good, i.e. a failed item in most large runs (the reliability suite's fault runs).
    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    # Beyond this a Retry-After is not waited out inside one call; the caller decides.
    max_retry_after: float = 120.0
    # One attempt: from sending the request to the last byte of the answer (clients from make_async_client).
    request_deadline: float = REQUEST_DEADLINE_S
    # The whole call, every attempt and wait included (None: only `attempts` limits it).
    deadline: float | None = None
    # Tries that end in a time-out (no answer, or an answer still trickling at its deadline): a server that
    # let a whole deadline pass is stuck, not unlucky, so it gets one more chance, not `attempts`.
    timeout_attempts: int = 2
    # Tries in a row that find no server (the connection refused, the name not found): four, over a few
    # seconds, mean it is down, not unlucky; all eight would hold a run about a minute before saying so.
    connect_attempts: int = 4

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the attempt just failed (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    def worst_case(self) -> float:
        """The longest a call can take against a server that never answers."""
        tries = min(self.attempts, self.timeout_attempts)
        waits = sum(min(self.max_delay, self.base_delay * (2 ** (n - 1))) for n in range(1, tries))
        total = tries * self.request_deadline + waits
        return min(total, self.deadline) if self.deadline is not None else total


NO_RETRY = RetryPolicy(attempts=1)


def form_policy(*, max_retry_after: float = 5.0, deadline: float = FORM_DEADLINE_S) -> RetryPolicy:
    """For a merchant waiting on a form: two tries, and no more than `deadline` seconds in all."""
    return RetryPolicy(attempts=2, base_delay=0.3, max_delay=1.0, max_retry_after=max_retry_after,
                       request_deadline=round(deadline * 0.45, 3), deadline=deadline)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def valid_host(host: str) -> bool:
    """A host name (letters, digits, hyphens in dot-separated labels; international names too) or an IP
    address: what a URL may carry before any request is tried."""
    host = host.strip()
    if not host or len(host) > 253:
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return all(_HOST_LABEL.match(label) for label in ascii_host.removesuffix(".").split("."))


def safe_url(url: httpx.URL | str) -> str:
    """The URL without its query string, which may carry keys (WooCommerce's consumer_key/secret)."""
    u = httpx.URL(str(url))
    return str(u.copy_with(query=None, fragment=None))


# The largest JSON answer decoded. A page of 100 UnoPim products with long descriptions stays far below; a
# server sending more is broken or hostile, and decoding it could exhaust this computer's memory.
MAX_JSON_BYTES = 256 * 1024 * 1024


def decode_json(response: httpx.Response) -> Any:
    """The body as JSON, or BadPayload that says what came instead (an HTML page is the common case, a
    redirect to a login page another, a cut-off answer a third)."""
    url = safe_url(response.request.url)
    if 300 <= response.status_code < 400:
        location = response.headers.get("location", "")
        target = safe_url(response.request.url.join(location)) if location else "another address"
        raise BadPayload(f"The server redirected the request to {target} instead of answering it",
                         status=response.status_code, url=url)
    size = len(response.content)
    if size > MAX_JSON_BYTES:
        raise BadPayload(f"The server's answer is {size / 1e6:.0f} MB, more than the {MAX_JSON_BYTES / 1e6:.0f} MB an "
                         "answer of this API can be", status=response.status_code, url=url)
    text = response.text
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        if "<html" in text[:2000].lower() or "<!doctype" in text[:200].lower():
            what = "The server answered with an HTML page instead of JSON"
        elif text.lstrip()[:1] in ("{", "["):
            what = "The server's answer is cut off or damaged JSON"
        else:
            what = "The server answered with something other than JSON"
        raise BadPayload(
            what,
            status=response.status_code,
            url=url,
            body=text[:300],
        ) from None


def server_message(body: Any) -> str:
    """The human part of an error body from UnoPim, WooCommerce or BigCommerce."""
    if isinstance(body, dict):
        for key in ("error_description", "message", "title", "description", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    if isinstance(body, list) and body:
        return server_message(body[0])
    if isinstance(body, str):
        return body.strip()[:300]
    return ""


def error_for(response: httpx.Response) -> ApiError:
    """Map a non-2xx answer to a typed error. Non-JSON bodies on error statuses are tolerated."""
    status = response.status_code
    try:
        body = decode_json(response)
    except BadPayload:
        body = response.text[:300]
    msg = server_message(body) or response.reason_phrase or f"HTTP {status}"
    code = ""
    if isinstance(body, dict):
        raw = body.get("error") or body.get("code") or ""
        code = raw if isinstance(raw, str) else ""
    kw: dict[str, Any] = {"status": status, "url": safe_url(response.request.url), "body": body, "code": code}
    if status == 401:
        return AuthError(msg, **kw)
    if status == 403:
        return Forbidden(msg, **kw)
    if status == 404:
        return RouteNotFound(msg, **kw) if is_route_miss(body) else NotFound(msg, **kw)
    if status == 406:
        return NotAcceptable(msg, **kw)
    if status == 409:
        return Conflict(msg, **kw)
    if status == 429:
        return RateLimited(msg, retry_after=parse_retry_after(response.headers.get("Retry-After")), **kw)
    if status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After")) if status == 503 else None
        return ServerError(msg, retry_after=retry_after, **kw)
    errors = body.get("errors") if isinstance(body, dict) else None
    return Validation(msg, errors=errors, **kw)


def is_route_miss(body: Any) -> bool:
    """A 404 that the router gave, not a controller: UnoPim's (Laravel's) `{"error": "404 Page Not Found",
    "description": …}` — a controller's "not found" is `{"success": false, "message": …}` — or
    WordPress's `rest_no_route`."""
    if not isinstance(body, dict):
        return False
    if body.get("code") == "rest_no_route":
        return True
    error = body.get("error")
    return isinstance(error, str) and error.startswith("404") and "success" not in body and "message" not in body


def is_retryable(error: ApiError) -> bool:
    return isinstance(error, (Unreachable, RateLimited, ServerError)) or error.status in (408,)


def refused_unprocessed(error: ApiError) -> bool:
    """429 and 503 say the server did nothing with the request: even a create may be sent again."""
    return isinstance(error, RateLimited) or error.status == 503


async def send_with_retry(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    on_retry: Callable[[ApiError, float], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    server: str = "The server",
    reconcile: Callable[[], Awaitable[httpx.Response | None]] | None = None,
) -> httpx.Response:
    """Send, and on a retryable failure wait and send again.

    A non-idempotent request (a create) is sent again as is only when it certainly did nothing: it never
    reached the server (no connection), or the server refused it unprocessed (429, 503), after its
    Retry-After. After any other failure (a 500, a dropped connection, a cut-off answer) it may have been
    carried out: with `reconcile`, which looks at the server and finds out, it is retried all the same —
    `reconcile` returns the answer to use when the write is found done (nothing is sent again), or None
    after making the next try safe (e.g. turning the creates it found into updates); without it, the error
    goes to the caller. Each attempt has the policy's request deadline, and the call its budget; `server`
    ("UnoPim at …") names the server in a time-out's message.
    """
    loop = asyncio.get_running_loop()
    budget_ends = loop.time() + policy.deadline if policy.deadline is not None else None
    attempt = 0
    timeouts = 0
    no_server = 0  # tries in a row that could not connect
    while True:
        attempt += 1
        seconds = policy.request_deadline
        if budget_ends is not None:
            seconds = max(0.05, min(seconds, budget_ends - loop.time()))
        token = _request_deadline.set(seconds)
        try:
            response = await send()
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            error: ApiError = _transport_error(exc, server, attempt)
            never_sent = True
        except (httpx.TransportError, httpx.DecodingError) as exc:
            error = _transport_error(exc, server, attempt)
            never_sent = False
        else:
            if response.status_code < 400:
                return response
            error = error_for(response)
            never_sent = False
        finally:
            _request_deadline.reset(token)
        timeouts += isinstance(error, TimedOut)
        no_server = no_server + 1 if never_sent else 0
        if (not is_retryable(error) or attempt >= policy.attempts or timeouts >= policy.timeout_attempts
                or no_server >= policy.connect_attempts):
            raise error
        ambiguous = not (idempotent or never_sent or refused_unprocessed(error))
        if ambiguous and reconcile is None:
            raise error
        delay = policy.backoff(attempt)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                raise error
            delay = max(delay, retry_after)
        if budget_ends is not None and loop.time() + delay >= budget_ends:
            raise error
        if on_retry:
            on_retry(error, delay)
        await sleep(delay)
        if ambiguous:
            assert reconcile is not None
            found = await reconcile()
            if found is not None:
                return found


def _seconds(value: float) -> str:
    """9 → "9", 0.4 → "0.4", 0.2200061 → "0.22" (a budget may cut the last try short)."""
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def _limit(exc: Exception, phase: str) -> float:
    """The httpx timeout that ran out (httpx records the request's timeouts on the request)."""
    try:
        timeouts = exc.request.extensions.get("timeout") or {}  # type: ignore[attr-defined]
    except RuntimeError:  # an exception raised without its request
        return 0.0
    return float(timeouts.get(phase) or 0.0)


def _transport_error(exc: Exception, server: str, attempt: int) -> Unreachable:
    if isinstance(exc, AnswerDeadline):
        phase, seconds = ("finish" if exc.started else "answer"), exc.seconds
    elif isinstance(exc, httpx.ConnectTimeout):
        phase, seconds = "connect", _limit(exc, "connect")
    elif isinstance(exc, httpx.WriteTimeout):
        phase, seconds = "send", _limit(exc, "write")
    elif isinstance(exc, httpx.PoolTimeout):
        phase, seconds = "pool", _limit(exc, "pool")
    elif isinstance(exc, httpx.TimeoutException):
        phase, seconds = "answer", _limit(exc, "read")
    else:
        return Unreachable(_describe_transport_error(exc), code="tls" if _certificate_refused(exc) else "")
    within = f" within {_seconds(seconds)} s" if seconds else " in time"
    text = {
        "connect": f"{server} did not accept a connection{within}",
        "send": f"{server} did not take the request{within}",
        "pool": f"every connection to {server} stayed busy{' for ' + _seconds(seconds) + ' s' if seconds else ''}",
        "answer": f"{server} did not answer{within}",
        "finish": f"{server} was still sending its answer after {_seconds(seconds)} s",
    }[phase]
    if attempt > 1:
        text += f" (tried {attempt} times)"
    return TimedOut(text, server=server, seconds=seconds, phase=phase)


def _certificate_refused(exc: Exception) -> bool:
    text = str(exc).upper()
    return isinstance(exc, httpx.ConnectError) and ("CERTIFICATE" in text or "SSL" in text)


def _describe_transport_error(exc: Exception) -> str:
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "The host name could not be resolved"
        if _certificate_refused(exc):
            return f"The TLS connection failed ({text[:120]})"
        return "The connection was refused or could not be opened"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "The server closed the connection before the answer was complete"
    if isinstance(exc, httpx.DecodingError):
        return "The answer could not be decoded"
    if isinstance(exc, httpx.ProxyError):
        return "The proxy refused or dropped the connection"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "The address does not start with http:// or https://"
    if isinstance(exc, httpx.ReadError):
        return "The connection broke while the answer was coming in"
    if isinstance(exc, httpx.WriteError):
        return "The connection broke while the request was being sent"
    return "A network error stopped the request"


async def download(http: httpx.AsyncClient, url: str, *, server: str,
                   policy: RetryPolicy | None = None) -> httpx.Response:
    """A file (a picture) by its URL: retried like any read, within the client's total deadline (a
    server trickling the file cannot hold a run), a non-2xx answer a typed error naming `server`."""
    response = await send_with_retry(lambda: http.get(url), policy=policy or RetryPolicy(), idempotent=True,
                                     server=server)
    if response.status_code >= 300:  # a redirect the client did not follow: not the file
        raise error_for(response)
    return response
