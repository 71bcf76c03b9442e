"""Async UnoPim REST client: OAuth2 password grant, token refresh, pagination, typed errors.

Handles the answers of UnoPim 1.x and 3.x alike (see the reference notes): `Accept: application/json`
exactly on every request (1.x answers 406 to anything else); 400 `invalid_grant` means the user's
credentials, 401 `invalid_client` the API client's; a refresh failure is 400 on 3.x and 401 on 1.x;
throttling is 429 with Retry-After on 3.x and a bare 500 on 1.x. Where the server announces a limit
(`X-RateLimit-Limit`/`-Remaining`), `RatePacer` spreads the calls so that none is refused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from unopim_desktop.clients.errors import ApiError, AuthError, BadPayload, NotFound, RouteNotFound
from unopim_desktop.clients.http import (
    RetryPolicy,
    decode_json,
    make_async_client,
    send_with_retry,
)
from unopim_desktop.clients.unopim.errors import token_error
from unopim_desktop.clients.unopim.pacing import RatePacer

ACCEPT = "application/json"
TOKEN_PATH = "/oauth/token"
API_PREFIX = "/api/v1/rest"
# Renew this long before the server's expiry so a request never leaves with a token about to die.
EXPIRY_MARGIN_S = 60.0


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

LEGACY_CONFIGURABLE_PATH = "/configrable-products"
CONFIGURABLE_PATH = "/configurable-products"


@dataclass(frozen=True)
class ServerFeatures:
    """What this UnoPim's REST API can do, as one probe tells it (unopim-api §13.4).

    `generation` 1: only the misspelt `/configrable-products` (1.0.x, or 2.0.x); 2: both spellings but no
    cursor (2.1.x); 3: cursor paging and the 3.0 routes. From 3.0 on a variant stores only what it owns and
    inherits the rest from its parent (§13.1); option deletes exist only from 3.0; a configurable can be
    deleted through its own route from 2.1; 1.x refuses SKUs with underscores (its `Slug` rule)."""

    generation: int

    @property
    def configurable_path(self) -> str:
        return LEGACY_CONFIGURABLE_PATH if self.generation < 2 else CONFIGURABLE_PATH

    @property
    def variants_inherit(self) -> bool:
        return self.generation >= 3

    @property
    def deletes_options(self) -> bool:
        return self.generation >= 3

    @property
    def date_filters(self) -> bool:
        return self.generation >= 3

    @property
    def may_refuse_underscores(self) -> bool:
        """1.x validates SKUs as slugs (letters, digits, single hyphens); 2.0 (same routes) already takes
        underscores, so a generation-1 server may or may not refuse them."""
        return self.generation < 2


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
        # Named in time-out messages: "UnoPim at https://pim.example.com did not answer within 9 s".
        self.server = f"UnoPim at {credentials.address}"
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
            response = await send_with_retry(send, policy=self.retry, idempotent=True, server=self.server)
        except ApiError as exc:
            raise token_error(exc) from None
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

            return await send_with_retry(send, policy=self.retry, idempotent=idempotent, server=self.server)

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

    async def features(self) -> ServerFeatures:
        """One probe: `GET /configurable-products?limit=1&pagination_type=search_after`. 1.x (and 2.0) have
        no such route (the router's 404), 2.1 ignores the cursor parameter and answers a page, 3.x answers
        a cursor page (`search_after`, no `last_page`)."""
        try:
            body = await self.get_json(CONFIGURABLE_PATH, {"limit": 1, "pagination_type": "search_after"})
        except RouteNotFound:
            return ServerFeatures(generation=1)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise BadPayload(f"{CONFIGURABLE_PATH} did not answer with a list envelope", status=200)
        return ServerFeatures(generation=3 if "search_after" in body and "last_page" not in body else 2)
    async def list_total(self, path: str, *, filters: dict[str, Any] | None = None) -> int:
        """How many items a listing holds, from a one-item page (page mode answers carry `total`): the
        totals a run's progress shows before it reads the pages. 0 when the answer does not say."""
        params: dict[str, Any] = {"page": 1, "limit": 1}
        if filters:
            params["filters"] = json.dumps(filters)
        body = await self.get_json(path, params)
        if not isinstance(body, dict):
            raise BadPayload(f"{path} did not answer with a list envelope", status=200)
        try:
            return max(0, int(body.get("total") or 0))
        except (TypeError, ValueError):
            return 0

    async def configurable_path(self) -> str:
        """Where this UnoPim lists configurable products: 1.x only has the misspelt `/configrable-products`;
        2.1+ both (3.x deprecates the typo)."""
        return (await self.features()).configurable_path

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
        """A single object (bare JSON, §4.3), or None when the controller says it does not exist (a
        route this server lacks is an error, not an absence)."""
        try:
            body = await self.get_json(path)
        except RouteNotFound:
            raise
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
