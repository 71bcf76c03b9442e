"""The WooCommerce store adapter: wc/v3 REST over one pooled httpx client (store-apis part A).

Reads page through `X-WP-TotalPages`; writes go through the batch endpoints (≤ 100 items per call,
per-item errors in an HTTP 200 answer). A batch whose answer was lost is sent again once what it may have
done is known (`lost_answers`): creates found by SKU become updates, pictures already downloaded are
sent as their attachments, so a retry neither duplicates a product nor orphans a picture.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Collection
from typing import Any

from unopim_desktop.clients.errors import ApiError, AuthError, BadPayload, NotFound
from unopim_desktop.domain import (
    BatchResult,
    ItemResult,
    StoreAttribute,
    StoreCategory,
    StoreImage,
    StoreInfo,
    StoreLanguages,
    StoreProduct,
    StoreVariant,
)
from unopim_desktop.stores.http_common import json_answer
from unopim_desktop.stores.woocommerce import KIND, i18n, translations
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
from unopim_desktop.stores.woocommerce.lost_answers import (
    images_reconciler,
    product_resolver,
    read_images,
    reuse_shown,
)
from unopim_desktop.stores.woocommerce.terms import category_key, upsert_attributes, upsert_categories
from unopim_desktop.stores.woocommerce.verify import verify_woocommerce


class WooCommerceAdapter(WooApi):
    kind = KIND.name
    max_batch = BATCH_MAX
    category_name_max = None
    one_association_list = False
    inline_on_create = False
    # What `i18n_capabilities` found (one language and one currency until then) and the store currencies
    # whose prices this run writes and reads.
    i18n = StoreLanguages()
    price_currencies: tuple[str, ...] = ()

    # -- verification ----------------------------------------------------------------------------
    async def verify(self) -> StoreInfo:
        return await verify_woocommerce(self)

    async def i18n_capabilities(self, settings: dict[str, str], *, languages: tuple[str, ...] = (),
                                currencies: tuple[str, ...] = (), channel: str = "") -> StoreLanguages:
        """WPML/WCML and the multi-currency plugin (see `i18n`); `languages` and `currencies` are the store
        languages and currencies the channel maps: the languages are checked, the currencies kept for the
        price meta this adapter writes and reads."""
        self.i18n = await i18n.detect(self, settings, list(languages))
        known = self.i18n.currencies
        self.price_currencies = tuple(c for c in currencies if known is None or c in known) if self.i18n.prices else ()
        self._translations_of: dict[int, dict[str, int]] = {}
        return self.i18n

    @property
    def _wpml(self) -> bool:
        return self.i18n.translations == "wpml"

    def _product(self, raw: dict[str, Any]) -> StoreProduct:
        product = wc.product_from_wc(raw)
        if self.price_currencies:
            i18n.take_prices(product, self.i18n.prices, self.price_currencies)
        if self._wpml and not product.lang:
            product.lang = self.i18n.default_language
        return product

    def _variant(self, raw: dict[str, Any]) -> StoreVariant:
        variant = wc.variant_from_wc(raw)
        if self.price_currencies:
            i18n.take_prices(variant, self.i18n.prices, self.price_currencies)
        return variant

    async def _with_translations(self, items: list[dict[str, Any]], seen: set[int] | None = None) -> list[StoreProduct]:
        """The originals among `items` (fetching those only their translations named), each with its
        translations: WCML's copies are never products of their own."""
        if not self._wpml:
            return [self._product(item) for item in items]
        default = self.i18n.default_language
        variations = [wc.product_from_wc(i) for i in items if i.get("type") == "variation"]
        items = [i for i in items if i.get("type") != "variation"]
        originals = {i["id"]: i for i in items if str(i.get("lang") or default) == default}
        named = {int(i["translations"][default]) for i in items if str(i.get("lang") or default) != default
                 and str((i.get("translations") or {}).get(default, "")).isdigit()}
        missing = named - set(originals) - (seen or set())
        if missing:
            originals.update(await translations.fetch(self, f"{API}/products", missing))
        pairs = []
        for pid, raw in sorted(originals.items()):
            if seen is not None:
                if pid in seen:
                    continue
                seen.add(pid)
            pairs.append((self._product(raw), raw))
            self._remember(pid, raw)
        await translations.attach(self, pairs, self.i18n.languages)
        return [p for p, _ in pairs] + variations

    def _remember(self, product_id: int, raw: dict[str, Any]) -> None:
        cache = getattr(self, "_translations_of", None)
        if cache is not None:
            cache[product_id] = translations.translation_ids(raw, str(raw.get("lang") or ""))

    # -- reads -----------------------------------------------------------------------------------
    async def iter_products(
        self, *, modified_after: dt.datetime | None = None, page_size: int = 100
    ) -> AsyncIterator[list[StoreProduct]]:
        # Ordered by id, never by `modified`: WooCommerce adds no tie-break there (`ORDER BY post_modified`
        # alone), so products saved in the same second could be skipped or repeated across pages.
        params: dict[str, Any] = {"per_page": max(1, min(page_size, PER_PAGE_MAX)), "orderby": "id", "order": "asc"}
        if modified_after is not None:
            params.update(modified_after=wc.wc_gmt(modified_after), dates_are_gmt="true")
            if self._wpml:
                params["lang"] = "all"  # a translation edited alone moves only its own date
        seen: set[int] = set()
        async for items in self.iter_pages(f"{API}/products", params):
            yield await self._with_translations(items, seen)

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
        found = await self._with_translations([raw]) if self._wpml and raw.get("lang") else []
        product = found[0] if found else self._product(raw)
        if product.type == "variable":
            product.variants = await self.list_variants(store_id)
        return product

    async def find_products_by_sku(self, skus: list[str]) -> dict[str, StoreProduct]:
        """Products and variations holding these SKUs (`sku` takes a comma list and covers variations)."""
        wanted = list(dict.fromkeys(s for s in skus if s))
        found: dict[str, StoreProduct] = {}

        async def lookup(group: list[str]) -> None:
            async for items in self.iter_pages(f"{API}/products", {"sku": ",".join(group)}):
                products = await self._with_translations(items) if self._wpml else [
                    wc.product_from_wc(i) if i.get("type") == "variation" else self._product(i) for i in items]
                for product in products:
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
        return [self._variant(item) for item in items]

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
            ("update" if p.store_id else "create", p.sku or f"#{p.store_id}", self._priced(wc.product_to_wc(p), p))
            for p in products
        ]
        result = await self.write_with_image_fallback(f"{API}/products/batch", items, "images",
                                                      resolve=product_resolver(self), reconcile=images_reconciler(self))
        if self._wpml and any(p.translations for p in products):
            answers = [*result.created, *result.updated]
            by_key = {r.key: r for r in answers}
            pairs = [(p, by_key[p.sku or f"#{p.store_id}"]) for p in products if (p.sku or f"#{p.store_id}") in by_key]
            await translations.write_products(self, pairs, self._translation_meta)
            cache = getattr(self, "_translations_of", None)
            for _p, r in pairs:
                if cache is not None and r.store_id:
                    cache[r.store_id] = {k: v for k, v in r.translation_ids.items() if v}
        return result

    def _priced(self, body: dict[str, Any], obj: StoreProduct | StoreVariant) -> dict[str, Any]:
        """The per-currency price meta a product (not a variable parent) or variation carries."""
        if not self.price_currencies or (isinstance(obj, StoreProduct) and obj.type in ("variable", "grouped")):
            return body
        meta = [m for m in body.get("meta_data") or [] if not i18n.is_price_key(m["key"])]
        body["meta_data"] = meta + i18n.prices_meta(obj.prices, self.i18n.prices, self.price_currencies)
        return body

    def _translation_meta(self, product: StoreProduct) -> list[dict[str, Any]]:
        if not self.i18n.prices_per_language or product.type in ("variable", "grouped"):
            return []
        return i18n.prices_meta(product.prices, self.i18n.prices, self.price_currencies)

    async def translated_variations(self, product_id: int) -> dict[str, dict[str, int]]:
        """SKU -> store language -> WCML's translated copy of each variation of `product_id` ({} without WPML)."""
        if not self._wpml:
            return {}
        cache = getattr(self, "_translations_of", {})
        return await translations.translated_variations(self, product_id, cache.get(product_id))

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
            ("update" if v.store_id else "create", v.sku or f"#{v.store_id}",
             self._priced(wc.variant_to_wc(v, attribute_ids), v))
            for v in variants
        ]
        return await self.write_with_image_fallback(f"{API}/products/{product_id}/variations/batch", items, "image",
                                                    resolve=product_resolver(self, parent_id=product_id),
                                                    reconcile=images_reconciler(self, parent_id=product_id))

    async def set_product_images(self, items: list[tuple[str, int, list[StoreImage]]], *,
                                 bare: Collection[str] = ()) -> BatchResult:
        """Only the images of existing products (key, product id, images; first = featured).

        Small batches: WooCommerce downloads every `src` inside the request, so one slow image must
        not hold up a hundred products.
        """
        # Pictures the product already shows go by their attachment ids (read first, 100 products a call).
        shown = await read_images(self, [pid for key, pid, _imgs in items if key not in bare])
        payloads = [("update", key, {"id": pid, "images": reuse_shown([wc.image_out(i) for i in imgs],
                                                                     shown.get(pid, []))})
                    for key, pid, imgs in items]
        return await self.run_batches(f"{API}/products/batch", payloads, size=IMAGE_BATCH,
                                      reconcile=images_reconciler(self))

    async def set_variant_images(self, product_id: int, items: list[tuple[str, int, StoreImage]]) -> BatchResult:
        shown = await read_images(self, [vid for _key, vid, _img in items], parent_id=product_id)
        payloads = [("update", key, {"id": vid, "image": reuse_shown([wc.image_out(img)], shown.get(vid, []))[0]})
                    for key, vid, img in items]
        return await self.run_batches(f"{API}/products/{product_id}/variations/batch", payloads, size=IMAGE_BATCH,
                                      reconcile=images_reconciler(self, parent_id=product_id))

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
        result = await upsert_categories(self, categories)
        if self._wpml and any(c.translations for c in categories):
            answers = {r.key: r for r in (*result.created, *result.updated)}
            await translations.write_categories(self, categories, answers, category_key)
        return result

    async def upsert_attributes(self, attributes: list[StoreAttribute]) -> BatchResult:
        return await upsert_attributes(self, attributes, default_language=self.i18n.default_language if self._wpml else "")

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
