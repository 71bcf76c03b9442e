"""New products written with their images and variants in the call that creates them, where the store takes
them inline (`StoreAdapter.inline_on_create`: BigCommerce, which has no batch create and would otherwise need
a call for each option, option value and variant of a product).

A configurable product new to the store is held when its listing is read, until every variant UnoPim lists for
it (`variants[]` of the configurable product) has come by in the product pages, or until the listing ends;
then it is created with those variants in one call. Variants the store did not take with it (refused, or
listed after the product was created) are written one by one as before. A run stopped while products are
held has not created them: the next run holds them again (they have no link yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unopim_desktop.domain import StoreImage, StoreProduct, StoreVariant
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import content_hash, image_hash
from unopim_desktop.sync.job import record_store_images
from unopim_desktop.sync.merge import fields_of
from unopim_desktop.sync.pull.images import answers_by_key
from unopim_desktop.sync.transform.to_store import variant_to_store
from unopim_desktop.sync.transform.values import item_sku

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.products import ProductSteps


@dataclass
class Held:
    sku: str
    product: StoreProduct
    content_hash: str
    images: list[StoreImage]
    expected: set[str]  # variant SKUs UnoPim lists under it, not come by yet
    variants: list[tuple[str, StoreVariant, str, str]] = field(default_factory=list)  # (SKU, variant, hash, image)


class InlineCreates:
    def __init__(self, steps: ProductSteps) -> None:
        self.steps = steps
        self.job = steps.job
        self.run = steps.run
        adapter = self.job.adapter
        self.enabled = bool(getattr(adapter, "inline_on_create", False)) and not self.job.options.dry_run
        self.expected: dict[str, set[str]] = {}  # configurable SKU -> its variants' SKUs (from its listing)
        self.held: dict[str, Held] = {}

    # -- products ---------------------------------------------------------------------------------------
    def learn(self, item: dict[str, Any], sku: str) -> None:
        """A configurable product as listed: the SKUs of its variants."""
        if self.enabled:
            self.expected[sku] = {str(v.get("sku") or "") for v in item.get("variants") or [] if v.get("sku")}

    def take_images(self, sku: str, product: StoreProduct, images: list[StoreImage]) -> bool:
        """A create carries its images: True when this product's do (so they are not queued apart)."""
        if not self.enabled or product.store_id or not images:
            return False
        product.images = list(images)
        return True

    def hold(self, item: tuple[str, Any, str, Any]) -> bool:
        """Hold a new configurable product until its variants are listed (True: held, not written now)."""
        sku, product, h, images = item
        expected = self.expected.get(sku)
        if not self.enabled or product.store_id or product.type != "variable" or not expected:
            return False
        self.held[sku] = Held(sku, product, h, list(images or []), set(expected))
        return True

    # -- variants ---------------------------------------------------------------------------------------
    def holds(self, parent_sku: str) -> bool:
        return parent_sku in self.held

    async def add_variants(self, parent_sku: str, group: list[dict[str, Any]]) -> None:
        """Variants of a held product, listed: transformed and kept for its create (or skipped, with a reason)."""
        steps, held = self.steps, self.held[parent_sku]
        mapping = self.job.state.mapping
        assert mapping is not None and self.job.parents is not None
        axes = await self.job.axes_of(parent_sku)
        for item in group:
            sku = item_sku(item)
            self.job.state.seen_products.add(sku)
            held.expected.discard(sku)
            item = self.job.parents.resolve(parent_sku, item)  # 3.x: what UnoPim shows, not only what it stores
            reason = steps._gate(item, sku, "variant")
            if reason:
                steps._skip_or_fail("variant", sku, reason)
                continue
            variant = variant_to_store(item, axes, mapping)
            image, variant.image = variant.image, None
            h = content_hash(variant)  # as for any variant: without its image (hashed apart)
            variant.image = image
            held.variants.append((sku, variant, h, image_hash([image.src]) if image else ""))

    async def flush(self, *, everything: bool = False) -> list[LinkWrite]:
        """Create the held products whose variants have all come by (`everything`: all of them)."""
        ready = [h for h in self.held.values() if everything or not h.expected]
        for h in ready:
            del self.held[h.sku]  # before any await: pages in flight must not create it twice
        if not ready:
            return []
        for h in ready:
            h.product.variants = [v for _, v, _, _ in h.variants]
            h.product.images = list(h.images)
        result = await self.job.adapter.upsert_products([h.product for h in ready])
        answers = answers_by_key(result)
        writes: list[LinkWrite] = []
        for h in ready:
            writes += await self._created(h, answers.get(h.sku))
        return writes

    async def _created(self, h: Held, r: Any) -> list[LinkWrite]:
        steps, run = self.steps, self.run
        label = self.job.label
        if r is None or not r.ok or not r.store_id:
            reason = r.error if r else "the store gave no answer for it"
            run.failed_item("product", h.sku, f"Product {h.sku} failed: {reason}", status=r.status if r else None,
                            server_text=r.error if r else "")
            for sku, _v, _h, _ih in h.variants:
                steps._skip_or_fail("variant", sku, f"its configurable product {h.sku} is not in the store "
                                    "(it failed)")
            return []
        run.wrote("product", h.sku, "created", f"Product {h.sku} created in “{label}” (id {r.store_id}), with "
                                               f"{len(r.variants)} variant(s).")
        run.record_change("product", h.sku, "create", None, h.content_hash)
        if r.note:
            run.log(f"Product {h.sku}: {r.note}", level="warning", entity_kind="product", entity=h.sku)
        steps.fresh.add(h.sku)
        steps.created.add(h.sku)
        synced = steps.translations.synced_hash(h.sku, h.content_hash, r)
        writes = [LinkWrite("product", h.sku, r.store_id, content_hash=synced,
                            pulled=True,
                            base=steps.translations.synced_base(fields_of(h.product), r),
                            image_hash=self.images_done("product", h.sku, h.images, r))]
        if r.image_ids and not r.image_error:
            writes.append(record_store_images("product", h.sku, r.store_id, r.image_ids))
        writes += steps.translations.written("product", h.sku, r)
        made = {v.key.lower(): v for v in r.variants}
        late = []
        for sku, variant, vh, ih in h.variants:
            vr = made.get(sku.lower())
            if vr is None or not vr.ok or not vr.store_id:
                late.append((sku, variant, vh, ih or None))
                continue
            run.wrote("variant", sku, "created", f"Variant {sku} created in “{label}” (id {vr.store_id}) with {h.sku}.")
            steps.translations.refused_prices("variant", sku, vr)
            run.record_change("variant", sku, "create", None, vh)
            sent = variant.image is not None and bool(variant.image.src)
            if sent:
                run.grow("images")
                run.advance("images")
                if r.image_error:
                    run.count("image", "failed")
                else:
                    run.wrote("image", sku, "created", f"Image of variant {sku} created (sent with it).")
            writes.append(LinkWrite("variant", sku, vr.store_id, parent_code=h.sku,
                                    content_hash=steps.translations.synced_hash(sku, vh, vr), pulled=True,
                                    image_hash=ih if sent and not r.image_error else None,
                                    base=steps.translations.synced_base(fields_of(variant), vr)))
            if sent and vr.image_urls and not r.image_error:
                writes.append(record_store_images("variant", sku, vr.store_id, vr.image_urls))
        if late:  # not taken with the product: one by one, each with its own answer
            for _sku, variant, _vh, _ih in late:
                variant.store_id = None
            writes += await steps._upsert("variant", late, parent_id=r.store_id, parent_sku=h.sku)
        return writes

    def images_done(self, kind: str, sku: str, images: list[StoreImage], r: Any) -> str | None:
        """The image hash to record for images a create carried (None: none carried, or they failed and are
        retried on the next run, which queues them as for any product whose image hash is old)."""
        if not images:
            return None
        self.run.grow("images")  # carried by the create, counted with the images step so its bar and the summary agree
        self.run.advance("images")
        if r.image_error:
            self.run.count("image", "failed")
            self.run.log(f"Images of {kind} {sku} not transferred ({r.image_error}); they will be retried on the next "
                         "run.", level="warning", entity_kind="image", entity=sku)
            return None
        self.run.wrote("image", sku, "created", f"{len(images)} image(s) of {kind} {sku} created (sent with it).")
        return image_hash([i.src for i in images])
