"""The BigCommerce Management API of one store (store-apis part B): one pooled client, `X-Auth-Token`
on every call, requests paced by the store's quota headers (`quota`), v3 paging, the product and
variant look-ups by SKU, the category tree, and batched PUTs. The adapter and its helpers (`options`,
`verify`) build on it.

A batch PUT the store refuses as a whole (409/422/404) is retried item by item so each error lands on
the product that caused it (B3).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from unopim_desktop.clients.errors import (
    ApiError,
    AuthError,
    BadPayload,
    Conflict,
    Forbidden,
    Validation,
)
from unopim_desktop.clients.http import RetryPolicy, make_async_client, send_with_retry
from unopim_desktop.domain import (
    ItemResult,
    StoreCategory,
    StoreConnection,
    StoreProduct,
)
from unopim_desktop.redact import register_secret
from unopim_desktop.stores.bigcommerce import KIND
from unopim_desktop.stores.bigcommerce import payloads as bc
from unopim_desktop.stores.bigcommerce.batching import Batcher
from unopim_desktop.stores.bigcommerce.fields import unsuffixed
from unopim_desktop.stores.bigcommerce.quota import QuotaPacer
from unopim_desktop.stores.http_common import json_answer, scrub, tls_verify

LIMIT_MAX = 250
PRODUCT_BATCH = 10  # PUT /v3/catalog/products (B5)
VARIANT_BATCH = 50  # PUT /v3/catalog/variants (B6)
DELETE_BATCH = 250
SKUS_PER_LOOKUP = 50
INCLUDE = "variants,images,custom_fields"
MAX_429_TRIES = 6
FATAL = (AuthError, Forbidden)
HIDDEN_NOTE = "BigCommerce has no trash: the product was hidden (is_visible=false), not deleted."



class BigCommerceApi:
    """Transport, paging and the look-ups every writer needs, for one BigCommerce store."""

    def __init__(
        self,
        connection: StoreConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 8,
        pacer: QuotaPacer | None = None,
        require_write: bool = True,
        probe: RetryPolicy | None = None,
    ) -> None:
        self.connection = connection
        self.require_write = require_write
        try:
            self.api_base, self.store_hash = bc.parse_api_url(connection.url)
        except ValueError:
            # verify() explains it to the merchant; other calls fail the same way.
            self.api_base, self.store_hash = "", ""
        self.retry = retry or RetryPolicy(attempts=6)
        self.probe = probe  # the verification's calls (see verify.PROBE)
        label = f" “{connection.label}”" if connection.label else ""
        self.server = f"The {KIND.display_name} store{label} at {self.api_base or connection.url}"
        for secret in (connection.access_token, connection.secret):
            register_secret(secret)
        headers = {"Accept": "application/json", "X-Auth-Token": connection.access_token}
        if connection.key:
            headers["X-Auth-Client"] = connection.key  # deprecated, harmless (B1)
        self._http = make_async_client(
            base_url=self.api_base or "http://invalid.invalid/",
            headers=headers,
            max_connections=max_connections,
            verify=tls_verify(connection.verify_tls),
            transport=transport,
        )
        self._gate = asyncio.Semaphore(max_connections)
        self.pacer = pacer or QuotaPacer()
        self._tree_id: int | None = None
        self.requests_sent = 0
        # Products whose names carry the clash suffix (`fields.suffixed`): their writes keep it.
        self.suffixed: set[int] = set()
        # Names this adapter's creates claimed (lower case -> SKU): a later create of the same name by another
        # product takes the suffix at once instead of after a 409 (catalogues often repeat a name).
        self.names: dict[str, str] = {}
        self._brands: dict[int, str] = {}  # brand id -> name (products name their brand by id)
        # Variant updates and listings of several products at once, in one request (see `batching`).
        self.variant_updates: Batcher[tuple[str, dict[str, Any], int], ItemResult] = Batcher(
            self._put_variants, VARIANT_BATCH)
        self.variant_lists: Batcher[int, list[dict[str, Any]]] = Batcher(self._variants_of, SKUS_PER_LOOKUP)
        self._brands_read: set[int] = set()  # ids the last reading of the brand list was for

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> BigCommerceApi:
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
        idempotent: bool | None = None,
        retry: RetryPolicy | None = None,
    ) -> httpx.Response:
        if not self.api_base:
            raise ApiError(f"The API URL should look like {bc.API_URL_EXAMPLE}", status=0, code="bad_api_url")
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE")

        async def paced() -> httpx.Response:
            # A 429 was refused before any work, so even a create may be sent again after it.
            attempt = 0
            while True:
                attempt += 1
                async with self._gate:
                    await self.pacer.acquire()
                    try:
                        self.requests_sent += 1
                        response = await self._http.request(method, path, params=params, json=json_body)
                    except BaseException:
                        self.pacer.release(None)
                        raise
                    self.pacer.release(response.headers)
                if response.status_code != 429 or attempt >= MAX_429_TRIES:
                    return response
                self.pacer.spent(response.headers, attempt)

        try:
            return await send_with_retry(paced, policy=retry or self.retry, idempotent=idempotent,
                                         server=self.server)
        except ApiError as exc:
            raise scrub(exc) from None

    async def get_json(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return json_answer(await self.send("GET", path, params=params, **kw))

    async def write_json(self, method: str, path: str, body: Any) -> Any:
        """A POST (never re-sent once it may have been carried out; a 429 or 503 says it was not) or PUT
        with a JSON body; the answer's JSON."""
        return json_answer(await self.send(method, path, json_body=body))

    async def iter_pages(self, path: str, params: dict[str, Any] | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of a v3 list, following `meta.pagination.total_pages` (B2)."""
        page = 1
        while True:
            body = await self.get_json(path, {"limit": LIMIT_MAX, **(params or {}), "page": page})
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise BadPayload(f"{path} did not answer with a list envelope", status=200)
            items = [i for i in body["data"] if isinstance(i, dict)]
            if items:
                yield items
            pagination = (body.get("meta") or {}).get("pagination") or {}
            total_pages = pagination.get("total_pages")
            if not items or not isinstance(total_pages, int) or page >= total_pages:
                return
            page += 1

    async def list_all(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        async for items in self.iter_pages(path, params):
            out.extend(items)
        return out

    # -- products as the neutral type ---------------------------------------------------------------------
    async def products_of(self, items: list[dict[str, Any]]) -> list[StoreProduct]:
        """Products as read, with their brand's name (the brand list is read when a product names a brand
        not seen yet), noting which names carry the clash suffix."""
        unknown = {i.get("brand_id") for i in items if isinstance(i.get("brand_id"), int) and i["brand_id"] > 0
                   and i["brand_id"] not in self._brands}
        if unknown - self._brands_read:
            self._brands_read |= unknown
            async for page in self.iter_pages("v3/catalog/brands"):
                self._brands.update({b["id"]: str(b.get("name") or "") for b in page if isinstance(b.get("id"), int)})
        out = []
        for item in items:
            product = bc.product_from_bc(item, self._brands)
            if product.store_id and unsuffixed(str(item.get("name") or ""), product.sku)[1]:
                self.suffixed.add(product.store_id)
            out.append(product)
        return out

    # -- look-ups ----------------------------------------------------------------------------------------
    async def find_products_by_sku(self, skus: list[str]) -> dict[str, StoreProduct]:
        """Products by main SKU (`sku:in`), then variants by SKU through `/v3/catalog/variants`."""
        wanted = {s.lower(): s for s in dict.fromkeys(s for s in skus if s)}  # SKUs are case-insensitive
        found: dict[str, StoreProduct] = {}

        async def by_products(group: list[str]) -> None:
            async for items in self.iter_pages("v3/catalog/products", {"sku:in": ",".join(group), "include": INCLUDE}):
                for product in await self.products_of(items):
                    asked = wanted.get(product.sku.lower())
                    if asked is not None:
                        found[asked] = product

        await asyncio.gather(*(by_products(g) for g in bc.chunks(list(wanted.values()), SKUS_PER_LOOKUP)))

        remaining = {k: s for k, s in wanted.items() if s not in found}
        if remaining:
            await self._find_variants_by_sku(remaining, found)
        return found

    async def _find_variants_by_sku(self, remaining: dict[str, str], found: dict[str, StoreProduct]) -> None:
        """Variant SKUs: `/v3/catalog/variants` filters one `sku` at a time (B6), so for many SKUs a
        scan of all variants (250 a page) is cheaper on the quota; take whichever needs fewer calls."""

        def adopt(item: dict[str, Any]) -> None:
            sku = remaining.get(str(item.get("sku") or "").lower())
            if sku is None:
                return
            variant = bc.variant_from_bc(item)
            product_id = item.get("product_id") if isinstance(item.get("product_id"), int) else None
            if not item.get("option_values"):  # a base variant: the SKU is its product's
                found[sku] = StoreProduct(sku=sku, store_id=product_id)
                return
            found[sku] = StoreProduct(
                sku=sku, type="variation", store_id=variant.store_id, parent_store_id=product_id,
                regular_price=variant.regular_price, sale_price=variant.sale_price,
                stock_quantity=variant.stock_quantity, variants=[variant],
            )

        if len(remaining) > 3:
            first = await self.get_json("v3/catalog/variants", {"limit": LIMIT_MAX, "page": 1})
            pages = ((first.get("meta") or {}).get("pagination") or {}).get("total_pages") if isinstance(first, dict) else None
            if isinstance(pages, int) and pages <= len(remaining):
                for item in first.get("data") or []:
                    adopt(item)
                for page in range(2, pages + 1):
                    body = await self.get_json("v3/catalog/variants", {"limit": LIMIT_MAX, "page": page})
                    for item in (body.get("data") if isinstance(body, dict) else None) or []:
                        adopt(item)
                return

        async def by_variant(sku: str) -> None:
            for item in await self.list_all("v3/catalog/variants", {"sku": sku}):
                adopt(item)

        await asyncio.gather(*(by_variant(s) for s in remaining.values()))

    async def list_categories(self) -> list[StoreCategory]:
        """The categories of the channel's tree: without `tree_id:in` the list holds every storefront's tree."""
        items = await self.list_all("v3/catalog/trees/categories", {"tree_id:in": await self.tree_id()})
        return [bc.category_from_bc(i) for i in items]

    async def tree_id(self) -> int:
        """The category tree of the default storefront (channel 1) (B7)."""
        if self._tree_id is None:
            trees = await self.get_json("v3/catalog/trees", {"channel_id:in": 1})
            data = trees.get("data") if isinstance(trees, dict) else None
            first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
            self._tree_id = int(first.get("id") or 1)
        return self._tree_id

    # -- variants of several products --------------------------------------------------------------------
    async def _put_variants(self, items: list[tuple[str, dict[str, Any], int]]) -> list[ItemResult]:
        """Variant updates of any products, 50 a request (`PUT /v3/catalog/variants`, B6)."""
        product_of = {body.get("id"): pid for _, body, pid in items}
        return await self.batch_put("v3/catalog/variants", [(key, body) for key, body, _ in items], VARIANT_BATCH,
                                    single=lambda b: f"v3/catalog/products/{product_of[b['id']]}/variants/{b['id']}")

    async def _variants_of(self, product_ids: list[int]) -> list[list[dict[str, Any]]]:
        """The variants of each product (`GET /v3/catalog/variants?product_id:in=`, 250 a page)."""
        wanted = list(dict.fromkeys(product_ids))
        found: dict[int, list[dict[str, Any]]] = {pid: [] for pid in wanted}
        for group in bc.chunks(wanted, SKUS_PER_LOOKUP):
            async for items in self.iter_pages("v3/catalog/variants", {"product_id:in": ",".join(map(str, group))}):
                for item in items:
                    if item.get("product_id") in found:
                        found[item["product_id"]].append(item)
        return [found[pid] for pid in product_ids]

    # -- batched PUTs -----------------------------------------------------------------------------------
    async def batch_put(self, path: str, items: list[tuple[str, dict[str, Any]]], size: int, *,
                        single: Callable[[dict[str, Any]], str],
                        note: str = "") -> list[ItemResult]:
        parts = await asyncio.gather(*(self._put_chunk(path, chunk, single, note) for chunk in bc.chunks(items, size)))
        return [r for part in parts for r in part]

    async def _put_chunk(self, path: str, chunk: list[tuple[str, dict[str, Any]]],
                         single: Callable[[dict[str, Any]], str], note: str
                         ) -> list[ItemResult]:
        try:
            response = await self.send("PUT", path, params={"include": "images"} if "products" in path else None,
                                       json_body=[body for _, body in chunk])
        except FATAL:
            raise
        except ApiError as exc:
            if exc.status in (404, 409, 422) and len(chunk) > 1:
                # The batch was refused as a whole and the error may not say which item (B3).
                return list(await asyncio.gather(*(self._put_one(single(b), k, b, note) for k, b in chunk)))
            return [failed_item(key, exc, body.get("id")) for key, body in chunk]
        answer = json_answer(response)
        data = answer.get("data") if isinstance(answer, dict) else None
        by_id = {d.get("id"): d for d in data if isinstance(d, dict)} if isinstance(data, list) else {}
        problem = bc.error_text(answer.get("errors")) if isinstance(answer, dict) else ""
        out = []
        for key, body in chunk:
            saved = by_id.get(body.get("id"))
            if saved is not None:
                out.append(bc.saved(key, saved, note=note))
            else:
                out.append(ItemResult(key=key, store_id=body.get("id"), error=problem or "Not saved by the store",
                                      status=response.status_code))
        return out

    async def _put_one(self, path: str, key: str, body: dict[str, Any], note: str) -> ItemResult:
        fields = {k: v for k, v in body.items() if k != "id"}
        image_error = ""
        try:
            try:
                response = await self.send("PUT", path, json_body=fields)
            except (Conflict, Validation) as exc:
                image_keys = [k for k in ("images", "image_url") if fields.get(k)]
                if not (image_keys and bc.image_refused(exc.body, exc.message)):
                    raise
                image_error = bc.error_text(exc.body, exc.message)
                response = await self.send("PUT", path, json_body={k: v for k, v in fields.items()
                                                                   if k not in image_keys})
        except FATAL:
            raise
        except ApiError as exc:
            return failed_item(key, exc, body.get("id"))
        answer = json_answer(response)
        data = answer.get("data") if isinstance(answer, dict) else None
        result = bc.saved(key, data, note=note) if isinstance(data, dict) else ItemResult(key=key, store_id=body.get("id"))
        result.image_error = image_error
        return result


def failed_item(key: str, exc: ApiError, store_id: Any = None) -> ItemResult:
    text = bc.error_text(exc.body, exc.message) if isinstance(exc.body, dict) else exc.message
    code = exc.code or {409: "conflict", 422: "invalid", 404: "not_found", 413: "too_large"}.get(exc.status, "")
    return ItemResult(key=key, store_id=store_id if isinstance(store_id, int) else None, error=text or str(exc),
                      error_code=code, status=exc.status)
