"""The WooCommerce store adapter: wc/v3 REST over one pooled httpx client (store-apis part A).

Reads page through `X-WP-TotalPages`; writes go through the batch endpoints (≤ 100 items per call,
per-item errors in an HTTP 200 answer). A batch that carries creates is never re-sent after it may
have reached the server: the engine finds those items by SKU on its next run instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx

from unopim_desktop.clients.errors import ApiError, AuthError, BadPayload, Forbidden, NotFound
from unopim_desktop.clients.http import RetryPolicy, make_async_client, send_with_retry
from unopim_desktop.domain import (
    BatchResult,
    ItemResult,
    StoreAttribute,
    StoreCategory,
    StoreConnection,
    StoreImage,
    StoreInfo,
    StoreKind,
    StoreProduct,
    StoreVariant,
)
from unopim_desktop.redact import register_secret
from unopim_desktop.stores import woocommerce_payloads as wc
from unopim_desktop.stores.http_common import json_answer, scrub, tls_verify
from unopim_desktop.stores.woocommerce_auth import auth_for

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


class WooCommerceAdapter:
    kind = StoreKind.WOOCOMMERCE
    max_batch = BATCH_MAX

    def __init__(
        self,
        connection: StoreConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 8,
        require_write: bool = True,
        query_string_auth: bool = False,
    ) -> None:
        self.connection = connection
        try:
            self.site = normalize_site_url(connection.url)
        except (httpx.InvalidURL, ValueError):
            self.site = ""  # verify() explains it; every other call fails as unreachable
        self.require_write = require_write
        self.query_string_auth = query_string_auth
        self.retry = retry or RetryPolicy()
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

    async def __aenter__(self) -> WooCommerceAdapter:
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
            return await send_with_retry(once, policy=retry or self.retry, idempotent=idempotent)
        except ApiError as exc:
            raise scrub(exc) from None

    async def get_json(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        response = await self.send("GET", path, params=params, **kw)
        return json_answer(response)

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
            total_pages = _int_header(response, "X-WP-TotalPages")
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

    # -- verification ----------------------------------------------------------------------------
    async def verify(self) -> StoreInfo:
        from unopim_desktop.stores.woocommerce_verify import verify_woocommerce

        return await verify_woocommerce(self)

    # -- reads -----------------------------------------------------------------------------------
    async def iter_products(
        self, *, modified_after: dt.datetime | None = None, page_size: int = 100
    ) -> AsyncIterator[list[StoreProduct]]:
        params: dict[str, Any] = {"per_page": max(1, min(page_size, PER_PAGE_MAX))}
        if modified_after is not None:
            params.update(
                modified_after=wc.wc_gmt(modified_after), dates_are_gmt="true", orderby="modified", order="asc"
            )
        else:
            params.update(orderby="id", order="asc")  # a stable order while paging a full listing
        async for items in self.iter_pages(f"{API}/products", params):
            yield [wc.product_from_wc(item) for item in items]

    async def get_product(self, store_id: int) -> StoreProduct | None:
        try:
            raw = await self.get_json(f"{API}/products/{store_id}")
        except NotFound:
            return None
        except ApiError as exc:
            # A variation id addressed through /products answers 404 too (A4); so does a bad id (400).
            if exc.code in ("woocommerce_rest_product_invalid_id", "woocommerce_rest_invalid_product_id"):
                return None
            raise
        product = wc.product_from_wc(raw)
        if product.type == "variable":
            product.variants = await self.list_variants(store_id)
        return product

    async def find_products_by_sku(self, skus: list[str]) -> dict[str, StoreProduct]:
        """Products and variations holding these SKUs (`sku` takes a comma list and covers variations)."""
        wanted = list(dict.fromkeys(s for s in skus if s))
        found: dict[str, StoreProduct] = {}

        async def lookup(group: list[str]) -> None:
            async for items in self.iter_pages(f"{API}/products", {"sku": ",".join(group)}):
                for item in items:
                    product = wc.product_from_wc(item)
                    if product.sku in group:
                        found[product.sku] = product

        await asyncio.gather(*(lookup(g) for g in wc.chunks(wanted, SKUS_PER_LOOKUP)))
        return found

    async def has_products(self) -> bool:
        # status=any leaves out the trash, as WooCommerce's unique-SKU check does.
        return bool(await self.get_json(f"{API}/products", {"per_page": 1, "status": "any", "_fields": "id"}))

    async def list_variants(self, product_id: int) -> list[StoreVariant]:
        items = await self.list_all(f"{API}/products/{product_id}/variations", {"orderby": "id", "order": "asc"})
        return [wc.variant_from_wc(item) for item in items]

    async def list_categories(self) -> list[StoreCategory]:
        items = await self.list_all(f"{API}/products/categories", {"orderby": "id", "order": "asc"})
        return [wc.category_from_wc(item) for item in items]

    async def list_attributes(self) -> list[StoreAttribute]:
        raw = await self.get_json(f"{API}/products/attributes")  # not paginated (A8)
        attributes = [wc.attribute_from_wc(a) for a in raw or [] if isinstance(a, dict)]

        async def fill(attribute: StoreAttribute) -> None:
            terms = await self.list_all(f"{API}/products/attributes/{attribute.store_id}/terms", {"orderby": "id"})
            attribute.terms = [wc.term_from_wc(t) for t in terms]

        await asyncio.gather(*(fill(a) for a in attributes if a.store_id))
        return attributes

    async def list_tags(self) -> list[str]:
        items = await self.list_all(f"{API}/products/tags", {"orderby": "id", "order": "asc"})
        return [wc.term_from_wc(t).name for t in items]

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

    # -- writes ----------------------------------------------------------------------------------
    async def upsert_products(self, products: list[StoreProduct]) -> BatchResult:
        items = [
            ("update" if p.store_id else "create", p.sku or f"#{p.store_id}", wc.product_to_wc(p)) for p in products
        ]
        return await self.write_with_image_fallback(f"{API}/products/batch", items, "images")

    async def upsert_variants(
        self, product_id: int, variants: list[StoreVariant], *, attribute_ids: dict[str, int] | None = None
    ) -> BatchResult:
        """`attribute_ids` (global attribute name → id), when the caller knows them, saves reading the
        parent first."""
        if attribute_ids is None:
            try:
                parent = await self.get_json(f"{API}/products/{product_id}", {"_fields": "id,attributes"})
            except FATAL:
                raise
            except ApiError as exc:
                if exc.status not in (400, 404):
                    raise
                return _parent_missing(product_id, variants, exc)
            attribute_ids = {
                str(a.get("name", "")).strip().lower(): int(a["id"])
                for a in (parent or {}).get("attributes") or []
                if isinstance(a, dict) and isinstance(a.get("id"), int) and a["id"] > 0
            }
        else:
            attribute_ids = {k.strip().lower(): v for k, v in attribute_ids.items()}
        items = [
            ("update" if v.store_id else "create", v.sku or f"#{v.store_id}", wc.variant_to_wc(v, attribute_ids))
            for v in variants
        ]
        return await self.write_with_image_fallback(f"{API}/products/{product_id}/variations/batch", items, "image")

    async def set_product_images(self, items: list[tuple[str, int, list[StoreImage]]]) -> BatchResult:
        """Only the images of existing products (key, product id, images; first = featured).

        Small batches: WooCommerce downloads every `src` inside the request, so one slow image must
        not hold up a hundred products.
        """
        payloads = [("update", key, {"id": pid, "images": [wc.image_out(i) for i in imgs]})
                    for key, pid, imgs in items]
        return await self.run_batches(f"{API}/products/batch", payloads, size=IMAGE_BATCH)

    async def set_variant_images(self, product_id: int, items: list[tuple[str, int, StoreImage]]) -> BatchResult:
        payloads = [("update", key, {"id": vid, "image": wc.image_out(img)}) for key, vid, img in items]
        return await self.run_batches(f"{API}/products/{product_id}/variations/batch", payloads, size=IMAGE_BATCH)

    async def set_associations(self, items: list[tuple[str, int, list[int], list[int]]]) -> BatchResult:
        """Only upsells and cross-sells (key, product id, upsell ids, cross-sell ids)."""
        payloads = [("update", key, {"id": pid, "upsell_ids": ups, "cross_sell_ids": cross})
                    for key, pid, ups, cross in items]
        return await self.run_batches(f"{API}/products/batch", payloads)

    async def delete_products(self, store_ids: list[int], *, force: bool) -> BatchResult:
        if force:
            # Batch delete is always permanent (A10), which is what force means.
            items = [("delete", str(sid), sid) for sid in store_ids]
            result = await self.run_batches(f"{API}/products/batch", items)
            for r in result.deleted:
                if r.error_code == "woocommerce_rest_product_invalid_id":
                    # Nothing by that id (any more): what a delete wants, e.g. after a retried batch.
                    r.error, r.error_code, r.status, r.note = "", "", 200, "It was not in the store (any more)."
                elif r.ok:
                    r.note = "Deleted permanently."
            return result
        results = await asyncio.gather(*(self._trash(sid) for sid in store_ids))
        return BatchResult(deleted=list(results))

    async def _trash(self, store_id: int) -> ItemResult:
        key = str(store_id)
        try:
            await self.send("DELETE", f"{API}/products/{store_id}", params={"force": "false"})
        except FATAL:
            raise
        except ApiError as exc:
            if exc.code == "woocommerce_rest_already_trashed":
                return ItemResult(key=key, store_id=store_id, note="It was already in the trash.")
            if exc.code == "woocommerce_rest_product_invalid_id":
                return ItemResult(key=key, store_id=store_id, note="It was not in the store (any more).")
            return ItemResult(key=key, store_id=store_id, error=exc.message, error_code=exc.code, status=exc.status)
        return ItemResult(key=key, store_id=store_id, note="Moved to the trash (restorable in WooCommerce).")

    async def upsert_categories(self, categories: list[StoreCategory]) -> BatchResult:
        from unopim_desktop.stores.woocommerce_terms import upsert_categories

        return await upsert_categories(self, categories)

    async def upsert_attributes(self, attributes: list[StoreAttribute]) -> BatchResult:
        from unopim_desktop.stores.woocommerce_terms import upsert_attributes

        return await upsert_attributes(self, attributes)

    # -- media -----------------------------------------------------------------------------------
    async def upload_media(self, filename: str, content: bytes, content_type: str) -> StoreImage:
        """Upload a file to the WordPress media library, for images the store cannot fetch itself."""
        auth = self.wp_auth
        if auth is None:
            raise AuthError(
                "No WordPress user and application password are set for this store, so images cannot be "
                "uploaded; WooCommerce must download them from their URL instead.",
                status=0,
            )
        safe_name = _header_filename(filename)
        response = await self.send(
            "POST",
            "wp/v2/media",
            content=content,
            headers={"Content-Type": content_type, "Content-Disposition": f'attachment; filename="{safe_name}"'},
            auth=auth,
            idempotent=False,
        )
        body = json_answer(response)
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            raise BadPayload("The media upload answer has no attachment id", status=response.status_code)
        alt = body.get("alt_text") if isinstance(body.get("alt_text"), str) else ""
        return StoreImage(src=str(body.get("source_url") or ""), store_id=body["id"], alt=alt)


# --- helpers ----------------------------------------------------------------------------------------


def _parent_missing(product_id: int, variants: list[StoreVariant], exc: ApiError) -> BatchResult:
    text = f"The parent product #{product_id} is not in the store ({exc.message})"
    results = [ItemResult(key=v.sku or f"#{v.store_id}", store_id=v.store_id, error=text, error_code="parent_missing",
                          status=exc.status) for v in variants]
    return BatchResult(created=[r for r in results if not r.store_id], updated=[r for r in results if r.store_id])


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


def _batch_failure_text(exc: ApiError, had_creates: bool) -> str:
    text = f"The batch call failed: {exc}"
    if had_creates and exc.status in (0, 500, 502, 503, 504):
        # The store may have saved part of it; re-sending could duplicate, the next run adopts by SKU.
        text += " (the store may have saved some items; they are matched by SKU on the next run)"
    return text


def _header_filename(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = re.sub(r'[^A-Za-z0-9._-]+', "-", name).strip("-.") or "image"
    return name[:120]

