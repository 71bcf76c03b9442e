"""Push steps: products (simple and configurable) with their variants, and their images.

Store products are read page by page in id order (`--changed`: modified since the last push), in
batches of `batch_size`, several at once. Each is compared with UnoPim's current product; only what
differs is sent (PATCH, or PUT when a list shrinks, since PATCH merges lists by index). A product the
pull wrote and the merchant has not touched since is not compared at all: pushing it back could undo
an edit made in UnoPim after that pull.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.domain import StoreProduct, StoreVariant
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import association_hash, content_hash, value_changes
from unopim_desktop.sync.job import FATAL, JobPart
from unopim_desktop.sync.push.fields import PushFields
from unopim_desktop.sync.push.gates import in_cooldown_reason, untouched_since_pull
from unopim_desktop.sync.push.variants import VariantPush
from unopim_desktop.sync.transform.to_store import product_to_store
from unopim_desktop.sync.transform.to_unopim import (
    Fragment,
    apply_fragment,
    attribute_code_of,
    product_fragment,
    shrinks_a_list,
)
from unopim_desktop.sync.transform.values import grouped_variants, item_sku

if TYPE_CHECKING:
    from unopim_desktop.sync.push.job import PushJob

# A configurable product's variants still to push once the parent is written: parent SKU, family, axes, the
# variants, and the parent's values after its write where variants inherit them (3.x; else None).
VariantWork = tuple[str, str, list[str], list[StoreVariant], dict[str, Any] | None]


class ProductPush(JobPart):
    job: PushJob

    def __init__(self, job: PushJob) -> None:
        super().__init__(job)
        self.variants = VariantPush(job, self)
        self.fields = PushFields(job)  # what the store changed since the last sync, field by field
        self.seen_ids: set[int] = set()
        self.variant_ids: set[int] = set()  # variations listed under a parent of this run
        self.listed_parents: set[str] = set()  # parents whose variations were all listed
        self.complete_listing = False
        self.sem = asyncio.Semaphore(job.options.in_flight)
        self._prefetching: asyncio.Task[None] | None = None
        # UnoPim's products listed up front on a Push All: (simple incl. variants, configurable) by SKU,
        # each as compact JSON text (a few times smaller than the parsed dicts), taken out when used.
        self.cache: tuple[dict[str, str], dict[str, str]] | None = None
        # Products whose upsells or cross-sells name store products not yet in UnoPim when they were
        # pushed (listed later in the run): pushed again once the listing is done (`_resolve_deferred`).
        self.deferred: list[tuple[StoreProduct, list[StoreVariant]]] = []
        self.resolving = False

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
        await self.fields.prepare()
        # The whole listing's total before its first page (the store's list answer says); when that read
        # fails, the bar counts and the listing itself will say what is wrong.
        with contextlib.suppress(ApiError):
            self.run.step_total("products", len(self.job.options.only) if self.job.options.only
                                else await self.job.adapter.count_products(modified_after=since))
        self.run.step_total("variants", 0)
        if self._prefetching is not None:
            # Push All compares every product with UnoPim: list UnoPim's once. A reconciliation compares
            # store hashes first, so it reads only the few products whose store side changed.
            await self._prefetching
        self.job.images.start()

        async def one_page(page: list[StoreProduct]) -> None:
            parts = await asyncio.gather(*(self._guarded(p) for p in page))
            await self.job.commit([w for part in parts for w in part])
            self.run.advance("products", len(page))
            await self.run.flush_logs()

        # Two pages at a time: the next page is listed, and its products start, while the slowest
        # products of the previous one finish (the semaphore, not the page, bounds what is in flight).
        pending: set[asyncio.Task[None]] = set()
        try:
            async for page in self._listing(since):
                self.run.cancel.check()
                pending.add(asyncio.create_task(one_page(page)))
                while len(pending) >= 2:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        task.result()
            await asyncio.gather(*pending)
        except BaseException:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            raise
        await self._resolve_deferred()
        await self.fields.finish()
        self.complete_listing = since is None and not self.job.options.only

    async def _listing(self, since: dt.datetime | None):  # type: ignore[no-untyped-def]
        """Pages of store products: those modified since `since` (all when None), or only the products
        asked for (a variant's code stands for its parent)."""
        only = self.job.options.only
        if not only:
            async for page in self.job.adapter.iter_products(modified_after=since,
                                                             page_size=self.job.options.batch_size):
                yield page
            return
        skus = []
        for code in only:
            link = self.job.link("variant", code)
            skus.append(link.parent_code if link is not None and link.parent_code else code)
        found = await self.job.adapter.find_products_by_sku(list(dict.fromkeys(skus)))
        page = [p for p in found.values() if p.type != "variation" and p.parent_store_id is None]
        if page:
            yield page

    async def _resolve_deferred(self) -> None:
        """Associations first pushed without the products they name, now that those are in UnoPim. Their
        store hash was not recorded, so a run stopped before this pass compares them again next time."""
        if not self.deferred:
            return
        deferred, self.deferred = self.deferred, []
        self.resolving = True

        async def one(product: StoreProduct, variants: list[StoreVariant]) -> list[LinkWrite]:
            try:
                async with self.sem:
                    writes, _variants_done = await self._product(product, variants)
            except ApiError as exc:
                if isinstance(exc, FATAL):
                    raise
                self.job.item_failed("product", product.sku, exc, " (associations)")
                return []
            return writes

        parts = await asyncio.gather(*(one(p, v) for p, v in deferred))
        await self.job.commit([w for part in parts for w in part])

    async def step_variants(self) -> None:
        pass  # pushed with their configurable product (see `VariantPush`); progress already reported

    def _mapping_has_values(self) -> bool:
        core = {k: v for k, v in self.m.view.core.items() if v and k != "sku"}
        return bool(core) or any(r.attribute_code for r in self.m.view.rows)

    async def _guarded(self, product: StoreProduct) -> list[LinkWrite]:
        """One product, then its variants side by side (each takes its own in-flight slot). The store's
        variation listing is read before taking a slot, so a slot always means a UnoPim request."""
        try:
            listed = await self._list_variants(product)
            async with self.sem:
                writes, variants = await self._product(product, listed)
        except ApiError as exc:
            if isinstance(exc, FATAL):
                raise
            self.job.item_failed("product", product.sku or f"#{product.store_id}", exc)
            return []
        if variants is not None:
            writes += await self.variants.push(*variants)
        return writes

    # -- one product -------------------------------------------------------------------------------
    async def _list_variants(self, product: StoreProduct) -> list[StoreVariant]:
        if product.type != "variable" or not product.sku or product.store_id is None:
            return []
        link = self.job.link("product", product.sku)
        if in_cooldown_reason(link.pulled_at if link else None, self.job.debounce_s):
            return []  # skipped anyway
        if product.variants:
            return product.variants  # the listing carried them (BigCommerce's include=variants): no second read
        return await self.job.adapter.list_variants(product.store_id)

    async def _product(self, product: StoreProduct,
                       variants: list[StoreVariant]) -> tuple[list[LinkWrite], VariantWork | None]:
        """The product's own write and link, and its variants still to push (after the parent)."""
        job = self.job
        if product.store_id is not None:
            self.seen_ids.add(product.store_id)
        sku = product.sku
        if not sku:
            job.skipped("product", f"#{product.store_id}", "it has no SKU; UnoPim identifies products by SKU")
            return [], None
        link = job.link("product", sku)
        reason = in_cooldown_reason(link.pulled_at if link else None, job.debounce_s)
        if reason:
            job.skipped("product", sku, reason)
            return [], None
        if product.type == "variable" and product.store_id is not None:
            self.listed_parents.add(sku)
            self.variant_ids.update(v.store_id for v in variants if v.store_id is not None)
        # One hash over the parent and its variations: a variation-only edit changes it too (WooCommerce
        # saves the parent with its variation, so `--changed` lists the parent; the reconciliation
        # catches stores that do not).
        store_hash = content_hash({"product": product, "variants": variants})
        if link and (link.store_hash == store_hash or untouched_since_pull(link, product, variants, job)):
            self.run.count("product", "unchanged")
            self._images(product, variants)
            agreed = await self.fields.agreed(product, variants)
            return ([] if link.store_hash == store_hash else [LinkWrite("product", sku, link.store_id,
                                                                        store_hash=store_hash)]) + agreed, None
        current, configurable = await self._current(sku, variable=product.type == "variable")
        if configurable and current is not None and job.features.variants_inherit and grouped_variants(current):
            job.skipped("product", sku, "in UnoPim it has a two-level variant structure (3.x variant groups), which "
                        "UnoPim's REST API does not expose; nothing of it is pushed")
            return [], None
        family = (current or {}).get("family") or job.default_family
        if not family:
            job.skipped("product", sku, "missing family: the product has no family and no Default family is set "
                        "(Core Fields tab)")
            return [], None
        axes = list((current or {}).get("super_attributes") or []) if configurable else []
        if current is None and product.type == "variable":
            axes = self._new_axes(product)
        base_after = None
        if current is not None:
            # Only what the store changed since the last sync: UnoPim's own edits meanwhile are never reverted.
            compared, base_after = await self.fields.effective("product", sku, product, self.shown(current, axes),
                                                               link)
        else:
            compared = product
        associations = self._store_associations(product, current, compared) if link is not None else None
        # Which named products UnoPim does not know yet, taken with the fragment (which leaves them out): a
        # product another task creates while this one's write is under way is still missing from that write.
        unresolved = [i for i in (*product.upsell_ids, *product.cross_sell_ids) if i not in self.m.product_skus]
        frag = product_fragment(compared, current, self.m, axes=axes)
        self.problems("product", sku, frag)
        writes: list[LinkWrite] = []
        if current is None:
            if not frag.values and not any(pav.variation for pav in product.attributes):
                job.skipped("product", sku, "the mapping produced no values for it")
                return [], None
            new_item = await self._create(product, frag, family, axes)
            if new_item is None:
                return [], None
        else:
            new_item = await self.update(sku, current, frag, family, configurable)
            if new_item is None:
                return [], None
        self._images(product, [])
        if product.store_id is not None:
            self.m.view.product_ids[sku] = product.store_id
            self.m.product_skus[product.store_id] = sku
            wrote = new_item is not current
            if unresolved and not self.resolving:
                # It names products this run has not pushed yet: come back to it at the end, and keep the
                # old store hash meanwhile, so that the associations are compared again if the run stops.
                self.deferred.append((product, variants))
                store_hash = link.store_hash if link else ""
            writes.append(LinkWrite("product", sku, product.store_id, store_hash=store_hash,
                                    content_hash=self._pull_hash(new_item, axes) if wrote else None,
                                    pushed=wrote and not job.options.dry_run,
                                    base=None if job.options.dry_run else base_after))
            if associations and not (unresolved and not self.resolving) and not job.options.dry_run:
                writes.append(LinkWrite("association", sku, product.store_id, content_hash=associations))
        if product.type == "variable" and axes:
            inherited = dict(new_item.get("values") or {}) if job.features.variants_inherit else None
            return writes, (sku, family, axes, variants, inherited)
        return writes, None

    def _store_associations(self, product: StoreProduct, current: dict[str, Any] | None,
                            compared: StoreProduct) -> str | None:
        """The store's associations against what both sides last agreed on (the association link): when
        the store did not change them, `compared` carries UnoPim's, so none of UnoPim's own edits are
        reverted; when it did, the hash they will be agreed under once pushed."""
        one = self.job.adapter.one_association_list
        now = association_hash(product.upsell_ids, product.cross_sell_ids, one_list=one)
        agreed = self.job.link("association", product.sku)
        if now != (agreed.content_hash if agreed else association_hash([], [], one_list=one)):
            return now
        if compared is product or current is None:
            return None
        theirs = (current.get("values") or {}).get("associations") or {}
        ids = self.m.view.product_ids
        compared.upsell_ids = [ids[str(s)] for s in theirs.get("up_sells") or [] if str(s) in ids]
        compared.cross_sell_ids = [ids[str(s)] for s in theirs.get("cross_sells") or [] if str(s) in ids]
        return None

    def warn_sku(self, kind: str, sku: str) -> None:
        """UnoPim 1.x validates SKUs as slugs (letters, digits, single hyphens): say why before it refuses."""
        if "_" in sku and self.job.features.may_refuse_underscores:
            self.run.log(f"{kind.capitalize()} {sku}: its SKU has an underscore, which UnoPim 1.x refuses (SKUs of "
                         "letters, digits and hyphens only; 2.0 and later accept underscores). Rename it in the "
                         "store if UnoPim refuses it.", level="warning", entity_kind=kind, entity=sku)

    def _images(self, product: StoreProduct, variants: list[StoreVariant]) -> None:
        """Queue pictures for upload once their product exists in UnoPim."""
        self.job.images.consider("product", product.sku, product.store_id, product.images)
        for sv in variants:
            self.job.images.consider("variant", sv.sku, sv.store_id, [sv.image] if sv.image else [])

    def problems(self, kind: str, sku: str, frag: Fragment) -> None:
        for problem in frag.problems:
            self.run.log(f"{kind.capitalize()} {sku}: {problem}; that value is not pushed.", level="warning",
                         entity_kind=kind, entity=sku)

    def start_prefetch(self) -> None:
        self._prefetching = asyncio.create_task(self._prefetch())

    async def stop_prefetch(self) -> None:
        if self._prefetching is not None:
            self._prefetching.cancel()  # no-op when it finished
            await asyncio.gather(self._prefetching, return_exceptions=True)

    async def _prefetch(self) -> None:
        """Push All compares every store product with UnoPim: list UnoPim's products once (100 a page)
        instead of one GET per product; simple and configurable products side by side.

        Not page by page along the store's listing: UnoPim's `sku IN […]` filter binds only the first
        SKU (unopim-api.md §5), so the only batch read is the full listing; the alternative is one GET
        per product (what a changed push does). Held as JSON text and dropped once used instead."""
        simple: dict[str, str] = {}
        configurable: dict[str, str] = {}

        async def listing(path: str, target: dict[str, str]) -> None:
            async for page in self.client.iter_pages(path):
                for item in page:
                    sku = item_sku(item)
                    target[sku] = json.dumps(item, separators=(",", ":"), ensure_ascii=False)

        await asyncio.gather(listing("/products", simple), listing(self.job.configurable_path, configurable))
        self.cache = (simple, configurable)

    async def _current(self, sku: str, *, variable: bool) -> tuple[dict[str, Any] | None, bool]:
        """UnoPim's product (and whether it is configurable), trying the likelier route first."""
        if self.cache is not None and not self.resolving:  # the deferred pass reads what it wrote itself
            simple, configurable = self.cache
            if sku in configurable:
                return json.loads(configurable.pop(sku)), True
            if sku in simple:
                return json.loads(simple.pop(sku)), False
            return None, variable
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
        return content_hash(self.shown(item, axes))

    def shown(self, item: dict[str, Any], axes: list[str]) -> StoreProduct:
        """A UnoPim product as the pull would write it into the store (images and associations left out)."""
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
        return product

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
        self.warn_sku("product", sku)
        self.run.record_change("product", sku, "create", value_changes(None, values),
                               content_hash({"status": status, "values": values}))
        if job.options.dry_run:
            self.run.log(f"dry-run: would create {kind} {sku} in family {family} ({', '.join(frag.fields) or 'SKU'})",
                         entity_kind="product", entity=sku)
            self.run.count("product", "created")
            return {"sku": sku, "family": family, "status": status, "values": values,
                    "type": "configurable" if configurable else "simple", "super_attributes": axes, "variants": []}
        await self.client.create_product(body, configurable_path=job.configurable_path if configurable else None)
        self.run.count("product", "created")
        self.run.log(f"Created {kind} {sku} in UnoPim ({', '.join(frag.fields) or 'SKU'}).", entity_kind="product",
                     entity=sku, action="created")
        return {"sku": sku, "family": family, "status": status, "values": values,
                "type": "configurable" if configurable else "simple", "super_attributes": axes, "variants": []}

    async def update(self, sku: str, current: dict[str, Any], frag: Fragment, family: str, configurable: bool,
                      kind: str = "product") -> dict[str, Any] | None:
        """The product as UnoPim holds it after the write (`current` itself when nothing changed)."""
        job = self.job
        merged, changed = apply_fragment(current.get("values") or {}, frag.values)
        status_changed = frag.status is not None and frag.status != bool(current.get("status"))
        if not changed and not status_changed:
            self.run.count(kind, "unchanged")
            return current
        fields = ", ".join(frag.fields)
        diff = value_changes(current.get("values") or {}, frag.values)
        if status_changed:
            diff["status"] = (bool(current.get("status")), frag.status)
        self.run.record_change(kind, sku, "update", diff, content_hash({"status": frag.status, "values": frag.values}))
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
        self.run.log(f"Updated {kind} {sku} in UnoPim: {fields}.", entity_kind=kind, entity=sku, action="updated")
        new = {**current, "values": merged}
        if status_changed:
            new["status"] = frag.status
        return new
