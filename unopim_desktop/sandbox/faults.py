"""Seeded fault injection for the sandbox servers, as ASGI middleware.

Faults are off by default. Every server wraps its Starlette app in `SandboxMiddleware`, which
also counts requests. Paths under `/__sandbox` (state, control) are never faulted or counted.

Two kinds: random faults (`FaultConfig`'s rates, for soak tests and benchmarks), and scripted ones
(`FaultConfig.rules`, a list of `FaultRule` that may be changed while the server runs) that hit exactly the
requests a test names: "answer the next two POSTs to /batch with 503 without doing anything", "accept
the sign-in and never answer", "send the answer one byte at a time".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import Match, Route

from unopim_desktop.sandbox.stats import RequestStats

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SANDBOX_PREFIX = "/__sandbox"
# Media the peers serve to each other (UnoPim's public disk, WordPress uploads, BigCommerce's CDN) is
# static-file traffic between servers, not an API call: `latency_ms` models API latency and is not
# added there. Faults still apply, so a failing image download can be simulated.
STATIC_PREFIXES = ("/storage/", "/wp-content/", "/cdn11/")


class InjectedReset(Exception):
    """Raised after the response has started so uvicorn drops the connection mid-answer."""


RULE_ACTIONS = ("status", "hang", "trickle", "answer", "lose")


@dataclass
class FaultRule:
    """A scripted fault for the requests whose method is `method` ("*": any) and whose path matches the
    regular expression `path` (searched, so "/batch$" matches every batch endpoint).

    - "status": answer `status` (429, 503, …) with `Retry-After: retry_after_s` before the app sees the
      request, so nothing is done;
    - "hang": read the request and never answer (until the client gives up, or `hang_s`);
    - "trickle": the real answer, its body one byte every `interval_ms` (a per-read timeout never fires);
    - "answer": `status` with `body` (bytes, `content_type`, extra `headers`) instead of the real answer, so
      nothing is done: a hostile or broken server (an HTML error page, cut-off or mistyped JSON, a redirect
      to a login page);
    - "lose": the request is carried out, then its answer replaced by `status` (a 500 after the write was
      saved: the answer a client cannot trust either way).

    `times`: how many matching requests it hits (None: all); `hits` counts them.
    """

    action: str
    method: str = "*"
    path: str = ""
    status: int = 503
    retry_after_s: float | None = 0
    times: int | None = None
    interval_ms: float = 50.0
    hang_s: float = 120.0
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0

    def __post_init__(self) -> None:
        if self.action not in RULE_ACTIONS:
            raise ValueError(f"action must be one of {RULE_ACTIONS}, got {self.action!r}")

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return self.method in ("*", method) and re.search(self.path, path) is not None


@dataclass
class FaultConfig:
    """What can go wrong, each as a probability per request (0 = never), and the scripted `rules`."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0  # answer 500/502/503 instead of the real answer
    rate_429: float = 0.0  # answer 429 with Retry-After
    retry_after_s: int = 1
    reset_rate: float = 0.0  # send headers, then drop the connection
    truncate_rate: float = 0.0  # send half the body, then drop the connection
    slow_body_rate: float = 0.0  # send the body in small chunks with pauses
    slow_body_ms: float = 200.0
    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    # Paths (prefixes) the random faults leave alone. The reliability suite exempts UnoPim's `/storage/`
    # in a pull: those downloads are the store's own (server to server), which the app neither sees nor
    # retries; a store that cannot fetch a picture says so and the next run tries it again.
    exempt_paths: tuple[str, ...] = ()
    # How the middleware waits (latency, slow bodies): asyncio.sleep; a test passes a recorder instead, so it
    # checks which requests were delayed and by how much without timing anything.
    pause: Callable[[float], Awaitable[None]] | None = None

    async def wait(self, seconds: float) -> None:
        await (self.pause or asyncio.sleep)(seconds)

    @classmethod
    def from_rate(cls, rate: float, *, latency_ms: float = 0.0, seed: int = 0) -> FaultConfig:
        """One knob for the CLI: spread `rate` over the kinds of fault."""
        share = rate / 4
        return cls(
            latency_ms=latency_ms,
            jitter_ms=latency_ms / 5,
            error_rate=share,
            rate_429=share,
            reset_rate=share / 2,
            truncate_rate=share / 2,
            slow_body_rate=share,
            seed=seed,
        )

    @property
    def any_fault(self) -> bool:
        return bool(self.rules) or any(
            (self.error_rate, self.rate_429, self.reset_rate, self.truncate_rate, self.slow_body_rate)
        )


_NO_FAULTS = FaultConfig()


class SandboxMiddleware:
    """Counts every request by route and injects the configured faults.

    `error_body` lets each server shape its own injected 5xx/429 body (WooCommerce,
    BigCommerce and UnoPim answer in different envelopes).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        stats: RequestStats,
        faults: FaultConfig | None = None,
        routes: list[Any] | None = None,
        error_body: Callable[[int], dict[str, Any]] | None = None,
        extra_429_headers: Callable[[], dict[str, str]] | None = None,
    ) -> None:
        self.app = app
        self.stats = stats
        self.faults = faults or FaultConfig()
        self.routes = routes if routes is not None else getattr(app, "routes", [])
        self.error_body = error_body or (lambda status: {"error": f"Injected fault {status}"})
        self.extra_429_headers = extra_429_headers or (lambda: {})
        self._rng = random.Random(self.faults.seed)
        self._rng_lock = threading.Lock()
        self._route_table: tuple[tuple[Any, ...], list[tuple[Any, ...]]] = ((), [])

    def _rule_for(self, scope: Scope) -> FaultRule | None:
        """The first rule that hits this request (counted), or None."""
        if not self.faults.rules:
            return None
        with self._rng_lock:
            for rule in list(self.faults.rules):
                if rule.matches(scope["method"], scope["path"]):
                    rule.hits += 1
                    return rule
        return None

    def _roll(self) -> float:
        with self._rng_lock:
            return self._rng.random()

    def _table(self) -> list[tuple[Any, ...]]:
        """(path regex, methods, template) for each plain Route, (None, route) for any other kind; rebuilt
        when the route list changes."""
        routes = tuple(self.routes)
        if routes != self._route_table[0]:
            table = [(r.path_regex, r.methods, r.path) if type(r) is Route else (None, r) for r in routes]
            self._route_table = (routes, table)
        return self._route_table[1]

    def route_of(self, scope: Scope) -> str:
        # What `route.matches(scope)` decides for a plain Route (FULL: the path matches and the method is
        # allowed), without building its child scope: this runs on every request, over every route.
        route_path = get_route_path(scope)
        method = scope["method"]
        for entry in self._table():
            regex = entry[0]
            if regex is not None:
                if regex.match(route_path) and (entry[1] is None or method in entry[1]):
                    return entry[2]
                continue
            route = entry[1]
            try:
                match, _ = route.matches(scope)
            except Exception:  # a mount or odd route type: fall through
                continue
            if match == Match.FULL:
                return getattr(route, "path", scope["path"])
        return scope["path"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SANDBOX_PREFIX):
            await self.app(scope, receive, send)
            return
        route = self.route_of(scope)
        f = self.faults
        status_holder = {"status": 0}
        if f.exempt_paths and scope["path"].startswith(f.exempt_paths):
            f = _NO_FAULTS

        if (f.latency_ms or f.jitter_ms) and not scope["path"].startswith(STATIC_PREFIXES):
            jitter = (self._roll() * 2 - 1) * f.jitter_ms
            await f.wait(max(0.0, f.latency_ms + jitter) / 1000)

        rule = self._rule_for(scope)
        if rule is not None and rule.action == "status":
            headers = {} if rule.retry_after_s is None else {"Retry-After": f"{rule.retry_after_s:g}"}
            if rule.status == 429:
                headers.update(self.extra_429_headers())
            await self._send_json(send, rule.status, self.error_body(rule.status), headers)
            self.stats.record(scope["method"], route, rule.status)
            return
        if rule is not None and rule.action == "answer":
            hdrs = [(b"content-type", rule.content_type.encode()), (b"content-length", str(len(rule.body)).encode())]
            hdrs += [(k.lower().encode(), v.encode()) for k, v in rule.headers.items()]
            await send({"type": "http.response.start", "status": rule.status, "headers": hdrs})
            await send({"type": "http.response.body", "body": rule.body})
            self.stats.record(scope["method"], route, rule.status)
            return
        if rule is not None and rule.action == "hang":
            self.stats.record(scope["method"], route, 0)
            await _hang(receive, rule.hang_s)
            return

        if f.rate_429 and self._roll() < f.rate_429:
            headers = {"Retry-After": str(f.retry_after_s), **self.extra_429_headers()}
            await self._send_json(send, 429, self.error_body(429), headers)
            self.stats.record(scope["method"], route, 429)
            return
        if f.error_rate and self._roll() < f.error_rate:
            status = self._rng.choice((500, 502, 503))
            await self._send_json(send, status, self.error_body(status), {})
            self.stats.record(scope["method"], route, status)
            return

        mode = None
        disconnected = asyncio.Event()
        if rule is not None and rule.action == "trickle":
            mode = "trickle"
        elif f.reset_rate and self._roll() < f.reset_rate:
            mode = "reset"
        elif f.truncate_rate and self._roll() < f.truncate_rate:
            mode = "truncate"
        elif f.slow_body_rate and self._roll() < f.slow_body_rate:
            mode = "slow"

        if rule is not None and rule.action == "lose":
            async def swallow(message: dict[str, Any]) -> None:
                return None

            await self.app(scope, receive, swallow)
            await self._send_json(send, rule.status, self.error_body(rule.status), {})
            self.stats.record(scope["method"], route, rule.status)
            return

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                # Count at the start so a reader sees the request as soon as the client does.
                self.stats.record(scope["method"], route, message["status"])
                await send(message)
                if mode == "reset":
                    raise InjectedReset("injected connection reset")
                return
            if message["type"] == "http.response.body" and mode == "trickle" and rule is not None:
                body = message.get("body", b"")
                watcher = asyncio.ensure_future(_wait_disconnect(receive, disconnected))
                try:
                    for i in range(len(body)):
                        if disconnected.is_set():
                            return
                        await send({"type": "http.response.body", "body": body[i : i + 1], "more_body": True})
                        await asyncio.sleep(rule.interval_ms / 1000)
                finally:
                    watcher.cancel()
                await send({"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)})
                return
            if message["type"] == "http.response.body" and mode in ("truncate", "slow"):
                body = message.get("body", b"")
                if mode == "truncate":
                    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
                    raise InjectedReset("injected truncated body")
                step = max(1, len(body) // 4)
                for i in range(0, len(body), step):
                    await send({"type": "http.response.body", "body": body[i : i + step], "more_body": True})
                    await f.wait(f.slow_body_ms / 1000 / 4)
                await send({"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)})
                return
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except InjectedReset:
            raise
        except Exception:
            if not status_holder["status"]:
                self.stats.record(scope["method"], route, 500)
            raise

    @staticmethod
    async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        raw = json.dumps(body).encode()
        hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
        hdrs += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": hdrs})
        await send({"type": "http.response.body", "body": raw})


async def _hang(receive: Receive, limit_s: float) -> None:
    """Take the request and answer nothing, until the client hangs up (or `limit_s`, so a server can stop)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(limit_s):
            while (await receive())["type"] != "http.disconnect":
                pass


async def _wait_disconnect(receive: Receive, disconnected: asyncio.Event) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    disconnected.set()
