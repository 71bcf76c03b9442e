"""The BigCommerce store adapter: Management API V3 catalog (and V2 store info), store-apis part B.

Products are created one per call (there is no batch create) and updated in batches of ≤ 10 through
`BigCommerceApi.batch_put`; options and variants are written by `options`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Collection
from typing import Any

from unopim_desktop.clients.errors import (
    ApiError,
    Conflict,
    NotFound,
    Validation,
)
from unopim_desktop.domain import (
    BatchResult,
    ItemResult,
    StoreAttribute,
    StoreCategory,
    StoreImage,
    StoreInfo,
    StoreProduct,
    StoreTerm,
    StoreVariant,
)
from unopim_desktop.stores.bigcommerce import KIND, images, lost_answers
from unopim_desktop.stores.bigcommerce import payloads as bc
from unopim_desktop.stores.bigcommerce.api import (
    DELETE_BATCH,
    FATAL,
    HIDDEN_NOTE,
    INCLUDE,
    LIMIT_MAX,
    PRODUCT_BATCH,
    SKUS_PER_LOOKUP,
    BigCommerceApi,
    failed_item,
)
from unopim_desktop.stores.bigcommerce.fields import is_duplicate_name, suffixed
from unopim_desktop.stores.bigcommerce.options import upsert_categories, upsert_variants
from unopim_desktop.stores.bigcommerce.verify import verify_bigcommerce
from unopim_desktop.stores.http_common import json_answer


class BigCommerceAdapter(BigCommerceApi):
    kind = KIND.name
    max_batch = PRODUCT_BATCH
    category_name_max = bc.CATEGORY_NAME_MAX
    one_association_list = True
    inline_on_create = True

    # -- verification ----------------------------------------------------------------------------
    async def verify(self) -> StoreInfo:
        return await verify_bigcommerce(self)

    # -- reads -----------------------------------------------------------------------------------
    async def iter_products(
        self, *, modified_after: dt.datetime | None = None, page_size: int = 100
    ) -> AsyncIterator[list[StoreProduct]]:
        # The store's maximum page unless the caller wants smaller pages: fewer calls on the quota.
        limit = LIMIT_MAX if page_size >= 100 else max(1, page_size)
        # Sorted by id, never by `date_modified`, whose tie-break is undocumented: products saved in the same
        # second could be skipped or repeated across pages.
        params: dict[str, Any] = {"include": INCLUDE, "limit": limit, "sort": "id", "direction": "asc"}
        if modified_after is not None:
            params["date_modified:min"] = bc.bc_datetime(modified_after)
        async for items in self.iter_pages("v3/catalog/products", params):
            yield await self.products_of(items)

    async def get_product(self, store_id: int) -> StoreProduct | None:
        try:
            body = await self.get_json(f"v3/catalog/products/{store_id}", {"include": INCLUDE})
        except NotFound:
            return None
        data = body.get("data") if isinstance(body, dict) else None
        return (await self.products_of([data]))[0] if isinstance(data, dict) else None

    async def count_products(self, *, modified_after: dt.datetime | None = None) -> int | None:
        params: dict[str, Any] = {"limit": 1, "include_fields": "id"}
        if modified_after is not None:
            params["date_modified:min"] = bc.bc_datetime(modified_after)
        body = await self.get_json("v3/catalog/products", params)
        total = (((body.get("meta") or {}).get("pagination") or {}).get("total")) if isinstance(body, dict) else None
        return total if isinstance(total, int) else None

    async def has_products(self) -> bool:
        body = await self.get_json("v3/catalog/products", {"limit": 1, "include_fields": "id"})
        return bool(isinstance(body, dict) and body.get("data"))

    async def list_variants(self, product_id: int) -> list[StoreVariant]:
        """With the listings of other products asked for at the same moment (one request for many)."""
        (items,) = await self.variant_lists.submit([product_id])
        return [bc.variant_from_bc(i) for i in items if i.get("option_values")]

    async def list_attributes(self) -> list[StoreAttribute]:
        """No global attributes on BigCommerce: the option names and values used across products."""
        values: dict[str, list[str]] = {}
        async for items in self.iter_pages("v3/catalog/variants"):
            for item in items:
                for value in item.get("option_values") or []:
                    if not isinstance(value, dict):
                        continue
                    labels = values.setdefault(str(value.get("option_display_name") or ""), [])
                    label = str(value.get("label") or "")
                    if label not in labels:
                        labels.append(label)
        return [StoreAttribute(name=n, store_id=None, terms=[StoreTerm(name=lb) for lb in labels])
                for n, labels in values.items() if n]

    async def field_terms(self, key: str) -> list[StoreTerm]:
        """The entries BigCommerce keeps as a list for a core field: its brands (by id, so a rename is one)."""
        if key != "brand":
            return []
        brands = await self.list_all("v3/catalog/brands")
        self._brands.update({b["id"]: str(b.get("name") or "") for b in brands if isinstance(b.get("id"), int)})
        return [StoreTerm(name=str(b.get("name") or ""), store_id=b["id"]) for b in brands
                if isinstance(b.get("id"), int) and b.get("name")]

    async def list_tags(self) -> list[str]:
        return []  # no tags on BigCommerce; tags are written as search keywords

    # -- product writes --------------------------------------------------------------------------
    async def upsert_products(self, products: list[StoreProduct]) -> BatchResult:
        """Creates one per call (no batch create) with their variants, images and custom fields inline;
        updates in batches of 10. The answers of both hold no sub-resources (store-apis, Corrections): the
        ids of the images and variants a write carried are read back, one listing per 50 products."""
        creates = [p for p in products if not p.store_id]
        updates = [p for p in products if p.store_id]
        result = BatchResult()
        created, updated = await asyncio.gather(
            asyncio.gather(*(self._create_product(p) for p in creates)),
            self._update_products(updates),
        )
        result.created = list(created)
        result.updated = updated
        carried = {p.sku or p.name for p in creates if p.images} | {p.sku or f"#{p.store_id}" for p in updates if p.images}
        with_variants = {p.sku or p.name: p for p in creates if p.variants}
        await self._read_back([*result.created, *result.updated], carried, with_variants)
        return result

    async def _read_back(self, results: list[ItemResult], carried: set[str],
                         with_variants: dict[str, StoreProduct] | None = None) -> None:
        """The ids of what writes that carried images or variants saved (one listing per 50 products), so the
        pictures the store made of UnoPim's are known as such (never pushed back as the merchant's) and the
        variants created inline get their links."""
        with_variants = with_variants or {}
        wanted = [r for r in results if r.ok and r.store_id and ((r.key in carried and not r.image_ids)
                                                                 or (r.key in with_variants and not r.variants))]
        found: dict[int, dict[str, Any]] = {}
        include = "images,variants" if any(r.key in with_variants for r in wanted) else "images"

        async def read(group: list[int]) -> None:
            params = {"id:in": ",".join(map(str, group)), "include": include}
            async for items in self.iter_pages("v3/catalog/products", params):
                for item in items:
                    if isinstance(item.get("id"), int):
                        found[item["id"]] = item

        await asyncio.gather(*(read(g) for g in bc.chunks([r.store_id for r in wanted if r.store_id],
                                                        SKUS_PER_LOOKUP)))
        for r in wanted:
            item = found.get(r.store_id or 0) or {}
            if r.key in carried:
                r.image_ids = bc.image_ids(item)
            if r.key in with_variants:
                made = {str(v.get("sku") or "").lower(): v for v in item.get("variants") or []
                        if isinstance(v, dict) and v.get("option_values")}
                r.variants = [bc.saved(v.sku, made[v.sku.lower()]) for v in with_variants[r.key].variants
                              if v.sku.lower() in made]

    async def _create_product(self, product: StoreProduct) -> ItemResult:
        """One POST with the product's variants, images and custom fields. A name another product holds is
        saved with the clash suffix (`fields.suffixed`); an image the store could not fetch, or variants it
        refused, are left out of a second try (the images are retried on a later run; the variants are then
        created one by one, each with its own error)."""
        key = product.sku or product.name
        holder = self.names.setdefault(product.name.lower(), product.sku)  # claimed before it is sent: a create
        taken = holder.lower() != product.sku.lower()  # of the same name in flight at once takes the suffix
        body = bc.product_to_bc(product, creating=True, name_taken=taken)
        notes: list[str] = [_renamed(product)] if taken else []
        image_error = ""
        while True:
            try:
                # After a lost answer the product is looked up by SKU (or name) before it is sent again.
                response = await self.send("POST", "v3/catalog/products", json_body=body,
                                           reconcile=lost_answers.product_create(self, body))
                break
            except FATAL:
                raise
            except (Conflict, Validation) as exc:
                text = bc.error_text(exc.body, exc.message)
                if isinstance(exc, Conflict) and is_duplicate_name(text) and body["name"] == product.name:
                    body["name"] = suffixed(product.name, product.sku)
                    notes.append(_renamed(product))
                    continue
                if (body.get("images") or _variant_images(body)) and bc.image_refused(exc.body, exc.message):
                    image_error = text  # refused (not saved) for an image it could not fetch
                    body.pop("images", None)
                    for variant in body.get("variants") or []:
                        variant.pop("image_url", None)
                    continue
                if body.get("variants"):
                    notes.append(f"Its variants were refused with it ({text}); it was created without them.")
                    body.pop("variants")
                    continue
                if isinstance(exc, Conflict):
                    return await self._duplicate(key, product, exc)
                return failed_item(key, exc)
            except ApiError as exc:
                return failed_item(key, exc)
        answer = json_answer(response)
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            return ItemResult(key=key, error="The store's answer has no product", status=response.status_code)
        if response.status_code == 207:
            notes.append(bc.error_text(answer.get("errors")))
        if body["name"] != product.name and isinstance(data.get("id"), int):
            self.suffixed.add(data["id"])
        result = bc.saved(key, data, note=" ".join(n for n in notes if n))
        result.image_error = image_error
        return result

    async def _duplicate(self, key: str, product: StoreProduct, exc: ApiError) -> ItemResult:
        """A 409 on create: say which product holds the SKU (BigCommerce does not) so it can be adopted."""
        text = bc.error_text(exc.body, exc.message)
        if is_duplicate_name(text):
            return ItemResult(key=key, error=text, error_code="duplicate_name", status=409)
        if product.sku:
            holder = (await self.find_products_by_sku([product.sku])).get(product.sku)
            if holder is not None and holder.type == "variation":
                return ItemResult(key=key, error=f"{text}: SKU {product.sku} belongs to a variant of product "
                                  f"#{holder.parent_store_id}", error_code="duplicate_sku", status=409)
            if holder is not None:
                return ItemResult(key=key, store_id=holder.store_id, error=text, error_code="duplicate_sku",
                                  status=409)
        return ItemResult(key=key, error=text, error_code="conflict", status=409)

    async def _custom_field_ids(self, ids: list[int]) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}

        async def fetch(group: list[int]) -> None:
            params = {"id:in": ",".join(map(str, group)), "include": "custom_fields"}
            async for items in self.iter_pages("v3/catalog/products", params):
                for item in items:
                    if isinstance(item.get("id"), int):
                        out[item["id"]] = bc.custom_field_ids(item)

        await asyncio.gather(*(fetch(g) for g in bc.chunks(ids, SKUS_PER_LOOKUP)))
        return out

    async def _update_products(self, products: list[StoreProduct]) -> list[ItemResult]:
        """Batches of 10; a product whose name another product holds keeps (or gets) the clash suffix."""
        with_meta = [p.store_id for p in products if p.meta and p.store_id]
        field_ids = await self._custom_field_ids(with_meta) if with_meta else {}

        def body(p: StoreProduct, taken: bool) -> dict[str, Any]:
            return bc.product_to_bc(p, creating=False, custom_field_ids=field_ids.get(p.store_id), name_taken=taken)

        items = [(p.sku or f"#{p.store_id}", body(p, p.store_id in self.suffixed)) for p in products]
        results = await self.batch_put("v3/catalog/products", items, PRODUCT_BATCH,
                                       single=lambda b: f"v3/catalog/products/{b['id']}")
        by_key = {p.sku or f"#{p.store_id}": p for p in products}
        for i, r in enumerate(results):
            p = by_key.get(r.key)
            if p is None or r.ok or not is_duplicate_name(r.error) or p.store_id in self.suffixed:
                continue
            retry = await self._put_one(f"v3/catalog/products/{p.store_id}", r.key, body(p, True), "")
            if retry.ok:
                self.suffixed.add(p.store_id or 0)
                retry.note = _renamed(p)
            results[i] = retry
        return results

    async def delete_products(self, store_ids: list[int], *, force: bool) -> BatchResult:
        if not force:
            items = [(str(sid), {"id": sid, "is_visible": False}) for sid in store_ids]
            hidden = await self.batch_put("v3/catalog/products", items, PRODUCT_BATCH,
                                          single=lambda body: f"v3/catalog/products/{body['id']}", note=HIDDEN_NOTE)
            return BatchResult(deleted=hidden)

        async def delete(group: list[int]) -> list[ItemResult]:
            try:
                await self.send("DELETE", "v3/catalog/products", params={"id:in": ",".join(map(str, group))})
            except FATAL:
                raise
            except ApiError as exc:
                return [failed_item(str(sid), exc, sid) for sid in group]
            return [ItemResult(key=str(sid), store_id=sid, note="Deleted permanently.") for sid in group]

        parts = await asyncio.gather(*(delete(g) for g in bc.chunks(store_ids, DELETE_BATCH)))
        return BatchResult(deleted=[r for part in parts for r in part])

    async def upsert_variants(
        self, product_id: int, variants: list[StoreVariant], *, attribute_ids: dict[str, int] | None = None
    ) -> BatchResult:
        # BigCommerce options live on the product; `attribute_ids` (WooCommerce global ids) do not apply.
        # One product's variants at a time: a pull writes them page by page, and a product whose variants
        # straddle two pages would have both create its options ("display name is a duplicate").
        async with self.variant_locks.setdefault(product_id, asyncio.Lock()):
            return await upsert_variants(self, product_id, variants)

    async def set_product_images(self, items: list[tuple[str, int, list[StoreImage]]], *,
                                 bare: Collection[str] = ()) -> BatchResult:
        """Make each product's pictures UnoPim's list (`images`: BigCommerce adds every image it is sent)."""
        current = await lost_answers.product_images(self, [pid for key, pid, _imgs in items if key not in bare])
        plans = {key: images.plan_images(imgs, current.get(pid, [])) for key, pid, imgs in items}
        tidied = await asyncio.gather(*(images.tidy(self, key, pid, plans[key]) for key, pid, _imgs in items
                                        if plans[key].drop or plans[key].fix))
        failed = {r.key: r for r in tidied if r is not None}
        ready = [(key, pid) for key, pid, _imgs in items if key not in failed]
        payloads = [(key, {"id": pid, "images": plans[key].add}) for key, pid in ready if plans[key].add]
        updated = await self.batch_put("v3/catalog/products", payloads, PRODUCT_BATCH,
                                       single=lambda body: f"v3/catalog/products/{body['id']}") if payloads else []
        sent = {key for key, _body in payloads}
        await self._read_back(updated, sent)
        # Nothing to add: the kept images are the list (their ids, thumbnail first, for the push's records).
        settled = [ItemResult(key=key, store_id=pid, image_ids=plans[key].kept) for key, pid in ready
                   if key not in sent]
        return BatchResult(updated=[*updated, *settled, *failed.values()])

    async def set_variant_images(self, product_id: int, items: list[tuple[str, int, StoreImage]]) -> BatchResult:
        payloads = [(key, {"id": vid, "image_url": img.src}, product_id) for key, vid, img in items if img.src]
        return BatchResult(updated=await self.variant_updates.submit(payloads))

    async def set_associations(self, items: list[tuple[str, int, list[int], list[int]]]) -> BatchResult:
        """BigCommerce has one related-products list: upsells first, then cross-sells."""
        payloads = [(key, {"id": pid, "related_products": list(dict.fromkeys([*ups, *cross]))})
                    for key, pid, ups, cross in items]
        return BatchResult(updated=await self.batch_put(
            "v3/catalog/products", payloads, PRODUCT_BATCH, single=lambda body: f"v3/catalog/products/{body['id']}"))

    async def upsert_categories(self, categories: list[StoreCategory]) -> BatchResult:
        return await upsert_categories(self, categories)

    async def upsert_attributes(self, attributes: list[StoreAttribute]) -> BatchResult:
        """Nothing to write: BigCommerce options live on each product and are made with its variants."""
        note = "BigCommerce has no global attributes; this option is created on each product with its variants."
        return BatchResult(updated=[ItemResult(key=a.name, note=note) for a in attributes])


def _renamed(product: StoreProduct) -> str:
    return (f"Another product in BigCommerce is named “{product.name}” and names are unique there: it was saved as "
            f"“{suffixed(product.name, product.sku)}”.")


def _variant_images(body: dict[str, Any]) -> bool:
    return any(v.get("image_url") for v in body.get("variants") or [])
