"""The WooCommerce store adapter: wc/v3 REST over one pooled httpx client (store-apis part A).

Reads page through `X-WP-TotalPages`; writes go through the batch endpoints (≤ 100 items per call,
per-item errors in an HTTP 200 answer). A batch that carries creates is never re-sent after it may
have been carried out (a 429 or 503 says it was not): the engine finds those items by SKU on its next
run instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

from unopim_desktop.clients.errors import ApiError, AuthError, BadPayload, NotFound
from unopim_desktop.domain import (
    BatchResult,
    ItemResult,
    StoreAttribute,
    StoreCategory,
    StoreImage,
    StoreInfo,
    StoreProduct,
    StoreVariant,
)
from unopim_desktop.stores.http_common import json_answer
from unopim_desktop.stores.woocommerce import KIND
from unopim_desktop.stores.woocommerce import payloads as wc
from unopim_desktop.stores.woocommerce.api import (
    API,
    BATCH_MAX,
    FATAL,
    IMAGE_BATCH,
    PER_PAGE_MAX,
    SKUS_PER_LOOKUP,
    WooApi,
    int_header,
)
from unopim_desktop.stores.woocommerce.terms import upsert_attributes, upsert_categories
from unopim_desktop.stores.woocommerce.verify import verify_woocommerce


class WooCommerceAdapter(WooApi):
    kind = KIND.name
    max_batch = BATCH_MAX
    category_name_max = None
    one_association_list = False
    inline_on_create = False

    # -- verification ----------------------------------------------------------------------------
    async def verify(self) -> StoreInfo:
        return await verify_woocommerce(self)

    # -- reads -----------------------------------------------------------------------------------
    async def iter_products(
        self, *, modified_after: dt.datetime | None = None, page_size: int = 100
    ) -> AsyncIterator[list[StoreProduct]]:
        # Ordered by id, never by `modified`: WooCommerce adds no tie-break there (`ORDER BY post_modified`
        # alone), so products saved in the same second could be skipped or repeated across pages.
        params: dict[str, Any] = {"per_page": max(1, min(page_size, PER_PAGE_MAX)), "orderby": "id", "order": "asc"}
        if modified_after is not None:
            params.update(modified_after=wc.wc_gmt(modified_after), dates_are_gmt="true")
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

    async def count_products(self, *, modified_after: dt.datetime | None = None) -> int | None:
        params: dict[str, Any] = {"per_page": 1, "_fields": "id"}
        if modified_after is not None:
            params.update(modified_after=wc.wc_gmt(modified_after), dates_are_gmt="true")
        response = await self.send("GET", f"{API}/products", params=params)
        return int_header(response, "X-WP-Total")

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
        return await upsert_categories(self, categories)

    async def upsert_attributes(self, attributes: list[StoreAttribute]) -> BatchResult:
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


def _parent_missing(product_id: int, variants: list[StoreVariant], exc: ApiError) -> BatchResult:
    text = f"The parent product #{product_id} is not in the store ({exc.message})"
    results = [ItemResult(key=v.sku or f"#{v.store_id}", store_id=v.store_id, error=text, error_code="parent_missing",
                          status=exc.status) for v in variants]
    return BatchResult(created=[r for r in results if not r.store_id], updated=[r for r in results if r.store_id])


def _header_filename(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = re.sub(r'[^A-Za-z0-9._-]+', "-", name).strip("-.") or "image"
    return name[:120]
