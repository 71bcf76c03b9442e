"""Async UnoPim REST client: OAuth2 password grant, token refresh, pagination, typed errors.

Handles the answers of UnoPim 1.x and 3.x alike (see the reference notes): `Accept: application/json`
exactly on every request (1.x answers 406 to anything else); 400 `invalid_grant` means the user's
credentials, 401 `invalid_client` the API client's; a refresh failure is 400 on 3.x and 401 on 1.x;
throttling is 429 with Retry-After on 3.x and a bare 500 on 1.x. Where the server announces a limit
(`X-RateLimit-Limit`/`-Remaining`), `RatePacer` spreads the calls so that none is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import json
import math
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from unopim_desktop.clients.errors import ApiError, AuthError, BadPayload, NotFound
from unopim_desktop.clients.http import (
    RetryPolicy,
    decode_json,
    make_async_client,
    parse_retry_after,
    send_with_retry,
)

ACCEPT = "application/json"
TOKEN_PATH = "/oauth/token"
API_PREFIX = "/api/v1/rest"
# Renew this long before the server's expiry so a request never leaves with a token about to die.
EXPIRY_MARGIN_S = 60.0
# 3.x throttles the REST API per user in a fixed one-minute window (unopim-api.md §4.7).
RATE_WINDOW_S = 60.0
# A 429 without Retry-After: wait this long first (the notes advise backing off from 1 s).
DEFAULT_THROTTLE_WAIT_S = 1.0


@dataclass(frozen=True)
class UnoPimCredentials:
    address: str  # normalized: scheme://host[:port]
    client_id: str
    client_secret: str = field(repr=False)
    username: str
    password: str = field(repr=False)


@dataclass
class Token:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float  # monotonic clock

    def fresh(self, now: float) -> bool:
        return now < self.expires_at


TokenStateCallback = Callable[[str], None]  # "refreshing" | "connected" | "failed"


class RatePacer:
    """Spreads API calls over UnoPim's throttle window so that the server never has to refuse one.

    3.x (Laravel's `throttle:rest-api`, 120 a minute by default) counts calls per user in a fixed window
    that opens with the first call, and reports `X-RateLimit-Limit` and `X-RateLimit-Remaining` on every
    answer, but says when the window ends only in a 429. So the pacer takes the latest end consistent with
    what it saw (a minute after the first answer of a window): it may wait a little longer than needed,
    never too little. Within a window it lets a small burst go at once, then keeps the calls it has left
    on a straight line down to the window's end, so the allowed rate is used evenly. The server's count
    wins over the pacer's own whenever it is lower (another program spends the same user's allowance) or
    shows that the window rolled over early. Calls in flight are counted on the safe side.

    A server that sends no such headers (2.x, or a 3.x with the throttle off) is not paced: after the
    first answer every call goes straight through. A 429's Retry-After holds every caller, not only the
    one refused. The methods taking `now` are pure bookkeeping, for tests with a fake clock.
    """

    def __init__(self, *, window_s: float = RATE_WINDOW_S, burst_share: float = 0.1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.burst_share = burst_share
        self._clock = clock
        self.limit: int | None = None
        self.throttled: bool | None = None  # None until the first answer tells
        self.budget = 0  # calls we may still start before `window_end`
        self.window_end: float | None = None  # latest moment the server's window can end; None: not seen
        self.paused_until = 0.0
        self._anchor_t = 0.0  # the spreading line runs from (anchor_t, anchor_budget) to (window_end, 0)
        self._anchor_budget = 0
        self._burst = 0
        self._in_flight: dict[int, float] = {}  # ticket -> when the call started
        self._tickets = 0
        self._roll_ticket = 0  # calls up to this ticket started before the current window
        self._newest_answer = 0
        self._turn: asyncio.Lock | None = None
        self._answered: asyncio.Event | None = None
        self.waited_s = 0.0  # time callers spent held back, for diagnostics
        self.refusals = 0  # 429s seen despite the pacing

    @property
    def reserve(self) -> int:
        """Calls held back for what cannot be seen from here: answers overtaking each other, a call
        from elsewhere between two of ours."""
        if not self.limit:
            return 0
        return 2 if self.limit >= 60 else 1 if self.limit >= 10 else 0

    # -- pure bookkeeping ------------------------------------------------------------------------
    def delay(self, now: float) -> float:
        """Seconds before the next call may start: 0 now, `math.inf` until an answer comes in."""
        if now < self.paused_until:
            return self.paused_until - now
        if self.throttled is None:
            # Until an answer says whether there is a limit, one call at a time: a burst at a nearly
            # spent allowance would earn a row of 429s.
            return math.inf if self._in_flight else 0.0
        if not self.throttled:
            return 0.0
        self._roll(now)
        usable = self.budget - self.reserve
        if usable <= 0:
            if self.window_end is None:
                return math.inf if self._in_flight else self.window_s
            return max(self.window_end - now, 0.001)
        end = self.window_end if self.window_end is not None else self._anchor_t + self.window_s
        span = end - self._anchor_t
        spread = self._anchor_budget - self.reserve - self._burst
        if spread <= 0 or span <= 0 or now >= end:
            return 0.0
        # Calls go no faster than the straight line that spends what is left by the window's end.
        return max(end - usable * span / spread - now, 0.0)

    def start(self, now: float) -> int:
        """Note a call that starts now; the ticket goes back with its answer."""
        self._tickets += 1
        self._in_flight[self._tickets] = now
        if self.throttled:
            self.budget -= 1
        return self._tickets

    def abandon(self, ticket: int) -> None:
        """A call that got no answer (network error, cancelled)."""
        self._in_flight.pop(ticket, None)
        self._wake()

    def observe(self, ticket: int, status: int, headers: Mapping[str, str], now: float | None = None) -> None:
        """Learn from one answer: its status and the rate-limit headers, if any."""
        now = self._clock() if now is None else now
        self._in_flight.pop(ticket, None)
        try:
            self._learn(ticket, status, {k.lower(): v for k, v in headers.items()}, now)
        finally:
            self._wake()

    def _learn(self, ticket: int, status: int, headers: dict[str, str], now: float) -> None:
        limit = _int_or_none(headers.get("x-ratelimit-limit"))
        remaining = _int_or_none(headers.get("x-ratelimit-remaining"))
        if status == 429:
            self.refusals += 1
            wait = parse_retry_after(headers.get("retry-after"))
            wait = DEFAULT_THROTTLE_WAIT_S if wait is None else wait
            self.paused_until = max(self.paused_until, now + wait)
            self.limit = limit or self.limit
            if self.limit:
                self.throttled = True
                self.budget = 0
                self.window_end = now + wait  # Retry-After is the time left in the server's window
                self._roll_ticket = self._tickets
            return
        if limit is None or remaining is None or limit <= 0:
            if self.throttled is None:
                self.throttled = False
            return
        older = sum(1 for t in self._in_flight if t < ticket)
        # Calls that left after this one were not counted in its `remaining`; older ones may have been.
        server_budget = remaining - sum(1 for t in self._in_flight if t > ticket)
        fresh = remaining >= limit - 1 - older  # the window opened with our calls
        if not self.throttled or limit != self.limit:
            self.throttled, self.limit = True, limit
            self._new_window(now, server_budget, burst=fresh)
        elif ticket <= self._roll_ticket:
            pass  # started before the window rolled over: its count may belong to either window
        elif self.window_end is None:
            self.window_end = now + self.window_s  # the window opened at or before this answer
            self.budget = min(self.budget, server_budget)
        elif ticket > self._newest_answer and server_budget > self.budget + older:
            self._new_window(now, server_budget, burst=fresh)  # the server's window ended early
        elif server_budget < self.budget:
            self.budget = server_budget  # someone else spends this user's allowance too
            self._anchor_t, self._anchor_budget, self._burst = now, server_budget, 0
        self._newest_answer = max(self._newest_answer, ticket)

    def _new_window(self, now: float, budget: int, *, burst: bool) -> None:
        self.budget = budget
        self.window_end = now + self.window_s
        self._anchor_t, self._anchor_budget = now, budget
        self._burst = self._burst_size() if burst else 0
        self._roll_ticket = self._tickets if self._in_flight else self._roll_ticket

    def _roll(self, now: float) -> None:
        """Past the window's end: a whole new allowance, its end fixed by its first answer."""
        if self.window_end is None or now < self.window_end or not self.limit:
            return
        self.budget = self.limit
        self.window_end = None
        self._anchor_t, self._anchor_budget = now, self.limit
        self._burst = self._burst_size()
        self._roll_ticket = self._tickets

    def _burst_size(self) -> int:
        return int((self.limit or 0) * self.burst_share)

    def _wake(self) -> None:
        if self._answered is not None:
            self._answered.set()

    # -- async use ---------------------------------------------------------------------------------
    async def acquire(self) -> int:
        """Wait until a call may start; returns its ticket for `observe` or `abandon`."""
        now = self._clock()
        if self.throttled is False and now >= self.paused_until:
            return self.start(now)
        if self._turn is None or self._answered is None:
            self._turn, self._answered = asyncio.Lock(), asyncio.Event()
        async with self._turn:  # one caller at a time, in the order they came
            while True:
                now = self._clock()
                wait = self.delay(now)
                if wait <= 0:
                    return self.start(now)
                # Any answer may change the picture (a 429, an early roll-over): wake on it.
                self._answered.clear()
                started = time.monotonic()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._answered.wait(), None if math.isinf(wait) else wait)
                self.waited_s += time.monotonic() - started


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class UnoPimClient:
    """One client per UnoPim address, reused for every request of a session."""

    def __init__(
        self,
        credentials: UnoPimCredentials,
        *,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_token_state: TokenStateCallback | None = None,
        max_connections: int = 8,
        pacer: RatePacer | None = None,
    ) -> None:
        self.credentials = credentials
        self._http = http or make_async_client(base_url=credentials.address, max_connections=max_connections)
        self._owns_http = http is None
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._token: Token | None = None
        self._token_lock = asyncio.Lock()
        self._on_token_state = on_token_state or (lambda state: None)
        self.pacer = pacer or RatePacer()
        self.requests_sent = 0
        self._server_offset: dt.timedelta | None = None  # server clock - local clock, from `Date` headers

    async def __aenter__(self) -> UnoPimClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- tokens --------------------------------------------------------------------------------
    async def sign_in(self) -> None:
        """Password grant with the credentials as given. Raises AuthError/Unreachable/... on failure."""
        async with self._token_lock:
            self._token = await self._grant(
                {"grant_type": "password", "username": self.credentials.username,
                 "password": self.credentials.password, "scope": ""}
            )
        self._on_token_state("connected")

    async def _valid_token(self, *, force_new: bool = False) -> str:
        async with self._token_lock:
            token = self._token
            if token is not None and token.fresh(self._clock()) and not force_new:
                return token.access_token
            if token is not None:
                self._on_token_state("refreshing")
                try:
                    self._token = await self._grant(
                        {"grant_type": "refresh_token", "refresh_token": token.refresh_token, "scope": ""}
                    )
                except AuthError:
                    self._token = None  # the refresh token expired or was revoked: sign in again
            if self._token is None or self._token is token:
                try:
                    self._token = await self._grant(
                        {"grant_type": "password", "username": self.credentials.username,
                         "password": self.credentials.password, "scope": ""}
                    )
                except ApiError:
                    self._on_token_state("failed")
                    raise
            self._on_token_state("connected")
            return self._token.access_token

    async def _grant(self, form: dict[str, str]) -> Token:
        auth = httpx.BasicAuth(self.credentials.client_id, self.credentials.client_secret)

        async def send() -> httpx.Response:
            self.requests_sent += 1
            return await self._http.post(TOKEN_PATH, data=form, auth=auth, headers={"Accept": ACCEPT})

        try:
            response = await send_with_retry(send, policy=self.retry, idempotent=True)
        except ApiError as exc:
            raise _token_error(exc) from None
        body = decode_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise BadPayload(
                "The sign-in answer has no access token; is this address a UnoPim server?",
                status=response.status_code,
            )
        expires_in = float(body.get("expires_in") or 3600)
        return Token(
            access_token=body["access_token"],
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=self._clock() + max(0.0, expires_in - min(EXPIRY_MARGIN_S, expires_in / 2)),
        )

    # -- requests ------------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: Any = None,
        data: Any = None,
    ) -> httpx.Response:
        """One API call with a valid token; on a 401, one new token and one retry (as the notes advise)."""
        url = path if path.startswith("/oauth") else f"{API_PREFIX}{path}"
        idempotent = method.upper() in ("GET", "PUT", "DELETE", "PATCH", "HEAD")

        async def send_once(token: str) -> httpx.Response:
            headers = {"Accept": ACCEPT, "Authorization": f"Bearer {token}"}

            async def send() -> httpx.Response:
                ticket = await self.pacer.acquire()
                self.requests_sent += 1
                try:
                    response = await self._http.request(
                        method, url, params=params, json=json_body, files=files, data=data, headers=headers
                    )
                except BaseException:
                    self.pacer.abandon(ticket)
                    raise
                self.pacer.observe(ticket, response.status_code, response.headers)
                return response

            return await send_with_retry(send, policy=self.retry, idempotent=idempotent)

        token = await self._valid_token()
        try:
            response = await send_once(token)
        except AuthError:
            token = await self._valid_token(force_new=True)
            response = await send_once(token)
        self._note_server_date(response)
        return response

    def _note_server_date(self, response: httpx.Response) -> None:
        try:
            server = email.utils.parsedate_to_datetime(response.headers.get("date", ""))
        except (TypeError, ValueError):
            return
        if server is not None and server.tzinfo is not None:
            self._server_offset = server - dt.datetime.now(dt.UTC)

    def server_now(self) -> dt.datetime:
        """UnoPim's clock (naive UTC), as its `Date` headers tell it: delta filters compare against the
        server's `updated_at`, so a skewed local clock must not decide what counts as changed."""
        now = dt.datetime.now(dt.UTC) + (self._server_offset or dt.timedelta())
        return now.replace(tzinfo=None)

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return decode_json(await self.request("GET", path, params=params))

    async def iter_pages(
        self, path: str, *, limit: int = 100, filters: dict[str, Any] | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Page mode: page=1..last_page. Stops on an empty page or at the last page."""
        page = 1
        while True:
            params: dict[str, Any] = {"page": page, "limit": limit}
            if filters:
                params["filters"] = json.dumps(filters)
            body = await self.get_json(path, params)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise BadPayload(f"{path} did not answer with a list envelope", status=200)
            items = body["data"]
            if items:
                yield items
            last = int(body.get("last_page") or page)
            if not items or page >= last:
                return
            page += 1

    async def iter_cursor(
        self, path: str, *, limit: int = 100, filters: dict[str, Any] | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """3.x cursor mode (`pagination_type=search_after`): stable under concurrent writes, no COUNT.
        The cursor comes from the answer's `search_after`, never from the rows (which carry no id)."""
        params: dict[str, Any] = {"limit": limit, "pagination_type": "search_after"}
        if filters:
            params["filters"] = json.dumps(filters)
        while True:
            body = await self.get_json(path, params)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise BadPayload(f"{path} did not answer with a cursor page", status=200)
            if body["data"]:
                yield body["data"]
            cursor = body.get("search_after")
            if not body["data"] or cursor in (None, ""):
                return
            params["search_after"] = cursor

    async def page(self, path: str, page: int, *, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
        """One page in page mode and the number of the last page."""
        body = await self.get_json(path, {"page": page, "limit": limit})
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise BadPayload(f"{path} did not answer with a list envelope", status=200)
        return body["data"], int(body.get("last_page") or page)

    async def configurable_path(self) -> str:
        """Where this UnoPim lists configurable products: 1.x only has the misspelt `/configrable-products`;
        2.1+ both (3.x deprecates the typo)."""
        try:
            await self.page("/configurable-products", 1, limit=1)
        except NotFound:
            return "/configrable-products"
        return "/configurable-products"

    async def list_all(self, path: str, *, limit: int = 100) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        async for items in self.iter_pages(path, limit=limit):
            out.extend(items)
        return out

    async def channels(self) -> list[dict[str, Any]]:
        return await self.list_all("/channels")

    async def locales(self) -> list[dict[str, Any]]:
        return await self.list_all("/locales")

    async def currencies(self) -> list[dict[str, Any]]:
        return await self.list_all("/currencies")


    # -- writes (the push pipeline) ------------------------------------------------------------
    # Write answers carry no resource (unopim-api §4.4): callers GET again when they need it.
    async def send_json(self, method: str, path: str, body: Any = None) -> Any:
        """One write; the decoded answer (`{"success": true, "message": …}`), typed errors otherwise."""
        return decode_json(await self.request(method, path, json_body=body))

    async def get_or_none(self, path: str) -> dict[str, Any] | None:
        """A single object (bare JSON, §4.3), or None on 404."""
        try:
            body = await self.get_json(path)
        except NotFound:
            return None
        return body if isinstance(body, dict) else None

    async def get_product(self, sku: str, *, configurable_path: str | None = None) -> dict[str, Any] | None:
        """A simple product or variant from `/products/{sku}`; with `configurable_path`
        (`/configurable-products`, or `/configrable-products` on 1.x) a configurable one. None on 404."""
        return await self.get_or_none(f"{configurable_path or '/products'}/{_quote(sku)}")

    async def create_product(self, body: dict[str, Any], *, configurable_path: str | None = None) -> Any:
        """POST a simple product (send `"parent": None`), a variant (`parent` + `variant.attributes`),
        or with `configurable_path` a configurable product (`super_attributes`)."""
        return await self.send_json("POST", configurable_path or "/products", body)

    async def update_product(self, sku: str, body: dict[str, Any], *, partial: bool = True,
                             configurable_path: str | None = None) -> Any:
        """PATCH (deep merge, lists by index) or PUT (values replaced wholesale; `family` and
        `values.common.sku` required)."""
        return await self.send_json("PATCH" if partial else "PUT",
                                    f"{configurable_path or '/products'}/{_quote(sku)}", body)

    async def delete_product(self, sku: str, *, configurable_path: str | None = None) -> Any:
        return await self.send_json("DELETE", f"{configurable_path or '/products'}/{_quote(sku)}")

    async def attribute_options(self, code: str) -> list[dict[str, Any]]:
        """A bare array (§7.5); `[]` for an unknown attribute."""
        body = await self.get_json(f"/attributes/{_quote(code)}/options")
        return [o for o in body or [] if isinstance(o, dict)] if isinstance(body, list) else []

    async def create_attribute(self, body: dict[str, Any]) -> Any:
        return await self.send_json("POST", "/attributes", body)

    async def create_attribute_options(self, code: str, options: list[dict[str, Any]]) -> Any:
        return await self.send_json("POST", f"/attributes/{_quote(code)}/options", options)

    async def upsert_attribute_options(self, code: str, options: list[dict[str, Any]]) -> Any:
        return await self.send_json("PUT", f"/attributes/{_quote(code)}/options", options)

    async def delete_attribute_option(self, code: str, option: str) -> Any:
        return await self.send_json("DELETE", f"/attributes/{_quote(code)}/options/{_quote(option)}")

    async def create_category(self, body: dict[str, Any]) -> Any:
        return await self.send_json("POST", "/categories", body)

    async def patch_category(self, code: str, body: dict[str, Any]) -> Any:
        """PATCH keeps the parent when absent; `additional_data` merges one level deep."""
        return await self.send_json("PATCH", f"/categories/{_quote(code)}", body)

    async def delete_category(self, code: str) -> Any:
        return await self.send_json("DELETE", f"/categories/{_quote(code)}")

    async def upload_product_media(self, sku: str, attribute: str, filename: str, content: bytes,
                                   content_type: str, *, channel: str | None = None,
                                   locale: str | None = None) -> dict[str, Any]:
        """Multipart `POST /media-files/product` (§7.11); the answer's `data` (`filePath` …)."""
        form = {"sku": sku, "attribute": attribute}
        if channel:
            form["channel"] = channel
        if locale:
            form["locale"] = locale
        response = await self.request("POST", "/media-files/product", data=form,
                                      files={"file": (filename, content, content_type)})
        body = decode_json(response)
        return (body.get("data") or {}) if isinstance(body, dict) else {}


    async def upload_product_media_files(self, sku: str, attribute: str, files: list[tuple[str, bytes, str]], *,
                                         channel: str | None = None, locale: str | None = None) -> dict[str, Any]:
        """Several files at once (`file[]`, for gallery attributes), or one (`file`)."""
        form = {"sku": sku, "attribute": attribute}
        if channel:
            form["channel"] = channel
        if locale:
            form["locale"] = locale
        field = "file[]" if len(files) > 1 else "file"
        response = await self.request("POST", "/media-files/product", data=form,
                                      files=[(field, (name, content, ctype)) for name, content, ctype in files])
        body = decode_json(response)
        return (body.get("data") or {}) if isinstance(body, dict) else {}


def _quote(part: str) -> str:
    from urllib.parse import quote

    return quote(str(part), safe="")

def _token_error(exc: ApiError) -> ApiError:
    """Say which party is wrong where the server says so (invalid_client vs invalid_grant)."""
    if exc.status not in (400, 401) or not isinstance(exc.body, dict):
        return exc
    code = exc.code
    if code == "invalid_client":
        return AuthError(
            exc.message or "Client authentication failed", party="client", status=exc.status,
            url=exc.url, body=exc.body, code=code,
        )
    if code == "invalid_grant":
        return AuthError(
            exc.message or "The user credentials were incorrect.", party="user", status=exc.status,
            url=exc.url, body=exc.body, code=code,
        )
    if code in ("invalid_request", "unsupported_grant_type", "invalid_scope"):
        return AuthError(exc.message, party="", status=exc.status, url=exc.url, body=exc.body, code=code)
    return exc
