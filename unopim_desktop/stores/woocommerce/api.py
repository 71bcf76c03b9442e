"""The WooCommerce REST API of one site: one pooled httpx client, OAuth 1.0a or Basic auth, retries,
paging through `X-WP-TotalPages`, and the `/batch` endpoints (≤ 100 items per call, per-item errors in
an HTTP 200 answer). The adapter and its helpers (`terms`, `verify`) build on it.

A batch that carries creates is never re-sent after it may have been carried out: the engine finds
those items by SKU on its next run instead. A 429 or 503 answer says the store did nothing, so such a
batch is sent again after the answer's Retry-After (`send_with_retry`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx

from unopim_desktop.clients.errors import ApiError, AuthError, BadPayload, Forbidden
from unopim_desktop.clients.http import RetryPolicy, make_async_client, send_with_retry
from unopim_desktop.domain import (
    BatchResult,
    ItemResult,
    StoreConnection,
)
from unopim_desktop.redact import register_secret
from unopim_desktop.stores.http_common import json_answer, scrub, tls_verify
from unopim_desktop.stores.woocommerce import KIND
from unopim_desktop.stores.woocommerce import payloads as wc
from unopim_desktop.stores.woocommerce.auth import auth_for

API = "wc/v3"
PER_PAGE_MAX = 100
BATCH_MAX = 100
# Image updates go in small batches: WooCommerce downloads each `src` inside the request.
IMAGE_BATCH = 50
SKUS_PER_LOOKUP = 40  # comma-joined in one query string; keeps URLs short
FATAL = (AuthError, Forbidden)  # a refused key stops the whole write, not just one batch
IMAGE_ERRORS = frozenset({
    "woocommerce_product_image_upload_error", "woocommerce_product_invalid_image_id",
    "woocommerce_variation_image_upload_error", "woocommerce_variation_invalid_image_id",
})


def normalize_site_url(raw: str) -> str:
    """`https://shop.example.com[/path]` without a trailing slash, `/wp-json…` or `/wp-admin…`."""
    text = raw.strip()
    if "://" not in text:
        text = f"https://{text}"
    u = httpx.URL(text)
    path = u.path
    for marker in ("/wp-json", "/wp-admin", "/index.php"):
        if marker in path:
            path = path[: path.index(marker)]
    return str(u.copy_with(path=path.rstrip("/") or "/", query=None, fragment=None)).rstrip("/")


class WooApi:
    """Transport and batch plumbing for one WooCommerce site (store-apis part A)."""

    def __init__(
        self,
        connection: StoreConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 8,
        require_write: bool = True,
        query_string_auth: bool = False,
        probe: RetryPolicy | None = None,
    ) -> None:
        self.connection = connection
        try:
            self.site = normalize_site_url(connection.url)
        except (httpx.InvalidURL, ValueError):
            self.site = ""  # verify() explains it; every other call fails as unreachable
        self.require_write = require_write
        self.query_string_auth = query_string_auth
        self.retry = retry or RetryPolicy()
        # The verification's calls (see verify.PROBE): a form gives up on a silent store in ~20 s.
        self.probe = probe
        label = f" “{connection.label}”" if connection.label else ""
        self.server = f"The {KIND.display_name} store{label} at {self.site or connection.url}"
        for secret in (connection.key, connection.secret, connection.wp_app_password):
            register_secret(secret)
        self._http = make_async_client(
            base_url=f"{self.site or 'http://invalid.invalid'}/wp-json/",
            headers={"Accept": "application/json"},
            max_connections=max_connections,
            verify=tls_verify(connection.verify_tls),
            transport=transport,
        )
        # WooCommerce sites are often on shared hosting: as many requests in flight as connections.
        self._gate = asyncio.Semaphore(max_connections)
        self.requests_sent = 0

    @property
    def auth(self) -> httpx.Auth:
        return auth_for(self.site, self.connection.key, self.connection.secret, query_string=self.query_string_auth)

    @property
    def wp_auth(self) -> httpx.Auth | None:
        if not (self.connection.wp_user and self.connection.wp_app_password):
            return None
        # Application passwords are shown with spaces; WordPress accepts them with or without.
        return httpx.BasicAuth(self.connection.wp_user, self.connection.wp_app_password)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> WooApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- transport ---------------------------------------------------------------------------------
    async def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        auth: httpx.Auth | None | bool = True,
        idempotent: bool | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> httpx.Response:
        """One call with retries; errors are typed and carry no secret. `auth=False`: anonymous."""
        chosen: Any = self.auth if auth is True else (httpx.USE_CLIENT_DEFAULT if auth is False else auth)
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE")

        async def once() -> httpx.Response:
            async with self._gate:
                self.requests_sent += 1
                return await self._http.request(
                    method, path, params=params, json=json_body, content=content, headers=headers, auth=chosen
                )

        try:
            return await send_with_retry(once, policy=retry or self.retry, idempotent=idempotent,
                                         server=self.server)
        except ApiError as exc:
            raise scrub(exc) from None

    async def get_json(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        response = await self.send("GET", path, params=params, **kw)
        return json_answer(response)

    async def write_json(self, method: str, path: str, body: dict[str, Any]) -> Any:
        """One single-object write (a PUT may be sent again; a POST only when it certainly did nothing)."""
        return json_answer(await self.send(method, path, json_body=body))

    async def iter_pages(self, path: str, params: dict[str, Any] | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of a list endpoint, following `X-WP-TotalPages` (A5)."""
        page = 1
        while True:
            query = {"per_page": PER_PAGE_MAX, **(params or {}), "page": page}
            response = await self.send("GET", path, params=query)
            items = json_answer(response)
            if not isinstance(items, list):
                raise BadPayload(f"{path} did not answer with a list", status=response.status_code)
            if items:
                yield items
            total_pages = int_header(response, "X-WP-TotalPages")
            per_page = int(query["per_page"])
            if not items or (total_pages is not None and page >= total_pages) or (
                total_pages is None and len(items) < per_page
            ):
                return
            page += 1

    async def list_all(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        async for items in self.iter_pages(path, params):
            out.extend(items)
        return out

    # -- batch plumbing --------------------------------------------------------------------------
    async def batch(
        self,
        path: str,
        *,
        create: list[tuple[str, dict[str, Any]]] | None = None,
        update: list[tuple[str, dict[str, Any]]] | None = None,
        delete: list[tuple[str, int]] | None = None,
    ) -> BatchResult:
        """One call to a `/batch` endpoint (≤ 100 items in all); each item keyed for the caller."""
        create, update, delete = create or [], update or [], delete or []
        body: dict[str, Any] = {}
        if create:
            body["create"] = [payload for _, payload in create]
        if update:
            body["update"] = [payload for _, payload in update]
        if delete:
            body["delete"] = [store_id for _, store_id in delete]
        result = BatchResult()
        try:
            answer = json_answer(await self.send("POST", path, json_body=body, idempotent=not create))
        except FATAL:
            raise
        except ApiError as exc:
            text = _batch_failure_text(exc, bool(create))

            def failed(key: str, store_id: Any = None, error: ApiError = exc) -> ItemResult:
                return ItemResult(key=key, store_id=store_id, error=text, error_code=error.code, status=error.status)

            result.created = [failed(k) for k, _ in create]
            result.updated = [failed(k, p.get("id")) for k, p in update]
            result.deleted = [failed(k, sid) for k, sid in delete]
            return result
        answer = answer if isinstance(answer, dict) else {}
        for name, sent, target in (("create", create, result.created), ("update", update, result.updated),
                                   ("delete", delete, result.deleted)):
            items = answer.get(name) if isinstance(answer.get(name), list) else []
            for i, (key, _) in enumerate(sent):
                target.append(wc.batch_item_result(key, items[i] if i < len(items) else None))
        return result

    async def run_batches(
        self, path: str, items: list[tuple[str, str, Any]], *, size: int = BATCH_MAX
    ) -> BatchResult:
        """Chunk `(op, key, payload)` items into batch calls of ≤ `size`, run them, merge the results."""
        calls: list[Awaitable[BatchResult]] = []
        for chunk in wc.chunks(items, size):
            calls.append(
                self.batch(
                    path,
                    create=[(k, p) for op, k, p in chunk if op == "create"],
                    update=[(k, p) for op, k, p in chunk if op == "update"],
                    delete=[(k, p) for op, k, p in chunk if op == "delete"],
                )
            )
        merged = BatchResult()
        for part in await asyncio.gather(*calls):
            merged.created += part.created
            merged.updated += part.updated
            merged.deleted += part.deleted
        return merged

    async def write_with_image_fallback(self, path: str, items: list[tuple[str, str, Any]], image_field: str
                                        ) -> BatchResult:
        """Batch writes; an item refused only for its images is written again without them.

        WooCommerce fails the whole item when it cannot download an image (A9), but a product must
        not wait for its pictures: it is saved, and `image_error` says why the images are missing.
        A refused create was not saved, so sending it again cannot duplicate it.
        """
        result = await self.run_batches(path, items)
        retry: list[tuple[str, str, Any]] = []
        slots: list[tuple[list[ItemResult], int, str]] = []
        for op, answers in (("create", result.created), ("update", result.updated)):
            sent = [(k, p) for o, k, p in items if o == op]
            for i, ((key, payload), answer) in enumerate(zip(sent, answers, strict=False)):
                if answer.error_code in IMAGE_ERRORS and image_field in payload:
                    retry.append((op, key, {k: v for k, v in payload.items() if k != image_field}))
                    slots.append((answers, i, answer.error))
        if retry:
            again = await self.run_batches(path, retry)
            for (answers, i, reason), redone in zip(slots, [*again.created, *again.updated], strict=True):
                if redone.ok:
                    redone.image_error = reason
                answers[i] = redone
        return result


def int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


def _batch_failure_text(exc: ApiError, had_creates: bool) -> str:
    text = f"The batch call failed: {exc}"
    # Not after a 429 or 503: those say the store did nothing (and were retried as long as allowed).
    if had_creates and exc.status in (0, 500, 502, 504):
        # The store may have saved part of it; re-sending could duplicate, the next run adopts by SKU.
        text += " (the store may have saved some items; they are matched by SKU on the next run)"
    return text
