"""Push steps: products (simple and configurable) with their variants, write-back deletes, images.

Store products are read page by page (`--changed`: modified since the last push, oldest first), in
batches of `batch_size`, several at once. Each is compared with UnoPim's current product; only what
differs is sent (PATCH, or PUT when a list shrinks, since PATCH merges lists by index). A product the
pull wrote and the merchant has not touched since is not compared at all: pushing it back could undo
an edit made in UnoPim after that pull.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Any

from unopim_desktop.clients.errors import ApiError, NotFound
from unopim_desktop.domain import StoreProduct, StoreVariant
from unopim_desktop.state.sync_repo import LinkRow, LinkWrite
from unopim_desktop.sync.changes import content_hash
from unopim_desktop.sync.push import FATAL, in_cooldown_reason
from unopim_desktop.sync.reverse import (
    Fragment,
    Unmappable,
    apply_fragment,
    attribute_code_of,
    product_fragment,
    shrinks_a_list,
    variant_axes,
    variant_fragment,
)
from unopim_desktop.sync.transform import product_to_store, variant_to_store

if TYPE_CHECKING:
    from unopim_desktop.sync.push import PushJob


class ProductPush:
    def __init__(self, job: PushJob) -> None:
        self.job = job
        self.run = job.run
        self.client = job.client
        self.seen_ids: set[int] = set()
        self.complete_listing = False
        # UnoPim's products listed up front on a Push All: (simple incl. variants, configurable) by SKU.
        self.cache: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]] | None = None

    @property
    def m(self):  # type: ignore[no-untyped-def]
        return self.job.m

    # -- listing -----------------------------------------------------------------------------------
    async def step_products(self) -> None:
        if not self._mapping_has_values():
            self.run.log("Products not pushed: the mapping produced no values. Map at least one field on the "
                         "Core Fields or Attribute Mapping tab for this channel and locale.", entity_kind="product")
            return
        since = await self.job.since()
        if since is None:
            await self._prefetch()
        sem = asyncio.Semaphore(self.job.options.in_flight)

        async def one(product: StoreProduct) -> list[LinkWrite]:
            async with sem:
                return await self._guarded(product)

        async for page in self.job.adapter.iter_products(modified_after=since,
                                                         page_size=self.job.options.batch_size):
            self.run.cancel.check()
            parts = await asyncio.gather(*(one(p) for p in page))
            await self.job.commit([w for part in parts for w in part])
            self.run.advance("products", len(page))
            await self.run.flush_logs()
        self.complete_listing = since is None

    async def step_variants(self) -> None:
        pass  # pushed with their configurable product (see `_variants`); progress already reported

    def _mapping_has_values(self) -> bool:
        core = {k: v for k, v in self.m.view.core.items() if v and k != "sku"}
        return bool(core) or any(r.attribute_code for r in self.m.view.rows)

    async def _guarded(self, product: StoreProduct) -> list[LinkWrite]:
        try:
            return await self._product(product)
        except ApiError as exc:
            if isinstance(exc, FATAL):
                raise
            self.job.item_failed("product", product.sku or f"#{product.store_id}", exc)
            return []

    # -- one product -------------------------------------------------------------------------------
    async def _product(self, product: StoreProduct) -> list[LinkWrite]:
        job = self.job
        if product.store_id is not None:
            self.seen_ids.add(product.store_id)
        sku = product.sku
        if not sku:
            job.skipped("product", f"#{product.store_id}", "it has no SKU; UnoPim identifies products by SKU")
            return []
        link = job.link("product", sku)
        reason = in_cooldown_reason(link.pulled_at if link else None, job.debounce_s)
        if reason:
            job.skipped("product", sku, reason)
            return []
        variants = await job.adapter.list_variants(product.store_id) if product.type == "variable" else []
        job.images.consider("product", sku, product.store_id, product.images)
        for sv in variants:
            job.images.consider("variant", sv.sku, sv.store_id, [sv.image] if sv.image else [])
        store_hash = content_hash({"product": product, "variants": variants})
        if link and (link.store_hash == store_hash or _untouched_since_pull(link, product, variants, job)):
            self.run.count("product", "unchanged")
            return [] if link.store_hash == store_hash else [LinkWrite("product", sku, link.store_id,
                                                                       store_hash=store_hash)]
        current, configurable = await self._current(sku, variable=product.type == "variable")
        family = (current or {}).get("family") or job.default_family
        if not family:
            job.skipped("product", sku, "missing family: the product has no family and no Default family is set "
                        "(Core Fields tab)")
            return []
        axes = list((current or {}).get("super_attributes") or []) if configurable else []
        if current is None and product.type == "variable":
            axes = self._new_axes(product)
        frag = product_fragment(product, current, self.m, axes=axes)
        self._problems("product", sku, frag)
        writes: list[LinkWrite] = []
        if current is None:
            if not frag.values and not any(pav.variation for pav in product.attributes):
                job.skipped("product", sku, "the mapping produced no values for it")
                return []
            new_item = await self._create(product, frag, family, axes)
            if new_item is None:
                return []
        else:
            new_item = await self._update(sku, current, frag, family, configurable)
            if new_item is None:
                return []
        if product.store_id is not None:
            self.m.view.product_ids[sku] = product.store_id
            self.m.product_skus[product.store_id] = sku
            wrote = new_item is not current
            writes.append(LinkWrite("product", sku, product.store_id, store_hash=store_hash,
                                    content_hash=self._pull_hash(new_item, axes) if wrote else None,
                                    pushed=wrote and not job.options.dry_run))
        if product.type == "variable" and axes:
            writes += await self._variants(sku, new_item, family, axes, variants)
        return writes

    def _problems(self, kind: str, sku: str, frag: Fragment) -> None:
        for problem in frag.problems:
            self.run.log(f"{kind.capitalize()} {sku}: {problem}; that value is not pushed.", level="warning",
                         entity_kind=kind, entity=sku)

    async def _prefetch(self) -> None:
        """Push All compares every store product with UnoPim: list UnoPim's products once (100 a page)
        instead of one GET per product."""
        simple: dict[str, dict[str, Any]] = {}
        configurable: dict[str, dict[str, Any]] = {}
        for path, target in (("/products", simple), (self.job.configurable_path, configurable)):
            async for page in self.client.iter_pages(path):
                for item in page:
                    sku = str(((item.get("values") or {}).get("common") or {}).get("sku") or item.get("sku") or "")
                    target[sku] = item
        self.cache = (simple, configurable)

    async def _current(self, sku: str, *, variable: bool) -> tuple[dict[str, Any] | None, bool]:
        """UnoPim's product (and whether it is configurable), trying the likelier route first."""
        if self.cache is not None:
            simple, configurable = self.cache
            if sku in configurable:
                return configurable[sku], True
            return simple.get(sku), False if sku in simple else variable
        conf = self.job.configurable_path
        order = [(conf, True), (None, False)] if variable else [(None, False), (conf, True)]
        for path, is_conf in order:
            item = await self.client.get_product(sku, configurable_path=path)
            if item is not None:
                return item, is_conf
        return None, variable

    def _new_axes(self, product: StoreProduct) -> list[str]:
        axes = []
        for pav in product.attributes:
            if pav.variation:
                code = self.m.attribute_code_for(pav.name) or attribute_code_of(pav.name)
                attr = self.m.view.attributes.get(code)
                if attr is not None and attr.type == "select" and attr.scope == "common":
                    axes.append(code)
        return axes

    def _pull_hash(self, item: dict[str, Any], axes: list[str]) -> str:
        """The content hash the next pull will compute for this product, so that it sees no change."""
        configurable = item.get("type") == "configurable"
        used: dict[str, list[str]] = {a: [] for a in axes}
        for v in item.get("variants") or []:
            for a, opt in (v.get("attributes") or {}).items():
                if a in used and opt not in used[a]:
                    used[a].append(opt)
        product = product_to_store(item, self.m.view, axes=axes if configurable else None,
                                   axis_options=used if configurable else None)
        if configurable and not axes:
            product.type = "simple"
        product.images, product.upsell_ids, product.cross_sell_ids = [], [], []
        return content_hash(product)

    # -- writes ------------------------------------------------------------------------------------
    async def _create(self, product: StoreProduct, frag: Fragment, family: str,
                      axes: list[str]) -> dict[str, Any] | None:
        job, sku = self.job, product.sku
        values = apply_fragment({"common": {"sku": sku}}, frag.values)[0]
        status = frag.status if frag.status is not None else product.status == "publish"
        configurable = product.type == "variable" and bool(axes)
        body: dict[str, Any] = {"status": status, "family": family, "values": values}
        if configurable:
            body["super_attributes"] = axes
        else:
            body["parent"] = None  # 3.x reads the key unguarded: leaving it out is a 500 (§7.9)
        if product.type == "variable" and not axes:
            self.run.log(f"Product {sku}: no variation attribute maps to a UnoPim select attribute; it is pushed "
                         "as a simple product without variants.", level="warning", entity_kind="product", entity=sku)
        kind = "configurable product" if configurable else "product"
        if job.options.dry_run:
            self.run.log(f"dry-run: would create {kind} {sku} in family {family} ({', '.join(frag.fields) or 'SKU'})",
                         entity_kind="product", entity=sku)
            self.run.count("product", "created")
            return {"sku": sku, "family": family, "status": status, "values": values,
                    "type": "configurable" if configurable else "simple", "super_attributes": axes, "variants": []}
        await self.client.create_product(body, configurable_path=job.configurable_path if configurable else None)
        self.run.count("product", "created")
        self.run.log(f"Created {kind} {sku} in UnoPim ({', '.join(frag.fields) or 'SKU'}).", entity_kind="product",
                     entity=sku)
        return {"sku": sku, "family": family, "status": status, "values": values,
                "type": "configurable" if configurable else "simple", "super_attributes": axes, "variants": []}

    async def _update(self, sku: str, current: dict[str, Any], frag: Fragment, family: str, configurable: bool,
                      kind: str = "product") -> dict[str, Any] | None:
        """The product as UnoPim holds it after the write (`current` itself when nothing changed)."""
        job = self.job
        merged, changed = apply_fragment(current.get("values") or {}, frag.values)
        status_changed = frag.status is not None and frag.status != bool(current.get("status"))
        if not changed and not status_changed:
            self.run.count(kind, "unchanged")
            return current
        fields = ", ".join(frag.fields)
        if job.options.dry_run:
            self.run.log(f"dry-run: would update {kind} {sku} ({fields})", entity_kind=kind, entity=sku)
            self.run.count(kind, "updated")
            return {**current, "values": merged}
        path = job.configurable_path if configurable else None
        body: dict[str, Any] = {}
        if status_changed:
            body["status"] = frag.status
        if shrinks_a_list(current.get("values"), merged):
            body.update(family=family, values=merged)
            await self.client.update_product(sku, body, partial=False, configurable_path=path)
        else:
            if changed:
                body["values"] = frag.values
            await self.client.update_product(sku, body, partial=True, configurable_path=path)
        self.run.count(kind, "updated")
        self.run.log(f"Updated {kind} {sku} in UnoPim: {fields}.", entity_kind=kind, entity=sku)
        new = {**current, "values": merged}
        if status_changed:
            new["status"] = frag.status
        return new

    # -- variants ----------------------------------------------------------------------------------
    async def _variants(self, parent_sku: str, parent: dict[str, Any], family: str, axes: list[str],
                        variants: list[StoreVariant]) -> list[LinkWrite]:
        writes: list[LinkWrite] = []
        for sv in variants:
            try:
                writes += await self._variant(parent_sku, family, axes, sv)
            except ApiError as exc:
                if isinstance(exc, FATAL):
                    raise
                self.job.item_failed("variant", sv.sku or f"#{sv.store_id}", exc)
        self.run.advance("variants", len(variants))
        return writes

    async def _variant(self, parent_sku: str, family: str, axes: list[str], sv: StoreVariant) -> list[LinkWrite]:
        job = self.job
        if not sv.sku:
            job.skipped("variant", f"#{sv.store_id}", "it has no SKU; UnoPim identifies variants by SKU")
            return []
        link = job.link("variant", sv.sku)
        reason = in_cooldown_reason(link.pulled_at if link else None, job.debounce_s)
        if reason:
            job.skipped("variant", sv.sku, reason)
            return []
        h = content_hash(sv)
        if link and (link.store_hash == h or _untouched_since_pull(link, sv, [], job)):
            self.run.count("variant", "unchanged")
            return [] if link.store_hash == h else [LinkWrite("variant", sv.sku, link.store_id, store_hash=h)]
        current = self.cache[0].get(sv.sku) if self.cache is not None else await self.client.get_product(sv.sku)
        frag = variant_fragment(sv, current, axes, self.m)
        self._problems("variant", sv.sku, frag)
        if current is None:
            new = await self._create_variant(parent_sku, family, axes, sv, frag)
        else:
            new = await self._update(sv.sku, current, frag, current.get("family") or family, False, kind="variant")
        if new is None or sv.store_id is None:
            return []
        wrote = new is not current
        pull_hash = None
        if wrote:  # the hash the next pull computes (image left out, as the pull does)
            probe = variant_to_store(new, axes, self.m.view)
            probe.image = None
            pull_hash = content_hash(probe)
        return [LinkWrite("variant", sv.sku, sv.store_id, parent_code=parent_sku, store_hash=h, content_hash=pull_hash,
                          pushed=wrote and not job.options.dry_run)]

    async def _create_variant(self, parent_sku: str, family: str, axes: list[str], sv: StoreVariant,
                              frag: Fragment) -> dict[str, Any] | None:
        job = self.job
        try:
            combo = variant_axes(sv, axes, self.m)
        except Unmappable as exc:
            job.skipped("variant", sv.sku, f"{exc}; it cannot become a variant of {parent_sku}")
            return None
        values = apply_fragment({"common": {"sku": sv.sku, **combo}}, frag.values)[0]
        status = frag.status if frag.status is not None else sv.status == "publish"
        body = {"parent": parent_sku, "family": family, "status": status, "values": values,
                "variant": {"attributes": combo}}
        if job.options.dry_run:
            self.run.log(f"dry-run: would create variant {sv.sku} of {parent_sku} "
                         f"({', '.join(f'{k}={v}' for k, v in combo.items())})", entity_kind="variant", entity=sv.sku)
            self.run.count("variant", "created")
            return {"sku": sv.sku, "parent": parent_sku, "values": values, "status": status}
        await self.client.create_product(body)
        self.run.count("variant", "created")
        return {"sku": sv.sku, "parent": parent_sku, "values": values, "status": status, "family": family}

    # -- deletes -----------------------------------------------------------------------------------
    async def step_deletes(self) -> None:
        """Products gone from a complete store listing: trashed (intent only) or deleted permanently
        (deleted in UnoPim when Write-back deletes is on)."""
        job = self.job
        if not self.complete_listing or job.options.changed:
            return
        gone = [(code, link) for (kind, code), link in job.links.items()
                if kind == "product" and link.store_id not in self.seen_ids]
        deletes: list[tuple[str, str]] = []
        for code, link in gone:
            self.run.cancel.check()
            found = await job.adapter.get_product(link.store_id)
            if found is not None and found.status != "trash":
                continue  # not listed for another reason (e.g. a status the listing leaves out)
            if found is not None:
                self.run.log(f"Product {code} is in the store's trash: the intent is recorded, nothing is deleted "
                             "in UnoPim until it is deleted permanently.", entity_kind="product", entity=code)
                self.run.count("product", "skipped")
                continue
            if not job.options.writeback_delete:
                job.skipped("product", code, "deleted in the store; UnoPim keeps it (Write-back deletes is off in "
                            "General Settings)")
                continue
            if job.options.dry_run:
                self.run.log(f"dry-run: would delete product {code} in UnoPim (deleted permanently in the store)",
                             entity_kind="product", entity=code)
                self.run.count("product", "updated")
                continue
            if await self._delete(code):
                deletes.append(("product", code))
                deletes += [("variant", c) for (k, c), lk in job.links.items() if k == "variant" and lk.parent_code == code]
        await job.commit([], deletes=deletes)
        self.run.advance("deletes", len(gone))

    async def _delete(self, sku: str) -> bool:
        for path in (None, self.job.configurable_path):
            try:
                await self.client.delete_product(sku, configurable_path=path)
            except NotFound:
                continue
            except ApiError as exc:
                self.job.item_failed("product", sku, exc, " (delete)")
                return False
            self.run.count("product", "updated")
            self.run.log(f"Product {sku} deleted in UnoPim: it was deleted permanently in the store.",
                         entity_kind="product", entity=sku)
            return True
        self.run.log(f"Product {sku} was already gone from UnoPim.", entity_kind="product", entity=sku)
        return True

    async def step_images(self) -> None:
        await self.job.images.step_images()


def _untouched_since_pull(link: LinkRow, product: StoreProduct | StoreVariant, variants: list[StoreVariant],
                          job: PushJob) -> bool:
    """The pull wrote this record and the store has not modified it since: the store says what UnoPim
    said then, so pushing it could only undo a later edit made in UnoPim."""
    if link.pulled_at is None or (link.pushed_at is not None and link.pushed_at > link.pulled_at):
        return False
    stamps = [_store_time(product.date_modified_gmt), *(_store_time(v.date_modified_gmt) for v in variants)]
    # Store stamps are whole seconds: an edit in the second of the pull's write looks no later than it,
    # so only a stamp from an earlier second proves the record untouched (else: compare, to be safe).
    last_pull = link.pulled_at.replace(microsecond=0)
    return all(s is not None and s < last_pull for s in stamps)


def _store_time(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)
    except ValueError:
        return None
