"""Pull steps 10–11, 13 and 14: products, variants, tags and images (12, associations: `associations.py`).

Configurable products go first (as variable products), then `/products` is paged once: plain products
and variants (items with a `parent`) are written as they come, page by page, with several pages in
flight. Images are written afterwards by a background worker, so a slow image never holds up a product,
and an image that fails is retried on the next run (its link keeps the old image hash).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from unopim_desktop.domain import StoreImage, StoreProduct
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import (
    content_hash,
    cooldown_reason,
    field_changes,
    image_hash,
)
from unopim_desktop.sync.job import record_store_images
from unopim_desktop.sync.pull.associations import PullAssociations
from unopim_desktop.sync.pull.checks import missing_axes, prices_problem
from unopim_desktop.sync.pull.deletes import apply_deletes
from unopim_desktop.sync.pull.fields import PullFields
from unopim_desktop.sync.pull.images import ImageTransfer, answers_by_key
from unopim_desktop.sync.pull.inline import InlineCreates
from unopim_desktop.sync.pull.listing import ProductListing
from unopim_desktop.sync.pull.translations import PullTranslations
from unopim_desktop.sync.transform.to_store import product_to_store, variant_to_store
from unopim_desktop.sync.transform.values import item_sku

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob

class ProductSteps:
    def __init__(self, job: PullJob) -> None:
        self.job = job
        self.run = job.run
        self.done_pages: set[int] = set()
        self.images = ImageTransfer(job)
        self.created: set[str] = set()  # products created (not adopted) in this run
        # Products this run created in the store (no link before): their variations are new too, whatever
        # variant links say (a product deleted and returned must get every variation back).
        self.fresh: set[str] = set()
        self.adopted = 0  # existing store products found by SKU and taken over (overwritten)
        self.fields = PullFields(job)  # what UnoPim changed since the last sync, field by field
        self.inline = InlineCreates(self)  # new products created with their images and variants in one call
        self.translations = PullTranslations(job)  # the links of the store's own translated objects
        self.store_was_empty = False  # nothing to adopt: every SKU look-up can be skipped
        self.listing = ProductListing(job)  # which products a run reads: all, what changed, or the ones asked for
        self.associations = PullAssociations(job, self.images)

    # -- 10-11: products and variants -------------------------------------------------------------------
    async def step_products(self) -> None:
        # An interrupted run may have created products it did not get to link: such a store is not
        # empty, and the next run looks their SKUs up and adopts them.
        await self.fields.prepare()
        self.store_was_empty = not await self.job.adapter.has_products()
        if self.store_was_empty:
            self.run.log("The store has no products yet: no SKU look-ups before creating.")
        elif not any(kind == "product" for kind, _ in self.job.links):
            self.run.log(f"“{self.job.label}” already holds products this app has not linked: those with the SKU of "
                         "a UnoPim product are adopted and overwritten with UnoPim's values.", level="warning")
        self.images.start()
        # Configurable parents first: their variants need them.
        for items in self.job.state.changed_configurables or []:  # a delta read them in the attributes step
            await self._write_products(items, configurable=True)
            self.run.advance("products", len(items))
        if self.job.state.changed_configurables is None:
            async for _n, items in self.listing.pages(self.job.configurable_path):
                await self._write_products(items, configurable=True)
                self.run.advance("products", len(items))
        sem = asyncio.Semaphore(self.job.options.in_flight)
        tasks: list[asyncio.Task[None]] = []
        try:
            # A resumed run reads every page again: what an interrupted run wrote compares as unchanged (no
            # write), and each product's images and associations, lost with the killed run's queue, are
            # completed. Skipping the pages done before would leave them missing for good.
            async for n, items in self.listing.pages("/products"):
                await sem.acquire()
                task = asyncio.ensure_future(self._page(n, items))
                task.add_done_callback(lambda _t: sem.release())
                tasks.append(task)
                for t in [t for t in tasks if t.done()]:
                    t.result()  # surface a failed page at once
                    tasks.remove(t)
        finally:
            # On a cancel or an error, let the pages already sent finish and commit their links, so the
            # store and the link table agree before the run stops.
            await asyncio.gather(*tasks, return_exceptions=True)
        for t in tasks:
            t.result()
        await self._variants_of_changed_parents()
        await self.job.commit(await self.inline.flush(everything=True))  # those whose variants never all came
        await apply_deletes(self.job)
        await self.fields.finish()
        if self.adopted:
            would = "would be" if self.job.options.dry_run else "were"
            self.run.log(f"{self.adopted} store product(s) that were not linked {would} adopted by SKU and "
                         "overwritten with UnoPim's values.", level="warning")

    async def step_variants(self) -> None:
        pass  # written page by page with their products (see `_page`); progress already reported

    async def _variants_of_changed_parents(self) -> None:
        """3.x delta: a changed configurable product changes what its variants show (they inherit), though
        their own `updated_at` stays: re-read them; unchanged ones cost a hash comparison, not a write."""
        assert self.job.parents is not None
        for items in await self.job.parents.variants_of_changed():
            fresh = [i for i in items if item_sku(i) not in self.job.state.seen_products]
            await self.job.commit(await self._write_variants(fresh))
            self.run.advance("variants", len(fresh))

    async def _page(self, n: int, items: list[dict[str, Any]]) -> None:
        plain = [i for i in items if not i.get("parent")]
        variants = [i for i in items if i.get("parent")]
        self.listing.retotal(len(plain), len(variants))
        writes = await self._write_products(plain, configurable=False, commit=False)
        writes += await self._write_variants(variants)
        self.done_pages.add(n)
        prefix = 0
        while prefix + 1 in self.done_pages:
            prefix += 1
        await self.job.commit(writes, step="products", cursor={"page": prefix} if self.job.options.full else None)
        self.run.advance("products", len(plain))
        self.run.advance("variants", len(variants))
        await self.run.flush_logs()

    def _gate(self, item: dict[str, Any], sku: str, kind: str) -> str | None:
        """Why this item must not be written now (None = go ahead)."""
        link = self.job.link(kind, sku)
        echo = cooldown_reason(link.pushed_at if link else None, self.job.debounce_s, "pushed to UnoPim")
        if echo:
            return echo
        family = item.get("family")
        families = self.job.state.families
        if not family:
            return "missing family: it has no family in UnoPim; give it one there"
        if family not in families:
            return f"missing family: “{family}” is not a UnoPim family"
        mapping = self.job.state.mapping
        assert mapping is not None
        outside = [code for code in {*mapping.core.values(), *(r.attribute_code for r in mapping.rows)}
                   if code and code in mapping.attributes and not mapping.attributes[code].system
                   and code != "sku" and code not in families[family]
                   and mapping.read(item, mapping.attributes[code]) not in (None, "")]
        if outside:
            return f"attribute not in family: {', '.join(sorted(outside))} not in family “{family}”"
        return None

    async def _write_products(self, items: list[dict[str, Any]], *, configurable: bool,
                              commit: bool = True) -> list[LinkWrite]:
        mapping = self.job.state.mapping
        assert mapping is not None
        pending: list[tuple[str, StoreProduct, str, list[StoreImage]]] = []
        established: list[LinkWrite] = []
        for item in items:
            sku = item_sku(item)
            self.job.state.seen_products.add(sku)
            structure = self.job.parents.learn(item, sku) if configurable and self.job.parents else None
            if configurable:
                self.inline.learn(item, sku)
            if structure:
                self.run.count("product", "skipped")
                self.run.log(f"Product {sku} not pulled: {structure}.", level="warning", entity_kind="product",
                             entity=sku)
                continue
            assoc = (item.get("values") or {}).get("associations") or {}
            # Tuples of strings: the collector stops scanning them (lists it would walk on every full pass).
            # Kept only where there is something to set or to clear: most products have no associations.
            ups, cross = tuple(map(str, assoc.get("up_sells") or ())), tuple(map(str, assoc.get("cross_sells") or ()))
            if ups or cross or self.job.link("association", sku):
                self.job.state.associations[sku] = (ups, cross)
            reason = self._gate(item, sku, "product")
            if reason:
                self._skip_or_fail("product", sku, reason)
                continue
            axes = self.job.state.axes.get(sku) if configurable else None
            product = product_to_store(item, mapping, axes=axes,
                                       axis_options=self.job.state.axis_options.get(sku) if configurable else None)
            if configurable and not axes:
                product.type = "simple"  # a configurable without usable axes still sells as a product
            problem = prices_problem(product, mapping.currency)
            if problem:
                self._skip_or_fail("product", sku, problem)
                continue
            self.job.state.tags.update(product.tags)
            images, product.images = product.images, []
            product.upsell_ids, product.cross_sell_ids = [], []  # set in the associations step
            h = content_hash(product)
            link = self.job.link("product", sku)
            if link and link.content_hash == h:
                self.run.count("product", "unchanged")
                await self.images.queue("product", sku, link.store_id, images)
                established += await self.fields.establish("product", sku, link.store_id, product)
                continue
            product.store_id = link.store_id if link else None
            if not configurable and not product.regular_price:
                self._note_currency(item, sku)
            self.translations.known(sku, product)
            pending.append((sku, product, h, images))
        writes = established + await self._upsert("product", pending)
        if commit:
            await self.job.commit(writes)
        return writes

    async def _upsert(self, kind: str, pending: list[tuple[str, Any, str, Any]], *,
                      parent_id: int | None = None, parent_sku: str = "") -> list[LinkWrite]:
        if not pending:
            return []
        await self._adopt(kind, pending, parent_sku=parent_sku)
        before = await self._store_values(kind, pending, parent_id)
        pending, kept, after = await self.fields.merge_updates(kind, pending, before)
        if self.job.options.dry_run:
            for sku, obj, h, _img in pending:
                action = self._action(kind, sku, obj)
                fields = field_changes(before.get(sku), obj)
                shown = ", ".join(sorted(fields)) or "no visible field"
                self.run.log(f"dry-run: would {action} {kind} {sku} ({shown})", entity_kind=kind, entity=sku,
                             action=f"would {action}")
                self.run.record_change(kind, sku, action, fields, h)
                self.run.count(kind, "updated" if obj.store_id else "created")
            return []
        inline = set()
        if kind == "product" and self.inline.enabled:
            pending = [p for p in pending if not self.inline.hold(p)]
            inline = {sku for sku, obj, _, images in pending if self.inline.take_images(sku, obj, images)}
        if not pending:
            return kept
        if kind == "product":
            result = await self.job.adapter.upsert_products([p for _, p, _, _ in pending])
        else:
            assert parent_id is not None
            result = await self.job.adapter.upsert_variants(
                parent_id, [v for _, v, _, _ in pending], attribute_ids=self.job.state.mapping.attribute_ids)
        answers = answers_by_key(result)
        writes: list[LinkWrite] = []
        synced, agreed = self.translations.synced_hash, self.translations.synced_base
        for sku, obj, h, images in pending:
            r = answers.get(sku) or answers.get(f"#{obj.store_id}")
            if r is None or not r.ok or not r.store_id:
                reason = r.error if r else "the store gave no answer for it"
                self.run.failed_item(kind, sku, f"{kind.capitalize()} {sku} failed: {reason}",
                                     status=r.status if r else None, server_text=r.error if r else "")
                continue
            outcome = "updated" if obj.store_id else "created"
            self.run.wrote(kind, sku, outcome, f"{kind.capitalize()} {sku} {outcome} in “{self.job.label}” "
                                               f"(id {r.store_id}).")
            self.run.record_change(kind, sku, self._action(kind, sku, obj), None, h)
            if r.note:  # saved, with something the merchant should know (a name made unique, a 207 part)
                self.run.log(f"{kind.capitalize()} {sku}: {r.note}", level="warning", entity_kind=kind, entity=sku)
            if kind == "product":
                if not obj.store_id:
                    self.fresh.add(sku)
                if not obj.store_id and not self.store_was_empty:
                    self.created.add(sku)  # its variations cannot already exist: no SKU look-up for them
                carried = self.inline.images_done(kind, sku, images, r) if sku in inline else None
                writes.append(LinkWrite(kind, sku, r.store_id, content_hash=synced(sku, h, r),
                                        base=agreed(after.get(sku), r, before.get(sku)),
                                        pulled=sku not in self.fields.store_edits_kept, image_hash=carried))
                writes += self.translations.written("product", sku, r)
                if carried and r.image_ids:
                    writes.append(record_store_images("product", sku, r.store_id, r.image_ids))
                elif sku not in inline:
                    await self.images.queue("product", sku, r.store_id, images)
                continue
            self.translations.refused_prices(kind, sku, r)
            # A variation's image travels with the variation itself (its parent's batch is written anyway).
            sent_image = images is not None
            if sent_image:  # counted with the images step, so its bar and the summary agree
                self.run.grow("images")
                self.run.advance("images")
            if sent_image and r.image_error:
                self.run.count("image", "failed")
                self.run.log(f"Image of variant {sku} not transferred ({r.image_error}); it will be retried on the "
                             "next run.", level="warning", entity_kind="image", entity=sku, action="failed",
                             server_text=r.image_error)
            elif sent_image:
                self.run.wrote("image", sku, outcome, f"Image of variant {sku} {outcome} (sent with the variation).")
            writes.append(LinkWrite(kind, sku, r.store_id, parent_code=parent_sku, content_hash=synced(sku, h, r),
                                    pulled=sku not in self.fields.store_edits_kept,
                                    image_hash=images if sent_image and not r.image_error else None,
                                    base=agreed(after.get(sku), r, before.get(sku))))
            if sent_image and (r.image_ids or r.image_urls) and not r.image_error:
                writes.append(record_store_images("variant", sku, r.store_id, r.image_ids or r.image_urls))
        return kept + writes

    def _action(self, kind: str, sku: str, obj: Any) -> str:
        """create, update, or adopt (an existing store item found by SKU, not linked before: overwritten)."""
        if not obj.store_id:
            return "create"
        return "update" if self.job.link(kind, sku) is not None else "adopt"

    async def _store_values(self, kind: str, pending: list[tuple[str, Any, str, Any]], parent_id: int | None
                            ) -> dict[str, Any]:
        """What the store holds now for the items a dry run would update (for the Preview's old values)."""
        updates = [sku for sku, obj, _, _ in pending if obj.store_id]
        if not updates:
            return {}
        try:
            if kind == "product":
                return await self.job.adapter.find_products_by_sku(updates)
            if parent_id is not None:
                return {v.sku: v for v in await self.job.adapter.list_variants(parent_id)}
        except Exception as exc:  # noqa: BLE001 (a preview without old values is still a preview)
            self.run.log(f"The store's current values could not be read for the preview ({exc}).", level="warning")
        return {}

    async def _adopt(self, kind: str, pending: list[tuple[str, Any, str, Any]], *, parent_sku: str = "") -> None:
        """Before creating, look the SKUs up in the store and update what is already there."""
        creates = [sku for sku, obj, _, _ in pending if not obj.store_id]
        if not creates or self.store_was_empty or (kind == "variant" and parent_sku in self.created):
            return
        found = await self.job.adapter.find_products_by_sku(creates)
        for sku, obj, _, _ in pending:
            hit = found.get(sku)
            if hit is None or obj.store_id:
                continue
            is_variation = hit.parent_store_id is not None
            if (kind == "variant") == is_variation:
                obj.store_id = hit.store_id
                if isinstance(obj, StoreProduct):
                    self.translations.adopt(obj, hit)
                self.adopted += kind == "product"
                self.run.log(f"Adopted the existing store {kind} with SKU {sku} (id {hit.store_id}).",
                             entity_kind=kind, entity=sku, action="adopted")

    async def _write_variants(self, items: list[dict[str, Any]]) -> list[LinkWrite]:
        mapping = self.job.state.mapping
        assert mapping is not None
        by_parent: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            by_parent[str(item["parent"])].append(item)

        async def one_parent(parent_sku: str, group: list[dict[str, Any]]) -> list[LinkWrite]:
            parents = self.job.parents
            assert parents is not None
            orphaned = await parents.orphan_reason(parent_sku)
            if orphaned:
                self.job.state.seen_products.update(item_sku(i) for i in group)
                parents.report(parent_sku, [item_sku(i) for i in group], orphaned)
                return []
            parent = self.job.link("product", parent_sku)
            if parent is None and self.inline.holds(parent_sku):
                await self.inline.add_variants(parent_sku, group)  # written with their product
                return []
            axes = await self.job.axes_of(parent_sku) if parent is not None else []
            pending = []
            established: list[LinkWrite] = []
            for item in group:
                sku = item_sku(item)
                self.job.state.seen_products.add(sku)
                item = parents.resolve(parent_sku, item)  # 3.x: what UnoPim shows, not only what it stores
                if parent is None and self.job.options.dry_run and parent_sku in self.job.state.seen_products:
                    self.run.log(f"dry-run: would create variant {sku} under {parent_sku}", entity_kind="variant",
                                 entity=sku, action="would create")
                    self.run.count("variant", "created")
                    continue
                if parent is None:
                    self._skip_or_fail("variant", sku, f"its configurable product {parent_sku} is not in the store "
                                       "(it failed or was skipped)")
                    continue
                reason = self._gate(item, sku, "variant")
                if reason:
                    self._skip_or_fail("variant", sku, reason)
                    continue
                lacking = missing_axes(item, axes)
                if lacking:
                    self._skip_or_fail("variant", sku, f"it has no value for {', '.join(lacking)}, the variant "
                                       f"axes of {parent_sku} (the store would sell it as any {lacking[0]}); set "
                                       "it in UnoPim")
                    continue
                variant = variant_to_store(item, axes, mapping)
                problem = prices_problem(variant, mapping.currency)
                if problem:
                    self._skip_or_fail("variant", sku, problem)
                    continue
                image, variant.image = variant.image, None
                if not self.job.options.images:
                    image = None  # image sync is off (General settings): the variation keeps its picture
                h = content_hash(variant)
                ih = image_hash([image.src] if image else [])
                link = self.job.link("variant", sku)
                if link is not None and (parent_sku in self.fresh or link.parent_code not in ("", parent_sku)):
                    link = None  # a variation of another (or a re-created) parent: it is not in this one
                image_same = image is None or (link is not None and link.image_hash == ih)
                if link and link.content_hash == h and image_same:
                    self.run.count("variant", "unchanged")
                    established.extend(await self.fields.establish("variant", sku, link.store_id, variant))
                    continue
                variant.image = None if image_same else image
                variant.store_id = link.store_id if link else None
                pending.append((sku, variant, h, None if image_same else ih))
            if parent is None:
                return established
            written = await self._upsert("variant", pending, parent_id=parent.store_id,
                                         parent_sku=parent_sku) if pending else []
            skus = [item_sku(i) for i in group]
            linked = await self.translations.variations(parent_sku, parent.store_id, skus)
            return established + written + linked

        parts = await asyncio.gather(*(one_parent(p, g) for p, g in by_parent.items()))
        return [w for part in parts for w in part] + await self.inline.flush()

    def _note_currency(self, item: dict[str, Any], sku: str) -> None:
        """A price UnoPim holds only in other currencies reaches the store as none: said, not silent."""
        mapping = self.job.state.mapping
        attr = mapping.attr("regular_price") if mapping else None
        amounts = mapping.read(item, attr) if mapping and attr else None
        if isinstance(amounts, dict) and any(v not in (None, "") for v in amounts.values()):
            held = ", ".join(sorted(k for k, v in amounts.items() if v not in (None, "")))
            self.run.log(f"Product {sku}: no price in {mapping.currency} (UnoPim has {held}); the store price "
                         "stays empty. Add the price in UnoPim, or map the channel's currency (Channels & Stores).",
                         level="warning", entity_kind="product", entity=sku)

    def _skip_or_fail(self, kind: str, sku: str, reason: str) -> None:
        if reason.startswith("echo suppress"):
            self.run.wrote(kind, sku, "skipped", f"{kind.capitalize()} {sku} not pulled: {reason}")
        else:
            self.run.failed_item(kind, sku, f"{kind.capitalize()} {sku} failed: {reason}")

    # -- 13: tags --------------------------------------------------------------------------------------
    async def step_tags(self) -> None:
        # Tags travel with their products (the store creates a tag the first time a name is used).
        self.run.counted("tags", len(self.job.state.tags))

    # -- 14: images (transferred in the background by `ImageTransfer`) ---------------------------------
    async def step_images(self) -> None:
        await self.images.finish()

    async def stop_image_worker(self) -> None:
        await self.images.stop()
